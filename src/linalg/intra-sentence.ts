/**
 * Ethayarajh's intra-sentence similarity of many sentences at once, each of its words corrected
 * first, in the WebAssembly kernels (kernels.wat `correctRows`, then `intraSimilarities`): bit for
 * bit src/metrics/contextuality.ts `measureSentence` over the words corrected by
 * src/metrics/normalization.ts (test/linalg-kernels.test.ts). A WiC-sized run measures 1,000
 * sentences under four corrections for each of 16 representations; in JavaScript that took about
 * 1.2 CPU s, most of it chains of dependent additions a few hundred long.
 */
import { kernelModule, MemoryLayout, wasm, type KernelMemory } from './rows.js';
import { CORRECTION_MODES, takeStatistics, writeStatistics, type CorrectionMode, type CorrectionStatistics } from './correct-rows.js';

interface IntraExports {
  readonly memory: KernelMemory;
  correctRows(input: number, rows: number, d: number, mode: number, mean: number, std: number, comps: number, k: number, out: number, out32: number, norms: number): void;
  intraSimilarities(rows: number, d: number, index: number, lengths: number, count: number, centre: number, norms: number, result: number, status: number): void;
}

let instance: IntraExports | null = null;

/** A sentence's similarity: a number, none (`null`: no usable word, or words that cancel out), or `recheck` (a squared norm that is not finite: measure it in JavaScript, which says which value). */
export type IntraSimilarity = number | null | 'recheck';

/**
 * The intra-sentence similarity of each sentence of `words` (sentence s: the next `lengths[s]`
 * words, each `dims` long or null) with every word corrected under `mode` (`none`: as it is; a
 * correction needs `stats`).
 */
export function intraSentenceSimilarities(stats: CorrectionStatistics | null, mode: CorrectionMode | 'none', words: readonly (Float32Array | null)[], lengths: ArrayLike<number>, dims: number): IntraSimilarity[] {
  const count = lengths.length;
  let total = 0;
  let longest = 0;
  for (let s = 0; s < count; s++) {
    total += lengths[s]!;
    longest = Math.max(longest, lengths[s]!);
  }
  if (total !== words.length) throw new RangeError(`intraSentenceSimilarities: ${words.length} words for sentences of ${total}`);
  if (mode !== 'none' && (stats === null || stats.dims !== dims)) throw new RangeError(`intraSentenceSimilarities: ${mode} needs statistics of ${dims} dimensions`);
  const present = words.reduce((n, word) => n + (word === null ? 0 : 1), 0);
  const regions = new MemoryLayout();
  const statistics = mode === 'none' ? { mean: 0, std: 0, comps: 0 } : takeStatistics(regions, stats!);
  const input = regions.take(present * dims * 4);
  const rows = regions.take(present * dims * 8);
  const index = regions.take(words.length * 4);
  const lengthsAt = regions.take(count * 4);
  const centre = regions.take(dims * 8);
  const norms = regions.take(longest * 8);
  const result = regions.take(count * 8);
  const status = regions.take(count * 4);
  instance ??= new wasm.Instance(kernelModule()).exports as IntraExports;
  const kernels = instance;
  const memory = regions.reserve(kernels.memory);
  if (mode !== 'none') writeStatistics(memory, statistics, stats!);
  const inputView = new Float32Array(memory, input, present * dims);
  const indexView = new Int32Array(memory, index, words.length);
  let row = 0;
  words.forEach((word, i) => {
    if (word === null) {
      indexView[i] = -1;
      return;
    }
    if (word.length !== dims) throw new RangeError(`intraSentenceSimilarities: word ${i} has ${word.length} dimensions, expected ${dims}`);
    inputView.set(word, row * dims);
    indexView[i] = row++;
  });
  new Int32Array(memory, lengthsAt, count).set(lengths);
  kernels.correctRows(input, present, dims, mode === 'none' ? 0 : CORRECTION_MODES[mode], statistics.mean, statistics.std, statistics.comps, mode === 'none' ? 0 : stats!.components.length, rows, 0, 0);
  kernels.intraSimilarities(rows, dims, index, lengthsAt, count, centre, norms, result, status);
  const results = new Float64Array(memory, result, count);
  const states = new Int32Array(memory, status, count);
  return Array.from({ length: count }, (_unused, s) => (states[s] === 0 ? results[s]! : states[s] === 1 ? null : 'recheck'));
}
