/**
 * The run.json renderer: the run's context (models with their representations, datasets, seed,
 * machine, date) and the shape of its splits, so every other file can be re-read and re-rendered
 * from the results directory alone (src/results/read.ts).
 */
import { runJsonSchema } from '../results/run-json-schema.js';
import type { RenderedFile, RunContext, RunResult, SplitName } from '../types.js';
import type { RunTimings } from '../pipeline/timings.js';

/** The serialised shape of run.json. */
export interface RunJson {
  readonly context: RunContext;
  readonly splits: readonly { readonly dataset: string; readonly split: SplitName; readonly unlabelled: boolean; readonly graded: boolean }[];
  readonly timings?: RunTimings;
}

/** run.json of a result. */
export function runJson(result: RunResult): RunJson {
  return {
    context: result.context,
    splits: result.splits.map(({ dataset, split, unlabelled, graded }) => ({ dataset, split, unlabelled, graded })),
    ...(result.timings === undefined ? {} : { timings: result.timings }),
  };
}

export function renderRunJson(result: RunResult): RenderedFile[] {
  // Through the schema: keys in one canonical order, and a malformed result fails here, not in a reader.
  return [{ path: 'run.json', content: `${JSON.stringify(runJsonSchema.parse(runJson(result)), null, 2)}\n` }];
}
