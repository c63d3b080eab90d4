/**
 * What the embedding cache saves: each default model embeds the same occurrences (the lesson
 * dataset and the first wordnet-wic pairs) three ways, in one process, interleaved round by round:
 * unwrapped (no cache), through the cache when it is empty (cold: embed + store) and through a
 * freshly opened cache that holds them all (warm: read + verify). Issue 13's goal: the warm run
 * spends under 10% of the cold run's embedding time, i.e. ratio cold / warm >= 10. The cold run
 * against the unwrapped one shows what storing costs. A run asks its cache several times per model
 * (first pass, pair chunks, contextuality's words): the warm cache asked for the same occurrences
 * in {@link RUN_CALLS} calls through one cache object, against one call, shows that a process reads
 * what it needs once (ratio one call / calls near 1; every lookup read all segments whole before).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EmbeddingCache, withEmbeddingCache, type EmbeddingCacheStats } from '../src/cache/embedding-cache.js';
import { loadDataset } from '../src/datasets/index.js';
import type { EmbeddingModel, TargetOccurrence } from '../src/types.js';

import type { ThroughputRow } from '../src/results/schema.js';
const GROUP = 'embedding-cache';
/** Goal: cold / warm embedding time. */
export const WARM_GOAL = 10;
/** Calls of the warm cache in the run-like measurement (a run's lookups per model on one dataset). */
export const RUN_CALLS = 4;

export interface EmbeddingCacheBenchOptions {
  /** Loads a model by spec (the real cache directory's models). */
  readonly loadModel: (spec: string) => Promise<EmbeddingModel>;
  readonly models?: readonly string[];
  /** wordnet-wic pairs added to the lesson's (default 400). */
  readonly wordnetPairs?: number;
  /** Rounds; each subject keeps its fastest (noise only ever slows a run down). Default 3. */
  readonly rounds?: number;
  readonly log?: (message: string) => void;
}

async function benchOccurrences(wordnetPairs: number): Promise<TargetOccurrence[]> {
  const lesson = await loadDataset('lesson');
  const wordnet = await loadDataset('wordnet-wic');
  const pairs = [...[...lesson.splits.values()].flat(), ...[...wordnet.splits.values()].flat().slice(0, wordnetPairs)];
  return pairs.flatMap((pair) => [
    { sentence: pair.sentence1, spans: pair.spans1, source: pair.source },
    { sentence: pair.sentence2, spans: pair.spans2, source: pair.source },
  ]);
}

async function timed(fn: () => Promise<unknown>): Promise<number> {
  const started = performance.now();
  await fn();
  return performance.now() - started;
}

/** Runs the comparison for each model; returns its rows. */
export async function benchEmbeddingCache(options: EmbeddingCacheBenchOptions): Promise<ThroughputRow[]> {
  const occurrences = await benchOccurrences(options.wordnetPairs ?? 400);
  const rounds = options.rounds ?? 3;
  const rows: ThroughputRow[] = [];
  for (const spec of options.models ?? ['glove-100d', 'use-lite']) {
    const model = await options.loadModel(spec);
    const scratch = await mkdtemp(join(tmpdir(), 'sensebench-embcache-bench-'));
    try {
      const best = { plain: Infinity, cold: Infinity, warm: Infinity, warmCalls: Infinity };
      let warmStats: EmbeddingCacheStats | null = null;
      const callStats: EmbeddingCacheStats[] = [];
      const callSize = Math.ceil(occurrences.length / RUN_CALLS);
      for (let round = 0; round < rounds; round++) {
        options.log?.(`embedding cache: ${spec}, round ${round + 1}/${rounds} (${occurrences.length} occurrences)`);
        best.plain = Math.min(best.plain, await timed(() => model.embed(occurrences)));
        const dir = join(scratch, `round-${round}`);
        best.cold = Math.min(best.cold, await timed(() => withEmbeddingCache(model, new EmbeddingCache(dir)).embed(occurrences)));
        best.warm = Math.min(best.warm, await timed(() => withEmbeddingCache(model, new EmbeddingCache(dir), (stats) => { warmStats = stats; }).embed(occurrences)));
        const runLike = withEmbeddingCache(model, new EmbeddingCache(dir), (stats) => callStats.push(stats));
        best.warmCalls = Math.min(best.warmCalls, await timed(async () => {
          for (let first = 0; first < occurrences.length; first += callSize) await runLike.embed(occurrences.slice(first, first + callSize));
        }));
      }
      const stats = warmStats as EmbeddingCacheStats | null;
      if (stats === null || stats.embedded !== 0 || stats.damaged !== 0) throw new Error(`${spec}: the warm run was not all hits (${JSON.stringify(stats)})`);
      const missed = callStats.find((call) => call.embedded !== 0 || call.damaged !== 0);
      if (missed !== undefined) throw new Error(`${spec}: a warm call was not all hits (${JSON.stringify(missed)})`);
      const subject = `${spec} embed of ${occurrences.length} occurrences (lesson + wordnet-wic), fastest of ${rounds}`;
      rows.push({
        group: GROUP,
        subject: `${subject}: warm embedding cache (goal: under ${100 / WARM_GOAL}% of cold)`,
        unit: 'ms',
        value: best.warm,
        baseline: 'cold embedding cache (embed + store)',
        baselineValue: best.cold,
        ratio: best.cold / best.warm,
        goal: WARM_GOAL,
        rmePercent: null,
        samples: rounds,
      });
      rows.push({
        group: GROUP,
        subject: `${subject}: warm embedding cache asked in ${RUN_CALLS} calls through one cache object (as a run asks)`,
        unit: 'ms',
        value: best.warmCalls,
        baseline: 'warm embedding cache asked in one call',
        baselineValue: best.warm,
        ratio: best.warm / best.warmCalls,
        goal: null,
        rmePercent: null,
        samples: rounds,
      });
      rows.push({
        group: GROUP,
        subject: `${subject}: cold embedding cache (embed + store)`,
        unit: 'ms',
        value: best.cold,
        baseline: 'no embedding cache',
        baselineValue: best.plain,
        ratio: best.plain / best.cold,
        goal: null,
        rmePercent: null,
        samples: rounds,
      });
    } finally {
      await model.dispose();
      await rm(scratch, { recursive: true, force: true });
    }
  }
  return rows;
}

// `node dist/bench/embedding-cache.js [WORDNET_PAIRS [ROUNDS]]` (SENSEBENCH_CACHE as for sensebench)
if (import.meta.url === `file://${process.argv[1] ?? ''}`) {
  const { cacheDir: defaultCacheDir } = await import('../src/config.js');
  const { loadModel } = await import('../src/models/index.js');
  const log = (message: string): void => {
    process.stderr.write(`${message}\n`);
  };
  const cacheDir = defaultCacheDir();
  const rows = await benchEmbeddingCache({
    loadModel: (spec) => loadModel(spec, { cacheDir, onProgress: log }),
    ...(process.argv[2] === undefined ? {} : { wordnetPairs: Number(process.argv[2]) }),
    ...(process.argv[3] === undefined ? {} : { rounds: Number(process.argv[3]) }),
    log,
  });
  for (const row of rows) log(`${row.subject}: ${row.value.toFixed(1)} ${row.unit} vs ${row.baseline} ${row.baselineValue?.toFixed(1) ?? ''} -> ratio ${row.ratio?.toFixed(2) ?? ''}`);
}
