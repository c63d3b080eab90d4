/**
 * A row-major float64 matrix held in the memory of its own instance of the row kernels
 * (kernels.wat, WebAssembly SIMD), with the passes over its rows the logistic probe makes: dot
 * products with a vector, X^T r, the Hessian-vector product X^T W X v and the weighted squares of
 * the Jacobi preconditioner. Each pass visits a list of rows (a cross-validation fold's rows of
 * the whole train matrix, so no fold copies the matrix) and gives bit for bit what the
 * plain JavaScript loop over the same rows in the same order gives: SIMD here changes the speed
 * (about 3-4x on 1,024 features; taking rows four at a time, which shares the loads of v and
 * writes out once per four rows, halves the Hessian pass again), never a result. One pass is
 * float32 by design ({@link RowMatrix.hessianTimesSingle}, over a float32 copy of the matrix): its
 * order of operations is fixed in kernels.wat, so it too is reproducible bit for bit.
 * test/linalg-kernels.test.ts checks every pass against those loops.
 *
 * Each matrix has its own instance of the kernels and so its own WebAssembly memory, sized once.
 * A matrix that is {@link RowMatrix.release}d gives that memory to the next matrix made on the same
 * thread: a probe's 30-70 MB of fresh pages cost about 0.2 s of page faults to touch (measured
 * 254 ms per 5,428 x 1,536 matrix made fresh against 43 ms reused), once per representation. A
 * matrix never released is freed by the garbage collector like any object.
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
  sweep(data: number, d: number, passes: number, count: number, windows: number): void;
}

let compiled: object | null = null;

/** The kernels of the last released matrix on this thread (the largest memory kept), for the next. */
let spare: KernelExports | null = null;

/** The compiled kernels (kernels.wat), shared by every instance. */
export function kernelModule(): object {
  compiled ??= new wasm.Module(Buffer.from(KERNELS_WASM_BASE64, 'base64'));
  return compiled;
}

const PAGE = 65536;
const align = (bytes: number): number => Math.ceil(bytes / 16) * 16;

/** A kernel instance's memory (each instance of the kernels has its own). */
export interface KernelMemory {
  readonly buffer: ArrayBuffer;
  grow(pages: number): number;
}

/**
 * Regions of a kernel instance's memory laid out one after another, each starting on 16 bytes
 * (what a v128 load wants): `take(bytes)` gives the next region's offset, `reserve` grows the memory
 * to hold them all.
 */
export class MemoryLayout {
  private end = 0;

  take(bytes: number): number {
    const at = this.end;
    this.end = align(this.end + bytes);
    return at;
  }

  /** Grows `memory` (whole 64 KB pages) to hold every region taken; returns its buffer. */
  reserve(memory: KernelMemory): ArrayBuffer {
    const have = memory.buffer.byteLength;
    if (this.end > have) memory.grow(Math.ceil((this.end - have) / PAGE));
    return memory.buffer;
  }
}

/** Every row number 0 .. rows-1, in order. */
export function allRows(rows: number): Int32Array {
  return Int32Array.from({ length: rows }, (_unused, i) => i);
}

/**
 * Rows per window of a sweep: a window of the matrix (this many bytes of rows) stays in the core's
 * second-level cache while every pass of the sweep does its part of it, so a sweep of five
 * cross-validation folds reads the matrix from memory once instead of five times.
 */
const WINDOW_BYTES = 128 * 1024;

/** One pass over listed rows of a {@link RowMatrix}, as its methods of the same name describe it. */
export type RowPass =
  | { readonly op: 'dots'; readonly rows: Int32Array; readonly v: Float64Array; readonly out: Float64Array }
  | { readonly op: 'transposeTimes'; readonly rows: Int32Array; readonly r: Float64Array; readonly out: Float64Array }
  | { readonly op: 'hessianTimes'; readonly rows: Int32Array; readonly v: Float64Array; readonly w: Float64Array; readonly out: Float64Array }
  | { readonly op: 'weightedSquares'; readonly rows: Int32Array; readonly w: Float64Array; readonly out: Float64Array }
  | { readonly op: 'hessianTimesSingle'; readonly rows: Int32Array; readonly v: Float64Array; readonly w: Float64Array; readonly out: Float64Array };

const OP_CODES = { dots: 0, transposeTimes: 1, hessianTimes: 2, weightedSquares: 3, hessianTimesSingle: 4 } as const;
/** Bytes of one pass descriptor in the kernels' memory (eight int32, see kernels.wat `sweep`). */
const DESCRIPTOR_BYTES = 32;

/** Where one pass of a sweep keeps its list, vectors and per-row values in the kernels' memory. */
interface PassSlot {
  readonly list: number;
  readonly bounds: number;
  readonly vector: number;
  readonly result: number;
  readonly perRow: number;
  /** The row list last copied into this slot (copied again only when it changes). */
  listed: Int32Array | null;
}

export class RowMatrix {
  /** null once released: its memory may then belong to another matrix. */
  private instance: KernelExports | null;
  private readonly rowsPerWindow: number;
  private readonly windows: number;
  private readonly slots: PassSlot[] = [];
  /** End of the memory in use: the matrix, then the descriptors, then the slots. */
  private end: number;
  private readonly descriptors: number;
  /** Maximum passes per sweep (the descriptor area's size). */
  private static readonly MAX_PASSES = 16;
  /** Where the float32 copy of {@link keepSingleCopy} starts; null until it is made. */
  private single: number | null = null;

  /** A zero matrix of `rows` x `cols`; fill it through {@link data}. */
  constructor(
    readonly rows: number,
    readonly cols: number,
  ) {
    if (!Number.isSafeInteger(rows) || !Number.isSafeInteger(cols) || rows < 0 || cols < 1) throw new RangeError(`RowMatrix: bad shape ${rows}x${cols}`);
    const reused = spare;
    spare = null;
    this.instance = reused ?? (new wasm.Instance(kernelModule()).exports as KernelExports);
    this.rowsPerWindow = Math.max(4, Math.floor(WINDOW_BYTES / (cols * 8)));
    this.windows = Math.max(1, Math.ceil(rows / this.rowsPerWindow));
    this.descriptors = align(rows * cols * 8);
    this.end = align(this.descriptors + RowMatrix.MAX_PASSES * DESCRIPTOR_BYTES);
    this.reserve(this.end);
    // A fresh memory is zero; a reused one keeps its last matrix's values until cleared. Only
    // the matrix must start at zero: every other area is written before it is read.
    if (reused !== null) new Uint8Array(this.kernels.memory.buffer, 0, this.descriptors).fill(0);
  }

  private get kernels(): KernelExports {
    if (this.instance === null) throw new Error('RowMatrix: used after release()');
    return this.instance;
  }

  /**
   * Gives this matrix's memory to the next matrix made on this thread (the larger of it and any
   * memory already kept). The matrix and any view of {@link data} taken before must not be used
   * again.
   */
  release(): void {
    const kernels = this.kernels;
    this.instance = null;
    if (spare === null || spare.memory.buffer.byteLength < kernels.memory.buffer.byteLength) spare = kernels;
  }

  /** A copy of a row-major matrix. */
  static from(rows: number, cols: number, values: Float64Array): RowMatrix {
    if (values.length !== rows * cols) throw new RangeError(`RowMatrix: ${values.length} values for ${rows}x${cols}`);
    const matrix = new RowMatrix(rows, cols);
    matrix.data.set(values);
    return matrix;
  }

  /**
   * Makes the float32 copy of the matrix that {@link hessianTimesSingle} reads (half the memory
   * traffic of the float64 rows, and four products per SIMD instruction instead of two). It copies
   * the values as they are now: the matrix must not be written afterwards.
   */
  keepSingleCopy(): void {
    if (this.single !== null) return;
    const at = this.end;
    this.end = align(at + this.rows * this.cols * 4);
    this.reserve(this.end);
    new Float32Array(this.kernels.memory.buffer, at, this.rows * this.cols).set(this.data);
    this.single = at;
  }

  /** The matrix's values, row-major (a view: writes go into the matrix). */
  get data(): Float64Array {
    return new Float64Array(this.kernels.memory.buffer, 0, this.rows * this.cols);
  }

  private reserve(bytes: number): void {
    const pages = Math.ceil(bytes / PAGE);
    const have = this.kernels.memory.buffer.byteLength / PAGE;
    if (pages > have) this.kernels.memory.grow(pages - have);
  }

  private f64(offset: number, length: number): Float64Array {
    return new Float64Array(this.kernels.memory.buffer, offset, length);
  }

  private slot(index: number): PassSlot {
    while (this.slots.length <= index) {
      const list = this.end;
      const bounds = align(list + this.rows * 4);
      const vector = align(bounds + (this.windows + 1) * 4);
      const result = align(vector + (this.cols + 1) * 8);
      const perRow = align(result + (this.cols + 1) * 8);
      this.end = align(perRow + this.rows * 8);
      this.reserve(this.end);
      this.slots.push({ list, bounds, vector, result, perRow, listed: null });
    }
    return this.slots[index]!;
  }

  /**
   * Copies a row list into a slot with the list positions where each window starts. An increasing
   * list (a fold's rows) is split at the windows' row numbers; any other list is done whole in
   * the first window (the pass is the same either way: only the pieces' timing differs).
   */
  private list(slot: PassSlot, rows: Int32Array): void {
    // Row lists are never modified once made, so the same list needs no second copy.
    if (slot.listed === rows) return;
    let increasing = true;
    for (let k = 0; k < rows.length; k++) {
      const row = rows[k]!;
      if (!(row >= 0 && row < this.rows)) throw new RangeError(`RowMatrix: row ${row} outside 0..${this.rows - 1}`);
      if (k > 0 && row <= rows[k - 1]!) increasing = false;
    }
    const memory = this.kernels.memory.buffer;
    new Int32Array(memory, slot.list, rows.length).set(rows);
    const bounds = new Int32Array(memory, slot.bounds, this.windows + 1);
    bounds[0] = 0;
    let k = 0;
    for (let window = 1; window <= this.windows; window++) {
      if (increasing) {
        const limit = window * this.rowsPerWindow;
        while (k < rows.length && rows[k]! < limit) k++;
      } else k = rows.length;
      bounds[window] = window === this.windows ? rows.length : k;
    }
    slot.listed = rows;
  }

  /**
   * Makes several passes in one sweep over the rows (kernels.wat `sweep`), each giving bit for bit
   * what it gives alone: the cross-validation folds of a probe ask for their passes together, so
   * the matrix is read from memory once per step for all of them.
   */
  sweep(passes: readonly RowPass[]): void {
    if (passes.length > RowMatrix.MAX_PASSES) throw new RangeError(`RowMatrix.sweep: at most ${RowMatrix.MAX_PASSES} passes, got ${passes.length}`);
    const slots = passes.map((pass, index) => {
      const slot = this.slot(index);
      this.list(slot, pass.rows);
      return slot;
    });
    const d = this.cols;
    const descriptors = new Int32Array(this.kernels.memory.buffer, this.descriptors, passes.length * (DESCRIPTOR_BYTES / 4));
    passes.forEach((pass, index) => {
      const slot = slots[index]!;
      const n = pass.rows.length;
      switch (pass.op) {
        case 'dots':
          this.f64(slot.vector, d + 1).set(pass.v.subarray(0, d + 1));
          break;
        case 'transposeTimes':
          this.f64(slot.perRow, n).set(pass.r.subarray(0, n));
          this.f64(slot.result, d + 1).set(pass.out.subarray(0, d + 1));
          break;
        case 'hessianTimes':
          this.f64(slot.vector, d + 1).set(pass.v.subarray(0, d + 1));
          this.f64(slot.perRow, n).set(pass.w.subarray(0, n));
          this.f64(slot.result, d + 1).set(pass.out.subarray(0, d + 1));
          break;
        case 'weightedSquares':
          this.f64(slot.perRow, n).set(pass.w.subarray(0, n));
          this.f64(slot.result, d + 1).set(pass.out.subarray(0, d + 1));
          break;
        case 'hessianTimesSingle':
          if (this.single === null) throw new Error('RowMatrix: hessianTimesSingle needs keepSingleCopy() first');
          // v and out cross as float32 (rounded once each way); w stays float64.
          this.f32(slot.vector, d + 1).set(pass.v.subarray(0, d + 1));
          this.f64(slot.perRow, n).set(pass.w.subarray(0, n));
          this.f32(slot.result, d + 1).set(pass.out.subarray(0, d + 1));
          break;
      }
      descriptors.set([OP_CODES[pass.op], slot.list, slot.vector, slot.perRow, slot.result, slot.bounds, this.single ?? 0, 0], index * (DESCRIPTOR_BYTES / 4));
    });
    this.kernels.sweep(0, d, this.descriptors, passes.length, this.windows);
    passes.forEach((pass, index) => {
      const slot = slots[index]!;
      if (pass.op === 'dots') pass.out.set(this.f64(slot.perRow, pass.rows.length));
      else if (pass.op === 'hessianTimesSingle') pass.out.set(this.f32(slot.result, d + 1));
      else pass.out.set(this.f64(slot.result, d + 1));
    });
  }

  private f32(offset: number, length: number): Float32Array {
    return new Float32Array(this.kernels.memory.buffer, offset, length);
  }

  /** out[k] = v[cols] + row(rows[k]) . v[0 .. cols) (four running sums, as the probe's rowDot). */
  dots(rows: Int32Array, v: Float64Array, out: Float64Array): void {
    this.sweep([{ op: 'dots', rows, v, out }]);
  }

  /** out[0 .. cols] += sum over k with r[k] != 0 of [row(rows[k]), 1] * r[k], rows in list order. */
  transposeTimes(rows: Int32Array, r: Float64Array, out: Float64Array): void {
    this.sweep([{ op: 'transposeTimes', rows, r, out }]);
  }

  /** out[0 .. cols] += sum over k of [row, 1] * s_k, s_k = (row . v + v[cols]) * w[k] (0 skipped). */
  hessianTimes(rows: Int32Array, v: Float64Array, w: Float64Array, out: Float64Array): void {
    this.sweep([{ op: 'hessianTimes', rows, v, w, out }]);
  }

  /**
   * {@link hessianTimes} in float32 over the copy {@link keepSingleCopy} made, v and out rounded to
   * float32 (kernels.wat `hessianTimesSingle` gives the exact order of its operations): for the
   * cross-validation fits, whose conjugate-gradient directions need no more (their gradients and
   * stopping rule stay float64).
   */
  hessianTimesSingle(rows: Int32Array, v: Float64Array, w: Float64Array, out: Float64Array): void {
    this.sweep([{ op: 'hessianTimesSingle', rows, v, w, out }]);
  }

  /** out[j] += (w[k] * x_j) * x_j for j < cols and out[cols] += w[k], over the listed rows. */
  weightedSquares(rows: Int32Array, w: Float64Array, out: Float64Array): void {
    this.sweep([{ op: 'weightedSquares', rows, w, out }]);
  }
}
