/**
 * The evaluation pipeline: dataset -> pairs -> model embeddings -> cosines -> metrics -> RunResult.
 *
 * Models are loaded one at a time and disposed before the next (GloVe and a transformer need not
 * share memory); every model embeds all occurrences of all datasets in one call, so it can
 * de-duplicate sentences across datasets and splits. Only cosines are kept.
 */
import { scoreRepresentation, scoreWords, type ScoredPair } from './metrics/index.js';
import type {
  Dataset,
  EmbeddingModel,
  PairResult,
  Representation,
  RepresentationKey,
  RepresentationScore,
  SentencePair,
  SplitResult,
  TargetOccurrence,
  WordScore,
} from './types.js';

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

/** Cosines of one model on every pair: key -> pair id -> cosine, plus truncation per pair. */
export interface ModelCosines {
  readonly model: string;
  readonly representations: readonly Representation[];
  readonly cosines: ReadonlyMap<RepresentationKey, ReadonlyMap<string, number | null>>;
  readonly truncated: ReadonlySet<string>;
}

/** Every pair of every dataset, with a key unique across datasets. */
function allPairs(datasets: readonly Dataset[]): { key: string; pair: SentencePair }[] {
  return datasets.flatMap((dataset) =>
    [...dataset.splits.values()].flat().map((pair) => ({ key: `${dataset.name}\0${pair.id}`, pair })),
  );
}

/** Embeds both sentences of every pair with one model and returns the cosines. */
export async function cosinesForModel(
  model: EmbeddingModel,
  datasets: readonly Dataset[],
  onProgress?: (done: number, total: number) => void,
): Promise<ModelCosines> {
  const pairs = allPairs(datasets);
  const occurrences: TargetOccurrence[] = pairs.flatMap(({ pair }) => [
    { sentence: pair.sentence1, spans: pair.spans1, source: pair.source },
    { sentence: pair.sentence2, spans: pair.spans2, source: pair.source },
  ]);
  const embeddings = await model.embed(occurrences, onProgress);
  const cosines = new Map<RepresentationKey, Map<string, number | null>>();
  const truncated = new Set<string>();
  model.representations.forEach((representation, r) => {
    const column = new Map<string, number | null>();
    pairs.forEach(({ key }, p) => {
      const first = embeddings[2 * p]!;
      const second = embeddings[2 * p + 1]!;
      column.set(key, cosine(first.vectors[r] ?? null, second.vectors[r] ?? null));
      if (first.truncated || second.truncated) truncated.add(key);
    });
    cosines.set(`${model.id}:${representation.name}`, column);
  });
  return { model: model.id, representations: model.representations, cosines, truncated };
}

export interface ScoreOptions {
  readonly seed: number;
  /** Bootstrap resamples for confidence intervals (default 1000). */
  readonly bootstrapResamples?: number;
}

/**
 * Scores every dataset split with every model representation. The accuracy threshold of a
 * non-train split is learned on the dataset's train split; the train split itself (and datasets
 * without one) use cross-validation.
 */
export function scoreDatasets(
  datasets: readonly Dataset[],
  models: readonly ModelCosines[],
  options: ScoreOptions,
): SplitResult[] {
  const results: SplitResult[] = [];
  for (const dataset of datasets) {
    const train = dataset.splits.get('train');
    for (const [split, pairs] of dataset.splits) {
      const keyOf = (pair: SentencePair): string => `${dataset.name}\0${pair.id}`;
      const pairResults: PairResult[] = pairs.map((pair) => {
        const cosines = new Map<RepresentationKey, number | null>();
        let truncated = false;
        for (const model of models) {
          for (const [column, values] of model.cosines) cosines.set(column, values.get(keyOf(pair)) ?? null);
          truncated ||= model.truncated.has(keyOf(pair));
        }
        return { pair, cosines, truncated };
      });
      const scores: RepresentationScore[] = [];
      const words: WordScore[] = [];
      for (const model of models) {
        for (const representation of model.representations) {
          const column = model.cosines.get(`${model.model}:${representation.name}`)!;
          const scored = (list: readonly SentencePair[]): ScoredPair[] =>
            list.map((pair) => ({
              word: pair.word2 !== undefined && pair.word2 !== pair.word ? `${pair.word}/${pair.word2}` : pair.word,
              label: pair.label,
              score: pair.score,
              cosine: column.get(keyOf(pair)) ?? null,
            }));
          const evaluated = scored(pairs);
          scores.push(
            scoreRepresentation({
              evaluated,
              ...(train && split !== 'train' ? { train: scored(train) } : {}),
              seed: options.seed,
              model: model.model,
              kind: representation.kind,
              representation: representation.name,
              ...(options.bootstrapResamples === undefined ? {} : { bootstrapResamples: options.bootstrapResamples }),
              key: `${model.model}:${representation.name}:${dataset.name}:${split}`,
            }),
          );
          words.push(...scoreWords({ evaluated, model: model.model, representation: representation.name }));
        }
      }
      results.push({
        dataset: dataset.name,
        split,
        unlabelled: pairs.every((pair) => pair.label === null),
        graded: pairs.some((pair) => pair.score !== null),
        pairs: pairResults,
        scores,
        words,
      });
    }
  }
  return results;
}

/** What `sensebench run` (and `npm run bench`) evaluates. */
export interface EvaluationPlan {
  readonly datasets: readonly Dataset[];
  /** Model specs, loaded one at a time. */
  readonly models: readonly string[];
  readonly loadModel: (spec: string) => Promise<EmbeddingModel>;
  readonly seed: number;
  readonly bootstrapResamples?: number;
  /** Called around each model's embedding step (for a progress bar). */
  readonly onModelProgress?: (model: string, done: number, total: number) => void;
}

/** Loads each model in turn, embeds every dataset, scores every split; nothing is written here. */
export async function evaluate(plan: EvaluationPlan): Promise<{
  splits: SplitResult[];
  models: { id: string; sha256: string; info: Readonly<Record<string, string | number>>; representations: readonly Representation[] }[];
}> {
  const cosines: ModelCosines[] = [];
  const models = [];
  for (const spec of plan.models) {
    const model = await plan.loadModel(spec);
    try {
      cosines.push(
        await cosinesForModel(model, plan.datasets, (done, total) => plan.onModelProgress?.(model.id, done, total)),
      );
      models.push({ id: model.id, sha256: model.sha256, info: model.info, representations: model.representations });
    } finally {
      await model.dispose();
    }
  }
  const splits = scoreDatasets(plan.datasets, cosines, {
    seed: plan.seed,
    ...(plan.bootstrapResamples === undefined ? {} : { bootstrapResamples: plan.bootstrapResamples }),
  });
  return { splits, models };
}
