/**
 * Typed CSV tables described once. A table is an `as const` list of columns (name, the record key it
 * is read from, type, decimals, empty-when-undefined); from that one list come the TypeScript type
 * of a record, the CSV header, the writer, the reader (with `file:line` errors) and the rounding that
 * makes an in-memory result equal to one read back from its CSV. Adding a column is one entry.
 */
import { stringify } from 'csv-stringify/sync';
import { parse } from 'csv-parse/sync';

import { InputError } from '../errors.js';

import type { Estimate } from '../types.js';
/** Column types. An `estimate` is one value with its interval and takes three CSV columns. */
export type Column =
  | { readonly name: string; readonly key: string; readonly type: 'text'; readonly description: string }
  | { readonly name: string; readonly key: string; readonly type: 'enum'; readonly values: readonly string[]; readonly description: string }
  | { readonly name: string; readonly key: string; readonly type: 'count'; readonly optional?: true; readonly description: string }
  | { readonly name: string; readonly key: string; readonly type: 'number'; readonly decimals: number; readonly optional?: true; readonly description: string }
  | { readonly name: string; readonly key: string; readonly type: 'estimate'; readonly decimals: number; readonly description: string };

/** The value a column holds in a record: `null` where the CSV cell is empty (undefined metric). */
export type ColumnValue<C extends Column> = C extends { type: 'text' }
  ? string
  : C extends { type: 'enum'; values: readonly (infer V)[] }
    ? V
    : C extends { type: 'count' | 'number'; optional: true }
      ? number | null
      : C extends { type: 'count' | 'number' }
        ? number
        : C extends { type: 'estimate' }
          ? Estimate | null
          : never;

/** The record type a column list describes. */
export type RecordOf<Columns extends readonly Column[]> = { readonly [C in Columns[number] as C['key']]: ColumnValue<C> };

/** Fixed-decimal number, empty for null or non-finite; `-0.000000` is printed as `0.000000`. */
export function formatFixed(value: number | null, decimals: number): string {
  if (value === null || !Number.isFinite(value)) return '';
  const text = value.toFixed(decimals);
  return /^-0\.0*$/.test(text) ? text.slice(1) : text;
}

/** `value` rounded exactly as {@link formatFixed} prints it (so a re-read CSV gives the same number). */
export function roundFixed(value: number, decimals: number): number {
  return Number(formatFixed(value, decimals)) || 0;
}

function roundNullable(value: number | null, decimals: number): number | null {
  return value === null || !Number.isFinite(value) ? null : roundFixed(value, decimals);
}

/** CSV headers of one column. */
function headersOf(column: Column): string[] {
  return column.type === 'estimate' ? [column.name, `${column.name}_ci_low`, `${column.name}_ci_high`] : [column.name];
}

/**
 * First characters that make a spreadsheet run a cell as a formula (OWASP, CSV injection): `=`,
 * `+`, `-`, `@`, tab and carriage return; and the guard's own mark, `'`, so that guarding can be
 * undone exactly.
 */
const FORMULA_START = /^[=+\-@\t\r']/;

/**
 * A text cell as written: prefixed with `'` when it starts like a formula (`=cmd()` -> `'=cmd()`),
 * so a spreadsheet shows it as text. Only text cells are guarded: numbers (`-0.123456`) are
 * written as they are. {@link unguardText} undoes it exactly.
 */
export function guardText(text: string): string {
  return FORMULA_START.test(text) ? `'${text}` : text;
}

/** The text of a cell written by {@link guardText}. */
export function unguardText(cell: string): string {
  return cell.startsWith("'") ? cell.slice(1) : cell;
}

/** The CSV text of rows under `header`, LF line ends (RFC 4180 quoting by csv-stringify). */
export function toCsv(header: readonly string[], rows: Iterable<readonly (string | number)[]>): string {
  // Rows are formatted a chunk at a time: a 200k-pair CSV held as row arrays all at once was the
  // peak of a large run's memory. The bytes are the same (every record ends with its own LF).
  const options = { record_delimiter: 'unix' } as const;
  const parts = [stringify([header], options)];
  let chunk: (readonly (string | number)[])[] = [];
  for (const row of rows) {
    chunk.push(row);
    if (chunk.length === CSV_CHUNK_ROWS) {
      parts.push(stringify(chunk, options));
      chunk = [];
    }
  }
  if (chunk.length > 0) parts.push(stringify(chunk, options));
  return parts.join('');
}

/**
 * Rows formatted per call of the CSV writer. Small, so that a chunk's row arrays and its records'
 * partial strings die young: with 4,096 rows they outlived minor collections and were promoted, and
 * the 300k-pair pairs CSVs grew the old generation by ~550 MB of garbage before a full collection
 * (the peak of that run's memory, issue 21 item 9); with 128, ~100 MB (the CSV text itself), and
 * the same bytes, no slower.
 */
const CSV_CHUNK_ROWS = 128;

/** One parsed CSV record and the 1-based line it came from. */
export interface CsvRecord {
  readonly values: Readonly<Record<string, string>>;
  readonly line: number;
}

/**
 * Parses a headed CSV whose fields are single-line (so row i sits on line i + 1); checks that every
 * `required` column exists.
 *
 * @throws InputError naming `file:line` for malformed CSV or a missing column.
 */
export function parseCsv(file: string, text: string, required: readonly string[]): { header: string[]; records: CsvRecord[] } {
  let rows: string[][];
  try {
    rows = parse(text, { relax_column_count: false, skip_empty_lines: true, bom: true });
  } catch (error) {
    const line = (error as { lines?: number }).lines ?? 1;
    throw new InputError(`malformed CSV (${(error as Error).message})`, { file, line });
  }
  const header = rows[0];
  if (header === undefined) throw new InputError('empty file: expected a header row', { file, line: 1 });
  for (const column of required) {
    if (!header.includes(column)) throw new InputError(`missing column \`${column}\` (header: ${header.join(',')})`, { file, line: 1 });
  }
  const records = rows.slice(1).map((row, index) => {
    const values: Record<string, string> = {};
    header.forEach((name, column) => {
      values[name] = row[column] ?? '';
    });
    return { values, line: index + 2 };
  });
  return { header, records };
}

/** Reads one typed cell; every complaint names the file, line and column. */
export function readCell(file: string, record: CsvRecord, name: string, kind: 'number' | 'count', optional: boolean): number | null {
  const text = record.values[name];
  if (text === undefined) throw new InputError(`missing column \`${name}\``, { file, line: record.line });
  if (text === '') {
    if (optional) return null;
    throw new InputError(`column \`${name}\`: empty, expected a ${kind}`, { file, line: record.line });
  }
  const value = Number(text);
  if (!Number.isFinite(value)) throw new InputError(`column \`${name}\`: not a number: ${JSON.stringify(text)}`, { file, line: record.line });
  if (kind === 'count' && (!Number.isInteger(value) || value < 0)) {
    throw new InputError(`column \`${name}\`: expected a count, got ${text}`, { file, line: record.line });
  }
  return value;
}

/** A table: its columns and everything derived from them. */
export interface Table<Columns extends readonly Column[]> {
  readonly columns: Columns;
  /** The CSV header, estimates expanded to `<name>, <name>_ci_low, <name>_ci_high`. */
  readonly header: readonly string[];
  /** CSV text of the records, in the given order. */
  toCsv(records: readonly RecordOf<Columns>[]): string;
  /** Records of a CSV written by {@link Table.toCsv}; throws InputError with `file:line`. */
  fromCsv(file: string, text: string): RecordOf<Columns>[];
  /** The record with every number rounded as the CSV prints it. */
  round(record: RecordOf<Columns>): RecordOf<Columns>;
}

/** Builds the writer, reader and rounding of a column list. */
export function defineTable<const Columns extends readonly Column[]>(columns: Columns): Table<Columns> {
  type Row = RecordOf<Columns>;
  const header = columns.flatMap(headersOf);
  const cellsOf = (record: Row): (string | number)[] => {
    const values = record as Readonly<Record<string, unknown>>;
    return columns.flatMap((column): (string | number)[] => {
      const value = values[column.key];
      switch (column.type) {
        case 'text':
        case 'enum':
          return [guardText(value as string)];
        case 'count':
          return [value === null ? '' : (value as number)];
        case 'number':
          return [formatFixed(value as number | null, column.decimals)];
        case 'estimate': {
          const estimate = value as Estimate | null;
          return estimate === null
            ? ['', '', '']
            : [formatFixed(estimate.value, column.decimals), formatFixed(estimate.low, column.decimals), formatFixed(estimate.high, column.decimals)];
        }
      }
    });
  };
  const readRecord = (file: string, record: CsvRecord): Row => {
    const out: Record<string, unknown> = {};
    const where = { file, line: record.line };
    for (const column of columns) {
      const text = record.values[column.name] ?? '';
      switch (column.type) {
        case 'text':
          out[column.key] = unguardText(text);
          break;
        case 'enum':
          if (!column.values.includes(text)) {
            throw new InputError(`column \`${column.name}\`: expected ${column.values.join(', ')}, got ${JSON.stringify(text)}`, where);
          }
          out[column.key] = text;
          break;
        case 'count':
          out[column.key] = readCell(file, record, column.name, 'count', column.optional === true);
          break;
        case 'number':
          out[column.key] = readCell(file, record, column.name, 'number', column.optional === true);
          break;
        case 'estimate': {
          const value = readCell(file, record, column.name, 'number', true);
          const low = readCell(file, record, `${column.name}_ci_low`, 'number', true);
          const high = readCell(file, record, `${column.name}_ci_high`, 'number', true);
          if (value === null && (low !== null || high !== null)) {
            throw new InputError(`column \`${column.name}\`: empty, but its interval is not`, where);
          }
          out[column.key] = value === null ? null : { value, low, high };
          break;
        }
      }
    }
    return out as Row;
  };
  return {
    columns,
    header,
    toCsv: (records) =>
      toCsv(
        header,
        (function* () {
          for (const record of records) yield cellsOf(record);
        })(),
      ),
    fromCsv(file, text) {
      return parseCsv(file, text, header).records.map((record) => readRecord(file, record));
    },
    round(record) {
      const values = record as Readonly<Record<string, unknown>>;
      const out: Record<string, unknown> = { ...values };
      for (const column of columns) {
        const value = values[column.key];
        if (column.type === 'number') out[column.key] = roundNullable(value as number | null, column.decimals);
        else if (column.type === 'estimate' && value !== null) {
          const estimate = value as Estimate;
          out[column.key] = {
            value: roundFixed(estimate.value, column.decimals),
            low: roundNullable(estimate.low, column.decimals),
            high: roundNullable(estimate.high, column.decimals),
          };
        }
      }
      return out as Row;
    },
  };
}
