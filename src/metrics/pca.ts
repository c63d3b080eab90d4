/**
 * Principal component analysis, small and exact, for the 2-D sense pictures (src/senses/projection.ts).
 *
 * fitPca centres the rows and eigen-decomposes the smaller of the two scatter matrices with the
 * cyclic Jacobi method: the d x d covariance when rows >= cols, else the n x n Gram matrix of the
 * centred rows (a handful of occurrences of 512-d vectors), whose eigenvectors map to the same
 * principal axes (v = X^T u / sqrt(lambda)). Conventions, as numpy.linalg.svd of the centred data /
 * sklearn.decomposition.PCA give them up to sign:
 * - explainedVariance[i] = lambda_i / (n - 1) (sample variance along component i; n = 1 gives 0);
 *   totalVariance = the sum of the per-column sample variances.
 * - Sign: each component's entry of largest magnitude (the first on ties) is positive.
 * - Directions without variance (rank < k) are filled with unit vectors orthogonal to the earlier
 *   components (Gram-Schmidt on e_1, e_2, ...), explained variance 0, so `components` always has
 *   min(k, cols) rows and every projection has that many coordinates.
 */

export interface Matrix {
  readonly rows: number;
  readonly cols: number;
  /** Row-major. */
  readonly data: Float64Array;
}

export interface Pca {
  readonly mean: Float64Array;
  readonly components: readonly Float64Array[];
  readonly explainedVariance: Float64Array;
  readonly totalVariance: number;
}

/** Eigenvalues and eigenvectors (columns of a row-major m x m matrix) of a symmetric matrix, by cyclic Jacobi. */
export function symmetricEigen(matrix: Float64Array, m: number): { readonly values: Float64Array; readonly vectors: Float64Array } {
  const a = Float64Array.from(matrix);
  const v = new Float64Array(m * m);
  for (let i = 0; i < m; i++) v[i * m + i] = 1;
  for (let sweep = 0; sweep < 100; sweep++) {
    let off = 0;
    let diagonal = 0;
    for (let i = 0; i < m; i++) {
      diagonal += a[i * m + i]! * a[i * m + i]!;
      for (let j = i + 1; j < m; j++) off += a[i * m + j]! * a[i * m + j]!;
    }
    if (off <= 1e-30 * diagonal || off === 0) break;
    for (let p = 0; p < m; p++) {
      for (let q = p + 1; q < m; q++) {
        const apq = a[p * m + q]!;
        if (apq === 0) continue;
        const app = a[p * m + p]!;
        const aqq = a[q * m + q]!;
        const theta = (aqq - app) / (2 * apq);
        const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1);
        const s = t * c;
        for (let k = 0; k < m; k++) {
          const akp = a[k * m + p]!;
          const akq = a[k * m + q]!;
          a[k * m + p] = c * akp - s * akq;
          a[k * m + q] = s * akp + c * akq;
        }
        for (let k = 0; k < m; k++) {
          const apk = a[p * m + k]!;
          const aqk = a[q * m + k]!;
          a[p * m + k] = c * apk - s * aqk;
          a[q * m + k] = s * apk + c * aqk;
        }
        for (let k = 0; k < m; k++) {
          const vkp = v[k * m + p]!;
          const vkq = v[k * m + q]!;
          v[k * m + p] = c * vkp - s * vkq;
          v[k * m + q] = s * vkp + c * vkq;
        }
      }
    }
  }
  const values = new Float64Array(m);
  for (let i = 0; i < m; i++) values[i] = a[i * m + i]!;
  return { values, vectors: v };
}

function normalise(vector: Float64Array): boolean {
  let norm = 0;
  for (const value of vector) norm += value * value;
  if (!(norm > 0)) return false;
  const scale = 1 / Math.sqrt(norm);
  for (let i = 0; i < vector.length; i++) vector[i]! *= scale;
  return true;
}

function fixSign(vector: Float64Array): void {
  let largest = 0;
  for (let i = 1; i < vector.length; i++) if (Math.abs(vector[i]!) > Math.abs(vector[largest]!)) largest = i;
  if (vector[largest]! < 0) for (let i = 0; i < vector.length; i++) vector[i] = -vector[i]!;
}

/** Fits the first min(k, cols) principal components of the rows of `matrix`. */
export function fitPca(matrix: Matrix, k: number): Pca {
  const { rows: n, cols: d, data } = matrix;
  if (data.length !== n * d) throw new RangeError(`matrix data has ${data.length} values, expected ${n} x ${d}`);
  if (n < 1) throw new RangeError('fitPca: no rows');
  if (!Number.isInteger(k) || k < 1) throw new RangeError(`fitPca: k must be a positive integer, got ${k}`);
  const mean = new Float64Array(d);
  for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) mean[j]! += data[i * d + j]!;
  for (let j = 0; j < d; j++) mean[j]! /= n;
  const centred = new Float64Array(n * d);
  for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) centred[i * d + j] = data[i * d + j]! - mean[j]!;
  const divisor = Math.max(n - 1, 1);
  let totalVariance = 0;
  for (const value of centred) totalVariance += value * value;
  totalVariance = n > 1 ? totalVariance / divisor : 0;

  const useGram = n < d;
  const m = useGram ? n : d;
  const scatter = new Float64Array(m * m);
  if (useGram) {
    for (let i = 0; i < n; i++) {
      for (let j = i; j < n; j++) {
        let s = 0;
        for (let c = 0; c < d; c++) s += centred[i * d + c]! * centred[j * d + c]!;
        scatter[i * n + j] = s;
        scatter[j * n + i] = s;
      }
    }
  } else {
    for (let r = 0; r < n; r++) {
      for (let i = 0; i < d; i++) {
        const x = centred[r * d + i]!;
        if (x === 0) continue;
        for (let j = i; j < d; j++) scatter[i * d + j]! += x * centred[r * d + j]!;
      }
    }
    for (let i = 0; i < d; i++) for (let j = 0; j < i; j++) scatter[i * d + j] = scatter[j * d + i]!;
  }
  const { values, vectors } = symmetricEigen(scatter, m);
  const order = [...values.keys()].sort((a, b) => values[b]! - values[a]! || a - b);
  const wanted = Math.min(k, d);
  const largest = Math.max(0, values[order[0]!]!);
  const components: Float64Array[] = [];
  const explained: number[] = [];
  for (const index of order) {
    if (components.length === wanted) break;
    const lambda = values[index]!;
    // Directions with (numerically) no variance are left to the orthogonal fill below.
    if (!(lambda > 1e-12 * largest) || !(lambda > 0)) break;
    const component = new Float64Array(d);
    if (useGram) {
      for (let i = 0; i < n; i++) {
        const u = vectors[i * m + index]!;
        for (let c = 0; c < d; c++) component[c]! += centred[i * d + c]! * u;
      }
    } else {
      for (let c = 0; c < d; c++) component[c] = vectors[c * m + index]!;
    }
    if (!normalise(component)) break;
    fixSign(component);
    components.push(component);
    explained.push(n > 1 ? lambda / divisor : 0);
  }
  for (let basis = 0; components.length < wanted && basis < d; basis++) {
    const candidate = new Float64Array(d);
    candidate[basis] = 1;
    for (let pass = 0; pass < 2; pass++) {
      for (const component of components) {
        let projection = 0;
        for (let c = 0; c < d; c++) projection += candidate[c]! * component[c]!;
        for (let c = 0; c < d; c++) candidate[c]! -= projection * component[c]!;
      }
    }
    let norm = 0;
    for (const value of candidate) norm += value * value;
    if (norm < 1e-6) continue;
    normalise(candidate);
    fixSign(candidate);
    components.push(candidate);
    explained.push(0);
  }
  return { mean, components, explainedVariance: Float64Array.from(explained), totalVariance };
}

/** Coordinates of `row` on the components (after subtracting the mean). */
export function project(pca: Pca, row: Float64Array | Float32Array): Float64Array {
  if (row.length !== pca.mean.length) throw new RangeError(`row has ${row.length} values, PCA ${pca.mean.length}`);
  return Float64Array.from(pca.components, (component) => {
    let s = 0;
    for (let c = 0; c < row.length; c++) s += (row[c]! - pca.mean[c]!) * component[c]!;
    return s;
  });
}
