/**
 * The O(rows cols^2) part of every PCA fit (src/metrics/pca.ts `covariance`) in the WebAssembly
 * kernels (kernels.wat `covarianceBlock`): the upper triangle of the sums of products of the
 * centered rows, accumulated over blocks of eight rows. Each entry gets exactly the products and
 * sums, in the same order, that the JavaScript loop it replaced computed (eight products summed
 * left to right, then added to the entry), so the covariance is bit for bit the same, about
 * twice as fast (test/linalg-kernels.test.ts checks it against that loop).
 */
import { kernelModule, wasm } from './rows.js';

interface CovarianceExports {
  readonly memory: { readonly buffer: ArrayBuffer; grow(pages: number): number };
  covarianceBlock(block: number, d: number, cov: number): void;
}

/** Rows centered together per pass over the sums. */
export const COVARIANCE_ROW_BLOCK = 8;

/**
 * Sum over the rows of (row - mean)_i (row - mean)_j for i <= j, as a cols x cols row-major array
 * whose lower triangle is 0. Rows go in blocks of {@link COVARIANCE_ROW_BLOCK} (a short last block
 * padded with zero rows, which add exactly nothing).
 */
export function centeredUpperSums(data: Float64Array, rows: number, cols: number, mean: Float64Array): Float64Array {
  if (data.length !== rows * cols || mean.length !== cols) throw new RangeError(`centeredUpperSums: ${data.length} values and ${mean.length} means for ${rows}x${cols}`);
  return centeredUpperSumsOfRows(Array.from({ length: rows }, (_, r) => data.subarray(r * cols, (r + 1) * cols)), cols, mean);
}

/**
 * {@link centeredUpperSums} of the matrix whose rows are `rowList` (each `cols` long; float32 rows
 * read as the float64 values they hold), without copying them into one matrix first: the same
 * sums, bit for bit.
 */
export function centeredUpperSumsOfRows(rowList: readonly ArrayLike<number>[], cols: number, mean: Float64Array): Float64Array {
  const rows = rowList.length;
  if (mean.length !== cols || rowList.some((row) => row.length !== cols)) throw new RangeError(`centeredUpperSums: rows of ${cols} values and ${mean.length} means expected`);
  const blockBytes = COVARIANCE_ROW_BLOCK * cols * 8;
  // Sixteen spare bytes: nothing reads them, but the block's byte size stays a multiple of 16.
  const covAt = Math.ceil(blockBytes / 16) * 16;
  const end = covAt + cols * cols * 8;
  // An instance per fit: its memory (the cols x cols sums) goes with it.
  const kernels = new wasm.Instance(kernelModule()).exports as CovarianceExports;
  const have = kernels.memory.buffer.byteLength;
  if (end > have) kernels.memory.grow(Math.ceil((end - have) / 65536));
  const block = new Float64Array(kernels.memory.buffer, 0, COVARIANCE_ROW_BLOCK * cols);
  for (let start = 0; start < rows; start += COVARIANCE_ROW_BLOCK) {
    const count = Math.min(COVARIANCE_ROW_BLOCK, rows - start);
    if (count < COVARIANCE_ROW_BLOCK) block.fill(0);
    for (let b = 0; b < count; b++) {
      const row = rowList[start + b]!;
      const to = b * cols;
      for (let c = 0; c < cols; c++) block[to + c] = row[c]! - mean[c]!;
    }
    kernels.covarianceBlock(0, cols, covAt);
  }
  return new Float64Array(kernels.memory.buffer, covAt, cols * cols).slice();
}

interface GramExports {
  readonly memory: { readonly buffer: ArrayBuffer; grow(pages: number): number };
  gramUpper(t: number, rows: number, cols: number, out: number): void;
}

let gramInstance: GramExports | null = null;

/**
 * X X^T of the matrix whose rows are `rowList` (each `cols` long) into `gram` (rows x rows, both triangles), in the
 * WebAssembly kernels (kernels.wat `gramUpper`): each entry is the dot product of two rows summed in
 * column order, as the plain double loop sums it, so the matrix is bit for bit that loop's
 * (test/linalg-kernels.test.ts), about twice as fast. Meant for a few rows (the kernel's memory
 * holds X and the rows x rows result).
 */
export function gramMatrix(rowList: readonly ArrayLike<number>[], cols: number, gram: Float64Array): void {
  const rows = rowList.length;
  if (rowList.some((row) => row.length !== cols) || gram.length !== rows * rows) throw new RangeError(`gramMatrix: ${rows} rows of ${cols} values need a ${rows * rows}-entry result, got ${gram.length}`);
  // Rows side by side in pairs: an odd count gets a zero row.
  const padded = rows + (rows & 1);
  const outAt = padded * cols * 8;
  const end = outAt + padded * padded * 8;
  gramInstance ??= new wasm.Instance(kernelModule()).exports as GramExports;
  const kernels = gramInstance;
  const have = kernels.memory.buffer.byteLength;
  if (end > have) kernels.memory.grow(Math.ceil((end - have) / 65536));
  const transposed = new Float64Array(kernels.memory.buffer, 0, padded * cols);
  rowList.forEach((row, r) => {
    for (let c = 0; c < cols; c++) transposed[c * padded + r] = row[c]!;
  });
  if (padded > rows) for (let c = 0; c < cols; c++) transposed[c * padded + rows] = 0;
  kernels.gramUpper(0, padded, cols, outAt);
  const out = new Float64Array(kernels.memory.buffer, outAt, padded * padded);
  for (let i = 0; i < rows; i++) {
    for (let j = i; j < rows; j++) {
      const value = out[i * padded + j]!;
      gram[i * rows + j] = value;
      gram[j * rows + i] = value;
    }
  }
}
