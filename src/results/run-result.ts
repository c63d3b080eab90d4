/**
 * The result model: one {@link RunResult} is everything a run measured, with its context. It is
 * what the pipeline returns, what the files of a results directory hold (./layout.ts declares
 * them, path by path) and what every report renders. Its rows are the records of the tables of
 * ./schema.ts; run.json and sense-projections.json are checked by the schemas of ./json-schemas.ts.
 */
import type { COMPARISON_RULES, NORMALIZATION_FITS } from '../vocabulary.js';
import type { DatasetFormat, Normalization, PairResult, Representation, SplitName } from '../types.js';
import type { ComparisonRow, ContextualityRow, CosimlexRow, SenseRow, SpearmanComparisonRow, SummaryRow, ThroughputRow, WordScore } from './schema.js';
import type { SenseProjection } from './json-schemas.js';

/** Seconds of one phase of a run. */
export interface PhaseSeconds {
  readonly phase: string;
  readonly seconds: number;
}

/** run.json's `timings` (src/pipeline/timings.ts measures them). */
export interface RunTimings {
  /** Wall seconds from the start of the evaluation to the rendering of the reports. */
  readonly totalSeconds: number;
  /** Seconds per phase, in the order the phases first ran; their sum is at most the total. */
  readonly phases: readonly PhaseSeconds[];
}

/** Everything measured on one dataset split. */
export interface SplitResult {
  readonly dataset: string;
  readonly split: SplitName;
  /** True when the split has no gold labels (scored without label metrics). */
  readonly unlabelled: boolean;
  readonly graded: boolean;
  readonly pairs: readonly PairResult[];
  /** One summary.csv row per model representation and normalization. */
  readonly scores: readonly SummaryRow[];
  readonly words: readonly WordScore[];
}

/** A model as a run records it (run.json): identity, plain-words description, facts, representations. */
export interface ModelRecord {
  readonly id: string;
  readonly sha256: string;
  /** What the model is, in plain words, for the reports (from the model registry). */
  readonly description: string;
  readonly info: Readonly<Record<string, string | number>>;
  readonly representations: readonly Representation[];
}

/** A dataset as a run records it (run.json). */
export interface DatasetRecord {
  readonly name: string;
  readonly format: DatasetFormat;
  readonly sha256: string;
  /** Files read: relative to the project when inside it, else as the user gave them. */
  readonly files: readonly string[];
  /** Pairs per split. */
  readonly pairs: Readonly<Record<string, number>>;
  /** Pair ids the reports show as worked examples (the lesson's bank/apple pairs). */
  readonly highlightPairs: readonly string[];
  /** License and description from the dataset registry; empty for a user's dataset. */
  readonly license: string;
  readonly description: string;
  /** Where the normalization statistics were fitted: the train split, or every occurrence (no train split). */
  readonly normalizationFit: (typeof NORMALIZATION_FITS)[number];
  /** Records read, kept and skipped (`--on-invalid skip`). */
  readonly records: number;
  /** Every record dropped by `--on-invalid skip`, as `file:line: reason`. */
  readonly skipped: readonly string[];
  /** Target spans given by explicit offsets whose text is neither the word nor a regular inflection of it. */
  readonly unmatchedSpans: number;
  /** Spans the loader moved because the file's offsets missed the target (XL-WiC Farsi). */
  readonly repairedSpans: number;
  /** What the loader noticed and did about it. */
  readonly notes: readonly string[];
}

/** Machine and software context saved with every result (as mitata does). */
export interface RunContext {
  readonly sensebenchVersion: string;
  readonly date: string;
  readonly seed: number;
  /** Bootstrap resamples behind every interval. */
  readonly resamples: number;
  /** Corrections scored beside the raw cosines (`none` first). */
  readonly normalizations: readonly Normalization[];
  /** Top principal components all-but-the-top removes. */
  readonly abttComponents: number;
  /** Which representations compare.csv compares (absent in run.json files written before the rule existed: every two). */
  readonly comparisons?: (typeof COMPARISON_RULES)[number];
  readonly node: string;
  readonly platform: string;
  readonly cpu: string;
  readonly cores: number;
  readonly memoryBytes: number;
  readonly packages: Readonly<Record<string, string>>;
  readonly models: readonly ModelRecord[];
  readonly datasets: readonly DatasetRecord[];
  /**
   * Problems a reader must know about, one sentence each: a representation that embeds no pair of a
   * split (with the reason), a dataset with skipped records.
   */
  readonly warnings: readonly string[];
}

/** The one result model every report renders: what was run, what it measured, how fast. */
export interface RunResult {
  readonly context: RunContext;
  readonly splits: readonly SplitResult[];
  /** How contextual each representation is, per dataset and normalization (needs the vectors: computed at embedding time). */
  readonly contextuality: readonly ContextualityRow[];
  /** Every pair of representations compared on the same pairs of each labelled split (AUC, DeLong). */
  readonly comparisons: readonly ComparisonRow[];
  /** The same for graded splits (Spearman). */
  readonly spearmanComparisons: readonly SpearmanComparisonRow[];
  /** CoSimLex's two subtasks per representation, on splits whose pairs come from CoSimLex rows. */
  readonly cosimlex: readonly CosimlexRow[];
  /** Throughput measured in the same run (`npm run bench`); empty when none was measured. */
  readonly throughput: readonly ThroughputRow[];
  /** Where the run's time went, per phase (run.json's `timings`; never in a CSV); absent when not measured. */
  readonly timings?: RunTimings;
  /** senses.csv: sense metrics of every representation on each sense-labelled occurrence set the plan named (absent: none). */
  readonly senses?: readonly SenseRow[];
  /** The 2-D sense pictures of the plan's projection words, as points (the report draws them; absent: none). */
  readonly senseProjections?: readonly SenseProjection[];
}

/** One file a renderer produced: its path relative to the output directory, and its content. */
export interface RenderedFile {
  readonly path: string;
  readonly content: string;
}
