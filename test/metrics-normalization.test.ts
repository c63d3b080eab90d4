/**
 * Anisotropy corrections (src/metrics/normalization.ts) against numpy / sklearn (StandardScaler,
 * PCA) from test/fixtures/metrics/make_analysis_reference.py, plus the properties that define
 * them: abtt output orthogonal to the removed components, z-scored fit vectors with mean 0 and
 * std 1, nulls passing through.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  NORMALIZATIONS,
  fitNormalization,
  mulberry32,
  normalizeVector,
  normalizeVector64,
  normalizeVectors,
  type NormalizationStats,
} from '../src/metrics/index.js';

interface NormalizationCase {
  name: string;
  abttComponents: number;
  fit: (number[] | null)[];
  apply: (number[] | null)[];
  count: number;
  mean: number[];
  std: number[];
  components: number[][];
  explainedVariance: number[];
  outputs: ({ center: number[]; zscore: number[]; abtt: number[]; abtt64: number[] } | null)[];
}
const reference = JSON.parse(readFileSync(new URL('./fixtures/metrics/analysis_reference.json', import.meta.url), 'utf8')) as {
  normalization: NormalizationCase[];
};

const vectors = (rows: (number[] | null)[]): (Float32Array | null)[] => rows.map((row) => (row === null ? null : Float32Array.from(row)));

function closeArrays(actual: ArrayLike<number>, expected: readonly number[], tolerance: number): void {
  expect(actual.length).toBe(expected.length);
  for (let i = 0; i < expected.length; i++) expect(Math.abs(actual[i]! - expected[i]!), `index ${i}`).toBeLessThanOrEqual(tolerance);
}

function dot(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += a[i]! * b[i]!;
  return sum;
}

describe('fitNormalization against numpy / sklearn', () => {
  for (const c of reference.normalization) {
    describe(c.name, () => {
      const stats = fitNormalization(vectors(c.fit), { abttComponents: c.abttComponents });

      it('fits mean, std and the top principal components (up to sign) within 1e-6', () => {
        expect(stats.count).toBe(c.count);
        expect(stats.dims).toBe(c.mean.length);
        closeArrays(stats.mean, c.mean, 1e-12);
        closeArrays(stats.std, c.std, 1e-12);
        closeArrays(stats.explainedVariance, c.explainedVariance, 1e-9);
        expect(stats.components).toHaveLength(c.abttComponents);
        stats.components.forEach((component, i) => {
          const sign = dot(component, c.components[i]!) < 0 ? -1 : 1;
          closeArrays(Float64Array.from(component, (v) => sign * v), c.components[i]!, 1e-6);
        });
      });

      it('applies center, zscore and abtt as numpy / sklearn do, within 1e-6', () => {
        const inputs = vectors(c.apply);
        inputs.forEach((vector, i) => {
          const expected = c.outputs[i];
          if (expected === null || expected === undefined) {
            for (const normalization of NORMALIZATIONS) expect(normalizeVector(stats, normalization, vector)).toBeNull();
            return;
          }
          expect(normalizeVector(stats, 'none', vector)).toBe(vector);
          const center = normalizeVector(stats, 'center', vector)!;
          const zscore = normalizeVector(stats, 'zscore', vector)!;
          const abtt = normalizeVector(stats, 'abtt', vector)!;
          for (const output of [center, zscore, abtt]) expect(output).toBeInstanceOf(Float32Array);
          closeArrays(center, expected.center, 1e-6);
          closeArrays(zscore, expected.zscore, 1e-6);
          closeArrays(abtt, expected.abtt, 1e-6);
          closeArrays(normalizeVector64(stats, 'abtt', vector!), expected.abtt64, 1e-9);
        });
      });

      it('leaves abtt output orthogonal to every removed component', () => {
        for (const vector of vectors(c.apply)) {
          if (vector === null) continue;
          const abtt = normalizeVector64(stats, 'abtt', vector);
          const scale = Math.sqrt(dot(abtt, abtt)) + 1;
          for (const component of stats.components) expect(Math.abs(dot(abtt, component)) / scale).toBeLessThan(1e-12);
        }
      });
    });
  }

  it('z-scores the fit vectors to mean 0 and std 1, a constant dimension to exactly 0', () => {
    const c = reference.normalization[0]!;
    const fit = vectors(c.fit).filter((v): v is Float32Array => v !== null);
    const stats = fitNormalization(fit);
    const constant = stats.std.findIndex((s) => s === 0);
    expect(constant).toBe(4);
    const z = fit.map((v) => normalizeVector64(stats, 'zscore', v));
    for (let d = 0; d < stats.dims; d++) {
      const values = z.map((v) => v[d]!);
      const mean = values.reduce((s, v) => s + v, 0) / values.length;
      const variance = values.reduce((s, v) => s + (v - mean) ** 2, 0) / values.length;
      expect(Math.abs(mean)).toBeLessThan(1e-12);
      if (d === constant) for (const v of values) expect(v).toBe(0);
      else expect(variance).toBeCloseTo(1, 12);
    }
  });
});

describe('properties on seeded random vectors', () => {
  function randomVectors(count: number, dims: number, seed: number): Float32Array[] {
    const random = mulberry32(seed);
    return Array.from({ length: count }, () => Float32Array.from({ length: dims }, (_, d) => (random.next() - 0.3) * (d + 1) + 2));
  }

  it('abtt removes the top D directions for every D, and D components are orthonormal', () => {
    const fit = randomVectors(80, 10, 7);
    for (let d = 1; d <= 10; d++) {
      const stats: NormalizationStats = fitNormalization(fit, { abttComponents: d });
      for (let i = 0; i < d; i++) for (let j = 0; j < d; j++) expect(dot(stats.components[i]!, stats.components[j]!)).toBeCloseTo(i === j ? 1 : 0, 12);
      for (const vector of randomVectors(5, 10, 100 + d)) {
        const abtt = normalizeVector64(stats, 'abtt', vector);
        for (const component of stats.components) expect(Math.abs(dot(abtt, component))).toBeLessThan(1e-12);
        if (d === 10) for (const v of abtt) expect(Math.abs(v)).toBeLessThan(1e-12);
      }
    }
  });

  it('maps one shared input vector to one shared output vector (a static model stays static)', () => {
    const fit = randomVectors(20, 4, 3);
    const stats = fitNormalization(fit);
    const shared = fit[0]!;
    for (const normalization of NORMALIZATIONS) {
      const out = normalizeVectors(stats, normalization, [shared, null, shared, fit[1]!]);
      expect(out[1]).toBeNull();
      expect(out[0]).toBe(out[2]);
      expect(out[0]).not.toBe(out[3]);
    }
  });

  it('corrects into a caller\'s block when it is long enough, the same values as into a new one', () => {
    const fit = randomVectors(20, 4, 5);
    const stats = fitNormalization(fit);
    const into = new Float32Array(4 * 4);
    for (const normalization of ['center', 'zscore', 'abtt'] as const) {
      const input = [fit[2]!, null, fit[7]!, fit[2]!];
      const reused = normalizeVectors(stats, normalization, input, into);
      expect(reused[0]!.buffer).toBe(into.buffer);
      expect(reused.map((vector) => (vector === null ? null : [...vector]))).toEqual(normalizeVectors(stats, normalization, input).map((vector) => (vector === null ? null : [...vector])));
    }
    // Too short: a block of its own, the caller's left as it was.
    const short = new Float32Array(3);
    expect(normalizeVectors(stats, 'center', [fit[1]!], short)[0]!.buffer).not.toBe(short.buffer);
    expect([...short]).toEqual([0, 0, 0]);
  });

  it('never modifies its input and is deterministic', () => {
    const fit = randomVectors(30, 5, 11);
    const copies = fit.map((v) => Float32Array.from(v));
    const a = fitNormalization(fit, { abttComponents: 2 });
    const b = fitNormalization(fit, { abttComponents: 2 });
    expect(fit).toEqual(copies);
    for (const normalization of NORMALIZATIONS) expect(normalizeVector(a, normalization, fit[3]!)).toEqual(normalizeVector(b, normalization, fit[3]!));
    expect(fit).toEqual(copies);
  });
});

describe('validation', () => {
  it('names the normalizations', () => {
    expect(NORMALIZATIONS).toEqual(['none', 'center', 'zscore', 'abtt']);
  });

  it('rejects no vectors, mixed dimensions, bad D and a wrong-length vector', () => {
    expect(() => fitNormalization([null, null])).toThrow(/no vectors/);
    expect(() => fitNormalization([Float32Array.of(1, 2), Float32Array.of(1)])).toThrow(/dimensions/);
    expect(() => fitNormalization([Float32Array.of(1, 2)], { abttComponents: 3 })).toThrow(RangeError);
    expect(() => fitNormalization([Float32Array.of(1, 2)], { abttComponents: 0 })).toThrow(RangeError);
    expect(() => fitNormalization([Float32Array.of(1, Number.NaN)])).toThrow(/not finite/);
    const stats = fitNormalization([Float32Array.of(1, 2), Float32Array.of(3, 1)]);
    for (const normalization of NORMALIZATIONS) expect(() => normalizeVector(stats, normalization, Float32Array.of(1))).toThrow(RangeError);
  });
});
