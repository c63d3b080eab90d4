/**
 * A small seeded PRNG, so the generated benchmark is reproducible byte for byte from its seed
 * (Math.random cannot be seeded).
 */

/** Uniform floats in [0, 1). */
export type Random = () => number;

/** The project's seeded generator (src/random.ts). */
export { mulberry32 } from '../../random.js';
import { mulberry32 } from '../../random.js';

/** FNV-1a over UTF-16 code units: a stable 32-bit hash used to derive per-item seeds. */
export function fnv1a(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}

/**
 * A generator for one named item (a lemma, a split), so that the draws for one lemma do not depend
 * on how many draws the lemmas before it made.
 */
export function derivedRandom(seed: number, key: string): Random {
  return mulberry32((fnv1a(key) ^ Math.imul(seed >>> 0, 0x9e3779b1)) >>> 0);
}

/** Fisher–Yates shuffle into a new array. */
export function shuffled<T>(items: readonly T[], random: Random): T[] {
  const result = [...items];
  for (let i = result.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [result[i], result[j]] = [result[j]!, result[i]!];
  }
  return result;
}
