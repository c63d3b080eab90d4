/**
 * `sensebench score DIR`: recomputes summary.csv and words/ of a finished run from its
 * pairs/*.csv cosines and labels alone, with the seed and resamples run.json records. The pipeline
 * scores exactly these stored cosines, so the result is byte-identical to what `run` wrote; a
 * researcher who edits or filters a pairs CSV gets the summary that matches it.
 */
import { scoreSplits } from './scoring.js';
import type { RunResult } from '../types.js';
import { readRunJson, readSplitPairs, readThroughput, restoreSentences } from '../results/read.js';

export async function rescoreResults(dir: string): Promise<{ result: RunResult; notes: string[] }> {
  const run = await readRunJson(dir);
  const splits = scoreSplits(await readSplitPairs(dir, run), run.context.models, { seed: run.context.seed, resamples: run.context.resamples });
  const notes = await restoreSentences(run.context, splits);
  return { result: { context: run.context, splits, throughput: await readThroughput(dir) }, notes };
}
