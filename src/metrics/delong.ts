/**
 * DeLong's test for the difference of two correlated ROC AUCs measured on the same items
 * (DeLong, DeLong & Clarke-Pearson 1988), computed with Sun & Xu's (2014) fast algorithm: the
 * structural components come from midranks (average ranks, so ties count one half as in the AUC)
 * instead of the m x n comparison matrix, which makes it O(N log N).
 *
 * With m positives X and n negatives Y, for each representation r:
 *   V10_r(X_i) = (Tz(X_i) - Tx(X_i)) / n     (share of negatives below X_i, ties one half)
 *   V01_r(Y_j) = 1 - (Tz(Y_j) - Ty(Y_j)) / m (share of positives above Y_j, ties one half)
 * where Tz are midranks among all N = m + n scores, Tx among the positives, Ty among the
 * negatives. AUC_r is the mean of V10_r. The variance of AUC_A - AUC_B is
 *   s10 / m + s01 / n
 * with s10 the sample variance (ddof 1) of V10_A - V10_B over the positives and s01 that of
 * V01_A - V01_B over the negatives (equal to S10_AA + S10_BB - 2 S10_AB of the paper's
 * covariance matrices). z = (AUC_A - AUC_B) / sqrt(variance); p = 2 (1 - Phi(|z|)).
 *
 * Null states, never NaN: when a class is absent, every field is null; when either class has
 * fewer than two items (no sample variance) or the variance is 0 (e.g. identical scores, or one
 * representation a monotone transform of the other: the two rankings are the same), z and p
 * are null and the AUCs and their difference are still given.
 */
import { assertSameLength } from './metric.js';
import { assertFinite, averageRanks } from './rank.js';

/** Scores of two representations on the same labelled items, index-aligned. */
export interface PairedBinaryScores {
  readonly scoresA: ArrayLike<number>;
  readonly scoresB: ArrayLike<number>;
  readonly labels: ArrayLike<boolean>;
}

/** DeLong's test of AUC_A = AUC_B. */
export interface DeLongResult {
  readonly aucA: number | null;
  readonly aucB: number | null;
  /** aucA - aucB. */
  readonly difference: number | null;
  /** Estimated variance of the difference; null when not estimable. */
  readonly variance: number | null;
  /** difference / sqrt(variance); null when the variance is null or 0. */
  readonly z: number | null;
  /** Two-sided p-value under the normal approximation; null with z. */
  readonly p: number | null;
}

const NO_RESULT: DeLongResult = Object.freeze({ aucA: null, aucB: null, difference: null, variance: null, z: null, p: null });

/** One ranking's structural components on a set of labelled items ({@link delongComponents}). */
export interface DeLongComponents {
  readonly auc: number;
  /** V10 per positive, in the order of the positives. */
  readonly v10: Float64Array;
  /** V01 per negative, in the order of the negatives. */
  readonly v01: Float64Array;
}

function structuralComponents(positives: Float64Array, negatives: Float64Array): DeLongComponents {
  const m = positives.length;
  const n = negatives.length;
  const all = new Float64Array(m + n);
  all.set(positives, 0);
  all.set(negatives, m);
  const rankAll = averageRanks(all);
  const rankPositives = averageRanks(positives);
  const rankNegatives = averageRanks(negatives);
  const v10 = new Float64Array(m);
  const v01 = new Float64Array(n);
  let rankSum = 0;
  for (let i = 0; i < m; i++) {
    v10[i] = (rankAll[i]! - rankPositives[i]!) / n;
    rankSum += rankAll[i]!;
  }
  for (let j = 0; j < n; j++) v01[j] = 1 - (rankAll[m + j]! - rankNegatives[j]!) / m;
  // Mann-Whitney form of the AUC: exact for integer and half-integer rank sums.
  const auc = (rankSum - (m * (m + 1)) / 2) / (m * n);
  return { auc, v10, v01 };
}

/** Sample variance (ddof 1) of a - b. */
function varianceOfDifference(a: Float64Array, b: Float64Array): number {
  const k = a.length;
  let mean = 0;
  for (let i = 0; i < k; i++) mean += a[i]! - b[i]!;
  mean /= k;
  let sum = 0;
  for (let i = 0; i < k; i++) {
    const deviation = a[i]! - b[i]! - mean;
    sum += deviation * deviation;
  }
  return sum / (k - 1);
}

/**
 * One ranking's structural components (see the module comment): what DeLong's test needs of each
 * representation, so that a representation compared with several others is ranked once. Null when
 * a class is absent. `what` names the scores in the error on a non-finite value.
 */
export function delongComponents(scores: ArrayLike<number>, labels: ArrayLike<boolean>, what = 'delongTest'): DeLongComponents | null {
  assertSameLength(scores, labels, what);
  assertFinite(scores, what);
  let m = 0;
  for (let i = 0; i < labels.length; i++) if (labels[i]) m++;
  const n = labels.length - m;
  if (m === 0 || n === 0) return null;
  const positives = new Float64Array(m);
  const negatives = new Float64Array(n);
  let p = 0;
  let q = 0;
  for (let i = 0; i < labels.length; i++) {
    if (labels[i]) positives[p++] = scores[i]!;
    else negatives[q++] = scores[i]!;
  }
  return structuralComponents(positives, negatives);
}

/** DeLong's test from the components of two rankings of the same items (null: a class is absent). */
export function delongFromComponents(a: DeLongComponents | null, b: DeLongComponents | null): DeLongResult {
  if (a === null || b === null) return NO_RESULT;
  const m = a.v10.length;
  const n = a.v01.length;
  const difference = a.auc - b.auc;
  if (m < 2 || n < 2) return { aucA: a.auc, aucB: b.auc, difference, variance: null, z: null, p: null };
  const variance = varianceOfDifference(a.v10, b.v10) / m + varianceOfDifference(a.v01, b.v01) / n;
  if (!(variance > 0)) return { aucA: a.auc, aucB: b.auc, difference, variance, z: null, p: null };
  const z = difference / Math.sqrt(variance);
  return { aucA: a.auc, aucB: b.auc, difference, variance, z, p: twoSidedNormalP(z) };
}

/** DeLong's test of the two AUCs (see the module comment). */
export function delongTest(input: PairedBinaryScores): DeLongResult {
  const { scoresA, scoresB, labels } = input;
  assertSameLength(scoresA, labels, 'delongTest A');
  assertSameLength(scoresB, labels, 'delongTest B');
  assertFinite(scoresA, 'delongTest A');
  assertFinite(scoresB, 'delongTest B');
  return delongFromComponents(delongComponents(scoresA, labels, 'delongTest A'), delongComponents(scoresB, labels, 'delongTest B'));
}

/** Two-sided p-value of a standard normal statistic: 2 (1 - Phi(|z|)) = erfc(|z| / sqrt 2). */
export function twoSidedNormalP(z: number): number {
  if (!Number.isFinite(z)) throw new RangeError(`twoSidedNormalP: z must be finite, got ${z}`);
  return Math.min(1, erfc(Math.abs(z) / Math.SQRT2));
}

const TWO_OVER_SQRT_PI = 2 / Math.sqrt(Math.PI);
const ONE_OVER_SQRT_PI = 1 / Math.sqrt(Math.PI);
/** Below this argument the series is used, at or above it the continued fraction. */
const SERIES_LIMIT = 1;
/** Terms of the continued fraction: ample for x >= SERIES_LIMIT (converged far below 1e-16). */
const FRACTION_TERMS = 300;

/**
 * The complementary error function, accurate to about 1e-16 absolute and 1e-15 relative for
 * x >= 0 (checked against scipy.special.erfc): for x < 1 the everywhere-positive series erf(x) = 2/sqrt(pi) e^(-x^2) sum (2x^2)^k x / (2k+1)!!
 * (no cancellation inside the sum); for larger x Laplace's continued fraction
 * erfc(x) = e^(-x^2)/sqrt(pi) / (x + (1/2)/(x + 1/(x + (3/2)/(x + ...)))), evaluated backwards.
 */
export function erfc(x: number): number {
  if (Number.isNaN(x)) return Number.NaN;
  if (x < 0) return 2 - erfc(-x);
  if (x < SERIES_LIMIT) {
    let term = x;
    let sum = x;
    const twoXSquared = 2 * x * x;
    for (let k = 1; k < 200; k++) {
      term *= twoXSquared / (2 * k + 1);
      sum += term;
      if (term <= sum * 1e-17) break;
    }
    return 1 - TWO_OVER_SQRT_PI * Math.exp(-x * x) * sum;
  }
  if (x > 27.3) return 0;
  let tail = x;
  for (let k = FRACTION_TERMS; k >= 1; k--) tail = x + k / 2 / tail;
  return (ONE_OVER_SQRT_PI * Math.exp(-x * x)) / tail;
}
