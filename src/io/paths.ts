/** File-system questions the loaders and caches ask: does a path exist, is it a directory. */
import { stat } from 'node:fs/promises';

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
