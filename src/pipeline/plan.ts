/**
 * The run plan of `sensebench run` and `npm run bench`, built in one place: the datasets the flags
 * name (every built-in one by default), the models (every default model), glove-100d's
 * multi-prototype vectors, the sense-labelled sets, the embedding cache, and the progress and
 * warnings a run reports. `npm run bench` is this plan with its throughput suites added.
 */
import { DEFAULT_MODELS, modelSource } from '../models/index.js';
import { builtinSenseSets } from '../datasets/sense-sets.js';
import { loadDatasetFlags, type DatasetFlags } from '../datasets/specs.js';
import { EmbeddingCache, formatCacheStats } from '../cache/embedding-cache.js';
import { createProgress, type Progress } from '../progress.js';
import type { ModelOptions } from '../types.js';
import type { ComparisonRule } from './scoring.js';
import type { EvaluationPlan } from './index.js';

/** What a run is asked for. */
export interface RunRequest extends DatasetFlags {
  /** `--model` specs; none: every default model. */
  readonly models?: readonly string[];
  /** How models load (cache directory, batch size, threads, pooling, downloads). */
  readonly modelOptions: Omit<ModelOptions, 'multiPrototype'>;
  readonly seed: number;
  readonly resamples?: number;
  readonly abttComponents?: number;
  readonly comparisons?: ComparisonRule;
  /** Score the sense-labelled sets (senses.csv, the sense pictures); default: only in the run over the built-in datasets (no `--dataset`). */
  readonly senses?: boolean;
  /** Reuse embeddings across runs (default true; `--no-embedding-cache`). */
  readonly embeddingCache?: boolean;
  /** Where notes, warnings and progress lines go. */
  readonly log: (message: string) => void;
}

/** A plan and the progress display its callbacks draw on (stop it when the evaluation ends). */
export interface PlannedRun {
  readonly plan: EvaluationPlan;
  readonly progress: Progress;
}

/** Loads the datasets (each validated before any model runs) and builds the plan of a run. */
export async function planRun(request: RunRequest): Promise<PlannedRun> {
  const { log } = request;
  const { datasets, notes } = await loadDatasetFlags(request);
  for (const dataset of datasets) {
    for (const note of dataset.notes ?? []) log(`note: ${dataset.name}: ${note}`);
    if ((dataset.skipped?.length ?? 0) > 0) log(`note: ${dataset.name}: skipped ${dataset.skipped!.length} invalid records (listed in run.json)`);
  }
  for (const note of notes) log(`note: ${note}`);
  // A run also scores glove-100d's multi-prototype vectors.
  const modelOptions: ModelOptions = { ...request.modelOptions, multiPrototype: true };
  const models = request.models !== undefined && request.models.length > 0 ? request.models : DEFAULT_MODELS;
  // The sense-labelled sets (lesson-senses, wordnet-senses) belong to the lesson's own run: a run
  // over a researcher's datasets does not pay for them unless asked (--senses).
  const senses = request.senses ?? (request.dataset === undefined || request.dataset.length === 0);
  const progress = createProgress(process.stderr, { lines: true });
  const plan: EvaluationPlan = {
    datasets,
    models: models.map((spec) => modelSource(spec, modelOptions)),
    seed: request.seed,
    ...(request.resamples === undefined ? {} : { resamples: request.resamples }),
    ...(request.abttComponents === undefined ? {} : { abttComponents: request.abttComponents }),
    ...(request.comparisons === undefined ? {} : { comparisons: request.comparisons }),
    ...(senses ? { senseSets: await builtinSenseSets() } : {}),
    ...((request.embeddingCache ?? true) ? { embeddingCache: { cache: new EmbeddingCache(modelOptions.cacheDir), report: (stats) => { log(formatCacheStats(stats)); } } } : {}),
    onProgress: (model, done, total) => {
      progress.update(`${model}: embedding`, done, total);
    },
    onPhase: (phase, done, total) => {
      progress.update(phase, done, total);
    },
    onWarning: (warning) => {
      log(`warning: ${warning}`);
    },
  };
  return { plan, progress };
}
