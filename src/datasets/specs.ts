/**
 * From `--dataset` specs to uniquely named datasets. A spec is a built-in name, a path, or
 * `NAME=PATH`. A dataset's name becomes part of file paths (pairs/<name>-<split>.csv), so an
 * explicit NAME must be safe, and derived names come from {@link deriveDatasetNames} (distinct
 * within the run: colliding base names get their parent folder as a prefix, with a note).
 */
import { existsSync } from 'node:fs';
import { nameProblem } from '../io/names.js';
import { quote } from '../errors.js';
import { InputError, type Dataset, type LoadOptions } from '../types.js';
import { BUILTIN_DATASETS, availableBuiltinDatasets, loadDataset, type FormatOption } from './index.js';
import { loadOptionsFromFlags, type LoadFlags } from './options.js';
import { deriveDatasetNames } from './names.js';

/** One `--dataset` spec, parsed. */
export interface DatasetSpec {
  /** The name the user gave (`NAME=PATH`), if any. */
  readonly name?: string;
  /** A built-in dataset name or a path. */
  readonly target: string;
}

/** Parses `NAME=PATH`, a built-in name, or a path (an existing path with a `=` in it is not split). */
export function parseDatasetSpec(spec: string): DatasetSpec {
  const match = /^([^=]+)=(.+)$/.exec(spec);
  if (match === null || spec in BUILTIN_DATASETS || existsSync(spec)) return { target: spec };
  const name = match[1]!;
  const problem = nameProblem(name);
  if (problem !== null) throw new InputError(`--dataset ${quote(spec)}: the name ${quote(name)} becomes part of file names: ${problem}`);
  return { name, target: match[2]! };
}

export interface LoadedDatasets {
  readonly datasets: Dataset[];
  /** Names sensebench chose, and why. */
  readonly notes: string[];
}

/**
 * Loads every spec (each validated completely before any model runs): built-ins by their name,
 * `NAME=PATH` as named, other paths under the names {@link deriveDatasetNames} gives them. Names
 * that still collide (an explicit one equal to a derived one) are refused by the pipeline
 * (src/pipeline/index.ts `checkDatasetNames`), naming both files.
 *
 * @throws InputError for a bad spec, a bad file, or derived names that cannot be made distinct.
 */
export async function loadDatasetSpecs(specs: readonly string[], options: LoadOptions & { readonly format?: FormatOption }): Promise<LoadedDatasets> {
  const parsed = specs.map(parseDatasetSpec);
  const derivedIndex = parsed.flatMap((spec, index) => (spec.name === undefined && !(spec.target in BUILTIN_DATASETS) ? [index] : []));
  const derived = deriveDatasetNames(derivedIndex.map((index) => parsed[index]!.target));
  const names = new Map(derivedIndex.map((index, i) => [index, derived.names[i]!]));
  const datasets: Dataset[] = [];
  for (const [index, spec] of parsed.entries()) {
    const name = spec.name ?? names.get(index);
    datasets.push(await loadDataset(spec.target, { ...options, ...(name === undefined ? {} : { name }) }));
  }
  return { datasets, notes: [...derived.notes] };
}

/** The dataset flags of `sensebench run`, as commander hands them over (absent = default). */
export interface DatasetFlags extends LoadFlags {
  /** `--dataset` specs; none: every built-in dataset whose files are present. */
  readonly dataset?: readonly string[];
  readonly format?: FormatOption;
}

/** Loads the datasets the flags name, every flag parsed here (an {@link InputError} naming the flag when one is malformed). */
export async function loadDatasetFlags(flags: DatasetFlags): Promise<LoadedDatasets> {
  const specs = flags.dataset !== undefined && flags.dataset.length > 0 ? flags.dataset : availableBuiltinDatasets();
  return loadDatasetSpecs(specs, { ...(flags.format === undefined ? {} : { format: flags.format }), ...loadOptionsFromFlags(flags) });
}
