/**
 * The closed vocabularies of sensebench as const arrays: split names, dataset formats,
 * representation kinds, threshold sources. Types, zod schemas, commander choices and the results
 * schema all use these arrays, so a new format or split is added in one place.
 */

/** Names of splits, in canonical order. Datasets without splits use `all`. */
export const SPLIT_NAMES = ['train', 'dev', 'test', 'all'] as const;

/** Every dataset format sensebench reads (`--format` choices besides `auto`). */
export const DATASET_FORMATS = ['wic', 'jsonl', 'csv', 'superglue', 'mclwic', 'scws', 'tsv'] as const;

/** Whether a representation can see context. Static: one vector per word type. */
export const REPRESENTATION_KINDS = ['static', 'contextual'] as const;

/** Where the accuracy threshold came from. */
export const THRESHOLD_SOURCES = ['train', 'cv', 'none'] as const;

/**
 * Anisotropy corrections scored beside the raw cosines (Mu & Viswanath 2018; Timkey & van Schijndel
 * 2021): none, mean-centering, per-dimension z-scores, all-but-the-top (centering, then removing the
 * top principal components). Statistics are fitted on the train split's occurrences, unlabelled.
 */
export const NORMALIZATIONS = ['none', 'center', 'zscore', 'abtt'] as const;

/** How a dataset's normalization statistics were fitted: on its train split, or on all its occurrences. */
export const NORMALIZATION_FITS = ['train', 'transductive'] as const;
