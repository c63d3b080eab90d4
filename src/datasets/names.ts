/**
 * Dataset names that become file names (`pairs/<dataset>-<split>.csv`): made of safe characters,
 * and distinct within a run, so that two datasets can never overwrite each other's results and no
 * name can point outside the output directory.
 */
import { basename, dirname, extname, resolve } from 'node:path';
import { fileNameKey, nameProblem, safeName } from '../io/names.js';
import { quote } from '../errors.js';
import { InputError } from '../types.js';

export { safeName } from '../io/names.js';

/** The name a dataset path gets by default: its base name without format extensions. */
function baseDatasetName(path: string): string {
  let name = basename(path.replace(/[\\/]+$/, ''));
  for (const suffix of ['.data.txt', '.data.jl', '.data']) if (name.toLowerCase().endsWith(suffix)) return name.slice(0, -suffix.length);
  const extension = extname(name);
  if (extension !== '' && extension !== name) name = name.slice(0, -extension.length);
  return name;
}

/** Derived dataset names: one safe name per path (same order), and a note for each path renamed to stay distinct. */
export interface DerivedNames {
  readonly names: readonly string[];
  readonly notes: readonly string[];
}

/**
 * Gives each dataset path a distinct safe name: its base name (`valid.txt` -> `valid`); when two
 * paths share one, each of them is prefixed with its parent folder (`danish_da/valid.txt` ->
 * `danish_da-valid`) and a note says so. Paths whose names still collide (`a/x/valid.txt` and
 * `b/x/valid.txt`) are an {@link InputError} naming both files.
 */
export function deriveDatasetNames(paths: readonly string[]): DerivedNames {
  const base = paths.map((path) => safeName(baseDatasetName(path)));
  // Counted case-insensitively: `Mine.csv` and `mine.csv` would share files on macOS or Windows.
  const count = new Map<string, number>();
  for (const name of base) count.set(fileNameKey(name), (count.get(fileNameKey(name)) ?? 0) + 1);
  const notes: string[] = [];
  const names = paths.map((path, index) => {
    const name = base[index]!;
    if (count.get(fileNameKey(name)) === 1) return name;
    const parent = basename(dirname(resolve(path)));
    const renamed = safeName(parent === '' ? name : `${parent}-${name}`);
    notes.push(`dataset ${path} is named "${renamed}" (another dataset is also called "${name}")`);
    return renamed;
  });
  const first = new Map<string, { path: string; name: string }>();
  names.forEach((name, index) => {
    const problem = nameProblem(name);
    if (problem !== null) throw new InputError(`dataset ${quote(paths[index]!)} would be named ${quote(name)}, which becomes part of file names: ${problem}; name it with --dataset NAME=PATH`);
    const earlier = first.get(fileNameKey(name));
    if (earlier !== undefined) {
      const named = earlier.name === name ? `would both be named "${name}"` : `would be named "${earlier.name}" and "${name}", one name on a case-insensitive file system`;
      throw new InputError(`datasets ${earlier.path} and ${paths[index]!} ${named}; name one with --dataset NAME=PATH`);
    }
    first.set(fileNameKey(name), { path: paths[index]!, name });
  });
  return { names, notes };
}
