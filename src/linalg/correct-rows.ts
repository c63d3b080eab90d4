/**
 * The anisotropy corrections (src/metrics/normalization.ts) of many float32 vectors at once, in the
 * WebAssembly kernels (kernels.wat `correctRows`). A run corrects every distinct occurrence under
 * every correction of every representation three times over (pair cosines, contextuality's
 * targets, intra-sentence words): about 3.4 CPU s of a WiC-sized run in the JavaScript loops,
 * which run at a few ns per value. The kernel gives bit for bit what those loops give (each value
 * the same operations in the same order; the sums along a row keep their order:
 * test/linalg-kernels.test.ts), with SIMD for the elementwise steps.
 *
 * Vectors go through the kernel's memory {@link CHUNK_ROWS} at a time, so it stays a few MB
 * whatever the count (one instance per thread, reused).
 */
import { kernelModule, MemoryLayout, wasm, type KernelMemory } from './rows.js';

interface CorrectExports {
  readonly memory: KernelMemory;
  correctRows(input: number, rows: number, d: number, mode: number, mean: number, std: number, comps: number, k: number, out: number, out32: number, norms: number): void;
}

/** What a correction subtracts and divides by (src/metrics/normalization.ts `NormalizationStats`). */
export interface CorrectionStatistics {
  readonly dims: number;
  readonly mean: Float64Array;
  readonly std: Float64Array;
  readonly components: readonly Float64Array[];
}

/** The kernel's modes: center (minus the mean), zscore (then divided by the std), abtt (then the components removed). */
export const CORRECTION_MODES = { center: 1, zscore: 2, abtt: 3 } as const;
export type CorrectionMode = keyof typeof CORRECTION_MODES;

/** Vectors per kernel call. */
export const CHUNK_ROWS = 256;

/** Where each part sits in the kernel's memory for one set of statistics. */
interface Layout {
  readonly mean: number;
  readonly std: number;
  readonly comps: number;
  readonly input: number;
  readonly out: number;
  readonly out32: number;
  readonly norms: number;
}

let instance: CorrectExports | null = null;

/** Where a correction's statistics sit in the kernel memory (kernels.wat `correctRows`'s mean, std and comps). */
export interface StatisticsRegions {
  readonly mean: number;
  readonly std: number;
  readonly comps: number;
}

/** Takes the regions of `stats` (mean, std, then the components as rows) from `regions`. */
export function takeStatistics(regions: MemoryLayout, stats: CorrectionStatistics): StatisticsRegions {
  const d = stats.dims;
  return { mean: regions.take(d * 8), std: regions.take(d * 8), comps: regions.take(stats.components.length * d * 8) };
}

/** Writes `stats` into `memory` at `at`. */
export function writeStatistics(memory: ArrayBuffer, at: StatisticsRegions, stats: CorrectionStatistics): void {
  const d = stats.dims;
  new Float64Array(memory, at.mean, d).set(stats.mean);
  new Float64Array(memory, at.std, d).set(stats.std);
  stats.components.forEach((component, j) => {
    new Float64Array(memory, at.comps + j * d * 8, d).set(component);
  });
}
/** The statistics whose values the memory holds (statistics are never modified), and where. */
let loaded: { stats: CorrectionStatistics; layout: Layout } | null = null;

function kernelsFor(stats: CorrectionStatistics): { kernels: CorrectExports; layout: Layout } {
  instance ??= new wasm.Instance(kernelModule()).exports as CorrectExports;
  const kernels = instance;
  if (loaded?.stats !== stats) {
    const d = stats.dims;
    const regions = new MemoryLayout();
    const at = takeStatistics(regions, stats);
    const input = regions.take(CHUNK_ROWS * d * 4);
    const out = regions.take(CHUNK_ROWS * d * 8);
    const out32 = regions.take(CHUNK_ROWS * d * 4);
    const norms = regions.take(CHUNK_ROWS * 8);
    writeStatistics(regions.reserve(kernels.memory), at, stats);
    loaded = { stats, layout: { ...at, input, out, out32, norms } };
  }
  return { kernels, layout: loaded.layout };
}

/**
 * Corrects each present vector of `vectors` (float32, `stats.dims` each) under `mode`, handing the
 * kernel's output for a run of consecutive present vectors `first .. first + count - 1` to `take`:
 * float64 rows (`values64`), and with `single` their float32 roundings (`values32`) and the
 * squared norm of each (`norms`), row-major from index 0. The views are valid only during the call.
 */
function correctRuns(
  stats: CorrectionStatistics,
  mode: CorrectionMode,
  vectors: readonly (Float32Array | null)[],
  single: boolean,
  take: (first: number, count: number, values64: Float64Array, values32: Float32Array, norms: Float64Array) => void,
): void {
  const d = stats.dims;
  const { kernels, layout } = kernelsFor(stats);
  const memory = kernels.memory.buffer;
  const input = new Float32Array(memory, layout.input, CHUNK_ROWS * d);
  const values64 = new Float64Array(memory, layout.out, CHUNK_ROWS * d);
  const values32 = new Float32Array(memory, layout.out32, CHUNK_ROWS * d);
  const norms = new Float64Array(memory, layout.norms, CHUNK_ROWS);
  let i = 0;
  while (i < vectors.length) {
    if (vectors[i] === null) {
      i++;
      continue;
    }
    const first = i;
    let count = 0;
    for (; count < CHUNK_ROWS && i < vectors.length; i++, count++) {
      const vector = vectors[i]!;
      if (vector === null) break;
      if (vector.length !== d) throw new RangeError(`correctRows: vector ${i} has ${vector.length} dimensions, statistics have ${d}`);
      input.set(vector, count * d);
    }
    kernels.correctRows(layout.input, count, d, CORRECTION_MODES[mode], layout.mean, layout.std, layout.comps, stats.components.length, layout.out, single ? layout.out32 : 0, layout.norms);
    take(first, count, values64, values32, norms);
  }
}

/**
 * The float32 corrections of `vectors` into `block` (vector i at i * dims), with the squared norm of
 * each (as src/metrics/cosine.ts `squaredNorm` sums the float32 values) in `norms[i]`; a missing
 * vector gets norm 0 and leaves its place in the block as it was. The same values as
 * src/metrics/normalization.ts `normalizeIntoBlock` per vector.
 */
export function correctRowsInto32(stats: CorrectionStatistics, mode: CorrectionMode, vectors: readonly (Float32Array | null)[], block: Float32Array, norms: Float64Array): void {
  const d = stats.dims;
  if (block.length < vectors.length * d || norms.length < vectors.length) throw new RangeError(`correctRowsInto32: room for ${block.length / d} vectors and ${norms.length} norms, ${vectors.length} given`);
  vectors.forEach((vector, i) => {
    if (vector === null) norms[i] = 0;
  });
  correctRuns(stats, mode, vectors, true, (first, count, _values64, values32, runNorms) => {
    block.set(values32.subarray(0, count * d), first * d);
    norms.set(runNorms.subarray(0, count), first);
  });
}
