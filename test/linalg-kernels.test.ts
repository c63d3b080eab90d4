/**
 * The probe's SIMD row kernels (src/linalg/) give bit for bit what the plain JavaScript loops give
 * (the loops below are the probe's own before the kernels replaced them), on awkward shapes:
 * widths that are not a multiple of 4 or 2, row lists that skip and reorder rows, zero weights and
 * residuals (skipped rows), signed zeros and values of very different magnitudes. And the committed
 * module is exactly what kernels.wat assembles to.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../src/config.js';
import { assembleKernels, kernelsModuleSource } from '../src/linalg/build-kernels.js';
import { RowMatrix, allRows } from '../src/linalg/rows.js';
import { mulberry32 } from '../src/random.js';
import { bootstrapAucSamples } from '../src/metrics/bootstrap.js';
import { bootstrapAucDifferenceSamples } from '../src/metrics/compare.js';
import { denseRanks } from '../src/metrics/rank.js';
import { aucFromGroupCounts } from '../src/metrics/ranking.js';
import { resampledStatistics } from '../src/metrics/resampling.js';

function rowDot(data: Float64Array, row: number, params: Float64Array, d: number): number {
  let s0 = 0;
  let s1 = 0;
  let s2 = 0;
  let s3 = 0;
  let j = 0;
  for (; j + 3 < d; j += 4) {
    s0 += data[row + j]! * params[j]!;
    s1 += data[row + j + 1]! * params[j + 1]!;
    s2 += data[row + j + 2]! * params[j + 2]!;
    s3 += data[row + j + 3]! * params[j + 3]!;
  }
  for (; j < d; j++) s0 += data[row + j]! * params[j]!;
  return params[d]! + (s0 + s1 + (s2 + s3));
}

function values(count: number, seed: number, zeros = 0): Float64Array {
  const random = mulberry32(seed);
  return Float64Array.from({ length: count }, () => {
    const u = random.next();
    if (u < zeros) return u < zeros / 2 ? 0 : -0;
    return (random.next() - 0.5) * 10 ** Math.floor(random.next() * 12 - 6);
  });
}

const sameBits = (a: Float64Array, b: Float64Array): boolean => Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(Buffer.from(b.buffer, b.byteOffset, b.byteLength));

describe('row kernels', () => {
  it('the committed module is kernels.wat assembled', async () => {
    const committed = await readFile(join(PROJECT_ROOT, 'src', 'linalg', 'kernels-wasm.ts'), 'utf8');
    expect(committed).toBe(kernelsModuleSource(await assembleKernels()));
  });

  for (const d of [1, 2, 3, 5, 8, 13, 200, 1023]) {
    it(`every pass equals the plain loops bit for bit (d = ${d})`, () => {
      const n = 37;
      const data = values(n * d, d);
      const matrix = RowMatrix.from(n, d, data);
      const random = mulberry32(1000 + d);
      const lists = [allRows(n), Int32Array.from({ length: 20 }, () => random.nextInt(n)), new Int32Array(0)];
      for (const rows of lists) {
        const v = values(d + 1, 2 * d);
        const w = values(rows.length, 3 * d, 0.3);
        // dots
        const dots = new Float64Array(rows.length);
        matrix.dots(rows, v, dots);
        expect(sameBits(dots, Float64Array.from(rows, (row) => rowDot(data, row * d, v, d)))).toBe(true);
        // X^T r, accumulating into what out held
        const start = values(d + 1, 4 * d);
        const out = start.slice();
        matrix.transposeTimes(rows, w, out);
        const expected = start.slice();
        rows.forEach((row, k) => {
          const r = w[k]!;
          if (r === 0) return;
          for (let j = 0; j < d; j++) expected[j]! += data[row * d + j]! * r;
          expected[d]! += r;
        });
        expect(sameBits(out, expected)).toBe(true);
        // Hessian-vector product
        const hv = start.slice();
        matrix.hessianTimes(rows, v, w, hv);
        const hvExpected = start.slice();
        rows.forEach((row, k) => {
          const s = rowDot(data, row * d, v, d) * w[k]!;
          if (s === 0) return;
          for (let j = 0; j < d; j++) hvExpected[j]! += data[row * d + j]! * s;
          hvExpected[d]! += s;
        });
        expect(sameBits(hv, hvExpected)).toBe(true);
        // weighted squares
        const squares = start.slice();
        matrix.weightedSquares(rows, w, squares);
        const squaresExpected = start.slice();
        rows.forEach((row, k) => {
          const weight = w[k]!;
          for (let j = 0; j < d; j++) squaresExpected[j]! += weight * data[row * d + j]! * data[row * d + j]!;
          squaresExpected[d]! += weight;
        });
        expect(sameBits(squares, squaresExpected)).toBe(true);
      }
    });
  }

  it('refuses a row outside the matrix', () => {
    const matrix = new RowMatrix(3, 4);
    expect(() => { matrix.dots(Int32Array.from([0, 3]), new Float64Array(5), new Float64Array(2)); }).toThrow(/row 3 outside/);
  });

  for (const [n, distinct] of [[2, 2], [57, 5], [400, 400], [3001, 70]] as const) {
    it(`the AUC resamples equal the plain loops bit for bit (${n} items, ${distinct} distinct scores)`, () => {
      const random = mulberry32(n);
      const scoresA = Float64Array.from({ length: n }, () => random.nextInt(distinct) / distinct);
      const scoresB = Float64Array.from({ length: n }, () => random.nextInt(distinct) / distinct);
      const labels = Array.from({ length: n }, (_unused, i) => i === 0 || (i !== 1 && random.next() < 0.4));
      const seed = 4_000_000_000 + n;
      expect(bootstrapAucSamples({ scores: scoresA, labels }, { seed, resamples: 300 })).toEqual(countedAucResamples(seed, 300, labels, scoresA));
      expect(bootstrapAucDifferenceSamples(scoresA, scoresB, labels, { seed, resamples: 300 })).toEqual(countedAucResamples(seed, 300, labels, scoresA, scoresB));
    });
  }
});

/**
 * The kernels' reference: the stratified AUC resamples as the resampling engine draws them (the
 * positives, then the negatives), each resample's AUC of `a` (minus that of `b`) counted per tie
 * group in JavaScript.
 */
function countedAucResamples(seed: number, resamples: number, labels: readonly boolean[], a: Float64Array, b?: Float64Array): number[] {
  const positives = labels.flatMap((label, i) => (label ? [i] : []));
  const negatives = labels.flatMap((label, i) => (label ? [] : [i]));
  const rankings = [a, ...(b === undefined ? [] : [b])].map((scores) => {
    const { ids, groups } = denseRanks(scores);
    return { ids, positives: new Float64Array(groups), negatives: new Float64Array(groups) };
  });
  return resampledStatistics({ seed, resamples }, [positives.length, negatives.length], ([drawnPositives, drawnNegatives]) => {
    for (const ranking of rankings) {
      ranking.positives.fill(0);
      ranking.negatives.fill(0);
      for (const k of drawnPositives!) ranking.positives[ranking.ids[positives[k]!]!]!++;
      for (const k of drawnNegatives!) ranking.negatives[ranking.ids[negatives[k]!]!]!++;
    }
    const [first, second] = rankings.map((ranking) => aucFromGroupCounts(ranking.positives, ranking.negatives)!);
    return second === undefined ? first! : first! - second;
  });
}
