/**
 * Principal component analysis of a dense float64 matrix, for the anisotropy corrections
 * (all-but-the-top removes the top principal components) and for Ethayarajh's maximum explainable
 * variance (share of the sum of squares on the first singular direction).
 *
 * Method: column means, then the covariance matrix accumulated from mean-centered rows (two passes,
 * so no catastrophic cancellation), then a symmetric eigensolver: Householder tridiagonalisation
 * and the implicit QL algorithm (EISPACK tred2/tql2, as in JAMA), which is accurate to rounding for
 * every spectrum, including repeated and near-degenerate eigenvalues where power or subspace
 * iteration would stall. When only a few components are wanted, their vectors come from inverse
 * iteration on the tridiagonal matrix instead of the O(d^3) QL rotations (checked, with the full
 * solver as fallback); see {@link topSymmetricEigen}.
 *
 * Conventions (the reference script replays them with numpy.linalg.eigh):
 * - Variances are population variances (ddof 0): covariance = Xc^T Xc / n. This is what the
 *   normalizations need (a property of the fitted vectors, not an estimate of a population), and
 *   it is numpy's np.var default. sklearn's PCA.explained_variance_ uses ddof 1 instead; the
 *   explained-variance *ratios* are the same either way.
 * - Components are unit vectors by descending eigenvalue; each one's sign is fixed so that its
 *   entry of largest absolute value (the first such entry on a tie) is positive.
 * - Eigenvalues that rounding makes slightly negative are reported as 0.
 */

import { mulberry32 } from '../random.js';
import { centeredUpperSums, centeredUpperSumsOfRows, gramMatrix } from '../linalg/covariance.js';
import { GramProducts } from '../linalg/gram-products.js';

/** Row-major dense matrix of float64: `data[row * cols + col]`. */
export interface Matrix {
  readonly rows: number;
  readonly cols: number;
  readonly data: Float64Array;
}

/** A fitted PCA (see the module comment for the conventions). */
export interface Pca {
  /** Column means. */
  readonly mean: Float64Array;
  /** k unit vectors, by descending explained variance; sign: largest-|x| entry positive. */
  readonly components: readonly Float64Array[];
  /** Variance (ddof 0) along each component: the covariance eigenvalue, clamped at 0. */
  readonly explainedVariance: Float64Array;
  /** Sum of the per-column variances (ddof 0), i.e. the trace of the covariance. */
  readonly totalVariance: number;
}

/** A symmetric eigendecomposition, eigenvalues descending. */
export interface SymmetricEigen {
  /** Eigenvalues, descending. */
  readonly values: Float64Array;
  /** Unit eigenvectors, `vectors[i]` belonging to `values[i]`; empty when not requested. */
  readonly vectors: readonly Float64Array[];
}

/** Builds a {@link Matrix} from equal-length rows (copied into float64). */
export function matrixFromRows(rows: readonly (ArrayLike<number>)[], cols?: number): Matrix {
  const width = cols ?? rows[0]?.length;
  if (width === undefined) throw new RangeError('matrixFromRows: no rows and no column count');
  const data = new Float64Array(rows.length * width);
  rows.forEach((row, r) => {
    if (row.length !== width) throw new RangeError(`matrixFromRows: row ${r} has ${row.length} values, expected ${width}`);
    for (let c = 0; c < width; c++) data[r * width + c] = row[c]!;
  });
  return { rows: rows.length, cols: width, data };
}

function assertMatrix(matrix: Matrix, what: string): void {
  const { rows, cols, data } = matrix;
  if (!Number.isSafeInteger(rows) || !Number.isSafeInteger(cols) || rows < 0 || cols < 1) {
    throw new RangeError(`${what}: bad shape ${rows}x${cols}`);
  }
  if (data.length !== rows * cols) throw new RangeError(`${what}: ${data.length} values for shape ${rows}x${cols}`);
  for (let i = 0; i < data.length; i++) {
    if (!Number.isFinite(data[i]!)) throw new RangeError(`${what}: value at row ${Math.floor(i / cols)}, column ${i % cols} is not finite`);
  }
}

/** Column means of a matrix with at least one row. */
export function columnMeans(matrix: Matrix): Float64Array {
  const { rows, cols, data } = matrix;
  const mean = new Float64Array(cols);
  for (let r = 0; r < rows; r++) {
    const offset = r * cols;
    for (let c = 0; c < cols; c++) mean[c]! += data[offset + c]!;
  }
  for (let c = 0; c < cols; c++) mean[c]! /= rows;
  return mean;
}

/**
 * Population covariance (ddof 0) of the rows about `mean`, as a full symmetric cols x cols
 * row-major array. Only the upper triangle is accumulated, over blocks of eight centered rows, in
 * the WebAssembly kernels (src/linalg/covariance.ts).
 */
export function covariance(matrix: Matrix, mean: Float64Array): Float64Array {
  const { rows, cols, data } = matrix;
  return symmetricCovariance(centeredUpperSums(data, rows, cols, mean), rows, cols);
}

/** The covariance from {@link centeredUpperSums}' upper triangle of `rows` rows: divided by `rows` and mirrored, in place. */
function symmetricCovariance(cov: Float64Array, rows: number, cols: number): Float64Array {
  for (let i = 0; i < cols; i++) {
    for (let j = i; j < cols; j++) {
      const value = cov[i * cols + j]! / rows;
      cov[i * cols + j] = value;
      cov[j * cols + i] = value;
    }
  }
  return cov;
}

const EPSILON = 2 ** -52;

/**
 * Eigendecomposition of the symmetric n x n row-major matrix `a` (only read, never modified):
 * Householder reduction to tridiagonal form, then the implicit QL algorithm with Wilkinson-style
 * shifts (tred2/tql2 of EISPACK via JAMA). With `wantVectors` false the Householder transform is
 * neither accumulated nor rotated and no vectors are returned (a sixth of the time at n = 512).
 */
export function symmetricEigen(a: Float64Array, n: number, wantVectors = true): SymmetricEigen {
  if (!Number.isSafeInteger(n) || n < 1 || a.length !== n * n) throw new RangeError(`symmetricEigen: ${a.length} values for a ${n}x${n} matrix`);
  const v = Float64Array.from(a);
  const d = new Float64Array(n);
  const e = new Float64Array(n);
  // Both stages work on the transform stored transposed (row i = what JAMA keeps in column i), so
  // every inner loop, including each QL rotation, runs over contiguous memory; eigenvector i ends
  // up as row i.
  tridiagonalize(v, d, e, n, wantVectors);
  tridiagonalQl(d, e, wantVectors ? v : null, n);
  const order = Array.from({ length: n }, (_, i) => i).sort((x, y) => d[y]! - d[x]! || x - y);
  const values = Float64Array.from(order, (i) => d[i]!);
  const vectors = wantVectors ? order.map((i) => v.slice(i * n, (i + 1) * n)) : [];
  return { values, vectors };
}

/**
 * Householder tridiagonalisation (tred2) on transposed storage (`v[j * n + k]` is JAMA's V[k][j]; the
 * symmetric input reads the same either way): on return d is the diagonal, e the subdiagonal in
 * e[1..]. With `accumulate`, row i of v is the i-th column of the orthogonal transform and the
 * result is null; without, v keeps the Householder vectors and the result holds their scales.
 */
function tridiagonalize(v: Float64Array, d: Float64Array, e: Float64Array, n: number, accumulate: boolean): Float64Array | null {
  for (let j = 0; j < n; j++) d[j] = v[j * n + (n - 1)]!;
  for (let i = n - 1; i > 0; i--) {
    let scale = 0;
    let h = 0;
    for (let k = 0; k < i; k++) scale += Math.abs(d[k]!);
    if (scale === 0) {
      e[i] = d[i - 1]!;
      for (let j = 0; j < i; j++) {
        d[j] = v[j * n + (i - 1)]!;
        v[j * n + i] = 0;
        v[i * n + j] = 0;
      }
    } else {
      for (let k = 0; k < i; k++) {
        d[k]! /= scale;
        h += d[k]! * d[k]!;
      }
      let f = d[i - 1]!;
      let g = Math.sqrt(h);
      if (f > 0) g = -g;
      e[i] = scale * g;
      h -= f * g;
      d[i - 1] = f - g;
      for (let j = 0; j < i; j++) e[j] = 0;
      // e = A d over the leading i x i block (upper triangle stored): column j's dot g runs down
      // k = j+1 .. i-1 while its products are added into e[k]. Four columns go side by side, each
      // starting once the columns before it have added into its own e[j], so that their dot
      // products (each a chain of dependent additions) overlap; every e[k] still gets the columns'
      // products in column order and each g sums in k order: the same roundings as one at a time.
      let j = 0;
      for (; j + 3 < i; j += 4) {
        const rowA = j * n;
        const rowB = rowA + n;
        const rowC = rowB + n;
        const rowD = rowC + n;
        const fa = d[j]!;
        v[i * n + j] = fa;
        let ga = e[j]! + v[rowA + j]! * fa;
        let a = v[rowA + j + 1]!;
        ga += a * d[j + 1]!;
        e[j + 1]! += a * fa;
        const fb = d[j + 1]!;
        v[i * n + j + 1] = fb;
        let gb = e[j + 1]! + v[rowB + j + 1]! * fb;
        a = v[rowA + j + 2]!;
        let b = v[rowB + j + 2]!;
        let dk = d[j + 2]!;
        ga += a * dk;
        gb += b * dk;
        e[j + 2] = e[j + 2]! + a * fa + b * fb;
        const fc = d[j + 2]!;
        v[i * n + j + 2] = fc;
        let gc = e[j + 2]! + v[rowC + j + 2]! * fc;
        a = v[rowA + j + 3]!;
        b = v[rowB + j + 3]!;
        let c = v[rowC + j + 3]!;
        dk = d[j + 3]!;
        ga += a * dk;
        gb += b * dk;
        gc += c * dk;
        e[j + 3] = e[j + 3]! + a * fa + b * fb + c * fc;
        const fd = d[j + 3]!;
        v[i * n + j + 3] = fd;
        let gd = e[j + 3]! + v[rowD + j + 3]! * fd;
        for (let k = j + 4; k <= i - 1; k++) {
          a = v[rowA + k]!;
          b = v[rowB + k]!;
          c = v[rowC + k]!;
          const x = v[rowD + k]!;
          dk = d[k]!;
          ga += a * dk;
          gb += b * dk;
          gc += c * dk;
          gd += x * dk;
          e[k] = e[k]! + a * fa + b * fb + c * fc + x * fd;
        }
        e[j] = ga;
        e[j + 1] = gb;
        e[j + 2] = gc;
        e[j + 3] = gd;
      }
      for (; j < i; j++) {
        f = d[j]!;
        v[i * n + j] = f;
        g = e[j]! + v[j * n + j]! * f;
        for (let k = j + 1; k <= i - 1; k++) {
          g += v[j * n + k]! * d[k]!;
          e[k]! += v[j * n + k]! * f;
        }
        e[j] = g;
      }
      f = 0;
      for (let j = 0; j < i; j++) {
        e[j]! /= h;
        f += e[j]! * d[j]!;
      }
      const hh = f / (h + h);
      for (let j = 0; j < i; j++) e[j]! -= hh * d[j]!;
      for (let j = 0; j < i; j++) {
        f = d[j]!;
        g = e[j]!;
        for (let k = j; k <= i - 1; k++) v[j * n + k]! -= f * e[k]! + g * d[k]!;
        d[j] = v[j * n + (i - 1)]!;
        v[j * n + i] = 0;
      }
    }
    d[i] = h;
  }
  if (!accumulate) {
    // No accumulated transform: d becomes the diagonal; the reflectors stay in v (row m holds
    // u_m in entries 0..m-1) and their scales h_m are handed back for a later back-transform.
    const scales = Float64Array.from(d);
    for (let j = 0; j < n; j++) d[j] = v[j * n + j]!;
    e[0] = 0;
    return scales;
  }
  // Accumulate the transformations.
  for (let i = 0; i < n - 1; i++) {
    v[i * n + (n - 1)] = v[i * n + i]!;
    v[i * n + i] = 1;
    const h = d[i + 1]!;
    if (h !== 0) {
      for (let k = 0; k <= i; k++) d[k] = v[(i + 1) * n + k]! / h;
      for (let j = 0; j <= i; j++) {
        let g = 0;
        for (let k = 0; k <= i; k++) g += v[(i + 1) * n + k]! * v[j * n + k]!;
        for (let k = 0; k <= i; k++) v[j * n + k]! -= g * d[k]!;
      }
    }
    for (let k = 0; k <= i; k++) v[(i + 1) * n + k] = 0;
  }
  for (let j = 0; j < n; j++) {
    d[j] = v[j * n + (n - 1)]!;
    v[j * n + (n - 1)] = 0;
  }
  v[(n - 1) * n + (n - 1)] = 1;
  e[0] = 0;
  return null;
}

/** Implicit QL on the tridiagonal (d, e) (tql2); rotations applied to the rows of `w` when given. */
function tridiagonalQl(d: Float64Array, e: Float64Array, w: Float64Array | null, n: number): void {
  for (let i = 1; i < n; i++) e[i - 1] = e[i]!;
  e[n - 1] = 0;
  let f = 0;
  let tst1 = 0;
  const maxIterations = 60 * n;
  let iterations = 0;
  for (let l = 0; l < n; l++) {
    tst1 = Math.max(tst1, Math.abs(d[l]!) + Math.abs(e[l]!));
    let m = l;
    while (m < n - 1 && Math.abs(e[m]!) > EPSILON * tst1) m++;
    if (m > l) {
      do {
        if (++iterations > maxIterations) throw new Error('symmetricEigen: QL iteration did not converge');
        let g = d[l]!;
        let p = (d[l + 1]! - g) / (2 * e[l]!);
        let r = Math.hypot(p, 1);
        if (p < 0) r = -r;
        d[l] = e[l]! / (p + r);
        d[l + 1] = e[l]! * (p + r);
        const dl1 = d[l + 1]!;
        let h = g - d[l]!;
        for (let i = l + 2; i < n; i++) d[i]! -= h;
        f += h;
        p = d[m]!;
        let c = 1;
        let c2 = c;
        let c3 = c;
        const el1 = e[l + 1]!;
        let s = 0;
        let s2 = 0;
        for (let i = m - 1; i >= l; i--) {
          c3 = c2;
          c2 = c;
          s2 = s;
          g = c * e[i]!;
          h = c * p;
          r = Math.hypot(p, e[i]!);
          e[i + 1] = s * r;
          s = e[i]! / r;
          c = p / r;
          p = c * d[i]! - s * g;
          d[i + 1] = h + s * (c * g + s * d[i]!);
          if (w !== null) {
            const rowI = i * n;
            const rowNext = rowI + n;
            for (let k = 0; k < n; k++) {
              const next = w[rowNext + k]!;
              const current = w[rowI + k]!;
              w[rowNext + k] = s * current + c * next;
              w[rowI + k] = c * current - s * next;
            }
          }
        }
        p = (-s * s2 * c3 * el1 * e[l]!) / dl1;
        e[l] = s * p;
        d[l] = c * p;
      } while (Math.abs(e[l]!) > EPSILON * tst1);
    }
    d[l] = d[l]! + f;
    e[l] = 0;
  }
}

/**
 * The k eigenvectors of the largest eigenvalues, without the O(n^3) work of all n: the same
 * Householder reduction (transform not accumulated), every eigenvalue by QL without vectors, then
 * each wanted eigenvector of the tridiagonal matrix by inverse iteration (LU with partial
 * pivoting, LAPACK dgttrf/dgttrs; vectors of clustered eigenvalues re-orthogonalised by modified
 * Gram-Schmidt, as LAPACK's dstein does), and the Householder reflectors applied to those k
 * vectors only. Every result is verified (residual |T y - lambda y| and orthogonality at rounding
 * level); if any check fails the full {@link symmetricEigen} answers instead, so near-degenerate
 * spectra cost time, never accuracy.
 */
export function topSymmetricEigen(a: Float64Array, n: number, k: number): SymmetricEigen {
  if (!Number.isSafeInteger(n) || n < 1 || a.length !== n * n) throw new RangeError(`topSymmetricEigen: ${a.length} values for a ${n}x${n} matrix`);
  if (!Number.isSafeInteger(k) || k < 0 || k > n) throw new RangeError(`topSymmetricEigen: k must be in [0, ${n}], got ${k}`);
  // For most of the spectrum the full solver is as cheap and simpler.
  if (3 * k > n) {
    const full = symmetricEigen(a, n, true);
    return { values: full.values, vectors: full.vectors.slice(0, k) };
  }
  const v = Float64Array.from(a);
  const d = new Float64Array(n);
  const e = new Float64Array(n);
  const scales = tridiagonalize(v, d, e, n, false)!;
  // Keep T before QL overwrites it: diagonal and off-diagonal (off[i] = T[i][i+1]).
  const diagonal = Float64Array.from(d);
  const off = e.slice(1);
  tridiagonalQl(d, e, null, n);
  const values = Float64Array.from(d).sort().reverse();
  const vectors = tridiagonalEigenvectors(diagonal, off, values.subarray(0, k));
  if (vectors === null) {
    const full = symmetricEigen(a, n, true);
    return { values: full.values, vectors: full.vectors.slice(0, k) };
  }
  return { values, vectors: vectors.map((y) => applyReflectors(v, scales, y, n)) };
}

/** x = Q y for the tred2 transform Q = R_{n-1} ... R_1, R_m = I - u_m u_m^T / h_m on coordinates 0..m-1. */
function applyReflectors(v: Float64Array, scales: Float64Array, y: Float64Array, n: number): Float64Array {
  const x = Float64Array.from(y);
  for (let m = 1; m < n; m++) {
    const h = scales[m]!;
    if (h === 0) continue;
    const row = m * n;
    let g = 0;
    for (let j = 0; j < m; j++) g += v[row + j]! * x[j]!;
    g /= h;
    for (let j = 0; j < m; j++) x[j]! -= g * v[row + j]!;
  }
  return x;
}

/** Eigenvectors of the symmetric tridiagonal (diagonal, off) for the given eigenvalues, or null when a check fails. */
function tridiagonalEigenvectors(diagonal: Float64Array, off: Float64Array, wanted: Float64Array): Float64Array[] | null {
  const n = diagonal.length;
  let norm = 0;
  for (let i = 0; i < n; i++) norm = Math.max(norm, Math.abs(diagonal[i]!) + (i > 0 ? Math.abs(off[i - 1]!) : 0) + (i < n - 1 ? Math.abs(off[i]!) : 0));
  if (norm === 0) {
    // The zero matrix: any orthonormal basis; the unit vectors, as the full solver gives.
    return Array.from(wanted, (_, j) => Float64Array.from({ length: n }, (_, i) => (i === j ? 1 : 0)));
  }
  const clusterGap = 1e-3 * norm;
  const tiny = EPSILON * norm;
  const random = mulberry32(0x5eed);
  const vectors: Float64Array[] = [];
  for (let j = 0; j < wanted.length; j++) {
    const lambda = wanted[j]!;
    const lu = factorShifted(diagonal, off, lambda, tiny);
    let x = Float64Array.from({ length: n }, () => random.next() - 0.5);
    const cluster = vectors.filter((_, i) => Math.abs(wanted[i]! - lambda) <= clusterGap);
    for (let iteration = 0; iteration < 5; iteration++) {
      solveShifted(lu, x);
      for (const other of cluster) {
        let dot = 0;
        for (let i = 0; i < n; i++) dot += other[i]! * x[i]!;
        for (let i = 0; i < n; i++) x[i]! -= dot * other[i]!;
      }
      let length = 0;
      for (let i = 0; i < n; i++) length += x[i]! * x[i]!;
      length = Math.sqrt(length);
      if (!(length > 0) || !Number.isFinite(length)) return null;
      x = x.map((value) => value / length);
    }
    // Verify: residual at rounding level and orthogonal to the vectors before it.
    let residual = 0;
    for (let i = 0; i < n; i++) {
      let tx = diagonal[i]! * x[i]!;
      if (i > 0) tx += off[i - 1]! * x[i - 1]!;
      if (i < n - 1) tx += off[i]! * x[i + 1]!;
      residual = Math.max(residual, Math.abs(tx - lambda * x[i]!));
    }
    if (residual > 1e3 * n * EPSILON * norm) return null;
    for (const other of vectors) {
      let dot = 0;
      for (let i = 0; i < n; i++) dot += other[i]! * x[i]!;
      if (Math.abs(dot) > 1e-10) return null;
    }
    vectors.push(x);
  }
  return vectors;
}

interface ShiftedLu {
  readonly d: Float64Array;
  readonly du: Float64Array;
  readonly du2: Float64Array;
  readonly dl: Float64Array;
  readonly swapped: Uint8Array;
}

/** LU with partial pivoting of T - lambda I (LAPACK dgttrf); zero pivots replaced by `tiny`. */
function factorShifted(diagonal: Float64Array, off: Float64Array, lambda: number, tiny: number): ShiftedLu {
  const n = diagonal.length;
  const d = Float64Array.from(diagonal, (value) => value - lambda);
  const du = Float64Array.from(off);
  const dl = Float64Array.from(off);
  const du2 = new Float64Array(Math.max(0, n - 2));
  const swapped = new Uint8Array(Math.max(0, n - 1));
  for (let i = 0; i < n - 1; i++) {
    if (Math.abs(d[i]!) >= Math.abs(dl[i]!)) {
      if (d[i] !== 0) {
        const factor = dl[i]! / d[i]!;
        dl[i] = factor;
        d[i + 1]! -= factor * du[i]!;
      } else dl[i] = 0;
    } else {
      const factor = d[i]! / dl[i]!;
      d[i] = dl[i]!;
      dl[i] = factor;
      const temp = du[i]!;
      du[i] = d[i + 1]!;
      d[i + 1] = temp - factor * d[i + 1]!;
      if (i < n - 2) {
        du2[i] = du[i + 1]!;
        du[i + 1] = -factor * du[i + 1]!;
      }
      swapped[i] = 1;
    }
  }
  for (let i = 0; i < n; i++) if (Math.abs(d[i]!) < tiny) d[i] = d[i]! < 0 ? -tiny : tiny;
  return { d, du, du2, dl, swapped };
}

/** Solves (T - lambda I) x = b in place from its LU (LAPACK dgttrs). */
function solveShifted(lu: ShiftedLu, b: Float64Array): void {
  const { d, du, du2, dl, swapped } = lu;
  const n = d.length;
  for (let i = 0; i < n - 1; i++) {
    if (swapped[i] === 0) b[i + 1]! -= dl[i]! * b[i]!;
    else {
      const temp = b[i]!;
      b[i] = b[i + 1]!;
      b[i + 1] = temp - dl[i]! * b[i]!;
    }
  }
  b[n - 1]! /= d[n - 1]!;
  if (n > 1) b[n - 2] = (b[n - 2]! - du[n - 2]! * b[n - 1]!) / d[n - 2]!;
  for (let i = n - 3; i >= 0; i--) b[i] = (b[i]! - du[i]! * b[i + 1]! - du2[i]! * b[i + 2]!) / d[i]!;
}

/** Flips `vector` in place so that its largest-|x| entry (first on a tie) is positive. */
function fixSign(vector: Float64Array): void {
  let best = 0;
  for (let i = 1; i < vector.length; i++) if (Math.abs(vector[i]!) > Math.abs(vector[best]!)) best = i;
  if (vector[best]! < 0) for (let i = 0; i < vector.length; i++) vector[i] = -vector[i]!;
}

/**
 * Fits the top `k` principal components of the rows of `matrix` (at least one row, 1 <= k <= cols).
 * With fewer distinct rows than k + 1 the trailing components span the null space: unit vectors,
 * deterministic, explained variance 0.
 */
export function fitPca(matrix: Matrix, k: number): Pca {
  assertMatrix(matrix, 'fitPca');
  const { rows, cols, data } = matrix;
  // The rows as views: the same means and sums, in the same order, as the matrix's own loops.
  return fitPcaOfRows(Array.from({ length: rows }, (_unused, r) => data.subarray(r * cols, (r + 1) * cols)), k);
}

/**
 * {@link fitPca} of the matrix whose rows are `rowList` (at least one, all of one length, finite
 * values; float32 rows are read as the float64 values they hold), without copying them into one
 * matrix: fitPca itself runs on its matrix's rows here, so the two give the same fit, bit for bit.
 */
export function fitPcaOfRows(rowList: readonly (Float32Array | Float64Array)[], k: number): Pca {
  const rows = rowList.length;
  if (rows < 1) throw new RangeError('fitPca: no rows');
  const cols = rowList[0]!.length;
  if (cols < 1) throw new RangeError(`fitPca: bad shape ${rows}x${cols}`);
  rowList.forEach((row, r) => {
    if (row.length !== cols) throw new RangeError(`fitPca: row ${r} has ${row.length} values, expected ${cols}`);
    for (let c = 0; c < cols; c++) if (!Number.isFinite(row[c]!)) throw new RangeError(`fitPca: value at row ${r}, column ${c} is not finite`);
  });
  if (!Number.isSafeInteger(k) || k < 1 || k > cols) throw new RangeError(`fitPca: k must be in [1, ${cols}], got ${k}`);
  const mean = new Float64Array(cols);
  for (const row of rowList) for (let c = 0; c < cols; c++) mean[c]! += row[c]!;
  for (let c = 0; c < cols; c++) mean[c]! /= rows;
  return pcaOfCovariance(mean, symmetricCovariance(centeredUpperSumsOfRows(rowList, cols, mean), rows, cols), k);
}

/** The top `k` components of a covariance (cols x cols) about `mean`. */
function pcaOfCovariance(mean: Float64Array, cov: Float64Array, k: number): Pca {
  const cols = mean.length;
  let totalVariance = 0;
  for (let c = 0; c < cols; c++) totalVariance += cov[c * cols + c]!;
  const eigen = topSymmetricEigen(cov, cols, k);
  const components = eigen.vectors.slice(0, k).map((vector) => {
    fixSign(vector);
    return vector;
  });
  const explainedVariance = Float64Array.from(eigen.values.subarray(0, k), (value) => Math.max(0, value));
  return { mean, components, explainedVariance, totalVariance };
}

/** Coordinates of `row` on the components: (row - mean) . component, one per component. */
export function project(pca: Pca, row: Float64Array | Float32Array): Float64Array {
  const cols = pca.mean.length;
  if (row.length !== cols) throw new RangeError(`project: row has ${row.length} values, PCA has ${cols} columns`);
  return Float64Array.from(pca.components, (component) => {
    let dot = 0;
    for (let c = 0; c < cols; c++) dot += (row[c]! - pca.mean[c]!) * component[c]!;
    return dot;
  });
}

/** Below this many rows or columns, {@link firstSingularValueShare} solves the small Gram matrix exactly. */
export const EXACT_SHARE_SIZE = 128;

/**
 * Ethayarajh's (2019) maximum explainable variance as Definition 3 of the paper states it:
 * sigma_1^2 / sum(sigma_i^2) over the singular values of the *uncentered* matrix, i.e. the largest
 * eigenvalue of X^T X over its trace (the sum of squares). Identical rows give exactly 1 (rank
 * one); the all-zero matrix gives 1 by the same convention. When rows or columns are at most
 * {@link EXACT_SHARE_SIZE}, the smaller Gram matrix (X X^T or X^T X) is solved exactly; otherwise
 * the largest eigenvalue comes from {@link largestGramEigenvalue} (Lanczos), which costs a few
 * dozen products with X instead of forming and tridiagonalising a d x d matrix.
 */
export function firstSingularValueShare(matrix: Matrix): number {
  assertMatrix(matrix, 'firstSingularValueShare');
  const { rows, cols, data } = matrix;
  if (rows < 1) throw new RangeError('firstSingularValueShare: no rows');
  return shareOfRows(Array.from({ length: rows }, (_, r) => data.subarray(r * cols, (r + 1) * cols)), cols, () => matrix);
}

/**
 * {@link firstSingularValueShare} of the matrix whose rows are `rows` (at least one, all of the same
 * length, finite values; float32 rows are read as the float64 values they hold), without copying
 * them into one matrix unless the large-matrix path needs it: the same result, bit for bit.
 */
export function firstSingularValueShareOfRows(rows: readonly (Float32Array | Float64Array)[]): number {
  if (rows.length < 1) throw new RangeError('firstSingularValueShare: no rows');
  const cols = rows[0]!.length;
  rows.forEach((row, r) => {
    if (row.length !== cols) throw new RangeError(`firstSingularValueShare: row ${r} has ${row.length} values, expected ${cols}`);
    for (let c = 0; c < cols; c++) if (!Number.isFinite(row[c]!)) throw new RangeError(`firstSingularValueShare: value at row ${r}, column ${c} is not finite`);
  });
  return shareOfRows(rows, cols, () => matrixFromRows(rows, cols));
}

/** The share of checked rows; `matrix` gives them as one matrix where a path needs it. */
function shareOfRows(rowList: readonly ArrayLike<number>[], cols: number, matrix: () => Matrix): number {
  const rows = rowList.length;
  const first = rowList[0]!;
  let identical = true;
  for (let r = 1; r < rows && identical; r++) {
    const row = rowList[r]!;
    for (let c = 0; c < cols; c++) if (row[c] !== first[c]) { identical = false; break; }
  }
  if (identical) return 1;
  // The sum of squares in row-major order, as over the matrix's data.
  let trace = 0;
  for (const row of rowList) for (let c = 0; c < cols; c++) trace += row[c]! * row[c]!;
  if (!(trace > 0)) return 1;
  const size = Math.min(rows, cols);
  let top: number;
  if (size <= EXACT_SHARE_SIZE) {
    const gram = new Float64Array(size * size);
    if (rows <= cols) gramMatrix(rowList, cols, gram);
    else {
      const sums = covariance(matrix(), new Float64Array(cols));
      for (let i = 0; i < gram.length; i++) gram[i] = sums[i]! * rows;
    }
    top = symmetricEigen(gram, size, false).values[0]!;
  } else top = largestGramEigenvalue(matrix());
  return Math.min(1, Math.max(0, top / trace));
}

/**
 * The largest eigenvalue of X^T X (equivalently of X X^T: the same non-zero spectrum), by the
 * Lanczos method with full reorthogonalisation (twice, so the basis stays orthogonal to rounding)
 * on the smaller of the two, applied implicitly as two products with X. It stops when the Ritz
 * value's residual bound beta_j |s_j| (Parlett, The Symmetric Eigenvalue Problem, 13.2) falls
 * below 1e-12 of it, when the Krylov space is exhausted (beta_j = 0: the Ritz values are then
 * exact), or after every dimension; the eigenvalue error is below the residual's square over the
 * spectral gap, far below the six decimals the results keep. Deterministic: the start vector is
 * a fixed seeded draw.
 */
export function largestGramEigenvalue(matrix: Matrix): number {
  assertMatrix(matrix, 'largestGramEigenvalue');
  const { rows, cols, data } = matrix;
  const wide = rows < cols;
  const m = wide ? rows : cols;
  // w = X^T X v (tall) or X X^T v (wide), in the kernels: for a tall X, each entry of X v is a row's
  // dot product with v summed in column order, and X^T of it sums each column over the rows in row
  // order (a wide X the other way round), as the plain loops do.
  const products = new GramProducts(data, rows, cols);
  const apply = (v: Float64Array): Float64Array => {
    const w = new Float64Array(m);
    products.apply(v, w, wide);
    return w;
  };
  const dotOf = (a: Float64Array, b: Float64Array): number => {
    let dot = 0;
    for (let i = 0; i < a.length; i++) dot += a[i]! * b[i]!;
    return dot;
  };
  const random = mulberry32(0x1a2c05);
  let q = Float64Array.from({ length: m }, () => random.next() - 0.5);
  const start = Math.sqrt(dotOf(q, q));
  q = q.map((value) => value / start);
  const basis: Float64Array[] = [];
  const alpha: number[] = [];
  const beta: number[] = [];
  for (;;) {
    basis.push(q);
    const w = apply(q);
    alpha.push(dotOf(q, w));
    for (let pass = 0; pass < 2; pass++) {
      for (const b of basis) {
        const projection = dotOf(b, w);
        for (let i = 0; i < m; i++) w[i]! -= projection * b[i]!;
      }
    }
    const next = Math.sqrt(dotOf(w, w));
    const k = alpha.length;
    const diagonal = Float64Array.from(alpha);
    const off = Float64Array.from(beta);
    const d = Float64Array.from(diagonal);
    const e = new Float64Array(k);
    for (let i = 1; i < k; i++) e[i] = off[i - 1]!;
    tridiagonalQl(d, e, null, k);
    let theta = d[0]!;
    for (let i = 1; i < k; i++) theta = Math.max(theta, d[i]!);
    if (k === m || !(next > EPSILON * Math.abs(theta))) return Math.max(0, theta);
    const vector = tridiagonalEigenvectors(diagonal, off, Float64Array.of(theta))?.[0];
    if (vector !== undefined && next * Math.abs(vector[k - 1]!) <= 1e-12 * Math.abs(theta)) return Math.max(0, theta);
    beta.push(next);
    q = w.map((value) => value / next);
  }
}
