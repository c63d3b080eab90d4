/**
 * The one declaration of dataset format names and split names. Types, zod schemas, commander
 * choices and the loader registry all derive from these arrays, so adding a format is one edit here
 * (plus its loader).
 */
import { z } from 'zod';

/** Every `--format` a loader exists for, in `--format auto` detection order (specific formats first). */
export const DATASET_FORMATS = [
  'wic',
  'superglue',
  'tempowic',
  'mclwic',
  'scws',
  'cosimlex',
  'am2ico',
  'dwug',
  'tsv',
  'jsonl',
  'csv',
] as const;
export type DatasetFormat = (typeof DATASET_FORMATS)[number];

/** `--format` choices: a format, or `auto` (detect from names and headers). */
export const FORMAT_OPTIONS = ['auto', ...DATASET_FORMATS] as const;
export type FormatOption = (typeof FORMAT_OPTIONS)[number];

/** Split names in canonical order; datasets without splits use `all`. */
export const SPLIT_NAMES = ['train', 'dev', 'test', 'all'] as const;
export type SplitName = (typeof SPLIT_NAMES)[number];

export const datasetFormatSchema = z.enum(DATASET_FORMATS);
export const formatOptionSchema = z.enum(FORMAT_OPTIONS);
export const splitNameSchema = z.enum(SPLIT_NAMES);

/** What to do with an invalid record: refuse the file (`fail`, the default) or drop the line (`skip`). */
export const ON_INVALID = ['fail', 'skip'] as const;
export type OnInvalid = (typeof ON_INVALID)[number];
export const onInvalidSchema = z.enum(ON_INVALID);

/** The default `--max-invalid`: with `--on-invalid skip`, more than 1% of records skipped refuses the dataset. */
export const DEFAULT_MAX_INVALID = 0.01;
