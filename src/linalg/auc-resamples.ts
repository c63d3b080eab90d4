/**
 * The stratified bootstrap of ROC-AUC in the WebAssembly kernels (kernels.wat `aucResamples`): the
 * draws of the resampling engine (src/metrics/resampling.ts) and the per-tie-group counting that
 * src/metrics/bootstrap.ts and compare.ts describe, so each resample's AUC (or paired AUC
 * difference) is bit for bit the JavaScript value, about four times faster (the resamples are most
 * of the cost of compare.csv and of every AUC interval). test/linalg-kernels.test.ts checks it
 * against the engine's draws counted in JavaScript.
 */
import { kernelModule, wasm } from './rows.js';

interface BootstrapExports {
  readonly memory: { readonly buffer: ArrayBuffer; grow(pages: number): number };
  aucResamples(
    seed: number, resamples: number,
    posA: number, posB: number, nPos: number, negA: number, negB: number, nNeg: number,
    groupsA: number, groupsB: number,
    positivesA: number, negativesA: number, positivesB: number, negativesB: number, out: number,
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
  const groupsB = b?.groups ?? 0;
  let offset = 0;
  const take = (bytes: number): number => {
    const at = offset;
    offset += Math.ceil(bytes / 16) * 16;
    return at;
  };
  const at = {
    posA: take(nPos * 4), posB: take(nPos * 4), negA: take(nNeg * 4), negB: take(nNeg * 4),
    positivesA: take(a.groups * 4), negativesA: take(a.groups * 4), positivesB: take(groupsB * 4), negativesB: take(groupsB * 4),
    out: take(resamples * 8),
  };
  instance ??= new wasm.Instance(kernelModule()).exports as BootstrapExports;
  const kernels = instance;
  const have = kernels.memory.buffer.byteLength;
  if (offset > have) kernels.memory.grow(Math.ceil((offset - have) / 65536));
  const buffer = kernels.memory.buffer;
  new Uint32Array(buffer, at.posA, nPos).set(a.positives);
  new Uint32Array(buffer, at.negA, nNeg).set(a.negatives);
  if (b !== undefined) {
    new Uint32Array(buffer, at.posB, nPos).set(b.positives);
    new Uint32Array(buffer, at.negB, nNeg).set(b.negatives);
  }
  kernels.aucResamples(
    seed >>> 0, resamples,
    at.posA, b === undefined ? 0 : at.posB, nPos, at.negA, b === undefined ? 0 : at.negB, nNeg,
    a.groups, groupsB,
    at.positivesA, at.negativesA, at.positivesB, at.negativesB, at.out,
  );
  return new Float64Array(buffer, at.out, resamples).slice();
}
