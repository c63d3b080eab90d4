/**
 * How far apart the cosines of same-sense and different-sense pairs lie: the two means and
 * Cohen's d (same minus different, pooled standard deviation from sample variances).
 */
import { type BinaryScores, assertSameLength } from './metric.js';
import { assertFinite } from './rank.js';

/** Mean cosine of each class; null for a class with no pair. */
export interface ClassMeans {
  readonly meanPositive: number | null;
  readonly meanNegative: number | null;
}

interface ClassMoments {
  readonly n: number;
  readonly mean: number;
  /** Sum of squared deviations from the mean. */
  readonly squaredDeviations: number;
}

function moments(input: BinaryScores, label: boolean): ClassMoments {
  const { scores, labels } = input;
  let n = 0;
  let sum = 0;
  for (let i = 0; i < scores.length; i++) {
    if (labels[i] === label) {
      n++;
      sum += scores[i]!;
    }
  }
  const mean = n > 0 ? sum / n : Number.NaN;
  let squaredDeviations = 0;
  for (let i = 0; i < scores.length; i++) {
    if (labels[i] === label) squaredDeviations += (scores[i]! - mean) ** 2;
  }
  return { n, mean, squaredDeviations };
}

/** Mean score of the positive (same-sense) and of the negative (different-sense) items. */
export function classMeans(input: BinaryScores): ClassMeans {
  assertSameLength(input.scores, input.labels, 'classMeans');
  assertFinite(input.scores, 'classMeans scores');
  const positive = moments(input, true);
  const negative = moments(input, false);
  return {
    meanPositive: positive.n > 0 ? positive.mean : null,
    meanNegative: negative.n > 0 ? negative.mean : null,
  };
}

/**
 * Cohen's d = (mean_same - mean_different) / s_pooled, with
 * s_pooled = sqrt(((n1 - 1) s1^2 + (n2 - 1) s2^2) / (n1 + n2 - 2)) and sample variances (n - 1).
 *
 * Null when either class is empty, when n1 + n2 < 3 (no degree of freedom), or when the pooled
 * standard deviation is 0 (every cosine equal within each class, e.g. a static `target` vector
 * whose cosine is always 1.0): a finite difference over zero spread is not an effect size.
 */
export function cohensD(input: BinaryScores): number | null {
  assertSameLength(input.scores, input.labels, 'cohensD');
  assertFinite(input.scores, 'cohensD scores');
  const positive = moments(input, true);
  const negative = moments(input, false);
  if (positive.n === 0 || negative.n === 0) return null;
  const degreesOfFreedom = positive.n + negative.n - 2;
  if (degreesOfFreedom <= 0) return null;
  const pooledVariance = (positive.squaredDeviations + negative.squaredDeviations) / degreesOfFreedom;
  if (!(pooledVariance > 0)) return null;
  return (positive.mean - negative.mean) / Math.sqrt(pooledVariance);
}

