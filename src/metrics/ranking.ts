/**
 * Ranking metrics for binary labels: ROC-AUC (Mann-Whitney U with ties counted as one half) and
 * average precision (sklearn's step-wise definition, no interpolation).
 */
import { type BinaryScores, assertSameLength } from './metric.js';
import { type DenseRanks, assertFinite, denseRanks } from './rank.js';

/** Counts of each class. */
export function classCounts(labels: ArrayLike<boolean>): { readonly positives: number; readonly negatives: number } {
  let positives = 0;
  for (let i = 0; i < labels.length; i++) if (labels[i]) positives++;
  return { positives, negatives: labels.length - positives };
}

/**
 * ROC-AUC = P(score of a random positive > score of a random negative) + 0.5 P(tie), i.e. the
 * Mann-Whitney U statistic divided by nPos * nNeg. Equal to sklearn.metrics.roc_auc_score,
 * including ties; all scores tied gives exactly 0.5. Null when either class is absent. `ranks`:
 * denseRanks(scores) when the caller has them already.
 */
export function rocAuc(input: BinaryScores, ranks?: DenseRanks): number | null {
  const { scores, labels } = input;
  assertSameLength(scores, labels, 'rocAuc');
  assertFinite(scores, 'rocAuc scores');
  const { ids, groups } = ranks ?? denseRanks(scores);
  const positivesPerGroup = new Float64Array(groups);
  const negativesPerGroup = new Float64Array(groups);
  for (let i = 0; i < ids.length; i++) {
    if (labels[i]) positivesPerGroup[ids[i]!]!++;
    else negativesPerGroup[ids[i]!]!++;
  }
  return aucFromGroupCounts(positivesPerGroup, negativesPerGroup);
}

/**
 * AUC from per-score-group class counts (groups in ascending score order). Counts may be any
 * non-negative multiplicities, which is what a bootstrap resample produces.
 */
export function aucFromGroupCounts(positivesPerGroup: Float64Array, negativesPerGroup: Float64Array): number | null {
  let negativesBelow = 0;
  let positives = 0;
  // U counts each (positive, negative) pair where the positive scores higher, plus half of ties.
  // All counts are integers (or halves) far below 2^53, so U is exact.
  let doubledU = 0;
  for (let g = 0; g < positivesPerGroup.length; g++) {
    const pos = positivesPerGroup[g]!;
    const neg = negativesPerGroup[g]!;
    doubledU += pos * (2 * negativesBelow + neg);
    negativesBelow += neg;
    positives += pos;
  }
  if (positives === 0 || negativesBelow === 0) return null;
  return doubledU / (2 * positives * negativesBelow);
}

/**
 * Average precision as sklearn.metrics.average_precision_score computes it:
 * AP = sum over distinct score thresholds (descending) of (R_k - R_{k-1}) * P_k, where tied scores
 * enter together. Null when there is no positive (recall undefined); 1 when every item is positive.
 * `ranks`: denseRanks(scores) when the caller has them already.
 */
export function averagePrecision(input: BinaryScores, ranks?: DenseRanks): number | null {
  const { scores, labels } = input;
  assertSameLength(scores, labels, 'averagePrecision');
  assertFinite(scores, 'averagePrecision scores');
  const { positives } = classCounts(labels);
  if (positives === 0) return null;
  const { ids, groups } = ranks ?? denseRanks(scores);
  const positivesPerGroup = new Float64Array(groups);
  const countPerGroup = new Float64Array(groups);
  for (let i = 0; i < ids.length; i++) {
    countPerGroup[ids[i]!]!++;
    if (labels[i]) positivesPerGroup[ids[i]!]!++;
  }
  let truePositives = 0;
  let predicted = 0;
  let sum = 0;
  for (let g = groups - 1; g >= 0; g--) {
    const newPositives = positivesPerGroup[g]!;
    truePositives += newPositives;
    predicted += countPerGroup[g]!;
    if (newPositives > 0) sum += (newPositives / positives) * (truePositives / predicted);
  }
  return sum;
}

