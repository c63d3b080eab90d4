/**
 * Whole-directory replacement: a set of files appears in a directory all at once or not at all.
 *
 * The new contents are written into a staging directory beside the target (same parent, so the
 * same file system), the entries of the old directory that the writer does not own (a user's own
 * files) are hard-linked into it, and then two renames swap it in: the old directory moves aside,
 * the staged one takes its name, and the old one is deleted. A reader that resolves the target
 * path sees the complete old directory or the complete new one (for the few microseconds between
 * the two renames, no directory at all), never a mix. A crash at any moment leaves a state the
 * next call of {@link recoverStagedDirectory} finishes (the staged directory is complete once the
 * old one has been moved aside) or rolls back (an incomplete staging directory is deleted).
 *
 * Why not a symlink swap (`out -> .out.v2`, replaced by renaming a new link over it), which has no
 * gap: the target would become a symlink, and results/ is committed to git and linked from the
 * lesson, where a link to a directory is not a directory. Why not one rename per file: a reader
 * (or a crash) between two of them sees a mix. Linux's `renameat2(RENAME_EXCHANGE)` would swap
 * without a gap, but Node does not expose it.
 *
 * Not covered: a power cut (files are not fsync'ed), and a reader that opens files one by one
 * across a swap (it reads from two directories; open the directory once and read through it).
 */
import { randomBytes, createHash } from 'node:crypto';
import { copyFile, link, lstat, mkdir, readdir, readlink, rename, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

/** One file of the new contents, `path` relative to the directory with `/` separators. */
export interface StagedFile {
  readonly path: string;
  readonly content: string | Uint8Array;
}

/** The moments of a replacement, in order (a test kills the process at each). */
export type StagedStep =
  | { readonly step: 'staging-created'; readonly staging: string }
  | { readonly step: 'file-written'; readonly path: string }
  | { readonly step: 'carried-over'; readonly name: string }
  | { readonly step: 'old-moved-aside' }
  | { readonly step: 'new-in-place' }
  | { readonly step: 'old-removed' };

/**
 * How much of an old entry the writer owns: `all` (replaced, never carried over), `none` (the
 * user's: carried over whole) or `partly` (a folder of both: its entries are asked about in turn;
 * a `partly` entry that is not a real directory, such as a planted symlink, is replaced).
 */
export type Ownership = 'all' | 'none' | 'partly';

export interface ReplaceOptions {
  /** Ownership of an entry of the old directory, by its relative path (`plots`, `plots/a.svg`). */
  readonly owns: (path: string) => Ownership;
  /** Called at each step (fault-injection tests). */
  readonly onStep?: (step: StagedStep) => void;
}

/** A file-system error while the new contents were staged (the old directory is untouched): its code and the file being written. */
export class DirectoryWriteError extends Error {
  override readonly name = 'DirectoryWriteError';
  constructor(
    readonly code: string,
    /** The output path (relative) being written, or '' before the first file. */
    readonly path: string,
    override readonly cause: Error,
  ) {
    super(`${code} writing ${path === '' ? 'the staging directory' : path}: ${cause.message}`);
  }
}

/** Marks the names of the staging (`.new`) and moved-aside (`.old`) directories of one replacement. */
const MARK = 'sensebench';

/** The common prefix of every staging and moved-aside name of `target` (kept short for long names). */
function stagingPrefix(target: string): string {
  const base = basename(target);
  const short = base.length > 120 ? `${base.slice(0, 60)}~${createHash('sha256').update(base).digest('hex').slice(0, 16)}` : base;
  return `.${short}.${MARK}-`;
}

const STAGED_NAME = /^(\d+)-([0-9a-f]+)\.(new|old)$/;

/** True while process `pid` exists (EPERM: it exists, owned by someone else). */
function isAlive(pid: number): boolean {
  if (pid === process.pid) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

async function exists(path: string): Promise<boolean> {
  return lstat(path).then(
    () => true,
    () => false,
  );
}

/**
 * Finishes or rolls back replacements of `target` that a killed process left behind, and removes
 * their staging directories; replacements of live processes are left alone. Returns one line per
 * action taken.
 */
export async function recoverStagedDirectory(target: string): Promise<string[]> {
  const parent = dirname(target);
  const prefix = stagingPrefix(target);
  let names: string[];
  try {
    names = await readdir(parent);
  } catch {
    return [];
  }
  const tokens = new Map<string, { pid: number; new?: string; old?: string }>();
  for (const name of names) {
    if (!name.startsWith(prefix)) continue;
    const match = STAGED_NAME.exec(name.slice(prefix.length));
    if (match === null) continue;
    const token = `${match[1]!}-${match[2]!}`;
    const entry = tokens.get(token) ?? { pid: Number(match[1]) };
    entry[match[3] as 'new' | 'old'] = join(parent, name);
    tokens.set(token, entry);
  }
  const actions: string[] = [];
  for (const entry of tokens.values()) {
    if (isAlive(entry.pid)) continue;
    if (entry.old !== undefined && !(await exists(target))) {
      // Killed between the two renames: the staged directory is complete (it is moved in only
      // after every file was written), so the swap is finished; without it, the old one returns.
      if (entry.new !== undefined) {
        await rename(entry.new, target);
        actions.push(`${target}: finished the replacement a killed run had started`);
      } else {
        await rename(entry.old, target);
        actions.push(`${target}: restored the previous results a killed run had moved aside`);
        continue;
      }
    } else if (entry.new !== undefined) {
      await rm(entry.new, { recursive: true, force: true });
      actions.push(`${target}: removed the incomplete output of a killed run (${basename(entry.new)})`);
    }
    if (entry.old !== undefined) await rm(entry.old, { recursive: true, force: true });
  }
  return actions;
}

/** Hard-links (or, across devices or where links are refused, copies) `from` into `to`, recursively; symlinks are recreated, never followed. */
async function carryOver(from: string, to: string): Promise<void> {
  const info = await lstat(from);
  if (info.isSymbolicLink()) {
    await symlink(await readlink(from), to);
  } else if (info.isDirectory()) {
    await mkdir(to, { mode: info.mode & 0o7777 });
    for (const name of await readdir(from)) await carryOver(join(from, name), join(to, name));
  } else if (info.isFile()) {
    try {
      await link(from, to);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code !== 'EXDEV' && code !== 'EPERM' && code !== 'EMLINK') throw error;
      await copyFile(from, to);
    }
  }
  // Sockets, FIFOs and devices are not results: left out.
}

/** Checks a relative output path: `/`-separated, no empty, `.` or `..` component, not absolute. */
function checkRelative(path: string): void {
  const parts = path.split('/');
  if (path.startsWith('/') || path.includes('\\') || parts.some((part) => part === '' || part === '.' || part === '..')) {
    throw new Error(`internal error: output path ${JSON.stringify(path)} is not a plain relative path`);
  }
}

/**
 * Replaces the directory `target` (created when absent) by exactly `files` plus the entries of the
 * old directory that `options.owns` does not claim, atomically as seen by a reader (see the file
 * comment). `target` must not be a symlink (resolve it first). Every error before the swap leaves
 * the old directory untouched and removes the staging directory.
 */
export async function replaceDirectory(target: string, files: readonly StagedFile[], options: ReplaceOptions): Promise<void> {
  const seen = new Map<string, string>();
  for (const file of files) {
    checkRelative(file.path);
    // Two paths that differ only in case are one file on a case-insensitive file system.
    const key = file.path.normalize('NFC').toLowerCase();
    const other = seen.get(key);
    if (other !== undefined) throw new Error(`internal error: two output files ${JSON.stringify(other)} and ${JSON.stringify(file.path)} would be one file on a case-insensitive file system`);
    seen.set(key, file.path);
  }
  const parent = dirname(target);
  const token = `${process.pid}-${randomBytes(6).toString('hex')}`;
  const staging = join(parent, `${stagingPrefix(target)}${token}.new`);
  const aside = join(parent, `${stagingPrefix(target)}${token}.old`);
  const old = await stat(target).catch((error: unknown) => {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  });
  let writing = '';
  try {
    await mkdir(parent, { recursive: true });
    await mkdir(staging, { mode: old === null ? 0o777 : old.mode & 0o7777 });
    options.onStep?.({ step: 'staging-created', staging });
    const made = new Set<string>();
    for (const file of files) {
      writing = file.path;
      const folder = dirname(file.path);
      if (folder !== '.' && !made.has(folder)) {
        await mkdir(join(staging, folder), { recursive: true });
        made.add(folder);
      }
      // `wx`: never write through anything already there.
      await writeFile(join(staging, file.path), file.content, { flag: 'wx' });
      options.onStep?.({ step: 'file-written', path: file.path });
    }
    if (old !== null) {
      const carryFolder = async (folder: string): Promise<void> => {
        for (const name of await readdir(join(target, folder))) {
          const path = folder === '' ? name : `${folder}/${name}`;
          const ownership = options.owns(path);
          if (ownership === 'all' || seen.has(path.normalize('NFC').toLowerCase())) continue;
          if (ownership === 'partly') {
            // Only a real folder is looked into: a symlink in its place is never followed.
            if ((await lstat(join(target, path))).isDirectory()) {
              await mkdir(join(staging, path), { recursive: true });
              await carryFolder(path);
            }
            continue;
          }
          writing = path;
          await carryOver(join(target, path), join(staging, path));
          options.onStep?.({ step: 'carried-over', name: path });
        }
      };
      await carryFolder('');
    }
  } catch (error) {
    await rm(staging, { recursive: true, force: true }).catch(() => undefined);
    const code = (error as NodeJS.ErrnoException).code;
    throw code === undefined ? error : new DirectoryWriteError(code, writing, error as Error);
  }
  if (old === null) {
    await rename(staging, target);
    options.onStep?.({ step: 'new-in-place' });
    return;
  }
  await rename(target, aside);
  options.onStep?.({ step: 'old-moved-aside' });
  await rename(staging, target);
  options.onStep?.({ step: 'new-in-place' });
  await rm(aside, { recursive: true, force: true });
  options.onStep?.({ step: 'old-removed' });
}
