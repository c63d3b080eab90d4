/**
 * Seeded percentile-bootstrap confidence intervals.
 *
 * Conventions (the reference script test/fixtures/metrics/make_reference.py replays the same
 * random stream with numpy and scores each resample with sklearn/scipy):
 * - Randomness: one {@link mulberry32} stream per interval, seeded by the caller
 *   (use {@link deriveSeed} so each row has its own stream).
 * - AUC: resampling is stratified by class. Each resample draws nPos positives with replacement
 *   from the positives, then nNeg negatives from the negatives (each draw: `nextInt(n)` into the
 *   class's items in input order). Every resample therefore has both classes and the same class
 *   balance as the data, so AUC is defined in every resample and the interval reflects
 *   ranking uncertainty rather than class-balance noise.
 * - Correlations: each resample draws n (x, y) pairs with replacement. A resample where the
 *   statistic is undefined (a constant variable) is dropped; the interval comes from the rest.
 * - Interval: percentiles (1 - c)/2 and 1 - (1 - c)/2 of the resampled statistics, with numpy's
 *   default 'linear' interpolation (virtual index (m - 1) q).
 */
import { type BinaryScores, type Metric, type PairedSample, NO_INTERVAL, assertSameLength } from './metric.js';
import { type Random, mulberry32 } from '../random.js';
import { pearson } from './correlation.js';
import { aucFromGroupCounts } from './ranking.js';
import { assertFinite, denseRanks } from './rank.js';
import { aucResamples } from '../linalg/auc-resamples.js';

import type { ConfidenceInterval } from '../types.js';
/** Default number of bootstrap resamples. */
export const DEFAULT_RESAMPLES = 1000;
/** Default confidence level. */
export const DEFAULT_CONFIDENCE = 0.95;

/** Options of every bootstrap interval. */
export interface BootstrapOptions {
  /** Seed of the random stream (an unsigned 32-bit integer; see {@link deriveSeed}). */
  readonly seed: number;
  /** Number of resamples; 0 gives no interval. Default {@link DEFAULT_RESAMPLES}. */
  readonly resamples?: number;
  /** Confidence level in (0, 1). Default {@link DEFAULT_CONFIDENCE}. */
  readonly confidence?: number;
}

/**
 * The q-quantile of ascending `sorted` values, interpolated linearly between neighbours exactly as
 * numpy.quantile(method='linear') does (including its `b - (b - a)(1 - t)` form for t >= 0.5).
 */
export function quantileSorted(sorted: ArrayLike<number>, q: number): number {
  const m = sorted.length;
  if (m === 0) throw new RangeError('quantileSorted: no values');
  if (!(q >= 0 && q <= 1)) throw new RangeError(`quantileSorted: q must be in [0, 1], got ${q}`);
  const virtualIndex = (m - 1) * q;
  if (virtualIndex >= m - 1) return sorted[m - 1]!;
  const previous = Math.floor(virtualIndex);
  const t = virtualIndex - previous;
  const a = sorted[previous]!;
  const b = sorted[previous + 1]!;
  const difference = b - a;
  return t >= 0.5 ? b - difference * (1 - t) : a + difference * t;
}

/** Percentile interval of the statistics; null ends when there are none. */
export function percentileInterval(statistics: readonly number[], confidence: number = DEFAULT_CONFIDENCE): ConfidenceInterval {
  if (!(confidence > 0 && confidence < 1)) throw new RangeError(`confidence must be in (0, 1), got ${confidence}`);
  if (statistics.length === 0) return NO_INTERVAL;
  const sorted = Float64Array.from(statistics).sort();
  const tail = (1 - confidence) / 2;
  return { low: quantileSorted(sorted, tail), high: quantileSorted(sorted, 1 - tail) };
}

function resampleCount(options: BootstrapOptions): number {
  const resamples = options.resamples ?? DEFAULT_RESAMPLES;
  if (!Number.isSafeInteger(resamples) || resamples < 0) throw new RangeError(`resamples must be a non-negative integer, got ${resamples}`);
  return resamples;
}

/**
 * The AUC of every stratified resample, in draw order (exposed for tests and diagnostics).
 * Empty when either class is absent.
 */
export function bootstrapAucSamples(input: BinaryScores, options: BootstrapOptions): number[] {
  const { scores, labels } = input;
  assertSameLength(scores, labels, 'bootstrapAuc');
  assertFinite(scores, 'bootstrapAuc scores');
  const { ids, groups } = denseRanks(scores);
  const positiveGroups: number[] = [];
  const negativeGroups: number[] = [];
  for (let i = 0; i < ids.length; i++) (labels[i] ? positiveGroups : negativeGroups).push(ids[i]!);
  if (positiveGroups.length === 0 || negativeGroups.length === 0) return [];
  // Re-scoring by counts per tie group is O(n) per resample and gives the same U as ranking; the
  // resamples run in the WebAssembly kernels, bit for bit the loop of aucResamplesReference.
  return Array.from(aucResamples(options.seed, resampleCount(options), { positives: Uint32Array.from(positiveGroups), negatives: Uint32Array.from(negativeGroups), groups }));
}

/** The plain-loop form of the resamples {@link bootstrapAucSamples} draws (the kernels' reference in the tests). */
export function aucResamplesReference(seed: number, resamples: number, positiveGroups: ArrayLike<number>, negativeGroups: ArrayLike<number>, groups: number): number[] {
  const random: Random = mulberry32(seed);
  const positivesPerGroup = new Float64Array(groups);
  const negativesPerGroup = new Float64Array(groups);
  const statistics: number[] = [];
  for (let b = 0; b < resamples; b++) {
    positivesPerGroup.fill(0);
    negativesPerGroup.fill(0);
    for (let k = 0; k < positiveGroups.length; k++) positivesPerGroup[positiveGroups[random.nextInt(positiveGroups.length)]!]!++;
    for (let k = 0; k < negativeGroups.length; k++) negativesPerGroup[negativeGroups[random.nextInt(negativeGroups.length)]!]!++;
    statistics.push(aucFromGroupCounts(positivesPerGroup, negativesPerGroup)!);
  }
  return statistics;
}

/** Stratified percentile-bootstrap interval for ROC-AUC; null ends when AUC is undefined. */
export function bootstrapAucCi(input: BinaryScores, options: BootstrapOptions): ConfidenceInterval {
  return percentileInterval(bootstrapAucSamples(input, options), options.confidence);
}

/**
 * The statistic of every paired resample where it is defined, in draw order (exposed for tests).
 * Empty when fewer than two pairs.
 */
export function bootstrapPairedSamples(
  metric: Metric<PairedSample, number | null>,
  input: PairedSample,
  options: BootstrapOptions,
): number[] {
  const { x, y } = input;
  assertSameLength(x, y, `bootstrap ${metric.name}`);
  const n = x.length;
  if (n < 2) return [];
  const random = mulberry32(options.seed);
  const sampleX = new Float64Array(n);
  const sampleY = new Float64Array(n);
  const statistics: number[] = [];
  const resamples = resampleCount(options);
  for (let b = 0; b < resamples; b++) {
    for (let k = 0; k < n; k++) {
      const index = random.nextInt(n);
      sampleX[k] = x[index]!;
      sampleY[k] = y[index]!;
    }
    const value = metric.compute({ x: sampleX, y: sampleY });
    if (value !== null) statistics.push(value);
  }
  return statistics;
}

/**
 * Spearman's rho of every paired resample where it is defined: the same stream, resamples and
 * values as `bootstrapPairedSamples(spearmanMetric, ...)`, but each resample is ranked by counting
 * per tie group of the original data (O(n) instead of a sort), which matters for thousands of pairs.
 */
export function bootstrapSpearmanSamples(input: PairedSample, options: BootstrapOptions): number[] {
  const { x, y } = input;
  assertSameLength(x, y, 'bootstrap spearman');
  assertFinite(x, 'bootstrap spearman x');
  assertFinite(y, 'bootstrap spearman y');
  const n = x.length;
  if (n < 2) return [];
  const groupsX = denseRanks(x);
  const groupsY = denseRanks(y);
  const countX = new Float64Array(groupsX.groups);
  const countY = new Float64Array(groupsY.groups);
  const rankOfGroupX = new Float64Array(groupsX.groups);
  const rankOfGroupY = new Float64Array(groupsY.groups);
  const drawn = new Uint32Array(n);
  const ranksX = new Float64Array(n);
  const ranksY = new Float64Array(n);
  const random = mulberry32(options.seed);
  const statistics: number[] = [];
  const resamples = resampleCount(options);
  for (let b = 0; b < resamples; b++) {
    countX.fill(0);
    countY.fill(0);
    for (let k = 0; k < n; k++) {
      const index = random.nextInt(n);
      drawn[k] = index;
      countX[groupsX.ids[index]!]!++;
      countY[groupsY.ids[index]!]!++;
    }
    averageRankPerGroup(countX, rankOfGroupX);
    averageRankPerGroup(countY, rankOfGroupY);
    for (let k = 0; k < n; k++) {
      ranksX[k] = rankOfGroupX[groupsX.ids[drawn[k]!]!]!;
      ranksY[k] = rankOfGroupY[groupsY.ids[drawn[k]!]!]!;
    }
    const value = pearson({ x: ranksX, y: ranksY });
    if (value !== null) statistics.push(value);
  }
  return statistics;
}

/** For ascending groups with these multiplicities, the average 1-based rank each group's members get. */
export function averageRankPerGroup(counts: Float64Array, ranks: Float64Array): void {
  let before = 0;
  for (let g = 0; g < counts.length; g++) {
    const count = counts[g]!;
    // Ranks before+1 .. before+count averaged, the same expression as averageRanks uses.
    ranks[g] = (before + 1 + (before + count)) / 2;
    before += count;
  }
}

/** Paired percentile-bootstrap interval for Spearman's rho (see {@link bootstrapSpearmanSamples}). */
export function bootstrapSpearmanCi(input: PairedSample, options: BootstrapOptions): ConfidenceInterval {
  return percentileInterval(bootstrapSpearmanSamples(input, options), options.confidence);
}

/** Paired percentile-bootstrap interval for a correlation (e.g. {@link spearmanMetric}). */
export function bootstrapPairedCi(
  metric: Metric<PairedSample, number | null>,
  input: PairedSample,
  options: BootstrapOptions,
): ConfidenceInterval {
  return percentileInterval(bootstrapPairedSamples(metric, input, options), options.confidence);
}
