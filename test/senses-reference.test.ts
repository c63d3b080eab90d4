/**
 * The sense modules against numpy / scikit-learn: test/fixtures/senses/make_reference.py computed
 * every expected value below (see its docstring for how); the inputs are stored beside them.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fitPca, project } from '../src/metrics/pca.js';
import { chooseK, kmeansPlusPlus, lloyd } from '../src/metrics/kmeans.js';
import { cosineSilhouette, scoreSenses, scoreWords, TIE_TOLERANCE, unitVectors } from '../src/metrics/senses.js';
import { sensesTable } from '../src/results/schema.js';
import { fitLogistic, pairFeatureMatrix, predictProbabilities, trainProbe, wordFolds } from '../src/metrics/probe.js';
import { rocAuc } from '../src/metrics/ranking.js';
import { trainPairProbe } from '../src/pipeline/cosines.js';
import type { SentencePair, SplitName } from '../src/types.js';
import { mulberry32 } from '../src/random.js';

interface Reference {
  readonly tie_tolerance: number;
  readonly senses: {
    readonly occurrences: { word: string; sense: string }[];
    readonly vectors: (number[] | null)[];
    readonly seed: number;
    readonly resamples: number;
    readonly per_word: { word: string; n: number; nn1: number; credits: number[]; mfs: number; reachable: number; silhouette: number | null }[];
    readonly expected: {
      words: number;
      occurrences: number;
      missing: number;
      nn1_accuracy: number;
      nn1_ci: [number, number];
      mfs_accuracy: number;
      nn1_ceiling: number;
      silhouette: number;
      silhouette_ci: [number, number];
      silhouette_words: number;
    };
  };
  readonly kmeans: { points: number[][]; init_rows: number[]; labels: number[]; centres: number[][]; inertia: number; iterations: number; silhouette: number }[];
  readonly logistic: {
    u: number[][];
    v: number[][];
    labels: boolean[];
    features: number[][];
    fits: { C: number; coef: number[]; intercept: number; probabilities: number[]; newton_coef: number[]; newton_intercept: number; sklearn_vs_newton_max: number }[];
    cv: { seed: number; words: string[]; labels: boolean[]; folds: number[]; grid: number[]; log_loss: number[]; chosen_C: number };
  };
  readonly pca: { matrix: number[][]; k: number; mean: number[]; components: number[][]; explained_variance: number[]; total_variance: number; projections: number[][] }[];
}

const reference = JSON.parse(readFileSync(join(import.meta.dirname, 'fixtures', 'senses', 'reference.json'), 'utf8')) as Reference;

function expectClose(actual: ArrayLike<number>, expected: readonly number[], tolerance: number): void {
  expect(actual.length).toBe(expected.length);
  for (let i = 0; i < expected.length; i++) expect(Math.abs(actual[i]! - expected[i]!)).toBeLessThanOrEqual(tolerance);
}

describe('sense metrics vs numpy/sklearn', () => {
  const { occurrences, vectors, per_word: perWord, expected, seed, resamples } = reference.senses;

  it('uses the tie tolerance of the reference script', () => {
    expect(TIE_TOLERANCE).toBe(reference.tie_tolerance);
  });

  it('scores every word: leave-one-out 1-NN credits, MFS, sklearn silhouette_score(metric=cosine)', () => {
    const { words, missing } = scoreWords(occurrences, vectors);
    expect(missing).toBe(expected.missing);
    expect(words.map((word) => word.word)).toEqual(perWord.map((word) => word.word));
    words.forEach((word, i) => {
      const want = perWord[i]!;
      expect(word.occurrences).toBe(want.n);
      expect(word.nn1Correct).toBeCloseTo(want.nn1, 12);
      expect(word.mfsCorrect).toBe(want.mfs);
      expect(word.nn1Reachable).toBe(want.reachable);
      if (want.silhouette === null) expect(word.silhouette).toBeNull();
      else expect(Math.abs(word.silhouette! - want.silhouette)).toBeLessThan(1e-12);
    });
  });

  it('gives identical vectors chance credit and silhouette 0, never a lucky first neighbour', () => {
    const gamma = perWord.find((word) => word.word === 'gamma')!;
    expect(gamma.credits).toEqual([0.5, 0.5, 0.5, 0.25, 0.25]);
    const { words } = scoreWords(
      occurrences.filter((o) => o.word === 'gamma'),
      vectors.filter((_v, i) => occurrences[i]!.word === 'gamma'),
    );
    expect(words[0]!.nn1Correct).toBeCloseTo(2, 12);
    expect(words[0]!.silhouette).toBe(0);
  });

  it('pools accuracy over occurrences, averages silhouette over words and bootstraps over words', () => {
    const row = scoreSenses({ dataset: 'fixture', model: 'm', kind: 'static', representation: 'r', occurrences, vectors, seed, resamples });
    expect(row.words).toBe(expected.words);
    expect(row.occurrences).toBe(expected.occurrences);
    expect(row.missing).toBe(expected.missing);
    expect(row.nn1_accuracy!).toBeCloseTo(expected.nn1_accuracy, 12);
    expect(row.mfs_accuracy!).toBeCloseTo(expected.mfs_accuracy, 12);
    expect(row.nn1_ceiling!).toBeCloseTo(expected.nn1_ceiling, 12);
    expect(row.silhouette!).toBeCloseTo(expected.silhouette, 12);
    expect(row.silhouette_words).toBe(expected.silhouette_words);
    expect(row.nn1_ci_low!).toBeCloseTo(expected.nn1_ci[0], 12);
    expect(row.nn1_ci_high!).toBeCloseTo(expected.nn1_ci[1], 12);
    expect(row.silhouette_ci_low!).toBeCloseTo(expected.silhouette_ci[0], 12);
    expect(row.silhouette_ci_high!).toBeCloseTo(expected.silhouette_ci[1], 12);
  });
});

describe('senses.csv', () => {
  it('writes the columns in order, counts as integers, metrics with 6 decimals, empty for null', () => {
    const { occurrences, vectors, seed } = reference.senses;
    const row = scoreSenses({ dataset: 'fixture', model: 'm', kind: 'static', representation: 'r', occurrences, vectors, seed, resamples: 0 });
    const [header, line, end] = sensesTable.toCsv([row]).split('\n');
    expect(header).toBe(sensesTable.header.join(','));
    expect(sensesTable.header.slice(0, 11)).toEqual(['dataset', 'model', 'kind', 'representation', 'words', 'occurrences', 'missing', 'nn1_accuracy', 'nn1_ci_low', 'nn1_ci_high', 'mfs_accuracy']);
    expect(line).toBe(`fixture,m,static,r,5,25,2,0.680000,,,0.520000,0.880000,${row.silhouette!.toFixed(6)},,,4`);
    expect(end).toBe('');
  });
});

describe('k-means vs sklearn KMeans(init=<same centres>, n_init=1)', () => {
  reference.kmeans.forEach((fixture, index) => {
    it(`reproduces labels, centres and inertia (case ${index + 1}, k=${fixture.init_rows.length})`, () => {
      const units = unitVectors(fixture.points).map((unit) => unit!);
      const result = lloyd(
        units,
        fixture.init_rows.map((row) => units[row]!),
      );
      expect(result.converged).toBe(true);
      expect(Array.from(result.labels)).toEqual(fixture.labels);
      result.centres.forEach((centre, c) => { expectClose(centre, fixture.centres[c]!, 1e-9); });
      expect(Math.abs(result.inertia - fixture.inertia)).toBeLessThan(1e-9);
      expect(Math.abs(cosineSilhouette(units, Array.from(result.labels))! - fixture.silhouette)).toBeLessThan(1e-12);
    });
  });

  it('seeds k-means++ reproducibly and picks distinct points', () => {
    const units = unitVectors(reference.kmeans[0]!.points).map((unit) => unit!);
    const a = kmeansPlusPlus(units, 3, mulberry32(7));
    const b = kmeansPlusPlus(units, 3, mulberry32(7));
    expect(a).toEqual(b);
    expect(new Set(a.map((centre) => units.findIndex((unit) => unit.every((x, i) => x === centre[i])))).size).toBe(3);
    expect(kmeansPlusPlus([units[0]!, units[0]!, units[0]!], 3, mulberry32(1))).toHaveLength(1);
  });

  it('chooses k by silhouette: the planted 3 clusters, and k=1 for one blob or too few points', () => {
    const fixture = reference.kmeans[0]!;
    const three = chooseK(fixture.points, { seed: 3 });
    expect(three.k).toBe(3);
    expect(three.silhouettes[3]).toBeGreaterThan(three.silhouettes[2]!);
    // 8 points: fewer than MIN_POINTS_PER_CLUSTER (5) per cluster for any k >= 2.
    expect(chooseK(fixture.points.slice(0, 8), { seed: 3 }).k).toBe(1);
    const blob = fixture.points.filter((_p, i) => fixture.labels[i] === 0);
    // One blob: no split reaches a demanding threshold.
    const single = chooseK(blob, { seed: 3, threshold: 0.99 });
    expect(single.k).toBe(1);
    expect(single.centres).toHaveLength(1);
  });
});

describe('logistic regression probe vs sklearn LogisticRegression', () => {
  const { u, v, labels, features, fits } = reference.logistic;

  it('builds [u * v, |u - v|] from unit-length vectors', () => {
    const matrix = pairFeatureMatrix(u.map((row, i) => ({ u: row, v: v[i]! })));
    expectClose(matrix.data, features.flat(), 1e-14);
  });

  fits.forEach((fit) => {
    it(`fits C=${fit.C}: coefficients and probabilities within 1e-6 of sklearn, 1e-8 of the exact optimum`, () => {
      const matrix = pairFeatureMatrix(u.map((row, i) => ({ u: row, v: v[i]! })));
      const model = fitLogistic(matrix, labels, fit.C);
      expect(model.converged).toBe(true);
      const probabilities = predictProbabilities(model, matrix);
      // sklearn's newton-cg stops on a scaled gradient; where it stopped farther than 1e-7 from the
      // exact optimum (reported by the script), only the exact optimum is a fair 1e-6 target.
      if (fit.sklearn_vs_newton_max < 1e-7) {
        expectClose(model.coef, fit.coef, 1e-6);
        expect(Math.abs(model.intercept - fit.intercept)).toBeLessThan(1e-6);
        expectClose(probabilities, fit.probabilities, 1e-6);
      } else {
        expectClose(model.coef, fit.coef, 10 * fit.sklearn_vs_newton_max);
      }
      expectClose(model.coef, fit.newton_coef, 1e-8);
      expect(Math.abs(model.intercept - fit.newton_intercept)).toBeLessThan(1e-8);
    });
  });

  it('cross-validates C over word folds as sklearn does: same folds, pooled log-loss, same choice', () => {
    const { cv } = reference.logistic;
    expect(Array.from(wordFolds(cv.words, 5, cv.seed))).toEqual(cv.folds);
    const examples = u.map((row, i) => ({ word: cv.words[i]!, u: row, v: v[i]!, label: cv.labels[i]! }));
    const probe = trainProbe(examples, { seed: cv.seed, grid: cv.grid });
    // CV fits stop at a 1e-6 relative gradient, sklearn's at its own tolerance: log-losses agree to 1e-5.
    probe.cv.forEach((entry, g) => { expect(Math.abs(entry.logLoss! - cv.log_loss[g]!)).toBeLessThan(1e-5); });
    expect(probe.C).toBe(cv.chosen_C);
    expect(probe.trainWords).toBe(10);
    expect(trainProbe(examples, { seed: cv.seed, grid: cv.grid })).toEqual(probe);
  });

  it('the pipeline probe leaves out pairs without both vectors, predicts unseen pairs and refuses one-class training', async () => {
    const pair = (i: number, label: boolean, split: SplitName): SentencePair => ({
      id: String(i), word: `w${i % 10}`, sentence1: '', sentence2: '', spans1: [{ start: 0, end: 0 }], spans2: [{ start: 0, end: 0 }], label, score: null, split, source: { file: 'mem', line: i + 1 },
    });
    // 60 train pairs, 20 test pairs, then two train pairs the probe must leave out: a missing vector and a zero one.
    const vectors: [Float32Array | null, Float32Array | null][] = [...u.map((row, i): [Float32Array, Float32Array] => [Float32Array.from(row), Float32Array.from(v[i]!)]), [null, Float32Array.from(v[0]!)], [Float32Array.from(u[0]!), new Float32Array(6)]];
    const pairs = [...labels.map((label, i) => pair(i, label, i < 60 ? 'train' : 'test')), pair(80, true, 'train'), pair(81, false, 'train')];
    const train = new Set(pairs.flatMap((p, i) => (p.split === 'train' ? [i] : [])));
    const vectorOf = (occurrence: number): Float32Array | null => vectors[occurrence >> 1]![occurrence & 1]!;
    const probe = (await trainPairProbe(pairs, train, vectorOf, 1))!;
    expect(probe.trainPairs).toBe(60);
    expect([...probe.outOfFold.keys()]).toEqual([...Array(60).keys()]);
    const test = pairs.slice(60, 80);
    const probabilities = predictProbabilities(probe.model, pairFeatureMatrix(test.map((_p, k) => ({ u: vectorOf(2 * (60 + k))!, v: vectorOf(2 * (60 + k) + 1)! }))));
    expect(rocAuc({ scores: probabilities, labels: test.map((p) => p.label!) })).toBeGreaterThan(0.5);
    expect(test.filter((p, k) => probabilities[k]! >= 0.5 === p.label).length / test.length).toBeGreaterThan(0.5);
    const sameOnly = new Set([...train].filter((i) => pairs[i]!.label === true));
    expect(await trainPairProbe(pairs, sameOnly, vectorOf, 1)).toBeNull();
  });

  it('learns nothing from identical vectors of a balanced word: p = 0.5 everywhere', () => {
    // Each word has one vector (u = v, as a static target gives) and as many same as different pairs.
    const examples = u.slice(0, 40).map((_row, i) => ({ word: `w${i % 10}`, u: u[i % 10]!, v: u[i % 10]!, label: i % 20 < 10 }));
    const probe = trainProbe(examples, { seed: 1 });
    const probabilities = predictProbabilities(probe.model, pairFeatureMatrix(examples));
    for (const p of probabilities) expect(Math.abs(p - 0.5)).toBeLessThan(1e-9);
  });

  it('fits features with large means as fast as centered ones: the same model, the same CG steps', () => {
    // Pair features are never centered (|u - v| is all positive; contextual vectors share a common
    // direction): an offset per column is what such a mean looks like to the solver.
    const matrix = pairFeatureMatrix(u.map((row, i) => ({ u: row, v: v[i]! })));
    const offsets = Array.from({ length: matrix.cols }, (_unused, j) => 3 + (j % 4));
    const shifted = { ...matrix, data: matrix.data.map((value, at) => value + offsets[at % matrix.cols]!) };
    for (const C of [0.1, 10]) {
      const plain = fitLogistic(matrix, labels, C);
      const offset = fitLogistic(shifted, labels, C);
      expectClose(offset.coef, Array.from(plain.coef), 1e-8);
      const shift = offsets.reduce((sum, value, j) => sum + value * plain.coef[j]!, 0);
      expect(Math.abs(offset.intercept - (plain.intercept - shift))).toBeLessThan(1e-8);
      expect(offset.cgSteps).toBeLessThanOrEqual(plain.cgSteps + 2);
    }
  });

  it('warm starts reach the same optimum', () => {
    const matrix = pairFeatureMatrix(u.map((row, i) => ({ u: row, v: v[i]! })));
    const cold = fitLogistic(matrix, labels, 1);
    const warm = fitLogistic(matrix, labels, 1, fitLogistic(matrix, labels, 0.05));
    expectClose(warm.coef, Array.from(cold.coef), 1e-9);
  });
});

describe('PCA vs numpy SVD', () => {
  reference.pca.forEach((fixture, index) => {
    it(`matches mean, components, variances and projections (case ${index + 1}: ${fixture.matrix.length} x ${fixture.matrix[0]!.length})`, () => {
      const rows = fixture.matrix.length;
      const cols = fixture.matrix[0]!.length;
      const pca = fitPca({ rows, cols, data: Float64Array.from(fixture.matrix.flat()) }, fixture.k);
      expectClose(pca.mean, fixture.mean, 1e-12);
      expect(pca.components).toHaveLength(fixture.components.length);
      pca.components.forEach((component, i) => { expectClose(component, fixture.components[i]!, 1e-9); });
      expectClose(pca.explainedVariance, fixture.explained_variance, 1e-9);
      expect(Math.abs(pca.totalVariance - fixture.total_variance)).toBeLessThan(1e-9);
      fixture.matrix.forEach((row, i) => { expectClose(project(pca, Float64Array.from(row)), fixture.projections[i]!, 1e-9); });
    });
  });

  it('gives identical rows zero variance and orthonormal filler components', () => {
    const row = [1, 2, 3, 4];
    const pca = fitPca({ rows: 3, cols: 4, data: Float64Array.from([...row, ...row, ...row]) }, 2);
    expect(pca.totalVariance).toBe(0);
    expect(Array.from(pca.explainedVariance)).toEqual([0, 0]);
    expect(pca.components).toHaveLength(2);
    expect(Array.from(project(pca, Float64Array.from(row)))).toEqual([0, 0]);
    const dotProduct = pca.components[0]!.reduce((sum, x, i) => sum + x * pca.components[1]![i]!, 0);
    expect(Math.abs(dotProduct)).toBeLessThan(1e-12);
  });
});
