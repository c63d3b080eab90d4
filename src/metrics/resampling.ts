/**
 * The one resampling engine behind every bootstrap interval (AUC, correlations, their paired
 * differences in compare.csv, the sense metrics over words): seeded index draws, the statistic of
 * each resample, and the percentile interval of the statistics.
 *
 * Draws (the reference scripts under test/fixtures replay them with numpy): one mulberry32 stream
 * per interval, seeded by the caller (use deriveSeed so each row has its own stream). Each resample
 * draws, for each stratum in order, as many indices as the stratum holds, each `nextInt(size)`, with
 * replacement: one stratum of n for a paired bootstrap, the positives then the negatives for a
 * stratified AUC bootstrap, the words for the sense metrics. A resample whose statistic is undefined
 * (null: a constant variable) is dropped; the interval comes from the rest. The stratified AUC
 * resamples also run in the WebAssembly kernels (src/linalg/auc-resamples.ts), bit for bit this
 * engine's values (test/linalg-kernels.test.ts).
 *
 * Interval: percentiles (1 - c)/2 and 1 - (1 - c)/2 of the statistics, with numpy's default
 * 'linear' interpolation (virtual index (m - 1) q).
 */
import { DEFAULT_RESAMPLES } from '../config.js';
import { mulberry32 } from '../random.js';
import type { ConfidenceInterval } from '../types.js';
import { NO_INTERVAL } from './metric.js';

export { DEFAULT_RESAMPLES } from '../config.js';

/** Default confidence level. */
export const DEFAULT_CONFIDENCE = 0.95;

/** Options of every bootstrap interval. */
export interface BootstrapOptions {
  /** Seed of the random stream (an unsigned 32-bit integer; see deriveSeed). */
  readonly seed: number;
  /** Number of resamples; 0 gives no interval. Default {@link DEFAULT_RESAMPLES}. */
  readonly resamples?: number;
  /** Confidence level in (0, 1). Default {@link DEFAULT_CONFIDENCE}. */
  readonly confidence?: number;
}

/** The resamples an interval draws: {@link BootstrapOptions.resamples}, checked. */
export function resampleCount(options: Pick<BootstrapOptions, 'resamples'>): number {
  const resamples = options.resamples ?? DEFAULT_RESAMPLES;
  if (!Number.isSafeInteger(resamples) || resamples < 0) throw new RangeError(`resamples must be a non-negative integer, got ${resamples}`);
  return resamples;
}

/**
 * What `measure` makes of every resample, in draw order. `strata` are the sizes of the strata drawn
 * from; `measure` gets, per stratum, the drawn indices into it (buffers reused between resamples:
 * read them during the call, keep none).
 */
export function resample<T>(options: Pick<BootstrapOptions, 'seed' | 'resamples'>, strata: readonly number[], measure: (draws: readonly Uint32Array[]) => T): T[] {
  const resamples = resampleCount(options);
  const random = mulberry32(options.seed);
  const draws = strata.map((size) => new Uint32Array(size));
  const measured: T[] = [];
  for (let b = 0; b < resamples; b++) {
    strata.forEach((size, s) => {
      const drawn = draws[s]!;
      for (let k = 0; k < size; k++) drawn[k] = random.nextInt(size);
    });
    measured.push(measure(draws));
  }
  return measured;
}

/** The statistic of every resample where it is defined (not null), in draw order (see {@link resample}). */
export function resampledStatistics(options: Pick<BootstrapOptions, 'seed' | 'resamples'>, strata: readonly number[], statistic: (draws: readonly Uint32Array[]) => number | null): number[] {
  return resample(options, strata, statistic).filter((value): value is number => value !== null);
}

/**
 * The q-quantile of ascending `sorted` values, interpolated linearly between neighbours exactly as
 * numpy.quantile(method='linear') does (including its `b - (b - a)(1 - t)` form for t >= 0.5).
 */
export function quantileSorted(sorted: ArrayLike<number>, q: number): number {
  const m = sorted.length;
  if (m === 0) throw new RangeError('quantileSorted: no values');
  if (!(q >= 0 && q <= 1)) throw new RangeError(`quantileSorted: q must be in [0, 1], got ${q}`);
  const virtualIndex = (m - 1) * q;
  if (virtualIndex >= m - 1) return sorted[m - 1]!;
  const previous = Math.floor(virtualIndex);
  const t = virtualIndex - previous;
  const a = sorted[previous]!;
  const b = sorted[previous + 1]!;
  const difference = b - a;
  return t >= 0.5 ? b - difference * (1 - t) : a + difference * t;
}

/** Percentile interval of the statistics; null ends when there are none. */
export function percentileInterval(statistics: readonly number[], confidence: number = DEFAULT_CONFIDENCE): ConfidenceInterval {
  if (!(confidence > 0 && confidence < 1)) throw new RangeError(`confidence must be in (0, 1), got ${confidence}`);
  if (statistics.length === 0) return NO_INTERVAL;
  const sorted = Float64Array.from(statistics).sort();
  const tail = (1 - confidence) / 2;
  return { low: quantileSorted(sorted, tail), high: quantileSorted(sorted, 1 - tail) };
}
