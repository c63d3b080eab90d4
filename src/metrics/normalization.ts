/**
 * Anisotropy corrections for embedding vectors, fitted without labels on one set of vectors (the
 * train split's occurrences) and applied to any vector (every split):
 * - `none`: the vector as it is.
 * - `center`: x - mean (removes the common direction that makes all cosines high).
 * - `zscore`: (x - mean) / std per dimension (Timkey & van Schijndel 2021: tames the few "rogue"
 *   dimensions that otherwise dominate every cosine).
 * - `abtt`: all-but-the-top (Mu & Viswanath 2018): x - mean, then minus its projections on the top
 *   D principal components of the mean-centered fit vectors (default D = 1).
 *
 * Statistics are population statistics (ddof 0), as sklearn's StandardScaler and numpy's np.std
 * default compute them. A dimension with zero variance on the fit vectors is divided by 1 instead
 * of 0 (StandardScaler's rule): it is only centered, so it stays finite and, on the fit vectors,
 * exactly 0. Arithmetic is float64; the corrected vector is returned as a Float32Array (rounded
 * once at the end) so that it drops into the pipeline's Float32 cosine code unchanged. Missing
 * vectors (null) pass through as null.
 */
import { type Pca, fitPcaOfRows } from './pca.js';
import { correctRowsInto32 } from '../linalg/correct-rows.js';
import type { Normalization } from '../types.js';

export { NORMALIZATIONS } from '../vocabulary.js';
export type { Normalization } from '../types.js';

/** Default number of top principal components all-but-the-top removes (src/config.ts). */
export { DEFAULT_ABTT_COMPONENTS } from '../config.js';
import { DEFAULT_ABTT_COMPONENTS } from '../config.js';

/** Options of {@link fitNormalization}. */
export interface NormalizationFitOptions {
  /** Principal components removed by `abtt` (D), at least 1. Default {@link DEFAULT_ABTT_COMPONENTS}. */
  readonly abttComponents?: number;
}

/** Statistics fitted on a set of vectors; everything {@link normalizeVector} needs. */
export interface NormalizationStats {
  /** Dimension of the vectors. */
  readonly dims: number;
  /** Number of (non-null) vectors the statistics were fitted on. */
  readonly count: number;
  /** Per-dimension mean. */
  readonly mean: Float64Array;
  /** Per-dimension population standard deviation (ddof 0); 0 for a constant dimension. */
  readonly std: Float64Array;
  /** The top D principal components of the mean-centered fit vectors (unit vectors, see pca.ts). */
  readonly components: readonly Float64Array[];
  /** Variance (ddof 0) of the fit vectors along each component. */
  readonly explainedVariance: Float64Array;
  /** Total variance (ddof 0) of the fit vectors: the sum of std^2. */
  readonly totalVariance: number;
}

/**
 * Fits the statistics on the non-null `vectors` (at least one, all of one dimension, finite).
 * Throws RangeError otherwise: a caller must decide what a representation with no fit vectors
 * means before asking for its statistics. With fewer than D + 1 distinct vectors some of the
 * removed components carry no variance (they are still unit vectors, deterministic).
 */
export function fitNormalization(vectors: Iterable<Float32Array | null>, options: NormalizationFitOptions = {}): NormalizationStats {
  const components = options.abttComponents ?? DEFAULT_ABTT_COMPONENTS;
  const present: Float32Array[] = [];
  for (const vector of vectors) if (vector !== null) present.push(vector);
  if (present.length === 0) throw new RangeError('fitNormalization: no vectors to fit on');
  const dims = present[0]!.length;
  if (dims === 0) throw new RangeError('fitNormalization: vectors have no dimensions');
  if (!Number.isSafeInteger(components) || components < 1 || components > dims) {
    throw new RangeError(`fitNormalization: abttComponents must be in [1, ${dims}], got ${components}`);
  }
  present.forEach((vector, row) => {
    if (vector.length !== dims) throw new RangeError(`fitNormalization: vector ${row} has ${vector.length} dimensions, expected ${dims}`);
  });
  // The vectors are read where they are, not copied into one float64 matrix (tens of MB per fit).
  const pca: Pca = fitPcaOfRows(present, components);
  const std = new Float64Array(dims);
  // Per-dimension variance by the same two-pass (centered) sum as the PCA's covariance diagonal.
  for (const vector of present) {
    for (let c = 0; c < dims; c++) {
      const deviation = vector[c]! - pca.mean[c]!;
      std[c]! += deviation * deviation;
    }
  }
  for (let c = 0; c < dims; c++) std[c] = Math.sqrt(std[c]! / present.length);
  return {
    dims,
    count: present.length,
    mean: pca.mean,
    std,
    components: pca.components,
    explainedVariance: pca.explainedVariance,
    totalVariance: pca.totalVariance,
  };
}

/** The corrected vector in float64 (see {@link normalizeVector}); `none` copies. */
export function normalizeVector64(stats: NormalizationStats, normalization: Normalization, vector: Float32Array | Float64Array): Float64Array {
  return normalizeInto64(stats, normalization, vector, new Float64Array(vector.length));
}

/**
 * The corrected vector as float32 written into `out` (no allocation: the pipeline corrects every
 * pair's two vectors through two such buffers). The same values as {@link normalizeVector}.
 */
export function normalizeInto(stats: NormalizationStats, normalization: Normalization, vector: Float32Array, scratch: Float64Array, out: Float32Array): Float32Array {
  normalizeInto64(stats, normalization, vector, scratch);
  for (let c = 0; c < out.length; c++) out[c] = scratch[c]!;
  return out;
}

/**
 * {@link normalizeInto} into `block` at `offset` (no view of it is made), returning the squared
 * norm of the float32 values written, summed as src/metrics/cosine.ts `squaredNorm` sums them (the
 * same double): the pipeline corrects every distinct occurrence of a chunk this way, in one pass.
 */
export function normalizeIntoBlock(stats: NormalizationStats, normalization: Normalization, vector: Float32Array, scratch: Float64Array, block: Float32Array, offset: number): number {
  normalizeInto64(stats, normalization, vector, scratch);
  let norm = 0;
  for (let c = 0; c < scratch.length; c++) {
    const value = Math.fround(scratch[c]!);
    block[offset + c] = value;
    norm += value * value;
  }
  return norm;
}

/** {@link normalizeVector64} into a caller's buffer of the vector's length (returned). */
export function normalizeVectorInto64(stats: NormalizationStats, normalization: Normalization, vector: Float32Array | Float64Array, out: Float64Array): Float64Array {
  if (out.length !== vector.length) throw new RangeError(`normalizeVectorInto64: output has ${out.length} values, vector ${vector.length}`);
  return normalizeInto64(stats, normalization, vector, out);
}

function normalizeInto64(stats: NormalizationStats, normalization: Normalization, vector: Float32Array | Float64Array, out: Float64Array): Float64Array {
  if (vector.length !== stats.dims) {
    throw new RangeError(`normalizeVector: vector has ${vector.length} dimensions, statistics have ${stats.dims}`);
  }
  // One pass per step fused into one loop: the same operations on each element, in the same order.
  const { mean, std } = stats;
  if (normalization === 'none') {
    for (let c = 0; c < out.length; c++) out[c] = vector[c]!;
    return out;
  }
  if (normalization === 'zscore') {
    for (let c = 0; c < out.length; c++) {
      const deviation = vector[c]! - mean[c]!;
      const scale = std[c]!;
      out[c] = scale > 0 ? deviation / scale : deviation;
    }
    return out;
  }
  for (let c = 0; c < out.length; c++) out[c] = vector[c]! - mean[c]!;
  if (normalization === 'abtt') {
    // Components are orthonormal, so subtracting the projections one after another equals
    // subtracting the projection onto their span; re-projecting the running residual (modified
    // Gram-Schmidt) keeps the result orthogonal to every component to rounding.
    for (const component of stats.components) {
      let dot = 0;
      for (let c = 0; c < out.length; c++) dot += out[c]! * component[c]!;
      for (let c = 0; c < out.length; c++) out[c]! -= dot * component[c]!;
    }
  }
  return out;
}

/**
 * Applies one correction to one vector: a new Float32Array (the input is never modified), or
 * null for a missing vector. `none` returns the input itself.
 */
export function normalizeVector(stats: NormalizationStats, normalization: Normalization, vector: Float32Array | null): Float32Array | null {
  if (vector === null) return null;
  if (normalization === 'none') {
    if (vector.length !== stats.dims) {
      throw new RangeError(`normalizeVector: vector has ${vector.length} dimensions, statistics have ${stats.dims}`);
    }
    return vector;
  }
  // Written element by element: Float32Array.from(Float64Array) goes through the iterator, and
  // the contextuality measures correct every sampled occurrence under every correction this way.
  return normalizeInto(stats, normalization, vector, new Float64Array(vector.length), new Float32Array(vector.length));
}

/**
 * Applies one correction to many vectors. The same input object always maps to the same output
 * object, so a static model's shared vector stays one shared (identical) vector after correction.
 * The corrected vectors are views into one block (the same values as {@link normalizeVector}'s),
 * not an allocation each: the contextuality measures correct every sampled occurrence this way.
 * The block is `into` when it is long enough (`vectors.length * dims` values; what it held is
 * overwritten, so a caller reuses it only once done with the previous views), a new one otherwise.
 */
export function normalizeVectors(
  stats: NormalizationStats,
  normalization: Normalization,
  vectors: readonly (Float32Array | null)[],
  into?: Float32Array,
): (Float32Array | null)[] {
  if (normalization === 'none') return vectors.map((vector) => normalizeVector(stats, normalization, vector));
  const dims = stats.dims;
  const slotOf = new Map<Float32Array, number>();
  const distinct: Float32Array[] = [];
  for (const vector of vectors) {
    if (vector === null || slotOf.has(vector)) continue;
    if (vector.length !== dims) throw new RangeError(`normalizeVector: vector has ${vector.length} dimensions, statistics have ${dims}`);
    slotOf.set(vector, distinct.length);
    distinct.push(vector);
  }
  const block = into !== undefined && into.length >= vectors.length * dims ? into : new Float32Array(vectors.length * dims);
  correctRowsInto32(stats, normalization, distinct, block, new Float64Array(distinct.length));
  const views = distinct.map((_vector, slot) => block.subarray(slot * dims, (slot + 1) * dims));
  return vectors.map((vector) => (vector === null ? null : views[slotOf.get(vector)!]!));
}

/**
 * {@link normalizeIntoBlock} of many vectors at once: vector i into `block` at i * dims, its squared
 * norm into `norms[i]` (0 for a missing vector, whose place in the block is left as it was). The
 * same values, computed in the WebAssembly kernels (src/linalg/correct-rows.ts), a few times faster.
 */
export function normalizeRowsIntoBlock(stats: NormalizationStats, normalization: Exclude<Normalization, 'none'>, vectors: readonly (Float32Array | null)[], block: Float32Array, norms: Float64Array): void {
  correctRowsInto32(stats, normalization, vectors, block, norms);
}
