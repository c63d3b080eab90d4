/**
 * sensebench's generic pair format, as JSONL or CSV, with these field names (any can be renamed
 * with `LoadOptions.columns`, e.g. `{ label: 'same', score: 'mean_relatedness' }` for a graded CSV):
 *
 * - `id` (optional; default `<line>`), `word`, `sentence1`, `sentence2`
 * - the target: character offsets `start1,end1,start2,end2` (end exclusive), or whitespace-token
 *   indices `index1,index2`, or neither: then `word` must occur exactly once as a whole word in
 *   each sentence (case-insensitive; or its inflection `banks`, `running`). Explicit offsets and
 *   indices win: any text there is accepted (`kept` for `keep`) and counted in `unmatchedSpans`.
 * - `label` (T/F, 1/0, true/false, same/different, yes/no; optional when `score` is given)
 * - `score` (optional graded relatedness), `split` (optional: train/dev/test), `pos` (optional)
 */
import { basename, extname } from 'node:path';
import { parse } from 'csv-parse/sync';
import { z } from 'zod';
import { locateWord } from '../text.js';
import {
  InputError,
  type Dataset,
  type DatasetFormat,
  type DatasetLoader,
  type LoadOptions,
  type SentencePair,
  type SourceRef,
  type Span,
} from '../types.js';
import {
  buildDataset,
  checkSpans,
  checkTargetText,
  LoadContext,
  parseIndex,
  parseJsonAt,
  parseLabel,
  parseScore,
  parseSplit,
  readTextFile,
  readTextLines,
  requireSentence,
  tokenIndexToSpan,
} from './common.js';

/** The canonical field names; `LoadOptions.columns` maps them to a file's own names. */
export const GENERIC_FIELDS = [
  'id',
  'word',
  'pos',
  'sentence1',
  'sentence2',
  'start1',
  'end1',
  'start2',
  'end2',
  'index1',
  'index2',
  'label',
  'score',
  'split',
] as const;
export type GenericField = (typeof GENERIC_FIELDS)[number];

/** A cell as it arrives: CSV gives strings, JSON may give numbers or booleans. */
const cell = z.union([z.string(), z.number(), z.boolean(), z.null()]).optional();
const recordSchema = z.record(z.string(), cell);
type RawRecord = z.infer<typeof recordSchema>;

function text(value: RawRecord[string]): string {
  return value === undefined || value === null ? '' : String(value);
}

/** Turns one raw record into a validated pair. */
function toPair(raw: RawRecord, columns: Readonly<Record<string, string>>, source: SourceRef, context: LoadContext): SentencePair {
  const get = (field: GenericField): RawRecord[string] => raw[columns[field] ?? field];
  const has = (field: GenericField): boolean => text(get(field)).trim() !== '';
  const word = text(get('word')).trim();
  if (word === '') throw new InputError(`"${columns.word ?? 'word'}" is empty`, source);
  const sentence1 = requireSentence(get('sentence1'), columns.sentence1 ?? 'sentence1', source);
  const sentence2 = requireSentence(get('sentence2'), columns.sentence2 ?? 'sentence2', source);

  let span1: Span;
  let span2: Span;
  const explicit = has('start1') || has('end1') || has('start2') || has('end2') || has('index1') || has('index2');
  if (has('start1') || has('end1') || has('start2') || has('end2')) {
    const offset = (field: GenericField): number => parseIndex(get(field), columns[field] ?? field, source);
    span1 = { start: offset('start1'), end: offset('end1') };
    span2 = { start: offset('start2'), end: offset('end2') };
  } else if (has('index1') || has('index2')) {
    span1 = tokenIndexToSpan(sentence1, parseIndex(get('index1'), 'index1', source), word, source);
    span2 = tokenIndexToSpan(sentence2, parseIndex(get('index2'), 'index2', source), word, source);
  } else {
    span1 = locateWord(sentence1, word, 'sentence1', source);
    span2 = locateWord(sentence2, word, 'sentence2', source);
  }
  const spans1 = checkSpans(sentence1, [span1], source);
  const spans2 = checkSpans(sentence2, [span2], source);
  if (explicit) {
    // Explicit offsets are the user's statement of where the target is: any surface form is accepted, and counted.
    context.countSpans(sentence1, spans1, word);
    context.countSpans(sentence2, spans2, word);
  } else {
    checkTargetText(sentence1, span1, word, source);
    checkTargetText(sentence2, span2, word, source);
  }

  const label = has('label') ? parseLabel(text(get('label')), source) : null;
  const score = parseScore(text(get('score')), columns.score ?? 'score', source);
  if (label === null && score === null) {
    throw new InputError(`neither "${columns.label ?? 'label'}" nor "${columns.score ?? 'score'}" is given`, source);
  }
  const pos = text(get('pos')).trim();
  return {
    id: has('id') ? text(get('id')).trim() : String(source.line),
    word,
    ...(pos === '' ? {} : { pos }),
    sentence1,
    sentence2,
    spans1,
    spans2,
    label,
    score,
    split: has('split') ? parseSplit(text(get('split')), source) : 'all',
    source,
  };
}

function checkColumns(header: readonly string[], columns: Readonly<Record<string, string>>, source: SourceRef): void {
  const missing = (['word', 'sentence1', 'sentence2'] as const)
    .map((field) => columns[field] ?? field)
    .filter((name) => !header.includes(name));
  if (missing.length > 0) {
    throw new InputError(`missing column(s) ${missing.join(', ')} (found: ${header.join(', ')})`, source);
  }
}

async function loadJsonl(path: string, options: LoadOptions, context: LoadContext): Promise<(SentencePair | null)[]> {
  const columns = options.columns ?? {};
  const pairs: (SentencePair | null)[] = [];
  const seenKeys = new Set<string>();
  const lines = await readTextLines(path);
  for (const [index, line] of lines.entries()) {
    const source = { file: path, line: index + 1 };
    if (line.trim() === '') continue;
    pairs.push(
      context.record(() => {
        const parsed = recordSchema.safeParse(parseJsonAt(line, source));
        if (!parsed.success) {
          const issue = parsed.error.issues[0];
          throw new InputError(`expected a flat JSON object: ${issue?.path.join('.') ?? ''} ${issue?.message ?? ''}`.trim(), source);
        }
        checkColumns(Object.keys(parsed.data), columns, source);
        for (const key of Object.keys(parsed.data)) seenKeys.add(key);
        return toPair(parsed.data, columns, source, context);
      }),
    );
  }
  checkMappedColumns(Object.entries(columns), seenKeys, path);
  return pairs;
}

/** Refuses a `--column FIELD=NAME` whose NAME no header (no JSON record) has: a typo would otherwise drop the field silently. */
function checkMappedColumns(mapped: readonly [string, string][], names: ReadonlySet<string>, file: string): void {
  for (const [field, name] of mapped) {
    if (!names.has(name)) throw new InputError(`--column ${field}=${name}: the file has no field ${JSON.stringify(name)} (found: ${[...names].slice(0, 30).join(', ')})`, { file, line: 1 });
  }
}

/** A csv-parse error as an InputError at its line. */
export function csvErrorAt(error: unknown, file: string, fieldCount: number): InputError {
  const err = error as Error & { code?: string; lines?: number; record?: unknown[] };
  const message =
    err.code === 'CSV_RECORD_INCONSISTENT_COLUMNS'
      ? `expected ${fieldCount} fields (as in the header), found ${err.record?.length ?? 'a different number'}`
      : err.message.replace(/^Invalid Record Length: /, '');
  return new InputError(message, { file, line: Math.max(1, err.lines ?? 1) });
}

/**
 * Parses a delimited file with a header row (RFC 4180 quoting). Under `onInvalid: 'skip'` a
 * record csv-parse cannot read (wrong field count, broken quoting) is listed and dropped.
 */
export function parseDelimited(
  content: string,
  file: string,
  delimiter: string,
  context: LoadContext,
  options: { readonly relaxQuotes?: boolean } = {},
): { header: string[]; rows: { record: Record<string, string>; line: number }[] } {
  type CsvRow = { record: Record<string, string>; info: { lines: number } };
  let header: string[] = [];
  let records: CsvRow[];
  try {
    records = parse<CsvRow>(content, {
      columns: (names: string[]) => (header = names.map((name) => name.trim())),
      delimiter,
      info: true,
      skip_empty_lines: true,
      relax_column_count: false,
      relax_quotes: options.relaxQuotes ?? false,
      skip_records_with_error: context.skip,
      on_skip: (error: unknown) => {
        if (!error) return;
        const invalid = csvErrorAt(error, file, header.length);
        context.record(() => {
          throw invalid;
        });
      },
    });
  } catch (error) {
    throw csvErrorAt(error, file, header.length);
  }
  return { header, rows: records.map(({ record, info }) => ({ record, line: info.lines })) };
}

async function loadCsv(path: string, options: LoadOptions, delimiter: string, context: LoadContext): Promise<(SentencePair | null)[]> {
  const columns = options.columns ?? {};
  const { header, rows } = parseDelimited(await readTextFile(path), path, delimiter, context);
  if (header.length === 0) throw new InputError('no header row', { file: path, line: 1 });
  checkColumns(header, columns, { file: path, line: 1 });
  checkMappedColumns(Object.entries(columns), new Set(header), path);
  return rows.map(({ record, line }) => context.record(() => toPair(record, columns, { file: path, line }, context)));
}

function makeLoader(format: Extract<DatasetFormat, 'jsonl' | 'csv'>, extensions: readonly string[]): DatasetLoader {
  return {
    format,
    detect(path: string): Promise<boolean> {
      return Promise.resolve(extensions.includes(extname(path).toLowerCase()));
    },
    async load(path: string, options: LoadOptions): Promise<Dataset> {
      const context = new LoadContext(options);
      const pairs =
        format === 'jsonl'
          ? await loadJsonl(path, options, context)
          : await loadCsv(path, options, extname(path).toLowerCase() === '.tsv' ? '\t' : ',', context);
      return buildDataset(options.name ?? basename(path, extname(path)), format, pairs, [path], context);
    },
  };
}

/** Generic JSONL (one flat object per line). */
export const jsonlLoader = makeLoader('jsonl', ['.jsonl', '.ndjson']);
/** Generic CSV with a header row. */
export const csvLoader = makeLoader('csv', ['.csv']);

export { locateWord } from '../text.js';
