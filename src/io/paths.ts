/** File-system questions the loaders, caches and reports ask: does a path exist, is it a directory, what is in it. */
import type { Dirent } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';

/** True when `path` exists (file or directory). */
export async function pathExists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}

/** True when `path` is a directory. */
export async function isDirectory(path: string): Promise<boolean> {
  return stat(path).then(
    (info) => info.isDirectory(),
    () => false,
  );
}

/** The entries of a directory; none when it does not exist (any other failure is thrown). */
export async function listDirectory(path: string): Promise<Dirent[]> {
  try {
    return await readdir(path, { withFileTypes: true });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
}
