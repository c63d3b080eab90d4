/**
 * Small helpers over tinybench shared by the benchmark suites: run one task, read its throughput,
 * and turn a (subject, baseline) measurement pair into a {@link ThroughputRow} with the ratio.
 */
import { Bench } from 'tinybench';

import type { ThroughputRow } from '../src/results/schema.js';
export interface Rate {
  /** Mean operations per second. */
  readonly opsPerSecond: number;
  /** Relative margin of error of the mean, in percent. */
  readonly rmePercent: number;
  readonly samples: number;
}

/** How long and how often {@link measureRate} samples. */
export interface MeasureOptions {
  /** Time budget in ms (default 1500). */
  readonly timeMs?: number;
  /** Minimum iterations (tinybench's `iterations`), for slow operations. */
  readonly iterations?: number;
  /** Warm-up iterations before sampling. */
  readonly warmupIterations?: number;
  /** Units of work per call (e.g. sentences per call): the rate is multiplied by it. */
  readonly unitsPerOp?: number;
}

/** Measures `fn` with tinybench: mean operations (times `unitsPerOp`) per second. */
export async function measureRate(name: string, fn: () => unknown, options: MeasureOptions = {}): Promise<Rate> {
  const timeMs = options.timeMs ?? 1500;
  const bench = new Bench({
    name,
    time: timeMs,
    warmupTime: Math.min(500, timeMs / 3),
    ...(options.iterations === undefined ? {} : { iterations: options.iterations }),
    ...(options.warmupIterations === undefined ? {} : { warmupIterations: options.warmupIterations }),
  });
  bench.add(name, fn);
  await bench.run();
  const result = bench.tasks[0]!.result;
  if (result.state !== 'completed') {
    throw new Error(`benchmark "${name}" did not complete (${result.state}${result.state === 'errored' ? `: ${String(result.error)}` : ''})`);
  }
  const scale = options.unitsPerOp ?? 1;
  return { opsPerSecond: result.throughput.mean * scale, rmePercent: result.throughput.rme, samples: result.latency.df + 1 };
}

/**
 * Measures subject and baseline interleaved (A, B, A, B, ...) so that machine noise hits both alike,
 * and keeps each one's fastest round (noise on a shared machine only ever slows a run down), scaled
 * by `unitsPerOp` (e.g. lookups per call).
 */
export async function compareRates(
  subject: { name: string; fn: () => unknown },
  baseline: { name: string; fn: () => unknown },
  options: MeasureOptions & { rounds?: number } = {},
): Promise<{ subject: Rate; baseline: Rate }> {
  const { rounds: roundsOption, unitsPerOp, ...measureOptions } = options;
  const rounds = roundsOption ?? 3;
  const scale = unitsPerOp ?? 1;
  const fastest = (a: Rate | null, b: Rate): Rate => (a === null || b.opsPerSecond > a.opsPerSecond ? b : a);
  let bestSubject: Rate | null = null;
  let bestBaseline: Rate | null = null;
  for (let round = 0; round < rounds; round++) {
    bestSubject = fastest(bestSubject, await measureRate(subject.name, subject.fn, measureOptions));
    bestBaseline = fastest(bestBaseline, await measureRate(baseline.name, baseline.fn, measureOptions));
  }
  const scaled = (rate: Rate): Rate => ({ ...rate, opsPerSecond: rate.opsPerSecond * scale });
  return { subject: scaled(bestSubject!), baseline: scaled(bestBaseline!) };
}

/** A rate row compared with its baseline (ratio = subject / baseline). */
export function rateRow(
  group: string,
  unit: string,
  subject: string,
  rate: Rate,
  baseline: string,
  baselineRate: Rate | null,
  goal: number | null,
): ThroughputRow {
  return {
    group,
    subject,
    unit,
    value: rate.opsPerSecond,
    baseline,
    baselineValue: baselineRate?.opsPerSecond ?? null,
    ratio: baselineRate ? rate.opsPerSecond / baselineRate.opsPerSecond : null,
    goal,
    rmePercent: rate.rmePercent,
    samples: rate.samples,
  };
}
