/**
 * Accuracy of the rule "same sense when cosine >= threshold", with the threshold learned on
 * labelled data (a train split, or the other folds in cross-validation).
 *
 * Learner conventions:
 * - Candidates: one below every score (min - 1: everything "same"), the midpoint between each two
 *   consecutive distinct scores, and one above every score (max + 1: everything "different").
 *   A midpoint that rounds onto the lower score (adjacent doubles) is replaced by the upper score,
 *   so every candidate splits the scores exactly where intended.
 * - The threshold with the highest training accuracy wins; among equals the smallest threshold
 *   (deterministic, and it leans towards predicting "same", the positive class).
 */
import { CV_FOLDS } from '../config.js';
import { type BinaryScores, assertSameLength } from './metric.js';
import { mulberry32, shuffleInPlace } from '../random.js';
import { assertFinite, denseRanks } from './rank.js';

/** A learned threshold and the accuracy it achieves on the data it was learned from. */
export interface LearnedThreshold {
  readonly threshold: number;
  readonly trainAccuracy: number;
}

/** The threshold maximising accuracy on `train`; null when `train` is empty. */
export function learnThreshold(train: BinaryScores): LearnedThreshold | null {
  const { scores, labels } = train;
  assertSameLength(scores, labels, 'learnThreshold');
  assertFinite(scores, 'learnThreshold scores');
  const n = scores.length;
  if (n === 0) return null;
  const { ids, groups } = denseRanks(scores);
  const distinct = new Float64Array(groups);
  const positivesPerGroup = new Float64Array(groups);
  const negativesPerGroup = new Float64Array(groups);
  for (let i = 0; i < n; i++) {
    const group = ids[i]!;
    distinct[group] = scores[i]!;
    if (labels[i]) positivesPerGroup[group]!++;
    else negativesPerGroup[group]!++;
  }
  let totalPositives = 0;
  for (const count of positivesPerGroup) totalPositives += count;
  // Candidate g predicts "same" for groups g .. groups-1. Start at g = 0: all predicted same.
  let correct = totalPositives;
  let bestCorrect = correct;
  let bestCandidate = 0;
  for (let g = 1; g <= groups; g++) {
    // Group g-1 moves from "same" to "different".
    correct += negativesPerGroup[g - 1]! - positivesPerGroup[g - 1]!;
    if (correct > bestCorrect) {
      bestCorrect = correct;
      bestCandidate = g;
    }
  }
  return { threshold: candidateThreshold(distinct, bestCandidate), trainAccuracy: bestCorrect / n };
}

function candidateThreshold(distinct: Float64Array, candidate: number): number {
  const groups = distinct.length;
  if (candidate === 0) return distinct[0]! - 1;
  if (candidate === groups) return distinct[groups - 1]! + 1;
  const below = distinct[candidate - 1]!;
  const above = distinct[candidate]!;
  const midpoint = below + (above - below) / 2;
  return midpoint > below ? midpoint : above;
}

/** Fraction of items where (score >= threshold) equals the label; null when empty. */
export function accuracyAt(input: BinaryScores, threshold: number): number | null {
  const { scores, labels } = input;
  assertSameLength(scores, labels, 'accuracyAt');
  if (scores.length === 0) return null;
  let correct = 0;
  for (let i = 0; i < scores.length; i++) if (scores[i]! >= threshold === labels[i]) correct++;
  return correct / scores.length;
}

/** Accuracy of a threshold estimated by cross-validation. */
export interface CrossValidatedAccuracy {
  /** Correct held-out predictions over all items. */
  readonly accuracy: number;
  /** Mean of the per-fold thresholds (each fold's threshold was learned without it). */
  readonly threshold: number;
  /** Folds actually used: min(requested, n). */
  readonly folds: number;
}

/** Options of {@link crossValidatedAccuracy}. */
export interface CrossValidationOptions {
  /** Seed of the fold-assignment stream. */
  readonly seed: number;
  /** Number of folds; default {@link CV_FOLDS}. */
  readonly folds?: number;
}

/**
 * Stratified, seeded fold ids (0 .. k-1) for `labels`: the positives (in input order) are shuffled
 * with Fisher-Yates, then the negatives with the same stream continued; walking the shuffled
 * positives followed by the shuffled negatives, item number i goes to fold i mod k. Each fold gets
 * its share of each class within one item.
 */
export function stratifiedFolds(labels: ArrayLike<boolean>, folds: number, seed: number): Uint32Array {
  if (!Number.isSafeInteger(folds) || folds < 1) throw new RangeError(`folds must be a positive integer, got ${folds}`);
  const positives: number[] = [];
  const negatives: number[] = [];
  for (let i = 0; i < labels.length; i++) (labels[i] ? positives : negatives).push(i);
  const random = mulberry32(seed);
  shuffleInPlace(positives, random);
  shuffleInPlace(negatives, random);
  const foldOf = new Uint32Array(labels.length);
  [...positives, ...negatives].forEach((item, position) => {
    foldOf[item] = position % folds;
  });
  return foldOf;
}

/**
 * k-fold cross-validated accuracy of the learned threshold, for splits without a train split:
 * learn on k-1 folds, predict the held-out fold. Null when fewer than two items.
 */
export function crossValidatedAccuracy(input: BinaryScores, options: CrossValidationOptions): CrossValidatedAccuracy | null {
  const { scores, labels } = input;
  assertSameLength(scores, labels, 'crossValidatedAccuracy');
  assertFinite(scores, 'crossValidatedAccuracy scores');
  const n = scores.length;
  if (n < 2) return null;
  const folds = Math.min(options.folds ?? CV_FOLDS, n);
  const foldOf = stratifiedFolds(labels, folds, options.seed);
  let correct = 0;
  let thresholdSum = 0;
  for (let fold = 0; fold < folds; fold++) {
    const trainScores: number[] = [];
    const trainLabels: boolean[] = [];
    for (let i = 0; i < n; i++) {
      if (foldOf[i] !== fold) {
        trainScores.push(scores[i]!);
        trainLabels.push(labels[i]!);
      }
    }
    const learned = learnThreshold({ scores: trainScores, labels: trainLabels })!;
    thresholdSum += learned.threshold;
    for (let i = 0; i < n; i++) {
      if (foldOf[i] === fold && scores[i]! >= learned.threshold === labels[i]) correct++;
    }
  }
  return { accuracy: correct / n, threshold: thresholdSum / folds, folds };
}
