/**
 * PCA (src/metrics/pca.ts) against numpy.linalg.eigh / svd (test/fixtures/metrics/
 * make_analysis_reference.py -> analysis_reference.json), compared up to the sign of each
 * component, plus properties of the symmetric eigensolver on seeded random matrices.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { EXACT_SHARE_SIZE, type Matrix, firstSingularValueShare, firstSingularValueShareOfRows, fitPca, fitPcaOfRows, largestGramEigenvalue, matrixFromRows, mulberry32, project, symmetricEigen, topSymmetricEigen } from '../src/metrics/index.js';

interface PcaCase {
  name: string;
  rows: number;
  cols: number;
  k: number;
  data: number[];
  mean: number[];
  components: number[][];
  explainedVariance: number[];
  totalVariance: number;
  allEigenvalues: number[];
  projector?: number[];
  svdExplainedVariance?: number[];
}
interface LargeCase {
  rows: number;
  cols: number;
  k: number;
  seed: number;
  firstRow: number[];
  mean: number[];
  components: number[][];
  explainedVariance: number[];
  totalVariance: number;
  eigenvalues6to8: number[];
}
const reference = JSON.parse(readFileSync(new URL('./fixtures/metrics/analysis_reference.json', import.meta.url), 'utf8')) as {
  pca: PcaCase[];
  pcaLarge: LargeCase;
};

function closeArrays(actual: ArrayLike<number>, expected: readonly number[], tolerance: number): void {
  expect(actual.length).toBe(expected.length);
  for (let i = 0; i < expected.length; i++) expect(Math.abs(actual[i]! - expected[i]!), `index ${i}`).toBeLessThanOrEqual(tolerance);
}

/** Same unit vector up to sign. */
function closeUpToSign(actual: Float64Array, expected: readonly number[], tolerance: number): void {
  let dot = 0;
  for (let i = 0; i < expected.length; i++) dot += actual[i]! * expected[i]!;
  const sign = dot < 0 ? -1 : 1;
  closeArrays(Float64Array.from(actual, (v) => sign * v), expected, tolerance);
}

function matrixOf(c: PcaCase): Matrix {
  return { rows: c.rows, cols: c.cols, data: Float64Array.from(c.data) };
}

/** The TypeScript twin of generated_matrix() in the reference script: same stream, same arithmetic. */
function generatedMatrix(rows: number, cols: number, seed: number): Matrix {
  const random = mulberry32(seed);
  const weights = Array.from({ length: cols }, (_, c) => 1 + c / 64);
  const d1 = Array.from({ length: cols }, (_, c) => ((c * 13) % 17) / 17 - 0.5);
  const d2 = Array.from({ length: cols }, (_, c) => ((c * 7) % 5) / 5 - 0.4);
  const data = new Float64Array(rows * cols);
  const noise = new Float64Array(cols);
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) noise[c] = random.next();
    const s1 = random.next() - 0.5;
    const s2 = random.next() - 0.5;
    for (let c = 0; c < cols; c++) data[r * cols + c] = (noise[c]! - 0.5) * weights[c]! + 3 * (s1 * d1[c]!) + 2 * (s2 * d2[c]!);
  }
  return { rows, cols, data };
}

describe('fitPca against numpy', () => {
  for (const c of reference.pca) {
    it(c.name, () => {
      const pca = fitPca(matrixOf(c), c.k);
      closeArrays(pca.mean, c.mean, 1e-12);
      expect(pca.totalVariance).toBeCloseTo(c.totalVariance, 12);
      closeArrays(pca.explainedVariance, c.explainedVariance, 1e-12);
      if (c.svdExplainedVariance) closeArrays(pca.explainedVariance, c.svdExplainedVariance, 1e-12);
      expect(pca.components).toHaveLength(c.k);
      for (const component of pca.components) {
        let norm = 0;
        for (const v of component) norm += v * v;
        expect(norm).toBeCloseTo(1, 12);
      }
      if (c.projector) {
        // Degenerate top eigenspace: only the subspace is determined, so compare its projector.
        const d = c.cols;
        const projector = new Float64Array(d * d);
        for (const component of pca.components) for (let i = 0; i < d; i++) for (let j = 0; j < d; j++) projector[i * d + j]! += component[i]! * component[j]!;
        closeArrays(projector, c.projector, 1e-9);
      } else {
        const vanishing = c.explainedVariance.map((v) => v < 1e-9);
        // An eigenvector's rounding error grows like eps |A| / gap: with the near-degenerate pair
        // (gap 4e-9) both LAPACK's and our vectors are only good to ~1e-7, still within 1e-6.
        const tolerance = c.name === 'near_degenerate' ? 1e-6 : 1e-9;
        pca.components.forEach((component, i) => {
          // Components of zero variance (null space) are not unique either; the rest are.
          if (!vanishing[i]) closeUpToSign(component, c.components[i]!, tolerance);
        });
      }
    });
  }

  it('matches numpy on a generated 3000 x 512 matrix within 1e-6', () => {
    const c = reference.pcaLarge;
    const matrix = generatedMatrix(c.rows, c.cols, c.seed);
    // The generator is replayed exactly: the first values are bit-identical to Python's.
    expect(Array.from(matrix.data.subarray(0, 4))).toEqual(c.firstRow);
    const pca = fitPca(matrix, c.k);
    closeArrays(pca.mean, c.mean, 1e-12);
    expect(Math.abs(pca.totalVariance - c.totalVariance)).toBeLessThan(1e-9);
    closeArrays(pca.explainedVariance, c.explainedVariance, 1e-9);
    pca.components.forEach((component, i) => { closeUpToSign(component, c.components[i]!, 1e-6); });
  });

  it('fits float32 rows in place exactly as the float64 matrix of their values (bit for bit)', () => {
    const random = mulberry32(17);
    const rows = Array.from({ length: 203 }, (_, r) => Float32Array.from({ length: 24 }, (_, c) => (random.next() - 0.5) * (1 + (c % 5)) + (r % 7 === 0 ? 3 : 0)));
    const a = fitPcaOfRows(rows, 3);
    const b = fitPca(matrixFromRows(rows), 3);
    const bits = (array: Float64Array): string => Buffer.from(array.buffer, array.byteOffset, array.byteLength).toString('hex');
    expect(bits(a.mean)).toBe(bits(b.mean));
    expect(bits(a.explainedVariance)).toBe(bits(b.explainedVariance));
    expect(Object.is(a.totalVariance, b.totalVariance)).toBe(true);
    expect(a.components.map(bits)).toEqual(b.components.map(bits));
    expect(() => fitPcaOfRows([Float32Array.of(1, Number.NaN)], 1)).toThrow(/not finite/);
    expect(() => fitPcaOfRows([Float32Array.of(1, 2), Float32Array.of(1)], 1)).toThrow(/row 1 has 1 values/);
  });

  it('fixes each component sign so that its largest-|x| entry is positive', () => {
    for (const c of reference.pca) {
      for (const component of fitPca(matrixOf(c), c.k).components) {
        let best = 0;
        for (let i = 1; i < component.length; i++) if (Math.abs(component[i]!) > Math.abs(component[best]!)) best = i;
        expect(component[best]).toBeGreaterThan(0);
      }
    }
  });
});

describe('project', () => {
  it('gives coordinates whose variance is the explained variance and which rebuild the row from all components', () => {
    const c = reference.pca[0]!;
    const matrix = matrixOf(c);
    const pca = fitPca(matrix, c.cols);
    const sums = new Float64Array(c.cols);
    for (let r = 0; r < c.rows; r++) {
      const row = matrix.data.subarray(r * c.cols, (r + 1) * c.cols);
      const coordinates = project(pca, row);
      coordinates.forEach((v, i) => (sums[i]! += v * v));
      // Full basis: mean + sum coordinate_i component_i is the row again.
      for (let j = 0; j < c.cols; j++) {
        let rebuilt = pca.mean[j]!;
        for (let i = 0; i < c.cols; i++) rebuilt += coordinates[i]! * pca.components[i]![j]!;
        expect(rebuilt).toBeCloseTo(row[j]!, 12);
      }
    }
    closeArrays(Float64Array.from(sums, (s) => s / c.rows), c.allEigenvalues, 1e-12);
  });

  it('accepts Float32 rows and rejects a wrong length', () => {
    const pca = fitPca(matrixFromRows([[1, 2], [3, 5], [0, 1]]), 1);
    expect(project(pca, Float32Array.of(1, 2))[0]).toBeCloseTo(project(pca, Float64Array.of(1, 2))[0]!, 15);
    expect(() => project(pca, Float32Array.of(1))).toThrow(RangeError);
  });
});

describe('symmetricEigen', () => {
  function randomSymmetric(n: number, seed: number, repeat = false): Float64Array {
    const random = mulberry32(seed);
    const a = new Float64Array(n * n);
    for (let i = 0; i < n; i++) {
      for (let j = i; j < n; j++) {
        const v = repeat ? (i === j ? 1 : 0) : random.next() - 0.5;
        a[i * n + j] = v;
        a[j * n + i] = v;
      }
    }
    return a;
  }

  for (const [n, seed] of [[1, 1], [2, 2], [7, 3], [40, 4], [101, 5]] as const) {
    it(`reconstructs a random ${n} x ${n} matrix as V diag(values) V^T with orthonormal V`, () => {
      const a = randomSymmetric(n, seed);
      const { values, vectors } = symmetricEigen(a, n);
      for (let i = 1; i < n; i++) expect(values[i]).toBeLessThanOrEqual(values[i - 1]!);
      for (let i = 0; i < n; i++) {
        for (let j = 0; j < n; j++) {
          let rebuilt = 0;
          let gram = 0;
          for (let k = 0; k < n; k++) {
            rebuilt += vectors[k]![i]! * values[k]! * vectors[k]![j]!;
            gram += vectors[i]![k]! * vectors[j]![k]!;
          }
          expect(Math.abs(rebuilt - a[i * n + j]!)).toBeLessThan(1e-12);
          expect(Math.abs(gram - (i === j ? 1 : 0))).toBeLessThan(1e-12);
        }
      }
      // Eigenvalues alone (no accumulation) are the same.
      closeArrays(symmetricEigen(a, n, false).values, Array.from(values), 1e-12);
    });
  }

  it('handles an exactly repeated spectrum (the identity) and a zero matrix', () => {
    const identity = symmetricEigen(randomSymmetric(5, 0, true), 5);
    closeArrays(identity.values, [1, 1, 1, 1, 1], 0);
    const zero = symmetricEigen(new Float64Array(9), 3);
    closeArrays(zero.values, [0, 0, 0], 0);
  });

  it('does not modify its input', () => {
    const a = randomSymmetric(6, 9);
    const copy = Float64Array.from(a);
    symmetricEigen(a, 6);
    expect(a).toEqual(copy);
  });
});

describe('topSymmetricEigen (inverse iteration for a few vectors)', () => {
  function randomSymmetric(n: number, seed: number): Float64Array {
    const random = mulberry32(seed);
    const a = new Float64Array(n * n);
    for (let i = 0; i < n; i++) {
      for (let j = i; j < n; j++) {
        const v = random.next() - 0.5;
        a[i * n + j] = v;
        a[j * n + i] = v;
      }
    }
    return a;
  }

  function residualAndGram(a: Float64Array, n: number, values: Float64Array, vectors: readonly Float64Array[]): { residual: number; gram: number } {
    let residual = 0;
    let gram = 0;
    vectors.forEach((v, j) => {
      for (let i = 0; i < n; i++) {
        let av = 0;
        for (let c = 0; c < n; c++) av += a[i * n + c]! * v[c]!;
        residual = Math.max(residual, Math.abs(av - values[j]! * v[i]!));
      }
      vectors.forEach((w, l) => {
        let dot = 0;
        for (let i = 0; i < n; i++) dot += v[i]! * w[i]!;
        gram = Math.max(gram, Math.abs(dot - (j === l ? 1 : 0)));
      });
    });
    return { residual, gram };
  }

  for (const [n, k, seed] of [[1, 1, 1], [2, 1, 2], [12, 2, 3], [60, 5, 4], [150, 3, 5], [30, 10, 6]] as const) {
    it(`gives the full solver's top ${k} of ${n} (values exactly, vectors up to sign)`, () => {
      const a = randomSymmetric(n, seed);
      const full = symmetricEigen(a, n);
      const top = topSymmetricEigen(a, n, k);
      closeArrays(top.values, Array.from(full.values), 1e-12);
      expect(top.vectors).toHaveLength(k);
      top.vectors.forEach((vector, j) => {
        closeUpToSign(vector, Array.from(full.vectors[j]!), 1e-10);
      });
    });
  }

  it('stays orthonormal with eigenvectors for repeated and clustered eigenvalues', () => {
    const n = 40;
    // Identity plus a rank-one term: one eigenvalue 1.4, the other 39 all exactly 1.
    const spiked = new Float64Array(n * n);
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) spiked[i * n + j] = (i === j ? 1 : 0) + 0.01;
    // Diagonal with a four-fold top eigenvalue: T splits into blocks.
    const diagonal = new Float64Array(n * n);
    for (let i = 0; i < n; i++) diagonal[i * n + i] = i % 10 === 0 ? 5 : i % 3;
    for (const a of [spiked, diagonal]) {
      const top = topSymmetricEigen(a, n, 6);
      closeArrays(top.values, Array.from(symmetricEigen(a, n, false).values), 1e-12);
      const { residual, gram } = residualAndGram(a, n, top.values, top.vectors);
      expect(residual).toBeLessThan(1e-12);
      expect(gram).toBeLessThan(1e-12);
    }
    // The four-fold eigenspace is exactly span(e0, e10, e20, e30).
    const top = topSymmetricEigen(diagonal, n, 4);
    for (const v of top.vectors) {
      let inside = 0;
      for (const i of [0, 10, 20, 30]) inside += v[i]! * v[i]!;
      expect(inside).toBeCloseTo(1, 12);
    }
  });

  it('handles the zero matrix and k = 0', () => {
    const zero = topSymmetricEigen(new Float64Array(100 * 100), 100, 2);
    closeArrays(zero.values.subarray(0, 2), [0, 0], 0);
    expect(residualAndGram(new Float64Array(100 * 100), 100, zero.values, zero.vectors).gram).toBe(0);
    expect(topSymmetricEigen(randomSymmetric(5, 1), 5, 0).vectors).toHaveLength(0);
    expect(() => topSymmetricEigen(randomSymmetric(5, 1), 5, 6)).toThrow(RangeError);
  });
});

describe('firstSingularValueShare (Ethayarajh\'s Definition 3)', () => {
  const shares = (JSON.parse(readFileSync(new URL('./fixtures/metrics/analysis_reference.json', import.meta.url), 'utf8')) as {
    singularShare: { name: string; rows: number; cols: number; seed: number; offset: number; share: number }[];
  }).singularShare;

  for (const c of shares) {
    it(`${c.name}: the Lanczos route equals numpy's SVD share`, () => {
      const matrix = generatedMatrix(c.rows, c.cols, c.seed);
      const data = matrix.data.map((value) => value + c.offset);
      expect(Math.min(c.rows, c.cols)).toBeGreaterThan(EXACT_SHARE_SIZE);
      expect(Math.abs(firstSingularValueShare({ ...matrix, data }) - c.share)).toBeLessThan(1e-10);
    });
  }

  it('equals the exact eigenvalue of the Gram matrix just above the exact route\'s size', () => {
    const matrix = generatedMatrix(EXACT_SHARE_SIZE + 20, EXACT_SHARE_SIZE + 5, 77);
    const { rows, cols, data } = matrix;
    const gram = new Float64Array(cols * cols);
    for (let i = 0; i < cols; i++) for (let j = 0; j < cols; j++) for (let r = 0; r < rows; r++) gram[i * cols + j]! += data[r * cols + i]! * data[r * cols + j]!;
    const exact = symmetricEigen(gram, cols, false).values[0]!;
    expect(Math.abs(largestGramEigenvalue(matrix) - exact) / exact).toBeLessThan(1e-12);
  });

  it('gives the same double from float32 rows as from the matrix of their values, on every route', () => {
    const random = mulberry32(31);
    // Wide and exact, tall and exact, above the exact size (Lanczos), one row, an odd row count.
    for (const [rows, cols] of [[40, 384], [200, 17], [EXACT_SHARE_SIZE + 9, EXACT_SHARE_SIZE + 30], [1, 5], [7, 9]] as const) {
      const vectors = Array.from({ length: rows }, () => Float32Array.from({ length: cols }, () => random.next() - 0.3));
      expect(firstSingularValueShareOfRows(vectors)).toBe(firstSingularValueShare(matrixFromRows(vectors)));
    }
    expect(() => firstSingularValueShareOfRows([Float32Array.of(1, 2), Float32Array.of(1)])).toThrow(RangeError);
    expect(() => firstSingularValueShareOfRows([Float64Array.of(1, Number.NaN)])).toThrow(/not finite/);
  });

  it('is exactly 1 for identical rows, small or large', () => {
    expect(firstSingularValueShare(matrixFromRows([[0.1, 0.7, -2], [0.1, 0.7, -2], [0.1, 0.7, -2]]))).toBe(1);
    const row = Array.from({ length: 300 }, (_, c) => Math.sin(c));
    expect(firstSingularValueShare(matrixFromRows(Array.from({ length: 200 }, () => row)))).toBe(1);
  });
});

describe('input validation', () => {
  it('rejects bad shapes, k and non-finite values', () => {
    const m = matrixFromRows([[1, 2], [3, 4]]);
    expect(() => fitPca(m, 0)).toThrow(RangeError);
    expect(() => fitPca(m, 3)).toThrow(RangeError);
    expect(() => fitPca({ rows: 0, cols: 2, data: new Float64Array(0) }, 1)).toThrow(RangeError);
    expect(() => fitPca({ rows: 2, cols: 2, data: new Float64Array(3) }, 1)).toThrow(RangeError);
    expect(() => fitPca(matrixFromRows([[1, Number.NaN]]), 1)).toThrow(/not finite/);
    expect(() => matrixFromRows([[1, 2], [3]])).toThrow(RangeError);
  });
});
