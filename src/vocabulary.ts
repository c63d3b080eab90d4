/**
 * The closed vocabularies of sensebench as const arrays: split names, dataset formats,
 * representation kinds, threshold sources. Types, zod schemas, commander choices and the results
 * schema all use these arrays, so a new format or split is added in one place.
 */

/** Names of splits, in canonical order. Datasets without splits use `all`. */
export const SPLIT_NAMES = ['train', 'dev', 'test', 'all'] as const;

/** Every `--format` a loader exists for, in `--format auto` detection order (specific formats first). */
export const DATASET_FORMATS = ['wic', 'superglue', 'tempowic', 'mclwic', 'scws', 'cosimlex', 'am2ico', 'dwug', 'tsv', 'jsonl', 'csv'] as const;

/** `--format` choices: a format, or `auto` (detect from names and headers). */
export const FORMAT_OPTIONS = ['auto', ...DATASET_FORMATS] as const;

/** What to do with an invalid record: refuse the file (`fail`, the default) or drop the line (`skip`). */
export const ON_INVALID = ['fail', 'skip'] as const;

/** Whether a representation can see context. Static: one vector per word type. */
export const REPRESENTATION_KINDS = ['static', 'contextual'] as const;

/** Where the accuracy threshold came from (`probe`: the probe's probability 0.5). */
export const THRESHOLD_SOURCES = ['train', 'cv', 'none', 'probe'] as const;

/**
 * How a summary row turns a pair into a score: the cosine of its two vectors, or the probability of
 * a logistic-regression probe trained on the train split's vector pairs (src/metrics/probe.ts).
 */
export const SCORINGS = ['cosine', 'probe'] as const;

/**
 * Anisotropy corrections scored beside the raw cosines (Mu & Viswanath 2018; Timkey & van Schijndel
 * 2021): none, mean-centering, per-dimension z-scores, all-but-the-top (centering, then removing the
 * top principal components). Statistics are fitted on the train split's occurrences, unlabelled.
 */
export const NORMALIZATIONS = ['none', 'center', 'zscore', 'abtt'] as const;

/** How a dataset's normalization statistics were fitted: on its train split, or on all its occurrences. */
export const NORMALIZATION_FITS = ['train', 'transductive'] as const;

/**
 * Which representations compare.csv compares on each split: `baselines-and-neighbours` (the
 * default; their number grows linearly with the representations) each against the best static
 * representation of the split, against each static `target`, and against its model's previous
 * representation (the neighbouring layer); `all-pairs` every two (`sensebench run --all-comparisons`).
 */
export const COMPARISON_RULES = ['baselines-and-neighbours', 'all-pairs'] as const;
