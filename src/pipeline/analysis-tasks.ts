/**
 * The analyses a run can hand to another thread (src/pipeline/analysis-pool.ts): training a
 * representation's probe, fitting its anisotropy corrections, the intra-sentence similarities of
 * its sampled sentences, measuring its contextuality, and comparing representations on a split.
 * Each is a pure function of
 * plain data (packed vectors, numbers, strings), so a worker thread computes exactly what the main
 * thread would: the same functions on the same values, bit for bit.
 *
 * Vectors travel packed into one Float32Array per task (`PackedVectors`): one slot per distinct
 * vector object, so a vector shared by many occurrences (a static model's lookup) stays one shared
 * object on the other side, as the corrections and the contextuality measures expect.
 */
import { contextuality, intraSentenceSimilaritiesOf, type SentenceMeasure, type TargetVector } from '../metrics/contextuality.js';
import { fitNormalization, normalizeVectors, type NormalizationStats } from '../metrics/normalization.js';
import { trainProbe, type LogisticModel, type ProbeExample } from '../metrics/probe.js';
import { contextualityTable, type ComparisonRow, type ContextualityRow, type SpearmanComparisonRow } from '../results/schema.js';
import type { ModelRecord } from '../results/run-result.js';
import type { Normalization, RepresentationKey, RepresentationKind, SplitName } from '../types.js';
import { CosineRow } from './cosine-row.js';
import { compareRepresentations, type ScoringOptions } from './scoring.js';

/**
 * Vectors of one dimension packed for a task: vector i is the `dims` values at `offset[i]` of
 * `blocks[block[i]]` (block -1 for null). The blocks are one buffer made for the task, or the
 * shared blocks the vectors already sit in (see {@link packVectors}).
 */
export interface PackedVectors {
  readonly dims: number;
  readonly blocks: readonly Float32Array[];
  readonly block: Int32Array;
  readonly offset: Int32Array;
}

/**
 * Packs vectors (of one dimension, `dims` when none is present): each distinct object once. When
 * every vector sits in shared memory (src/pipeline/kept-vectors.ts keeps them there), nothing is
 * copied: the packed vectors are their shared blocks (shared with a worker, never moved) and where
 * each vector sits in them. Otherwise they are copied into one buffer made for the task.
 */
export function packVectors(vectors: readonly (Float32Array | null)[], dims?: number): PackedVectors {
  const width = dims ?? vectors.find((vector) => vector !== null)?.length ?? 0;
  for (const vector of vectors) if (vector !== null && vector.length !== width) throw new RangeError(`packVectors: a vector has ${vector.length} dimensions, expected ${width}`);
  const block = new Int32Array(vectors.length).fill(-1);
  const offset = new Int32Array(vectors.length);
  if (vectors.every((vector) => vector === null || vector.buffer instanceof SharedArrayBuffer)) {
    const indexOf = new Map<ArrayBufferLike, number>();
    const blocks: Float32Array[] = [];
    vectors.forEach((vector, i) => {
      if (vector === null) return;
      let index = indexOf.get(vector.buffer);
      if (index === undefined) {
        index = blocks.length;
        indexOf.set(vector.buffer, index);
        blocks.push(new Float32Array(vector.buffer, 0, Math.floor(vector.buffer.byteLength / 4)));
      }
      block[i] = index;
      offset[i] = vector.byteOffset / 4;
    });
    return { dims: width, blocks, block, offset };
  }
  const slotOf = new Map<Float32Array, number>();
  vectors.forEach((vector, i) => {
    if (vector === null) return;
    let slot = slotOf.get(vector);
    if (slot === undefined) {
      slot = slotOf.size;
      slotOf.set(vector, slot);
    }
    block[i] = 0;
    offset[i] = slot * width;
  });
  const data = new Float32Array(slotOf.size * width);
  for (const [vector, slot] of slotOf) data.set(vector, slot * width);
  return { dims: width, blocks: [data], block, offset };
}

/** The buffers of packed vectors made for one task (not the shared blocks), to move with it to a worker. */
export function packedBuffers(packed: PackedVectors): ArrayBufferView[] {
  return [...packed.blocks.filter((block) => block.buffer instanceof ArrayBuffer), packed.block, packed.offset];
}

/** The vectors back: views into the packed blocks, one object per distinct place. */
export function unpackVectors(packed: PackedVectors): (Float32Array | null)[] {
  const views = new Map<number, Float32Array>();
  const { dims, blocks } = packed;
  return Array.from(packed.block, (b, i) => {
    if (b < 0) return null;
    const start = packed.offset[i]!;
    const key = start * blocks.length + b;
    let view = views.get(key);
    if (view === undefined) {
      view = blocks[b]!.subarray(start, start + dims);
      views.set(key, view);
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

/** The statistics of a representation's anisotropy corrections (src/metrics/normalization.ts `fitNormalization`) on its fit vectors, in order, all present. */
export interface NormalizationFitTask {
  readonly kind: 'normalization-fit';
  readonly vectors: PackedVectors;
  readonly abttComponents: number;
}

/**
 * Ethayarajh's intra-sentence similarity (src/metrics/contextuality.ts `measureSentence`) of each
 * of a chunk of sampled sentences, under each correction (every word corrected first), for one
 * representation: sentence s is the next `lengths[s]` of `words`, its random word at
 * `randomWords[s]` within it.
 */
export interface IntraSentenceTask {
  readonly kind: 'intra-sentence';
  readonly normalizations: readonly Normalization[];
  /** The corrections' statistics; null when only `none` is measured. */
  readonly stats: NormalizationStats | null;
  readonly words: PackedVectors;
  readonly lengths: Int32Array;
  readonly randomWords: Int32Array;
}

/** What {@link IntraSentenceTask} gives back: per normalization (same order), each sentence's similarity. */
export type IntraSentenceOutcome = (number | null)[][];

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

export type AnalysisTask = ProbeTask | NormalizationFitTask | IntraSentenceTask | ContextualityTask | CompareTask;

function runProbe(task: ProbeTask): ProbeOutcome {
  const started = performance.now();
  const vectors = unpackVectors(task.vectors);
  const examples: ProbeExample[] = task.words.map((word, k) => ({ word, u: vectors[2 * k]!, v: vectors[2 * k + 1]!, label: task.labels[k] === 1 }));
  const probe = trainProbe(examples, { seed: task.seed });
  return { model: probe.model, C: probe.C, outOfFold: probe.outOfFold, seconds: (performance.now() - started) / 1000 };
}

function runIntraSentence(task: IntraSentenceTask): IntraSentenceOutcome {
  const words = unpackVectors(task.words);
  const dims = task.words.dims;
  const similarities: IntraSentenceOutcome = task.normalizations.map(() => []);
  const { lengths, randomWords } = task;
  let sentence = 0;
  let first = 0;
  while (sentence < lengths.length) {
    // The next whole sentences, at most INTRA_WORDS_PER_GROUP words unless one sentence is longer.
    let end = sentence;
    let count = 0;
    do count += lengths[end++]!;
    while (end < lengths.length && count + lengths[end]! <= INTRA_WORDS_PER_GROUP);
    const raw = words.slice(first, first + count);
    task.normalizations.forEach((normalization, n) => {
      similarities[n]!.push(...intraSentenceSimilaritiesOf(task.stats, normalization, raw, lengths.subarray(sentence, end), randomWords.subarray(sentence, end), dims));
    });
    sentence = end;
    first += count;
  }
  return similarities;
}

/**
 * Whole sentences up to this many words are measured by {@link runIntraSentence} in one call of
 * the kernels (src/metrics/contextuality.ts intraSentenceSimilaritiesOf), which hold their
 * corrected words (a few MB).
 */
const INTRA_WORDS_PER_GROUP = 1024;

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

function runNormalizationFit(task: NormalizationFitTask): NormalizationStats {
  return fitNormalization(unpackVectors(task.vectors) as Float32Array[], { abttComponents: task.abttComponents });
}

/** Each kind of task and what runs it: the one list of kinds, from which the outcomes' types follow. */
const RUNNERS = {
  probe: runProbe,
  'normalization-fit': runNormalizationFit,
  'intra-sentence': runIntraSentence,
  contextuality: runContextuality,
  compare: runCompare,
} satisfies { readonly [K in AnalysisTask['kind']]: (task: Extract<AnalysisTask, { kind: K }>) => unknown };

/** What a task gives back. */
export type AnalysisOutcome<T extends AnalysisTask> = ReturnType<(typeof RUNNERS)[T['kind']]>;

/** Runs one task here, on the calling thread. */
export function runAnalysisTask<T extends AnalysisTask>(task: T): AnalysisOutcome<T> {
  // The table pairs each kind with its runner; TypeScript cannot narrow that pairing through a union.
  const run = RUNNERS[task.kind] as (task: AnalysisTask) => unknown;
  return run(task) as AnalysisOutcome<T>;
}
