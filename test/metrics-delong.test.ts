/**
 * DeLong's test (src/metrics/delong.ts, Sun & Xu's midrank algorithm) against an independent
 * implementation of the 1988 paper's structural components (the m x n Heaviside kernel, np.cov,
 * scipy.stats.norm.sf) in test/fixtures/metrics/make_analysis_reference.py, to 1e-9; plus
 * properties: antisymmetry in A and B, invariance to monotone transforms, the null states.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { type DeLongResult, delongTest, erfc, mulberry32, rocAuc, twoSidedNormalP } from '../src/metrics/index.js';

interface DeLongCase extends DeLongResult {
  name: string;
  scoresA: number[];
  scoresB: number[];
  labels: boolean[];
}
const reference = JSON.parse(readFileSync(new URL('./fixtures/metrics/analysis_reference.json', import.meta.url), 'utf8')) as {
  delong: DeLongCase[];
};

function expectClose(actual: number | null, expected: number | null, tolerance: number, what: string): void {
  if (expected === null) expect(actual, what).toBeNull();
  else expect(Math.abs(actual! - expected), what).toBeLessThanOrEqual(tolerance);
}

describe('delongTest against the 1988 structural components (numpy / scipy)', () => {
  for (const c of reference.delong) {
    it(c.name, () => {
      const result = delongTest({ scoresA: c.scoresA, scoresB: c.scoresB, labels: c.labels });
      for (const key of ['aucA', 'aucB', 'difference', 'z', 'p'] as const) expectClose(result[key], c[key], 1e-9, key);
      // The variance may be an exact 0 here and a rounding residue there; z and p already say which.
      if (c.variance !== null && c.z !== null) expectClose(result.variance, c.variance, 1e-12, 'variance');
      if (c.aucA !== null) expect(result.aucA).toBe(rocAuc({ scores: c.scoresA, labels: c.labels }));
    });
  }

  it('the reference exercises significant, non-significant and degenerate cases', () => {
    const ps = reference.delong.map((c) => c.p);
    expect(ps.some((p) => p !== null && p < 0.01)).toBe(true);
    expect(ps.some((p) => p !== null && p > 0.5)).toBe(true);
    expect(ps.filter((p) => p === null).length).toBeGreaterThanOrEqual(4);
  });
});

function randomCase(n: number, seed: number): { scoresA: number[]; scoresB: number[]; labels: boolean[] } {
  const random = mulberry32(seed);
  const labels = Array.from({ length: n }, (_, i) => i % 3 === 0);
  const scoresA = labels.map((l) => Math.round((random.next() + (l ? 0.3 : 0)) * 50) / 50);
  const scoresB = scoresA.map((a, i) => a * 0.5 + random.next() * 0.5 + (labels[i] ? 0.1 : 0));
  return { scoresA, scoresB, labels };
}

describe('properties', () => {
  it('swapping A and B negates z and the difference and keeps p', () => {
    for (let seed = 1; seed <= 20; seed++) {
      const c = randomCase(30 + seed * 7, seed);
      const ab = delongTest(c);
      const ba = delongTest({ scoresA: c.scoresB, scoresB: c.scoresA, labels: c.labels });
      expect(ba.z).toBeCloseTo(-ab.z!, 12);
      expect(ba.difference).toBeCloseTo(-ab.difference!, 15);
      expect(ba.p).toBeCloseTo(ab.p!, 12);
      expect(ba.variance).toBeCloseTo(ab.variance!, 15);
      expect(ab.p!).toBeGreaterThanOrEqual(0);
      expect(ab.p!).toBeLessThanOrEqual(1);
    }
  });

  it('is invariant to strictly increasing transforms of either score', () => {
    const c = randomCase(90, 77);
    const base = delongTest(c);
    const transformed = delongTest({ ...c, scoresA: c.scoresA.map((v) => Math.exp(3 * v)), scoresB: c.scoresB.map((v) => 2 * v - 7) });
    expect(transformed.z).toBeCloseTo(base.z!, 12);
    expect(transformed.p).toBeCloseTo(base.p!, 12);
  });

  it('does not depend on item order', () => {
    const c = randomCase(60, 5);
    const order = Array.from({ length: 60 }, (_, i) => (i * 37) % 60);
    const shuffled = delongTest({
      scoresA: order.map((i) => c.scoresA[i]!),
      scoresB: order.map((i) => c.scoresB[i]!),
      labels: order.map((i) => c.labels[i]!),
    });
    const base = delongTest(c);
    expect(shuffled.z).toBeCloseTo(base.z!, 12);
    expect(shuffled.aucA).toBe(base.aucA);
  });

  it('null states: no class, a single item in a class, zero variance', () => {
    expect(delongTest({ scoresA: [], scoresB: [], labels: [] })).toEqual({ aucA: null, aucB: null, difference: null, variance: null, z: null, p: null });
    const single = delongTest({ scoresA: [0.9, 0.1, 0.2], scoresB: [0.1, 0.5, 0.2], labels: [true, false, false] });
    expect(single.aucA).toBe(1);
    expect(single.z).toBeNull();
    const same = delongTest({ scoresA: [0.3, 0.9, 0.5, 0.1], scoresB: [0.3, 0.9, 0.5, 0.1], labels: [true, true, false, false] });
    expect(same).toEqual({ aucA: 0.75, aucB: 0.75, difference: 0, variance: 0, z: null, p: null });
  });

  it('rejects mismatched lengths and non-finite scores', () => {
    expect(() => delongTest({ scoresA: [1, 2], scoresB: [1], labels: [true, false] })).toThrow(RangeError);
    expect(() => delongTest({ scoresA: [1, Number.NaN], scoresB: [1, 2], labels: [true, false] })).toThrow(RangeError);
  });
});

describe('erfc and the two-sided p-value', () => {
  // Values of scipy.special.erfc (double precision), computed once by hand in Python.
  const table: [number, number][] = [
    [0, 1],
    [0.5, 0.4795001221869535],
    [0.9, 0.20309178757716784],
    [1, 0.15729920705028516],
    [1.1, 0.11979493042591832],
    [2, 0.004677734981047266],
    [2.5, 0.00040695201744495886],
    [3, 2.2090496998585445e-5],
    [5, 1.5374597944280347e-12],
    [10, 2.0884875837625446e-45],
  ];
  it('matches scipy to 1e-15 absolute and 1e-12 relative', () => {
    for (const [x, expected] of table) {
      expect(Math.abs(erfc(x) - expected)).toBeLessThan(1e-15);
      expect(Math.abs(erfc(x) - expected) / expected).toBeLessThan(1e-12);
      expect(Math.abs(erfc(-x) - (2 - expected))).toBeLessThan(1e-15);
    }
  });

  it('is continuous across the switch between series and continued fraction (x = 1)', () => {
    const step = 1e-9;
    const slope = (2 / Math.sqrt(Math.PI)) * Math.exp(-1);
    expect(Math.abs(erfc(1 - step) - erfc(1) - step * slope)).toBeLessThan(1e-15);
  });

  it('gives the textbook two-sided p-values', () => {
    expect(twoSidedNormalP(0)).toBe(1);
    expect(twoSidedNormalP(1.959963984540054)).toBeCloseTo(0.05, 14);
    expect(twoSidedNormalP(-2.5758293035489004)).toBeCloseTo(0.01, 14);
    expect(twoSidedNormalP(40)).toBe(0);
  });
});
