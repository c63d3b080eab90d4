/**
 * The run.json renderer: the run's context (models with their representations, datasets, seed,
 * machine, date) and the shape of its splits, so every other file can be re-read and re-rendered
 * from the results directory alone (src/results/read.ts).
 */
import { runJsonSchema, type RunJson } from '../results/json-schemas.js';
import type { RenderedFile, RunResult } from '../results/run-result.js';
import { cosineColumns } from '../results/schema.js';
import { pairsScoreColumns } from './csv.js';

/** run.json of a result. */
export function runJson(result: RunResult): RunJson {
  const all = cosineColumns(result.context.models, result.context.normalizations);
  return {
    context: result.context,
    splits: result.splits.map((item) => ({ dataset: item.dataset, split: item.split, unlabelled: item.unlabelled, graded: item.graded, columns: pairsScoreColumns(item, all) })),
    ...(result.timings === undefined ? {} : { timings: result.timings }),
  };
}

export function renderRunJson(result: RunResult): RenderedFile[] {
  // Through the schema: keys in one canonical order, and a malformed result fails here, not in a reader.
  return [{ path: 'run.json', content: `${JSON.stringify(runJsonSchema.parse(runJson(result)), null, 2)}\n` }];
}
