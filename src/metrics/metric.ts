/**
 * The metric vocabulary: one small interface, {@link Metric}, and the input shapes metrics take.
 *
 * Every metric is a pure function of its input. When a metric is undefined for an input (AUC with
 * one class, a correlation of a constant) it returns `null`, never `NaN`, so that `null` survives
 * JSON and CSV and means the same thing everywhere.
 */
import type { ConfidenceInterval } from '../types.js';

/** A named, pure computation from an input to a result. */
export interface Metric<I, O> {
  /** Stable snake_case name, e.g. `roc_auc`. */
  readonly name: string;
  compute(input: I): O;
}

/**
 * Scores for binary-labelled items, index-aligned. `labels[i] === true` is the positive class
 * (same sense); a higher score should mean "more likely positive".
 */
export interface BinaryScores {
  readonly scores: ArrayLike<number>;
  readonly labels: ArrayLike<boolean>;
}

/** Two index-aligned samples of equal length, e.g. cosine (`x`) and graded similarity (`y`). */
export interface PairedSample {
  readonly x: ArrayLike<number>;
  readonly y: ArrayLike<number>;
}

/** The interval used when no estimate is possible. */
export const NO_INTERVAL: ConfidenceInterval = Object.freeze({ low: null, high: null });

/** Wraps a pure function as a {@link Metric}. */
export function defineMetric<I, O>(name: string, compute: (input: I) => O): Metric<I, O> {
  return Object.freeze({ name, compute });
}

/** Throws when the two arrays differ in length: a caller bug, never a data problem. */
export function assertSameLength(a: ArrayLike<unknown>, b: ArrayLike<unknown>, what: string): void {
  if (a.length !== b.length) {
    throw new RangeError(`${what}: lengths differ (${a.length} vs ${b.length})`);
  }
}

/**
 * Rounds to 6 decimals (and -0 to 0), so that the numbers a picture is drawn from (chart data,
 * projected points) do not depend on float noise, and a point read back from JSON equals the one
 * computed.
 */
export function round6(value: number): number {
  const rounded = Math.round(value * 1e6) / 1e6;
  return rounded === 0 ? 0 : rounded;
}
