/**
 * Seeded percentile-bootstrap confidence intervals of the scores of summary.csv, every one drawn by
 * the resampling engine (./resampling.ts), which fixes the draws and the interval:
 * - AUC: stratified by class. Each resample draws nPos positives with replacement from the
 *   positives, then nNeg negatives from the negatives (each class's items in input order). Every
 *   resample therefore has both classes and the same class balance as the data, so AUC is defined
 *   in every resample and the interval reflects ranking uncertainty rather than class-balance noise.
 * - Correlations: each resample draws n (x, y) pairs with replacement; a resample where the
 *   statistic is undefined (a constant variable) is dropped.
 * The reference script test/fixtures/metrics/make_reference.py replays the same random stream with
 * numpy and scores each resample with sklearn/scipy.
 */
import type { ConfidenceInterval } from '../types.js';
import { type BinaryScores, type Metric, type PairedSample, assertSameLength } from './metric.js';
import { pearson } from './correlation.js';
import { type DenseRanks, assertFinite, denseRanks } from './rank.js';
import { aucResamples } from '../linalg/auc-resamples.js';
import { type BootstrapOptions, percentileInterval, resampleCount, resampledStatistics } from './resampling.js';

/**
 * The AUC of every stratified resample, in draw order (exposed for tests and diagnostics).
 * Empty when either class is absent. `ranks`: denseRanks(scores) when the caller has them already.
 */
export function bootstrapAucSamples(input: BinaryScores, options: BootstrapOptions, ranks?: DenseRanks): number[] {
  const { scores, labels } = input;
  assertSameLength(scores, labels, 'bootstrapAuc');
  assertFinite(scores, 'bootstrapAuc scores');
  const { ids, groups } = ranks ?? denseRanks(scores);
  const positiveGroups: number[] = [];
  const negativeGroups: number[] = [];
  for (let i = 0; i < ids.length; i++) (labels[i] ? positiveGroups : negativeGroups).push(ids[i]!);
  if (positiveGroups.length === 0 || negativeGroups.length === 0) return [];
  // Re-scoring by counts per tie group is O(n) per resample and gives the same U as ranking; the
  // resamples run in the WebAssembly kernels, bit for bit the resampling engine's draws counted in
  // JavaScript (test/linalg-kernels.test.ts).
  return Array.from(aucResamples(options.seed, resampleCount(options), [{ positives: Uint32Array.from(positiveGroups), negatives: Uint32Array.from(negativeGroups), groups }])[0]!);
}

/** Stratified percentile-bootstrap interval for ROC-AUC; null ends when AUC is undefined. */
export function bootstrapAucCi(input: BinaryScores, options: BootstrapOptions, ranks?: DenseRanks): ConfidenceInterval {
  return percentileInterval(bootstrapAucSamples(input, options, ranks), options.confidence);
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
  const sampleX = new Float64Array(n);
  const sampleY = new Float64Array(n);
  return resampledStatistics(options, [n], ([drawn]) => {
    for (let k = 0; k < n; k++) {
      const index = drawn![k]!;
      sampleX[k] = x[index]!;
      sampleY[k] = y[index]!;
    }
    return metric.compute({ x: sampleX, y: sampleY });
  });
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
  const ranksX = new Float64Array(n);
  const ranksY = new Float64Array(n);
  return resampledStatistics(options, [n], ([drawn]) => {
    countX.fill(0);
    countY.fill(0);
    for (let k = 0; k < n; k++) {
      const index = drawn![k]!;
      countX[groupsX.ids[index]!]!++;
      countY[groupsY.ids[index]!]!++;
    }
    averageRankPerGroup(countX, rankOfGroupX);
    averageRankPerGroup(countY, rankOfGroupY);
    for (let k = 0; k < n; k++) {
      ranksX[k] = rankOfGroupX[groupsX.ids[drawn![k]!]!]!;
      ranksY[k] = rankOfGroupY[groupsY.ids[drawn![k]!]!]!;
    }
    return pearson({ x: ranksX, y: ranksY });
  });
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
