/**
 * A Hugging Face checkpoint as an {@link EmbeddingModel}: converted once into the cache
 * (./convert.ts) and loaded by the generic ONNX backend, with the manifest's checksum as the
 * model's identity (its files were just verified, so they are not hashed again) and the
 * checkpoint's facts (source, license, architecture, dtypes, shards) added to the model's info.
 */
import type { EmbeddingModel } from '../../types.js';
import { OnnxEmbeddingModel, loadOnnxParts, type OnnxModelOptions } from '../onnx-model.js';
import type { PreparedCheckpoint } from './convert.js';

/** What the model's info says about the checkpoint it was converted from. */
export function checkpointInfo(prepared: PreparedCheckpoint): Record<string, string | number> {
  const s = prepared.manifest.source;
  const { package: pkg, version, path, license } = s.origin;
  return {
    source: pkg !== undefined ? `${pkg}@${version ?? '?'}` : (path ?? 'unknown'),
    ...(license !== undefined ? { license } : {}),
    architecture: s.architecture,
    checkpoint: `${Object.entries(s.dtypes).map(([dtype, count]) => `${count} ${dtype}`).join(', ')} tensors in ${s.shards} safetensors file${s.shards === 1 ? '' : 's'} (${s.tensorsIgnored.length} not used)`,
  };
}

/** Loads an already prepared conversion. */
export async function loadPreparedCheckpoint(prepared: PreparedCheckpoint, options: OnnxModelOptions): Promise<EmbeddingModel> {
  const parts = await loadOnnxParts(prepared.dir, { ...options, sha256: prepared.manifest.sha256 });
  return new OnnxEmbeddingModel({ ...parts, info: { ...parts.info, ...checkpointInfo(prepared) } });
}
