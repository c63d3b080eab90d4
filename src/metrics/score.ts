/**
 * The scorer the pipeline calls: turns the cosines of one model representation on one dataset split
 * into the metric columns of its summary.csv row ({@link MetricScores}, declared in
 * src/results/schema.ts) and per-word {@link WordScore}s.
 */
import type { MetricScores, WordScore } from '../results/schema.js';
import type { ThresholdSource, ConfidenceInterval, Estimate } from '../types.js';
import { bootstrapAucCi, bootstrapPairedCi, bootstrapSpearmanCi } from './bootstrap.js';
import { DEFAULT_RESAMPLES } from './resampling.js';
import { pearson, pearsonMetric, spearman } from './correlation.js';
import type { BinaryScores } from './metric.js';
import { CV_FOLDS } from '../config.js';
import { deriveSeed } from '../random.js';
import { averagePrecision, classCounts, rocAuc } from './ranking.js';
import { classMeans, cohensD } from './separation.js';
import { accuracyAt, crossValidatedAccuracy, learnThreshold } from './threshold.js';
import { type DenseRanks, assertFinite, denseRanks } from './rank.js';

/** One pair as the scorer sees it. */
export interface ScoredPair {
  /** Target word, for the per-word breakdown. */
  readonly word: string;
  /** true = same sense, false = different, null = unlabelled. */
  readonly label: boolean | null;
  /** Graded similarity, or null. */
  readonly score: number | null;
  /** Cosine of the two target vectors; null when a vector was missing (out of vocabulary). */
  readonly cosine: number | null;
}

/** What {@link scoreRepresentation} needs for one model representation on one split. */
export interface ScoreRepresentationInput {
  /** Pairs of the split being scored. */
  readonly evaluated: readonly ScoredPair[];
  /** Pairs of the train split to learn the accuracy threshold on; absent: cross-validation. Never the evaluated split itself. */
  readonly train?: readonly ScoredPair[];
  /** Run seed. */
  readonly seed: number;
  /** Bootstrap resamples for the intervals; default 1000; 0 gives null intervals. */
  readonly bootstrapResamples?: number;
  /**
   * Stable key of this row's random streams, e.g. `glove-100d:target:lesson:test`. Every stream
   * seed is {@link deriveSeed}(seed, `${key}:<purpose>`), so adding a model, a representation or a
   * dataset never changes the intervals of other rows.
   */
  readonly key: string;
  /**
   * What the `cosine` field of each pair holds: a `similarity` (default; the cosine of two vectors)
   * or a `probability` of the same sense (a probe's, read at {@link PROBE_THRESHOLD}). A
   * probability is not a similarity: its row has no class means, Cohen's d or correlations.
   */
  readonly scores?: 'similarity' | 'probability';
}

/** The probability at which a probe row's accuracy is read: the probe's own decision rule. */
export const PROBE_THRESHOLD = 0.5;

interface LabelledColumns extends BinaryScores {
  readonly scores: Float64Array;
  readonly labels: boolean[];
}

/** Cosines and labels of the pairs that have both (unlabelled or out-of-vocabulary pairs dropped). */
function labelledColumns(pairs: readonly ScoredPair[]): LabelledColumns {
  const scores: number[] = [];
  const labels: boolean[] = [];
  for (const pair of pairs) {
    if (pair.cosine !== null && pair.label !== null) {
      scores.push(pair.cosine);
      labels.push(pair.label);
    }
  }
  return { scores: Float64Array.from(scores), labels };
}

/**
 * Scores one model representation on one split.
 *
 * - Pairs with a null cosine are excluded; `oovRate` = excluded / total (0 for an empty split).
 * - Label metrics use the scored pairs whose label is non-null; with none they are null and
 *   `thresholdSource` is `'none'`.
 * - Accuracy: threshold learned on `train` (source `'train'`) when it has labelled scored pairs,
 *   else 5-fold stratified cross-validation on the evaluated pairs (source `'cv'`, threshold = mean
 *   of the fold thresholds).
 * - Spearman/Pearson (cosine vs graded score) only when every scored pair has a score.
 * - A probe's probabilities (`scores: 'probability'`): accuracy at {@link PROBE_THRESHOLD}, source
 *   `probe`; no class means, Cohen's d or correlations.
 */
export function scoreRepresentation(input: ScoreRepresentationInput): MetricScores {
  const key = input.key;
  const resamples = input.bootstrapResamples ?? DEFAULT_RESAMPLES;
  const scored = input.evaluated.filter((pair) => pair.cosine !== null);
  const total = input.evaluated.length;
  const oovRate = total === 0 ? 0 : (total - scored.length) / total;

  const labelled = labelledColumns(scored);
  const hasLabels = labelled.labels.length > 0;
  // One ranking of the labelled scores for the AUC, its interval and average precision.
  let ranks: DenseRanks | undefined;
  if (hasLabels) {
    assertFinite(labelled.scores, 'rocAuc scores');
    ranks = denseRanks(labelled.scores);
  }
  const auc = hasLabels ? rocAuc(labelled, ranks) : null;
  const aucCi =
    auc === null ? { low: null, high: null } : bootstrapAucCi(labelled, { seed: deriveSeed(input.seed, `${key}:auc`), resamples }, ranks);
  const similarity = input.scores !== 'probability';
  const means = hasLabels && similarity ? classMeans(labelled) : { meanPositive: null, meanNegative: null };

  let accuracy: number | null = null;
  let threshold: number | null = null;
  let thresholdSource: ThresholdSource = 'none';
  if (hasLabels && !similarity) {
    accuracy = accuracyAt(labelled, PROBE_THRESHOLD);
    threshold = PROBE_THRESHOLD;
    thresholdSource = 'probe';
  } else if (hasLabels) {
    const train = input.train === undefined ? null : labelledColumns(input.train);
    const learned = train === null ? null : learnThreshold(train);
    if (learned !== null) {
      accuracy = accuracyAt(labelled, learned.threshold);
      threshold = learned.threshold;
      thresholdSource = 'train';
    } else {
      const cv = crossValidatedAccuracy(labelled, { seed: deriveSeed(input.seed, `${key}:cv`), folds: CV_FOLDS });
      if (cv !== null) {
        accuracy = cv.accuracy;
        threshold = cv.threshold;
        thresholdSource = 'cv';
      }
    }
  }

  const graded = similarity && scored.length > 0 && scored.every((pair) => pair.score !== null);
  const paired = graded
    ? { x: Float64Array.from(scored, (pair) => pair.cosine!), y: Float64Array.from(scored, (pair) => pair.score!) }
    : null;
  const rho = paired === null ? null : spearman(paired);
  const rhoCi =
    paired === null || rho === null
      ? { low: null, high: null }
      : bootstrapSpearmanCi(paired, { seed: deriveSeed(input.seed, `${key}:spearman`), resamples });
  const r = paired === null ? null : pearson(paired);
  const rCi =
    paired === null || r === null
      ? { low: null, high: null }
      : bootstrapPairedCi(pearsonMetric, paired, { seed: deriveSeed(input.seed, `${key}:pearson`), resamples });

  const counts = classCounts(labelled.labels);
  return {
    nPairs: scored.length,
    nSame: counts.positives,
    nDifferent: counts.negatives,
    auc: estimate(auc, aucCi),
    averagePrecision: hasLabels ? averagePrecision(labelled, ranks) : null,
    accuracy,
    threshold,
    thresholdSource,
    meanCosSame: means.meanPositive,
    meanCosDifferent: means.meanNegative,
    cohensD: hasLabels && similarity ? cohensD(labelled) : null,
    spearman: estimate(rho, rhoCi),
    pearson: estimate(r, rCi),
    oovRate,
  };
}

/** A value with its interval as one estimate; null when the value is undefined. */
function estimate(value: number | null, interval: ConfidenceInterval): Estimate | null {
  return value === null ? null : { value, low: interval.low, high: interval.high };
}

/** What {@link scoreWords} needs: the split's pairs and the row's names. */
export interface ScoreWordsInput {
  readonly evaluated: readonly ScoredPair[];
  readonly model: string;
  readonly representation: string;
}

/**
 * Per-target-word breakdown, one row per distinct word in code-unit order (locale-independent, so
 * the CSV is byte-identical everywhere). Words whose pairs all lack a cosine still get a row with
 * nPairs 0, so out-of-vocabulary words stay visible. Counts and AUC use scored, labelled pairs.
 */
export function scoreWords(input: ScoreWordsInput): WordScore[] {
  const byWord = new Map<string, ScoredPair[]>();
  for (const pair of input.evaluated) {
    const pairs = byWord.get(pair.word);
    if (pairs === undefined) byWord.set(pair.word, [pair]);
    else pairs.push(pair);
  }
  const words = [...byWord.keys()].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  return words.map((word) => {
    const pairs = byWord.get(word)!;
    const scored = pairs.filter((pair) => pair.cosine !== null);
    const labelled = labelledColumns(scored);
    const { positives, negatives } = classCounts(labelled.labels);
    const means = classMeans(labelled);
    return {
      word,
      model: input.model,
      representation: input.representation,
      nPairs: scored.length,
      nSame: positives,
      nDifferent: negatives,
      auc: rocAuc(labelled),
      meanCosSame: means.meanPositive,
      meanCosDifferent: means.meanNegative,
      spearman: wordSpearman(scored),
    };
  });
}

/**
 * Spearman of cosine with the graded score over one word's scored pairs (DWUG's per-lemma
 * metric); null unless every scored pair is graded and there are at least three.
 */
function wordSpearman(scored: readonly ScoredPair[]): number | null {
  if (scored.length < 3 || scored.some((pair) => pair.score === null)) return null;
  return spearman({ x: Float64Array.from(scored, (pair) => pair.cosine!), y: Float64Array.from(scored, (pair) => pair.score!) });
}
