/**
 * Dataset registry: the built-in datasets as data, every format loader (in the detection order
 * of `DATASET_FORMATS`), `--format auto` detection (the first loader whose `detect` accepts the
 * path wins). The names under which datasets become file names live in names.ts (re-exported).
 */
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { InputError, type Dataset, type DatasetFormat, type DatasetLoader, type LoadOptions } from '../types.js';
import { am2icoLoader } from './am2ico.js';
import { cosimlexLoader } from './cosimlex.js';
import { dwugLoader } from './dwug.js';
import { DATASET_FORMATS, type FormatOption } from './formats.js';
import { csvLoader, GENERIC_FIELDS, jsonlLoader } from './generic.js';
import { mclWicLoader } from './mclwic.js';
import { scwsLoader } from './scws.js';
import { superGlueLoader } from './superglue.js';
import { tempoWicLoader } from './tempowic.js';
import { tsvLoader } from './tsv.js';
import { wicLoader } from './wic.js';

export type { FormatOption } from './formats.js';
export { deriveDatasetNames, safeName, type DerivedNames } from './names.js';

const LOADER_BY_FORMAT: Readonly<Record<DatasetFormat, DatasetLoader>> = {
  wic: wicLoader,
  superglue: superGlueLoader,
  tempowic: tempoWicLoader,
  mclwic: mclWicLoader,
  scws: scwsLoader,
  cosimlex: cosimlexLoader,
  am2ico: am2icoLoader,
  dwug: dwugLoader,
  tsv: tsvLoader,
  jsonl: jsonlLoader,
  csv: csvLoader,
};

/** Loaders in detection order: specific formats first, the generic JSONL/CSV ones last. */
export const LOADERS: readonly DatasetLoader[] = DATASET_FORMATS.map((format) => LOADER_BY_FORMAT[format]);

import { PROJECT_ROOT } from '../config.js';

/** A built-in dataset, described once for the CLI, run.json and the reports. */
export interface BuiltinDataset {
  readonly name: string;
  /** Relative to the project root. */
  readonly path: string;
  readonly format: DatasetFormat;
  readonly license: string;
  /** One sentence for reports. */
  readonly description: string;
  /** Ids of pairs the reports show as worked examples (the lesson's bank and apple pairs). */
  readonly highlightPairs: readonly string[];
}

const BUILTINS: readonly BuiltinDataset[] = [
  {
    name: 'lesson',
    path: 'datasets/lesson/lesson.csv',
    format: 'csv',
    license: 'MIT',
    description: '240 original sentence pairs over 36 polysemous English words, with the lesson\'s two examples verbatim.',
    highlightPairs: ['lesson-bank', 'lesson-apple'],
  },
  {
    name: 'wordnet-wic',
    path: 'datasets/wordnet-wic',
    format: 'wic',
    license: 'WordNet 3.1 license (BSD-style, © Princeton University)',
    description: 'Word-in-context pairs generated from the example sentences of WordNet 3.1 glosses, split by lemma.',
    highlightPairs: [],
  },
];

/** Built-in datasets by name. */
export const BUILTIN_DATASETS: Readonly<Record<string, BuiltinDataset>> = Object.fromEntries(BUILTINS.map((dataset) => [dataset.name, dataset]));

/** Built-in datasets whose files are present (a dataset lands with its own issue). */
export function availableBuiltinDatasets(): string[] {
  return BUILTINS.filter(({ path }) => existsSync(join(PROJECT_ROOT, path))).map(({ name }) => name);
}

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
    const dataset = await loaderFor(builtin.format).load(join(PROJECT_ROOT, builtin.path), { ...options, name: options.name ?? nameOrPath });
    // What the registry says of a built-in travels with it into run.json and the reports.
    return { ...dataset, highlightPairs: builtin.highlightPairs, license: builtin.license, description: builtin.description };
  }
  const path = resolve(nameOrPath);
  if (!existsSync(path)) {
    const names = Object.keys(BUILTIN_DATASETS).join(', ');
    throw new InputError(`${nameOrPath}: no such file or directory, and not a built-in dataset (${names})`);
  }
  const format = options.format ?? 'auto';
  if (format !== 'auto') return withColumnsChecked(loaderFor(format), nameOrPath, options).load(nameOrPath, options);
  for (const loader of LOADERS) {
    if (await loader.detect(nameOrPath)) return withColumnsChecked(loader, nameOrPath, options).load(nameOrPath, options);
  }
  throw new InputError(
    `${nameOrPath}: cannot tell the dataset format from its name or header; pass --format (${DATASET_FORMATS.join('|')})`,
  );
}

/**
 * `--column FIELD=NAME` renames fields of the generic formats only: a mapping given for a dataset
 * read in another format, or for a field the generic formats do not have, is refused rather than
 * silently ignored.
 */
function withColumnsChecked(loader: DatasetLoader, path: string, options: LoadOptions): DatasetLoader {
  const fields = Object.keys(options.columns ?? {});
  if (fields.length === 0) return loader;
  if (loader.format !== 'csv' && loader.format !== 'jsonl') {
    throw new InputError(`--column ${fields[0]!}=…: ${path} is read as ${loader.format}, which has fixed fields; --column maps the fields of the generic csv and jsonl formats`);
  }
  const unknown = fields.find((field) => !(GENERIC_FIELDS as readonly string[]).includes(field));
  if (unknown !== undefined) throw new InputError(`--column ${unknown}=…: ${unknown} is not a field of the ${loader.format} format (fields: ${GENERIC_FIELDS.join(', ')})`);
  return loader;
}

/** The loader of a format. */
export function loaderFor(format: DatasetFormat): DatasetLoader {
  const loader = (LOADER_BY_FORMAT as Partial<Record<string, DatasetLoader>>)[format];
  if (!loader) throw new InputError(`unknown format "${format}" (known: ${DATASET_FORMATS.join(', ')})`);
  return loader;
}
