/**
 * The whole-run rate: how close a complete `sensebench run` comes to the bare model. The run is
 * the scaling suite's largest use-lite run (bench/scaling.ts): a fresh process running exactly what
 * a user types,
 *
 *   node bin/sensebench.js run --dataset DIR --model use-lite --out DIR --resamples 20
 *
 * over its generated dataset with an empty embedding cache, timed spawn to exit (process start,
 * dataset loading, the transformer, corrections, contextuality, scoring, every report). Its rate is
 * the distinct sentences use-lite embeds per second of that wall time. The baseline, measured here
 * in the same bench run, is a bare `session.run` loop over the same sentences, tokenized and padded
 * into the run's batches ahead of time (bench/contextual.ts `bareBatches`): the rate of the model
 * alone. Goal: the whole run at 0.85 of it or better. Taking the run from the scaling suite embeds
 * its sentences once for both measurements.
 */
import { loadOnnxParts } from '../src/models/onnx-model.js';
import { prepareUseLite } from '../src/models/use-lite/convert.js';
import type { ThroughputRow } from '../src/results/schema.js';
import { bareBatches, occurrencesOf } from './contextual.js';
import type { MeasuredRun } from './scaling.js';

/** Goal: the whole run's sentences/s at least this fraction of the bare `session.run` loop's. */
export const WHOLE_RUN_GOAL = 0.85;

/** Batches run before the timed pass, so onnxruntime's first-run allocations are not timed. */
const WARM_UP_BATCHES = 4;

export interface WholeRunOptions {
  readonly cacheDir: string;
  /** The measured run (the scaling suite's largest use-lite run). */
  readonly run: MeasuredRun;
  readonly log?: (message: string) => void;
}

/** One row, group `whole-run`, unit sentences/s (see the file comment). */
export async function benchWholeRunRate(options: WholeRunOptions): Promise<ThroughputRow[]> {
  const { run } = options;
  const sentences = run.sentences;
  const parts = await loadOnnxParts((await prepareUseLite(options.cacheDir)).dir, { cacheDir: options.cacheDir, id: 'use-lite' });
  try {
    const { batches } = await bareBatches(parts, occurrencesOf(sentences));
    const fetches = [...parts.runner.options.fetches];
    const session = await parts.runner.open();
    options.log?.(`whole run: ${run.seconds.toFixed(1)} s; bare session.run over the same ${sentences.length} sentences (${batches.length} batches)`);
    for (const batch of batches.slice(0, WARM_UP_BATCHES)) await session.run(batch.feeds, fetches);
    // One timed pass: it runs for seconds over hundreds of batches, so its own noise is small
    // beside the whole run's distance from the goal.
    const started = performance.now();
    for (const batch of batches) await session.run(batch.feeds, fetches);
    const bareSeconds = (performance.now() - started) / 1000;
    const whole = sentences.length / run.seconds;
    const bare = sentences.length / bareSeconds;
    return [
      {
        group: 'whole-run',
        subject: `node bin/${run.command} (the scaling suite's largest use-lite run: fresh process, empty embedding cache, wall time; ${sentences.length} distinct sentences)`,
        unit: 'sentences/s',
        value: whole,
        baseline: `bare session.run use-lite over the same ${sentences.length} sentences, pre-tokenized and pre-padded (${batches.length} batches, one pass)`,
        baselineValue: bare,
        ratio: whole / bare,
        goal: WHOLE_RUN_GOAL,
        rmePercent: null,
        samples: 1,
      },
    ];
  } finally {
    await parts.runner.release();
  }
}
