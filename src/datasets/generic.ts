/**
 * sensebench's generic pair format, as JSONL or CSV, with these field names (any can be renamed
 * with `LoadOptions.columns`, e.g. `{ label: 'same', score: 'mean_relatedness' }` for a graded CSV):
 *
 * - `id` (optional; default `<line>`), `word`, `sentence1`, `sentence2`
 * - the target: character offsets `start1,end1,start2,end2` (end exclusive), or whitespace-token
 *   indices `index1,index2`, or neither: then `word` must occur exactly once as a whole word in
 *   each sentence (case-insensitive)
 * - `label` (T/F, 1/0, true/false, same/different; optional when `score` is given)
 * - `score` (optional graded relatedness), `split` (optional: train/dev/test), `pos` (optional)
 */
import { readFile } from 'node:fs/promises';
import { basename, extname } from 'node:path';
import { parse } from 'csv-parse/sync';
import { z } from 'zod';
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
  checkSpan,
  checkTargetText,
  parseIndex,
  parseLabel,
  parseScore,
  parseSplit,
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

function escapeRegExp(value: string): string {
  return value.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Finds `word` as a whole word (case-insensitive); it must occur exactly once so the target is unambiguous. */
export function locateWord(sentence: string, word: string, field: string, source: SourceRef): Span {
  const pattern = new RegExp(`(?<![\\p{L}\\p{N}])${escapeRegExp(word)}(?![\\p{L}\\p{N}])`, 'giu');
  const matches = [...sentence.matchAll(pattern)];
  if (matches.length !== 1) {
    throw new InputError(
      matches.length === 0
        ? `target "${word}" not found as a whole word in ${field}; give start/end offsets or token indices`
        : `target "${word}" occurs ${matches.length} times in ${field}; give start/end offsets or token indices`,
      source,
    );
  }
  const start = matches[0]!.index;
  return { start, end: start + word.length };
}

/** Turns one raw record into a validated pair. */
function toPair(raw: RawRecord, columns: Readonly<Record<string, string>>, source: SourceRef): SentencePair {
  const get = (field: GenericField): RawRecord[string] => raw[columns[field] ?? field];
  const has = (field: GenericField): boolean => text(get(field)).trim() !== '';
  const word = text(get('word')).trim();
  if (word === '') throw new InputError(`"${columns.word ?? 'word'}" is empty`, source);
  const sentence1 = requireSentence(get('sentence1'), columns.sentence1 ?? 'sentence1', source);
  const sentence2 = requireSentence(get('sentence2'), columns.sentence2 ?? 'sentence2', source);

  let span1: Span;
  let span2: Span;
  if (has('start1') || has('end1') || has('start2') || has('end2')) {
    const offset = (field: GenericField): number => parseIndex(get(field), columns[field] ?? field, source);
    span1 = checkSpan(sentence1, { start: offset('start1'), end: offset('end1') }, source);
    span2 = checkSpan(sentence2, { start: offset('start2'), end: offset('end2') }, source);
  } else if (has('index1') || has('index2')) {
    span1 = tokenIndexToSpan(sentence1, parseIndex(get('index1'), 'index1', source), word, source);
    span2 = tokenIndexToSpan(sentence2, parseIndex(get('index2'), 'index2', source), word, source);
  } else {
    span1 = locateWord(sentence1, word, 'sentence1', source);
    span2 = locateWord(sentence2, word, 'sentence2', source);
  }

  // The word may be a lemma of an inflected surface form; checkTargetText allows regular inflections.
  checkTargetText(sentence1, span1, word, source);
  checkTargetText(sentence2, span2, word, source);

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
    spans1: [span1],
    spans2: [span2],
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

async function loadJsonl(path: string, options: LoadOptions): Promise<SentencePair[]> {
  const columns = options.columns ?? {};
  const pairs: SentencePair[] = [];
  const lines = await readTextLines(path);
  for (const [index, line] of lines.entries()) {
    const source = { file: path, line: index + 1 };
    if (line.trim() === '') continue;
    let json: unknown;
    try {
      json = JSON.parse(line);
    } catch (error) {
      throw new InputError(`invalid JSON (${(error as Error).message})`, source);
    }
    const parsed = recordSchema.safeParse(json);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new InputError(`expected a flat JSON object: ${issue?.path.join('.') ?? ''} ${issue?.message ?? ''}`.trim(), source);
    }
    checkColumns(Object.keys(parsed.data), columns, source);
    pairs.push(toPair(parsed.data, columns, source));
  }
  return pairs;
}

async function loadCsv(path: string, options: LoadOptions, delimiter: string): Promise<SentencePair[]> {
  const columns = options.columns ?? {};
  let content = await readFile(path, 'utf8').catch((error: unknown) => {
    throw new InputError(`${path}: cannot read (${(error as NodeJS.ErrnoException).code ?? String(error)})`);
  });
  if (content.startsWith('\uFEFF')) content = content.slice(1);
  type CsvRow = { record: Record<string, string>; info: { lines: number } };
  let records: CsvRow[];
  let header: string[] = [];
  try {
    records = parse<CsvRow>(content, {
      columns: (names: string[]) => (header = names.map((name) => name.trim())),
      delimiter,
      info: true,
      skip_empty_lines: true,
      relax_column_count: false,
    });
  } catch (error) {
    const err = error as Error & { code?: string; lines?: number; record?: unknown[] };
    const message =
      err.code === 'CSV_RECORD_INCONSISTENT_COLUMNS'
        ? `expected ${header.length} fields (as in the header), found ${err.record?.length ?? 'a different number'}`
        : err.message.replace(/^Invalid Record Length: /, '');
    throw new InputError(message, { file: path, line: err.lines ?? 0 });
  }
  checkColumns(header, columns, { file: path, line: 1 });
  return records.map(({ record, info }) => toPair(record, columns, { file: path, line: info.lines }));
}

function makeLoader(format: Extract<DatasetFormat, 'jsonl' | 'csv'>, extensions: readonly string[]): DatasetLoader {
  return {
    format,
    detect(path: string): Promise<boolean> {
      return Promise.resolve(extensions.includes(extname(path).toLowerCase()));
    },
    async load(path: string, options: LoadOptions): Promise<Dataset> {
      const pairs =
        format === 'jsonl'
          ? await loadJsonl(path, options)
          : await loadCsv(path, options, extname(path).toLowerCase() === '.tsv' ? '\t' : ',');
      return buildDataset(options.name ?? basename(path, extname(path)), format, pairs, [path]);
    },
  };
}

/** Generic JSONL (one flat object per line). */
export const jsonlLoader = makeLoader('jsonl', ['.jsonl', '.ndjson']);
/** Generic CSV with a header row. */
export const csvLoader = makeLoader('csv', ['.csv']);
