/**
 * From `--dataset` specs to uniquely named datasets. A spec is a built-in name, a path, or
 * `NAME=PATH`. A dataset's name becomes part of file paths (pairs/<name>-<split>.csv), so names are
 * limited to safe characters, and two datasets of one run never share one: a derived name that
 * collides gets its parent folder as a prefix (`danish_da/valid.txt` -> `danish_da-valid`), and a
 * run whose names still collide is refused naming both files.
 */
import { existsSync } from 'node:fs';
import { basename, dirname, resolve } from 'node:path';
import { isSafeName, safeName } from '../io/names.js';
import { InputError, type Dataset } from '../types.js';
import { BUILTIN_DATASETS, loadDataset, type FormatOption } from './index.js';

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
  if (!isSafeName(name)) {
    throw new InputError(`--dataset ${spec}: the name "${name}" becomes part of file names; use only letters, digits, ".", "_" and "-" (not "." or "..")`);
  }
  return { name, target: match[2]! };
}

export interface LoadedDatasets {
  readonly datasets: Dataset[];
  /** Names sensebench chose or changed, and why. */
  readonly notes: string[];
}

/**
 * Loads every spec (each validated completely before any model runs) and gives each dataset a
 * unique, safe name: explicit names as given; derived names made safe, and prefixed with their
 * parent folder when they collide.
 *
 * Names that still collide are refused by the pipeline (src/pipeline/index.ts `checkDatasetNames`).
 *
 * @throws InputError for a bad spec or a bad file.
 */
export async function loadDatasetSpecs(specs: readonly string[], options: { readonly format?: FormatOption; readonly columns?: Readonly<Record<string, string>> }): Promise<LoadedDatasets> {
  const notes: string[] = [];
  const loaded: { dataset: Dataset; explicit: boolean; target: string }[] = [];
  for (const spec of specs) {
    const parsed = parseDatasetSpec(spec);
    const dataset = await loadDataset(parsed.target, { ...options, ...(parsed.name === undefined ? {} : { name: parsed.name }) });
    let named = dataset;
    if (parsed.name === undefined && !isSafeName(dataset.name)) {
      named = { ...dataset, name: safeName(dataset.name) };
      notes.push(`${parsed.target}: named "${named.name}" (the derived name "${dataset.name}" has characters unsafe in file names)`);
    }
    loaded.push({ dataset: named, explicit: parsed.name !== undefined, target: parsed.target });
  }
  const count = (name: string): number => loaded.filter((entry) => entry.dataset.name === name).length;
  const renamed = loaded.map((entry) => {
    if (entry.explicit || entry.target in BUILTIN_DATASETS || count(entry.dataset.name) === 1) return entry.dataset;
    const parent = basename(dirname(resolve(entry.target)));
    const name = safeName(`${parent}-${entry.dataset.name}`);
    notes.push(`${entry.target}: named "${name}" (another dataset of this run is also "${entry.dataset.name}"); choose a name with --dataset NAME=PATH`);
    return { ...entry.dataset, name };
  });
  return { datasets: renamed, notes };
}
