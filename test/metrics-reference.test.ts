/**
 * Every metric against values computed independently in Python (sklearn, scipy, numpy brute force):
 * see test/fixtures/metrics/make_reference.py, whose output is test/fixtures/metrics/reference.json.
 * Tolerance 1e-12 throughout: the libraries sum in a different order, nothing else differs.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  accuracyAt,
  averagePrecision,
  bootstrapAucCi,
  bootstrapAucSamples,
  bootstrapPairedCi,
  bootstrapPairedSamples,
  bootstrapSpearmanCi,
  bootstrapSpearmanSamples,
  classMeans,
  cohensD,
  crossValidatedAccuracy,
  deriveSeed,
  fnv1a32,
  learnThreshold,
  mulberry32,
  pearson,
  pearsonMetric,
  rocAuc,
  scoreRepresentation,
  scoreWords,
  spearman,
  spearmanMetric,
  stratifiedFolds,
  type ScoredPair,
} from '../src/metrics/index.js';

import type { MetricScores, WordScore } from '../src/results/schema.js';

import type { Estimate } from '../src/types.js';
const TOLERANCE = 1e-12;

interface BootstrapReference {
  seed: number;
  resamples: number;
  count: number;
  first: number[];
  low: number | null;
  high: number | null;
}
interface BinaryCase {
  name: string;
  scores: number[];
  labels: boolean[];
  auc: number | null;
  averagePrecision: number | null;
  meanSame: number | null;
  meanDifferent: number | null;
  cohensD: number | null;
  bootstrap: BootstrapReference;
}
interface ThresholdCase {
  name: string;
  train: { scores: number[]; labels: boolean[] };
  test: { scores: number[]; labels: boolean[] };
  threshold: number;
  trainAccuracy: number;
  bestPossibleTrainAccuracy: number;
  testAccuracy: number;
}
interface CvCase {
  name: string;
  scores: number[];
  labels: boolean[];
  seed: number;
  foldOf: number[];
  accuracy: number;
  threshold: number;
  folds: number;
}
interface GradedCase {
  name: string;
  x: number[];
  y: number[];
  spearman: number | null;
  pearson: number | null;
  spearmanBootstrap: BootstrapReference;
  pearsonBootstrap: BootstrapReference;
}
const FLAT_FIELDS = [
  'auc',
  'aucCiLow',
  'aucCiHigh',
  'averagePrecision',
  'accuracy',
  'threshold',
  'meanCosSame',
  'meanCosDifferent',
  'cohensD',
  'spearman',
  'spearmanCiLow',
  'spearmanCiHigh',
  'pearson',
  'pearsonCiLow',
  'pearsonCiHigh',
  'oovRate',
] as const;
type FlatField = (typeof FLAT_FIELDS)[number];

/** A score's estimates spread into the reference's flat fields. */
function flatten(score: MetricScores): Record<FlatField, number | null> {
  const spread = (name: 'auc' | 'spearman' | 'pearson', estimate: Estimate | null) => ({
    [name]: estimate?.value ?? null,
    [`${name}CiLow`]: estimate?.low ?? null,
    [`${name}CiHigh`]: estimate?.high ?? null,
  });
  return {
    ...spread('auc', score.auc),
    ...spread('spearman', score.spearman),
    ...spread('pearson', score.pearson),
    averagePrecision: score.averagePrecision,
    accuracy: score.accuracy,
    threshold: score.threshold,
    meanCosSame: score.meanCosSame,
    meanCosDifferent: score.meanCosDifferent,
    cohensD: score.cohensD,
    oovRate: score.oovRate,
  } as Record<FlatField, number | null>;
}

interface ScoreCase {
  name: string;
  evaluated: ScoredPair[];
  train: ScoredPair[] | null;
  seed: number;
  key: string;
  resamples: number;
  /** The reference keeps estimates as three flat fields (auc, aucCiLow, aucCiHigh). */
  expected: Record<FlatField, number | null> & Pick<MetricScores, 'nPairs' | 'thresholdSource'>;
  words: Omit<WordScore, 'model' | 'representation'>[];
}
interface Reference {
  provenance: Record<string, string | number>;
  prng: {
    mulberry32: { seed: number; first: number[] }[];
    fnv1a32: { text: string; hash: number }[];
    deriveSeed: { seed: number; key: string; value: number }[];
  };
  binary: BinaryCase[];
  threshold: ThresholdCase[];
  cv: CvCase[];
  graded: GradedCase[];
  score: ScoreCase[];
}

const reference = JSON.parse(readFileSync(new URL('./fixtures/metrics/reference.json', import.meta.url), 'utf8')) as Reference;

/** Asserts equal nullness and, for numbers, agreement within `tolerance`. */
function expectClose(actual: number | null | undefined, expected: number | null, tolerance = TOLERANCE): void {
  if (expected === null) {
    expect(actual).toBeNull();
    return;
  }
  expect(actual).not.toBeNull();
  expect(Math.abs(actual! - expected)).toBeLessThanOrEqual(tolerance);
}

describe('seeded randomness matches its Python re-implementation', () => {
  it.each(reference.prng.mulberry32)('mulberry32($seed)', ({ seed, first }) => {
    const random = mulberry32(seed);
    expect(first.map(() => random.next())).toEqual(first);
  });
  it.each(reference.prng.fnv1a32)('fnv1a32($text)', ({ text, hash }) => {
    expect(fnv1a32(text)).toBe(hash);
  });
  it.each(reference.prng.deriveSeed)('deriveSeed($seed, $key)', ({ seed, key, value }) => {
    expect(deriveSeed(seed, key)).toBe(value);
  });
});

describe.each(reference.binary)('binary case $name', (c) => {
  const input = { scores: c.scores, labels: c.labels };
  it('ROC-AUC equals sklearn roc_auc_score', () => {
    expectClose(rocAuc(input), c.auc);
  });
  it('average precision equals sklearn average_precision_score', () => {
    expectClose(averagePrecision(input), c.averagePrecision);
  });
  it("class means and Cohen's d equal numpy", () => {
    const means = classMeans(input);
    expectClose(means.meanPositive, c.meanSame);
    expectClose(means.meanNegative, c.meanDifferent);
    expectClose(cohensD(input), c.cohensD);
  });
  it('stratified bootstrap replays the stream and matches sklearn per resample', () => {
    const options = { seed: c.bootstrap.seed, resamples: c.bootstrap.resamples };
    const samples = bootstrapAucSamples(input, options);
    expect(samples).toHaveLength(c.bootstrap.count);
    c.bootstrap.first.forEach((value, i) => {
      expectClose(samples[i], value);
    });
    const interval = bootstrapAucCi(input, options);
    expectClose(interval.low, c.bootstrap.low);
    expectClose(interval.high, c.bootstrap.high);
  });
});

describe.each(reference.threshold)('threshold learner, case $name', (c) => {
  it('reaches the best train accuracy any threshold can, with the documented tie-break', () => {
    const learned = learnThreshold(c.train)!;
    expect(learned.trainAccuracy).toBe(c.bestPossibleTrainAccuracy);
    expect(learned.trainAccuracy).toBe(c.trainAccuracy);
    expect(learned.threshold).toBe(c.threshold);
  });
  it('gives the brute-force test accuracy at that threshold', () => {
    expect(accuracyAt(c.test, c.threshold)).toBe(c.testAccuracy);
  });
});

describe.each(reference.cv)('cross-validated accuracy, case $name', (c) => {
  it('assigns the documented stratified folds', () => {
    expect(Array.from(stratifiedFolds(c.labels, c.folds, c.seed))).toEqual(c.foldOf);
  });
  it('matches fold-by-fold brute-force learning', () => {
    const result = crossValidatedAccuracy({ scores: c.scores, labels: c.labels }, { seed: c.seed })!;
    expect(result.folds).toBe(c.folds);
    expect(result.accuracy).toBe(c.accuracy);
    expectClose(result.threshold, c.threshold);
  });
});

describe.each(reference.graded)('graded case $name', (c) => {
  const input = { x: c.x, y: c.y };
  it('Spearman and Pearson equal scipy', () => {
    expectClose(spearman(input), c.spearman);
    expectClose(pearson(input), c.pearson);
  });
  it.each([
    ['spearman', spearmanMetric, c.spearmanBootstrap],
    ['pearson', pearsonMetric, c.pearsonBootstrap],
  ] as const)('%s bootstrap interval equals scipy over the replayed resamples', (_name, metric, expected) => {
    const options = { seed: expected.seed, resamples: expected.resamples };
    const samples = bootstrapPairedSamples(metric, input, options);
    expect(samples).toHaveLength(expected.count);
    expected.first.forEach((value, i) => {
      expectClose(samples[i], value);
    });
    const interval = bootstrapPairedCi(metric, input, options);
    expectClose(interval.low, expected.low);
    expectClose(interval.high, expected.high);
  });
});

describe.each(reference.graded)('rank-counting Spearman bootstrap, case $name', (c) => {
  it('gives exactly the values of the generic paired bootstrap, hence scipy\'s', () => {
    const input = { x: c.x, y: c.y };
    const options = { seed: c.spearmanBootstrap.seed, resamples: c.spearmanBootstrap.resamples };
    expect(bootstrapSpearmanSamples(input, options)).toEqual(bootstrapPairedSamples(spearmanMetric, input, options));
    const interval = bootstrapSpearmanCi(input, options);
    expectClose(interval.low, c.spearmanBootstrap.low);
    expectClose(interval.high, c.spearmanBootstrap.high);
  });
});

describe.each(reference.score)('scoreRepresentation end to end, case $name', (c) => {
  const score = scoreRepresentation({
    evaluated: c.evaluated,
    ...(c.train === null ? {} : { train: c.train }),
    seed: c.seed,
    key: c.key,
    bootstrapResamples: c.resamples,
  });
  it('matches every field computed in Python', () => {
    expect(score.nPairs).toBe(c.expected.nPairs);
    expect(score.thresholdSource).toBe(c.expected.thresholdSource);
    // Class counts of the scored, labelled pairs, counted here from the inputs.
    const labelled = c.evaluated.filter((pair) => pair.cosine !== null && pair.label !== null);
    expect([score.nSame, score.nDifferent]).toEqual([labelled.filter((pair) => pair.label).length, labelled.filter((pair) => !pair.label).length]);
    const flat = flatten(score);
    for (const field of FLAT_FIELDS) {
      expectClose(flat[field], c.expected[field]);
    }
  });
  it('per-word rows match', () => {
    const words = scoreWords({ evaluated: c.evaluated, model: 'm', representation: 'r' });
    expect(words.map((w) => w.word)).toEqual(c.words.map((w) => w.word));
    words.forEach((row, i) => {
      const expected = c.words[i]!;
      expect(row.model).toBe('m');
      expect(row.representation).toBe('r');
      expect([row.nPairs, row.nSame, row.nDifferent]).toEqual([expected.nPairs, expected.nSame, expected.nDifferent]);
      expectClose(row.auc, expected.auc);
      expectClose(row.meanCosSame, expected.meanCosSame);
      expectClose(row.meanCosDifferent, expected.meanCosDifferent);
    });
  });
});
