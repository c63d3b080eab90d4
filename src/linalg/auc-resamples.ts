/**
 * The stratified bootstrap of ROC-AUC in the WebAssembly kernels (kernels.wat `aucResamples`): the
 * draws of the resampling engine (src/metrics/resampling.ts), four mixed at a time, and the
 * Mann-Whitney U of each resample counted per drawn positive from the drawn negatives' counts per
 * tie group (the same integers as the per-tie-group counting that src/metrics/bootstrap.ts and
 * compare.ts describe), so each resample's AUC (or paired AUC difference) is bit for bit the
 * JavaScript value, about twice as fast as one draw at a time and a pass over every tie group per
 * resample (the resamples are most of the cost of compare.csv and of every AUC interval).
 * test/linalg-kernels.test.ts checks it against the engine's draws counted in JavaScript.
 */
import { kernelModule, wasm } from './rows.js';

interface BootstrapExports {
  readonly memory: { readonly buffer: ArrayBuffer; grow(pages: number): number };
  aucResamples(
    seed: number, resamples: number, nPos: number, nNeg: number, picks: number,
    negGroupsA: number, boundsA: number, prefixA: number, groupsA: number,
    negGroupsB: number, boundsB: number, prefixB: number, groupsB: number, out: number,
  ): void;
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

/**
 * AUC of `a` on every stratified resample, minus that of `b` on the same resample when given
 * (`a` and `b` list the same items, each class in the same order). Both classes must be non-empty.
 */
export function aucResamples(seed: number, resamples: number, a: GroupedClasses, b?: GroupedClasses): Float64Array {
  const nPos = a.positives.length;
  const nNeg = a.negatives.length;
  if (nPos === 0 || nNeg === 0) throw new RangeError('aucResamples: both classes are needed');
  if (b !== undefined && (b.positives.length !== nPos || b.negatives.length !== nNeg)) throw new RangeError('aucResamples: the two rankings list different items');
  // The kernel sums the counts in int64: the same bits as the float64 sums while those are exact.
  if (2 * nPos * nNeg > 2 ** 53) throw new RangeError(`aucResamples: ${nPos} positives and ${nNeg} negatives are beyond exact float64 counting`);
  const rankingA = negativeBounds(a);
  const rankingB = b === undefined ? null : negativeBounds(b);
  let offset = 0;
  const take = (bytes: number): number => {
    const at = offset;
    offset += Math.ceil(bytes / 16) * 16;
    return at;
  };
  const at = {
    // The draws are mixed four at a time: room for three more.
    picks: take((nPos + nNeg + 3) * 4),
    negGroupsA: take(nNeg * 4), boundsA: take(nPos * 8), prefixA: take((rankingA.groups + 1) * 4),
    negGroupsB: take(nNeg * 4), boundsB: take(nPos * 8), prefixB: take(((rankingB?.groups ?? 0) + 1) * 4),
    out: take(resamples * 8),
  };
  instance ??= new wasm.Instance(kernelModule()).exports as BootstrapExports;
  const kernels = instance;
  const have = kernels.memory.buffer.byteLength;
  if (offset > have) kernels.memory.grow(Math.ceil((offset - have) / 65536));
  const buffer = kernels.memory.buffer;
  new Uint32Array(buffer, at.negGroupsA, nNeg).set(rankingA.negGroups);
  new Uint32Array(buffer, at.boundsA, 2 * nPos).set(rankingA.bounds);
  new Uint32Array(buffer, at.prefixA, rankingA.groups + 1).fill(0);
  if (rankingB !== null) {
    new Uint32Array(buffer, at.negGroupsB, nNeg).set(rankingB.negGroups);
    new Uint32Array(buffer, at.boundsB, 2 * nPos).set(rankingB.bounds);
    new Uint32Array(buffer, at.prefixB, rankingB.groups + 1).fill(0);
  }
  kernels.aucResamples(
    seed >>> 0, resamples, nPos, nNeg, at.picks,
    at.negGroupsA, at.boundsA, at.prefixA, rankingA.groups,
    at.negGroupsB, at.boundsB, at.prefixB, rankingB?.groups ?? 0, at.out,
  );
  return new Float64Array(buffer, at.out, resamples).slice();
}
