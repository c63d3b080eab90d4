/**
 * The analyses a run can hand to another thread (src/pipeline/analysis-pool.ts): training a
 * representation's probe, measuring its contextuality, and comparing representations on a split. Each is a pure function of
 * plain data (packed vectors, numbers, strings), so a worker thread computes exactly what the main
 * thread would: the same functions on the same values, bit for bit.
 *
 * Vectors travel packed into one Float32Array per task (`PackedVectors`): one slot per distinct
 * vector object, so a vector shared by many occurrences (a static model's lookup) stays one shared
 * object on the other side, as the corrections and the contextuality measures expect.
 */
import { contextuality, type SentenceMeasure, type TargetVector } from '../metrics/contextuality.js';
import { normalizeVectors, type NormalizationStats } from '../metrics/normalization.js';
import { trainProbe, type LogisticModel, type ProbeExample } from '../metrics/probe.js';
import { contextualityTable, type ComparisonRow, type ContextualityRow, type SpearmanComparisonRow } from '../results/schema.js';
import type { ModelRecord } from '../results/run-result.js';
import type { Normalization, RepresentationKey, RepresentationKind, SplitName } from '../types.js';
import { CosineRow } from './cosine-row.js';
import { compareRepresentations, type ScoringOptions } from './scoring.js';

/**
 * Vectors of one dimension packed into one buffer: `slots[i]` is vector i's slot (values
 * `slots[i] * dims` to `(slots[i] + 1) * dims` of `data`), -1 for null. `data` may hold slots no
 * vector uses (a shared block, see {@link packVectors}).
 */
export interface PackedVectors {
  readonly dims: number;
  readonly data: Float32Array;
  readonly slots: Int32Array;
}

/**
 * The shared block that every present vector is a whole slot of (a view of `dims` values at a
 * multiple of `dims` from the start of one SharedArrayBuffer, as src/pipeline/kept-vectors.ts keeps
 * them), or null.
 */
function sharedBlockOf(vectors: readonly (Float32Array | null)[], dims: number): SharedArrayBuffer | null {
  let shared: SharedArrayBuffer | null = null;
  for (const vector of vectors) {
    if (vector === null) continue;
    const buffer = vector.buffer;
    if (!(buffer instanceof SharedArrayBuffer) || (shared !== null && buffer !== shared) || vector.length !== dims || vector.byteOffset % (dims * 4) !== 0) return null;
    shared = buffer;
  }
  return shared;
}

/**
 * Packs vectors (of one dimension, `dims` when none is present): each distinct object once. Vectors
 * that all sit in one shared block are not copied: the block itself is packed (shared with a worker,
 * never moved or copied), each vector's slot being where it sits.
 */
export function packVectors(vectors: readonly (Float32Array | null)[], dims?: number): PackedVectors {
  const width = dims ?? vectors.find((vector) => vector !== null)?.length ?? 0;
  const shared = width > 0 ? sharedBlockOf(vectors, width) : null;
  if (shared !== null) {
    const slots = Int32Array.from(vectors, (vector) => (vector === null ? -1 : vector.byteOffset / (width * 4)));
    return { dims: width, data: new Float32Array(shared, 0, Math.floor(shared.byteLength / (width * 4)) * width), slots };
  }
  const slotOf = new Map<Float32Array, number>();
  const slots = new Int32Array(vectors.length).fill(-1);
  vectors.forEach((vector, i) => {
    if (vector === null) return;
    let slot = slotOf.get(vector);
    if (slot === undefined) {
      slot = slotOf.size;
      slotOf.set(vector, slot);
    }
    slots[i] = slot;
  });
  const data = new Float32Array(slotOf.size * width);
  for (const [vector, slot] of slotOf) {
    if (vector.length !== width) throw new RangeError(`packVectors: a vector has ${vector.length} dimensions, expected ${width}`);
    data.set(vector, slot * width);
  }
  return { dims: width, data, slots };
}

/** The vectors back: views into the packed buffer, one object per slot used. */
export function unpackVectors(packed: PackedVectors): (Float32Array | null)[] {
  const views = new Map<number, Float32Array>();
  return Array.from(packed.slots, (slot) => {
    if (slot < 0) return null;
    let view = views.get(slot);
    if (view === undefined) {
      view = packed.data.subarray(slot * packed.dims, (slot + 1) * packed.dims);
      views.set(slot, view);
    }
    return view;
  });
}

/** Train a representation's probe on its train pairs (src/metrics/probe.ts `trainProbe`). */
export interface ProbeTask {
  readonly kind: 'probe';
  /** Per example, u then v: 2 vectors each, all present. */
  readonly vectors: PackedVectors;
  readonly words: readonly string[];
  /** 1 = same sense. */
  readonly labels: Uint8Array;
  readonly seed: number;
}

/** What {@link ProbeTask} gives back. */
export interface ProbeOutcome {
  readonly model: LogisticModel;
  readonly C: number;
  /** Out-of-fold probability of each example (NaN where its fold was skipped); null without CV. */
  readonly outOfFold: Float64Array | null;
  /** Wall seconds of the training, where it ran. */
  readonly seconds: number;
}

/** Ethayarajh's measures of one representation under each of its corrections. */
export interface ContextualityTask {
  readonly kind: 'contextuality';
  readonly row: { readonly dataset: string; readonly model: string; readonly kind: RepresentationKind; readonly representation: string };
  readonly normalizations: readonly Normalization[];
  /** The corrections' statistics; null when only `none` is measured. */
  readonly stats: NormalizationStats | null;
  /** The sampled target occurrences: their words and raw vectors. */
  readonly words: readonly string[];
  readonly targets: PackedVectors;
  /** Per normalization (same order), each measured sentence's intra-sentence similarity. */
  readonly intra: readonly (readonly (number | null)[])[];
  /** Each measured sentence's random word, raw. */
  readonly randomWords: PackedVectors;
}

/**
 * The comparisons of one split under some of the corrections (src/pipeline/scoring.ts
 * `compareRepresentations`): the split's labels, gold scores and columns (its rows of each dataset
 * column, NaN where a vector was missing), and every column the run has.
 */
export interface CompareTask {
  readonly kind: 'compare';
  readonly dataset: string;
  readonly split: SplitName;
  readonly labels: readonly (boolean | null)[];
  readonly gold: readonly (number | null)[];
  readonly columns: ReadonlyMap<RepresentationKey, Float64Array>;
  readonly runColumns: readonly RepresentationKey[];
  readonly models: readonly Pick<ModelRecord, 'id' | 'representations'>[];
  readonly options: ScoringOptions;
}

/** What {@link CompareTask} gives back, rows in compareRepresentations' order. */
export interface CompareOutcome {
  readonly comparisons: ComparisonRow[];
  readonly spearmanComparisons: SpearmanComparisonRow[];
}

export type AnalysisTask = ProbeTask | ContextualityTask | CompareTask;
export type AnalysisOutcome<T extends AnalysisTask> = T extends ProbeTask ? ProbeOutcome : T extends ContextualityTask ? ContextualityRow[] : CompareOutcome;

function runProbe(task: ProbeTask): ProbeOutcome {
  const started = performance.now();
  const vectors = unpackVectors(task.vectors);
  const examples: ProbeExample[] = task.words.map((word, k) => ({ word, u: vectors[2 * k]!, v: vectors[2 * k + 1]!, label: task.labels[k] === 1 }));
  const probe = trainProbe(examples, { seed: task.seed });
  return { model: probe.model, C: probe.C, outOfFold: probe.outOfFold, seconds: (performance.now() - started) / 1000 };
}

/**
 * The blocks the corrected vectors of {@link runContextuality} are written into, reused by every
 * correction and task of this thread: a correction's vectors are done with once its row is
 * computed, and a new block of tens of MB per correction cost more (mapped and page-faulted in
 * afresh) than correcting into it.
 */
const correctedBlocks = { targets: new Float32Array(0), random: new Float32Array(0) };

/** The reused block `which` of {@link correctedBlocks}, grown to `values` when shorter. */
function correctedBlock(which: keyof typeof correctedBlocks, values: number): Float32Array {
  if (correctedBlocks[which].length < values) correctedBlocks[which] = new Float32Array(values);
  return correctedBlocks[which];
}

function runContextuality(task: ContextualityTask): ContextualityRow[] {
  const sampledRaw = unpackVectors(task.targets);
  const randomRaw = unpackVectors(task.randomWords);
  return task.normalizations.map((normalization, n) => {
    // Corrected vectors only where contextuality reads them: the sampled occurrences and random words.
    const correct = (vectors: readonly (Float32Array | null)[], which: keyof typeof correctedBlocks): readonly (Float32Array | null)[] =>
      normalization === 'none' ? vectors : normalizeVectors(task.stats!, normalization, vectors, correctedBlock(which, vectors.length * task.stats!.dims));
    const vectors = correct(sampledRaw, 'targets');
    const targets: TargetVector[] = task.words.map((word, i) => ({ word, vector: vectors[i]! }));
    const random = correct(randomRaw, 'random');
    const measures: SentenceMeasure[] = task.intra[n]!.map((value, i) => ({ intraSentenceSimilarity: value, randomWord: random[i]! }));
    return contextualityTable.round({ ...task.row, normalization, ...contextuality(targets, measures) });
  });
}

function runCompare(task: CompareTask): CompareOutcome {
  const runColumns = new Set(task.runColumns);
  const pairs = task.labels.map((label, i) => ({ pair: { label, score: task.gold[i]! }, cosines: new CosineRow(task.columns, runColumns, i) }));
  return compareRepresentations([{ dataset: task.dataset, split: task.split, pairs }], task.models, task.options);
}

/** Runs one task here, on the calling thread. */
export function runAnalysisTask<T extends AnalysisTask>(task: T): AnalysisOutcome<T> {
  const outcome = task.kind === 'probe' ? runProbe(task) : task.kind === 'contextuality' ? runContextuality(task) : runCompare(task);
  return outcome as AnalysisOutcome<T>;
}
