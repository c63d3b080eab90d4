/**
 * Properties and edge cases of the metrics that a reference table cannot show: determinism of the
 * seeded streams, interval behaviour as n grows, nulls for undefined values, input validation.
 */
import { describe, expect, it } from 'vitest';
import {
  averagePrecision,
  bootstrapAucCi,
  bootstrapAucSamples,
  bootstrapPairedCi,
  cohensD,
  crossValidatedAccuracy,
  learnThreshold,
  mulberry32,
  pearson,
  quantileSorted,
  rocAuc,
  scoreRepresentation,
  scoreWords,
  spearman,
  spearmanMetric,
  stratifiedFolds,
  type BinaryScores,
  type ScoredPair,
} from '../src/metrics/index.js';

/** Two overlapping normal classes (positives shifted up by `shift`), from a seeded stream. */
function syntheticBinary(n: number, shift: number, seed: number): { scores: number[]; labels: boolean[] } {
  const random = mulberry32(seed);
  const scores: number[] = [];
  const labels: boolean[] = [];
  for (let i = 0; i < n; i++) {
    const label = i % 2 === 0;
    // Box-Muller; 1 - u keeps the logarithm finite.
    const normal = Math.sqrt(-2 * Math.log(1 - random.next())) * Math.cos(2 * Math.PI * random.next());
    scores.push(0.4 + 0.15 * normal + (label ? shift : 0));
    labels.push(label);
  }
  return { scores, labels };
}

function pairsFrom(data: { scores: number[]; labels: boolean[] }, word = 'w'): ScoredPair[] {
  return data.scores.map((cosine, i) => ({ word, label: data.labels[i]!, score: null, cosine }));
}

const base = { seed: 7, key: 'glove-100d:target:lesson:test' } as const;

describe('bootstrap', () => {
  const data = syntheticBinary(300, 0.1, 1);

  it('is deterministic for a seed and changes with the seed', () => {
    const first = bootstrapAucSamples(data, { seed: 99, resamples: 200 });
    expect(bootstrapAucSamples(data, { seed: 99, resamples: 200 })).toEqual(first);
    expect(bootstrapAucSamples(data, { seed: 100, resamples: 200 })).not.toEqual(first);
  });

  it('brackets the point estimate', () => {
    const auc = rocAuc(data)!;
    const interval = bootstrapAucCi(data, { seed: 3 });
    expect(interval.low!).toBeLessThan(auc);
    expect(interval.high!).toBeGreaterThan(auc);
    const rhoInput = { x: data.scores, y: data.scores.map((s, i) => s + (data.labels[i] ? 0.3 : 0)) };
    const rho = spearman(rhoInput)!;
    const rhoInterval = bootstrapPairedCi(spearmanMetric, rhoInput, { seed: 3 });
    expect(rhoInterval.low!).toBeLessThan(rho);
    expect(rhoInterval.high!).toBeGreaterThan(rho);
  });

  it('narrows as n grows', () => {
    const width = (n: number): number => {
      const interval = bootstrapAucCi(syntheticBinary(n, 0.1, 5), { seed: 11, resamples: 400 });
      return interval.high! - interval.low!;
    };
    const small = width(60);
    const large = width(2400);
    // The standard error shrinks like 1/sqrt(n): 40x the data, about a sixth of the width.
    expect(large).toBeLessThan(small / 3);
  });

  it('gives no interval without resamples or without both classes', () => {
    expect(bootstrapAucCi(data, { seed: 1, resamples: 0 })).toEqual({ low: null, high: null });
    expect(bootstrapAucCi({ scores: [0.1, 0.2], labels: [true, true] }, { seed: 1 })).toEqual({ low: null, high: null });
    expect(bootstrapAucCi({ scores: [], labels: [] }, { seed: 1 })).toEqual({ low: null, high: null });
  });

  it('interpolates quantiles as numpy does', () => {
    // numpy.quantile([1, 2, 3, 4], [0, 0.25, 0.5, 0.975, 1]) = [1, 1.75, 2.5, 3.925, 4]
    const sorted = [1, 2, 3, 4];
    expect([0, 0.25, 0.5, 0.975, 1].map((q) => quantileSorted(sorted, q))).toEqual([1, 1.75, 2.5, 3.925, 4]);
  });
});

describe('undefined metrics are null, never NaN', () => {
  const oneClass: BinaryScores = { scores: [0.3, 0.9], labels: [false, false] };
  it('one class', () => {
    expect(rocAuc(oneClass)).toBeNull();
    expect(averagePrecision(oneClass)).toBeNull();
    expect(cohensD(oneClass)).toBeNull();
  });
  it('empty input', () => {
    const empty = { scores: [], labels: [] };
    expect(rocAuc(empty)).toBeNull();
    expect(averagePrecision(empty)).toBeNull();
    expect(learnThreshold(empty)).toBeNull();
    expect(crossValidatedAccuracy(empty, { seed: 1 })).toBeNull();
    expect(spearman({ x: [], y: [] })).toBeNull();
    expect(pearson({ x: [0.5], y: [1] })).toBeNull();
  });
  it('all cosines equal: AUC exactly 0.5, no effect size', () => {
    const tied = { scores: [1, 1, 1, 1, 1], labels: [true, false, false, true, false] };
    expect(rocAuc(tied)).toBe(0.5);
    expect(cohensD(tied)).toBeNull();
  });
});

describe('input validation', () => {
  it('rejects NaN and mismatched lengths', () => {
    expect(() => rocAuc({ scores: [0.1, Number.NaN], labels: [true, false] })).toThrow(RangeError);
    expect(() => rocAuc({ scores: [0.1], labels: [true, false] })).toThrow(RangeError);
    expect(() => pearson({ x: [1, 2], y: [1] })).toThrow(RangeError);
  });
});

describe('ranking symmetry', () => {
  it('negating the scores turns AUC into 1 - AUC', () => {
    const data = syntheticBinary(101, 0.05, 9);
    const flipped = { scores: data.scores.map((s) => -s), labels: data.labels };
    expect(rocAuc(flipped)! + rocAuc(data)!).toBeCloseTo(1, 14);
  });
});

describe('threshold learning', () => {
  it('keeps each class balanced across folds', () => {
    const labels = Array.from({ length: 53 }, (_, i) => i % 3 === 0);
    const folds = stratifiedFolds(labels, 5, 1);
    for (let fold = 0; fold < 5; fold++) {
      const members = labels.filter((_, i) => folds[i] === fold);
      const positives = members.filter(Boolean).length;
      expect(Math.abs(positives - 18 / 5)).toBeLessThanOrEqual(1);
      expect(Math.abs(members.length - positives - 35 / 5)).toBeLessThanOrEqual(1);
    }
  });
  it('uses at most n folds', () => {
    expect(crossValidatedAccuracy({ scores: [0.1, 0.9, 0.5], labels: [false, true, true] }, { seed: 2 })!.folds).toBe(3);
  });
});

describe('scoreRepresentation', () => {
  const data = syntheticBinary(200, 0.1, 21);
  const evaluated = pairsFrom(data);

  it('is byte-identical across calls and uses cross-validation without a train split', () => {
    const first = scoreRepresentation({ ...base, evaluated, bootstrapResamples: 200 });
    expect(JSON.stringify(scoreRepresentation({ ...base, evaluated, bootstrapResamples: 200 }))).toBe(JSON.stringify(first));
    expect(first.thresholdSource).toBe('cv');
  });

  it("keys each row's random streams so other rows cannot move them", () => {
    const keyed = (key: string) => scoreRepresentation({ ...base, evaluated, bootstrapResamples: 200, key });
    const row = keyed('glove-100d:target:lesson:test');
    expect(keyed('glove-100d:target:lesson:test').auc!.low).toBe(row.auc!.low);
    expect(keyed('glove-100d:target:lesson:dev').auc!.low).not.toBe(row.auc!.low);
  });

  it('falls back to cross-validation when the train split has no labelled, scored pair', () => {
    const train: ScoredPair[] = [
      { word: 'w', label: null, score: null, cosine: 0.5 },
      { word: 'w', label: true, score: null, cosine: null },
    ];
    expect(scoreRepresentation({ ...base, evaluated, train, bootstrapResamples: 0 }).thresholdSource).toBe('cv');
    const labelledTrain = pairsFrom(syntheticBinary(50, 0.1, 4));
    const fromTrain = scoreRepresentation({ ...base, evaluated, train: labelledTrain, bootstrapResamples: 0 });
    expect(fromTrain.thresholdSource).toBe('train');
    expect(fromTrain.threshold).toBe(learnThreshold({ scores: labelledTrain.map((p) => p.cosine!), labels: labelledTrain.map((p) => p.label!) })!.threshold);
  });

  it('computes correlations only when every scored pair has a graded score', () => {
    const graded = evaluated.map((pair, i) => ({ ...pair, label: null, score: i % 7 }));
    const full = scoreRepresentation({ ...base, evaluated: graded, bootstrapResamples: 50 });
    expect(full.spearman).not.toBeNull();
    expect(full.thresholdSource).toBe('none');
    expect(full.auc).toBeNull();
    const partial = graded.map((pair, i) => (i === 3 ? { ...pair, score: null } : pair));
    expect(scoreRepresentation({ ...base, evaluated: partial, bootstrapResamples: 50 }).spearman).toBeNull();
    // A missing score on an out-of-vocabulary pair does not matter: that pair is not scored.
    const oovUngraded = graded.map((pair, i) => (i === 3 ? { ...pair, score: null, cosine: null } : pair));
    expect(scoreRepresentation({ ...base, evaluated: oovUngraded, bootstrapResamples: 50 }).spearman).not.toBeNull();
  });
});

describe('scoreWords on graded pairs (per-lemma Spearman, as DWUG reports it)', () => {
  it("gives each word the Spearman of its own pairs, and none below three pairs", () => {
    const pairs: ScoredPair[] = [
      ...[0.1, 0.5, 0.3, 0.9].map((cosine, i) => ({ word: 'a', label: null, score: [1, 3, 2, 4][i]!, cosine })),
      ...[0.2, 0.4].map((cosine, i) => ({ word: 'b', label: null, score: i + 1, cosine })),
    ];
    const [a, b] = scoreWords({ evaluated: pairs, model: 'm', representation: 'r' });
    // Word a: cosine order 0.1 < 0.3 < 0.5 < 0.9 matches score order 1 < 2 < 3 < 4 exactly.
    expect(a!.spearman).toBe(1);
    expect(b!.spearman).toBeNull();
  });
});

describe('scoreWords', () => {
  it('orders words by code unit and keeps words without any vector', () => {
    const pairs: ScoredPair[] = [
      { word: 'bat', label: true, score: null, cosine: 0.8 },
      { word: 'Bank', label: false, score: null, cosine: 0.2 },
      { word: 'bat', label: false, score: null, cosine: 0.3 },
      { word: 'zyx', label: true, score: null, cosine: null },
    ];
    const words = scoreWords({ evaluated: pairs, model: 'm', representation: 'r' });
    expect(words.map((w) => [w.word, w.nPairs, w.nSame, w.nDifferent, w.auc])).toEqual([
      ['Bank', 1, 0, 1, null],
      ['bat', 2, 1, 1, 1],
      ['zyx', 0, 0, 0, null],
    ]);
  });
});
