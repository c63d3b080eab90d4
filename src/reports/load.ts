import { readFile } from 'node:fs/promises';
import { isAbsolute, join } from 'node:path';

import { parse } from 'csv-parse/sync';
import { z } from 'zod';

import { BUILTIN_DATASETS, PROJECT_ROOT, loadDataset } from '../datasets/index.js';
import { pathExists } from '../io/paths.js';
import { SUMMARY_COLUMNS } from './csv.js';
import {
  InputError,
  type Dataset,
  type PairResult,
  type RepresentationKey,
  type RepresentationKind,
  type RepresentationScore,
  type RunContext,
  type RunResult,
  type SentencePair,
  type SplitName,
  type SplitResult,
  type ThresholdSource,
  type ThroughputRow,
  type WordScore,
} from '../types.js';

/** What `sensebench report` needs to re-render every report without recomputing anything. */
export interface LoadedResults {
  readonly result: RunResult;
  /** Rows of `throughput.csv`; empty when the file does not exist (a run without benchmarks). */
  readonly throughput: ThroughputRow[];
  /** Datasets whose sentences could not be restored (files changed or missing), with the reason. */
  readonly notes: string[];
}

const splitNames = ['train', 'dev', 'test', 'all'] as const;
const datasetFormats = ['wic', 'jsonl', 'csv', 'superglue', 'mclwic', 'scws', 'tsv'] as const;

const representationSchema = z.object({
  name: z.string().min(1),
  kind: z.enum(['static', 'contextual']),
  description: z.string(),
});

const infoSchema = z.record(z.string(), z.union([z.string(), z.number()]));

const runJsonSchema = z.object({
  context: z.object({
    sensebenchVersion: z.string(),
    date: z.string(),
    seed: z.number(),
    node: z.string(),
    platform: z.string(),
    cpu: z.string(),
    cores: z.number(),
    memoryBytes: z.number(),
    packages: z.record(z.string(), z.string()),
    models: z.array(z.object({ id: z.string(), sha256: z.string(), info: infoSchema })),
    datasets: z.array(
      z.object({
        name: z.string(),
        format: z.enum(datasetFormats),
        sha256: z.string(),
        files: z.array(z.string()),
        pairs: z.record(z.string(), z.number()),
      }),
    ),
  }),
  models: z.array(z.object({ id: z.string().min(1), representations: z.array(representationSchema) })),
  splits: z.array(
    z.object({
      dataset: z.string().min(1),
      split: z.enum(splitNames),
      unlabelled: z.boolean(),
      graded: z.boolean(),
    }),
  ),
});

type RunJson = z.infer<typeof runJsonSchema>;

/** One parsed CSV record with the line it came from, so every complaint can name `file:line`. */
interface CsvRecord {
  readonly values: Readonly<Record<string, string>>;
  readonly line: number;
}

/**
 * Reads the files a run wrote under `dir` (`run.json`, `summary.csv`, `pairs/*.csv`, `words/*.csv`,
 * optional `throughput.csv`) and rebuilds the {@link RunResult} they were written from.
 *
 * The CSVs do not carry the sentences, so re-loaded pairs have the sentences only when the pairs CSV
 * has `sentence1`/`sentence2` columns; otherwise they are empty strings and reports show ids and
 * words only. Spans are not stored and come back as empty spans.
 *
 * @throws InputError naming `file:line` for a missing file, a missing column or a malformed value.
 */
export async function loadResults(dir: string): Promise<LoadedResults> {
  const runJsonPath = join(dir, 'run.json');
  const runJson = parseRunJson(runJsonPath, await readRequired(runJsonPath));

  const kinds = new Map<string, RepresentationKind>();
  const keys: RepresentationKey[] = [];
  for (const model of runJson.models) {
    for (const representation of model.representations) {
      const key: RepresentationKey = `${model.id}:${representation.name}`;
      kinds.set(key, representation.kind);
      keys.push(key);
    }
  }

  const summaryPath = join(dir, 'summary.csv');
  const summary = parseCsv(summaryPath, await readRequired(summaryPath), SUMMARY_COLUMNS);

  const splits: SplitResult[] = [];
  for (const split of runJson.splits) {
    const scores = summary
      .filter((record) => record.values.dataset === split.dataset && record.values.split === split.split)
      .map((record) => toScore(summaryPath, record));
    const stem = `${split.dataset}-${split.split}.csv`;
    const pairsPath = join(dir, 'pairs', stem);
    const pairs = toPairs(pairsPath, await readRequired(pairsPath), split.split, keys);
    const wordsPath = join(dir, 'words', stem);
    const wordsText = await readOptional(wordsPath);
    const words = wordsText === null ? [] : toWords(wordsPath, wordsText);
    splits.push({ dataset: split.dataset, split: split.split, unlabelled: split.unlabelled, graded: split.graded, pairs, scores, words });
  }

  const throughput = await loadThroughput(dir);
  const context: RunContext = runJson.context;
  const notes = await restoreSentences(context, splits);
  return { result: { context, models: runJson.models, splits }, throughput, notes };
}

/**
 * The CSVs keep ids and labels but not sentences. Reload each dataset from the files run.json names
 * and, when its sha256 still matches, put the original pairs (sentences, spans, sources) back, so a
 * re-rendered report shows the same example sentences as the original one. Returns one note per
 * dataset that could not be restored; its pairs keep empty sentences.
 */
async function restoreSentences(context: RunContext, splits: SplitResult[]): Promise<string[]> {
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
        return original === undefined ? result : { ...result, pair: original };
      });
      splits[index] = { ...split, pairs };
    });
  }
  return notes;
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

/**
 * Rounds a result's numbers exactly as the CSVs print them (6 decimals for metrics and cosines, 4
 * for throughput), and gives every pair a cosine entry (null when missing) for each cosine column,
 * so a report written straight after a run and one re-rendered from its CSVs are byte-identical.
 */
export function roundLikeCsv(result: RunResult, throughput: readonly ThroughputRow[]): { result: RunResult; throughput: ThroughputRow[] } {
  const round = (value: number | null, decimals = 6): number | null => (value === null || !Number.isFinite(value) ? null : Number(value.toFixed(decimals)) || 0);
  const keys: RepresentationKey[] = result.models.flatMap((model) => model.representations.map((representation): RepresentationKey => `${model.id}:${representation.name}`));
  const splits = result.splits.map((split): SplitResult => {
    const present = new Set(split.pairs[0]?.cosines.keys() ?? []);
    const columns = keys.filter((key) => present.has(key));
    return {
      ...split,
      pairs: split.pairs.map((pair) => ({ ...pair, cosines: new Map(columns.map((key) => [key, round(pair.cosines.get(key) ?? null)])) })),
      scores: split.scores.map((score) => ({
        ...score,
        auc: round(score.auc),
        aucCiLow: round(score.aucCiLow),
        aucCiHigh: round(score.aucCiHigh),
        averagePrecision: round(score.averagePrecision),
        accuracy: round(score.accuracy),
        threshold: round(score.threshold),
        meanCosSame: round(score.meanCosSame),
        meanCosDifferent: round(score.meanCosDifferent),
        cohensD: round(score.cohensD),
        spearman: round(score.spearman),
        spearmanCiLow: round(score.spearmanCiLow),
        spearmanCiHigh: round(score.spearmanCiHigh),
        pearson: round(score.pearson),
        pearsonCiLow: round(score.pearsonCiLow),
        pearsonCiHigh: round(score.pearsonCiHigh),
        oovRate: round(score.oovRate) ?? 0,
      })),
      words: split.words.map((word) => ({ ...word, auc: round(word.auc), meanCosSame: round(word.meanCosSame), meanCosDifferent: round(word.meanCosDifferent) })),
    };
  });
  const rows = throughput.map((row) => ({
    ...row,
    value: round(row.value, 4) ?? 0,
    baselineValue: round(row.baselineValue, 4),
    ratio: round(row.ratio, 4),
    goal: round(row.goal, 4),
    rmePercent: round(row.rmePercent, 4),
  }));
  return { result: { ...result, splits }, throughput: rows };
}

/**
 * Reads `<dir>/throughput.csv`; an empty list when the file does not exist (no benchmark was run).
 *
 * @throws InputError naming `file:line` for a malformed row.
 */
export async function loadThroughput(dir: string): Promise<ThroughputRow[]> {
  const path = join(dir, 'throughput.csv');
  const text = await readOptional(path);
  return text === null ? [] : toThroughput(path, text);
}

async function readRequired(path: string): Promise<string> {
  const text = await readOptional(path);
  if (text === null) throw new InputError(`${path}: missing; run \`sensebench run\` (or \`npm run bench\`) first`);
  return text;
}

async function readOptional(path: string): Promise<string | null> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
}

function parseRunJson(path: string, text: string): RunJson {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    throw new InputError(`not valid JSON (${(error as Error).message})`, { file: path, line: 1 });
  }
  const parsed = runJsonSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue ? issue.path.join('.') : '';
    throw new InputError(`not a sensebench run.json: ${where}: ${issue?.message ?? 'invalid'}`, { file: path, line: 1 });
  }
  return parsed.data;
}

/** Parses a headed CSV; checks that `required` columns exist; records carry their 1-based line. */
function parseCsv(path: string, text: string, required: readonly string[]): CsvRecord[] {
  let rows: string[][];
  try {
    rows = parse(text, { relax_column_count: false, skip_empty_lines: true, bom: true });
  } catch (error) {
    const line = (error as { lines?: number }).lines ?? 1;
    throw new InputError(`malformed CSV (${(error as Error).message})`, { file: path, line });
  }
  const header = rows[0];
  if (header === undefined) throw new InputError('empty file: expected a header row', { file: path, line: 1 });
  for (const column of required) {
    if (!header.includes(column)) throw new InputError(`missing column \`${column}\` (header: ${header.join(',')})`, { file: path, line: 1 });
  }
  // Every field of these files is single-line, so row i sits on line i + 1.
  return rows.slice(1).map((row, index) => {
    const values: Record<string, string> = {};
    header.forEach((name, column) => {
      values[name] = row[column] ?? '';
    });
    return { values, line: index + 2 };
  });
}

function field(path: string, record: CsvRecord, column: string): string {
  const value = record.values[column];
  if (value === undefined) throw new InputError(`missing column \`${column}\``, { file: path, line: record.line });
  return value;
}

function nullableNumber(path: string, record: CsvRecord, column: string): number | null {
  const text = field(path, record, column);
  if (text === '') return null;
  const value = Number(text);
  if (!Number.isFinite(value)) throw new InputError(`column \`${column}\`: not a number: ${JSON.stringify(text)}`, { file: path, line: record.line });
  return value;
}

function requiredNumber(path: string, record: CsvRecord, column: string): number {
  const value = nullableNumber(path, record, column);
  if (value === null) throw new InputError(`column \`${column}\`: empty, expected a number`, { file: path, line: record.line });
  return value;
}

function count(path: string, record: CsvRecord, column: string): number {
  const value = requiredNumber(path, record, column);
  if (!Number.isInteger(value) || value < 0) throw new InputError(`column \`${column}\`: expected a count, got ${value}`, { file: path, line: record.line });
  return value;
}

function toScore(path: string, record: CsvRecord): RepresentationScore {
  const kind = field(path, record, 'kind');
  if (kind !== 'static' && kind !== 'contextual') throw new InputError(`column \`kind\`: expected static or contextual, got ${JSON.stringify(kind)}`, { file: path, line: record.line });
  const thresholdSource = field(path, record, 'threshold_source');
  if (thresholdSource !== 'train' && thresholdSource !== 'cv' && thresholdSource !== 'none') {
    throw new InputError(`column \`threshold_source\`: expected train, cv or none, got ${JSON.stringify(thresholdSource)}`, { file: path, line: record.line });
  }
  const number = (column: string): number | null => nullableNumber(path, record, column);
  return {
    model: field(path, record, 'model'),
    kind,
    representation: field(path, record, 'representation'),
    nPairs: count(path, record, 'n_pairs'),
    auc: number('auc'),
    aucCiLow: number('auc_ci_low'),
    aucCiHigh: number('auc_ci_high'),
    averagePrecision: number('average_precision'),
    accuracy: number('accuracy'),
    threshold: number('threshold'),
    thresholdSource: thresholdSource satisfies ThresholdSource,
    meanCosSame: number('mean_cos_same'),
    meanCosDifferent: number('mean_cos_different'),
    cohensD: number('cohens_d'),
    spearman: number('spearman'),
    spearmanCiLow: number('spearman_ci_low'),
    spearmanCiHigh: number('spearman_ci_high'),
    pearson: number('pearson'),
    pearsonCiLow: number('pearson_ci_low'),
    pearsonCiHigh: number('pearson_ci_high'),
    oovRate: requiredNumber(path, record, 'oov_rate'),
  };
}

function toPairs(path: string, text: string, split: SplitName, keys: readonly RepresentationKey[]): PairResult[] {
  const records = parseCsv(path, text, ['id', 'word', 'label', 'score', 'truncated']);
  const header = records[0] === undefined ? [] : Object.keys(records[0].values);
  const cosineColumns = keys.filter((key) => header.includes(key));
  return records.map((record) => {
    const labelText = field(path, record, 'label');
    let label: boolean | null;
    if (labelText === 'T') label = true;
    else if (labelText === 'F') label = false;
    else if (labelText === '') label = null;
    else throw new InputError(`column \`label\`: expected T, F or empty, got ${JSON.stringify(labelText)}`, { file: path, line: record.line });
    const truncatedText = field(path, record, 'truncated');
    if (truncatedText !== '0' && truncatedText !== '1') throw new InputError(`column \`truncated\`: expected 0 or 1, got ${JSON.stringify(truncatedText)}`, { file: path, line: record.line });
    const word2 = record.values.word2;
    const pos = record.values.pos;
    const pair: SentencePair = {
      id: field(path, record, 'id'),
      word: field(path, record, 'word'),
      ...(word2 !== undefined && word2 !== '' ? { word2 } : {}),
      ...(pos !== undefined && pos !== '' ? { pos } : {}),
      sentence1: record.values.sentence1 ?? '',
      sentence2: record.values.sentence2 ?? '',
      spans1: [{ start: 0, end: 0 }],
      spans2: [{ start: 0, end: 0 }],
      label,
      score: nullableNumber(path, record, 'score'),
      split,
      source: { file: path, line: record.line },
    };
    const cosines = new Map<RepresentationKey, number | null>();
    for (const key of cosineColumns) cosines.set(key, nullableNumber(path, record, key));
    return { pair, cosines, truncated: truncatedText === '1' };
  });
}

function toWords(path: string, text: string): WordScore[] {
  const records = parseCsv(path, text, ['word', 'model', 'representation', 'n_pairs', 'n_same', 'n_different', 'auc', 'mean_cos_same', 'mean_cos_different']);
  return records.map((record) => ({
    word: field(path, record, 'word'),
    model: field(path, record, 'model'),
    representation: field(path, record, 'representation'),
    nPairs: count(path, record, 'n_pairs'),
    nSame: count(path, record, 'n_same'),
    nDifferent: count(path, record, 'n_different'),
    auc: nullableNumber(path, record, 'auc'),
    meanCosSame: nullableNumber(path, record, 'mean_cos_same'),
    meanCosDifferent: nullableNumber(path, record, 'mean_cos_different'),
  }));
}

function toThroughput(path: string, text: string): ThroughputRow[] {
  const records = parseCsv(path, text, ['group', 'subject', 'unit', 'value', 'baseline', 'baseline_value', 'ratio', 'goal', 'rme_percent', 'samples']);
  return records.map((record) => ({
    group: field(path, record, 'group'),
    subject: field(path, record, 'subject'),
    unit: field(path, record, 'unit'),
    value: requiredNumber(path, record, 'value'),
    baseline: field(path, record, 'baseline'),
    baselineValue: nullableNumber(path, record, 'baseline_value'),
    ratio: nullableNumber(path, record, 'ratio'),
    goal: nullableNumber(path, record, 'goal'),
    rmePercent: nullableNumber(path, record, 'rme_percent'),
    samples: nullableNumber(path, record, 'samples'),
  }));
}
