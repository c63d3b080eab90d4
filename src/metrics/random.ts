/**
 * Seeded randomness for bootstraps and cross-validation folds. Results must be byte-identical across
 * runs and machines, so everything random here comes from mulberry32 (a 32-bit generator whose
 * integer arithmetic is exact in JavaScript and trivially reproduced in numpy for reference values).
 */

import { mulberry32 as uniformMulberry32 } from '../random.js';

/** A stream of uniform doubles in [0, 1). */
export interface Random {
  /** Next uniform double in [0, 1), a multiple of 2^-32. */
  next(): number;
  /** Uniform integer in [0, n): `floor(next() * n)`. */
  nextInt(n: number): number;
}

/** mulberry32 (src/random.ts) as a {@link Random} stream. */
export function mulberry32(seed: number): Random {
  const next = uniformMulberry32(seed);
  return { next, nextInt: (n: number): number => Math.floor(next() * n) };
}

/** 32-bit FNV-1a over the UTF-8 bytes of `text`. */
export function fnv1a32(text: string): number {
  let hash = 0x811c9dc5;
  for (const byte of new TextEncoder().encode(text)) {
    hash ^= byte;
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash >>> 0;
}

/**
 * Seed for one named random stream of a run: a hash of `"<seed>:<key>"`. Keying each stream
 * (e.g. `glove-100d:target:lesson:test:auc`) means adding a model or a representation to a run
 * never changes the confidence intervals of the other rows.
 */
export function deriveSeed(seed: number, key: string): number {
  if (!Number.isSafeInteger(seed)) {
    throw new RangeError(`seed must be an integer, got ${seed}`);
  }
  return fnv1a32(`${seed}:${key}`);
}

/** Shuffles `items` in place (Fisher-Yates, from the last index down) and returns it. */
export function shuffleInPlace<T>(items: T[], random: Random): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = random.nextInt(i + 1);
    const tmp = items[i]!;
    items[i] = items[j]!;
    items[j] = tmp;
  }
  return items;
}
