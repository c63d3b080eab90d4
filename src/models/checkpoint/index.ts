/**
 * A Hugging Face checkpoint as an {@link EmbeddingModel}: converted once into the cache
 * (./convert.ts) and loaded by the generic ONNX backend, with the manifest's checksum as the
 * model's identity (its files were just verified, so they are not hashed again).
 */
import type { EmbeddingModel } from '../../types.js';
import { loadOnnxModel, type OnnxModelOptions } from '../onnx-model.js';
import { prepareCheckpoint, type CheckpointSource } from './convert.js';

/** Converts (or verifies) `source` into `outDir` and loads it. */
export async function loadCheckpointModel(source: CheckpointSource, outDir: string, options: OnnxModelOptions): Promise<EmbeddingModel> {
  const prepared = await prepareCheckpoint(source, outDir, options.onProgress ? { onProgress: options.onProgress } : {});
  return loadOnnxModel(prepared.dir, { ...options, sha256: prepared.manifest.sha256 });
}
