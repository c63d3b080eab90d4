/**
 * Dataset registry: the built-in datasets by name, every format loader, and `--format auto`
 * detection (the first loader whose `detect` accepts the path wins, so specific formats come
 * before the generic JSONL/CSV ones).
 */
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { InputError, type Dataset, type DatasetFormat, type DatasetLoader, type LoadOptions } from '../types.js';
import { csvLoader, jsonlLoader } from './generic.js';
import { mclWicLoader } from './mclwic.js';
import { scwsLoader } from './scws.js';
import { superGlueLoader } from './superglue.js';
import { tsvLoader } from './tsv.js';
import { wicLoader } from './wic.js';

/** Loaders in detection order: specific formats first. */
export const LOADERS: readonly DatasetLoader[] = [wicLoader, superGlueLoader, mclWicLoader, scwsLoader, tsvLoader, jsonlLoader, csvLoader];

import { PROJECT_ROOT } from '../config.js';

/** Built-in datasets: name -> path and format, relative to the project root. */
export const BUILTIN_DATASETS: Readonly<Record<string, { readonly path: string; readonly format: DatasetFormat }>> = {
  lesson: { path: 'datasets/lesson/lesson.csv', format: 'csv' },
  'wordnet-wic': { path: 'datasets/wordnet-wic', format: 'wic' },
};

/** Built-in datasets whose files are present (a dataset lands with its own issue). */
export function availableBuiltinDatasets(): string[] {
  return Object.entries(BUILTIN_DATASETS)
    .filter(([, { path }]) => existsSync(join(PROJECT_ROOT, path)))
    .map(([name]) => name);
}

export type FormatOption = DatasetFormat | 'auto';

/**
 * Loads a dataset by built-in name or path. With `format: 'auto'` the format is chosen from file
 * names and headers; an explicit format is used as given.
 */
export async function loadDataset(
  nameOrPath: string,
  options: LoadOptions & { readonly format?: FormatOption } = {},
): Promise<Dataset> {
  const builtin = BUILTIN_DATASETS[nameOrPath];
  if (builtin) {
    return loaderFor(builtin.format).load(join(PROJECT_ROOT, builtin.path), { ...options, name: options.name ?? nameOrPath });
  }
  const path = resolve(nameOrPath);
  if (!existsSync(path)) {
    const names = Object.keys(BUILTIN_DATASETS).join(', ');
    throw new InputError(`${nameOrPath}: no such file or directory, and not a built-in dataset (${names})`);
  }
  const format = options.format ?? 'auto';
  if (format !== 'auto') return loaderFor(format).load(nameOrPath, options);
  for (const loader of LOADERS) {
    if (await loader.detect(nameOrPath)) return loader.load(nameOrPath, options);
  }
  throw new InputError(
    `${nameOrPath}: cannot tell the dataset format from its name or header; pass --format (${LOADERS.map((l) => l.format).join('|')})`,
  );
}

function loaderFor(format: DatasetFormat): DatasetLoader {
  const loader = LOADERS.find((candidate) => candidate.format === format);
  if (!loader) throw new InputError(`unknown format "${format}" (known: ${LOADERS.map((l) => l.format).join(', ')})`);
  return loader;
}
