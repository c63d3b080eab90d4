/**
 * A row-major float64 matrix held in the memory of its own instance of the row kernels
 * (kernels.wat, WebAssembly SIMD), with the passes over its rows the logistic probe makes: dot
 * products with a vector, X^T r, the Hessian-vector product X^T W X v and the weighted squares of
 * the Jacobi preconditioner. Each pass visits a list of rows (a cross-validation fold's rows of
 * the whole train matrix, so no fold copies the matrix) and gives bit for bit what the
 * plain JavaScript loop over the same rows in the same order gives: SIMD here changes the speed
 * (about 3-4x on 1,024 features; taking rows four at a time, which shares the loads of v and
 * writes out once per four rows, halves the Hessian pass again), never a result. test/linalg-kernels.test.ts checks every pass
 * against those loops.
 *
 * The matrix lives as long as the object: each has its own WebAssembly memory, sized once, which
 * the garbage collector frees with it.
 */
import { KERNELS_WASM_BASE64 } from './kernels-wasm.js';

/** The parts of the WebAssembly global used here (the project's lib settings do not declare it). */
interface WasmApi {
  readonly Module: new (bytes: Uint8Array) => object;
  readonly Instance: new (module: object) => { readonly exports: unknown };
}
export const wasm = (globalThis as unknown as { readonly WebAssembly: WasmApi }).WebAssembly;

interface KernelExports {
  readonly memory: { readonly buffer: ArrayBuffer; grow(pages: number): number };
  dots(data: number, rows: number, count: number, d: number, v: number, out: number): void;
  transposeTimes(data: number, rows: number, count: number, d: number, r: number, out: number): void;
  hessianTimes(data: number, rows: number, count: number, d: number, v: number, w: number, out: number): void;
  weightedSquares(data: number, rows: number, count: number, d: number, w: number, out: number): void;
}

let compiled: object | null = null;

/** The compiled kernels (kernels.wat), shared by every instance. */
export function kernelModule(): object {
  compiled ??= new wasm.Module(Buffer.from(KERNELS_WASM_BASE64, 'base64'));
  return compiled;
}

const PAGE = 65536;
const align = (bytes: number): number => Math.ceil(bytes / 16) * 16;

/** Every row number 0 .. rows-1, in order. */
export function allRows(rows: number): Int32Array {
  return Int32Array.from({ length: rows }, (_unused, i) => i);
}

export class RowMatrix {
  private readonly kernels: KernelExports;
  private readonly at: { readonly data: number; readonly rows: number; readonly vector: number; readonly result: number; readonly perRow: number; readonly perRowOut: number };
  /** The row list last copied into the kernels' memory (copied again only when it changes). */
  private listed: Int32Array | null = null;

  /** A zero matrix of `rows` x `cols`; fill it through {@link data}. */
  constructor(
    readonly rows: number,
    readonly cols: number,
  ) {
    if (!Number.isSafeInteger(rows) || !Number.isSafeInteger(cols) || rows < 0 || cols < 1) throw new RangeError(`RowMatrix: bad shape ${rows}x${cols}`);
    const data = 0;
    const list = align(data + rows * cols * 8);
    const vector = align(list + rows * 4);
    const result = align(vector + (cols + 1) * 8);
    const perRow = align(result + (cols + 1) * 8);
    const perRowOut = align(perRow + rows * 8);
    const end = align(perRowOut + rows * 8);
    this.at = { data, rows: list, vector, result, perRow, perRowOut };
    this.kernels = new wasm.Instance(kernelModule()).exports as KernelExports;
    const pages = Math.ceil(end / PAGE);
    const have = this.kernels.memory.buffer.byteLength / PAGE;
    if (pages > have) this.kernels.memory.grow(pages - have);
  }

  /** A copy of a row-major matrix. */
  static from(rows: number, cols: number, values: Float64Array): RowMatrix {
    if (values.length !== rows * cols) throw new RangeError(`RowMatrix: ${values.length} values for ${rows}x${cols}`);
    const matrix = new RowMatrix(rows, cols);
    matrix.data.set(values);
    return matrix;
  }

  /** The matrix's values, row-major (a view: writes go into the matrix). */
  get data(): Float64Array {
    return new Float64Array(this.kernels.memory.buffer, this.at.data, this.rows * this.cols);
  }

  private f64(offset: number, length: number): Float64Array {
    return new Float64Array(this.kernels.memory.buffer, offset, length);
  }

  private list(rows: Int32Array): void {
    // Row lists are never modified once made, so the same list needs no second copy.
    if (this.listed === rows) return;
    for (const row of rows) if (!(row >= 0 && row < this.rows)) throw new RangeError(`RowMatrix: row ${row} outside 0..${this.rows - 1}`);
    new Int32Array(this.kernels.memory.buffer, this.at.rows, rows.length).set(rows);
    this.listed = rows;
  }

  /** out[k] = v[cols] + row(rows[k]) . v[0 .. cols) (four running sums, as the probe's rowDot). */
  dots(rows: Int32Array, v: Float64Array, out: Float64Array): void {
    this.list(rows);
    this.f64(this.at.vector, this.cols + 1).set(v.subarray(0, this.cols + 1));
    this.kernels.dots(this.at.data, this.at.rows, rows.length, this.cols, this.at.vector, this.at.perRowOut);
    out.set(this.f64(this.at.perRowOut, rows.length));
  }

  /** out[0 .. cols] += sum over k with r[k] != 0 of [row(rows[k]), 1] * r[k], rows in list order. */
  transposeTimes(rows: Int32Array, r: Float64Array, out: Float64Array): void {
    this.list(rows);
    this.f64(this.at.perRow, rows.length).set(r.subarray(0, rows.length));
    const result = this.f64(this.at.result, this.cols + 1);
    result.set(out.subarray(0, this.cols + 1));
    this.kernels.transposeTimes(this.at.data, this.at.rows, rows.length, this.cols, this.at.perRow, this.at.result);
    out.set(result);
  }

  /** out[0 .. cols] += sum over k of [row, 1] * s_k, s_k = (row . v + v[cols]) * w[k] (0 skipped). */
  hessianTimes(rows: Int32Array, v: Float64Array, w: Float64Array, out: Float64Array): void {
    this.list(rows);
    this.f64(this.at.vector, this.cols + 1).set(v.subarray(0, this.cols + 1));
    this.f64(this.at.perRow, rows.length).set(w.subarray(0, rows.length));
    const result = this.f64(this.at.result, this.cols + 1);
    result.set(out.subarray(0, this.cols + 1));
    this.kernels.hessianTimes(this.at.data, this.at.rows, rows.length, this.cols, this.at.vector, this.at.perRow, this.at.result);
    out.set(result);
  }

  /** out[j] += (w[k] * x_j) * x_j for j < cols and out[cols] += w[k], over the listed rows. */
  weightedSquares(rows: Int32Array, w: Float64Array, out: Float64Array): void {
    this.list(rows);
    this.f64(this.at.perRow, rows.length).set(w.subarray(0, rows.length));
    const result = this.f64(this.at.result, this.cols + 1);
    result.set(out.subarray(0, this.cols + 1));
    this.kernels.weightedSquares(this.at.data, this.at.rows, rows.length, this.cols, this.at.perRow, this.at.result);
    out.set(result);
  }
}
