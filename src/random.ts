/**
 * The one seeded generator of the project. Math.random cannot be seeded, and every random choice in
 * sensebench (dataset generation, bootstrap resamples, CV folds, test corpora) must be reproducible
 * byte for byte on every machine.
 */

/**
 * mulberry32 (Tommy Ettinger's 32-bit generator): uniform doubles in [0, 1), each a multiple of
 * 2^-32. Tiny state, good enough for shuffles and resampling, and exact in JavaScript because it
 * uses only 32-bit integer operations (so numpy reproduces it for reference values).
 */
export function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
