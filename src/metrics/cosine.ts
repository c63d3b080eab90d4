/** The cosine of two vectors, as every part of sensebench computes it (no dependencies: the CLI's `similarity` imports it alone). */

/** Cosine similarity in float64; null when either vector is missing or has zero norm. */
export function cosine(a: Float32Array | null, b: Float32Array | null): number | null {
  if (a === null || b === null) return null;
  let dot = 0;
  let normA = 0;
  let normB = 0;
  for (let i = 0; i < a.length; i++) {
    const x = a[i]!;
    const y = b[i]!;
    dot += x * y;
    normA += x * x;
    normB += y * y;
  }
  return cosineOf(a === b, dot, normA, normB);
}

/** The squared norm {@link cosine} sums for a vector: the same float64 sum in the same order. */
export function squaredNorm(a: Float32Array): number {
  let norm = 0;
  for (let i = 0; i < a.length; i++) norm += a[i]! * a[i]!;
  return norm;
}

/**
 * {@link cosine} of two vectors whose squared norms ({@link squaredNorm}) are known: exactly the
 * same double, with one sum instead of three. Each of cosine's three sums is its own float64
 * accumulator over the same products in the same order, so computing a norm once and reusing it
 * for every pair a vector is in changes no bit (test/metrics-cosine.test.ts checks it).
 */
export function cosineWithNorms(a: Float32Array, b: Float32Array, normA: number, normB: number): number | null {
  let dot = 0;
  for (let i = 0; i < a.length; i++) dot += a[i]! * b[i]!;
  return cosineOf(a === b, dot, normA, normB);
}

/**
 * {@link cosineWithNorms} of the vectors of `dims` values at offsets `a` and `b` of one block
 * (the same offset standing for the same vector): the same double, without a view of either.
 */
export function cosineInBlock(block: Float32Array, a: number, b: number, dims: number, normA: number, normB: number): number | null {
  let dot = 0;
  for (let i = 0; i < dims; i++) dot += block[a + i]! * block[b + i]!;
  return cosineOf(a === b, dot, normA, normB);
}

/** The cosine from its sums; `same`: the two are one vector (one object, or one place in a block). */
function cosineOf(same: boolean, dot: number, normA: number, normB: number): number | null {
  if (normA === 0 || normB === 0) return null;
  // Identical vectors must give exactly 1: that is the lesson's point about static models.
  if (same || (normA === normB && dot === normA)) return 1;
  return dot / Math.sqrt(normA * normB);
}
