/**
 * The evaluation pipeline, one entry point for the CLI and `npm run bench`:
 *
 *   datasets -> pairs -> model embeddings -> stored cosines -> metrics -> RunResult
 *
 * Models are loaded one at a time and disposed before the next (GloVe and a transformer need not
 * share memory). Nothing is written here: reports render the returned {@link RunResult}.
 */
import { DEFAULT_ABTT_COMPONENTS, DEFAULT_RESAMPLES } from '../config.js';
import { worthCaching, withEmbeddingCache, type EmbeddingCache, type EmbeddingCacheStats } from '../cache/embedding-cache.js';
import { InputError, NORMALIZATIONS, type Dataset, type ModelSource, type SenseSet, type Normalization, type PairResult, type RepresentationKey } from '../types.js';
import { fileNameKey, nameProblem } from '../io/names.js';
import { cosineColumn, probeColumn, sensesTable, throughputTable, type ComparisonRow, type SenseRow, type SpearmanComparisonRow, type ThroughputRow } from '../results/schema.js';
import type { SenseProjection } from '../results/json-schemas.js';
import { collectRunContext } from './context.js';
import { scoreSenseSet } from './senses.js';
import { analyseModel, CosineRow, type ModelCosines, type PendingModelCosines } from './cosines.js';
import { AnalysisPool, buffersOf } from './analysis-pool.js';
import { PhaseTimer, type PhaseProgress } from './timings.js';
import { CosineScores, emptyRepresentationWarnings, scoreCosimlex, scoreCosinesAhead, scoreProbesAhead, scoreSplits, type ComparisonRule, type ScoringOptions, type SplitPairs } from './scoring.js';
import type { CompareTask } from './analysis-tasks.js';

import type { ModelRecord, RunResult, SplitResult } from '../results/run-result.js';
export { cosine, storedCosine } from './cosines.js';
export { compareRepresentations, scoreSplits } from './scoring.js';

/** What `sensebench run` (and `npm run bench`) evaluates. */
export interface EvaluationPlan {
  /** Datasets, loaded and validated before any model runs; names unique within the run. */
  readonly datasets: readonly Dataset[];
  readonly models: readonly ModelSource[];
  readonly seed: number;
  /** Bootstrap resamples per interval (default {@link DEFAULT_RESAMPLES}). */
  readonly resamples?: number;
  /** Anisotropy corrections scored beside the raw cosines (default: all of {@link NORMALIZATIONS}). */
  readonly normalizations?: readonly Normalization[];
  /** Top principal components all-but-the-top removes (default {@link DEFAULT_ABTT_COMPONENTS}). */
  readonly abttComponents?: number;
  /** Each warning of the run as it is found (the CLI prints them); they are also in run.json. */
  readonly onWarning?: (warning: string) => void;
  /** Embedding progress of each model (for a progress bar). */
  readonly onProgress?: (model: string, done: number, total: number) => void;
  /** Progress of the other phases (probe, contextuality, scoring, comparisons), each in its own unit. */
  readonly onPhase?: PhaseProgress;
  /** Throughput suites to run after the evaluation (`npm run bench`); their rows go into the result. */
  readonly measureThroughput?: () => Promise<readonly ThroughputRow[]>;
  /** The run's date (default now): tests pin it to compare whole results. */
  readonly date?: Date;
  /**
   * Reuse embeddings across runs: contextual models answer from this cache what earlier runs
   * embedded (src/cache/); absent: embed everything (`--no-embedding-cache`).
   */
  readonly embeddingCache?: { readonly cache: EmbeddingCache; readonly report?: (stats: EmbeddingCacheStats) => void };
  /** Sense-labelled occurrence sets to score every model on (senses.csv) and words to picture; absent: none. */
  readonly senseSets?: readonly SenseSet[];
  /** Which representations compare.csv compares (default `baselines-and-neighbours`; `all-pairs`: every two). */
  readonly comparisons?: ComparisonRule;
  /** Train the logistic probe on datasets with a labelled train split (default true). */
  readonly probe?: boolean;
  /** Train pairs a probe trains on at most (default PROBE_TRAIN_PAIRS, src/pipeline/cosines.ts). */
  readonly probeTrainPairs?: number;
  /** Worker threads for the probes and contextuality measures (default: one per core; 0: none). Results do not depend on it. */
  readonly analysisThreads?: number;
  /**
   * Work the caller wants done on the main thread while the run waits for its last analyses (the
   * CLI loads the report's modules then, which pull in the chart engine: otherwise a second or so
   * of idle waiting, then a third of a second of loading after it).
   */
  readonly whileWaiting?: () => Promise<unknown>;
  /** Called after each probe fit with its cost (the bench reports the total). */
  readonly onProbeFit?: (fit: { model: string; representation: string; dataset: string; pairs: number; features: number; seconds: number; C: number }) => void;
}

/**
 * Refuses a run whose dataset names collide (their pairs/ and words/ files and summary rows would
 * overwrite each other), naming both files, or a name that is unsafe as a file-name component.
 */
export function checkDatasetNames(datasets: readonly Dataset[]): void {
  const seen = new Map<string, Dataset>();
  for (const dataset of datasets) {
    const problem = nameProblem(dataset.name);
    if (problem !== null) {
      throw new InputError(`dataset name "${dataset.name}" (${dataset.files[0] ?? '?'}) becomes part of file names: ${problem}`);
    }
    // Names equal but for case are one file on a case-insensitive file system (macOS, Windows).
    const other = seen.get(fileNameKey(dataset.name));
    if (other !== undefined) {
      const names = other.name === dataset.name ? `both named "${dataset.name}"` : `named "${other.name}" and "${dataset.name}", one name on a case-insensitive file system`;
      throw new InputError(`two datasets are ${names} (${other.files[0] ?? '?'} and ${dataset.files[0] ?? '?'}): their results would overwrite each other; name them with --dataset NAME=PATH`);
    }
    seen.set(fileNameKey(dataset.name), dataset);
  }
}

/** Every split of every dataset with the cosines of every model (rows viewing the models' columns). */
function splitPairs(datasets: readonly Dataset[], models: readonly Pick<ModelCosines, 'columns' | 'truncated'>[]): SplitPairs[] {
  const runColumns = new Set<RepresentationKey>(models.flatMap((model) => [...model.columns.values()].flatMap((columns) => [...columns.keys()])));
  return datasets.flatMap((dataset) => {
    const columns = new Map(models.flatMap((model) => [...(model.columns.get(dataset.name) ?? [])]));
    const truncated = models.map((model) => model.truncated.get(dataset.name));
    let index = 0;
    return [...dataset.splits].map(([split, pairs]) => ({
      dataset: dataset.name,
      split,
      pairs: pairs.map((pair): PairResult => {
        const row = index++;
        return { pair, cosines: new CosineRow(columns, runColumns, row), truncated: truncated.some((flags) => flags?.[row] === 1) };
      }),
    }));
  });
}

/**
 * compareRepresentations over every split, one task per split and correction in the analysis pool;
 * rows in the order one call over every split gives them (splits in order, then corrections).
 */
async function compareInPool(
  pool: AnalysisPool,
  datasets: readonly Dataset[],
  models: readonly ModelCosines[],
  records: readonly Pick<ModelRecord, 'id' | 'representations'>[],
  options: ScoringOptions,
  onProgress: (done: number, total: number) => void,
): Promise<{ comparisons: ComparisonRow[]; spearmanComparisons: SpearmanComparisonRow[] }> {
  const runColumns = [...new Set<RepresentationKey>(models.flatMap((model) => [...model.columns.values()].flatMap((columns) => [...columns.keys()])))];
  const tasks: CompareTask[] = [];
  for (const dataset of datasets) {
    const columns = new Map(models.flatMap((model) => [...(model.columns.get(dataset.name) ?? [])]));
    let first = 0;
    for (const [split, pairs] of dataset.splits) {
      const end = first + pairs.length;
      const labels = pairs.map((pair) => pair.label);
      const gold = pairs.map((pair) => pair.score);
      const at = first;
      // Splits without labels or scores have nothing to compare.
      if (labels.some((label) => label !== null) || gold.some((score) => score !== null)) {
        for (const normalization of options.normalizations) {
          // Only the columns a correction's comparisons read (its cosines; the probes beside the raw ones), so a task copies little.
          const read = new Set(records.flatMap(({ id, representations }) => representations.flatMap((representation) => [cosineColumn(id, representation.name, normalization), ...(normalization === 'none' ? [probeColumn(id, representation.name)] : [])])));
          const slice = new Map([...columns].filter(([key]) => read.has(key)).map(([key, column]) => [key, column.slice(at, end)]));
          tasks.push({ kind: 'compare', dataset: dataset.name, split, labels, gold, columns: slice, runColumns, models: records.map(({ id, representations }) => ({ id, representations })), options: { ...options, normalizations: [normalization] } });
        }
      }
      first = end;
    }
  }
  let done = 0;
  onProgress(0, tasks.length);
  const outcomes = await Promise.all(
    tasks.map(async (task) => {
      // Its columns were sliced for it: moved to the worker, not copied.
      const outcome = await pool.run(task, buffersOf(...task.columns.values()));
      onProgress(++done, tasks.length);
      return outcome;
    }),
  );
  return { comparisons: outcomes.flatMap((outcome) => outcome.comparisons), spearmanComparisons: outcomes.flatMap((outcome) => outcome.spearmanComparisons) };
}

/** Loads each model in turn, embeds every dataset, scores every split, measures throughput if asked. */
export async function runEvaluation(plan: EvaluationPlan): Promise<RunResult> {
  checkDatasetNames(plan.datasets);
  const resamples = plan.resamples ?? DEFAULT_RESAMPLES;
  // Raw cosines always come first: every other column is a correction of them.
  const normalizations: Normalization[] = ['none', ...(plan.normalizations ?? NORMALIZATIONS).filter((n) => n !== 'none')];
  const abttComponents = plan.abttComponents ?? DEFAULT_ABTT_COMPONENTS;
  const pending: PendingModelCosines[] = [];
  const models: ModelRecord[] = [];
  const senses: SenseRow[] = [];
  const senseProjections: SenseProjection[] = [];
  const timer = new PhaseTimer(plan.onPhase);
  // Probes and contextuality measures of independent representations run side by side (one worker per core).
  const pool = new AnalysisPool(plan.analysisThreads);
  pool.start();
  try {
    for (const source of plan.models) {
      const loaded = await timer.timeAsync(`load ${source.spec}`, () => source.load());
      // A static model's lookups are faster than reading its vectors back (bench/embedding-cache.ts).
      const model = plan.embeddingCache && worthCaching(loaded) ? withEmbeddingCache(loaded, plan.embeddingCache.cache, plan.embeddingCache.report) : loaded;
      try {
        if (models.some((other) => other.id === model.id)) throw new InputError(`model "${model.id}" is listed twice`);
        pending.push(
          await analyseModel(
            model,
            plan.datasets,
            { seed: plan.seed, normalizations, abttComponents, timer, pool, ...(plan.probe === undefined ? {} : { probe: plan.probe }), ...(plan.probeTrainPairs === undefined ? {} : { probeTrainPairs: plan.probeTrainPairs }), ...(plan.onProbeFit ? { onProbeFit: plan.onProbeFit } : {}) },
            (done, total) => plan.onProgress?.(model.id, done, total),
          ),
        );
        // Recorded before the sense sets are embedded: the model's facts (multi-prototype fallbacks) describe the datasets' words.
        models.push({ id: model.id, sha256: model.sha256, description: source.describe(model), info: { ...model.info }, representations: model.representations });
        for (const set of plan.senseSets ?? []) {
          const { rows, projections } = await timer.timeAsync(`senses ${model.id}`, () => scoreSenseSet(model, set, plan.seed, resamples));
          senses.push(...rows.map((row) => sensesTable.round(row)));
          senseProjections.push(...projections);
        }
      } finally {
        await model.dispose();
      }
    }
  } catch (error) {
    await pool.close();
    throw error;
  }
  const comparisonRule = plan.comparisons ?? 'baselines-and-neighbours';
  const scoring = { seed: plan.seed, resamples, normalizations, comparisons: comparisonRule };
  // Each model's probes and contextuality measures ran in the pool while the next model embedded;
  // the last ones are still running: the main thread scores every cosine column meanwhile.
  const ahead = new CosineScores();
  const analysed: ModelCosines[] = [];
  try {
    await timer.timeAsync('scoring', () => scoreCosinesAhead(splitPairs(plan.datasets, pending), models, scoring, ahead));
    const waiting = plan.whileWaiting?.();
    // Awaited after the models settle; a failing model must not leave it rejected unobserved.
    waiting?.catch(() => undefined);
    for (const [index, model] of pending.entries()) {
      analysed.push(await model.settle());
      // Its probe columns are in: scored now unless it is the last model (nothing is left to wait for then).
      if (index < pending.length - 1) await timer.timeAsync('scoring', () => scoreProbesAhead(splitPairs(plan.datasets, pending), models[index]!, scoring, ahead));
    }
    await waiting;
  } catch (error) {
    await pool.close();
    throw error;
  }
  const pairs = splitPairs(plan.datasets, analysed);
  const progress = (phase: string) => (done: number, total: number) => { timer.progress(phase, done, total); };
  let splits: SplitResult[];
  let compared: { comparisons: ComparisonRow[]; spearmanComparisons: SpearmanComparisonRow[] };
  try {
    // The comparisons run in the pool while the main thread scores the splits; their phase's time
    // is what remains of them once the scoring is done.
    const comparing = compareInPool(pool, plan.datasets, analysed, models, scoring, progress('comparisons'));
    comparing.catch(() => undefined);
    splits = timer.time('scoring', () => scoreSplits(pairs, models, { ...scoring, onProgress: progress('scoring') }, ahead));
    compared = await timer.timeAsync('comparisons', () => comparing);
  } finally {
    await pool.close();
  }
  const { comparisons, spearmanComparisons } = compared;
  const cosimlex = timer.time('scoring', () => scoreCosimlex(pairs, models, scoring));
  const warnings = [
    ...emptyRepresentationWarnings(splits),
    ...plan.datasets.filter((dataset) => (dataset.skipped?.length ?? 0) > 0).map((dataset) => `${dataset.name}: ${dataset.skipped!.length} invalid records skipped (--on-invalid skip); run.json lists each as file:line: reason`),
  ];
  for (const warning of warnings) plan.onWarning?.(warning);
  const measureThroughput = plan.measureThroughput;
  const throughput = measureThroughput ? await timer.timeAsync('throughput', async () => (await measureThroughput()).map((row) => throughputTable.round(row))) : [];
  const context = collectRunContext({ seed: plan.seed, resamples, normalizations, abttComponents, comparisons: comparisonRule, warnings, models, datasets: plan.datasets, ...(plan.date ? { date: plan.date } : {}) });
  return {
    context,
    splits,
    contextuality: analysed.flatMap((model) => model.contextuality),
    comparisons,
    spearmanComparisons,
    cosimlex,
    throughput,
    timings: timer.timings(),
    ...(plan.senseSets === undefined ? {} : { senses, senseProjections }),
  };
}
