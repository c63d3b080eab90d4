/**
 * TempoWiC (Loureiro et al., 2022): meaning shift of a word between two tweets from different
 * times. `*.data.jl` is JSON Lines, one object per pair: `id`, `word`, and `tweet1`/`tweet2`
 * objects with `text`, `tokens`, `token_idx`, `text_start`, `text_end` (character offsets) and
 * `date`. Labels sit in a separate `*.labels.tsv` (or `*.gold.tsv`) beside it, `id<TAB>label` with
 * no header, 1 = same meaning, 0 = different, joined by id; a data file without one is unlabelled.
 * `text_end` is documented as inclusive but the released files use it exclusively, and the offsets
 * count code points (Python), not JavaScript's UTF-16 units, which differ after an emoji. Each
 * file is checked against its texts: the reading (code points or units, end exclusive or
 * inclusive) under which the most spans spell the target token is used. A directory is one dataset of its
 * `*.data.jl` files, split by file name (`train`, `validation`, `test`; `trial` -> all).
 */
import { readdir } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { InputError, type Dataset, type DatasetLoader, type LoadOptions, type SentencePair, type SourceRef, type Span, type TargetSpans } from '../types.js';
import {
  buildDataset,
  checkSpans,
  LoadContext,
  readEach,
  parseIndex,
  parseJsonAt,
  parseLabel,
  readTextLines,
  requireSentence,
  splitFromFileName,
} from './common.js';
import { isDirectory, pathExists } from '../io/paths.js';

const DATA_SUFFIX = '.data.jl';
const LABEL_SUFFIXES = ['.labels.tsv', '.gold.tsv'];

/** One tweet of a record, validated. */
interface Tweet {
  readonly text: string;
  readonly start: number;
  readonly end: number;
  /** The target token as the file's tokenization gives it, when present. */
  readonly token: string | null;
}

/** One parsed data record before its spans are fixed (end-inclusive detection needs the whole file). */
interface TempoRecord {
  readonly id: string;
  readonly word: string;
  readonly tweets: readonly [Tweet, Tweet];
  readonly source: SourceRef;
}

function asObject(value: unknown, what: string, source: SourceRef): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new InputError(`${what} must be a JSON object`, source);
  return value as Record<string, unknown>;
}

function parseTweet(value: unknown, field: 'tweet1' | 'tweet2', source: SourceRef): Tweet {
  if (value === undefined) throw new InputError(`missing field ${field}`, source);
  const tweet = asObject(value, field, source);
  const text = requireSentence(tweet.text, `${field}.text`, source);
  const start = parseIndex(tweet.text_start, `${field}.text_start`, source);
  const end = parseIndex(tweet.text_end, `${field}.text_end`, source);
  let token: string | null = null;
  if (Array.isArray(tweet.tokens) && tweet.token_idx !== undefined) {
    const index = parseIndex(tweet.token_idx, `${field}.token_idx`, source);
    const found: unknown = tweet.tokens[index];
    if (typeof found === 'string') token = found;
  }
  return { text, start, end, token };
}

function parseRecord(line: string, source: SourceRef): TempoRecord {
  const record = asObject(parseJsonAt(line, source), 'a line', source);
  const id = record.id;
  if (typeof id !== 'string' && typeof id !== 'number') throw new InputError('id must be a string or a number', source);
  if (String(id).trim() === '') throw new InputError('id is empty', source);
  const word = record.word;
  if (typeof word !== 'string' || word.trim() === '') throw new InputError('word must be a non-empty string', source);
  return { id: String(id).trim(), word: word.trim(), tweets: [parseTweet(record.tweet1, 'tweet1', source), parseTweet(record.tweet2, 'tweet2', source)], source };
}

/** How a file's offsets are read: code units or code points, end exclusive or inclusive. */
interface OffsetReading {
  readonly codePoints: boolean;
  readonly inclusive: boolean;
}

/** Converts a code-point offset (Python's string index) to a JavaScript string index; -1 when past the end. */
export function codePointToUtf16(text: string, offset: number): number {
  let units = 0;
  let points = 0;
  for (const char of text) {
    if (points === offset) return units;
    units += char.length;
    points++;
  }
  return points === offset ? units : -1;
}

function spanOf(tweet: Tweet, reading: OffsetReading): Span {
  const end = tweet.end + (reading.inclusive ? 1 : 0);
  if (!reading.codePoints) return { start: tweet.start, end };
  return { start: codePointToUtf16(tweet.text, tweet.start), end: codePointToUtf16(tweet.text, end) };
}

const READINGS: readonly OffsetReading[] = [
  { codePoints: false, inclusive: false },
  { codePoints: true, inclusive: false },
  { codePoints: false, inclusive: true },
  { codePoints: true, inclusive: true },
];

/**
 * The reading of a file's offsets under which the most spans spell their target token (or the
 * word): TempoWiC was made in Python, so offsets count code points (they differ from JavaScript's
 * after an emoji), and `text_end` is exclusive although documented as inclusive. Ties keep the
 * earlier reading (code units, exclusive).
 */
function chooseReading(records: readonly TempoRecord[]): OffsetReading {
  let best = READINGS[0]!;
  let bestHits = -1;
  for (const reading of READINGS) {
    let hits = 0;
    for (const record of records) {
      for (const tweet of record.tweets) {
        const span = spanOf(tweet, reading);
        if (tweet.text.slice(span.start, span.end).toLowerCase() === (tweet.token ?? record.word).toLowerCase()) hits++;
      }
    }
    if (hits > bestHits) {
      best = reading;
      bestHits = hits;
    }
  }
  return best;
}

/** Reads a labels file: id -> label and its line. Invalid lines are invalid records at their line. */
async function readLabels(file: string, context: LoadContext): Promise<Map<string, { label: boolean; source: SourceRef }>> {
  const labels = new Map<string, { label: boolean; source: SourceRef }>();
  for (const [index, line] of (await readTextLines(file)).entries()) {
    if (line.trim() === '') continue;
    const source = { file, line: index + 1 };
    context.record(() => {
      const fields = line.split('\t');
      if (fields.length !== 2) throw new InputError(`expected 2 tab-separated fields (id, label), found ${fields.length}`, source);
      const id = fields[0]!.trim();
      if (id === '') throw new InputError('id is empty', source);
      if (labels.has(id)) throw new InputError(`duplicate id "${id}" (first at ${file}:${labels.get(id)!.source.line})`, source);
      labels.set(id, { label: parseLabel(fields[1]!, source), source });
    }, false);
  }
  return labels;
}

async function labelFileOf(dataFile: string): Promise<string | null> {
  const stem = dataFile.slice(0, -DATA_SUFFIX.length);
  for (const suffix of LABEL_SUFFIXES) if (await pathExists(stem + suffix)) return stem + suffix;
  return null;
}

async function readDataFile(file: string, context: LoadContext): Promise<{ pairs: (SentencePair | null)[]; files: string[] }> {
  const labelFile = await labelFileOf(file);
  const labels = labelFile === null ? null : await readLabels(labelFile, context);
  const split = splitFromFileName(file);
  const records: TempoRecord[] = [];
  const seen = new Set<string>();
  for (const [index, line] of (await readTextLines(file)).entries()) {
    if (line.trim() === '') continue;
    const record = context.record(() => {
      const parsed = parseRecord(line, { file, line: index + 1 });
      seen.add(parsed.id);
      if (labels && !labels.has(parsed.id)) throw new InputError(`id "${parsed.id}" has no label in ${labelFile!}`, parsed.source);
      return parsed;
    });
    if (record) records.push(record);
  }
  if (labels) for (const [id, { source }] of labels) if (!seen.has(id)) context.invalid(`id "${id}" is not in ${file}`, source);
  const reading = chooseReading(records);
  const pairs = records.map((record) =>
    context.record((): SentencePair => {
      const { source, word } = record;
      const spansOf = (tweet: Tweet): TargetSpans => checkSpans(tweet.text, [spanOf(tweet, reading)], source);
      const spans1 = spansOf(record.tweets[0]);
      const spans2 = spansOf(record.tweets[1]);
      context.countSpans(record.tweets[0].text, spans1, word);
      context.countSpans(record.tweets[1].text, spans2, word);
      return {
        id: record.id,
        word,
        sentence1: record.tweets[0].text,
        sentence2: record.tweets[1].text,
        spans1,
        spans2,
        label: labels?.get(record.id)?.label ?? null,
        score: null,
        split,
        source,
      };
    }, false),
  );
  if (reading.inclusive) context.notes.push(`${file}: text_end read as inclusive (that reading spells the target more often)`);
  return { pairs, files: labelFile === null ? [file] : [file, labelFile] };
}

async function dataFiles(path: string): Promise<string[]> {
  if (!(await isDirectory(path))) return [path];
  const names = (await readdir(path)).filter((name) => name.endsWith(DATA_SUFFIX)).sort();
  if (names.length === 0) throw new InputError(`${path}: no *${DATA_SUFFIX} files found`);
  return names.map((name) => join(path, name));
}

/** Loader for TempoWiC (a `*.data.jl` with its labels, or a directory of them). */
export const tempoWicLoader: DatasetLoader = {
  format: 'tempowic',
  async detect(path: string): Promise<boolean> {
    if (path.endsWith(DATA_SUFFIX)) return true;
    return (await isDirectory(path)) && (await dataFiles(path).then((files) => files.length > 0, () => false));
  },
  async load(path: string, options: LoadOptions): Promise<Dataset> {
    const context = new LoadContext(options);
    const { pairs, files } = await readEach(await dataFiles(path), (file) => readDataFile(file, context));
    const name = options.name ?? ((await isDirectory(path)) ? basename(path) : basename(path, DATA_SUFFIX));
    return buildDataset(name, 'tempowic', pairs, files, context);
  },
};
