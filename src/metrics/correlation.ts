/**
 * Correlations of cosine with a graded similarity score: Pearson's r (scipy.stats.pearsonr) and
 * Spearman's rho with average ranks for ties (scipy.stats.spearmanr). Null when undefined: fewer
 * than two points, or either variable constant.
 */
import { type PairedSample, assertSameLength, defineMetric } from './metric.js';
import { assertFinite, averageRanks } from './rank.js';

function isConstant(values: ArrayLike<number>): boolean {
  for (let i = 1; i < values.length; i++) if (values[i] !== values[0]) return false;
  return true;
}

function mean(values: ArrayLike<number>): number {
  let sum = 0;
  for (let i = 0; i < values.length; i++) sum += values[i]!;
  return sum / values.length;
}

/** Pearson's product-moment correlation, clipped to [-1, 1] as scipy does against rounding. */
export function pearson(input: PairedSample): number | null {
  const { x, y } = input;
  assertSameLength(x, y, 'pearson');
  assertFinite(x, 'pearson x');
  assertFinite(y, 'pearson y');
  if (x.length < 2 || isConstant(x) || isConstant(y)) return null;
  const meanX = mean(x);
  const meanY = mean(y);
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  for (let i = 0; i < x.length; i++) {
    const dx = x[i]! - meanX;
    const dy = y[i]! - meanY;
    sxy += dx * dy;
    sxx += dx * dx;
    syy += dy * dy;
  }
  const r = sxy / Math.sqrt(sxx * syy);
  return Math.max(-1, Math.min(1, r));
}

/** Spearman's rho: Pearson's r of the average ranks. */
export function spearman(input: PairedSample): number | null {
  assertSameLength(input.x, input.y, 'spearman');
  assertFinite(input.x, 'spearman x');
  assertFinite(input.y, 'spearman y');
  if (input.x.length < 2 || isConstant(input.x) || isConstant(input.y)) return null;
  return pearson({ x: averageRanks(input.x), y: averageRanks(input.y) });
}

/** {@link pearson} as a {@link Metric}. */
export const pearsonMetric = defineMetric('pearson', pearson);
/** {@link spearman} as a {@link Metric}. */
export const spearmanMetric = defineMetric('spearman', spearman);
