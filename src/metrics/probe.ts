/**
 * The trained probe: what a classifier can read from two target vectors that a threshold on their
 * cosine cannot. As in the WiC paper's baselines, an L2-regularised logistic regression is trained
 * on the pair features `[u * v, |u - v|]` of the unit-length target vectors u, v of each train pair
 * (same sense = 1), with an intercept; the regularisation strength C is chosen by 5-fold
 * cross-validation on train. It is then scored on dev/test by accuracy (p >= 0.5) and ROC-AUC.
 *
 * The model is scikit-learn's LogisticRegression(penalty='l2', C=C, fit_intercept=True): it
 * minimises C * sum_i log(1 + exp(-y_i (x_i . w + b))) + |w|^2 / 2 (intercept not penalised),
 * here by Newton's method on column-centered features (the same model, half the CG steps: see
 * centerColumns) with Jacobi-preconditioned conjugate-gradient steps (exact Hessian-vector
 * products) and an
 * Armijo backtracking line search, until the largest gradient component is at most
 * {@link GRADIENT_TOLERANCE} * (1 + C n). The solution is unique (strictly convex), so any tight
 * solver agrees with sklearn; test/fixtures/senses/make_reference.py checks coefficients and
 * probabilities to 1e-6.
 *
 * Cost (wordnet-wic's 6,338 train pairs, on a shared, loaded 2-core machine): before the grid
 * walk stopped early and the Hessian-vector products were fused, 3.3 s and 5.3 s for GloVe's target
 * and context (200 features) and 17.5-26.9 s per use-lite representation (1,024 features; about
 * 100 s for the default models); after, 1.3 s and 3.7 s, and 4.1-11.7 s per use-lite
 * representation (about 37 s in all), with the same C chosen for every representation. The passes
 * over the rows are memory-bound once SIMD does the arithmetic: the kernels take rows four at a
 * time, and the folds of one C run side by side ({@link runFits}), each step's passes made in one
 * sweep over the matrix, which halved the hessian pass and then cut a 4,400 x 768 probe's CPU by a
 * further quarter, every value unchanged.
 *
 * Cross-validation: the train words (sorted, shuffled by a mulberry32 stream seeded with
 * deriveSeed(seed, 'probe-folds')) are dealt round-robin into 5 folds, so no word is in a fold's
 * train and held-out part at once (dev/test words are unseen as well). Each C of {@link C_GRID} is
 * scored by the log-loss of all held-out predictions pooled; the lowest wins, ties (within 1e-12)
 * to the smaller C. The held-out predictions at the chosen C are kept (`outOfFold`): the
 * pipeline scores the train split's probe rows with them. A fold whose training part has one class only is skipped. Each fold walks the
 * grid upwards from the previous C's solution (a warm start; the optimum does not depend on it)
 * and stops at {@link CV_GRADIENT_TOLERANCE}; the final fit on all train pairs at the tight one.
 * The cross-validation fits take their Hessian-vector products (the conjugate-gradient steps, most
 * of their passes) in float32 over a float32 copy of the matrix: a CG step only chooses a search
 * direction, while the gradient, the objective and the stopping rule stay float64, so each fit
 * still stops within its tolerance. On the 16 probes of a WiC-sized run this took their CPU time
 * from 10.5-11.2 s to 8.0-8.1 s, with the same C chosen everywhere and the pooled CV log-losses
 * within 2e-5; the out-of-fold values moved by up to 2e-4, which a 1e-6 relative gradient leaves
 * open (a different path to the same tolerance, such as centering, moved them as much). The
 * final fit stays float64 throughout.
 */
import { CV_FOLDS } from '../config.js';
import { deriveSeed, mulberry32, shuffleInPlace } from '../random.js';
import { RowMatrix, allRows, type RowPass } from '../linalg/rows.js';
import { columnMeans } from './pca.js';
import { dot } from './senses.js';

/** The grid of C searched by cross-validation. */
export const C_GRID: readonly number[] = [0.01, 0.1, 1, 10, 100];
/** Convergence: max |gradient| <= GRADIENT_TOLERANCE * (1 + C * n). */
export const GRADIENT_TOLERANCE = 1e-12;
/**
 * The looser tolerance of the cross-validation fits: they only rank the C values by held-out
 * log-loss, which a 1e-6 relative gradient leaves unchanged to far below the differences between
 * grid points, and tight convergence of 26 fits dominated the probe's cost.
 */
export const CV_GRADIENT_TOLERANCE = 1e-6;
/** Newton iterations before giving up. */
export const MAX_NEWTON_ITERATIONS = 100;
/**
 * A Newton step whose predicted decrease is at most this many units of rounding of the objective
 * is taken without a line search (see fitRows): the objective's value is then noise.
 */
const FLAT_SLOPE_ULPS = 16;

/** One labelled pair of vectors; `word` groups the cross-validation folds. */
export interface ProbeExample {
  readonly word: string;
  readonly u: ArrayLike<number>;
  readonly v: ArrayLike<number>;
  /** true = same sense. */
  readonly label: boolean;
}

/** Row-major feature matrix. */
export interface FeatureMatrix {
  readonly rows: number;
  readonly cols: number;
  readonly data: Float64Array;
}

/** `[u * v, |u - v|]` of the unit-length u and v, written into `out` at `offset` (length 2d). */
export function writePairFeatures(u: ArrayLike<number>, v: ArrayLike<number>, out: Float64Array, offset: number): void {
  if (u.length !== v.length) throw new RangeError(`pair vectors have ${u.length} and ${v.length} dimensions`);
  let nu = 0;
  let nv = 0;
  for (let i = 0; i < u.length; i++) {
    nu += u[i]! * u[i]!;
    nv += v[i]! * v[i]!;
  }
  if (!(nu > 0) || !(nv > 0)) throw new RangeError('pair vectors must be non-zero');
  const su = 1 / Math.sqrt(nu);
  const sv = 1 / Math.sqrt(nv);
  const d = u.length;
  for (let i = 0; i < d; i++) {
    const a = u[i]! * su;
    const b = v[i]! * sv;
    out[offset + i] = a * b;
    out[offset + d + i] = Math.abs(a - b);
  }
}

/** The feature matrix of pairs. */
export function pairFeatureMatrix(examples: readonly Pick<ProbeExample, 'u' | 'v'>[]): FeatureMatrix {
  const cols = 2 * (examples[0]?.u.length ?? 0);
  const data = new Float64Array(examples.length * cols);
  examples.forEach((example, i) => { writePairFeatures(example.u, example.v, data, i * cols); });
  return { rows: examples.length, cols, data };
}

/** The feature matrix of pairs, written straight into the probe's kernel memory. */
function pairFeatureRows(examples: readonly Pick<ProbeExample, 'u' | 'v'>[]): RowMatrix {
  const cols = 2 * (examples[0]?.u.length ?? 0);
  const matrix = new RowMatrix(examples.length, cols);
  const data = matrix.data;
  examples.forEach((example, i) => { writePairFeatures(example.u, example.v, data, i * cols); });
  return matrix;
}

/** A fitted logistic regression. */
export interface LogisticModel {
  readonly coef: Float64Array;
  readonly intercept: number;
  readonly C: number;
  readonly iterations: number;
  /** Conjugate-gradient steps over all Newton iterations (each costs two passes over the features). */
  readonly cgSteps: number;
  /** Largest gradient component at the end. */
  readonly gradientMax: number;
  readonly converged: boolean;
}

/** log(1 + exp(z)), without overflow. */
function softplus(z: number): number {
  return z > 0 ? z + Math.log1p(Math.exp(-z)) : Math.log1p(Math.exp(z));
}

function sigmoid(z: number): number {
  if (z >= 0) return 1 / (1 + Math.exp(-z));
  const e = Math.exp(z);
  return e / (1 + e);
}

/** Fits the L2-regularised logistic regression (see the module comment); `gradientTolerance` scales the stopping rule. */
export function fitLogistic(
  x: FeatureMatrix,
  labels: readonly boolean[],
  C: number,
  start?: { readonly coef: Float64Array; readonly intercept: number },
  gradientTolerance: number = GRADIENT_TOLERANCE,
  maxCgIterations?: number,
): LogisticModel {
  const matrix = RowMatrix.from(x.rows, x.cols, x.data);
  try {
    const means = centerColumns(matrix);
    const centeredStart = start === undefined ? undefined : { coef: start.coef, intercept: start.intercept + dot(means, start.coef) };
    return inRawFeatures(runFits(matrix, [fitRows(matrix.cols, allRows(x.rows), labels, C, centeredStart, gradientTolerance, maxCgIterations)])[0]!, means);
  } finally {
    matrix.release();
  }
}

/**
 * Subtracts each column's mean (over all rows, summed in row order) from the matrix, in place, and
 * returns the means. The fits run on the centered features: with an unpenalised intercept the
 * optimum is the same model (w unchanged, intercept shifted by means . w; {@link inRawFeatures}
 * shifts it back), but the intercept no longer pulls along every feature's large mean (the
 * features |u - v| are all positive, and u * v carries the anisotropy of contextual vectors), and
 * the Hessian's condition improves so much that Jacobi-preconditioned CG needs about half the
 * steps: 1,062 -> 621, 786 -> 371 and 650 -> 312 on three probes of the WiC-sized run, 35-42% less
 * time, the final coefficients the same to 5e-10.
 */
function centerColumns(x: RowMatrix): Float64Array {
  const { rows, cols, data } = x;
  const means = columnMeans({ rows, cols, data });
  for (let i = 0; i < rows; i++) for (let j = 0, at = i * cols; j < cols; j++, at++) data[at]! -= means[j]!;
  return means;
}

/** A model fitted on features centered by `means` ({@link centerColumns}), as the same model of the raw features. */
function inRawFeatures(model: LogisticModel, means: Float64Array): LogisticModel {
  return { ...model, intercept: model.intercept - dot(means, model.coef) };
}

/** A fit in progress: it yields each pass over the matrix it needs and is resumed once the pass is made. */
type Fit = Generator<RowPass, LogisticModel, void>;

/**
 * Runs fits over one matrix side by side (the folds of a cross-validation step): at every step,
 * the next pass of each unfinished fit is made in one sweep over the matrix
 * ({@link RowMatrix.sweep}), which reads the rows from memory once for all of them. A fit does not
 * see the others: each gives exactly what it gives alone.
 */
function runFits(matrix: RowMatrix, fits: readonly Fit[]): LogisticModel[] {
  const results: LogisticModel[] = [];
  let waiting: { readonly index: number; readonly pass: RowPass }[] = [];
  const advance = (index: number): void => {
    const step = fits[index]!.next();
    if (step.done === true) results[index] = step.value;
    else waiting.push({ index, pass: step.value });
  };
  fits.forEach((_fit, index) => { advance(index); });
  while (waiting.length > 0) {
    const made = waiting;
    matrix.sweep(made.map(({ pass }) => pass));
    waiting = [];
    for (const { index } of made) advance(index);
  }
  return results;
}

/**
 * {@link fitLogistic} on the listed rows of a matrix of `d` columns (a cross-validation fold of the
 * train matrix, without copying it), `labels` index-aligned with `rows`, as a {@link Fit} for
 * {@link runFits}. Every pass over the rows runs in the matrix's SIMD kernels, which give bit for
 * bit the plain loops' values (src/linalg/rows.ts); `hessianPrecision` 'single' takes the
 * Hessian-vector products in float32 (the cross-validation fits, see the module comment).
 */
function* fitRows(
  d: number,
  rows: Int32Array,
  labels: readonly boolean[],
  C: number,
  start: { readonly coef: Float64Array; readonly intercept: number } | undefined,
  gradientTolerance: number,
  maxCgIterations: number | undefined,
  hessianPrecision: 'double' | 'single' = 'double',
): Fit {
  const n = rows.length;
  if (labels.length !== n) throw new RangeError(`${n} rows but ${labels.length} labels`);
  if (!(C > 0)) throw new RangeError(`C must be positive, got ${C}`);
  const positives = labels.filter(Boolean).length;
  if (positives === 0 || positives === n) throw new RangeError('logistic regression needs both classes');
  const t = Float64Array.from(labels, (label) => (label ? 1 : 0));
  // Parameters: w (d values) then the intercept.
  const theta = new Float64Array(d + 1);
  if (start) {
    theta.set(start.coef);
    theta[d] = start.intercept;
  }
  const z = new Float64Array(n);
  const p = new Float64Array(n);
  const weights = new Float64Array(n);
  const gradient = new Float64Array(d + 1);

  const margins = (params: Float64Array, out: Float64Array): RowPass => ({ op: 'dots', rows, v: params, out });
  const objective = (params: Float64Array, m: Float64Array): number => {
    let loss = 0;
    for (let i = 0; i < n; i++) loss += softplus(m[i]!) - t[i]! * m[i]!;
    let penalty = 0;
    for (let j = 0; j < d; j++) penalty += params[j]! * params[j]!;
    return C * loss + penalty / 2;
  };
  // X^T r (length d) plus sum r (intercept), scaled by C, into out.
  function* transposeTimes(r: Float64Array, out: Float64Array): Generator<RowPass, void, void> {
    out.fill(0);
    yield { op: 'transposeTimes', rows, r, out };
    for (let j = 0; j <= d; j++) out[j]! *= C;
  }
  // H v = C X^T W X v + v (w part), fused into one pass over the rows: each row is read twice while
  // it is in cache, which halves the memory traffic of the CG steps that dominate the cost.
  function* hessianTimes(v: Float64Array, out: Float64Array): Generator<RowPass, void, void> {
    out.fill(0);
    yield { op: hessianPrecision === 'single' ? 'hessianTimesSingle' : 'hessianTimes', rows, v, w: weights, out };
    for (let j = 0; j <= d; j++) out[j]! *= C;
    for (let j = 0; j < d; j++) out[j]! += v[j]!;
  }

  yield margins(theta, z);
  let value = objective(theta, z);
  const residual = new Float64Array(n);
  const step = new Float64Array(d + 1);
  const r = new Float64Array(d + 1);
  const q = new Float64Array(d + 1);
  const zr = new Float64Array(d + 1);
  const preconditioner = new Float64Array(d + 1);
  const hq = new Float64Array(d + 1);
  const trial = new Float64Array(d + 1);
  const trialZ = new Float64Array(n);
  const tolerance = gradientTolerance * (1 + C * n);
  let iterations = 0;
  let gradientMax = Infinity;
  let converged = false;
  let cgSteps = 0;
  while (iterations < MAX_NEWTON_ITERATIONS) {
    for (let i = 0; i < n; i++) {
      p[i] = sigmoid(z[i]!);
      residual[i] = p[i]! - t[i]!;
      weights[i] = p[i]! * (1 - p[i]!);
    }
    yield* transposeTimes(residual, gradient);
    for (let j = 0; j < d; j++) gradient[j]! += theta[j]!;
    gradientMax = 0;
    let gradientNorm2 = 0;
    for (let j = 0; j <= d; j++) {
      gradientMax = Math.max(gradientMax, Math.abs(gradient[j]!));
      gradientNorm2 += gradient[j]! * gradient[j]!;
    }
    if (gradientMax <= tolerance) {
      converged = true;
      break;
    }
    iterations++;
    // Conjugate gradient on H step = -gradient, preconditioned by the Hessian's diagonal (Jacobi;
    // the features' scales differ), to a relative residual of min(0.1, sqrt|g|).
    preconditioner.fill(0);
    yield { op: 'weightedSquares', rows, w: weights, out: preconditioner };
    for (let j = 0; j <= d; j++) preconditioner[j] = 1 / (C * preconditioner[j]! + (j < d ? 1 : 0) || 1);
    step.fill(0);
    for (let j = 0; j <= d; j++) {
      r[j] = -gradient[j]!;
      zr[j] = preconditioner[j]! * r[j]!;
    }
    q.set(zr);
    let rr = gradientNorm2;
    let rz = 0;
    for (let j = 0; j <= d; j++) rz += r[j]! * zr[j]!;
    const cgTolerance = Math.min(0.1, Math.sqrt(Math.sqrt(gradientNorm2))) ** 2 * gradientNorm2;
    const cgLimit = maxCgIterations ?? 2 * (d + 1);
    for (let cg = 0; cg < cgLimit && rr > cgTolerance; cg++) {
      cgSteps++;
      yield* hessianTimes(q, hq);
      let qhq = 0;
      for (let j = 0; j <= d; j++) qhq += q[j]! * hq[j]!;
      if (!(qhq > 0)) break;
      const alpha = rz / qhq;
      let rrNext = 0;
      let rzNext = 0;
      for (let j = 0; j <= d; j++) {
        step[j]! += alpha * q[j]!;
        r[j]! -= alpha * hq[j]!;
        zr[j] = preconditioner[j]! * r[j]!;
        rrNext += r[j]! * r[j]!;
        rzNext += r[j]! * zr[j]!;
      }
      const beta = rzNext / rz;
      for (let j = 0; j <= d; j++) q[j] = zr[j]! + beta * q[j]!;
      rr = rrNext;
      rz = rzNext;
    }
    let slope = 0;
    for (let j = 0; j <= d; j++) slope += gradient[j]! * step[j]!;
    if (!(slope < 0)) break; // no descent direction left: at float precision
    // A full step's predicted decrease (about -slope / 2) below the objective's own rounding: the
    // objective cannot judge the step any more, and halving it on rounding noise made the tight
    // final fits crawl (38 and 100 Newton iterations on two wordnet-wic-sized representations
    // instead of 5-9, each step halved). There, the Newton step is taken whole and the gradient
    // test decides; every iteration whose full step the search would have accepted is unchanged.
    const flat = -slope <= FLAT_SLOPE_ULPS * Number.EPSILON * Math.abs(value);
    let size = 1;
    let accepted = false;
    for (let search = 0; search < 60; search++) {
      for (let j = 0; j <= d; j++) trial[j] = theta[j]! + size * step[j]!;
      yield margins(trial, trialZ);
      const trialValue = objective(trial, trialZ);
      // Near the optimum the decrease falls below the rounding of the objective itself; a step
      // within that rounding is accepted (Newton converges there; the gradient test decides).
      if (flat || trialValue <= value + 1e-4 * size * slope + 4 * Number.EPSILON * Math.abs(value)) {
        theta.set(trial);
        z.set(trialZ);
        value = trialValue;
        accepted = true;
        break;
      }
      size /= 2;
    }
    if (!accepted) break;
  }
  return { coef: theta.slice(0, d), intercept: theta[d]!, C, iterations, cgSteps, gradientMax, converged };
}

/** P(same sense) for every row. */
export function predictProbabilities(model: Pick<LogisticModel, 'coef' | 'intercept'>, x: FeatureMatrix): Float64Array {
  return predictInto(model, x.data, x.cols, allRows(x.rows));
}

/** P(same sense) for the listed rows of a matrix. */
function predictRows(model: Pick<LogisticModel, 'coef' | 'intercept'>, x: RowMatrix, rows: Int32Array): Float64Array {
  return predictInto(model, x.data, x.cols, rows);
}

function predictInto(model: Pick<LogisticModel, 'coef' | 'intercept'>, data: Float64Array, cols: number, rows: Int32Array): Float64Array {
  if (cols !== model.coef.length) throw new RangeError(`model has ${model.coef.length} features, matrix ${cols}`);
  const out = new Float64Array(rows.length);
  for (let k = 0; k < rows.length; k++) {
    const offset = rows[k]! * cols;
    let s = model.intercept;
    for (let j = 0; j < cols; j++) s += data[offset + j]! * model.coef[j]!;
    out[k] = sigmoid(s);
  }
  return out;
}

/** Mean log-loss with probabilities clipped to [1e-15, 1 - 1e-15] (sklearn's log_loss convention). */
export function logLoss(probabilities: ArrayLike<number>, labels: readonly boolean[]): number {
  let sum = 0;
  for (let i = 0; i < labels.length; i++) {
    const p = Math.min(1 - 1e-15, Math.max(1e-15, probabilities[i]!));
    sum -= labels[i] ? Math.log(p) : Math.log(1 - p);
  }
  return sum / labels.length;
}

/** Fold (0..folds-1) of every example, by word (see the module comment). */
export function wordFolds(words: readonly string[], folds: number, seed: number): Int32Array {
  const distinct = [...new Set(words)].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  shuffleInPlace(distinct, mulberry32(deriveSeed(seed, 'probe-folds')));
  const foldOf = new Map(distinct.map((word, i) => [word, i % folds]));
  return Int32Array.from(words, (word) => foldOf.get(word)!);
}

/** A probe trained on one representation. */
export interface TrainedProbe {
  readonly model: LogisticModel;
  /** The C chosen by cross-validation. */
  readonly C: number;
  /** Pooled held-out log-loss of every C tried, in increasing C (null when no fold could be scored). */
  readonly cv: readonly { readonly C: number; readonly logLoss: number | null }[];
  readonly trainPairs: number;
  readonly trainWords: number;
  /**
   * Out-of-fold P(same sense) of every train example at the chosen C (from the cross-validation
   * fits, index-aligned with the examples; NaN where its fold was skipped); null without CV.
   */
  readonly outOfFold: Float64Array | null;
}

export interface TrainProbeOptions {
  readonly seed: number;
  readonly grid?: readonly number[];
  readonly folds?: number;
}

/**
 * Chooses C by grouped cross-validation and refits on all train pairs.
 *
 * Cost: the grid is walked upwards with every fold warm-started from its own previous solution.
 * Without an explicit `grid`, the walk over {@link C_GRID} stops at the first C whose held-out
 * log-loss is above the best so far (the loss is taken to be unimodal in C, as it was on every
 * GloVe and use-lite representation of wordnet-wic): the larger C values, whose fits cost most,
 * are only fitted while they still improve. An explicit `grid` is searched whole.
 */
export function trainProbe(examples: readonly ProbeExample[], options: TrainProbeOptions): TrainedProbe {
  const fullGrid = [...(options.grid ?? C_GRID)].sort((a, b) => a - b);
  if (fullGrid.length === 0) throw new RangeError('trainProbe: empty C grid');
  const x = pairFeatureRows(examples);
  try {
    const means = centerColumns(x);
    const probe = trainProbeOn(x, examples, fullGrid, options);
    return { ...probe, model: inRawFeatures(probe.model, means) };
  } finally {
    x.release();
  }
}

/** {@link trainProbe} on the examples' feature matrix `x` ({@link centerColumns}: its models are of the centered features), the grid sorted. */
function trainProbeOn(x: RowMatrix, examples: readonly ProbeExample[], fullGrid: readonly number[], options: TrainProbeOptions): TrainedProbe {
  const adaptive = options.grid === undefined;
  const labels = examples.map((example) => example.label);
  const words = examples.map((example) => example.word);
  const distinctWords = new Set(words).size;
  const folds = Math.min(options.folds ?? CV_FOLDS, distinctWords);
  const cv: { C: number; logLoss: number | null }[] = [];
  const heldOut: Float64Array[] = [];
  if (folds >= 2) {
    x.keepSingleCopy();
    const foldOf = wordFolds(words, folds, options.seed);
    const parts = Array.from({ length: folds }, (_unused, fold) => {
      const trainList: number[] = [];
      const testList: number[] = [];
      foldOf.forEach((f, i) => (f === fold ? testList : trainList).push(i));
      const trainLabels = trainList.map((i) => labels[i]!);
      const positives = trainLabels.filter(Boolean).length;
      // A fold whose training part has one class only is skipped.
      if (positives === 0 || positives === trainLabels.length) return null;
      // Rows of the one train matrix, in order: no fold copies it.
      return { trainRows: Int32Array.from(trainList), testRows: Int32Array.from(testList), trainLabels };
    });
    const previous: (LogisticModel | undefined)[] = parts.map(() => undefined);
    for (let g = 0; g < fullGrid.length; g++) {
      const C = fullGrid[g]!;
      const held = new Float64Array(examples.length).fill(Number.NaN);
      // The folds of one C are fitted side by side, sharing every sweep over the train matrix.
      const fitted = parts.flatMap((part, fold) => (part === null ? [] : [{ part, fold }]));
      const models = runFits(x, fitted.map(({ part, fold }) => fitRows(x.cols, part.trainRows, part.trainLabels, C, previous[fold], CV_GRADIENT_TOLERANCE, undefined, 'single')));
      fitted.forEach(({ part, fold }, index) => {
        const model = models[index]!;
        previous[fold] = model;
        predictRows(model, x, part.testRows).forEach((probability, k) => (held[part.testRows[k]!] = probability));
      });
      heldOut.push(held);
      const scored = [...held.keys()].filter((i) => !Number.isNaN(held[i]!));
      cv.push({ C, logLoss: scored.length > 0 ? logLoss(scored.map((i) => held[i]!), scored.map((i) => labels[i]!)) : null });
      // Past the minimum: larger C only fits the train folds more closely.
      const best = bestIndex(cv);
      if (adaptive && best !== null && best < g && cv[g]!.logLoss !== null && cv[g]!.logLoss! > cv[best]!.logLoss!) break;
    }
  }
  if (cv.length === 0) for (const C of fullGrid) cv.push({ C, logLoss: null });
  const best = bestIndex(cv);
  const chosen = best === null ? (fullGrid.includes(1) ? 1 : fullGrid[0]!) : cv[best]!.C;
  const outOfFold = best === null ? null : heldOut[best] ?? null;
  // The final fit starts from zero: warm-starting it from the folds' mean solution was measured to
  // need more Newton iterations at the tight tolerance (86 against 20 on use-lite's input vectors).
  const model = runFits(x, [fitRows(x.cols, allRows(x.rows), labels, chosen, undefined, GRADIENT_TOLERANCE, undefined)])[0]!;
  return { model, C: chosen, cv, trainPairs: examples.length, trainWords: distinctWords, outOfFold };
}

/** Index of the lowest log-loss (ties within 1e-12 to the smaller C); null when none was scored. */
function bestIndex(cv: readonly { readonly logLoss: number | null }[]): number | null {
  let best: number | null = null;
  let bestLoss = Infinity;
  cv.forEach(({ logLoss: loss }, index) => {
    if (loss !== null && loss < bestLoss - 1e-12) {
      bestLoss = loss;
      best = index;
    }
  });
  return best;
}
