/**
 * The embedding cache around a real, small model: a deterministic hashing model (each vector is
 * derived from sha256 of the target's text or of the sentence around it) that counts what it is
 * asked to embed. Every cached answer is compared with what a fresh, unwrapped instance of the
 * model returns for the same occurrence, so a wrong, stale or shared entry fails the test.
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { EmbeddingCache, formatCacheStats, modelCacheKey, withEmbeddingCache, worthCaching, type EmbeddingCacheStats } from '../src/cache/embedding-cache.js';
import { cacheClear, cacheInfo, formatCacheClear, formatCacheInfo } from '../src/cache/info.js';
import { decodeSegmentHeader, encodeSegment, KEY_BYTES, MAX_SEGMENT_BYTES, occurrenceKey, RecordBlocks, scanSegment, segmentRuns, type CacheEntry } from '../src/cache/segment.js';
import { loadOnnxModel } from '../src/models/onnx-model.js';
import { StaticModel, StaticVectors } from '../src/models/static.js';
import { wordSpans } from '../src/text.js';
import { writeBertFixture } from './helpers/bert-fixture.js';
import type { EmbeddingModel, OccurrenceEmbedding, Representation, TargetOccurrence, TargetSpans } from '../src/types.js';

/** `dimensions` values in [-1, 1) from sha256 of `text` (stretched by re-hashing). */
function hashVector(text: string, dimensions: number): Float32Array {
  const vector = new Float32Array(dimensions);
  let block = Buffer.alloc(0);
  for (let i = 0; i < dimensions; i++) {
    if (i % 32 === 0) block = createHash('sha256').update(`${i}:${text}`).digest();
    vector[i] = (block[i % 32]! - 128) / 128;
  }
  return vector;
}

/**
 * A deterministic contextual-looking model: `target` hashes the target's text (every span),
 * `context` hashes the sentence with the target cut out; targets containing "zz" are out of
 * vocabulary (`target` is null); sentences over 60 characters are reported as truncated.
 */
class HashingModel implements EmbeddingModel {
  readonly id: string;
  readonly sha256 = 'ab'.repeat(32);
  readonly representations: readonly Representation[] = [
    { name: 'target', kind: 'contextual', description: 'hash of the target text' },
    { name: 'context', kind: 'contextual', description: 'hash of the sentence around the target' },
  ];
  readonly info: Readonly<Record<string, string | number>>;
  calls = 0;
  embeddedSentences: string[] = [];

  constructor(id = 'hashing', info: Record<string, string | number> = { pooling: 'mean', maxLength: 64 }) {
    this.id = id;
    this.info = info;
  }

  embed(occurrences: readonly TargetOccurrence[]): Promise<OccurrenceEmbedding[]> {
    this.calls++;
    this.embeddedSentences.push(...occurrences.map((o) => o.sentence));
    return Promise.resolve(
      occurrences.map(({ sentence, spans }) => {
        const target = spans.map((s) => sentence.slice(s.start, s.end)).join(' ');
        let context = sentence;
        for (const span of [...spans].reverse()) context = context.slice(0, span.start) + context.slice(span.end);
        return {
          vectors: [target.includes('zz') ? null : hashVector(`${this.info.pooling}|${target}`, 8), hashVector(context, 37)],
          truncated: sentence.length > 60,
        };
      }),
    );
  }

  dispose(): Promise<void> {
    return Promise.resolve();
  }
}

function occurrence(sentence: string, word: string, line = 1): TargetOccurrence {
  const start = sentence.indexOf(word);
  if (start < 0) throw new Error(`${word} not in ${sentence}`);
  return { sentence, spans: [{ start, end: start + word.length }], source: { file: 'test.tsv', line } };
}

const SENTENCES: [string, string][] = [
  ['I sat on the bank of the river.', 'bank'],
  ['The bank raised its rates.', 'bank'],
  ['She plays bass in a band that tours the north of the country every single summer.', 'bass'],
  ['He caught a bass.', 'bass'],
  ['A zzyzx word nobody knows.', 'zzyzx'],
  ['Light the match.', 'match'],
];
const BASE = SENTENCES.map(([sentence, word], line) => occurrence(sentence, word, line + 1));

/** What an unwrapped model returns: the oracle for every cached answer. */
async function fresh(occurrences: readonly TargetOccurrence[], model = new HashingModel()): Promise<OccurrenceEmbedding[]> {
  return model.embed(occurrences);
}

function plain(embeddings: readonly OccurrenceEmbedding[]): { vectors: (number[] | null)[]; truncated: boolean }[] {
  return embeddings.map((e) => ({ vectors: e.vectors.map((v) => (v === null ? null : [...v])), truncated: e.truncated }));
}

function segmentFiles(cacheDir: string): string[] {
  const root = join(cacheDir, 'embeddings');
  return readdirSync(root).flatMap((dir) => readdirSync(join(root, dir)).filter((n) => n.endsWith('.sbemb')).map((n) => join(root, dir, n)));
}

describe('embedding cache', () => {
  let cacheDir: string;
  beforeEach(() => {
    cacheDir = mkdtempSync(join(tmpdir(), 'sensebench-embcache-'));
  });
  afterEach(() => {
    rmSync(cacheDir, { recursive: true, force: true });
  });

  /** A wrapped model over a new cache object (as a new run would open it), collecting stats. */
  function wrapped(model = new HashingModel()): { model: HashingModel; cached: EmbeddingModel; stats: EmbeddingCacheStats[] } {
    const stats: EmbeddingCacheStats[] = [];
    return { model, cached: withEmbeddingCache(model, new EmbeddingCache(cacheDir), (s) => stats.push(s)), stats };
  }

  it('miss: the first embed calls the model once and returns what the model returns', async () => {
    const { model, cached, stats } = wrapped();
    const result = await cached.embed(BASE);
    expect(plain(result)).toEqual(plain(await fresh(BASE)));
    expect(model.calls).toBe(1);
    expect(model.embeddedSentences).toEqual(BASE.map((o) => o.sentence));
    expect(stats).toEqual([{ model: 'hashing', occurrences: 6, hits: 0, misses: 6, embedded: 6, damaged: 0, problems: [] }]);
    expect(cached.id).toBe(model.id);
    expect(cached.sha256).toBe(model.sha256);
    expect(cached.representations).toBe(model.representations);
  });

  it('decodes records into shared blocks without one record overwriting or overlapping another', async () => {
    const embeddings = await fresh(BASE);
    const entries: CacheEntry[] = embeddings.map((embedding, i) => ({ key: occurrenceKey(BASE[i]!), embedding }));
    const bytes = encodeSegment('id', [8, 37], entries);
    const layout = decodeSegmentHeader(bytes, 'id');
    // Blocks of two records' values (45 each): three blocks for six records.
    const blocks = new RecordBlocks(Number.POSITIVE_INFINITY, 90);
    const decoded: CacheEntry[] = [];
    scanSegment(bytes, layout, () => true, (entry) => decoded.push(entry), blocks);
    // A second scan into the same blocks object takes new ranges: the first results stay as they were.
    const again: CacheEntry[] = [];
    scanSegment(bytes, layout, () => true, (entry) => again.push(entry), blocks);
    bytes.fill(0);
    expect(plain(decoded.map((entry) => entry.embedding))).toEqual(plain(embeddings));
    expect(plain(again.map((entry) => entry.embedding))).toEqual(plain(embeddings));
    const ranges = [...decoded, ...again].flatMap(({ embedding }) => embedding.vectors.flatMap((vector) => (vector === null ? [] : [{ buffer: vector.buffer, start: vector.byteOffset, end: vector.byteOffset + vector.byteLength }])));
    for (const [i, a] of ranges.entries()) for (const b of ranges.slice(i + 1)) expect(a.buffer !== b.buffer || a.end <= b.start || b.end <= a.start).toBe(true);
    expect(new Set(ranges.map((range) => range.buffer)).size).toBe(6);
  });

  it('hit in shared memory when asked: the same values, in SharedArrayBuffers a worker reads in place', async () => {
    await wrapped().cached.embed(BASE);
    const second = wrapped();
    const shared = await second.cached.embed(BASE, undefined, { sharedMemory: true });
    const plainHit = await second.cached.embed(BASE);
    expect(second.model.calls).toBe(0);
    expect(plain(shared)).toEqual(plain(await fresh(BASE)));
    for (const { vectors } of shared) for (const vector of vectors) if (vector !== null) expect(vector.buffer).toBeInstanceOf(SharedArrayBuffer);
    for (const { vectors } of plainHit) for (const vector of vectors) if (vector !== null) expect(vector.buffer).toBeInstanceOf(ArrayBuffer);
  });

  it('hit: a second run embeds nothing and returns identical vectors, null and truncated flags included', async () => {
    await wrapped().cached.embed(BASE);
    const second = wrapped();
    const result = await second.cached.embed(BASE);
    expect(second.model.calls).toBe(0);
    expect(second.stats[0]).toMatchObject({ hits: 6, misses: 0, embedded: 0, damaged: 0 });
    expect(plain(result)).toEqual(plain(await fresh(BASE)));
    expect(result[4]!.vectors[0]).toBeNull(); // zzyzx is out of vocabulary
    expect(result[4]!.vectors[1]).toHaveLength(37);
    expect(result[2]!.truncated).toBe(true);
    expect(result[0]!.truncated).toBe(false);
    expect(result[0]!.vectors[0]).toBeInstanceOf(Float32Array);
  });

  it('every word of a sentence (what contextuality embeds): a warm embed returns exactly the vectors of a cold one (ONNX fixture and static model)', async () => {
    const fixture = await writeBertFixture(join(cacheDir, 'bert'));
    const vectors = StaticVectors.fromWords(['the', 'bank', 'river', 'money'], Float32Array.from([0, 0, 1, 0, 0, 1, 2, 2]), 2);
    const sentences = ['the river bank was muddy', 'money at the bank', 'a zebra by the river'];
    const occurrences = sentences.flatMap((sentence, s) =>
      wordSpans(sentence).map((span): TargetOccurrence => ({ sentence, spans: [span], source: { file: 'mem', line: s + 1 } })),
    );
    const models: (() => Promise<EmbeddingModel>)[] = [
      () => loadOnnxModel(fixture.dir, { cacheDir, id: 'tiny-bert', threads: 1 }),
      () => Promise.resolve(new StaticModel('toy', vectors, 'c'.repeat(64), {})),
    ];
    for (const load of models) {
      const unwrapped = await load();
      const oracle = await unwrapped.embed(occurrences);
      await unwrapped.dispose();
      const stats: EmbeddingCacheStats[] = [];
      const cold = withEmbeddingCache(await load(), new EmbeddingCache(cacheDir), (x) => stats.push(x));
      const coldResult = await cold.embed(occurrences);
      await cold.dispose();
      const warm = withEmbeddingCache(await load(), new EmbeddingCache(cacheDir), (x) => stats.push(x));
      const warmResult = await warm.embed(occurrences);
      await warm.dispose();
      expect(stats.map((x) => [x.embedded, x.hits])).toEqual([[occurrences.length, 0], [0, occurrences.length]]);
      expect(plain(coldResult)).toEqual(plain(oracle));
      expect(plain(warmResult)).toEqual(plain(oracle));
    }
  });

  it('partial: adding occurrences embeds only the new ones, in one call', async () => {
    await wrapped().cached.embed(BASE.slice(0, 3));
    const added = [occurrence('The match was a draw.', 'match'), occurrence('Deposit it at the bank.', 'bank')];
    const request = [...BASE, ...added];
    const second = wrapped();
    const result = await second.cached.embed(request);
    expect(second.model.calls).toBe(1);
    expect(second.model.embeddedSentences).toEqual([...BASE.slice(3), ...added].map((o) => o.sentence));
    expect(second.stats[0]).toMatchObject({ hits: 3, misses: 5, embedded: 5 });
    expect(plain(result)).toEqual(plain(await fresh(request)));
  });

  it('repeats within one request are embedded once and answered for every index', async () => {
    const request = [BASE[0]!, BASE[1]!, { ...BASE[0]!, source: { file: 'other.tsv', line: 9 } }, BASE[1]!];
    const { model, cached, stats } = wrapped();
    const result = await cached.embed(request);
    expect(model.embeddedSentences).toEqual([BASE[0]!.sentence, BASE[1]!.sentence]);
    expect(stats[0]).toMatchObject({ occurrences: 4, hits: 0, misses: 4, embedded: 2 });
    expect(plain(result)).toEqual(plain(await fresh(request)));
  });

  it('two runs storing at once both land, in separate segments, and a third run reads them all', async () => {
    const first = wrapped();
    const second = wrapped();
    await Promise.all([first.cached.embed(BASE.slice(0, 4)), second.cached.embed(BASE.slice(2))]);
    expect(segmentFiles(cacheDir)).toHaveLength(2);
    const third = wrapped();
    expect(plain(await third.cached.embed(BASE))).toEqual(plain(await fresh(BASE)));
    expect(third.model.calls).toBe(0);
    expect(third.stats[0]).toMatchObject({ hits: 6, damaged: 0 });
  });

  it('a cache that cannot be written costs the reuse, never the run, and says why', async () => {
    writeFileSync(join(cacheDir, 'embeddings'), 'not a directory');
    const { model, cached, stats } = wrapped();
    expect(plain(await cached.embed(BASE))).toEqual(plain(await fresh(BASE)));
    expect(model.calls).toBe(1);
    expect(stats[0]!.problems.join('\n')).toMatch(/cannot read the embedding cache: ENOTDIR/);
    expect(stats[0]!.problems.join('\n')).toMatch(/could not store 6 embeddings/);
  });

  it('formats its stats as one log line plus one per problem', () => {
    expect(formatCacheStats({ model: 'use-lite', occurrences: 36000, hits: 35000, misses: 1000, embedded: 990, damaged: 2, problems: ['seg: 2 damaged record(s) ignored'] })).toBe(
      'use-lite: embedding cache: 35,000 of 36,000 occurrences reused, 990 embedded, 2 damaged entries ignored and re-embedded\n  seg: 2 damaged record(s) ignored',
    );
  });

  it('is worth it for contextual models only', () => {
    expect(worthCaching(new HashingModel())).toBe(true);
    expect(worthCaching({ representations: [{ name: 'target', kind: 'static', description: '' }] })).toBe(false);
  });

  it('an empty request calls nothing', async () => {
    const { model, cached } = wrapped();
    expect(await cached.embed([])).toEqual([]);
    expect(model.calls).toBe(0);
  });

  it('damaged record: a flipped byte in one record re-embeds that occurrence only, reports it, and repairs the segment', async () => {
    await wrapped().cached.embed(BASE);
    const [segment] = segmentFiles(cacheDir);
    const bytes = readFileSync(segment!);
    // Records are fixed-size and last in the file: find the third record by its key.
    const keyAt = bytes.indexOf(Buffer.from(occurrenceKey(BASE[2]!), 'hex'));
    expect(keyAt).toBeGreaterThan(0);
    bytes[keyAt + KEY_BYTES + 12]! ^= 0x10; // inside its vectors
    writeFileSync(segment!, bytes);

    const second = wrapped();
    const result = await second.cached.embed(BASE);
    expect(second.model.embeddedSentences).toEqual([BASE[2]!.sentence]);
    expect(second.stats[0]).toMatchObject({ hits: 5, misses: 1, embedded: 1, damaged: 1 });
    expect(second.stats[0]!.problems.join('\n')).toMatch(/1 damaged record\(s\) ignored/);
    expect(plain(result)).toEqual(plain(await fresh(BASE)));

    const third = wrapped();
    await third.cached.embed(BASE);
    expect(third.model.calls).toBe(0);
    expect(third.stats[0]).toMatchObject({ hits: 6, damaged: 0, problems: [] });
  });

  /** Flips one byte inside the vectors of `target`'s record, in place (same file, same size). */
  function damageRecordOf(target: TargetOccurrence): void {
    const segment = segmentFiles(cacheDir).find((file) => readFileSync(file).includes(Buffer.from(occurrenceKey(target), 'hex')))!;
    const bytes = readFileSync(segment);
    bytes[bytes.indexOf(Buffer.from(occurrenceKey(target), 'hex')) + KEY_BYTES + 12]! ^= 0x10;
    writeFileSync(segment, bytes);
  }

  it('a lookup reads only the records it wants: damage to another record is not read, and is caught when that record is wanted', async () => {
    await wrapped().cached.embed(BASE);
    damageRecordOf(BASE[2]!);
    const others = BASE.filter((_, i) => i !== 2);
    const run = wrapped();
    expect(plain(await run.cached.embed(others))).toEqual(plain(await fresh(others)));
    expect(run.model.calls).toBe(0);
    expect(run.stats[0]).toMatchObject({ hits: 5, damaged: 0, problems: [] });
    // The same cache object (as the next embed call of one run), now asked for the damaged record.
    expect(plain(await run.cached.embed(BASE))).toEqual(plain(await fresh(BASE)));
    expect(run.model.embeddedSentences).toEqual([BASE[2]!.sentence]);
    expect(run.stats[1]).toMatchObject({ hits: 5, embedded: 1, damaged: 1 });
  });

  it('a record damaged after this process read it sound is caught when it is read again', async () => {
    const run = wrapped();
    await run.cached.embed(BASE);
    await run.cached.embed(BASE);
    expect(run.stats[1]).toMatchObject({ hits: 6, damaged: 0 });
    damageRecordOf(BASE[3]!);
    expect(plain(await run.cached.embed(BASE))).toEqual(plain(await fresh(BASE)));
    expect(run.model.embeddedSentences.slice(6)).toEqual([BASE[3]!.sentence]);
    expect(run.stats[2]).toMatchObject({ hits: 5, embedded: 1, damaged: 1 });
    expect(plain(await run.cached.embed(BASE))).toEqual(plain(await fresh(BASE)));
    expect(run.stats[3]).toMatchObject({ hits: 6, damaged: 0, problems: [] });
  });

  it('a cache object that has read the directory sees what other runs store, repair and cut off afterwards', async () => {
    const first = wrapped();
    await first.cached.embed(BASE.slice(0, 4));
    await first.cached.embed(BASE.slice(0, 4));
    // Another run stores the other two, then finds a record of the first segment damaged and rewrites it.
    const other = wrapped();
    await other.cached.embed(BASE);
    expect(other.model.embeddedSentences).toEqual(BASE.slice(4).map((o) => o.sentence));
    damageRecordOf(BASE[1]!);
    const repairing = wrapped();
    await repairing.cached.embed(BASE);
    expect(repairing.stats[0]).toMatchObject({ embedded: 1, damaged: 1 });
    expect(plain(await first.cached.embed(BASE))).toEqual(plain(await fresh(BASE)));
    expect(first.model.calls).toBe(1);
    expect(first.stats[2]).toMatchObject({ hits: 6, damaged: 0, problems: [] });
    // Every segment cut short by one byte: each loses its last record, which is re-embedded.
    for (const file of segmentFiles(cacheDir)) writeFileSync(file, readFileSync(file).subarray(0, statSync(file).size - 1));
    const segments = segmentFiles(cacheDir).length;
    expect(plain(await first.cached.embed(BASE))).toEqual(plain(await fresh(BASE)));
    expect(first.stats[3]).toMatchObject({ embedded: segments, damaged: segments });
  });

  it('damaged bytes anywhere in a segment never reach a result', async () => {
    await wrapped().cached.embed(BASE);
    const [segment] = segmentFiles(cacheDir);
    const intact = readFileSync(segment!);
    const expected = plain(await fresh(BASE));
    for (const position of [0, 9, 20, intact.length >> 1, intact.length - 40, intact.length - 1]) {
      const bytes = Buffer.from(intact);
      bytes[position]! ^= 0xff;
      writeFileSync(segment!, bytes);
      const run = wrapped();
      expect(plain(await run.cached.embed(BASE)), `byte ${position}`).toEqual(expected);
      expect(run.stats[0]!.damaged, `byte ${position}`).toBeGreaterThan(0);
      expect(run.model.calls).toBe(1);
      // Start the next position from the intact segment alone.
      for (const file of segmentFiles(cacheDir)) rmSync(file);
      writeFileSync(segment!, intact);
    }
  });

  it('damaged header: the whole segment is ignored, removed and everything re-embedded', async () => {
    await wrapped().cached.embed(BASE);
    const [segment] = segmentFiles(cacheDir);
    const bytes = readFileSync(segment!);
    bytes[14]! ^= 0x01;
    writeFileSync(segment!, bytes);
    const second = wrapped();
    expect(plain(await second.cached.embed(BASE))).toEqual(plain(await fresh(BASE)));
    expect(second.model.embeddedSentences).toHaveLength(6);
    expect(second.stats[0]!.problems.join('\n')).toMatch(/header checksum mismatch; removed/);
    expect(segmentFiles(cacheDir)).not.toContain(segment);
  });

  it('a cut-off segment: the missing records are re-embedded, the whole ones used', async () => {
    await wrapped().cached.embed(BASE);
    const [segment] = segmentFiles(cacheDir);
    const bytes = readFileSync(segment!);
    writeFileSync(segment!, bytes.subarray(0, bytes.length - 10));
    const second = wrapped();
    expect(plain(await second.cached.embed(BASE))).toEqual(plain(await fresh(BASE)));
    expect(second.model.embeddedSentences).toEqual([BASE[5]!.sentence]);
    expect(second.stats[0]).toMatchObject({ damaged: 1, hits: 5 });
  });

  it('bypass: the unwrapped model neither reads nor writes the cache', async () => {
    await wrapped().cached.embed(BASE);
    const before = segmentFiles(cacheDir).map((file) => [file, statSync(file).mtimeMs, readFileSync(file).toString('hex')]);
    const model = new HashingModel();
    await model.embed(BASE);
    expect(model.embeddedSentences).toHaveLength(6);
    expect(segmentFiles(cacheDir).map((file) => [file, statSync(file).mtimeMs, readFileSync(file).toString('hex')])).toEqual(before);
  });

  it('a different model identity shares nothing: other weights, other settings, other id', async () => {
    await wrapped().cached.embed(BASE);
    const otherSettings = new HashingModel('hashing', { pooling: 'first', maxLength: 64 });
    const otherWeights = Object.assign(new HashingModel(), { sha256: 'cd'.repeat(32) });
    const otherId = new HashingModel('hashing-2');
    for (const model of [otherSettings, otherWeights, otherId]) {
      const run = wrapped(model);
      const result = await run.cached.embed(BASE);
      expect(model.embeddedSentences).toHaveLength(6);
      expect(plain(result)).toEqual(plain(await fresh(BASE, model)));
    }
    expect(new Set([new HashingModel(), otherSettings, otherWeights, otherId].map((m) => modelCacheKey(m).hash)).size).toBe(4);
    // pooling changes the target vectors: a shared entry would have given the wrong ones
    expect(plain(await fresh(BASE, otherSettings))[0]!.vectors[0]).not.toEqual(plain(await fresh(BASE))[0]!.vectors[0]);
  });

  it('the identity does not depend on the order of info keys', () => {
    expect(modelCacheKey(new HashingModel('m', { a: 1, b: 'x' })).hash).toBe(modelCacheKey(new HashingModel('m', { b: 'x', a: 1 })).hash);
    expect(modelCacheKey(new HashingModel('onnx:/some/dir')).directoryName).toMatch(/^onnx_some_dir-[0-9a-f]{16}$/);
  });

  it('a multi-span target has its own key, distinct from its first span alone', async () => {
    const sentence = 'She looked the word up in the dictionary.';
    const looked = sentence.indexOf('looked');
    const up = sentence.indexOf('up');
    const multi: TargetSpans = [{ start: looked, end: looked + 6 }, { start: up, end: up + 2 }];
    const phrasal: TargetOccurrence = { sentence, spans: multi, source: { file: 'x', line: 1 } };
    const single: TargetOccurrence = { sentence, spans: [multi[0]], source: { file: 'x', line: 2 } };
    expect(occurrenceKey(phrasal)).not.toBe(occurrenceKey(single));
    await wrapped().cached.embed([single]);
    const second = wrapped();
    const result = await second.cached.embed([single, phrasal]);
    expect(second.model.embeddedSentences).toEqual([sentence]);
    expect(plain(result)).toEqual(plain(await fresh([single, phrasal])));
    expect(plain(result)[0]).not.toEqual(plain(result)[1]);
  });

  it('cache info counts the stored embeddings per model; cache clear removes them and keeps other caches', async () => {
    await wrapped().cached.embed(BASE);
    await wrapped(new HashingModel('other')).cached.embed(BASE.slice(0, 2));
    writeFileSync(join(cacheDir, 'keep.bin'), Buffer.alloc(100));
    const info = await cacheInfo(cacheDir);
    expect(info.embeddings.map((m) => [m.identity?.modelId, m.records, m.segments])).toEqual([
      ['hashing', 6, 1],
      ['other', 2, 1],
    ].sort((a, b) => String(a[0]) < String(b[0]) ? -1 : 1));
    expect(info.others).toEqual([{ name: 'keep.bin', bytes: 100 }]);
    expect(info.embeddingBytes).toBeGreaterThan(6 * (8 + 37) * 4);
    expect(formatCacheInfo(info)).toMatch(/hashing \(weights sha256 abababababab…\): 6 embeddings in 1 segment\(s\)/);
    const cleared = await cacheClear(cacheDir);
    expect(cleared).toMatchObject({ models: 2, records: 8, bytes: info.embeddingBytes });
    expect(formatCacheClear(cleared)).toMatch(/^removed 8 embeddings of 2 model\(s\)/);
    expect(readdirSync(cacheDir)).toEqual(['keep.bin']);
    const after = wrapped();
    await after.cached.embed(BASE);
    expect(after.model.calls).toBe(1);
  });

  it('cache info on a directory that does not exist is empty', async () => {
    const info = await cacheInfo(join(cacheDir, 'nope'));
    expect(info.embeddings).toEqual([]);
    expect(formatCacheInfo(info)).toMatch(/empty/);
  });

  it('large batches are cut into segments of at most MAX_SEGMENT_BYTES', () => {
    const vector = new Float32Array(1 << 18); // 1 MiB per record
    const entries: CacheEntry[] = Array.from({ length: 150 }, (_, i) => ({ key: i.toString(16).padStart(64, '0'), embedding: { vectors: [vector], truncated: false } }));
    const runs = segmentRuns(entries, [vector.length]);
    const perSegment = Math.floor(MAX_SEGMENT_BYTES / (KEY_BYTES + 4 + vector.byteLength + 4));
    expect(runs.map((r) => r.length)).toEqual([perSegment, perSegment, 150 - 2 * perSegment]);
    expect(runs.flat()).toEqual(entries);
  });
});
