/**
 * The zod schemas of the dataset vocabularies (format, `--format`, split, `--on-invalid`) and the
 * loaders' defaults. The names themselves are declared once, in src/vocabulary.ts.
 */
import { z } from 'zod';
import { DATASET_FORMATS, FORMAT_OPTIONS, ON_INVALID, SPLIT_NAMES } from '../vocabulary.js';

export { DATASET_FORMATS, FORMAT_OPTIONS, ON_INVALID, SPLIT_NAMES } from '../vocabulary.js';
export type { DatasetFormat, OnInvalid, SplitName } from '../types.js';
export type FormatOption = (typeof FORMAT_OPTIONS)[number];

export const datasetFormatSchema = z.enum(DATASET_FORMATS);
export const formatOptionSchema = z.enum(FORMAT_OPTIONS);
export const splitNameSchema = z.enum(SPLIT_NAMES);
export const onInvalidSchema = z.enum(ON_INVALID);

/** The default `--max-invalid`: with `--on-invalid skip`, more than 1% of records skipped refuses the dataset. */
export const DEFAULT_MAX_INVALID = 0.01;
