/**
 * Reading a results directory back, file by file as ./layout.ts declares it, into the
 * {@link RunResult} it was written from, through the same tables and schemas that wrote it.
 * `sensebench report` re-renders from this, `sensebench score` re-scores the pairs. Numbers
 * round-trip exactly because results hold only numbers rounded as the CSVs print them.
 */
import { readFile } from 'node:fs/promises';
import { isAbsolute, join } from 'node:path';
import { PROJECT_ROOT } from '../config.js';
import { BUILTIN_DATASETS, loadDataset } from '../datasets/index.js';
import { quote } from '../errors.js';
import { parseJsonAt } from '../io/json.js';
import { pathExists } from '../io/paths.js';
import { InputError, type Dataset, type PairResult, type SentencePair, type SplitName, type SplitPairs } from '../types.js';
import { runJsonSchema, type RunJson } from './json-schemas.js';
import { RUN_FILES, RUN_JSON, RUN_ROWS_FIELDS, SPLIT_FILES, SUMMARY_CSV, type RunFile, type RunRowsField } from './layout.js';
import { readPairs, type PairsExpectation } from './pairs.js';
import type { RunContext, RunResult, SplitResult } from './run-result.js';
import { cosineColumns, summaryTable, wordsTable, type ThroughputRow } from './schema.js';

/** A results directory read back. */
export interface LoadedResults {
  readonly result: RunResult;
  /** Datasets whose sentences could not be restored (files changed or missing), with the reason. */
  readonly notes: string[];
}

async function readOptional(path: string): Promise<string | null> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
}

async function readRequired(path: string): Promise<string> {
  const text = await readOptional(path);
  if (text === null) throw new InputError(`${path}: missing; run \`sensebench run\` (or \`npm run bench\`) first`);
  return text;
}

function parseRunJson(path: string, text: string): RunJson {
  const parsed = runJsonSchema.safeParse(parseJsonAt(text, { file: path, line: 1 }));
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new InputError(`not a sensebench run.json: ${issue ? issue.path.join('.') : ''}: ${issue?.message ?? 'invalid'}`, { file: path, line: 1 });
  }
  return parsed.data;
}

/** run.json of `dir`, parsed and checked. */
export async function readRunJson(dir: string): Promise<RunJson> {
  const path = join(dir, RUN_JSON);
  return parseRunJson(path, await readRequired(path));
}

/** The pairs and stored cosines of every split of a finished run: what `sensebench score` re-scores. */
export async function readSplitPairs(dir: string, run: RunJson): Promise<SplitPairs[]> {
  const columns = cosineColumns(run.context.models, run.context.normalizations);
  const splits: SplitPairs[] = [];
  for (const split of run.splits) {
    const path = join(dir, SPLIT_FILES.pairs(split));
    const expect: PairsExpectation = {
      columns,
      written: split.columns === undefined ? null : new Set(split.columns),
      pairs: run.context.datasets.find((dataset) => dataset.name === split.dataset)?.pairs[split.split],
    };
    splits.push({ dataset: split.dataset, split: split.split, pairs: readPairs(path, await readRequired(path), split.split, expect) });
  }
  return splits;
}

/** The rows of one run-wide file of `dir`; none when the file does not exist. */
async function readRunFile<Row>(dir: string, file: RunFile<Row>): Promise<Row[]> {
  const path = join(dir, file.path);
  const text = await readOptional(path);
  return text === null ? [] : file.format.read(path, text);
}

/** The given run-wide fields of `dir`, each read from its file of {@link RUN_FILES} (a missing file reads as no rows). */
export async function readRunFiles<Field extends RunRowsField>(dir: string, fields: readonly Field[]): Promise<Pick<RunResult, Field>> {
  const result: Record<string, unknown> = {};
  for (const field of fields) {
    const file = RUN_FILES[field] as RunFile<unknown>;
    const rows = await readRunFile(dir, file);
    if (rows.length > 0 || file.optional !== true) result[field] = rows;
  }
  return result as Pick<RunResult, Field>;
}

/** Rows of `<dir>/throughput.csv`; empty when the file does not exist (no benchmark was run). */
export async function readThroughput(dir: string): Promise<ThroughputRow[]> {
  return readRunFile(dir, RUN_FILES.throughput);
}

/**
 * Reads the files a run wrote under `dir` and rebuilds the {@link RunResult} they were rendered
 * from. The CSVs keep ids and labels but not sentences: they are restored from the datasets named in
 * run.json when those still have the recorded sha256 (else a note says why not, and reports show ids
 * and words only).
 *
 * @throws InputError naming `file:line` for a missing file, a missing column or a malformed value.
 */
export async function loadResults(dir: string): Promise<LoadedResults> {
  const run = await readRunJson(dir);
  const summaryPath = join(dir, SUMMARY_CSV);
  const summary = summaryTable.fromCsv(summaryPath, await readRequired(summaryPath));
  const pairsBySplit = await readSplitPairs(dir, run);
  const splits: SplitResult[] = [];
  for (const [index, split] of run.splits.entries()) {
    const wordsPath = join(dir, SPLIT_FILES.words(split));
    const wordsText = await readOptional(wordsPath);
    splits.push({
      ...split,
      pairs: pairsBySplit[index]!.pairs,
      scores: summary.filter((row) => row.dataset === split.dataset && row.split === split.split),
      words: wordsText === null ? [] : wordsTable.fromCsv(wordsPath, wordsText),
    });
  }
  const notes = await restoreSentences(run.context, splits);
  const result: RunResult = {
    context: run.context,
    splits,
    ...(await readRunFiles(dir, RUN_ROWS_FIELDS)),
    ...(run.timings === undefined ? {} : { timings: run.timings }),
  };
  return { result, notes };
}

/**
 * Puts the original pairs (sentences, spans, sources) back into re-read splits from each dataset
 * whose files still have the sha256 run.json recorded, so a re-rendered report shows the same example
 * sentences. Returns one note per dataset that could not be restored.
 */
export async function restoreSentences(
  context: RunContext,
  splits: { readonly dataset: string; readonly split?: SplitName; readonly pairs: readonly PairResult[] }[],
  options: { readonly verify?: boolean } = {},
): Promise<string[]> {
  const notes: string[] = [];
  for (const info of context.datasets) {
    if (!splits.some((split) => split.dataset === info.name)) continue;
    let dataset: Dataset;
    try {
      dataset = await reloadDataset(info);
    } catch (error) {
      notes.push(`${info.name}: sentences not restored (${(error as Error).message})`);
      continue;
    }
    if (dataset.sha256 !== info.sha256) {
      notes.push(`${info.name}: sentences not restored (the dataset files changed since the run: sha256 differs)`);
      continue;
    }
    const byId = new Map<string, SentencePair>();
    for (const pairs of dataset.splits.values()) for (const pair of pairs) byId.set(pair.id, pair);
    splits.forEach((split, index) => {
      if (split.dataset !== info.name) return;
      const pairs = split.pairs.map((result) => {
        const original = byId.get(result.pair.id);
        if (options.verify === true) checkAgainstDataset(result.pair, original, info.name, split.split);
        return original === undefined ? result : { ...result, pair: original };
      });
      splits[index] = { ...split, pairs };
    });
  }
  return notes;
}

/** A pair read from a pairs CSV against the dataset's own: same split, word and gold, or an InputError at the CSV line. */
function checkAgainstDataset(read: SentencePair, original: SentencePair | undefined, dataset: string, split: SplitName | undefined): void {
  const label = (value: boolean | null): string => (value === null ? 'none' : value ? 'T' : 'F');
  if (original === undefined) throw new InputError(`id ${quote(read.id)} is not a pair of dataset ${dataset}`, read.source);
  if (split !== undefined && original.split !== split) throw new InputError(`id ${quote(read.id)} is a pair of ${dataset}/${original.split}, not of ${split}`, read.source);
  if (original.word !== read.word) throw new InputError(`id ${quote(read.id)}: word ${quote(read.word)}, but the dataset says ${quote(original.word)}`, read.source);
  if (original.label !== read.label) throw new InputError(`id ${quote(read.id)}: label ${label(read.label)}, but the dataset says ${label(original.label)}`, read.source);
  if (original.score !== read.score) throw new InputError(`id ${quote(read.id)}: score ${String(read.score ?? 'none')}, but the dataset says ${String(original.score ?? 'none')}`, read.source);
}

async function reloadDataset(info: RunContext['datasets'][number]): Promise<Dataset> {
  if (info.name in BUILTIN_DATASETS) return loadDataset(info.name);
  if (info.files.length !== 1) throw new Error(`${info.files.length} files; only single-file custom datasets are reloaded`);
  const file = info.files[0]!;
  for (const candidate of isAbsolute(file) ? [file] : [file, join(PROJECT_ROOT, file)]) {
    if (await pathExists(candidate)) return loadDataset(candidate, { format: info.format, name: info.name });
  }
  throw new Error(`${file}: not found`);
}
