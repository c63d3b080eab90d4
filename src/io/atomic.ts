/** Atomic file writes (temporary sibling, then rename): every result and cache file is written through here. */
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';

/**
 * Writes a file atomically: the bytes go to a temporary sibling first, then a rename replaces the
 * target, so a reader (or a crash) never sees a half-written report.
 */
export async function writeFileAtomic(path: string, data: string | Uint8Array): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  // Loaded on first write, not at import: node:crypto costs about 6 ms to load, which a read-only
  // `similarity` query (this module comes in with the GloVe cache) would otherwise pay.
  const { randomBytes } = await import('node:crypto');
  const temp = `${path}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  try {
    await writeFile(temp, data);
    await rename(temp, path);
  } catch (error) {
    await rm(temp, { force: true });
    throw error;
  }
}
