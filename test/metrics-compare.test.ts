/**
 * Paired comparisons (src/metrics/compare.ts) against the reference script's replay of the same
 * draws scored with sklearn's roc_auc_score / scipy's spearmanr (test/fixtures/metrics/
 * make_analysis_reference.py), plus the defining property of a paired bootstrap: with the same
 * seed, resample b of the difference is resample b of A minus resample b of B.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  type DeLongResult,
  AucResamples,
  bootstrapAucDifferenceSamples,
  bootstrapAucSamples,
  bootstrapSpearmanDifferenceSamples,
  bootstrapSpearmanSamples,
  compareAuc,
  compareSpearman,
  mulberry32,
  rankForAuc,
} from '../src/metrics/index.js';

interface Bootstrapped {
  name: string;
  seed: number;
  resamples: number;
  nPairs: number;
  difference: number | null;
  low: number | null;
  high: number | null;
  first: number[];
  count: number;
}
interface AucCase extends Bootstrapped {
  cosinesA: (number | null)[];
  cosinesB: (number | null)[];
  labels: boolean[];
  aucA: number | null;
  aucB: number | null;
  delong: DeLongResult;
}
interface SpearmanCase extends Bootstrapped {
  cosinesA: (number | null)[];
  cosinesB: (number | null)[];
  gold: number[];
  spearmanA: number | null;
  spearmanB: number | null;
}
const reference = JSON.parse(readFileSync(new URL('./fixtures/metrics/analysis_reference.json', import.meta.url), 'utf8')) as {
  compareAuc: AucCase[];
  compareSpearman: SpearmanCase[];
};

const TOLERANCE = 1e-12;

function expectClose(actual: number | null | undefined, expected: number | null, what: string, tolerance = TOLERANCE): void {
  if (expected === null) expect(actual ?? null, what).toBeNull();
  else expect(Math.abs(actual! - expected), what).toBeLessThanOrEqual(tolerance);
}

function complete<T extends unknown[]>(...columns: { [K in keyof T]: readonly (T[K] | null)[] }): { [K in keyof T]: T[K][] } {
  const keep = columns[0]!.map((_, i) => i).filter((i) => columns.every((c) => c[i] !== null));
  return columns.map((c) => keep.map((i) => c[i])) as { [K in keyof T]: T[K][] };
}

describe('compareAuc against sklearn on replayed draws', () => {
  for (const c of reference.compareAuc) {
    it(c.name, () => {
      const result = compareAuc({ cosinesA: c.cosinesA, cosinesB: c.cosinesB, labels: c.labels }, { seed: c.seed, resamples: c.resamples });
      expect(result.nPairs).toBe(c.nPairs);
      expectClose(result.aucA, c.aucA, 'aucA');
      expectClose(result.aucB, c.aucB, 'aucB');
      expectClose(result.difference, c.difference, 'difference');
      expectClose(result.differenceCi.low, c.low, 'low');
      expectClose(result.differenceCi.high, c.high, 'high');
      expectClose(result.delong.z, c.delong.z, 'z', 1e-9);
      expectClose(result.delong.p, c.delong.p, 'p', 1e-9);
      const [a, b, labels] = complete<[number, number, boolean]>(c.cosinesA, c.cosinesB, c.labels);
      const samples = bootstrapAucDifferenceSamples(a, b, labels, { seed: c.seed, resamples: c.resamples });
      expect(samples).toHaveLength(c.count);
      samples.slice(0, 5).forEach((v, i) => { expectClose(v, c.first[i]!, `sample ${i}`); });
    });
  }
});

describe('compareSpearman against scipy on replayed draws', () => {
  for (const c of reference.compareSpearman) {
    it(c.name, () => {
      const result = compareSpearman({ cosinesA: c.cosinesA, cosinesB: c.cosinesB, gold: c.gold }, { seed: c.seed, resamples: c.resamples });
      expect(result.nPairs).toBe(c.nPairs);
      expectClose(result.spearmanA, c.spearmanA, 'spearmanA');
      expectClose(result.spearmanB, c.spearmanB, 'spearmanB');
      expectClose(result.difference, c.difference, 'difference');
      expectClose(result.differenceCi.low, c.low, 'low');
      expectClose(result.differenceCi.high, c.high, 'high');
      const [a, b, gold] = complete<[number, number, number]>(c.cosinesA, c.cosinesB, c.gold);
      const samples = bootstrapSpearmanDifferenceSamples(a, b, gold, { seed: c.seed, resamples: c.resamples });
      expect(samples).toHaveLength(c.count);
      samples.slice(0, 5).forEach((v, i) => { expectClose(v, c.first[i]!, `sample ${i}`); });
    });
  }
});

function randomPairs(n: number, seed: number): { a: number[]; b: number[]; labels: boolean[]; gold: number[] } {
  const random = mulberry32(seed);
  const labels = Array.from({ length: n }, () => random.next() < 0.4);
  const gold = labels.map((l) => Math.round((random.next() + (l ? 0.5 : 0)) * 4));
  const a = labels.map((l) => Math.round((random.next() + (l ? 0.2 : 0)) * 100) / 100);
  const b = a.map((v, i) => Math.round((0.6 * v + 0.4 * random.next() + (labels[i] ? 0.1 : 0)) * 100) / 100);
  return { a, b, labels, gold };
}

describe('the paired bootstrap uses the same resamples for both representations', () => {
  it('AUC: each difference is the one-representation bootstrap of A minus that of B, same seed', () => {
    const { a, b, labels } = randomPairs(150, 3);
    const options = { seed: 99, resamples: 200 };
    const difference = bootstrapAucDifferenceSamples(a, b, labels, options);
    const onlyA = bootstrapAucSamples({ scores: a, labels }, options);
    const onlyB = bootstrapAucSamples({ scores: b, labels }, options);
    difference.forEach((d, i) => { expect(d).toBeCloseTo(onlyA[i]! - onlyB[i]!, 15); });
  });

  it('Spearman: each difference is the one-representation bootstrap of A minus that of B, same seed', () => {
    const { a, b, gold } = randomPairs(120, 4);
    const options = { seed: 7, resamples: 200 };
    const difference = bootstrapSpearmanDifferenceSamples(a, b, gold, options);
    const onlyA = bootstrapSpearmanSamples({ x: a, y: gold }, options);
    const onlyB = bootstrapSpearmanSamples({ x: b, y: gold }, options);
    expect(difference).toHaveLength(200);
    difference.forEach((d, i) => { expect(d).toBeCloseTo(onlyA[i]! - onlyB[i]!, 15); });
  });

  it('AucResamples scores rankings together on one set of draws: each as the one-representation bootstrap alone, whatever is drawn with it', () => {
    const { a, b, labels } = randomPairs(150, 5);
    const fewer = randomPairs(90, 6);
    const options = { seed: 31, resamples: 150 };
    const rankings = [rankForAuc(a, labels, 'a'), rankForAuc(b, labels, 'b'), rankForAuc(fewer.a, fewer.labels, 'fewer'), rankForAuc(a.map((value) => -value), labels, 'reversed')];
    const together = new AucResamples(options);
    together.draw(rankings);
    const alone = [bootstrapAucSamples({ scores: a, labels }, options), bootstrapAucSamples({ scores: b, labels }, options), bootstrapAucSamples({ scores: fewer.a, labels: fewer.labels }, options), bootstrapAucSamples({ scores: a.map((value) => -value), labels }, options)];
    rankings.forEach((ranking, r) => { expect(Array.from(together.of(ranking))).toEqual(alone[r]); });
    // Drawn in another order, one at a time: the same values.
    const oneByOne = new AucResamples(options);
    for (const ranking of [...rankings].reverse()) oneByOne.draw([ranking]);
    rankings.forEach((ranking) => { expect(oneByOne.of(ranking)).toEqual(together.of(ranking)); });
    const differences = bootstrapAucDifferenceSamples(a, b, labels, options);
    differences.forEach((difference, i) => { expect(difference).toBe(together.of(rankings[0]!)[i]! - together.of(rankings[1]!)[i]!); });
  });

  it('comparing a representation with itself gives a difference of 0 and the interval [0, 0]', () => {
    const { a, labels, gold } = randomPairs(80, 5);
    const auc = compareAuc({ cosinesA: a, cosinesB: a, labels }, { seed: 1, resamples: 100 });
    expect(auc.difference).toBe(0);
    expect(auc.differenceCi).toEqual({ low: 0, high: 0 });
    expect(auc.delong.z).toBeNull();
    const rho = compareSpearman({ cosinesA: a, cosinesB: a, gold }, { seed: 1, resamples: 100 });
    expect(rho.differenceCi).toEqual({ low: 0, high: 0 });
  });

  it('swapping A and B mirrors the interval', () => {
    const { a, b, labels } = randomPairs(100, 6);
    const ab = compareAuc({ cosinesA: a, cosinesB: b, labels }, { seed: 2, resamples: 300 });
    const ba = compareAuc({ cosinesA: b, cosinesB: a, labels }, { seed: 2, resamples: 300 });
    expect(ba.differenceCi.low).toBeCloseTo(-ab.differenceCi.high!, 12);
    expect(ba.differenceCi.high).toBeCloseTo(-ab.differenceCi.low!, 12);
  });

  it('drops pairs missing in either representation and reports n; no pairs gives nulls', () => {
    const result = compareAuc({ cosinesA: [0.1, null, 0.5, 0.7], cosinesB: [0.2, 0.3, null, 0.6], labels: [true, false, true, false] }, { seed: 1 });
    expect(result.nPairs).toBe(2);
    expect(compareAuc({ cosinesA: [null], cosinesB: [0.1], labels: [true] }, { seed: 1 })).toMatchObject({
      nPairs: 0,
      aucA: null,
      difference: null,
      differenceCi: { low: null, high: null },
    });
    expect(() => compareAuc({ cosinesA: [0.1], cosinesB: [], labels: [true] }, { seed: 1 })).toThrow(RangeError);
    expect(() => compareSpearman({ cosinesA: [0.1, 0.2], cosinesB: [0.3, 0.1], gold: [1] }, { seed: 1 })).toThrow(RangeError);
  });
});
