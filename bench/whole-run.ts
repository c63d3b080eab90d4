/**
 * The whole-run rate: how close a complete `sensebench run` comes to the bare model. One fresh
 * process runs exactly what a user types,
 *
 *   node bin/sensebench.js run --dataset wordnet-wic --model glove-100d --model use-lite
 *     --no-embedding-cache --resamples 50 --out <tmp>
 *
 * and its rate is the distinct sentences use-lite embeds (every distinct sentence of the dataset's
 * pairs) per second of its wall time, spawn to exit: process start, dataset loading, GloVe, the
 * transformer, scoring and every report included. The baseline, measured in the same bench run, is
 * a bare `session.run` loop over the same sentences, tokenized and padded into the run's batches
 * ahead of time (bench/contextual.ts `bareBatches`): the rate of the model alone. Goal: the whole
 * run at 0.85 of it or better.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PROJECT_ROOT } from '../src/config.js';
import { loadDataset } from '../src/datasets/index.js';
import { loadOnnxParts } from '../src/models/onnx-model.js';
import { prepareUseLite } from '../src/models/use-lite/convert.js';

import { bareBatches, occurrencesOf } from './contextual.js';
import { runFresh } from './fresh-process.js';
import { measureRate, rateRow } from './measure.js';

import type { ThroughputRow } from '../src/results/schema.js';
/** Goal: the whole run's sentences/s at least this fraction of the bare `session.run` loop's. */
export const WHOLE_RUN_GOAL = 0.85;

/** The dataset and resamples of the measured run (kept small: one run of a few minutes at most). */
const DATASET = 'wordnet-wic';
const RESAMPLES = '50';

export interface WholeRunOptions {
  readonly cacheDir: string;
  readonly log?: (message: string) => void;
}

/** One row, group `whole-run`, unit sentences/s (see the file comment). */
export async function benchWholeRunRate(options: WholeRunOptions): Promise<ThroughputRow[]> {
  const dataset = await loadDataset(DATASET);
  const sentences = [...new Set([...dataset.splits.values()].flat().flatMap((pair) => [pair.sentence1, pair.sentence2]))];
  const out = await mkdtemp(join(tmpdir(), 'sensebench-whole-run-'));
  try {
    const bin = join(PROJECT_ROOT, 'bin', 'sensebench.js');
    const args = [bin, 'run', '--dataset', DATASET, '--model', 'glove-100d', '--model', 'use-lite', '--no-embedding-cache', '--resamples', RESAMPLES, '--out', out];
    options.log?.(`whole run: ${args.slice(1).join(' ')} (${sentences.length} distinct sentences)`);
    const run = await runFresh(process.execPath, args, { cwd: PROJECT_ROOT, env: { ...process.env, SENSEBENCH_CACHE: options.cacheDir } });
    const wholeRate = { opsPerSecond: sentences.length / (run.wallMs / 1000), rmePercent: 0, samples: 1 };

    const parts = await loadOnnxParts((await prepareUseLite(options.cacheDir)).dir, { cacheDir: options.cacheDir, id: 'use-lite' });
    try {
      const { batches } = await bareBatches(parts, occurrencesOf(sentences));
      const fetches = [...parts.runner.options.fetches];
      const session = parts.runner.session;
      options.log?.(`whole run: ${(run.wallMs / 1000).toFixed(1)} s; bare session.run over the same ${sentences.length} sentences (${batches.length} batches)`);
      // Two passes after one warm-up pass: each pass is many seconds, so a few samples suffice.
      const bare = await measureRate(
        `bare session.run use-lite over ${DATASET}`,
        async () => {
          for (const batch of batches) await session.run(batch.feeds, fetches);
        },
        { timeMs: 1, iterations: 2, warmupIterations: 1, unitsPerOp: sentences.length },
      );
      const row = rateRow(
          'whole-run',
          'sentences/s',
          `node bin/sensebench.js run --dataset ${DATASET} --model glove-100d --model use-lite --no-embedding-cache --resamples ${RESAMPLES} (fresh process, wall time; ${sentences.length} distinct sentences embedded by use-lite)`,
          wholeRate,
          `bare session.run use-lite over the same ${sentences.length} sentences, pre-tokenized and pre-padded (${batches.length} batches)`,
          bare,
          WHOLE_RUN_GOAL,
        );
      // The whole run is one timed process: it has no sampling error to report.
      return [{ ...row, rmePercent: null, samples: 1 }];
    } finally {
      await parts.runner.release();
    }
  } finally {
    await rm(out, { recursive: true, force: true });
  }
}
