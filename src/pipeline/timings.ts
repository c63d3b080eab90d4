/**
 * Where a run's time went: wall seconds per phase (loading a model, embedding with it, its
 * corrections and cosines, its probe, contextuality, scoring, comparisons, reports), summed over
 * every dataset and chunk a phase ran for. run.json carries them (`timings`) and `run --timings`
 * prints them; they never enter a CSV, whose bytes depend on the inputs alone.
 *
 * Phases report their progress through {@link PhaseTimer.progress} (done of total, in the phase's
 * own unit), which the CLI draws as a bar on a terminal and as one line per phase otherwise.
 */

import type { RunTimings } from '../results/run-result.js';

/** Progress of a phase: `done` of `total` units (representations, splits, occurrences). */
export type PhaseProgress = (phase: string, done: number, total: number) => void;

export class PhaseTimer {
  private readonly seconds = new Map<string, number>();
  private readonly started = performance.now();

  constructor(private readonly onProgress?: PhaseProgress) {}

  /** Starts timing `phase`; the returned function stops it (the time adds to the phase's total). */
  start(phase: string): () => void {
    const from = performance.now();
    if (!this.seconds.has(phase)) this.seconds.set(phase, 0);
    return () => {
      this.seconds.set(phase, (this.seconds.get(phase) ?? 0) + (performance.now() - from) / 1000);
    };
  }

  /** Times a synchronous step. */
  time<T>(phase: string, run: () => T): T {
    const stop = this.start(phase);
    try {
      return run();
    } finally {
      stop();
    }
  }

  /** Times an asynchronous step. */
  async timeAsync<T>(phase: string, run: () => Promise<T>): Promise<T> {
    const stop = this.start(phase);
    try {
      return await run();
    } finally {
      stop();
    }
  }

  /** Reports a phase's progress. */
  progress(phase: string, done: number, total: number): void {
    this.onProgress?.(phase, done, total);
  }

  /** The timings so far. */
  timings(): RunTimings {
    return { totalSeconds: (performance.now() - this.started) / 1000, phases: [...this.seconds].map(([phase, seconds]) => ({ phase, seconds })) };
  }
}

/** The phases as `run --timings` prints them, longest first, with their share of the total. */
export function formatTimings(timings: RunTimings): string {
  const width = Math.max(0, ...timings.phases.map((p) => p.phase.length));
  const lines = [...timings.phases]
    .sort((a, b) => b.seconds - a.seconds)
    .map((p) => `  ${p.phase.padEnd(width)}  ${p.seconds.toFixed(2).padStart(8)} s  ${((100 * p.seconds) / Math.max(timings.totalSeconds, 1e-9)).toFixed(1).padStart(5)}%`);
  return [`timings (wall seconds, total ${timings.totalSeconds.toFixed(2)} s):`, ...lines].join('\n');
}
