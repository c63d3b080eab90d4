/**
 * The sense-labelled occurrence sets of a run (senses.csv and the sense pictures): each model embeds
 * a set once, and every representation is scored and projected.
 */
import { projectSenses } from '../metrics/sense-projection.js';
import { scoreSenses } from '../metrics/senses.js';
import { deriveSeed } from '../random.js';
import type { SenseProjection } from '../results/json-schemas.js';
import type { SenseRow } from '../results/schema.js';
import type { EmbeddingModel, SenseSet } from '../types.js';

/**
 * Embeds a sense set with `model` once and scores every representation (senses.csv rows), and
 * projects the set's picture words: vectors end here, only numbers and 2-D points are kept. The
 * rows are as {@link scoreSenses} computes them (the run rounds them as senses.csv prints them).
 */
export async function scoreSenseSet(model: EmbeddingModel, set: SenseSet, seed: number, resamples: number): Promise<{ rows: SenseRow[]; projections: SenseProjection[] }> {
  const embedded = await model.embed(set.occurrences);
  const rows: SenseRow[] = [];
  const projections: SenseProjection[] = [];
  model.representations.forEach((representation, r) => {
    const vectors = embedded.map((embedding) => embedding.vectors[r] ?? null);
    rows.push(
      scoreSenses({
        dataset: set.name,
        model: model.id,
        kind: representation.kind,
        representation: representation.name,
        occurrences: set.occurrences,
        vectors,
        seed: deriveSeed(seed, `${model.id}:${representation.name}:${set.name}:senses`),
        resamples,
      }),
    );
    for (const word of set.projectWords ?? []) {
      const indices = set.occurrences.flatMap((occurrence, i) => (occurrence.word === word ? [i] : []));
      if (indices.length === 0) continue;
      projections.push(
        projectSenses({
          word,
          model: model.id,
          representation: representation.name,
          kind: representation.kind,
          occurrences: indices.map((i) => set.occurrences[i]!),
          vectors: indices.map((i) => vectors[i]!),
        }),
      );
    }
  });
  return { rows, projections };
}
