/**
 * Reading a results directory back: run.json, summary.csv, pairs/*.csv, words/*.csv and
 * throughput.csv into the {@link RunResult} they were rendered from, through the same schema tables
 * that wrote them. `sensebench report` re-renders from this, `sensebench score` re-scores the pairs.
 * Numbers round-trip exactly because results hold only numbers rounded as the CSVs print them.
 */
import { readFile } from 'node:fs/promises';
import { isAbsolute, join } from 'node:path';
import { runJsonSchema, senseProjectionsSchema, type RunJson, type SenseProjection } from './json-schemas.js';
import { PROJECT_ROOT } from '../config.js';
import { BUILTIN_DATASETS, loadDataset } from '../datasets/index.js';
import { parseJsonAt } from '../io/json.js';
import { pathExists } from '../io/paths.js';
import { InputError, type Dataset, type PairResult, type RepresentationKey, type SentencePair, type SplitName, type SplitPairs } from '../types.js';
import {
  compareSpearmanTable,
  compareTable,
  contextualityTable,
  cosimlexTable,
  cosineColumns,
  sensesTable,
  isRequiredColumn,
  summaryTable,
  throughputTable,
  wordsTable,
  type ComparisonRow,
  type ContextualityRow,
  type CosimlexRow,
  type SenseRow,
  type SpearmanComparisonRow,
  type ThroughputRow,
} from './schema.js';
import { parseCsv, readCell, unguardText } from './table.js';
import { quote } from '../errors.js';

import type { RunContext, RunResult, SplitResult } from './run-result.js';

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

/** The columns of a pairs CSV that are not scores. */
const PAIR_FIELDS = ['id', 'word', 'word2', 'same_word', 'label', 'score', 'truncated'];

/** What a pairs CSV must match, from run.json: the run's score columns, those this split's CSV was written with, and its pair count. */
interface PairsExpectation {
  readonly columns: readonly RepresentationKey[];
  /** The split's score columns as run.json records them (null in a run.json written before they were: only the raw columns are required). */
  readonly written: ReadonlySet<string> | null;
  /** Pairs of the split as run.json records them (undefined: not recorded). */
  readonly pairs: number | undefined;
}

/**
 * A pairs CSV as the pairs and cosines scoring needs (no sentences: the CSVs do not carry them),
 * checked against the run: every column one the run writes, none the run scored missing, each id
 * once, and as many rows as run.json records.
 */
function readPairs(path: string, text: string, split: SplitName, expect: PairsExpectation): PairResult[] {
  const { header, records } = parseCsv(path, text, ['id', 'word', 'label', 'score', 'truncated']);
  const { columns } = expect;
  const unknown = header.find((name) => !PAIR_FIELDS.includes(name) && !columns.includes(name as RepresentationKey));
  if (unknown !== undefined) throw new InputError(`column ${quote(unknown)} is not a score column of this run (run.json lists its models and normalizations)`, { file: path, line: 1 });
  // A correction or a probe can be absent for a dataset (no vectors to fit on, no train split): the raw columns are always required, the others when summary.csv scored them.
  const keys = columns.filter((key) => header.includes(key));
  const missing = columns.filter((key) => !header.includes(key) && (expect.written === null ? isRequiredColumn(key) : expect.written.has(key)));
  if (missing.length > 0 && records.length > 0) throw new InputError(`missing score column \`${missing[0]!}\` (run.json lists it for this split)`, { file: path, line: 1 });
  if (expect.pairs !== undefined && records.length !== expect.pairs) {
    const line = records.length > expect.pairs ? records[expect.pairs]!.line : (records.at(-1)?.line ?? 1);
    throw new InputError(`${records.length} pairs, but run.json records ${expect.pairs} for this split: rows were deleted or added; \`score\` re-scores the run's pairs (edit their cosines, not their rows)`, { file: path, line });
  }
  const firstLine = new Map<string, number>();
  return records.map((record) => {
    const where = { file: path, line: record.line };
    const id = unguardText(record.values.id ?? '');
    const seenAt = firstLine.get(id);
    if (seenAt !== undefined) throw new InputError(`duplicate id ${quote(id)} (first at line ${seenAt})`, where);
    firstLine.set(id, record.line);
    const labelText = record.values.label;
    let label: boolean | null;
    if (labelText === 'T') label = true;
    else if (labelText === 'F') label = false;
    else if (labelText === '') label = null;
    else throw new InputError(`column \`label\`: expected T, F or empty, got ${quote(labelText)}`, where);
    const truncatedText = record.values.truncated;
    if (truncatedText !== '0' && truncatedText !== '1') throw new InputError(`column \`truncated\`: expected 0 or 1, got ${quote(truncatedText)}`, where);
    const word2 = record.values.word2 === undefined ? undefined : unguardText(record.values.word2);
    const pair: SentencePair = {
      id,
      word: unguardText(record.values.word ?? ''),
      ...(word2 !== undefined && word2 !== '' ? { word2 } : {}),
      sentence1: '',
      sentence2: '',
      spans1: [{ start: 0, end: 0 }],
      spans2: [{ start: 0, end: 0 }],
      label,
      score: readCell(path, record, 'score', 'number', true),
      split,
      source: where,
    };
    const cosines = new Map<RepresentationKey, number | null>();
    for (const key of keys) cosines.set(key, readCell(path, record, key, 'number', true));
    return { pair, cosines, truncated: truncatedText === '1' };
  });
}

/** run.json of `dir`, parsed and checked. */
export async function readRunJson(dir: string): Promise<RunJson> {
  const path = join(dir, 'run.json');
  return parseRunJson(path, await readRequired(path));
}

/** The pairs and stored cosines of every split of a finished run: what `sensebench score` re-scores. */
export async function readSplitPairs(dir: string, run: RunJson): Promise<SplitPairs[]> {
  const columns = cosineColumns(run.context.models, run.context.normalizations);
  const splits: SplitPairs[] = [];
  for (const split of run.splits) {
    const path = join(dir, 'pairs', `${split.dataset}-${split.split}.csv`);
    const expect: PairsExpectation = {
      columns,
      written: split.columns === undefined ? null : new Set(split.columns),
      pairs: run.context.datasets.find((dataset) => dataset.name === split.dataset)?.pairs[split.split],
    };
    splits.push({ dataset: split.dataset, split: split.split, pairs: readPairs(path, await readRequired(path), split.split, expect) });
  }
  return splits;
}

/** A CSV of `dir` read through its table; empty when the file does not exist. */
async function readTable<Row>(dir: string, name: string, table: { fromCsv(file: string, text: string): Row[] }): Promise<Row[]> {
  const path = join(dir, name);
  const text = await readOptional(path);
  return text === null ? [] : table.fromCsv(path, text);
}

/** Rows of `<dir>/contextuality.csv`; empty when the run wrote none. */
export async function readContextuality(dir: string): Promise<ContextualityRow[]> {
  return readTable(dir, 'contextuality.csv', contextualityTable);
}

/** Rows of `<dir>/senses.csv`; empty when the run wrote none. */
export async function readSenses(dir: string): Promise<SenseRow[]> {
  return readTable(dir, 'senses.csv', sensesTable);
}

/** The sense pictures' points of `<dir>/sense-projections.json`; empty when the run wrote none. */
export async function readSenseProjections(dir: string): Promise<SenseProjection[]> {
  const path = join(dir, 'sense-projections.json');
  const text = await readOptional(path);
  if (text === null) return [];
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    throw new InputError(`not valid JSON (${(error as Error).message})`, { file: path, line: 1 });
  }
  const parsed = senseProjectionsSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new InputError(`not a sensebench sense-projections file: ${issue ? issue.path.join('.') : ''}: ${issue?.message ?? 'invalid'}`, { file: path, line: 1 });
  }
  return parsed.data;
}

/** senses.csv and the sense pictures as a {@link RunResult} carries them (absent when the run had none). */
export async function readSenseResults(dir: string): Promise<Pick<RunResult, 'senses' | 'senseProjections'>> {
  const [senses, senseProjections] = await Promise.all([readSenses(dir), readSenseProjections(dir)]);
  return { ...(senses.length > 0 ? { senses } : {}), ...(senseProjections.length > 0 ? { senseProjections } : {}) };
}

/** Rows of `<dir>/compare.csv` and `<dir>/compare-spearman.csv`. */
export async function readComparisons(dir: string): Promise<{ comparisons: ComparisonRow[]; spearmanComparisons: SpearmanComparisonRow[] }> {
  return { comparisons: await readTable(dir, 'compare.csv', compareTable), spearmanComparisons: await readTable(dir, 'compare-spearman.csv', compareSpearmanTable) };
}

/** Rows of `<dir>/cosimlex.csv`; empty when the run had no CoSimLex data. */
export async function readCosimlex(dir: string): Promise<CosimlexRow[]> {
  return readTable(dir, 'cosimlex.csv', cosimlexTable);
}

/** Rows of `<dir>/throughput.csv`; empty when the file does not exist (no benchmark was run). */
export async function readThroughput(dir: string): Promise<ThroughputRow[]> {
  return readTable(dir, 'throughput.csv', throughputTable);
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
  const summaryPath = join(dir, 'summary.csv');
  const summary = summaryTable.fromCsv(summaryPath, await readRequired(summaryPath));
  const pairsBySplit = await readSplitPairs(dir, run);
  const splits: SplitResult[] = [];
  for (const [index, split] of run.splits.entries()) {
    const wordsPath = join(dir, 'words', `${split.dataset}-${split.split}.csv`);
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
    contextuality: await readContextuality(dir),
    ...(await readComparisons(dir)),
    cosimlex: await readCosimlex(dir),
    throughput: await readThroughput(dir),
    ...(run.timings === undefined ? {} : { timings: run.timings }),
    ...(await readSenseResults(dir)),
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
