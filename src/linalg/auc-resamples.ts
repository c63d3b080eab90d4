/**
 * The stratified bootstrap of ROC-AUC in the WebAssembly kernels (kernels.wat `aucResamples`): the
 * draws of the resampling engine (src/metrics/resampling.ts), four mixed at a time, and the
 * Mann-Whitney U of each resample counted per drawn positive from the drawn negatives' counts per
 * tie group (the same integers as the per-tie-group counting that src/metrics/bootstrap.ts and
 * compare.ts describe), so each resample's AUC is bit for bit the JavaScript value, about twice as
 * fast as one draw at a time and a pass over every tie group per resample (the resamples are most
 * of the cost of compare.csv and of every AUC interval). Several rankings of the same pairs are
 * scored on one set of draws, drawn once: a split's comparisons share them.
 * test/linalg-kernels.test.ts checks it against the engine's draws counted in JavaScript.
 */
import { kernelModule, MemoryLayout, wasm, type KernelMemory } from './rows.js';

interface BootstrapExports {
  readonly memory: KernelMemory;
  aucResamples(seed: number, resamples: number, nPos: number, nNeg: number, picks: number, counts: number, rankings: number, count: number): void;
}

let instance: BootstrapExports | null = null;

/** One ranking's side of a resample: the tie-group id of each positive and each negative, in input order. */
export interface GroupedClasses {
  readonly positives: Uint32Array;
  readonly negatives: Uint32Array;
  readonly groups: number;
}

/**
 * What the kernel reads of one ranking: each negative's tie group among the negatives alone, and
 * for each positive the negatives' groups it lies above (lo: groups 0 .. lo-1) and whether it ties
 * group lo (hi = lo + 1) or none (hi = lo).
 */
function negativeBounds(ranking: GroupedClasses): { negGroups: Uint32Array; bounds: Uint32Array; groups: number } {
  const hasNegative = new Uint8Array(ranking.groups);
  for (const group of ranking.negatives) hasNegative[group] = 1;
  const below = new Uint32Array(ranking.groups);
  let groups = 0;
  for (let g = 0; g < ranking.groups; g++) {
    below[g] = groups;
    groups += hasNegative[g]!;
  }
  const negGroups = Uint32Array.from(ranking.negatives, (group) => below[group]!);
  const bounds = new Uint32Array(2 * ranking.positives.length);
  ranking.positives.forEach((group, i) => {
    bounds[2 * i] = below[group]!;
    bounds[2 * i + 1] = below[group]! + hasNegative[group]!;
  });
  return { negGroups, bounds, groups };
}

/** Bytes of one ranking's descriptor (five int32, kernels.wat `aucResamples`). */
const DESCRIPTOR_BYTES = 20;

/**
 * The AUC of each ranking on every stratified resample of `seed`'s draws, in draw order. The
 * rankings list the same items (each class in the same order), and every one is scored on the same
 * draws, made once: a resample of one ranking is the same resample of any other, so a paired
 * difference is one ranking's array minus another's. Both classes must be non-empty.
 */
export function aucResamples(seed: number, resamples: number, rankings: readonly GroupedClasses[]): Float64Array[] {
  if (rankings.length === 0) return [];
  const nPos = rankings[0]!.positives.length;
  const nNeg = rankings[0]!.negatives.length;
  if (nPos === 0 || nNeg === 0) throw new RangeError('aucResamples: both classes are needed');
  if (rankings.some((ranking) => ranking.positives.length !== nPos || ranking.negatives.length !== nNeg)) throw new RangeError('aucResamples: the rankings list different items');
  // The kernel sums the counts in int64: the same bits as the float64 sums while those are exact.
  if (2 * nPos * nNeg > 2 ** 53) throw new RangeError(`aucResamples: ${nPos} positives and ${nNeg} negatives are beyond exact float64 counting`);
  const bounded = rankings.map(negativeBounds);
  const regions = new MemoryLayout();
  const take = (bytes: number): number => regions.take(bytes);
  // The draws are mixed four at a time: room for three more.
  const picks = take((nPos + nNeg + 3) * 4);
  // How many times each item was drawn in the current resample (the kernel leaves it zero).
  const counts = take((nPos + nNeg) * 4);
  const descriptors = take(rankings.length * DESCRIPTOR_BYTES);
  const at = bounded.map((ranking) => ({ negGroups: take(nNeg * 4), bounds: take(nPos * 8), prefix: take((ranking.groups + 1) * 4), out: take(resamples * 8) }));
  instance ??= new wasm.Instance(kernelModule()).exports as BootstrapExports;
  const kernels = instance;
  const buffer = regions.reserve(kernels.memory);
  const descriptor = new Uint32Array(buffer, descriptors, rankings.length * 5);
  bounded.forEach((ranking, r) => {
    const { negGroups, bounds, prefix, out } = at[r]!;
    new Uint32Array(buffer, negGroups, nNeg).set(ranking.negGroups);
    new Uint32Array(buffer, bounds, 2 * nPos).set(ranking.bounds);
    new Uint32Array(buffer, prefix, ranking.groups + 1).fill(0);
    descriptor.set([negGroups, bounds, prefix, ranking.groups, out], 5 * r);
  });
  new Uint32Array(buffer, counts, nPos + nNeg).fill(0);
  kernels.aucResamples(seed >>> 0, resamples, nPos, nNeg, picks, counts, descriptors, rankings.length);
  return at.map(({ out }) => new Float64Array(buffer, out, resamples).slice());
}
