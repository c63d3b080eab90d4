/**
 * The one seeded-randomness module of the project. Math.random cannot be seeded, and every random
 * choice in sensebench (dataset generation, bootstrap resamples, CV folds, anisotropy samples, test
 * corpora) must be reproducible byte for byte on every machine and replayable in numpy for the
 * reference values (test/fixtures/metrics/make_reference.py re-implements it).
 */

/** A stream of uniform doubles in [0, 1). */
export interface Random {
  /** Next uniform double in [0, 1), a multiple of 2^-32 (a plain function: safe to pass around). */
  readonly next: () => number;
  /** Uniform integer in [0, n): `floor(next() * n)`. */
  readonly nextInt: (n: number) => number;
}

/**
 * mulberry32 (Tommy Ettinger's 32-bit generator). Tiny state, good enough for shuffles and
 * resampling, and exact in JavaScript because it uses only 32-bit integer operations.
 */
export function mulberry32(seed: number): Random {
  let state = seed >>> 0;
  const next = (): number => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
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
  if (!Number.isSafeInteger(seed)) throw new RangeError(`seed must be an integer, got ${seed}`);
  return fnv1a32(`${seed}:${key}`);
}

/**
 * The stream of one named item of the WordNet dataset generator (a lemma, a split), so that the
 * draws for one lemma do not depend on how many draws the lemmas before it made. Its mixing of seed
 * and key differs from {@link deriveSeed} and is kept because it defines the committed
 * datasets/wordnet-wic files byte for byte (test/wordnet-wic.test.ts regenerates them).
 */
export function generatorStream(seed: number, key: string): Random {
  return mulberry32((fnv1a32(key) ^ Math.imul(seed >>> 0, 0x9e3779b1)) >>> 0);
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

/** A shuffled copy of `items` (the same draws as {@link shuffleInPlace}). */
export function shuffled<T>(items: readonly T[], random: Random): T[] {
  return shuffleInPlace([...items], random);
}
