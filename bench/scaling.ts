/**
 * How the cost of `sensebench run` grows with the work: GloVe over generated datasets of 10k, 100k
 * and 300k pairs split 70% train / 30% test (so every analysis runs: corrections fitted on train,
 * the probe trained and scored), use-lite over 1k, 4k and 16k distinct sentences (one split). Each run is a fresh process,
 * exactly as a user starts it (`node bin/sensebench.js run --dataset DIR --model M --out DIR`),
 * measured from outside: wall time and peak RSS (bench/fresh-process.ts).
 *
 * Datasets are generated at bench time into a temporary directory (never committed) by
 * recombining wordnet-wic: each pair is a wordnet-wic pair (word, PoS, token indices, label)
 * whose two sentences each get another wordnet-wic sentence appended after " ; ", drawn with
 * the project's seeded generator; every generated sentence is distinct, so `N` pairs are `2N`
 * distinct sentences. Appending keeps the target's token index (and its sense) intact.
 *
 * Each child gets a scratch SENSEBENCH_CACHE that links the real model caches (glove-100d's binary
 * matrix, the converted use-lite, glove-100d's multi-prototype clusters: built once per model, as a
 * user's runs reuse them) and nothing else, so the embedding cache (issue 13) starts cold in every
 * run: this measures embedding, not cache reads.
 *
 * Reported per model: wall time and peak RSS at each size; the least-squares line through all
 * sizes (time and memory per pair or per sentence, and the fixed cost); linearity: each size from
 * the third on against the line through the two sizes before it (ratio = prediction / measured,
 * goal 1 / 1.2: no step above 1.2x the linear prediction; see {@link scalingRows}); and the
 * 300k-pair GloVe peak RSS against its 1.5 GB budget (baseline = budget, goal ratio 1). CPU time (user + system) is reported
 * beside wall time and checked for linearity the same way: on a machine shared with other work,
 * wall time swells with contention while CPU time measures the run's own work.
 */
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PROJECT_ROOT } from '../src/config.js';
import { mulberry32 } from '../src/random.js';

import { runFresh } from './fresh-process.js';

import type { ThroughputRow } from '../src/results/schema.js';
/** Pairs per GloVe dataset: the largest is issue 21's 300k-pair run. */
export const GLOVE_PAIRS: readonly number[] = [10_000, 100_000, 300_000];
/**
 * Distinct sentences per use-lite dataset; pairs are half as many. A fourfold step is enough to
 * show how embedding grows (it is linear from the first batch on), and the largest run is also
 * the whole-run suite's run (bench/whole-run.ts), so no sentence is embedded twice for it.
 */
export const USE_LITE_SENTENCES: readonly number[] = [1_000, 4_000, 16_000];
/** Shares of the GloVe datasets' pairs per split. */
export const GLOVE_SPLITS: Readonly<Record<string, number>> = { train: 0.7, test: 0.3 };
/** No size may cost more than this times the linear prediction from the other sizes. */
export const LINEARITY_LIMIT = 1.2;
/** Pairs of the GloVe run with a memory budget (issue 21 item 9), and the budget. */
export const GLOVE_BUDGET_PAIRS = 300_000;
export const GLOVE_RSS_BUDGET_MB = 1536;
const SEED = 20260213;

export interface WicRow {
  readonly word: string;
  readonly pos: string;
  readonly indices: string;
  readonly sentence1: string;
  readonly sentence2: string;
  readonly label: string;
}

/** Every wordnet-wic pair, all splits. */
export async function readWordnetWic(): Promise<WicRow[]> {
  const rows: WicRow[] = [];
  for (const split of ['train', 'dev', 'test']) {
    const base = join(PROJECT_ROOT, 'datasets', 'wordnet-wic', split, 'wordnet-wic');
    const data = (await readFile(`${base}.data.txt`, 'utf8')).split('\n').filter((line) => line !== '');
    const gold = (await readFile(`${base}.gold.txt`, 'utf8')).split('\n').filter((line) => line !== '');
    if (data.length !== gold.length) throw new Error(`${base}: ${data.length} pairs but ${gold.length} labels`);
    data.forEach((line, index) => {
      const [word, pos, indices, sentence1, sentence2] = line.split('\t');
      if (word === undefined || pos === undefined || indices === undefined || sentence1 === undefined || sentence2 === undefined) throw new Error(`${base}.data.txt:${index + 1}: not 5 fields`);
      rows.push({ word, pos, indices, sentence1, sentence2, label: gold[index]! });
    });
  }
  return rows;
}

/**
 * Makes sentences of generated datasets distinct: {@link extend} appends " ; " and a sentence drawn
 * by `pick` from the wordnet-wic rows, drawing again until the result is new. `pick` is the
 * caller's, so each generator keeps its own random stream (and its data stays byte for byte as before).
 */
export class DistinctSentences {
  private readonly pool: readonly string[];
  private readonly seen = new Set<string>();

  constructor(
    rows: readonly WicRow[],
    private readonly pick: (list: readonly string[]) => string,
  ) {
    this.pool = rows.flatMap((row) => [row.sentence1, row.sentence2]);
  }

  /** How many distinct sentences {@link extend} has made. */
  get size(): number {
    return this.seen.size;
  }

  extend(sentence: string): string {
    for (;;) {
      const extended = `${sentence} ; ${this.pick(this.pool)}`;
      if (!this.seen.has(extended)) {
        this.seen.add(extended);
        return extended;
      }
    }
  }
}

/**
 * Writes a WiC-format dataset of `pairs` recombined pairs, deterministic for a given seed: one file
 * (`DIR/scale.data.txt` + gold; split `all`), or with `splits` (share of the pairs per split, e.g.
 * train 0.7 and test 0.3) a folder per split, so that a run also fits its corrections on train and
 * trains and scores the probe.
 */
export async function writeScaledDataset(dir: string, pairs: number, rows: readonly WicRow[], seed = SEED, splits?: Readonly<Record<string, number>>): Promise<void> {
  const random = mulberry32(seed).next;
  const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)]!;
  const sentences = new DistinctSentences(rows, pick);
  const extend = (sentence: string): string => sentences.extend(sentence);
  const data: string[] = [];
  const gold: string[] = [];
  for (let i = 0; i < pairs; i++) {
    const row = pick(rows);
    data.push([row.word, row.pos, row.indices, extend(row.sentence1), extend(row.sentence2)].join('\t'));
    gold.push(row.label);
  }
  if (splits === undefined) {
    await mkdir(dir, { recursive: true });
    await writeFile(join(dir, 'scale.data.txt'), `${data.join('\n')}\n`);
    await writeFile(join(dir, 'scale.gold.txt'), `${gold.join('\n')}\n`);
    return;
  }
  let first = 0;
  const entries = Object.entries(splits);
  for (const [index, [split, share]] of entries.entries()) {
    const last = index === entries.length - 1 ? pairs : Math.min(pairs, first + Math.round(share * pairs));
    await mkdir(join(dir, split), { recursive: true });
    await writeFile(join(dir, split, 'scale.data.txt'), `${data.slice(first, last).join('\n')}\n`);
    await writeFile(join(dir, split, 'scale.gold.txt'), `${gold.slice(first, last).join('\n')}\n`);
    first = last;
  }
}

/** One measured run. */
export interface ScalingPoint {
  /** Pairs for GloVe, distinct sentences for use-lite. */
  readonly size: number;
  readonly seconds: number;
  readonly peakRssMb: number;
  /** User + system CPU seconds of the run, when GNU time is installed. */
  readonly cpuSeconds: number | null;
}

/** Least-squares line y = intercept + slope * x. */
export function fitLine(points: readonly { x: number; y: number }[]): { slope: number; intercept: number } {
  const n = points.length;
  const meanX = points.reduce((s, p) => s + p.x, 0) / n;
  const meanY = points.reduce((s, p) => s + p.y, 0) / n;
  const sxx = points.reduce((s, p) => s + (p.x - meanX) ** 2, 0);
  const sxy = points.reduce((s, p) => s + (p.x - meanX) * (p.y - meanY), 0);
  const slope = sxx === 0 ? 0 : sxy / sxx;
  return { slope, intercept: meanY - slope * meanX };
}

export interface ScalingOptions {
  /** The real cache directory (glove-100d and use-lite built there). */
  readonly cacheDir: string;
  readonly glovePairs?: readonly number[];
  readonly useLiteSentences?: readonly number[];
  /** Bootstrap resamples per run (small: the CI width is not what is measured). Default 20. */
  readonly resamples?: number;
  readonly log?: (message: string) => void;
}

/** Rows for one model's points (sizes ascending). */
export function scalingRows(group: string, model: string, unitName: 'pair' | 'sentence', points: readonly ScalingPoint[]): ThroughputRow[] {
  const rows: ThroughputRow[] = [];
  const plain = { baseline: '', baselineValue: null, ratio: null, goal: null, rmePercent: null, samples: 1 };
  const count = (size: number): string => `${size.toLocaleString('en-US')} ${unitName}s`;
  for (const point of points) {
    rows.push({ ...plain, group, subject: `sensebench run --model ${model}, ${count(point.size)}: wall time (fresh process)`, unit: 's', value: point.seconds });
    rows.push({ ...plain, group, subject: `sensebench run --model ${model}, ${count(point.size)}: peak RSS`, unit: 'MB', value: point.peakRssMb });
    if (point.cpuSeconds !== null) rows.push({ ...plain, group, subject: `sensebench run --model ${model}, ${count(point.size)}: CPU time (user + system, all threads)`, unit: 's', value: point.cpuSeconds });
  }
  if (points.length < 2) return rows;
  const sizes = points.map((p) => count(p.size)).join(', ');
  const time = fitLine(points.map((p) => ({ x: p.size, y: p.seconds })));
  const memory = fitLine(points.map((p) => ({ x: p.size, y: p.peakRssMb })));
  rows.push({ ...plain, group, samples: points.length, subject: `sensebench run --model ${model}: time per ${unitName}, least squares over ${sizes} (fixed cost ${time.intercept.toFixed(2)} s)`, unit: `ms/${unitName}`, value: time.slope * 1000 });
  if (points.every((p) => p.cpuSeconds !== null)) {
    const cpu = fitLine(points.map((p) => ({ x: p.size, y: p.cpuSeconds! })));
    rows.push({ ...plain, group, samples: points.length, subject: `sensebench run --model ${model}: CPU time per ${unitName}, least squares over ${sizes} (fixed ${cpu.intercept.toFixed(2)} s)`, unit: `ms/${unitName}`, value: cpu.slope * 1000 });
  }
  rows.push({ ...plain, group, samples: points.length, subject: `sensebench run --model ${model}: memory per ${unitName}, least squares over ${sizes} (fixed ${memory.intercept.toFixed(0)} MB)`, unit: `KB/${unitName}`, value: memory.slope * 1024 });
  // Each size from the third on against the line through the two sizes before it: growth that
  // bends upwards (super-linear) puts a size above that line, while fixed caps (the probe's train
  // sample, the corrections' fit sample, the contextuality sample) only bend it downwards, which
  // this check rightly passes (a line through all sizes would put the middle ones above it).
  for (const [index, point] of points.entries()) {
    if (index < 2) continue;
    const previous = [points[index - 2]!, points[index - 1]!];
    const previousSizes = previous.map((p) => count(p.size)).join(' and ');
    const measures: [string, string, number, (p: ScalingPoint) => number][] = [
      ['wall time', 's', point.seconds, (p) => p.seconds],
      ['peak RSS', 'MB', point.peakRssMb, (p) => p.peakRssMb],
    ];
    if (points.every((p) => p.cpuSeconds !== null)) measures.push(['CPU time', 's', point.cpuSeconds!, (p) => p.cpuSeconds!]);
    for (const [what, unit, value, pick] of measures) {
      const line = fitLine(previous.map((p) => ({ x: p.size, y: pick(p) })));
      const predicted = line.intercept + line.slope * point.size;
      rows.push({
        group,
        subject: `sensebench run --model ${model}, ${count(point.size)}: ${what} vs linear (goal: at most ${LINEARITY_LIMIT}x the prediction)`,
        unit,
        value,
        baseline: `line through ${previousSizes}`,
        baselineValue: predicted,
        ratio: predicted / value,
        goal: 1 / LINEARITY_LIMIT,
        rmePercent: null,
        samples: 1,
      });
    }
  }
  return rows;
}

/** What a scratch cache links from the real one: the model caches, not the embedding cache. */
const MODEL_CACHES = ['glove-100d', 'use-lite', 'multi-prototype'];

/** Links the {@link MODEL_CACHES} into a scratch cache directory. */
async function scratchCache(cacheDir: string, scratch: string): Promise<string> {
  const dir = join(scratch, 'cache');
  await mkdir(dir, { recursive: true });
  for (const name of MODEL_CACHES) {
    if (existsSync(join(cacheDir, name))) await symlink(join(cacheDir, name), join(dir, name), 'dir');
  }
  return dir;
}

/** The largest use-lite run, which the whole-run suite (bench/whole-run.ts) compares with the bare model. */
export interface MeasuredRun {
  /** The command as a user types it (dataset and output paths as placeholders). */
  readonly command: string;
  /** Every distinct sentence of its dataset (what the model embedded). */
  readonly sentences: readonly string[];
  readonly seconds: number;
}

/** Runs the GloVe and use-lite scaling suites; returns their rows and the largest use-lite run. */
export async function benchScaling(options: ScalingOptions): Promise<{ rows: ThroughputRow[]; largestUseLite: MeasuredRun | null }> {
  const log = options.log ?? (() => undefined);
  const scratch = await mkdtemp(join(tmpdir(), 'sensebench-scaling-'));
  try {
    const rows = await readWordnetWic();
    const bin = join(PROJECT_ROOT, 'bin', 'sensebench.js');
    const resamples = String(options.resamples ?? 20);
    let largestUseLite: MeasuredRun | null = null;
    const measure = async (model: string, pairs: number, size: number, splits?: Readonly<Record<string, number>>): Promise<ScalingPoint> => {
      const name = `${model}-${size}`;
      const dataset = join(scratch, name);
      await writeScaledDataset(dataset, pairs, rows, SEED, splits);
      const env = { ...process.env, SENSEBENCH_CACHE: await scratchCache(options.cacheDir, join(scratch, `${name}-run`)) };
      const out = join(scratch, `${name}-out`);
      log(`scaling: sensebench run --model ${model} on ${pairs.toLocaleString('en-US')} pairs`);
      const run = await runFresh(process.execPath, [bin, 'run', '--dataset', dataset, '--model', model, '--out', out, '--resamples', resamples], { env, cwd: PROJECT_ROOT, peakRss: true });
      if (model === 'use-lite' && size >= (largestUseLite?.sentences.length ?? 0)) {
        const data = (await readFile(join(dataset, 'scale.data.txt'), 'utf8')).split('\n').filter((line) => line !== '');
        const sentences = [...new Set(data.flatMap((line) => line.split('\t').slice(3, 5)))];
        largestUseLite = { command: `sensebench run --dataset DIR --model use-lite --out DIR --resamples ${resamples}`, sentences, seconds: run.wallMs / 1000 };
      }
      // Free the disk as we go: 200k pairs of reports are large.
      await rm(join(scratch, `${name}-run`), { recursive: true, force: true });
      await rm(out, { recursive: true, force: true });
      await rm(dataset, { recursive: true, force: true });
      return { size, seconds: run.wallMs / 1000, peakRssMb: run.peakRssMb!, cpuSeconds: run.cpuSeconds };
    };
    const glove: ScalingPoint[] = [];
    // GloVe's datasets have a train split, so every analysis runs: the corrections fitted on train,
    // the probe trained and scored (issue 21).
    for (const pairs of [...(options.glovePairs ?? GLOVE_PAIRS)].sort((a, b) => a - b)) glove.push(await measure('glove-100d', pairs, pairs, GLOVE_SPLITS));
    const useLite: ScalingPoint[] = [];
    for (const sentences of [...(options.useLiteSentences ?? USE_LITE_SENTENCES)].sort((a, b) => a - b)) {
      useLite.push(await measure('use-lite', Math.ceil(sentences / 2), sentences));
    }
    const result = [...scalingRows('scaling-glove', 'glove-100d', 'pair', glove), ...scalingRows('scaling-use-lite', 'use-lite', 'sentence', useLite)];
    const largest = glove.find((p) => p.size === GLOVE_BUDGET_PAIRS);
    if (largest) {
      result.push({
        group: 'scaling-glove',
        subject: `sensebench run --model glove-100d, ${GLOVE_BUDGET_PAIRS.toLocaleString('en-US')} pairs: peak RSS (goal: under ${GLOVE_RSS_BUDGET_MB} MB)`,
        unit: 'MB',
        value: largest.peakRssMb,
        baseline: `budget: ${GLOVE_RSS_BUDGET_MB} MB`,
        baselineValue: GLOVE_RSS_BUDGET_MB,
        ratio: GLOVE_RSS_BUDGET_MB / largest.peakRssMb,
        goal: 1,
        rmePercent: null,
        samples: 1,
      });
    }
    return { rows: result, largestUseLite };
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}

// `node dist/bench/scaling.js [GLOVE_PAIRS,... [USE_LITE_SENTENCES,...]]`, e.g. `1000,2000,4000 200,400,800`
if (import.meta.url === `file://${process.argv[1] ?? ''}`) {
  const { cacheDir: defaultCacheDir } = await import('../src/config.js');
  const sizes = (arg: string | undefined): number[] | undefined => (arg === undefined ? undefined : arg === '-' ? [] : arg.split(',').map(Number));
  const log = (message: string): void => {
    process.stderr.write(`${message}\n`);
  };
  const started = performance.now();
  const glovePairs = sizes(process.argv[2]);
  const useLiteSentences = sizes(process.argv[3]);
  const { rows } = await benchScaling({
    cacheDir: defaultCacheDir(),
    ...(glovePairs === undefined ? {} : { glovePairs }),
    ...(useLiteSentences === undefined ? {} : { useLiteSentences }),
    log,
  });
  for (const row of rows) log(`${row.group}: ${row.subject}: ${row.value.toFixed(3)} ${row.unit}${row.ratio === null ? '' : ` vs ${row.baselineValue?.toFixed(3) ?? ''} -> ratio ${row.ratio.toFixed(3)}`}`);
  log(`scaling suite: ${((performance.now() - started) / 1000).toFixed(1)} s`);
}
