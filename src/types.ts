/**
 * The shared vocabulary of sensebench. Data flows one way through these types:
 *
 *   Dataset -> SentencePair[] -> EmbeddingModel.embed() -> cosines -> metrics -> RunResult -> reports
 *
 * Every concept that several layers share has one small interface here; implementations live
 * beside it (`datasets/`, `models/`, `metrics/`, `pipeline/`). This module imports nothing above
 * it (only the vocabularies and the error type); the result model a run produces and its files
 * are src/results/.
 */

export { DATASET_FORMATS, FORMAT_OPTIONS, NORMALIZATIONS, NORMALIZATION_FITS, ON_INVALID, REPRESENTATION_KINDS, SCORINGS, SPLIT_NAMES, THRESHOLD_SOURCES } from './vocabulary.js';
import type { DATASET_FORMATS, NORMALIZATIONS, ON_INVALID, REPRESENTATION_KINDS, SPLIT_NAMES, THRESHOLD_SOURCES } from './vocabulary.js';

/** An anisotropy correction applied before the cosine. */
export type Normalization = (typeof NORMALIZATIONS)[number];
export type { SourceRef } from './errors.js';
export { InputError } from './errors.js';
import type { SourceRef } from './errors.js';

/** Character span of the target word in a sentence; `end` is exclusive (like `String.slice`). */
export interface Span {
  readonly start: number;
  readonly end: number;
}

/**
 * Where the target sits in one sentence: one span, or several for a discontinuous target
 * (MCL-WiC `ranges` such as `"104-108,121-128"`, a phrasal verb split by its object). Non-empty,
 * sorted by `start`, non-overlapping. A model pools the target over all of them.
 */
export type TargetSpans = readonly [Span, ...Span[]];

/** A split name (`SPLIT_NAMES`, src/vocabulary.ts). */
export type SplitName = (typeof SPLIT_NAMES)[number];
/** A dataset format (`DATASET_FORMATS`, src/vocabulary.ts). */
export type DatasetFormat = (typeof DATASET_FORMATS)[number];
/** What a loader does with an invalid record (`ON_INVALID`). */
export type OnInvalid = (typeof ON_INVALID)[number];

/** One sentence pair: the unit of every dataset. */
export interface SentencePair {
  /** Unique within the dataset (across splits). */
  readonly id: string;
  /** The target word (lemma or surface form) as the dataset names it. */
  readonly word: string;
  /** The second target word when the two sentences target different words (SCWS); else absent. */
  readonly word2?: string;
  /** Part of speech when the dataset gives one (n, v, a, r, or the dataset's own tag). */
  readonly pos?: string;
  readonly sentence1: string;
  readonly sentence2: string;
  /** Target spans in sentence1; `sentence1.slice(s.start, s.end)` of each is (part of) the target's surface form. */
  readonly spans1: TargetSpans;
  readonly spans2: TargetSpans;
  /** true = same sense, false = different sense, null = unlabelled (e.g. a test file without gold). */
  readonly label: boolean | null;
  /** Graded relatedness (dataset's own scale), or null. */
  readonly score: number | null;
  readonly split: SplitName;
  readonly source: SourceRef;
  /** DWUG: how many annotators gave the pair a non-zero judgment (its score is their median). */
  readonly annotators?: number;
  /**
   * CoSimLex: the row this pair comes from and which of the row's two contexts it is. Both pairs of
   * a row share `id`; subtask 1 (change in similarity) compares context 2 with context 1.
   */
  readonly contextPair?: { readonly id: string; readonly context: 1 | 2 };
}

/** A loaded dataset: pairs grouped by split, plus provenance. */
export interface Dataset {
  /** Short name used in report file names (e.g. `lesson`, `wordnet-wic`). */
  readonly name: string;
  /** The format it was read as. */
  readonly format: DatasetFormat;
  /** Splits in canonical order (train, dev, test, all), each non-empty. */
  readonly splits: ReadonlyMap<SplitName, readonly SentencePair[]>;
  /** sha256 over the bytes of every file read, in sorted path order. */
  readonly sha256: string;
  /** Files read, for run.json. */
  readonly files: readonly string[];
  /** Pair ids the reports show as worked examples (the lesson's bank/apple pairs), from the dataset registry. */
  readonly highlightPairs?: readonly string[];
  /** License and one-sentence description, from the dataset registry (built-ins only). */
  readonly license?: string;
  readonly description?: string;
  /** Records read (kept plus skipped): the denominator of the skipped share. */
  readonly records?: number;
  /** With `onInvalid: 'skip'`: every dropped record as `file:line: reason`, in reading order. */
  readonly skipped?: readonly string[];
  /**
   * Spans placed by explicit offsets (or token indices) whose text is neither the word nor a
   * regular inflection of it (`kept` for `keep`): accepted, because offsets say where the target is.
   */
  readonly unmatchedSpans?: number;
  /** Spans the loader moved because the file's offsets miss the target (XL-WiC Farsi), with `notes`. */
  readonly repairedSpans?: number;
  /** What the loader noticed and did about it, one sentence each (repairs, pairs left out). */
  readonly notes?: readonly string[];
}

/** Reads one dataset format. Loaders validate everything and throw {@link InputError}s. */
export interface DatasetLoader {
  readonly format: DatasetFormat;
  /** True when `path` (a file or directory) looks like this format, judged by names and headers. */
  detect(path: string): Promise<boolean>;
  load(path: string, options: LoadOptions): Promise<Dataset>;
}

export interface LoadOptions {
  /** Dataset name; defaults to the file or directory base name. */
  readonly name?: string;
  /** Field name overrides of the generic CSV/JSONL formats (`--column label=same`, ...). */
  readonly columns?: Readonly<Record<string, string>>;
  /** `fail` (default): an invalid record refuses the file. `skip`: it is dropped and listed in `Dataset.skipped`. */
  readonly onInvalid?: OnInvalid;
  /** With `skip`: the largest share of records that may be dropped (default 0.01); more is an InputError. */
  readonly maxInvalid?: number;
  /** DWUG: derive labels from the median judgment, same sense when median >= this threshold. */
  readonly dwugBinarize?: number;
}

/** A target word occurrence: what a model embeds. */
export interface TargetOccurrence {
  readonly sentence: string;
  readonly spans: TargetSpans;
  /** For error messages (`file:line`). */
  readonly source: SourceRef;
}

export type RepresentationKind = (typeof REPRESENTATION_KINDS)[number];

/** One way of turning an occurrence into a vector, e.g. `target`, `context`, `layer-1`, `sentence`. */
export interface Representation {
  readonly name: string;
  readonly kind: RepresentationKind;
  /** One line for reports: what this vector is. */
  readonly description: string;
}

/** Vectors for one occurrence, one entry per representation (same order as `EmbeddingModel.representations`). */
export interface OccurrenceEmbedding {
  /** `null` when the model has no vector (out of vocabulary): counted in `oov_rate`, never a zero vector. */
  readonly vectors: readonly (Float32Array | null)[];
  /** True when the sentence was cut to a window around the target to fit the model. */
  readonly truncated: boolean;
}

/** Progress callback: `done` of `total` units finished. */
export type ProgressFn = (done: number, total: number) => void;

/** Hints to {@link EmbeddingModel.embed}, which an implementation may ignore. */
export interface EmbedOptions {
  /**
   * The caller keeps the vectors for analyses in worker threads: vectors made anyway (decoded from
   * the embedding cache) are best put in shared memory (SharedArrayBuffer), which a worker reads
   * in place, so the caller need not copy them there.
   */
  readonly sharedMemory?: boolean;
}

/** An embedding model: static vectors or a transformer. */
export interface EmbeddingModel {
  /** Model id used in reports, e.g. `glove-100d`, `use-lite`, `static:my.vec`. */
  readonly id: string;
  /** Content checksum of the weights (sha256), for run.json and the results cache. */
  readonly sha256: string;
  readonly representations: readonly Representation[];
  /** Facts for run.json (source package and version, vocabulary size, dimensions, ...). */
  readonly info: Readonly<Record<string, string | number>>;
  /**
   * Embeds occurrences. Implementations encode each distinct sentence once (MTEB-style de-duplication).
   * The result is index-aligned with `occurrences`. `options` are hints an implementation may
   * ignore (see {@link EmbedOptions}).
   */
  embed(occurrences: readonly TargetOccurrence[], onProgress?: ProgressFn, options?: EmbedOptions): Promise<OccurrenceEmbedding[]>;
  /**
   * Optional: called once with every occurrence a run will embed, before the `embed` calls that
   * cover them in chunks, so that per-word work (multi-prototype clustering) is done in one go.
   */
  prepare?(occurrences: readonly TargetOccurrence[]): Promise<void>;
  /** Frees native resources. */
  dispose(): Promise<void>;
}

export interface ModelOptions {
  /** Cache directory (SENSEBENCH_CACHE, default `.cache/`). */
  readonly cacheDir: string;
  readonly batchSize?: number;
  /** onnxruntime intra-op threads per session (default: one core per session; with one session, onnxruntime's choice). */
  readonly threads?: number;
  /**
   * onnxruntime sessions per transformer, each on its own thread, running batches side by side
   * (default: two on two or more cores, see src/models/onnx-runner.ts `sessionSettings`). A call of one batch (`similarity`)
   * only ever uses the first.
   */
  readonly sessions?: number;
  /**
   * Let onnxruntime prepack MatMul weights when it opens a session (default true). Prepacking
   * costs ~75 ms (use-lite) and ~150 ms (minilm) per session and makes each batch up to 10% (batch
   * 8-32) or 40% (batch 1) faster: worth it for a run, not for the two sentences of `similarity`.
   * The vectors differ only in float32 rounding (another summation order), so a command that
   * turns it off must not write the embedding cache.
   */
  readonly prepackWeights?: boolean;
  readonly allowDownload?: boolean;
  readonly pooling?: 'mean' | 'first' | 'last';
  readonly onProgress?: (message: string) => void;
  /** Static models with `target` and `context` (glove-100d) also offer `multi-prototype` vectors (`sensebench run`). */
  readonly multiPrototype?: boolean;
}

export type ThresholdSource = (typeof THRESHOLD_SOURCES)[number];

/** Column key for a model representation: `<model>:<representation>`. */
export type RepresentationKey = `${string}:${string}`;

/**
 * A pair's cosine per column (`model:rep`, `model:rep@normalization`, `model:rep#probe`): `get`
 * is null where a vector was missing, undefined for a column the run does not have. A Map is one;
 * the pipeline's rows are views into columnar storage (src/pipeline/cosines.ts).
 */
export interface CosineLookup {
  get(key: RepresentationKey): number | null | undefined;
  has(key: RepresentationKey): boolean;
}

export interface PairResult {
  readonly pair: SentencePair;
  readonly cosines: CosineLookup;
  /** True when either sentence was truncated by any model. */
  readonly truncated: boolean;
}

/** The pairs of one dataset split with their cosines: everything scoring needs. */
export interface SplitPairs {
  readonly dataset: string;
  readonly split: SplitName;
  readonly pairs: readonly PairResult[];
}

/** A model a plan will load: its spec, how to load it, and how to describe it in plain words. */
export interface ModelSource {
  /** The `--model` spec, e.g. `glove-100d`, `onnx:DIR`. */
  readonly spec: string;
  load(): Promise<EmbeddingModel>;
  /** What the loaded model is, for the reports. */
  describe(model: EmbeddingModel): string;
}

/** One sense-labelled occurrence (one target span); a {@link TargetOccurrence}, so a model can embed it. */
export interface SenseOccurrence extends TargetOccurrence {
  readonly id: string;
  readonly word: string;
  readonly sense: string;
  readonly gloss: string;
  readonly split: SplitName;
}

/** A sense-labelled occurrence set scored into senses.csv (lesson-senses, wordnet-senses). */
export interface SenseSet {
  /** The `dataset` column of senses.csv. */
  readonly name: string;
  readonly occurrences: readonly SenseOccurrence[];
  /** Words whose occurrences are projected to 2-D for the report's sense pictures. */
  readonly projectWords?: readonly string[];
}

/** A two-sided confidence interval; both ends null when it cannot be estimated. */
export interface ConfidenceInterval {
  readonly low: number | null;
  readonly high: number | null;
}

/** A point estimate with its confidence interval: one value, never three loose fields. */
export interface Estimate extends ConfidenceInterval {
  readonly value: number;
}
