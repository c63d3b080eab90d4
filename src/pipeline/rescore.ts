/**
 * `sensebench score DIR`: recomputes summary.csv, words/ and the comparisons of a finished run from its
 * pairs/*.csv cosines and labels alone, with the seed and resamples run.json records. The pipeline
 * scores exactly these stored cosines, so the result is byte-identical to what `run` wrote; a
 * researcher who edits the cosines of a pairs CSV gets the summary that matches them. The rows
 * themselves must be the run's: a deleted, added or duplicated row, an unknown id, a changed label
 * or a missing score column is refused with `file:line` before anything is rewritten.
 */
import { compareRepresentations, scoreCosimlex, scoreSplits } from './scoring.js';

import { CARRIED_FIELDS } from '../results/layout.js';
import { readRunFiles, readRunJson, readSplitPairs, restoreSentences } from '../results/read.js';

import type { RunResult } from '../results/run-result.js';
export async function rescoreResults(dir: string): Promise<{ result: RunResult; notes: string[] }> {
  const run = await readRunJson(dir);
  // A run.json from before the comparison rule existed compared every two representations.
  const options = { seed: run.context.seed, resamples: run.context.resamples, normalizations: run.context.normalizations, comparisons: run.context.comparisons ?? 'all-pairs' };
  // Sentences and CoSimLex's row links come back from the datasets as recorded in run.json.
  const pairs = await readSplitPairs(dir, run);
  // Each CSV row must be the dataset's pair with its gold (ids, words, labels, scores), not only a row of the right shape.
  const notes = await restoreSentences(run.context, pairs, { verify: true });
  const splits = scoreSplits(pairs, run.context.models, options);
  const { comparisons, spearmanComparisons } = compareRepresentations(pairs, run.context.models, options);
  const cosimlex = scoreCosimlex(pairs, run.context.models, options);
  // The files scoring does not recompute (contextuality and the senses need the vectors, which a
  // results directory does not keep; throughput was measured) are carried over as written.
  const carried = await readRunFiles(dir, CARRIED_FIELDS);
  return {
    result: {
      context: run.context,
      splits,
      ...carried,
      comparisons,
      spearmanComparisons,
      cosimlex,
      ...(run.timings === undefined ? {} : { timings: run.timings }),
    },
    notes,
  };
}
