/**
 * Embeddings to cosines: embeds both sentences of every pair of every dataset with one model (one
 * `embed` call, so the model can de-duplicate sentences across datasets and splits) and keeps only
 * the cosines, rounded exactly as results/pairs/*.csv print them. Every metric is computed from these
 * rounded cosines, so anyone re-scoring the pairs CSVs gets the numbers of summary.csv.
 */
import { METRIC_DECIMALS } from '../results/schema.js';
import { roundFixed } from '../results/table.js';
import type { Dataset, EmbeddingModel, ProgressFn, Representation, RepresentationKey, SentencePair, TargetOccurrence } from '../types.js';

/** Cosine similarity in float64; null when either vector is missing or has zero norm. */
export function cosine(a: Float32Array | null, b: Float32Array | null): number | null {
  if (a === null || b === null) return null;
  let dot = 0;
  let normA = 0;
  let normB = 0;
  for (let i = 0; i < a.length; i++) {
    const x = a[i]!;
    const y = b[i]!;
    dot += x * y;
    normA += x * x;
    normB += y * y;
  }
  if (normA === 0 || normB === 0) return null;
  // Identical vectors must give exactly 1: that is the lesson's point about static models.
  if (a === b || (normA === normB && dot === normA)) return 1;
  return dot / Math.sqrt(normA * normB);
}

/** A cosine as results store it: rounded to the CSVs' decimals, null when a vector was missing. */
export function storedCosine(a: Float32Array | null, b: Float32Array | null): number | null {
  const value = cosine(a, b);
  return value === null ? null : roundFixed(value, METRIC_DECIMALS);
}

/** Key of a pair unique across the datasets of a run. */
export function pairKey(dataset: string, pair: Pick<SentencePair, 'id'>): string {
  return `${dataset}\0${pair.id}`;
}

/** Cosines of one model on every pair: representation key -> pair key -> cosine, plus truncation. */
export interface ModelCosines {
  readonly model: string;
  readonly representations: readonly Representation[];
  readonly cosines: ReadonlyMap<RepresentationKey, ReadonlyMap<string, number | null>>;
  /** Keys of pairs where either sentence was cut to fit the model. */
  readonly truncated: ReadonlySet<string>;
}

/** Both target occurrences of a pair. */
export function pairOccurrences(pair: SentencePair): [TargetOccurrence, TargetOccurrence] {
  return [
    { sentence: pair.sentence1, spans: pair.spans1, source: pair.source },
    { sentence: pair.sentence2, spans: pair.spans2, source: pair.source },
  ];
}

/** Embeds both sentences of every pair of `datasets` with `model` and returns the stored cosines. */
export async function cosinesForModel(model: EmbeddingModel, datasets: readonly Dataset[], onProgress?: ProgressFn): Promise<ModelCosines> {
  const pairs = datasets.flatMap((dataset) => [...dataset.splits.values()].flat().map((pair) => ({ key: pairKey(dataset.name, pair), pair })));
  const embeddings = await model.embed(pairs.flatMap(({ pair }) => pairOccurrences(pair)), onProgress);
  const cosines = new Map<RepresentationKey, Map<string, number | null>>();
  const truncated = new Set<string>();
  model.representations.forEach((representation, r) => {
    const column = new Map<string, number | null>();
    pairs.forEach(({ key }, p) => {
      const first = embeddings[2 * p]!;
      const second = embeddings[2 * p + 1]!;
      column.set(key, storedCosine(first.vectors[r] ?? null, second.vectors[r] ?? null));
      if (first.truncated || second.truncated) truncated.add(key);
    });
    cosines.set(`${model.id}:${representation.name}`, column);
  });
  return { model: model.id, representations: model.representations, cosines, truncated };
}
