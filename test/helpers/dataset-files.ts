/** Test helpers for the dataset loaders: files written into a temp folder, and the message a load refuses with. */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'vitest';
import { loadDataset } from '../../src/datasets/index.js';
import { InputError } from '../../src/types.js';

/** A fresh temp folder and a function that writes `name` (with parent folders) into it, returning its path. */
export function tempFiles(prefix: string): { dir: string; fixture: (name: string, content: string) => string } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return {
    dir,
    fixture(name: string, content: string): string {
      const path = join(dir, name);
      mkdirSync(join(path, '..'), { recursive: true });
      writeFileSync(path, content);
      return path;
    },
  };
}

/** The InputError message loading `path` ends in; fails the test when it loads or throws anything else. */
export async function loadError(path: string, options: Parameters<typeof loadDataset>[1] = {}): Promise<string> {
  try {
    await loadDataset(path, options);
  } catch (error) {
    expect(error).toBeInstanceOf(InputError);
    return (error as Error).message;
  }
  throw new Error(`${path} loaded without error`);
}
