/**
 * The shared vocabulary of sensebench. Data flows one way through these types:
 *
 *   Dataset -> SentencePair[] -> EmbeddingModel.embed() -> cosines -> metrics -> RunResult -> ReportWriter
 *
 * Every concept has one small interface here; implementations live beside it
 * (`datasets/`, `models/`, `metrics/`, `reports/`).
 */

/** Where a record came from, so that every error and every odd number can be traced to a line. */
export interface SourceRef {
  /** Path of the file, as given by the user (relative paths stay relative). */
  readonly file: string;
  /** 1-based line number (for JSON lists: the 1-based index of the record). */
  readonly line: number;
}

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

import type { DatasetFormat, OnInvalid, SplitName } from './datasets/formats.js';

/** Names of splits (`SPLIT_NAMES`) and formats (`DATASET_FORMATS`) are declared once, in datasets/formats.ts. */
export type { DatasetFormat, OnInvalid, SplitName } from './datasets/formats.js';

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
  /** Column name overrides for graded CSV (`--column-word sentence`, ...). */
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

/** Whether a representation can see context. Static: one vector per word type. */
export type RepresentationKind = 'static' | 'contextual';

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
   * The result is index-aligned with `occurrences`.
   */
  embed(occurrences: readonly TargetOccurrence[], onProgress?: ProgressFn): Promise<OccurrenceEmbedding[]>;
  /** Frees native resources. */
  dispose(): Promise<void>;
}

/** Resolves a `--model` spec (`glove-100d`, `static:PATH`, `onnx:PATH`, `use-lite`, `hf:ORG/NAME`) to a model. */
export type ModelFactory = (spec: string, options: ModelOptions) => Promise<EmbeddingModel>;

export interface ModelOptions {
  /** Cache directory (SENSEBENCH_CACHE, default `.cache/`). */
  readonly cacheDir: string;
  readonly batchSize?: number;
  readonly threads?: number;
  readonly allowDownload?: boolean;
  readonly pooling?: 'mean' | 'first' | 'last';
  readonly onProgress?: (message: string) => void;
}

/** Where the accuracy threshold came from. */
export type ThresholdSource = 'train' | 'cv' | 'none';

/** Scores of one model representation on one dataset split. */
export interface RepresentationScore {
  readonly model: string;
  readonly kind: RepresentationKind;
  readonly representation: string;
  /** Pairs with both vectors present (the ones scored). */
  readonly nPairs: number;
  readonly auc: number | null;
  readonly aucCiLow: number | null;
  readonly aucCiHigh: number | null;
  readonly averagePrecision: number | null;
  readonly accuracy: number | null;
  readonly threshold: number | null;
  readonly thresholdSource: ThresholdSource;
  readonly meanCosSame: number | null;
  readonly meanCosDifferent: number | null;
  readonly cohensD: number | null;
  readonly spearman: number | null;
  readonly spearmanCiLow: number | null;
  readonly spearmanCiHigh: number | null;
  readonly pearson: number | null;
  readonly pearsonCiLow: number | null;
  readonly pearsonCiHigh: number | null;
  /** Fraction of pairs dropped because a vector was missing. */
  readonly oovRate: number;
}

/** Per target word: how well one representation separates that word's senses. */
export interface WordScore {
  readonly word: string;
  readonly model: string;
  readonly representation: string;
  readonly nPairs: number;
  readonly nSame: number;
  readonly nDifferent: number;
  /** null when the word has only one class of pair. */
  readonly auc: number | null;
  readonly meanCosSame: number | null;
  readonly meanCosDifferent: number | null;
}

/** Column key for a model representation: `<model>:<representation>`. */
export type RepresentationKey = `${string}:${string}`;

/** One evaluated pair with its cosine per representation (null = a vector was missing). */
export interface PairResult {
  readonly pair: SentencePair;
  readonly cosines: ReadonlyMap<RepresentationKey, number | null>;
  /** True when either sentence was truncated by any model. */
  readonly truncated: boolean;
}

/** Everything measured on one dataset split. */
export interface SplitResult {
  readonly dataset: string;
  readonly split: SplitName;
  /** True when the split has no gold labels (scored without label metrics). */
  readonly unlabelled: boolean;
  readonly graded: boolean;
  readonly pairs: readonly PairResult[];
  readonly scores: readonly RepresentationScore[];
  readonly words: readonly WordScore[];
}

/** Machine and software context saved with every result (as mitata does). */
export interface RunContext {
  readonly sensebenchVersion: string;
  readonly date: string;
  readonly seed: number;
  readonly node: string;
  readonly platform: string;
  readonly cpu: string;
  readonly cores: number;
  readonly memoryBytes: number;
  readonly packages: Readonly<Record<string, string>>;
  readonly models: readonly { readonly id: string; readonly sha256: string; readonly info: Readonly<Record<string, string | number>> }[];
  readonly datasets: readonly { readonly name: string; readonly format: DatasetFormat; readonly sha256: string; readonly files: readonly string[]; readonly pairs: Readonly<Record<string, number>> }[];
}

/** The one result model every report writer formats. */
export interface RunResult {
  readonly context: RunContext;
  readonly models: readonly { readonly id: string; readonly representations: readonly Representation[] }[];
  readonly splits: readonly SplitResult[];
}

/** Formats a {@link RunResult} into files under `outDir`; writes atomically; returns the paths written. */
export interface ReportWriter {
  readonly name: string;
  write(result: RunResult, outDir: string): Promise<string[]>;
}

/**
 * A user-facing input problem: bad file, bad flag, missing model. The CLI prints `message`
 * (which starts with `file:line: ` when a line is known) and exits with code 2.
 */
export class InputError extends Error {
  override readonly name = 'InputError';
  constructor(
    message: string,
    readonly source?: SourceRef,
  ) {
    super(source ? `${source.file}:${source.line}: ${message}` : message);
  }
}

/**
 * One throughput measurement, always beside the baseline it is compared with in the same run
 * (absolute numbers on a shared 2-core machine mean little; ratios travel).
 * Written to `results/throughput.csv` (timings never go into the byte-identical metric CSVs).
 */
export interface ThroughputRow {
  /** Suite, e.g. `static-lookup`, `static-load`, `onnx-batch`, `onnx-vs-tfjs`, `use-lite-prepare`. */
  readonly group: string;
  /** What was measured, e.g. `harness glove-100d lookup`. */
  readonly subject: string;
  /** Unit of `value`: `ops/s`, `sentences/s`, `tokens/s`, `ms`, `MB`. */
  readonly unit: string;
  readonly value: number;
  /** The baseline measured in the same run, or empty when the row is a plain measurement. */
  readonly baseline: string;
  readonly baselineValue: number | null;
  /** value / baselineValue for rates; baselineValue / value for times and memory (bigger is better). */
  readonly ratio: number | null;
  /** The goal for `ratio` (e.g. 0.8, 20), or null. */
  readonly goal: number | null;
  /** Relative margin of error of `value` in percent (tinybench `rme`), when sampled. */
  readonly rmePercent: number | null;
  readonly samples: number | null;
}
