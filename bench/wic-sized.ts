/**
 * A researcher's run, as issue 20 measures it: `sensebench run --dataset <WiC> --format wic` with
 * every default model, on data of WiC's size and shape (train 5,428 / dev 638 / test 1,400 pairs,
 * 7,466 in all, over 10,049 distinct sentences), once with an empty embedding cache (cold) and
 * again with every embedding cached (warm). Each run is a fresh process, exactly as a user types it,
 * timed from outside; its phases come from the run's own run.json (`timings`).
 *
 * The data is generated at bench time (never the held-out set, never committed) by recombining
 * wordnet-wic as the scaling suite does: a pair is a wordnet-wic pair (word, PoS, token indices,
 * label) whose two sentences each get another wordnet-wic sentence appended after " ; ". WiC
 * repeats sentences across pairs of the same word; here 4,883 pairs (one side each) reuse a side
 * of an earlier pair of the same split, so the 14,932 occurrences are 10,049 distinct sentences.
 *
 * The models are those `sensebench run` scores without `--model` (DEFAULT_MODELS), so a new default
 * model is measured here without a change. The scratch cache links every built model cache of the
 * real one (converted models, GloVe's matrix, multi-prototype clusters) but not the embeddings.
 */
import { readdir, mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { EMBEDDINGS_DIR } from '../src/cache/embedding-cache.js';
import { PROJECT_ROOT } from '../src/config.js';
import { DEFAULT_MODELS } from '../src/models/index.js';
import { mulberry32 } from '../src/random.js';

import { median, runFresh } from './fresh-process.js';
import { DistinctSentences, readWordnetWic, type WicRow } from './scaling.js';

import type { ThroughputRow } from '../src/results/schema.js';
/** WiC's published shape (Pilehvar & Camacho-Collados 2019). */
export const WIC_SHAPE = { splits: { train: 5428, dev: 638, test: 1400 }, distinctSentences: 10_049 } as const;
/** Issue 20's budgets for the whole process, seconds. */
export const WIC_BUDGET_SECONDS = { cold: 75, warm: 20 } as const;
const SEED = 20260320;
const GROUP = 'wic-sized';

/** What {@link writeWicSizedDataset} wrote. */
export interface WicSizedDataset {
  readonly pairs: number;
  readonly distinctSentences: number;
}

/**
 * Writes a WiC-layout dataset (`DIR/{train,dev,test}/wic.{data,gold}.txt`) of the given split sizes
 * over exactly `distinctSentences` distinct sentences (see the file comment), deterministic for a seed.
 */
export async function writeWicSizedDataset(
  dir: string,
  rows: readonly WicRow[],
  shape: { readonly splits: Readonly<Record<string, number>>; readonly distinctSentences: number } = WIC_SHAPE,
  seed = SEED,
): Promise<WicSizedDataset> {
  const random = mulberry32(seed);
  const pick = <T>(list: readonly T[]): T => list[random.nextInt(list.length)]!;
  const distinct = new DistinctSentences(rows, pick);
  const extend = (sentence: string): string => distinct.extend(sentence);
  const total = Object.values(shape.splits).reduce((sum, n) => sum + n, 0);
  const repeats = 2 * total - shape.distinctSentences;
  if (repeats < 0 || repeats > total) throw new RangeError(`${total} pairs cannot hold ${shape.distinctSentences} distinct sentences with at most one repeated side per pair`);
  let pairIndex = 0;
  let owed = 0;
  for (const [split, count] of Object.entries(shape.splits)) {
    const made: { row: WicRow; sentences: [string, string] }[] = [];
    for (let i = 0; i < count; i++, pairIndex++) {
      // Spread the repeats evenly over the pairs; a repeat needs an earlier pair of the same split,
      // so one due on a split's first pair is owed to the next.
      owed += Math.floor(((pairIndex + 1) * repeats) / total) - Math.floor((pairIndex * repeats) / total);
      if (owed > 0 && made.length > 0) {
        owed--;
        const earlier = pick(made);
        const side = random.nextInt(2);
        const other = earlier.row[side === 0 ? 'sentence2' : 'sentence1'];
        const sentences: [string, string] = side === 0 ? [earlier.sentences[0], extend(other)] : [extend(other), earlier.sentences[1]];
        made.push({ row: earlier.row, sentences });
      } else {
        const row = pick(rows);
        made.push({ row, sentences: [extend(row.sentence1), extend(row.sentence2)] });
      }
    }
    const folder = join(dir, split);
    await mkdir(folder, { recursive: true });
    await writeFile(join(folder, 'wic.data.txt'), made.map(({ row, sentences }) => `${[row.word, row.pos, row.indices, ...sentences].join('\t')}\n`).join(''));
    await writeFile(join(folder, 'wic.gold.txt'), made.map(({ row }) => `${row.label}\n`).join(''));
  }
  return { pairs: total, distinctSentences: distinct.size };
}

/** A scratch cache linking every built model cache of `cacheDir` but the embeddings. */
export async function scratchModelCache(cacheDir: string, dir: string): Promise<string> {
  await mkdir(dir, { recursive: true });
  for (const name of await readdir(cacheDir)) {
    if (name === EMBEDDINGS_DIR) continue;
    await symlink(join(cacheDir, name), join(dir, name));
  }
  return dir;
}

/** Phase seconds a run wrote into run.json (`timings`), or nothing when it has none. */
async function phaseSeconds(out: string): Promise<{ phase: string; seconds: number }[]> {
  const json = JSON.parse(await readFile(join(out, 'run.json'), 'utf8')) as { timings?: { phases?: { phase: string; seconds: number }[] } };
  return json.timings?.phases ?? [];
}

export interface WicSizedOptions {
  /** The real cache directory (models built there). */
  readonly cacheDir: string;
  /** Warm runs; the median is reported (default 3). */
  readonly warmRuns?: number;
  readonly log?: (message: string) => void;
}

/** Cold and warm fresh-process runs over a WiC-sized dataset; rows of group `wic-sized`. */
export async function benchWicSized(options: WicSizedOptions): Promise<ThroughputRow[]> {
  const scratch = await mkdtemp(join(tmpdir(), 'sensebench-wic-sized-'));
  try {
    const dataset = join(scratch, 'wic');
    const shape = await writeWicSizedDataset(dataset, await readWordnetWic());
    const cache = await scratchModelCache(options.cacheDir, join(scratch, 'cache'));
    const bin = join(PROJECT_ROOT, 'bin', 'sensebench.js');
    const models = DEFAULT_MODELS.join(', ');
    const described = `${shape.pairs.toLocaleString('en-US')} pairs (train/dev/test), ${shape.distinctSentences.toLocaleString('en-US')} distinct sentences, ${models}`;
    const run = async (label: string): Promise<{ seconds: number; cpuSeconds: number | null; phases: { phase: string; seconds: number }[] }> => {
      const out = join(scratch, `out-${label}`);
      options.log?.(`wic-sized: sensebench run --dataset wic=DIR --format wic (${label}; ${described})`);
      const result = await runFresh(process.execPath, [bin, 'run', '--dataset', `wic=${dataset}`, '--format', 'wic', '--out', out], { cwd: PROJECT_ROOT, env: { ...process.env, SENSEBENCH_CACHE: cache }, peakRss: true }); // peakRss: under GNU time, which also gives the CPU time
      const phases = await phaseSeconds(out);
      await rm(out, { recursive: true, force: true });
      options.log?.(`wic-sized: ${label} ${(result.wallMs / 1000).toFixed(1)} s (${phases.map((p) => `${p.phase} ${p.seconds.toFixed(1)}`).join(', ')})`);
      return { seconds: result.wallMs / 1000, cpuSeconds: result.cpuSeconds, phases };
    };
    const cold = await run('cold');
    const warm: Awaited<ReturnType<typeof run>>[] = [];
    for (let i = 0; i < (options.warmRuns ?? 3); i++) warm.push(await run(`warm ${i + 1}`));
    const warmSeconds = median(warm.map((w) => w.seconds));
    // The phases of the warm run closest to the median.
    const typical = [...warm].sort((a, b) => Math.abs(a.seconds - warmSeconds) - Math.abs(b.seconds - warmSeconds))[0]!;
    const rows: ThroughputRow[] = [];
    const budgetRow = (state: 'cold' | 'warm', seconds: number, samples: number): ThroughputRow => ({
      group: GROUP,
      subject: `sensebench run --dataset <WiC-sized> --format wic, embedding cache ${state === 'cold' ? 'empty' : 'warm'} (${described}; fresh process${samples > 1 ? `, median of ${samples}` : ''}; goal: under ${WIC_BUDGET_SECONDS[state]} s)`,
      unit: 's',
      value: seconds,
      baseline: `budget: ${WIC_BUDGET_SECONDS[state]} s`,
      baselineValue: WIC_BUDGET_SECONDS[state],
      ratio: WIC_BUDGET_SECONDS[state] / seconds,
      goal: 1,
      rmePercent: null,
      samples,
    });
    rows.push(budgetRow('cold', cold.seconds, 1), budgetRow('warm', warmSeconds, warm.length));
    // CPU time says what the wall time can become on this machine: with every core busy, a run
    // takes at least its CPU seconds over the cores (the analyses are CPU-bound once cached).
    const warmCpu = warm.map((w) => w.cpuSeconds).filter((seconds): seconds is number => seconds !== null);
    for (const [state, cpu, wall, samples] of [['cold', cold.cpuSeconds, cold.seconds, 1], ['warm', warmCpu.length > 0 ? median(warmCpu) : null, warmSeconds, warmCpu.length]] as const) {
      if (cpu === null) continue;
      const cores = availableParallelism();
      rows.push({ group: GROUP, subject: `WiC-sized run (${state}): CPU time, user + system, all threads${samples > 1 ? `, median of ${samples}` : ''} (${cores} cores: at least ${(cpu / cores).toFixed(1)} s of wall time with all of them busy)`, unit: 's', value: cpu, baseline: 'wall time', baselineValue: wall, ratio: cpu / wall, goal: null, rmePercent: null, samples });
    }
    for (const [state, phases] of [['cold', cold.phases], ['warm', typical.phases]] as const) {
      for (const { phase, seconds } of phases) {
        rows.push({ group: GROUP, subject: `WiC-sized run (${state}), phase: ${phase}`, unit: 's', value: seconds, baseline: '', baselineValue: null, ratio: null, goal: null, rmePercent: null, samples: 1 });
      }
    }
    return rows;
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}

// `node dist/bench/wic-sized.js [WARM_RUNS]` (SENSEBENCH_CACHE as for sensebench); `--write DIR` only writes the dataset.
if (import.meta.url === `file://${process.argv[1] ?? ''}`) {
  const log = (message: string): void => {
    process.stderr.write(`${message}\n`);
  };
  if (process.argv[2] === '--write') {
    const written = await writeWicSizedDataset(process.argv[3] ?? 'wic-sized', await readWordnetWic());
    log(`wrote ${written.pairs} pairs, ${written.distinctSentences} distinct sentences`);
  } else {
    const { cacheDir } = await import('../src/config.js');
    const rows = await benchWicSized({ cacheDir: cacheDir(), ...(process.argv[2] === undefined ? {} : { warmRuns: Number(process.argv[2]) }), log });
    for (const row of rows) log(`${row.subject}: ${row.value.toFixed(2)} ${row.unit}${row.ratio === null ? '' : ` ratio ${row.ratio.toFixed(2)}`}`);
  }
}
