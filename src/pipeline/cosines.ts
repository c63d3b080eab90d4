/**
 * Embeddings to cosines: embeds both sentences of every pair of every dataset with one model (one
 * `embed` call, so the model can de-duplicate sentences across datasets and splits), then, per
 * dataset and representation, fits the anisotropy corrections on the train split's occurrences
 * (without labels), and keeps only the cosines (raw and corrected, rounded exactly as
 * results/pairs/*.csv print them), the contextuality measures (which also embed every word of a
 * sample of the dataset's sentences) and, on a dataset with a labelled
 * train split, each representation's probe probabilities (the `#probe` columns: a logistic probe
 * trained on the train pairs' vectors, src/metrics/probe.ts). Vectors never outlive this step.
 */
export { cosine } from '../metrics/cosine.js';
import { cosine, cosineInBlock, cosineWithNorms, squaredNorm } from '../metrics/cosine.js';
import { InputError } from '../errors.js';
import { fitNormalization, normalizeRowsIntoBlock, type NormalizationStats } from '../metrics/normalization.js';
import { deriveSeed, mulberry32, shuffled } from '../random.js';
import { METRIC_DECIMALS, cosineColumn, probeColumn, type ContextualityRow } from '../results/schema.js';
import { pairFeatureMatrix, predictProbabilities, type LogisticModel } from '../metrics/probe.js';
import { AnalysisPool, buffersOf } from './analysis-pool.js';
import { packedBuffers, packVectors, type IntraSentenceOutcome, type IntraSentenceTask } from './analysis-tasks.js';
import { KeptVectors } from './kept-vectors.js';
import { roundFixed } from '../results/table.js';
import { wordSpans } from '../text.js';
import { PhaseTimer } from './timings.js';
import type { Dataset, EmbeddingModel, Normalization, OccurrenceEmbedding, ProgressFn, Representation, RepresentationKey, SentencePair, SourceRef, Span, TargetOccurrence } from '../types.js';

/** A cosine as results store it: rounded to the CSVs' decimals, null when a vector was missing. */
export function storedCosine(a: Float32Array | null, b: Float32Array | null): number | null {
  return storedValue(cosine(a, b));
}

/** A cosine value as results store it (see {@link storedCosine}). */
function storedValue(value: number | null): number | null {
  return value === null ? null : roundFixed(value, METRIC_DECIMALS);
}

/**
 * The distinct occurrences (canonical indices, in order of first use) of a chunk's pairs, and for
 * each pair's two sides (2k, 2k + 1 for the chunk's k-th pair) the slot of its occurrence.
 */
function chunkSlots(chunk: readonly number[], canonical: Int32Array): { slots: number[]; sideSlots: Int32Array } {
  const slotOf = new Map<number, number>();
  const slots: number[] = [];
  const sideSlots = new Int32Array(2 * chunk.length);
  chunk.forEach((p, k) => {
    for (const side of [0, 1]) {
      const index = canonical[2 * p + side]!;
      let slot = slotOf.get(index);
      if (slot === undefined) {
        slot = slots.length;
        slotOf.set(index, slot);
        slots.push(index);
      }
      sideSlots[2 * k + side] = slot;
    }
  });
  return { slots, sideSlots };
}

/** Both target occurrences of a pair. */
export function pairOccurrences(pair: SentencePair): [TargetOccurrence, TargetOccurrence] {
  return [pairOccurrence(pair, 0), pairOccurrence(pair, 1)];
}

/** One side of a pair (0: sentence1, 1: sentence2) as an occurrence. */
function pairOccurrence(pair: SentencePair, side: 0 | 1): TargetOccurrence {
  return side === 0 ? { sentence: pair.sentence1, spans: pair.spans1, source: pair.source } : { sentence: pair.sentence2, spans: pair.spans2, source: pair.source };
}

/**
 * The cosine columns of one dataset for one model: column (`model:rep`, `model:rep@normalization`,
 * `model:rep#probe`) -> one value per pair, in the dataset's pair order (splits in canonical
 * order), NaN where a vector was missing. Columns, not a map per pair: a 200k-pair dataset with a
 * dozen columns is 19 MB of float64 instead of millions of map entries.
 */
export type DatasetColumns = Map<RepresentationKey, Float64Array>;

/** What one model leaves behind once its vectors are gone. */
export interface ModelCosines {
  readonly model: string;
  readonly representations: readonly Representation[];
  /** Dataset name -> its columns. */
  readonly columns: ReadonlyMap<string, DatasetColumns>;
  /** Dataset name -> per pair (same order), 1 where either sentence was cut to fit the model. */
  readonly truncated: ReadonlyMap<string, Uint8Array>;
  readonly contextuality: readonly ContextualityRow[];
}

/**
 * A model whose embedding is done but whose analyses may still be running in the analysis pool:
 * its raw and corrected cosine columns are complete; the probe columns of its last chunk and its
 * contextuality rows arrive when it is settled. The run embeds the next model meanwhile (the
 * main thread's embedding and corrections overlap the workers' probes and measures) and settles
 * every model before scoring.
 */
export interface PendingModelCosines {
  readonly model: string;
  /** Dataset name -> its columns: every cosine column complete, the probe columns added as they settle. */
  readonly columns: ModelCosines['columns'];
  readonly truncated: ModelCosines['truncated'];
  /** Waits for its analyses: the complete {@link ModelCosines} (rejects with the first analysis that failed). */
  readonly settle: () => Promise<ModelCosines>;
}

export { CosineRow } from './cosine-row.js';

export interface AnalysisOptions {
  readonly seed: number;
  /** Corrections to score; `none` (raw cosines) is always scored. */
  readonly normalizations: readonly Normalization[];
  readonly abttComponents: number;
  /** Train the logistic probe per representation on datasets with a labelled train split (default true). */
  readonly probe?: boolean;
  /** Wall time of every probe fit (training with its cross-validation), for the cost report. */
  readonly onProbeFit?: (fit: { model: string; representation: string; dataset: string; pairs: number; features: number; seconds: number; C: number }) => void;
  /** Times the phases (embed, probe, corrections, contextuality) and reports their progress. */
  readonly timer?: PhaseTimer;
  /** Train pairs a probe trains on at most (default {@link PROBE_TRAIN_PAIRS}). */
  readonly probeTrainPairs?: number;
  /** Worker threads for the probes and contextuality measures (default: none, every task inline). */
  readonly pool?: AnalysisPool;
}

/** Runs every analysis task on the calling thread. */
const INLINE_POOL = new AnalysisPool(0);

/** One distinct target occurrence of a dataset (a sentence and its spans), as contextuality counts it. */
interface DistinctOccurrence {
  /**
   * The target's surface form: the text of its spans exactly as written (joined by a space for a
   * discontinuous target), case included. Contextuality groups occurrences by it, as Ethayarajh's
   * code groups tokens as written; without case folding, two occurrences of one word always have
   * the same text, so a static model (a lookup of that text) gives them the same vector.
   */
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
function distinctOccurrences(pairs: readonly SentencePair[]): { distinct: DistinctOccurrence[]; canonical: Int32Array } {
  // Found by sentence, then by spans (a sentence rarely has more than one target): no key string is
  // built per occurrence, which for 300k pairs was 600k copies of their sentences.
  const bySentence = new Map<string, number | number[]>();
  const distinct: DistinctOccurrence[] = [];
  const spansOf: (readonly Span[])[] = [];
  const sameSpans = (a: readonly Span[], b: readonly Span[]): boolean => a.length === b.length && a.every((span, i) => span.start === b[i]!.start && span.end === b[i]!.end);
  // Occurrence index (2 per pair) -> index of the first occurrence with the same sentence and spans.
  const canonical = new Int32Array(2 * pairs.length);
  pairs.forEach((pair, p) => {
    for (const s of [0, 1] as const) {
      const sentence = s === 0 ? pair.sentence1 : pair.sentence2;
      const spans = s === 0 ? pair.spans1 : pair.spans2;
      const entry = bySentence.get(sentence);
      const candidates = entry === undefined ? [] : typeof entry === 'number' ? [entry] : entry;
      const found = candidates.find((d) => sameSpans(spansOf[d]!, spans));
      if (found === undefined) {
        const word = spans.map((span) => sentence.slice(span.start, span.end)).join(' ');
        const d = distinct.length;
        distinct.push({ word, sentence, index: 2 * p + s, inTrain: pair.split === 'train' });
        spansOf.push(spans);
        bySentence.set(sentence, entry === undefined ? d : [...candidates, d]);
        canonical[2 * p + s] = 2 * p + s;
      } else {
        const existing = distinct[found]!;
        canonical[2 * p + s] = existing.index;
        if (pair.split === 'train' && !existing.inTrain) distinct[found] = { ...existing, inTrain: true };
      }
    }
  });
  return { distinct, canonical };
}

/**
 * At most this many occurrences of one word enter its contextuality measures (a seeded sample when
 * it has more): self-similarity is quadratic and explainable variance an eigenproblem per word, so a
 * word seen 5,000 times would otherwise dominate the run's time. The built-in datasets have far fewer
 * occurrences per word, so their measures use every occurrence.
 */
export const CONTEXTUALITY_OCCURRENCES_PER_WORD = 64;

/**
 * At most this many occurrences of a dataset enter its contextuality measures: beyond it, a seeded
 * sample of whole words (each with its occurrences, cut as above) is measured. The measures are
 * means over words, estimated well by a few hundred words; without a bound their cost and the
 * corrected copies of the vectors they read grow with the dataset (a 200k-pair dataset would
 * measure 400k occurrences per representation and correction). The built-in datasets have fewer
 * (wordnet-wic: 17,976), so their measures use every occurrence.
 */
export const CONTEXTUALITY_OCCURRENCES = 20_000;

/**
 * Every word's occurrences, cut to {@link CONTEXTUALITY_OCCURRENCES_PER_WORD} by a seeded sample
 * keyed by dataset and word; then, beyond {@link CONTEXTUALITY_OCCURRENCES} in all, the words of a
 * seeded shuffle that fit within it (in their order of first appearance).
 */
function contextualitySample(distinct: readonly DistinctOccurrence[], seed: number, dataset: string): DistinctOccurrence[] {
  const byWord = new Map<string, DistinctOccurrence[]>();
  for (const occurrence of distinct) {
    const list = byWord.get(occurrence.word);
    if (list === undefined) byWord.set(occurrence.word, [occurrence]);
    else list.push(occurrence);
  }
  const perWord = [...byWord].map(([word, list]) =>
    list.length <= CONTEXTUALITY_OCCURRENCES_PER_WORD ? list : shuffled(list, mulberry32(deriveSeed(seed, `${dataset}:${word}:contextuality-sample`))).slice(0, CONTEXTUALITY_OCCURRENCES_PER_WORD),
  );
  const total = perWord.reduce((sum, list) => sum + list.length, 0);
  if (total <= CONTEXTUALITY_OCCURRENCES) return perWord.flat();
  const chosen = new Set<readonly DistinctOccurrence[]>();
  let kept = 0;
  for (const list of shuffled(perWord, mulberry32(deriveSeed(seed, `${dataset}:contextuality-words`)))) {
    if (kept + list.length > CONTEXTUALITY_OCCURRENCES) continue;
    chosen.add(list);
    kept += list.length;
  }
  return perWord.filter((list) => chosen.has(list)).flat();
}

/**
 * At most this many of a dataset's distinct sentences (a seeded sample beyond it) have every word
 * embedded, for the intra-sentence similarity and the anisotropy baselines: the 1,000 random word
 * representations of Ethayarajh's section 3.4 (his code samples 1,000 sentences and one word of
 * each). Bounded so that the extra embedding is a fixed cost, not one that grows with the dataset.
 */
export const CONTEXTUALITY_SENTENCES = 1000;

/** A sampled sentence whose every word is embedded (see {@link CONTEXTUALITY_SENTENCES}). */
interface ContextSentence {
  readonly sentence: string;
  /** Where the sentence was read, for errors. */
  readonly source: SourceRef;
  /** Its words ({@link wordSpans}), in order; at least one. */
  readonly words: readonly Span[];
  /** Index into `words` of its random word for the baselines (a seeded draw, the same for every model). */
  readonly randomWord: number;
}

/**
 * The dataset's distinct sentences that have a word, in order of first appearance; beyond
 * {@link CONTEXTUALITY_SENTENCES}, a seeded sample of them (in the same order). Each gets one random
 * word, drawn uniformly from one stream keyed by the dataset: sentence first, then a word of it, as
 * Ethayarajh samples random words.
 */
function contextSentences(distinct: readonly DistinctOccurrence[], pairs: readonly SentencePair[], seed: number, dataset: string): ContextSentence[] {
  const sources = new Map<string, SourceRef>();
  for (const occurrence of distinct) if (!sources.has(occurrence.sentence)) sources.set(occurrence.sentence, pairs[occurrence.index >> 1]!.source);
  let candidates = [...sources].map(([sentence, source]) => ({ sentence, source, words: wordSpans(sentence) })).filter((candidate) => candidate.words.length > 0);
  if (candidates.length > CONTEXTUALITY_SENTENCES) {
    const chosen = new Set(shuffled(candidates, mulberry32(deriveSeed(seed, `${dataset}:contextuality-sentences`))).slice(0, CONTEXTUALITY_SENTENCES));
    candidates = candidates.filter((candidate) => chosen.has(candidate));
  }
  const random = mulberry32(deriveSeed(seed, `${dataset}:contextuality-random-words`));
  return candidates.map((candidate) => ({ ...candidate, randomWord: random.nextInt(candidate.words.length) }));
}

/** Every word of each sentence as an occurrence to embed, sentence by sentence. */
function wordOccurrences(sentences: readonly ContextSentence[]): TargetOccurrence[] {
  return sentences.flatMap(({ sentence, source, words }) => words.map((span): TargetOccurrence => ({ sentence, spans: [span], source })));
}

/** Sentences split into runs of at most `size` words (a sentence longer than that is a run of its own). */
function sentenceChunks(sentences: readonly ContextSentence[], size: number): ContextSentence[][] {
  const result: ContextSentence[][] = [];
  let current: ContextSentence[] = [];
  let words = 0;
  for (const sentence of sentences) {
    if (current.length > 0 && words + sentence.words.length > size) {
      result.push(current);
      current = [];
      words = 0;
    }
    current.push(sentence);
    words += sentence.words.length;
  }
  if (current.length > 0) result.push(current);
  return result;
}

/** A vector a probe can use: present and not all zero. */
function usableVector(vector: Float32Array | null | undefined): vector is Float32Array {
  return vector !== null && vector !== undefined && vector.some((x) => x !== 0);
}

/** A trained probe of one representation and the train pairs it scored out of fold. */
interface RepresentationProbe {
  readonly model: LogisticModel;
  readonly C: number;
  /** Train pair index -> its out-of-fold probability at the chosen C (null where none). */
  readonly outOfFold: ReadonlyMap<number, number | null>;
}

/**
 * A logistic probe (src/metrics/probe.ts) trained on the train pairs' raw target vectors, C by
 * word-grouped 5-fold CV on train (in the analysis pool: see src/pipeline/analysis-pool.ts). It
 * predicts P(same sense) for every pair of the other splits; train pairs get their out-of-fold
 * prediction at the chosen C (so no train row is scored by a probe that saw it). Null when the
 * train pairs lack a class.
 */
export async function trainPairProbe(
  pairs: readonly SentencePair[],
  sample: ReadonlySet<number>,
  vectorOf: (occurrence: number) => Float32Array | null,
  seed: number,
  pool: AnalysisPool = INLINE_POOL,
): Promise<(RepresentationProbe & { trainPairs: number; features: number; seconds: number }) | null> {
  const trainIndex: number[] = [];
  const words: string[] = [];
  const labels: boolean[] = [];
  const vectors: Float32Array[] = [];
  pairs.forEach((pair, p) => {
    if (!sample.has(p) || pair.label === null) return;
    const u = vectorOf(2 * p);
    const v = vectorOf(2 * p + 1);
    if (!usableVector(u) || !usableVector(v)) return;
    trainIndex.push(p);
    words.push(pair.word);
    labels.push(pair.label);
    vectors.push(u, v);
  });
  const positives = labels.filter(Boolean).length;
  if (positives === 0 || positives === labels.length) return null;
  const packed = packVectors(vectors);
  const labelBytes = Uint8Array.from(labels, (label) => (label ? 1 : 0));
  // The packed vectors and labels were made for this task: moved to the worker, not copied.
  const probe = await pool.run({ kind: 'probe', vectors: packed, words, labels: labelBytes, seed }, buffersOf(...packedBuffers(packed), labelBytes));
  const outOfFold = new Map<number, number | null>();
  trainIndex.forEach((p, k) => {
    const held = probe.outOfFold?.[k];
    outOfFold.set(p, held === undefined || Number.isNaN(held) ? null : roundFixed(held, METRIC_DECIMALS));
  });
  return { model: probe.model, C: probe.C, outOfFold, trainPairs: labels.length, features: 2 * vectors[0]!.length, seconds: probe.seconds };
}

/**
 * At most this many train pairs train a representation's probe (a seeded sample of whole words
 * beyond that; the built-in datasets and WiC have far fewer). The cross-validated C of a larger
 * train split costs more than linear time (more data supports a larger C, whose fits converge
 * slowest), and its vectors would all be kept to the end of the first pass. Train pairs outside
 * the sample are scored by the final probe, which never saw their words, as dev and test pairs are.
 */
export const PROBE_TRAIN_PAIRS = 8192;

/** The train pairs (indices) a dataset's probe trains on: every one, or whole words up to {@link PROBE_TRAIN_PAIRS}. */
function probeSample(pairs: readonly SentencePair[], seed: number, dataset: string, limit: number): Set<number> {
  const byWord = new Map<string, number[]>();
  pairs.forEach((pair, p) => {
    if (pair.split !== 'train') return;
    const list = byWord.get(pair.word);
    if (list === undefined) byWord.set(pair.word, [p]);
    else list.push(p);
  });
  const total = [...byWord.values()].reduce((sum, list) => sum + list.length, 0);
  if (total <= limit) return new Set([...byWord.values()].flat());
  const sample = new Set<number>();
  const words = [...byWord.keys()].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  for (const word of shuffled(words, mulberry32(deriveSeed(seed, `${dataset}:probe-sample`)))) {
    const list = byWord.get(word)!;
    if (sample.size + list.length > limit) continue;
    for (const p of list) sample.add(p);
  }
  return sample;
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

/** A dataset's column (one per representation, normalization or probe): created on first use, every value missing. */
function columnOf(columns: DatasetColumns, key: RepresentationKey, pairs: number): Float64Array {
  let column = columns.get(key);
  if (column === undefined) {
    column = new Float64Array(pairs).fill(Number.NaN);
    columns.set(key, column);
  }
  return column;
}

/** A stored value as a column holds it: NaN for missing. */
const stored = (value: number | null | undefined): number => value ?? Number.NaN;

/**
 * Pairs whose occurrences are embedded per `embed` call after the fits: the vectors in memory at
 * once are one chunk's plus those kept for the fits and contextuality, never a whole dataset's.
 * (Each call also embeds each distinct sentence of its chunk once; a sentence repeated across
 * chunks is embedded again, which costs time, not correctness.)
 */
export const PAIRS_PER_CHUNK = 8192;

/** A vector that does not hold a larger buffer alive: a copy when it is a view into a shared block. */
function own(vector: Float32Array | null): Float32Array | null {
  return vector !== null && vector.byteLength < vector.buffer.byteLength ? vector.slice() : vector;
}

/** Occurrence indices (2 per pair) split into runs of at most `size`. */
function chunks(indices: readonly number[], size: number): number[][] {
  const result: number[][] = [];
  for (let first = 0; first < indices.length; first += size) result.push(indices.slice(first, first + size));
  return result;
}

/**
 * What embedding one dataset involves, known from its pairs alone: which occurrences stand for
 * which (the same sentence and spans are embedded once), which must be embedded before any
 * corrected cosine (the fit sample and the probe's train pairs), and which are kept to the end.
 */
interface DatasetPlan {
  readonly dataset: Dataset;
  readonly pairs: readonly SentencePair[];
  readonly canonical: Int32Array;
  readonly fitSample: readonly DistinctOccurrence[];
  readonly contextualitySample: readonly DistinctOccurrence[];
  /** The sentences whose every word contextuality embeds. */
  readonly contextSentences: readonly ContextSentence[];
  readonly probing: boolean;
  /** The train pairs the probe trains on (see {@link PROBE_TRAIN_PAIRS}); empty without a probe. */
  readonly probeSample: ReadonlySet<number>;
  /** Canonical occurrence indices embedded in the first pass, ascending. */
  readonly firstPass: readonly number[];
  /** Canonical occurrence indices contextuality measures (kept to the end). */
  readonly measured: ReadonlySet<number>;
}

function planDataset(dataset: Dataset, options: AnalysisOptions): DatasetPlan {
  const pairs = [...dataset.splits.values()].flat();
  const { distinct, canonical } = distinctOccurrences(pairs);
  const hasTrain = dataset.splits.has('train');
  const probing = hasTrain && (options.probe ?? true);
  const fitSample = fittingSample(distinct.filter((occurrence) => !hasTrain || occurrence.inTrain), options.seed, dataset.name);
  const sampled = contextualitySample(distinct, options.seed, dataset.name);
  const firstPass = new Set(fitSample.map((occurrence) => occurrence.index));
  const sample = probing ? probeSample(pairs, options.seed, dataset.name, options.probeTrainPairs ?? PROBE_TRAIN_PAIRS) : new Set<number>();
  for (const p of sample) for (const side of [2 * p, 2 * p + 1]) firstPass.add(canonical[side]!);
  const measured = new Set(sampled.map((occurrence) => occurrence.index));
  return {
    dataset,
    pairs,
    canonical,
    fitSample,
    contextualitySample: sampled,
    contextSentences: contextSentences(distinct, pairs, options.seed, dataset.name),
    probing,
    probeSample: sample,
    firstPass: [...firstPass].sort((a, b) => a - b),
    measured,
  };
}

/**
 * Cosines, probe probabilities and contextuality of one dataset for one model, embedding in three
 * passes: first the occurrences the corrections are fitted on and the probe is trained on, then
 * every pair in chunks of {@link PAIRS_PER_CHUNK}, whose vectors end with their chunk, then every
 * word of the sampled sentences, whose vectors end with their sentence (see {@link measureSentences}).
 */
async function analyseDataset(
  model: EmbeddingModel,
  plan: DatasetPlan,
  options: AnalysisOptions,
  embedded: (count: number) => ProgressFn,
  into: { columns: DatasetColumns; truncated: Uint8Array },
): Promise<{ readonly settle: () => Promise<ContextualityRow[]> }> {
  const { dataset, pairs, canonical } = plan;
  const timer = options.timer ?? new PhaseTimer();
  const phase = { embed: `embed ${model.id}`, probe: `probe ${model.id}`, cosines: `cosines and corrections ${model.id}`, contextuality: `contextuality ${model.id}` };
  const occurrenceAt = (index: number): TargetOccurrence => pairOccurrence(pairs[index >> 1]!, (index & 1) as 0 | 1);
  const kept = new Map<number, OccurrenceEmbedding>();
  // Kept vectors are in shared memory, which the analysis pool's tasks read in place. The first
  // pass is kept whole: the embedding cache decodes it there directly (the others are copied).
  const keptVectors = new KeptVectors();
  for (const chunk of chunks(plan.firstPass, 2 * PAIRS_PER_CHUNK)) {
    const embeddings = keptVectors.keep(await timer.timeAsync(phase.embed, () => model.embed(chunk.map(occurrenceAt), embedded(chunk.length), { sharedMemory: true })));
    chunk.forEach((index, k) => kept.set(index, embeddings[k]!));
  }
  const keptVector = (r: number) => (occurrence: number): Float32Array | null => kept.get(canonical[occurrence]!)!.vectors[r] ?? null;

  // Per representation: the trained probe, in the analysis pool (the main thread fits the
  // corrections meanwhile), awaited where the pairs' probabilities are first needed.
  const pool = options.pool ?? INLINE_POOL;
  const probePhase = `${phase.probe} on ${dataset.name}`;
  let probesDone = 0;
  if (plan.probing) timer.progress(probePhase, 0, model.representations.length);
  const probes = model.representations.map(async (representation, r): Promise<RepresentationProbe | null> => {
    if (!plan.probing) return null;
    const trained = await trainPairProbe(pairs, plan.probeSample, keptVector(r), deriveSeed(options.seed, `${model.id}:${representation.name}:${dataset.name}:probe`), pool);
    timer.progress(probePhase, ++probesDone, model.representations.length);
    if (trained === null) return null;
    options.onProbeFit?.({ model: model.id, representation: representation.name, dataset: dataset.name, pairs: trained.trainPairs, features: trained.features, seconds: trained.seconds, C: trained.C });
    return trained;
  });
  // A probe's failure surfaces where it is awaited; none goes unhandled meanwhile.
  for (const probe of probes) probe.catch(() => undefined);
  const stopFit = timer.start(phase.cosines);
  const present = model.representations.map((representation, r) => {
    const vectors = plan.fitSample.map((occurrence) => kept.get(occurrence.index)!.vectors[r] ?? null).filter((vector) => vector !== null);
    const dimensions = vectors[0]?.length ?? 0;
    // Removing as many components as the vectors have dimensions leaves nothing to compare: refused, never clamped.
    if (vectors.length > 0 && options.normalizations.includes('abtt') && options.abttComponents >= dimensions) {
      stopFit();
      throw new InputError(`--abtt-components ${options.abttComponents} is not below the ${dimensions} dimensions of ${model.id}:${representation.name}; all-but-the-top would remove every direction`);
    }
    return vectors;
  });
  // The corrections' statistics (a representation with no fitting vectors is scored raw only): the
  // later half of the representations is fitted in the pool, urgently (the cosines wait for it),
  // while this thread fits the first half; the same function of the same vectors either way.
  const firstInPool = Math.ceil(model.representations.length / 2);
  const pooledFits = present.map((vectors, r) => {
    if (r < firstInPool || vectors.length === 0) return null;
    const packed = packVectors(vectors);
    const fit = pool.run({ kind: 'normalization-fit', vectors: packed, abttComponents: options.abttComponents }, buffersOf(...packedBuffers(packed)), { urgent: true });
    // Its failure surfaces where it is awaited below; never unhandled meanwhile.
    fit.catch(() => undefined);
    return fit;
  });
  const statistics: (NormalizationStats | null)[] = present.map((vectors, r) => (r >= firstInPool || vectors.length === 0 ? null : fitNormalization(vectors, { abttComponents: options.abttComponents })));
  stopFit();
  for (const [r, fit] of pooledFits.entries()) if (fit !== null) statistics[r] = await timer.timeAsync(phase.cosines, () => fit);
  const fitted = statistics.map((stats) => ({ stats, normalizations: options.normalizations.filter((normalization) => normalization === 'none' || stats !== null) }));
  const cosineColumns = model.representations.map((representation, r) => fitted[r]!.normalizations.map((normalization) => columnOf(into.columns, cosineColumn(model.id, representation.name, normalization), pairs.length)));
  // The probes, with their columns. A chunk's probe columns are filled once the probes are
  // trained; until then the chunk's vectors the probes will score are held (one chunk at most:
  // the next chunk waits for them). The main thread's waits are the probe phase's time.
  let probesReady: { probe: RepresentationProbe; values: Float64Array; r: number }[] | null = null;
  const awaitProbes = async (): Promise<{ probe: RepresentationProbe; values: Float64Array; r: number }[]> => {
    if (probesReady !== null) return probesReady;
    const trained = await Promise.all(probes);
    probesReady = trained.flatMap((probe, r) => (probe === null ? [] : [{ probe, values: columnOf(into.columns, probeColumn(model.id, model.representations[r]!.name), pairs.length), r }]));
    return probesReady;
  };
  /** Fills a chunk's probe columns, its pairs' vectors captured now, once the probes are trained. */
  const scoreWithProbes = (chunk: readonly number[], vectorOf: (r: number, occurrence: number) => Float32Array | null): Promise<void> => {
    const held = model.representations.map((_, r) => {
      // Pairs the probe did not train on: dev, test, and train pairs outside its sample.
      const others = chunk.filter((p) => !plan.probeSample.has(p) && usableVector(vectorOf(r, 2 * p)) && usableVector(vectorOf(r, 2 * p + 1)));
      return { others, vectors: others.map((p) => ({ u: vectorOf(r, 2 * p)!, v: vectorOf(r, 2 * p + 1)! })) };
    });
    return awaitProbes().then((ready) => {
      for (const { probe, values, r } of ready) {
        const stopPredict = timer.start(phase.cosines);
        for (const p of chunk) if (probe.outOfFold.has(p)) values[p] = stored(probe.outOfFold.get(p));
        const { others, vectors } = held[r]!;
        if (others.length > 0) {
          const probabilities = predictProbabilities(probe.model, pairFeatureMatrix(vectors));
          others.forEach((p, k) => (values[p] = roundFixed(probabilities[k]!, METRIC_DECIMALS)));
        }
        stopPredict();
      }
    });
  };
  let pendingChunk: Promise<void> | null = null;

  const pairIndices = pairs.map((_, p) => p);
  for (const chunk of chunks(pairIndices, PAIRS_PER_CHUNK)) {
    if (pendingChunk !== null) await timer.timeAsync(phase.probe, () => pendingChunk!);
    const local = new Map<number, OccurrenceEmbedding>();
    const needed = [...new Set(chunk.flatMap((p) => [canonical[2 * p]!, canonical[2 * p + 1]!]))].filter((index) => !kept.has(index));
    if (needed.length > 0) {
      const embeddings = await timer.timeAsync(phase.embed, () => model.embed(needed.map(occurrenceAt), embedded(needed.length)));
      needed.forEach((index, k) => local.set(index, embeddings[k]!));
      const measured = needed.flatMap((index, k) => (plan.measured.has(index) ? [k] : []));
      keptVectors.keep(measured.map((k) => embeddings[k]!)).forEach((embedding, m) => kept.set(needed[measured[m]!]!, embedding));
    }
    const embeddingOf = (occurrence: number): OccurrenceEmbedding => {
      const index = canonical[occurrence]!;
      return local.get(index) ?? kept.get(index)!;
    };
    const stopCosines = timer.start(phase.cosines);
    for (const p of chunk) {
      if (embeddingOf(2 * p).truncated || embeddingOf(2 * p + 1).truncated) into.truncated[p] = 1;
    }
    // Each distinct occurrence of the chunk is corrected, and its squared norm summed, once per
    // representation and correction (a sentence shared by several pairs is not corrected again);
    // the pairs then only take dot products. The same doubles as correcting each side of each
    // pair (src/metrics/cosine.ts cosineWithNorms).
    const { slots, sideSlots } = chunkSlots(chunk, canonical);
    const norms = new Float64Array(slots.length);
    let block = new Float32Array(0);
    model.representations.forEach((_, r) => {
      const { stats, normalizations } = fitted[r]!;
      const columns = cosineColumns[r]!;
      const raw = slots.map((index) => embeddingOf(index).vectors[r] ?? null);
      normalizations.forEach((normalization, n) => {
        const column = columns[n]!;
        if (normalization === 'none') {
          raw.forEach((vector, slot) => (norms[slot] = vector === null ? 0 : squaredNorm(vector)));
          chunk.forEach((p, k) => {
            const a = sideSlots[2 * k]!;
            const b = sideSlots[2 * k + 1]!;
            const u = raw[a]!;
            const v = raw[b]!;
            column[p] = u === null || v === null ? Number.NaN : stored(storedValue(cosineWithNorms(u, v, norms[a]!, norms[b]!)));
          });
          return;
        }
        // Corrected into one block reused by every representation and correction (slot s at
        // s * dims), each vector's squared norm summed as it is written.
        const dims = stats!.dims;
        if (block.length < slots.length * dims) block = new Float32Array(slots.length * dims);
        normalizeRowsIntoBlock(stats!, normalization, raw, block, norms);
        chunk.forEach((p, k) => {
          const a = sideSlots[2 * k]!;
          const b = sideSlots[2 * k + 1]!;
          column[p] = raw[a] === null || raw[b] === null ? Number.NaN : stored(storedValue(cosineInBlock(block, a * dims, b * dims, dims, norms[a]!, norms[b]!)));
        });
      });
    });
    stopCosines();
    if (plan.probing) {
      pendingChunk = scoreWithProbes(chunk, (r, occurrence) => embeddingOf(occurrence).vectors[r] ?? null);
      // Its failure surfaces where it is awaited; it never goes unhandled meanwhile.
      pendingChunk.catch(() => undefined);
    }
    // First-pass vectors end with their pairs' chunk, unless contextuality reads them (a later
    // pair with the same sentence and spans embeds it again).
    for (const p of chunk) for (const side of [2 * p, 2 * p + 1]) if (!plan.measured.has(canonical[side]!)) kept.delete(canonical[side]!);
  }

  // A dataset without pairs still surfaces a probe's failure.
  const probed: Promise<unknown> = pendingChunk ?? (plan.probing ? awaitProbes() : Promise.resolve());
  probed.catch(() => undefined);

  // Contextuality's time here is embedding the words of its sampled sentences; the measures run
  // in the pool and are awaited with the run's other analyses.
  const stopContextuality = timer.start(phase.contextuality);
  const sentences = await measureSentences(model, plan, fitted, embedded, pool);
  stopContextuality();
  // Each representation's measures in the analysis pool, rows kept in representation order.
  const contextualityPhase = `${phase.contextuality} on ${dataset.name}`;
  let measuredDone = 0;
  timer.progress(contextualityPhase, 0, model.representations.length);
  const sampled = plan.contextualitySample;
  const rows = Promise.all(
    model.representations.map(async (representation, r) => {
      const { stats, normalizations } = fitted[r]!;
      const { randomWords } = sentences[r]!;
      const intra = await sentences[r]!.intra;
      const dims = stats?.dims;
      const targets = packVectors(sampled.map((occurrence) => kept.get(occurrence.index)!.vectors[r] ?? null), dims);
      const random = packVectors(randomWords, dims);
      const measured = await pool.run(
        {
          kind: 'contextuality',
          row: { dataset: dataset.name, model: model.id, kind: representation.kind, representation: representation.name },
          normalizations,
          stats,
          words: sampled.map((occurrence) => occurrence.word),
          targets,
          intra: normalizations.map((normalization) => intra.get(normalization)!),
          randomWords: random,
        },
        // Packed for this task: moved to the worker, not copied.
        buffersOf(...packedBuffers(targets), ...packedBuffers(random)),
      );
      timer.progress(contextualityPhase, ++measuredDone, model.representations.length);
      return measured;
    }),
  );
  rows.catch(() => undefined);
  // What is left is waiting: timed where the run waits for it, as its probe and contextuality time.
  const settle = async (): Promise<ContextualityRow[]> => {
    await timer.timeAsync(phase.probe, () => probed);
    return timer.timeAsync(phase.contextuality, async () => (await rows).flat());
  };
  return { settle };
}

/** Per representation, what the sampled sentences give contextuality (see {@link measureSentences}). */
interface SentenceResults {
  /** Per normalization, each measured sentence's intra-sentence similarity (computed in the pool). */
  readonly intra: Promise<ReadonlyMap<Normalization, readonly (number | null)[]>>;
  /** Each measured sentence's random word, raw (corrected with the targets at the end). */
  readonly randomWords: readonly (Float32Array | null)[];
}

/**
 * Chunks of sampled sentences whose intra-sentence tasks may still be running when the next chunk
 * is embedded: each chunk's vectors are held until its tasks are done, so this bounds the memory.
 */
const SENTENCE_CHUNKS_IN_FLIGHT = 2;

/**
 * Embeds every word of the plan's sampled sentences, in chunks of at most 2 x {@link PAIRS_PER_CHUNK}
 * words, and hands each chunk's words to the analysis pool (one urgent task per representation),
 * which computes each sentence's intra-sentence similarity under every normalization (each word
 * corrected first); the main thread keeps per sentence and representation only its random word's
 * raw vector. The memory held is at most {@link SENTENCE_CHUNKS_IN_FLIGHT} chunks' vectors plus one
 * vector per sentence. A sentence the model cut to fit its length is left out (its words were not
 * seen in one context).
 */
async function measureSentences(
  model: EmbeddingModel,
  plan: DatasetPlan,
  fitted: readonly { readonly stats: NormalizationStats | null; readonly normalizations: readonly Normalization[] }[],
  embedded: (count: number) => ProgressFn,
  pool: AnalysisPool,
): Promise<SentenceResults[]> {
  const chunkResults: Promise<IntraSentenceOutcome>[][] = fitted.map(() => []);
  const randomWords: (Float32Array | null)[][] = fitted.map(() => []);
  const inFlight: Promise<unknown>[] = [];
  for (const group of sentenceChunks(plan.contextSentences, 2 * PAIRS_PER_CHUNK)) {
    if (inFlight.length >= SENTENCE_CHUNKS_IN_FLIGHT) await inFlight.shift();
    const occurrences = wordOccurrences(group);
    // Decoded from the cache straight into shared memory, which the tasks read in place.
    const embeddings = await model.embed(occurrences, embedded(occurrences.length), { sharedMemory: true });
    const measured: OccurrenceEmbedding[] = [];
    const lengths: number[] = [];
    const randomWord: number[] = [];
    let offset = 0;
    for (const sentence of group) {
      const words = embeddings.slice(offset, (offset += sentence.words.length));
      if (words.some((embedding) => embedding.truncated)) continue;
      measured.push(...words);
      lengths.push(words.length);
      randomWord.push(sentence.randomWord);
      fitted.forEach((_fit, r) => randomWords[r]!.push(own(words[sentence.randomWord]!.vectors[r] ?? null)));
    }
    const tasks = fitted.map(({ stats, normalizations }, r) => {
      const words = packVectors(measured.map((embedding) => embedding.vectors[r] ?? null), stats?.dims);
      const task: IntraSentenceTask = { kind: 'intra-sentence', normalizations, stats, words, lengths: Int32Array.from(lengths), randomWords: Int32Array.from(randomWord) };
      const outcome = pool.run(task, buffersOf(...packedBuffers(words), task.lengths, task.randomWords), { urgent: true });
      // Its failure surfaces where the contextuality measures await it; never unhandled meanwhile.
      outcome.catch(() => undefined);
      chunkResults[r]!.push(outcome);
      return outcome;
    });
    const chunkDone = Promise.allSettled(tasks);
    inFlight.push(chunkDone);
  }
  return fitted.map(({ normalizations }, r) => {
    const intra = Promise.all(chunkResults[r]!).then((chunks) => new Map(normalizations.map((normalization, n) => [normalization, chunks.flatMap((chunk) => chunk[n]!)])));
    intra.catch(() => undefined);
    return { intra, randomWords: randomWords[r]! };
  });
}

/**
 * Embeds every pair of `datasets` with `model` and returns what the run keeps: cosines,
 * truncation, contextuality. Datasets are analysed one at a time, each in chunks (see
 * {@link analyseDataset}); `model.prepare` first sees every occurrence, so per-word work (the
 * multi-prototype clustering) is done once for the run.
 */
export async function analyseModel(model: EmbeddingModel, datasets: readonly Dataset[], options: AnalysisOptions, onProgress?: ProgressFn): Promise<PendingModelCosines> {
  const plans = datasets.map((dataset) => planDataset(dataset, options));
  // The list of every occurrence is built only for a model that asks for it.
  if (model.prepare) {
    const prepare = model.prepare.bind(model);
    // One list, without a pair's array per pair: for 300k pairs those were 300k short-lived arrays.
    const occurrences: TargetOccurrence[] = [];
    for (const { pairs, contextSentences } of plans) {
      for (const pair of pairs) occurrences.push(pairOccurrence(pair, 0), pairOccurrence(pair, 1));
      for (const occurrence of wordOccurrences(contextSentences)) occurrences.push(occurrence);
    }
    await (options.timer ?? new PhaseTimer()).timeAsync(`prepare ${model.id}`, () => prepare(occurrences));
  }
  // Progress counts occurrences embedded, over the three passes of every dataset.
  const total = plans.reduce((sum, plan) => sum + plan.firstPass.length + 2 * plan.pairs.length + plan.contextSentences.reduce((words, sentence) => words + sentence.words.length, 0), 0);
  let done = 0;
  const embedded = (count: number): ProgressFn => {
    const before = done;
    done += count;
    return (finished) => onProgress?.(Math.min(total, before + finished), total);
  };
  const columns = new Map<string, DatasetColumns>();
  const truncated = new Map<string, Uint8Array>();
  const analyses: (() => Promise<ContextualityRow[]>)[] = [];
  for (const plan of plans) {
    const into = { columns: new Map() as DatasetColumns, truncated: new Uint8Array(plan.pairs.length) };
    analyses.push((await analyseDataset(model, plan, options, embedded, into)).settle);
    columns.set(plan.dataset.name, into.columns);
    truncated.set(plan.dataset.name, into.truncated);
  }
  onProgress?.(total, total);
  const settle = async (): Promise<ModelCosines> => {
    const contextuality: ContextualityRow[] = [];
    // In dataset order, so rows come out as a model-by-model run gives them.
    for (const rows of analyses) contextuality.push(...(await rows()));
    return { model: model.id, representations: model.representations, columns, truncated, contextuality };
  };
  return { model: model.id, columns, truncated, settle };
}
