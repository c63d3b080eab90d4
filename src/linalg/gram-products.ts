/**
 * The products with X^T X (or X X^T) that the Lanczos iteration of src/metrics/pca.ts
 * `largestGramEigenvalue` makes a dozen or more times per matrix, in the WebAssembly kernels
 * (kernels.wat `rowDotsT`, `accumulateRows`): bit for bit the plain loops (each row's dot product
 * summed in column order, each column's sum over rows in row order: test/linalg-kernels.test.ts),
 * about five times faster. They set the pace of the explainable-variance baselines of
 * contextuality: a 1,000 x 384 matrix per representation and correction.
 *
 * The kernel memory holds X twice, row-major and transposed (neighbouring rows side by side); one
 * instance per thread, reused by the next matrix.
 */
import { kernelModule, MemoryLayout, wasm, type KernelMemory } from './rows.js';

interface GramExports {
  readonly memory: KernelMemory;
  rowDotsT(t: number, rows: number, cols: number, v: number, out: number): void;
  accumulateRows(data: number, rows: number, cols: number, s: number, w: number): void;
}

let instance: GramExports | null = null;

/** X (rows x cols, row-major float64) loaded into the kernels, to multiply vectors by its Gram matrices. */
export class GramProducts {
  private readonly kernels: GramExports;
  private readonly padded: number;
  private readonly at: { readonly data: number; readonly t: number; readonly v: number; readonly inner: number; readonly w: number };

  constructor(
    data: Float64Array,
    readonly rows: number,
    readonly cols: number,
  ) {
    if (data.length !== rows * cols) throw new RangeError(`GramProducts: ${data.length} values for ${rows} x ${cols}`);
    instance ??= new wasm.Instance(kernelModule()).exports as GramExports;
    this.kernels = instance;
    // Rows side by side in pairs in the transpose: an odd count gets a zero row.
    this.padded = rows + (rows & 1);
    const longest = Math.max(this.padded, cols);
    const regions = new MemoryLayout();
    this.at = { data: regions.take(rows * cols * 8), t: regions.take(cols * this.padded * 8), v: regions.take(longest * 8), inner: regions.take(longest * 8), w: regions.take(longest * 8) };
    const memory = regions.reserve(this.kernels.memory);
    const t = this.at.t;
    new Float64Array(memory, this.at.data, rows * cols).set(data);
    const transposed = new Float64Array(memory, t, cols * this.padded);
    for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) transposed[c * this.padded + r] = data[r * cols + c]!;
    if (this.padded > rows) for (let c = 0; c < cols; c++) transposed[c * this.padded + rows] = 0;
  }

  /**
   * out = X^T (X v) for a tall X (v and out of cols values), X (X^T v) for a wide one (rows values),
   * exactly as the loops of largestGramEigenvalue compute it. Valid until the next GramProducts of
   * this thread is made.
   */
  apply(v: Float64Array, out: Float64Array, wide: boolean): void {
    const { rows, cols, padded, at, kernels } = this;
    const memory = kernels.memory.buffer;
    const m = wide ? rows : cols;
    if (v.length !== m || out.length !== m) throw new RangeError(`GramProducts.apply: vectors of ${v.length} and ${out.length} values, expected ${m}`);
    new Float64Array(memory, at.v, m).set(v);
    if (wide) {
      kernels.accumulateRows(at.data, rows, cols, at.v, at.inner);
      kernels.rowDotsT(at.t, padded, cols, at.inner, at.w);
    } else {
      kernels.rowDotsT(at.t, padded, cols, at.v, at.inner);
      kernels.accumulateRows(at.data, rows, cols, at.inner, at.w);
    }
    out.set(new Float64Array(memory, at.w, m));
  }
}
