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
  if (normA === 0 || normB === 0) return null;
  // Identical vectors must give exactly 1: that is the lesson's point about static models.
  if (a === b || (normA === normB && dot === normA)) return 1;
  return dot / Math.sqrt(normA * normB);
}
