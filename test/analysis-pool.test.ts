/**
 * The analysis pool (src/pipeline/analysis-pool.ts): probes and contextuality measures run in worker
 * threads give exactly what the same tasks give inline, and so does a whole run (every CSV byte for
 * byte); a task's error comes back as an error of the same kind and message.
 */
import { mkdir, readFile, readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { once } from 'node:events';
import { AnalysisPool } from '../src/pipeline/analysis-pool.js';
import { closeWorker, startModuleWorker } from '../src/worker-threads.js';
import { packVectors, runAnalysisTask, unpackVectors, type ContextualityTask, type IntraSentenceTask, type ProbeTask } from '../src/pipeline/analysis-tasks.js';
import { measureSentence } from '../src/metrics/contextuality.js';
import { fitNormalization, normalizeVectorInto64 } from '../src/metrics/normalization.js';
import { KeptVectors } from '../src/pipeline/kept-vectors.js';
import { runEvaluation } from '../src/pipeline/index.js';
import { writeReports } from '../src/reports/index.js';
import { mulberry32 } from '../src/random.js';
import type { Dataset, SentencePair, SplitName } from '../src/types.js';
import { HashingModel, source } from './helpers/hashing-model.js';

const root = join(import.meta.dirname, '.tmp', 'analysis-pool');
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

function vectors(count: number, dims: number, seed: number): Float32Array[] {
  const random = mulberry32(seed);
  return Array.from({ length: count }, () => Float32Array.from({ length: dims }, () => random.next() - 0.5));
}

function probeTask(): ProbeTask {
  const pairs = 120;
  const random = mulberry32(7);
  const words = Array.from({ length: pairs }, (_, i) => `w${i % 17}`);
  const labels = Uint8Array.from({ length: pairs }, () => (random.next() < 0.5 ? 1 : 0));
  return { kind: 'probe', vectors: packVectors(vectors(2 * pairs, 12, 3)), words, labels, seed: 99 };
}

function contextualityTask(): ContextualityTask {
  const shared = vectors(1, 6, 5)[0]!;
  const targets = [...vectors(30, 6, 8), shared, shared, null, shared];
  return {
    kind: 'contextuality',
    row: { dataset: 'd', model: 'm', kind: 'contextual', representation: 'layer-1' },
    normalizations: ['none'],
    stats: null,
    words: targets.map((_, i) => `w${i % 4}`),
    targets: packVectors(targets),
    intra: [Array.from({ length: 10 }, (_, i) => (i === 3 ? null : i / 10))],
    randomWords: packVectors([...vectors(9, 6, 9), null]),
  };
}

describe('analysis pool', () => {
  it('packs vectors with each shared object once, and unpacks them as shared views', () => {
    const [a, b] = vectors(2, 3, 1);
    const packed = packVectors([a!, null, b!, a!]);
    expect(packed.blocks.map((block) => block.length)).toEqual([6]);
    const back = unpackVectors(packed);
    expect(back[1]).toBeNull();
    expect(back[0]).toBe(back[3]);
    expect([...back[2]!]).toEqual([...b!]);
  });

  it('keeps vectors in shared memory, which packs without a copy and reads back the same values', async () => {
    const [a, b, c] = vectors(3, 4, 2);
    const kept = new KeptVectors();
    const copied = kept.keep([
      { vectors: [a!, null], truncated: false },
      { vectors: [b!, Float32Array.of(1, 2)], truncated: true },
      { vectors: [a!, Float32Array.of(3, 4)], truncated: false },
    ]);
    expect(copied[1]!.truncated).toBe(true);
    // Copies in shared memory, not the inputs; one shared object stays one object; values unchanged.
    expect(copied[0]!.vectors[0]).not.toBe(a);
    expect(copied[0]!.vectors[0]!.buffer).toBeInstanceOf(SharedArrayBuffer);
    expect(copied[0]!.vectors[0]).toBe(copied[2]!.vectors[0]);
    expect(copied[0]!.vectors[1]).toBeNull();
    expect([...copied[1]!.vectors[0]!]).toEqual([...b!]);
    expect([...copied[2]!.vectors[1]!]).toEqual([3, 4]);
    // A vector already in shared memory is kept as it is; others are still copied.
    const sharedVector = new Float32Array(new SharedArrayBuffer(64), 16, 4);
    sharedVector.set(c!);
    const adopted = kept.keep([{ vectors: [sharedVector, Float32Array.of(5, 6)], truncated: false }]);
    expect(adopted[0]!.vectors[0]).toBe(sharedVector);
    expect(adopted[0]!.vectors[1]!.buffer).toBeInstanceOf(SharedArrayBuffer);
    // A later call gets new places: nothing kept before is overwritten.
    expect([...kept.keep([{ vectors: [c!, null], truncated: false }])[0]!.vectors[0]!]).toEqual([...c!]);
    expect([...copied[0]!.vectors[0]!]).toEqual([...a!]);
    expect([...copied[1]!.vectors[0]!]).toEqual([...b!]);

    const wanted = [copied[1]!.vectors[0]!, null, copied[0]!.vectors[0]!, sharedVector, copied[2]!.vectors[0]!];
    const packed = packVectors(wanted);
    // The shared blocks themselves: the kept blocks and the adopted vector's buffer.
    expect(new Set(packed.blocks.map((block) => block.buffer))).toEqual(new Set([copied[0]!.vectors[0]!.buffer, sharedVector.buffer]));
    const back = unpackVectors(packed);
    expect(back[1]).toBeNull();
    expect(back[2]).toBe(back[4]);
    const values = (list: readonly (Float32Array | null)[]): (number[] | null)[] => list.map((vector) => (vector === null ? null : [...vector]));
    expect(values(back)).toEqual(values(wanted));
    // Mixed with a vector of its own: packed by copy into one buffer, the same values.
    const mixed = packVectors([...wanted, c!]);
    expect(mixed.blocks).toHaveLength(1);
    expect(mixed.blocks[0]!.buffer).toBeInstanceOf(ArrayBuffer);
    expect(values(unpackVectors(mixed))).toEqual(values([...wanted, c!]));

    // A worker reads the shared blocks in place and measures what the copied vectors give.
    const task = (targets: (Float32Array | null)[]): ContextualityTask => ({ ...contextualityTask(), words: targets.map((_, i) => `w${i % 2}`), targets: packVectors(targets) });
    const copies = wanted.map((vector) => (vector === null ? null : vector.slice()));
    const pool = new AnalysisPool(1);
    try {
      expect(await pool.run(task(wanted))).toEqual(runAnalysisTask(task(copies)));
    } finally {
      await pool.close();
    }
  });

  it('a task in a worker gives exactly what it gives inline', async () => {
    const pool = new AnalysisPool(2);
    try {
      const [probe, measures] = await Promise.all([pool.run(probeTask()), pool.run(contextualityTask())]);
      const inline = runAnalysisTask(probeTask());
      expect(probe.C).toBe(inline.C);
      expect(Buffer.from(probe.model.coef.buffer).equals(Buffer.from(inline.model.coef.buffer))).toBe(true);
      expect(probe.model.intercept).toBe(inline.model.intercept);
      expect(Buffer.from(probe.outOfFold!.buffer).equals(Buffer.from(inline.outOfFold!.buffer))).toBe(true);
      expect(measures).toEqual(runAnalysisTask(contextualityTask()));
    } finally {
      await pool.close();
    }
  });

  it('measures each sentence of an intra-sentence task under each correction, in a worker as inline', async () => {
    const words = [...vectors(11, 6, 21), null, ...vectors(4, 6, 22)];
    const lengths = [3, 1, 8, 4];
    const randomWords = [2, 0, 5, 3];
    const stats = fitNormalization(vectors(40, 6, 23));
    const task = (): IntraSentenceTask => ({ kind: 'intra-sentence', normalizations: ['none', 'center', 'abtt'], stats, words: packVectors(words), lengths: Int32Array.from(lengths), randomWords: Int32Array.from(randomWords) });
    // Each sentence on its own, its words corrected into fresh arrays.
    const expected = task().normalizations.map((normalization) => {
      let offset = 0;
      return lengths.map((length, s) => {
        const raw = words.slice(offset, (offset += length));
        const corrected = normalization === 'none' ? raw : raw.map((vector) => (vector === null ? null : normalizeVectorInto64(stats, normalization, vector, new Float64Array(6))));
        return measureSentence(corrected, randomWords[s]!).intraSentenceSimilarity;
      });
    });
    expect(runAnalysisTask(task())).toEqual(expected);
    const pool = new AnalysisPool(1);
    try {
      expect(await pool.run(task())).toEqual(expected);
    } finally {
      await pool.close();
    }
  });

  it('fits the corrections of packed vectors in a worker exactly as fitNormalization does', async () => {
    const fitVectors = vectors(50, 7, 31);
    const pool = new AnalysisPool(1);
    try {
      expect(await pool.run({ kind: 'normalization-fit', vectors: packVectors(fitVectors), abttComponents: 2 })).toEqual(fitNormalization(fitVectors, { abttComponents: 2 }));
    } finally {
      await pool.close();
    }
  });

  it('runs an urgent task before the ordinary tasks already waiting, after the urgent ones', async () => {
    const pool = new AnalysisPool(1);
    try {
      const finished: string[] = [];
      const run = (name: string, urgent: boolean) => pool.run(contextualityTask(), [], { urgent }).then(() => finished.push(name));
      // The first task goes to the worker at once; the others wait in the queue.
      await Promise.all([run('first', false), run('ordinary', false), run('urgent', true), run('second urgent', true)]);
      expect(finished).toEqual(['first', 'urgent', 'second urgent', 'ordinary']);
    } finally {
      await pool.close();
    }
  });

  it('workers started ahead run the tasks sent later, and a started pool with no task closes', async () => {
    const pool = new AnalysisPool(2);
    pool.start();
    pool.start();
    const task = contextualityTask();
    try {
      expect(await pool.run(task)).toEqual(runAnalysisTask(task));
    } finally {
      await pool.close();
    }
    const unused = new AnalysisPool(1);
    unused.start();
    await unused.close();
    await expect(unused.run(task)).rejects.toThrow(/closed/);
  });

  it('an idle worker is closed by letting it finish on its own (exit code 0, where terminate() gives 1); a busy one is ended too', async () => {
    const idle = startModuleWorker(new URL('../src/pipeline/analysis-worker.js', import.meta.url));
    const idleExit = once(idle, 'exit');
    idle.postMessage({ id: 1, task: probeTask() });
    await once(idle, 'message');
    await closeWorker(idle);
    // terminate() ends a worker with exit code 1; a worker whose event loop ended exits with 0.
    expect(await idleExit).toEqual([0]);
    const busy = startModuleWorker(new URL('../src/pipeline/analysis-worker.js', import.meta.url));
    busy.postMessage({ id: 2, task: probeTask() });
    await closeWorker(busy, true);
    expect(busy.threadId).toBe(-1);
  });

  it("a task's error comes back with its kind and message", async () => {
    const pool = new AnalysisPool(1);
    try {
      const bad = (): ContextualityTask => ({ ...contextualityTask(), targets: packVectors([Float32Array.of(1, Number.NaN, 0, 0, 0, 0)]), words: ['w'] });
      await expect(pool.run(bad())).rejects.toThrow(RangeError);
      await expect(pool.run(bad())).rejects.toThrow(/non-finite value at 1/);
      // A task is copied to the worker: the same task runs again with the same outcome.
      const sent = contextualityTask();
      expect(await pool.run(sent)).toEqual(await pool.run(sent));
      // The pool goes on after a failed task.
      expect((await pool.run(contextualityTask())).length).toBe(1);
    } finally {
      await pool.close();
    }
  });

  it('a run with worker threads writes the same files as one without, byte for byte', async () => {
    const words = ['bank', 'bat', 'spring', 'pitch', 'rock'];
    const splits = new Map<SplitName, SentencePair[]>();
    let line = 0;
    for (const split of ['train', 'dev', 'test'] as const) {
      const pairs: SentencePair[] = [];
      for (let i = 0; i < 40; i++) {
        const word = words[i % words.length]!;
        const s1 = `The ${word} number ${i} in ${split}.`;
        const s2 = `Another ${word} here, ${i % 3}.`;
        const at = (sentence: string) => [{ start: sentence.indexOf(word), end: sentence.indexOf(word) + word.length }] as const;
        pairs.push({ id: `${split}-${i}`, word, sentence1: s1, sentence2: s2, spans1: at(s1), spans2: at(s2), label: (i * 7) % 3 === 0, score: null, split, source: { file: 'mem.jsonl', line: ++line } });
      }
      splits.set(split, pairs);
    }
    const dataset: Dataset = { name: 'mem', format: 'jsonl', splits, sha256: 'e'.repeat(64), files: ['mem.jsonl'] };
    const date = new Date('2026-12-01T00:00:00.000Z');
    const written = async (analysisThreads: number): Promise<Map<string, string>> => {
      const out = join(root, `threads-${analysisThreads}`);
      await mkdir(root, { recursive: true });
      const result = await runEvaluation({ datasets: [dataset], models: [source(new HashingModel('hash'))], seed: 4, resamples: 20, date, analysisThreads });
      await writeReports(result, out);
      const files = new Map<string, string>();
      const walk = async (dir: string, prefix: string): Promise<void> => {
        for (const entry of await readdir(dir, { withFileTypes: true })) {
          if (entry.isDirectory()) await walk(join(dir, entry.name), `${prefix}${entry.name}/`);
          else if (entry.name.endsWith('.csv')) files.set(`${prefix}${entry.name}`, await readFile(join(dir, entry.name), 'utf8'));
        }
      };
      await walk(out, '');
      return files;
    };
    const inline = await written(0);
    const pooled = await written(2);
    expect([...pooled.keys()].sort()).toEqual([...inline.keys()].sort());
    expect(inline.get('contextuality.csv')).toMatch(/mem,hash/);
    for (const [name, text] of inline) expect(pooled.get(name), name).toBe(text);
  });
});
