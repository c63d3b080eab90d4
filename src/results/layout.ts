/**
 * The results directory, declared once: every file of a run's results with the part of the
 * {@link RunResult} it holds and its format (a table of ./schema.ts, a zod schema of
 * ./json-schemas.ts, or the pairs CSV of ./pairs.ts). The writer ({@link resultFiles}), the reader
 * (./read.ts), `sensebench score` (src/pipeline/rescore.ts) and the list of files a results
 * directory owns (src/reports/output-directory.ts) all derive from it. A new kind of result is a
 * {@link RunResult} field, its table, one entry of {@link RUN_FILES} and its report section.
 *
 * No timing or date enters a CSV, so the same inputs give byte-identical files; timings live in
 * throughput.csv and run.json.
 */
import type { z } from 'zod';
import { InputError } from '../errors.js';
import type { SplitName } from '../types.js';
import { runJsonSchema, senseProjectionsSchema, type RunJson } from './json-schemas.js';
import { pairsCsv, pairsScoreColumns } from './pairs.js';
import type { RenderedFile, RunResult, SplitResult } from './run-result.js';
import { compareSpearmanTable, compareTable, contextualityTable, cosimlexTable, cosineColumns, sensesTable, summaryTable, throughputTable, wordsTable } from './schema.js';

/** How a list of rows is written to a file and read back. */
export interface RowsFormat<Row> {
  write(rows: readonly Row[]): string;
  /** The rows of a file; an {@link InputError} naming `file:line` for anything malformed. */
  read(file: string, text: string): Row[];
}

/** Rows as the CSV of one table of ./schema.ts. */
function csvRows<Row>(table: { toCsv(rows: readonly Row[]): string; fromCsv(file: string, text: string): Row[] }): RowsFormat<Row> {
  return { write: (rows) => table.toCsv(rows), read: (file, text) => table.fromCsv(file, text) };
}

/** Rows as one JSON array checked by a zod schema; `what` names the file in errors. */
function jsonRows<Row>(schema: z.ZodType<Row[]>, what: string): RowsFormat<Row> {
  return {
    write: (rows) => `${JSON.stringify(rows)}\n`,
    read(file, text) {
      let raw: unknown;
      try {
        raw = JSON.parse(text);
      } catch (error) {
        throw new InputError(`not valid JSON (${(error as Error).message})`, { file, line: 1 });
      }
      const parsed = schema.safeParse(raw);
      if (!parsed.success) {
        const issue = parsed.error.issues[0];
        throw new InputError(`not a sensebench ${what}: ${issue ? issue.path.join('.') : ''}: ${issue?.message ?? 'invalid'}`, { file, line: 1 });
      }
      return parsed.data;
    },
  };
}

/** The run-wide parts of a {@link RunResult}: each is a list of rows, kept in one file. */
export type RunRowsField = 'contextuality' | 'comparisons' | 'spearmanComparisons' | 'cosimlex' | 'throughput' | 'senses' | 'senseProjections';

type RowOf<Field extends RunRowsField> = NonNullable<RunResult[Field]>[number];

/** One run-wide file. */
export interface RunFile<Row> {
  /** Path in the results directory. */
  readonly path: string;
  readonly format: RowsFormat<Row>;
  /** `sensebench score` recomputes it from the pairs CSVs; otherwise it carries the file over as written (it needs the vectors). */
  readonly rescored: boolean;
  /** The field is absent from a result without rows (rather than empty). */
  readonly optional?: true;
}

/** Every run-wide file, by the {@link RunResult} field it holds; written only when it has rows. */
export const RUN_FILES = {
  contextuality: { path: 'contextuality.csv', format: csvRows(contextualityTable), rescored: false },
  comparisons: { path: 'compare.csv', format: csvRows(compareTable), rescored: true },
  cosimlex: { path: 'cosimlex.csv', format: csvRows(cosimlexTable), rescored: true },
  spearmanComparisons: { path: 'compare-spearman.csv', format: csvRows(compareSpearmanTable), rescored: true },
  throughput: { path: 'throughput.csv', format: csvRows(throughputTable), rescored: false },
  senses: { path: 'senses.csv', format: csvRows(sensesTable), rescored: false, optional: true },
  // The sense pictures' 2-D points (numbers only), so `report` and `score` can redraw them without vectors.
  senseProjections: { path: 'sense-projections.json', format: jsonRows(senseProjectionsSchema, 'sense-projections file'), rescored: false, optional: true },
} as const satisfies { readonly [Field in RunRowsField]: RunFile<RowOf<Field>> };

/** The run-wide fields, in {@link RUN_FILES} order. */
export const RUN_ROWS_FIELDS = Object.keys(RUN_FILES) as RunRowsField[];

/** The run-wide fields `sensebench score` carries over as written. */
export type CarriedField = { [Field in RunRowsField]: (typeof RUN_FILES)[Field]['rescored'] extends true ? never : Field }[RunRowsField];

/** {@link CarriedField}s, in {@link RUN_FILES} order. */
export const CARRIED_FIELDS = RUN_ROWS_FIELDS.filter((field): field is CarriedField => !RUN_FILES[field].rescored);

/** run.json: the run's context, the shape of its splits (with their pairs CSVs' score columns) and its timings. */
export const RUN_JSON = 'run.json';

/** summary.csv: every split's summary rows ({@link summaryTable}), splits in run order. */
export const SUMMARY_CSV = 'summary.csv';

/** File name stem of a split's pairs and words files. */
export function splitFileStem(split: { readonly dataset: string; readonly split: SplitName }): string {
  return `${split.dataset}-${split.split}`;
}

/** Files of each split, in folders of their own: the pairs CSV (./pairs.ts) and the words CSV ({@link wordsTable}). */
export const SPLIT_FILES = {
  pairs: (split: { readonly dataset: string; readonly split: SplitName }): string => `pairs/${splitFileStem(split)}.csv`,
  words: (split: { readonly dataset: string; readonly split: SplitName }): string => `words/${splitFileStem(split)}.csv`,
} as const;

/** Folders of the per-split files, with the extension of the files in them. */
export const SPLIT_FOLDERS: Readonly<Record<string, string>> = { pairs: '.csv', words: '.csv' };

/** Every top-level file of the layout. */
export const RESULT_PATHS: readonly string[] = [RUN_JSON, SUMMARY_CSV, ...RUN_ROWS_FIELDS.map((field) => RUN_FILES[field].path)];

/** The file of one run-wide field, or none when it has no rows. */
function runFile(result: RunResult, field: RunRowsField): RenderedFile[] {
  const rows: readonly unknown[] | undefined = result[field];
  if (rows === undefined || rows.length === 0) return [];
  const file = RUN_FILES[field] as RunFile<unknown>;
  return [{ path: file.path, content: file.format.write(rows) }];
}

/** The data files of a result (every file of the layout but run.json), in layout order. */
export function resultFiles(result: RunResult): RenderedFile[] {
  const columns = cosineColumns(result.context.models, result.context.normalizations);
  return [
    { path: SUMMARY_CSV, content: summaryTable.toCsv(result.splits.flatMap((split) => split.scores)) },
    ...result.splits.flatMap((split) => [
      { path: SPLIT_FILES.pairs(split), content: pairsCsv(split, columns) },
      { path: SPLIT_FILES.words(split), content: wordsTable.toCsv(split.words) },
    ]),
    ...RUN_ROWS_FIELDS.flatMap((field) => runFile(result, field)),
  ];
}

/** run.json of a result. */
export function runJson(result: RunResult): RunJson {
  const all = cosineColumns(result.context.models, result.context.normalizations);
  return {
    context: result.context,
    splits: result.splits.map((item: SplitResult) => ({ dataset: item.dataset, split: item.split, unlabelled: item.unlabelled, graded: item.graded, columns: pairsScoreColumns(item, all) })),
    ...(result.timings === undefined ? {} : { timings: result.timings }),
  };
}

/** run.json as a file: through the schema, so keys come in one canonical order and a malformed result fails here, not in a reader. */
export function runJsonFile(result: RunResult): RenderedFile {
  return { path: RUN_JSON, content: `${JSON.stringify(runJsonSchema.parse(runJson(result)), null, 2)}\n` };
}
