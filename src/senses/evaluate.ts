/**
 * The sense metrics of a whole model: embeds a sense-labelled occurrence set once and scores every
 * representation (one results/senses.csv row each). The pipeline's entry point for senses.csv.
 */
import { deriveSeed } from '../random.js';
import type { EmbeddingModel, ProgressFn, SenseOccurrence } from '../types.js';
import { scoreSenses, type SenseMetricsRow } from '../metrics/senses.js';

export interface SenseRowsOptions {
  /** Name of the occurrence set in the `dataset` column (`lesson-senses`, `wordnet-senses`). */
  readonly dataset: string;
  /** Run seed; each row's bootstrap stream is deriveSeed(seed, `<model>:<representation>:<dataset>:senses`). */
  readonly seed: number;
  readonly resamples?: number;
  readonly onProgress?: ProgressFn;
}

/** Embeds the occurrences with `model` and scores each of its representations. */
export async function senseRows(model: EmbeddingModel, occurrences: readonly SenseOccurrence[], options: SenseRowsOptions): Promise<SenseMetricsRow[]> {
  const embedded = await model.embed(occurrences, options.onProgress);
  return model.representations.map((representation, index) =>
    scoreSenses({
      dataset: options.dataset,
      model: model.id,
      kind: representation.kind,
      representation: representation.name,
      occurrences,
      vectors: embedded.map((embedding) => embedding.vectors[index] ?? null),
      seed: deriveSeed(options.seed, `${model.id}:${representation.name}:${options.dataset}:senses`),
      ...(options.resamples === undefined ? {} : { resamples: options.resamples }),
    }),
  );
}
