/**
 * The results directory (`--out`): what sensebench owns in it, the checks made before any
 * computation, and the one way results are written (src/io/staged-directory.ts: the whole
 * directory is replaced at once, so a kill, a full disk or a failing renderer never leaves a mix of
 * two runs).
 *
 * sensebench owns the top-level files in {@link RESULT_FILES} and the result files in the folders
 * of {@link RESULT_FOLDERS} (`pairs/*.csv`, `words/*.csv`, `plots/*.svg`): a run replaces all of
 * them (a file the new run does not write, such as throughput.csv after a run without `npm run
 * bench` or the chart of a split no longer in the run, is gone afterwards, since the new report does
 * not describe it). Every other entry of `--out` is the user's and is carried into the new directory
 * unchanged (hard links). A directory that holds other files but none of sensebench's is
 * refused, so that `--out .` or `--out ~` cannot move a user's directory around.
 */
import { constants } from 'node:fs';
import { access, lstat, readdir, realpath, stat } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { DirectoryWriteError, recoverStagedDirectory, replaceDirectory, type Ownership, type StagedFile, type StagedStep } from '../io/staged-directory.js';
import { InputError } from '../errors.js';
import { RESULT_PATHS, SPLIT_FOLDERS } from '../results/layout.js';

/** Top-level files a results directory may hold: the results (src/results/layout.ts) and the two reports. */
export const RESULT_FILES: readonly string[] = [...RESULT_PATHS, 'summary.md', 'index.html'];

/** Folders of a results directory, with the extension of the files sensebench owns in each: the per-split results and the charts. */
export const RESULT_FOLDERS: Readonly<Record<string, string>> = { ...SPLIT_FOLDERS, plots: '.svg' };

/** A temporary sibling that the per-file writer of earlier versions left when killed (`summary.csv.<pid>.<hex>.tmp`). */
const LEGACY_TEMP = /^(.+)\.\d+\.[0-9a-f]+\.tmp$/;

/**
 * How much of an existing entry of `--out` a run replaces: result files (and the temporary
 * siblings an interrupted older version left) all; a result folder partly (its result files are
 * replaced, anything else in it is the user's); everything else not at all.
 */
export function resultOwnership(path: string): Ownership {
  const [head, ...rest] = path.split('/');
  const name = rest.at(-1) ?? head!;
  const stem = LEGACY_TEMP.exec(name)?.[1] ?? name;
  if (rest.length === 0) {
    if (RESULT_FILES.includes(stem)) return 'all';
    return head! in RESULT_FOLDERS ? 'partly' : 'none';
  }
  const extension = RESULT_FOLDERS[head!];
  return rest.length === 1 && extension !== undefined && stem.endsWith(extension) ? 'all' : 'none';
}

/** True for a top-level entry that shows a directory holds sensebench results. */
function isResultEntry(name: string): boolean {
  return resultOwnership(name) !== 'none';
}

/** Checks that a rendered path belongs to the layout (a renderer writing elsewhere is a bug). */
function checkLayout(path: string): void {
  const [head, ...rest] = path.split('/');
  const ok = rest.length === 0 ? RESULT_FILES.includes(head!) : rest.length === 1 && resultOwnership(path) === 'all';
  if (!ok) throw new Error(`internal error: ${path} is not part of the results layout (src/reports/output-directory.ts)`);
}

function errorCode(error: unknown): string | undefined {
  return (error as NodeJS.ErrnoException).code;
}

async function canWrite(path: string): Promise<string | null> {
  try {
    await access(path, constants.W_OK | constants.X_OK);
    return null;
  } catch (error) {
    return errorCode(error) ?? String(error);
  }
}

const REASONS: Readonly<Record<string, string>> = {
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EROFS: 'read-only file system',
  ENOSPC: 'no space left on the device',
  EDQUOT: 'disk quota exceeded',
  ENAMETOOLONG: 'a file name is too long',
  EMFILE: 'too many open files',
};

function reason(code: string): string {
  const text = REASONS[code];
  return text === undefined ? code : `${text} (${code})`;
}

/**
 * Checks `--out` before any computation and returns the directory results will replace (a
 * symlink given as `--out` is followed: its target is replaced). Also finishes or rolls back a
 * replacement a killed run left there. Throws {@link InputError} when `out` is a file, lies under a
 * file, cannot be written, is a mount point, or holds other files but no results.
 */
export async function checkOutputDirectory(out: string): Promise<{ target: string; notes: string[] }> {
  const given = resolve(out);
  let target = given;
  const link = await lstat(given).catch(() => null);
  if (link?.isSymbolicLink() === true) {
    target = await realpath(given).catch(() => {
      throw new InputError(`--out ${out} is a symbolic link to a path that does not exist`);
    });
  }
  const notes = await recoverStagedDirectory(target);
  const info = await stat(target).catch((error: unknown) => {
    // ENOTDIR: some ancestor is a file, named below.
    if (errorCode(error) === 'ENOENT' || errorCode(error) === 'ENOTDIR') return null;
    throw new InputError(`--out ${out}: cannot use it (${reason(errorCode(error) ?? String(error))})`);
  });
  if (info !== null && !info.isDirectory()) throw new InputError(`--out ${out} is an existing file, not a directory; give a directory`);
  // The nearest existing ancestor must be a writable directory: the staging directory goes beside `target`.
  let ancestor = dirname(target);
  for (;;) {
    const ancestorInfo = await stat(ancestor).catch(() => null);
    if (ancestorInfo !== null) {
      if (!ancestorInfo.isDirectory()) throw new InputError(`--out ${out}: ${ancestor} is a file, not a directory`);
      break;
    }
    if (dirname(ancestor) === ancestor) break;
    ancestor = dirname(ancestor);
  }
  const parentProblem = await canWrite(ancestor);
  if (parentProblem !== null) throw new InputError(`--out ${out}: cannot write in ${ancestor} (${reason(parentProblem)}); results are written beside --out first, then moved in place`);
  if (info !== null) {
    const problem = await canWrite(target);
    if (problem !== null) throw new InputError(`--out ${out}: cannot write in it (${reason(problem)})`);
    const parentInfo = await stat(dirname(target));
    if (parentInfo.dev !== info.dev) throw new InputError(`--out ${out} is a mount point; give a directory inside it (results replace --out as a whole, which a mount point cannot be)`);
    const names = await readdir(target);
    if (names.length > 0 && !names.some(isResultEntry)) {
      throw new InputError(`--out ${out} already holds other files and no sensebench results (no run.json, summary.csv, pairs/, ...); give a new or empty directory`);
    }
  }
  return { target, notes };
}

/**
 * Replaces the results in `out` by `files` (paths relative to it), keeping the user's other
 * entries: the old results stay complete until the new ones are, then one swap puts them in place.
 * A full disk or a permission problem is an {@link InputError} (exit 2) and changes nothing.
 */
export async function writeResultsDirectory(out: string, files: readonly StagedFile[], onStep?: (step: StagedStep) => void): Promise<void> {
  for (const file of files) checkLayout(file.path);
  const { target } = await checkOutputDirectory(out);
  try {
    await replaceDirectory(target, files, { owns: resultOwnership, ...(onStep ? { onStep } : {}) });
  } catch (error) {
    if (error instanceof DirectoryWriteError) {
      throw new InputError(`--out ${out}: ${reason(error.code)} while writing ${error.path === '' ? 'the results' : error.path}; nothing was changed (the previous results, if any, are intact)`);
    }
    throw error;
  }
}
