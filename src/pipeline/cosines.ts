/**
 * Embeddings to cosines: embeds both sentences of every pair of every dataset with one model (one
 * `embed` call, so the model can de-duplicate sentences across datasets and splits), then, per
 * dataset and representation, fits the anisotropy corrections on the train split's occurrences
 * (without labels), and keeps only the cosines (raw and corrected, rounded exactly as
 * results/pairs/*.csv print them), the contextuality measures and, on a dataset with a labelled
 * train split, each representation's probe probabilities (the `#probe` columns: a logistic probe
 * trained on the train pairs' vectors, src/senses/probe.ts). Vectors never outlive this step.
 */
import { contextuality, type ContextOccurrence } from '../metrics/contextuality.js';
import { fitNormalization, normalizeInto, normalizeVectors, type NormalizationStats } from '../metrics/normalization.js';
import { deriveSeed, mulberry32, shuffled } from '../random.js';
import { METRIC_DECIMALS, contextualityTable, cosineColumn, probeColumn, type ContextualityRow } from '../results/schema.js';
import { pairFeatureMatrix, predictProbabilities, trainProbe, type ProbeExample } from '../senses/probe.js';
import { roundFixed } from '../results/table.js';
import type { Dataset, EmbeddingModel, Normalization, OccurrenceEmbedding, ProgressFn, Representation, RepresentationKey, SentencePair, TargetOccurrence } from '../types.js';

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

/** Both target occurrences of a pair. */
export function pairOccurrences(pair: SentencePair): [TargetOccurrence, TargetOccurrence] {
  return [
    { sentence: pair.sentence1, spans: pair.spans1, source: pair.source },
    { sentence: pair.sentence2, spans: pair.spans2, source: pair.source },
  ];
}

/** What one model leaves behind once its vectors are gone. */
export interface ModelCosines {
  readonly model: string;
  readonly representations: readonly Representation[];
  /** Cosine column (`model:rep` or `model:rep@normalization`) -> pair key -> stored cosine. */
  readonly cosines: ReadonlyMap<RepresentationKey, ReadonlyMap<string, number | null>>;
  /** Keys of pairs where either sentence was cut to fit the model. */
  readonly truncated: ReadonlySet<string>;
  readonly contextuality: readonly ContextualityRow[];
}

export interface AnalysisOptions {
  readonly seed: number;
  /** Corrections to score; `none` (raw cosines) is always scored. */
  readonly normalizations: readonly Normalization[];
  readonly abttComponents: number;
  /** Train the logistic probe per representation on datasets with a labelled train split (default true). */
  readonly probe?: boolean;
  /** Wall time of every probe fit (training with its cross-validation), for the cost report. */
  readonly onProbeFit?: (fit: { model: string; representation: string; dataset: string; pairs: number; features: number; seconds: number; C: number }) => void;
}

/** One distinct target occurrence of a dataset (a sentence and its spans), as contextuality counts it. */
interface DistinctOccurrence {
  readonly word: string;
  readonly sentence: string;
  /** Index into the dataset's occurrence list (2 per pair) of its first appearance. */
  readonly index: number;
  readonly inTrain: boolean;
}

/**
 * The distinct occurrences of a dataset's pairs: a sentence with the same spans appears once however
 * many pairs share it, so repeated sentences neither weigh more in the fitted statistics nor inflate
 * self-similarity.
 */
function distinctOccurrences(pairs: readonly SentencePair[]): DistinctOccurrence[] {
  const seen = new Map<string, DistinctOccurrence>();
  pairs.forEach((pair, p) => {
    const sides = [
      { word: pair.word, sentence: pair.sentence1, spans: pair.spans1 },
      { word: pair.word2 ?? pair.word, sentence: pair.sentence2, spans: pair.spans2 },
    ];
    sides.forEach((side, s) => {
      const key = `${side.word}\0${side.sentence}\0${side.spans.map((span) => `${span.start}-${span.end}`).join(',')}`;
      const existing = seen.get(key);
      if (existing === undefined) seen.set(key, { word: side.word, sentence: side.sentence, index: 2 * p + s, inTrain: pair.split === 'train' });
      else if (pair.split === 'train' && !existing.inTrain) seen.set(key, { ...existing, inTrain: true });
    });
  });
  return [...seen.values()];
}

/**
 * At most this many occurrences of one word enter its contextuality measures (a seeded sample when
 * it has more): self-similarity is quadratic and explainable variance an eigenproblem per word, so a
 * word seen 5,000 times would otherwise dominate the run's time. The built-in datasets have far fewer
 * occurrences per word, so their measures use every occurrence.
 */
export const CONTEXTUALITY_OCCURRENCES_PER_WORD = 64;

/** Every word's occurrences, cut to {@link CONTEXTUALITY_OCCURRENCES_PER_WORD} by a seeded sample keyed by dataset and word. */
function contextualitySample(distinct: readonly DistinctOccurrence[], seed: number, dataset: string): DistinctOccurrence[] {
  const byWord = new Map<string, DistinctOccurrence[]>();
  for (const occurrence of distinct) {
    const list = byWord.get(occurrence.word);
    if (list === undefined) byWord.set(occurrence.word, [occurrence]);
    else list.push(occurrence);
  }
  const sample: DistinctOccurrence[] = [];
  for (const [word, list] of byWord) {
    const kept = list.length <= CONTEXTUALITY_OCCURRENCES_PER_WORD ? list : shuffled(list, mulberry32(deriveSeed(seed, `${dataset}:${word}:contextuality-sample`))).slice(0, CONTEXTUALITY_OCCURRENCES_PER_WORD);
    for (const occurrence of kept) sample.push(occurrence);
  }
  return sample;
}

/** A vector a probe can use: present and not all zero. */
function usableVector(vector: Float32Array | null | undefined): vector is Float32Array {
  return vector !== null && vector !== undefined && vector.some((x) => x !== 0);
}

/**
 * The probe column of one representation: a logistic probe (src/senses/probe.ts) trained on the
 * train pairs' raw target vectors, C by word-grouped 5-fold CV on train, predicting P(same sense)
 * for every pair of the other splits; train pairs get their out-of-fold prediction at the chosen C
 * (so no train row is scored by a probe that saw it). Null when the train pairs lack a class.
 */
function probeProbabilities(
  pairs: readonly SentencePair[],
  raw: readonly (Float32Array | null)[],
  seed: number,
): { values: (number | null)[]; C: number; trainPairs: number } | null {
  const trainIndex: number[] = [];
  const examples: ProbeExample[] = [];
  pairs.forEach((pair, p) => {
    const u = raw[2 * p];
    const v = raw[2 * p + 1];
    if (pair.split !== 'train' || pair.label === null || !usableVector(u) || !usableVector(v)) return;
    trainIndex.push(p);
    examples.push({ word: pair.word, u, v, label: pair.label });
  });
  const positives = examples.filter((example) => example.label).length;
  if (positives === 0 || positives === examples.length) return null;
  const probe = trainProbe(examples, { seed });
  const values: (number | null)[] = pairs.map(() => null);
  const others = pairs.flatMap((pair, p) => (pair.split !== 'train' && usableVector(raw[2 * p]) && usableVector(raw[2 * p + 1]) ? [p] : []));
  if (others.length > 0) {
    const probabilities = predictProbabilities(probe.model, pairFeatureMatrix(others.map((p) => ({ u: raw[2 * p]!, v: raw[2 * p + 1]! }))));
    others.forEach((p, k) => (values[p] = roundFixed(probabilities[k]!, METRIC_DECIMALS)));
  }
  trainIndex.forEach((p, k) => {
    const held = probe.outOfFold?.[k];
    values[p] = held === undefined || Number.isNaN(held) ? null : roundFixed(held, METRIC_DECIMALS);
  });
  return { values, C: probe.C, trainPairs: examples.length };
}

/**
 * At most this many occurrences enter the fit of the anisotropy corrections (a seeded sample beyond
 * that): a mean, per-dimension deviations and the top principal components are estimated well long
 * before, and the fit copies its inputs into one float64 matrix (320 MB for 400k 100-d vectors).
 * The built-in datasets have far fewer, so their fits use every occurrence.
 */
export const FIT_OCCURRENCES = 50_000;

function fittingSample(occurrences: readonly DistinctOccurrence[], seed: number, dataset: string): readonly DistinctOccurrence[] {
  if (occurrences.length <= FIT_OCCURRENCES) return occurrences;
  return shuffled(occurrences, mulberry32(deriveSeed(seed, `${dataset}:normalization-fit-sample`))).slice(0, FIT_OCCURRENCES);
}

/** A model's column (one per representation, normalization or probe, across all datasets): created on first use. */
function columnOf(columns: Map<RepresentationKey, Map<string, number | null>>, key: RepresentationKey): Map<string, number | null> {
  let column = columns.get(key);
  if (column === undefined) {
    column = new Map();
    columns.set(key, column);
  }
  return column;
}

/** Cosines and contextuality of one dataset for one model, from that dataset's embeddings. */
function analyseDataset(
  model: EmbeddingModel,
  dataset: Dataset,
  pairs: readonly SentencePair[],
  embeddings: readonly OccurrenceEmbedding[],
  options: AnalysisOptions,
  into: { cosines: Map<RepresentationKey, Map<string, number | null>>; contextuality: ContextualityRow[] },
): void {
  const distinct = distinctOccurrences(pairs);
  const sampled = contextualitySample(distinct, options.seed, dataset.name);
  const keys = pairs.map((pair) => pairKey(dataset.name, pair));
  const hasTrain = dataset.splits.has('train');
  model.representations.forEach((representation, r) => {
    const raw = embeddings.map((embedding) => embedding.vectors[r] ?? null);
    const fitOn = fittingSample(distinct.filter((occurrence) => !hasTrain || occurrence.inTrain), options.seed, dataset.name).map((occurrence) => raw[occurrence.index]!);
    const present = fitOn.filter((vector) => vector !== null);
    if (hasTrain && (options.probe ?? true)) {
      const started = performance.now();
      const probe = probeProbabilities(pairs, raw, deriveSeed(options.seed, `${model.id}:${representation.name}:${dataset.name}:probe`));
      if (probe !== null) {
        const column = columnOf(into.cosines, probeColumn(model.id, representation.name));
        pairs.forEach((_, p) => column.set(keys[p]!, probe.values[p] ?? null));
        options.onProbeFit?.({
          model: model.id,
          representation: representation.name,
          dataset: dataset.name,
          pairs: probe.trainPairs,
          features: 2 * (present[0]?.length ?? 0),
          seconds: (performance.now() - started) / 1000,
          C: probe.C,
        });
      }
    }
    // Statistics need vectors; a representation with none on the fitting occurrences is scored raw only.
    const stats: NormalizationStats | null =
      present.length === 0 ? null : fitNormalization(present, { abttComponents: Math.min(options.abttComponents, present[0]!.length) });
    for (const normalization of options.normalizations) {
      if (normalization !== 'none' && stats === null) continue;
      const column = columnOf(into.cosines, cosineColumn(model.id, representation.name, normalization));
      if (normalization === 'none') pairs.forEach((_, p) => column.set(keys[p]!, storedCosine(raw[2 * p]!, raw[2 * p + 1]!)));
      else {
        // Corrected through two reusable buffers: no corrected copy of every occurrence is ever held.
        const dims = stats!.dims;
        const [scratch, first, second] = [new Float64Array(dims), new Float32Array(dims), new Float32Array(dims)];
        pairs.forEach((_, p) => {
          const u = raw[2 * p]!;
          const v = raw[2 * p + 1]!;
          column.set(keys[p]!, u === null || v === null ? null : storedCosine(normalizeInto(stats!, normalization, u, scratch, first), normalizeInto(stats!, normalization, v, scratch, second)));
        });
      }
      // Corrected vectors only where contextuality reads them: the sampled occurrences.
      const sampledRaw = sampled.map((occurrence) => raw[occurrence.index]!);
      const vectors = normalization === 'none' ? sampledRaw : normalizeVectors(stats!, normalization, sampledRaw);
      // Sentence means only where contextuality reads them: the sampled occurrences.
      const means = sampled.map((occurrence) => embeddings[occurrence.index]!.sentenceMeans?.[r] ?? null);
      const correctedMeans = normalization === 'none' || stats === null ? means : normalizeVectors(stats, normalization, means);
      const occurrences: ContextOccurrence[] = sampled.map((occurrence, i) => ({
        word: occurrence.word,
        sentenceId: occurrence.sentence,
        vector: vectors[i]!,
        sentenceMean: correctedMeans[i] ?? null,
      }));
      // One seed for every normalization of a representation, so they sample the same baseline pairs.
      const measured = contextuality(occurrences, { seed: deriveSeed(options.seed, `${model.id}:${representation.name}:${dataset.name}:contextuality`) });
      into.contextuality.push(
        contextualityTable.round({ dataset: dataset.name, model: model.id, kind: representation.kind, representation: representation.name, normalization, ...measured }),
      );
    }
  });
}

/** Embeds every pair of `datasets` with `model` and returns what the run keeps: cosines, truncation, contextuality. */
export async function analyseModel(model: EmbeddingModel, datasets: readonly Dataset[], options: AnalysisOptions, onProgress?: ProgressFn): Promise<ModelCosines> {
  const perDataset = datasets.map((dataset) => ({ dataset, pairs: [...dataset.splits.values()].flat() }));
  const embeddings = await model.embed(perDataset.flatMap(({ pairs }) => pairs.flatMap(pairOccurrences)), onProgress);
  const into = { cosines: new Map<RepresentationKey, Map<string, number | null>>(), contextuality: [] as ContextualityRow[] };
  const truncated = new Set<string>();
  let offset = 0;
  for (const { dataset, pairs } of perDataset) {
    const slice = embeddings.slice(offset, offset + 2 * pairs.length);
    offset += 2 * pairs.length;
    pairs.forEach((pair, p) => {
      if (slice[2 * p]!.truncated || slice[2 * p + 1]!.truncated) truncated.add(pairKey(dataset.name, pair));
    });
    analyseDataset(model, dataset, pairs, slice, options, into);
  }
  return { model: model.id, representations: model.representations, cosines: into.cosines, truncated, contextuality: into.contextuality };
}
