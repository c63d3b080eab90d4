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
