/**
 * The dataset vocabularies as the loaders use them (formats, `--format`, splits, `--on-invalid`
 * with its zod schema) and the loaders' defaults. The names themselves are declared once, in
 * src/vocabulary.ts.
 */
import { z } from 'zod';
import { FORMAT_OPTIONS, ON_INVALID } from '../vocabulary.js';

export { DATASET_FORMATS, FORMAT_OPTIONS, ON_INVALID, SPLIT_NAMES } from '../vocabulary.js';
export type { DatasetFormat, OnInvalid, SplitName } from '../types.js';
export type FormatOption = (typeof FORMAT_OPTIONS)[number];

export const onInvalidSchema = z.enum(ON_INVALID);

/** The default `--max-invalid`: with `--on-invalid skip`, more than 1% of records skipped refuses the dataset. */
export const DEFAULT_MAX_INVALID = 0.01;
