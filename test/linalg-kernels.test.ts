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
import { RowMatrix, allRows, type RowPass } from '../src/linalg/rows.js';
import { centeredUpperSums, gramMatrix } from '../src/linalg/covariance.js';
import { CHUNK_ROWS } from '../src/linalg/correct-rows.js';
import { GramProducts } from '../src/linalg/gram-products.js';
import { intraSentenceSimilaritiesOf, measureSentence } from '../src/metrics/contextuality.js';
import { fitNormalization, normalizeIntoBlock, normalizeRowsIntoBlock, normalizeVector64, type NormalizationStats } from '../src/metrics/normalization.js';
import { covariance } from '../src/metrics/pca.js';
import { mulberry32 } from '../src/random.js';
import { bootstrapAucSamples } from '../src/metrics/bootstrap.js';
import { bootstrapAucDifferenceSamples } from '../src/metrics/compare.js';
import { denseRanks } from '../src/metrics/rank.js';
import { aucFromGroupCounts } from '../src/metrics/ranking.js';
import { resampledStatistics } from '../src/metrics/resampling.js';

/**
 * The probe's rowDot: four running sums (element j goes to sum j mod 4), the tail added to the
 * first, then bias + ((s0 + s1) + (s2 + s3)). `round` is applied after every operation: the
 * identity for float64, Math.fround for kernels.wat `hessianTimesSingle` (float64 math rounded to
 * float32 after every operation is float32 math: double rounding is harmless at 53 >= 2 x 24 + 2 bits).
 */
function rowDot(data: ArrayLike<number>, row: number, params: ArrayLike<number>, d: number, round: (x: number) => number = (x) => x): number {
  const sums = [0, 0, 0, 0];
  let j = 0;
  for (; j + 3 < d; j += 4) for (let lane = 0; lane < 4; lane++) sums[lane] = round(sums[lane]! + round(data[row + j + lane]! * params[j + lane]!));
  for (; j < d; j++) sums[0] = round(sums[0]! + round(data[row + j]! * params[j]!));
  return round(params[d]! + round(round(sums[0]! + sums[1]!) + round(sums[2]! + sums[3]!)));
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
      // The kernels take rows four at a time, then one at a time: lists of every length mod 4.
      const lists = [allRows(n), Int32Array.from({ length: 20 }, () => random.nextInt(n)), new Int32Array(0),
        ...[1, 2, 3, 5, 6, 7].map((length) => Int32Array.from({ length }, () => random.nextInt(n)))];
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
        // the same product in float32, over the matrix's float32 copy
        matrix.keepSingleCopy();
        const data32 = Float32Array.from(data);
        const v32 = Float32Array.from(v);
        const single = start.slice();
        matrix.hessianTimesSingle(rows, v, w, single);
        const singleExpected = Float32Array.from(start);
        rows.forEach((row, k) => {
          const s = Math.fround(rowDot(data32, row * d, v32, d, Math.fround) * Math.fround(w[k]!));
          for (let j = 0; j < d; j++) singleExpected[j] = Math.fround(singleExpected[j]! + Math.fround(data32[row * d + j]! * s));
          singleExpected[d] = Math.fround(singleExpected[d]! + s);
        });
        expect(sameBits(single, Float64Array.from(singleExpected))).toBe(true);
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

  it('passes made together in one sweep equal each pass made alone, bit for bit (many windows, sorted and unsorted lists)', () => {
    // 300 x 203 float64 is about 4 windows of the sweep; fold-like increasing lists are split at
    // the windows, the others are done whole: neither may change a value.
    const n = 300;
    const d = 203;
    const data = values(n * d, 77);
    const together = RowMatrix.from(n, d, data);
    const alone = RowMatrix.from(n, d, data);
    together.keepSingleCopy();
    alone.keepSingleCopy();
    const random = mulberry32(78);
    const folds = Array.from({ length: 5 }, (_unused, fold) => Int32Array.from(allRows(n).filter((row) => row % 5 !== fold)));
    const lists = [...folds, Int32Array.from({ length: 50 }, () => random.nextInt(n)), allRows(n)];
    const passes: RowPass[] = lists.map((rows, index) => {
      const vector = values(d + 1, 100 + index);
      const perRow = values(rows.length, 200 + index, 0.2);
      const out = values(d + 1, 300 + index);
      switch (index % 5) {
        case 0: return { op: 'hessianTimes', rows, v: vector, w: perRow, out };
        case 1: return { op: 'dots', rows, v: vector, out: new Float64Array(rows.length) };
        case 2: return { op: 'transposeTimes', rows, r: perRow, out };
        case 3: return { op: 'hessianTimesSingle', rows, v: vector, w: perRow, out };
        default: return { op: 'weightedSquares', rows, w: perRow, out };
      }
    });
    const expected = passes.map((pass) => {
      const out = pass.out.slice();
      alone.sweep([{ ...pass, out }]);
      return out;
    });
    together.sweep(passes);
    passes.forEach((pass, index) => { expect(sameBits(pass.out, expected[index]!)).toBe(true); });
    // and the single-pass methods agree with the loops above (the hessian pass of fold 0)
    const hv = values(d + 1, 300);
    alone.hessianTimes(folds[0]!, values(d + 1, 100), values(folds[0]!.length, 200, 0.2), hv);
    expect(sameBits(hv, expected[0]!)).toBe(true);
  });

  it('a released matrix gives its memory to the next one, which starts at zero and computes the same; the released one refuses use', () => {
    const n = 41;
    const d = 29;
    const rows = allRows(n);
    const v = values(d + 1, 5);
    const w = values(n, 6, 0.2);
    const hessianOf = (matrix: RowMatrix): Float64Array => {
      const out = new Float64Array(d + 1);
      matrix.hessianTimes(rows, v, w, out);
      return out;
    };
    const data = values(n * d, 7);
    const expected = hessianOf(RowMatrix.from(n, d, data));
    // A larger matrix full of other values leaves its memory (and its stale values) behind.
    const larger = RowMatrix.from(3 * n, 2 * d, values(6 * n * d, 8));
    const stale = larger.data;
    larger.release();
    expect(() => { larger.dots(rows, v, new Float64Array(n)); }).toThrow(/after release/);
    const reused = new RowMatrix(n, d);
    // The same memory: the stale view now sees the new matrix, which is all zero.
    expect(reused.data.buffer).toBe(stale.buffer);
    expect(reused.data.every((value) => Object.is(value, 0))).toBe(true);
    reused.data.set(data);
    expect(sameBits(hessianOf(reused), expected)).toBe(true);
  });

  it('refuses a row outside the matrix', () => {
    const matrix = new RowMatrix(3, 4);
    expect(() => { matrix.dots(Int32Array.from([0, 3]), new Float64Array(5), new Float64Array(2)); }).toThrow(/row 3 outside/);
  });

  it('refuses a float32 pass before the float32 copy is made', () => {
    const matrix = new RowMatrix(3, 4);
    expect(() => { matrix.hessianTimesSingle(allRows(3), new Float64Array(5), new Float64Array(3), new Float64Array(5)); }).toThrow(/keepSingleCopy/);
  });

  for (const [rows, cols] of [[1, 1], [3, 2], [8, 5], [17, 13], [40, 100], [9, 512]] as const) {
    it(`the covariance sums equal the plain loops bit for bit (${rows} x ${cols})`, () => {
      const data = values(rows * cols, 7 * rows + cols, 0.1);
      const mean = values(cols, 11 * cols);
      const sums = centeredUpperSums(data, rows, cols, mean);
      expect(sameBits(sums, plainCenteredUpperSums(data, rows, cols, mean))).toBe(true);
      expect(sameBits(covariance({ rows, cols, data }, mean).subarray(0, 1), Float64Array.of(sums[0]! / rows))).toBe(true);
    });
  }

  it('the AUC resamples equal the plain loops bit for bit with more than 2^21 items of a class (nextInt through float64)', () => {
    const n = 2 ** 21 + 5;
    const random = mulberry32(21);
    const scoresA = Float64Array.from({ length: n }, () => random.nextInt(1000) / 1000);
    const scoresB = Float64Array.from({ length: n }, () => random.nextInt(50) / 50);
    // Nearly all positives: that class is drawn with nextInt(2^21 + 2), the negatives with nextInt(3).
    const labels = Array.from({ length: n }, (_unused, i) => i % 1_000_000 !== 7);
    const seed = 123_456_789;
    expect(bootstrapAucSamples({ scores: scoresA, labels }, { seed, resamples: 3 })).toEqual(countedAucResamples(seed, 3, labels, scoresA));
    expect(bootstrapAucDifferenceSamples(scoresA, scoresB, labels, { seed, resamples: 3 })).toEqual(countedAucResamples(seed, 3, labels, scoresA, scoresB));
  });

  for (const [rows, cols] of [[1, 1], [1, 7], [2, 3], [3, 5], [7, 384], [9, 100], [16, 16], [63, 384], [64, 384], [128, 130]] as const) {
    it(`the Gram matrix equals the plain double loop bit for bit (${rows} x ${cols})`, () => {
      const data = values(rows * cols, 13 * rows + cols, 0.1);
      const gram = new Float64Array(rows * rows);
      gramMatrix(Array.from({ length: rows }, (_unused, r) => data.subarray(r * cols, (r + 1) * cols)), cols, gram);
      expect(sameBits(gram, plainGram(data, rows, cols))).toBe(true);
    });
  }

  for (const [count, dims, components] of [[1, 1, 1], [2, 2, 1], [3, 3, 2], [9, 7, 3], [CHUNK_ROWS + 3, 100, 1], [2 * CHUNK_ROWS + 1, 385, 3], [40, 384, 1]] as const) {
    it(`the corrections of many vectors equal the per-vector JavaScript corrections bit for bit (${count} x ${dims}, ${components} components, missing vectors, a constant dimension)`, () => {
      const random = mulberry32(count * 1000 + dims);
      const data = Float32Array.from(values(count * dims, 7 * count + dims, 0.05));
      const vectors = Array.from({ length: count }, (_unused, i) => (i % 5 === 3 && count > 1 ? null : data.subarray(i * dims, (i + 1) * dims)));
      const fit = Array.from({ length: Math.max(4, components + 1) }, () => Float32Array.from({ length: dims }, () => random.next() - 0.5));
      const stats: NormalizationStats = fitNormalization(fit, { abttComponents: components });
      // A dimension constant on the fit vectors is only centered (std 0), as zscore's loop does it.
      stats.std[0] = 0;
      for (const normalization of ['center', 'zscore', 'abtt'] as const) {
        const block = new Float32Array(count * dims).fill(7);
        const norms = new Float64Array(count).fill(7);
        normalizeRowsIntoBlock(stats, normalization, vectors, block, norms);
        const expected = new Float32Array(count * dims).fill(7);
        const expectedNorms = new Float64Array(count);
        vectors.forEach((vector, i) => {
          if (vector === null) return;
          expectedNorms[i] = normalizeIntoBlock(stats, normalization, vector, new Float64Array(dims), expected, i * dims);
        });
        expect(Buffer.from(block.buffer).equals(Buffer.from(expected.buffer))).toBe(true);
        expect(sameBits(norms, expectedNorms)).toBe(true);
      }
    });
  }

  for (const [rows, cols] of [[1, 1], [3, 2], [2, 3], [7, 384], [385, 100], [100, 385], [1000, 384]] as const) {
    it(`the Gram products equal the plain loops bit for bit (${rows} x ${cols}, tall and wide)`, () => {
      const data = values(rows * cols, 31 * rows + cols, 0.1);
      const products = new GramProducts(data, rows, cols);
      const wide = rows < cols;
      const m = wide ? rows : cols;
      const v = values(m, rows + 5 * cols, 0.1);
      const out = new Float64Array(m);
      products.apply(v, out, wide);
      // The loops largestGramEigenvalue used: each row's dot product in column order, each column's sum over rows in row order.
      const inner = new Float64Array(wide ? cols : rows);
      const expected = new Float64Array(m);
      if (wide) {
        for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) inner[c]! += data[r * cols + c]! * v[r]!;
        for (let r = 0; r < rows; r++) {
          let dot = 0;
          for (let c = 0; c < cols; c++) dot += data[r * cols + c]! * inner[c]!;
          expected[r] = dot;
        }
      } else {
        for (let r = 0; r < rows; r++) {
          let dot = 0;
          for (let c = 0; c < cols; c++) dot += data[r * cols + c]! * v[c]!;
          inner[r] = dot;
        }
        for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) expected[c]! += data[r * cols + c]! * inner[r]!;
      }
      expect(sameBits(out, expected)).toBe(true);
    });
  }

  for (const dims of [1, 3, 100, 385] as const) {
    it(`the intra-sentence similarities of many sentences equal measureSentence's bit for bit under every correction (${dims} dimensions; missing, zero, repeated and cancelling words)`, () => {
      const random = mulberry32(dims * 17);
      const word = (): Float32Array => Float32Array.from({ length: dims }, () => (random.next() - 0.5) * 10 ** Math.floor(random.next() * 4 - 2));
      const shared = word();
      const sentences: (Float32Array | null)[][] = [
        [word(), null, word(), word(), word(), word(), word()],
        [null, null],
        [new Float32Array(dims)],
        [new Float32Array(dims), word()],
        [shared],
        [shared, shared, null],
        [shared, Float32Array.from(shared, (x) => -x)],
        Array.from({ length: 40 }, () => (random.next() < 0.1 ? null : word())),
        ...Array.from({ length: 30 }, () => Array.from({ length: 1 + Math.floor(random.next() * 12) }, () => word())),
      ];
      const words = sentences.flat();
      const lengths = Int32Array.from(sentences, (sentence) => sentence.length);
      const randomWords = Int32Array.from(sentences, (sentence) => Math.floor(random.next() * sentence.length));
      const stats = fitNormalization(Array.from({ length: 8 }, word), { abttComponents: Math.min(2, dims) });
      for (const normalization of ['none', 'center', 'zscore', 'abtt'] as const) {
        const expected = sentences.map((sentence, s) => {
          const vectors = sentence.map((vector) => (vector === null || normalization === 'none' ? vector : normalizeVector64(stats, normalization, vector)));
          return measureSentence(vectors, randomWords[s]!).intraSentenceSimilarity;
        });
        const measured = intraSentenceSimilaritiesOf(stats, normalization, words, lengths, randomWords, dims);
        expect(measured.map((value) => (value === null ? null : Object.is(value, -0) ? '-0' : value))).toEqual(expected.map((value) => (value === null ? null : Object.is(value, -0) ? '-0' : value)));
      }
    });
  }

  it('the intra-sentence similarities refuse what measureSentence refuses: a non-finite value, a random word outside its sentence', () => {
    const finite = Float32Array.of(1, 2, 3);
    const broken = Float32Array.of(1, Number.NaN, 3);
    const expectedError = (() => {
      try {
        measureSentence([finite, broken], 0);
      } catch (error) {
        return (error as Error).message;
      }
      return 'no error';
    })();
    expect(() => intraSentenceSimilaritiesOf(null, 'none', [finite, finite, broken], Int32Array.of(1, 2), Int32Array.of(0, 0), 3)).toThrow(expectedError);
    expect(() => intraSentenceSimilaritiesOf(null, 'none', [finite, finite], Int32Array.of(2), Int32Array.of(2), 3)).toThrow(/random word 2 of 2/);
    // Finite values whose squared norm overflows are measured, as measureSentence measures them.
    const huge = Float32Array.of(3e38, 3e38, 1);
    expect(intraSentenceSimilaritiesOf(null, 'none', [huge, finite], Int32Array.of(2), Int32Array.of(0), 3)).toEqual([measureSentence([huge, finite], 0).intraSentenceSimilarity]);
  });

  it('corrections under two sets of statistics in turn each use their own (the kernel memory holds one set at a time)', () => {
    const random = mulberry32(99);
    const rows = (n: number, dims: number): Float32Array[] => Array.from({ length: n }, () => Float32Array.from({ length: dims }, () => random.next() - 0.5));
    const a = fitNormalization(rows(6, 5), { abttComponents: 2 });
    const b = fitNormalization(rows(6, 5), { abttComponents: 1 });
    const vectors = rows(3, 5);
    for (const stats of [a, b, a, b]) {
      const block = new Float32Array(15);
      const norms = new Float64Array(3);
      normalizeRowsIntoBlock(stats, 'abtt', vectors, block, norms);
      const expected = new Float32Array(15);
      const expectedNorms = Float64Array.from(vectors, (vector, i) => normalizeIntoBlock(stats, 'abtt', vector, new Float64Array(5), expected, i * 5));
      expect(Buffer.from(block.buffer).equals(Buffer.from(expected.buffer))).toBe(true);
      expect(sameBits(norms, expectedNorms)).toBe(true);
    }
  });

  it('refuses a vector of another length than the statistics', () => {
    const stats = fitNormalization([new Float32Array([1, 2, 3]), new Float32Array([0, 1, 5])]);
    expect(() => {
      normalizeRowsIntoBlock(stats, 'center', [new Float32Array(3), new Float32Array(4)], new Float32Array(6), new Float64Array(2));
    }).toThrow(/vector 1 has 4 dimensions, statistics have 3/);
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

/** The Gram kernel's reference: every entry one dot product of two rows, summed in column order. */
function plainGram(data: Float64Array, rows: number, cols: number): Float64Array {
  const gram = new Float64Array(rows * rows);
  for (let i = 0; i < rows; i++) {
    for (let j = 0; j < rows; j++) {
      let dot = 0;
      for (let c = 0; c < cols; c++) dot += data[i * cols + c]! * data[j * cols + c]!;
      gram[i * rows + j] = dot;
    }
  }
  return gram;
}

/**
 * The covariance kernel's reference: pca.ts's loop before the kernel replaced it, per block of
 * eight centered rows (zero rows padding the last) each upper entry gets its eight products summed
 * left to right.
 */
function plainCenteredUpperSums(data: Float64Array, rows: number, cols: number, mean: Float64Array): Float64Array {
  const cov = new Float64Array(cols * cols);
  const t = new Float64Array(8 * cols);
  for (let start = 0; start < rows; start += 8) {
    t.fill(0);
    for (let b = 0; b < 8 && start + b < rows; b++) for (let c = 0; c < cols; c++) t[c * 8 + b] = data[(start + b) * cols + c]! - mean[c]!;
    for (let i = 0; i < cols; i++) {
      const a = t.subarray(i * 8, i * 8 + 8);
      for (let j = i; j < cols; j++) {
        const x = t.subarray(j * 8, j * 8 + 8);
        cov[i * cols + j]! += a[0]! * x[0]! + a[1]! * x[1]! + a[2]! * x[2]! + a[3]! * x[3]! + a[4]! * x[4]! + a[5]! * x[5]! + a[6]! * x[6]! + a[7]! * x[7]!;
      }
    }
  }
  return cov;
}

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
