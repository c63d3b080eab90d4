/**
 * The dataset-side command-line values, parsed once for the CLI: `--column FIELD=NAME`,
 * `--on-invalid fail|skip`, `--max-invalid SHARE` (`1%`, `0.5%` or `0.01`) and `--dwug-binarize T`
 * (a judgment 1-4), turned into {@link LoadOptions} fields or an {@link InputError} naming the flag.
 */
import { InputError, type LoadOptions } from '../types.js';
import { ON_INVALID, onInvalidSchema } from './formats.js';

/** Raw flag values as commander hands them over (absent = default). */
export interface LoadFlags {
  /** `--column FIELD=NAME`, repeated. */
  readonly column?: readonly string[];
  readonly onInvalid?: string;
  readonly maxInvalid?: string;
  readonly dwugBinarize?: string;
}

/** A share as a percentage (`1%`) or a fraction (`0.01`), within 0-1. */
export function parseShare(raw: string, flag: string): number {
  const match = /^\s*(\d+(?:\.\d+)?|\.\d+)\s*(%?)\s*$/.exec(raw);
  const value = match ? Number(match[1]) / (match[2] === '%' ? 100 : 1) : Number.NaN;
  if (!(value >= 0 && value <= 1)) throw new InputError(`${flag} must be a share such as 1% or 0.01 (0-100%), got "${raw}"`);
  return value;
}

/** `--column label=same` pairs -> a column map for the generic loaders. */
export function parseColumns(values: readonly string[]): Record<string, string> {
  const columns: Record<string, string> = {};
  for (const value of values) {
    const match = /^([a-z0-9]+)=(.+)$/.exec(value);
    if (!match) throw new InputError(`--column expects FIELD=NAME (e.g. label=same), got "${value}"`);
    columns[match[1]!] = match[2]!;
  }
  return columns;
}

/** The {@link LoadOptions} fields the flags set. */
export function loadOptionsFromFlags(flags: LoadFlags): Pick<LoadOptions, 'columns' | 'onInvalid' | 'maxInvalid' | 'dwugBinarize'> {
  const options: { columns?: Record<string, string>; onInvalid?: LoadOptions['onInvalid']; maxInvalid?: number; dwugBinarize?: number } = {};
  if (flags.column !== undefined) options.columns = parseColumns(flags.column);
  if (flags.onInvalid !== undefined) {
    const parsed = onInvalidSchema.safeParse(flags.onInvalid);
    if (!parsed.success) throw new InputError(`--on-invalid must be one of ${ON_INVALID.join(', ')}, got "${flags.onInvalid}"`);
    options.onInvalid = parsed.data;
  }
  if (flags.maxInvalid !== undefined) options.maxInvalid = parseShare(flags.maxInvalid, '--max-invalid');
  if (flags.dwugBinarize !== undefined) {
    const value = /^\s*\d+(\.\d+)?\s*$/.test(flags.dwugBinarize) ? Number(flags.dwugBinarize) : Number.NaN;
    if (!(value >= 1 && value <= 4)) throw new InputError(`--dwug-binarize must be a judgment threshold in 1-4, got "${flags.dwugBinarize}"`);
    options.dwugBinarize = value;
  }
  return options;
}
