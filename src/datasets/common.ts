/**
 * Validation helpers shared by every dataset loader. Each check throws an {@link InputError}
 * carrying the record's `file:line`, so a bad dataset never turns into a silently wrong report.
 */
import { createHash } from 'node:crypto';
import { open, readdir, readFile } from 'node:fs/promises';
import { basename, dirname } from 'node:path';
import { quote } from '../errors.js';
import { decodeUtf8, utf16Encoding } from '../io/text-file.js';
import {
  InputError,
  type Dataset,
  type DatasetFormat,
  type LoadOptions,
  type SentencePair,
  type SourceRef,
  type Span,
  type SplitName,
  type TargetSpans,
} from '../types.js';
import { DEFAULT_MAX_INVALID, SPLIT_NAMES } from './formats.js';
import { safeName } from './names.js';
import { isUnspacedScript, stripEdgePunctuation, whitespaceTokens } from '../text.js';

export { isUnspacedScript, occurrencesOf, stripEdgePunctuation, whitespaceTokens } from '../text.js';

const LABELS: Readonly<Record<string, boolean>> = {
  t: true,
  true: true,
  '1': true,
  same: true,
  yes: true,
  f: false,
  false: false,
  '0': false,
  different: false,
  no: false,
};

/** Parses a same-sense label: T/F, 1/0, true/false, same/different, yes/no (case-insensitive). */
export function parseLabel(raw: string, source: SourceRef): boolean {
  const label = LABELS[raw.trim().toLowerCase()];
  if (label === undefined) {
    throw new InputError(`unknown label ${quote(raw)} (expected T/F, 1/0, true/false, same/different or yes/no)`, source);
  }
  return label;
}

const SPLIT_ALIASES: Readonly<Record<string, SplitName>> = {
  train: 'train',
  training: 'train',
  dev: 'dev',
  val: 'dev',
  valid: 'dev',
  validation: 'dev',
  test: 'test',
  all: 'all',
};

/** Parses a split name (train, dev/val/validation, test, all). */
export function parseSplit(raw: string, source: SourceRef): SplitName {
  const split = SPLIT_ALIASES[raw.trim().toLowerCase()];
  if (split === undefined) throw new InputError(`unknown split ${quote(raw)} (expected train, dev or test)`, source);
  return split;
}

/**
 * The split a file's name states, for every format: the first part of the base name (split at
 * `.`, `_`, `-`) that is a split word (`train`, `training`, `dev`, `val`, `valid`, `validation`,
 * `test`). `train.jsonl`, `de_valid.txt`, `training.en-en.data`, `x.test.data.txt` and
 * `dutch_nl-valid.txt` name their split; `trial.en-en.data`, `ratings.txt` and `contest.txt` do not
 * (-> `all`).
 */
export function splitFromFileName(path: string): SplitName {
  for (const part of basename(path).toLowerCase().split(/[._-]/)) {
    const split = SPLIT_ALIASES[part];
    if (split !== undefined && split !== 'all') return split;
  }
  return 'all';
}

/** Parses an integer field that may arrive as a number or a numeric string (MCL-WiC ships strings). */
export function parseIndex(raw: unknown, field: string, source: SourceRef): number {
  const value = typeof raw === 'string' && /^\s*-?\d+\s*$/.test(raw) ? Number(raw) : raw;
  if (typeof value !== 'number' || !Number.isInteger(value)) {
    throw new InputError(`${field} must be an integer, got ${quote(raw)}`, source);
  }
  return value;
}

/** Parses a graded score; empty means absent. */
export function parseScore(raw: string, field: string, source: SourceRef): number | null {
  if (raw.trim() === '') return null;
  const value = Number(raw);
  if (!Number.isFinite(value)) throw new InputError(`${field} must be a number, got ${quote(raw)}`, source);
  return value;
}

/**
 * Converts a whitespace-token index (WiC's `i-j` convention) into a character span. The span covers
 * the token without surrounding punctuation, so `"bank."` at index 5 yields the span of `bank`.
 * `word` is only used in the error message: WiC targets are lemmas, the token may be inflected.
 */
export function tokenIndexToSpan(sentence: string, index: number, word: string, source: SourceRef): Span {
  const tokens = whitespaceTokens(sentence);
  const token = tokens[index];
  if (!Number.isInteger(index) || index < 0 || token === undefined) {
    throw new InputError(
      `token index ${index} for "${word}" is out of range (the sentence has ${tokens.length} whitespace tokens)`,
      source,
    );
  }
  const core = stripEdgePunctuation(token.text);
  if (core === '') throw new InputError(`token ${index} ("${token.text}") is only punctuation, not "${word}"`, source);
  const offset = token.text.indexOf(core);
  return { start: token.start + offset, end: token.start + offset + core.length };
}

/**
 * Checks a character span against its sentence. With `expectedWord`, the text at the span must
 * equal it case-insensitively (used when a dataset gives the surface form, not a lemma).
 */
export function checkSpan(sentence: string, span: Span, source: SourceRef, expectedWord?: string): Span {
  const { start, end } = span;
  if (!Number.isInteger(start) || !Number.isInteger(end) || start < 0 || end > sentence.length || start >= end) {
    throw new InputError(
      `target span ${start}-${end} is out of range for a sentence of ${sentence.length} characters`,
      source,
    );
  }
  if (expectedWord !== undefined) {
    const found = sentence.slice(start, end);
    if (found.toLowerCase() !== expectedWord.toLowerCase()) {
      throw new InputError(`target "${expectedWord}" not found at ${start}-${end} (found "${found}")`, source);
    }
  }
  return span;
}

/**
 * True when `found` is the word or a regular inflection of it: equal case-insensitively, or sharing
 * a prefix of at least three characters (`bank`/`banks`, `run`/`running`; not `keep`/`kept`).
 */
export function isWordForm(found: string, word: string): boolean {
  const a = found.toLowerCase();
  const b = word.toLowerCase();
  if (a === b) return true;
  return Math.min(a.length, b.length) >= 3 && a.slice(0, 3) === b.slice(0, 3);
}

/**
 * Checks that a span holds the target: it must sit on word boundaries, and its text must be the
 * word or an inflection of it, judged by a shared prefix of at least three letters (or the whole
 * word when shorter), case-insensitively: `bank`/`banks` and `run`/`running` pass, `bank`/`river`
 * fails. Irregular forms (`go`/`went`) need the surface form as `word`.
 */
export function checkTargetText(sentence: string, span: Span, word: string, source: SourceRef): Span {
  const found = sentence.slice(span.start, span.end);
  const isWordChar = (char: string | undefined): boolean => char !== undefined && /[\p{L}\p{N}]/u.test(char);
  if (!isUnspacedScript(found) && (isWordChar(sentence[span.start - 1]) || isWordChar(sentence[span.end]))) {
    throw new InputError(`target span ${span.start}-${span.end} ("${found}") cuts through a word`, source);
  }
  if (!isWordForm(found, word)) {
    throw new InputError(`target "${word}" not found at ${span.start}-${span.end} (found "${found}")`, source);
  }
  return span;
}

/**
 * Checks explicit target spans (offsets the file gives): each inside the sentence, not blank,
 * sorted and non-overlapping. Any text is accepted there; see {@link LoadContext.countSpans}.
 */
export function checkSpans(sentence: string, spans: readonly Span[], source: SourceRef): TargetSpans {
  if (spans.length === 0) throw new InputError('no target span given', source);
  let previousEnd = -1;
  for (const span of spans) {
    checkSpan(sentence, span, source);
    if (sentence.slice(span.start, span.end).trim() === '') {
      throw new InputError(`target span ${span.start}-${span.end} holds only whitespace`, source);
    }
    if (span.start < previousEnd) throw new InputError(`target spans overlap or are not in order at ${span.start}-${span.end}`, source);
    previousEnd = span.end;
  }
  return spans as unknown as TargetSpans;
}

/**
 * Removes every inline mark `<tag>…</tag>` from a context (AM2iCo `<word>`, CoSimLex `<strong>`):
 * returns the clean sentence and, per mark in text order, the span of its text (whitespace just
 * inside the tags stays in the sentence but outside the span). An empty or unbalanced mark is an
 * {@link InputError}.
 */
export function removeMarks(context: string, tag: string, field: string, source: SourceRef): { sentence: string; marks: { span: Span; text: string }[] } {
  const pattern = new RegExp(`<${tag}>([\\s\\S]*?)</${tag}>`, 'gi');
  const marks: { span: Span; text: string }[] = [];
  let sentence = '';
  let last = 0;
  for (const match of context.matchAll(pattern)) {
    sentence += context.slice(last, match.index);
    const inner = match[1]!;
    const text = inner.trim();
    if (text === '') throw new InputError(`${field}: the <${tag}></${tag}> mark is empty`, source);
    const start = sentence.length + inner.indexOf(text);
    marks.push({ span: { start, end: start + text.length }, text });
    sentence += inner;
    last = match.index + match[0].length;
  }
  sentence += context.slice(last);
  if (new RegExp(`</?${tag}>`, 'i').test(sentence)) throw new InputError(`${field} has an unbalanced <${tag}> or </${tag}> mark`, source);
  return { sentence, marks };
}

/** Checks that a sentence field is present and not blank. */
export function requireSentence(value: unknown, field: string, source: SourceRef): string {
  if (value === undefined || value === null) throw new InputError(`${field} is missing`, source);
  if (typeof value !== 'string') throw new InputError(`${field} is not a string (got the ${Array.isArray(value) ? 'array' : typeof value} ${quote(value)})`, source);
  if (value.trim() === '') throw new InputError(`${field} is empty`, source);
  return value;
}

/** sha256 over the bytes of every file, in sorted path order, each prefixed by its base-relative path. */
export async function hashFiles(files: readonly string[]): Promise<string> {
  const hash = createHash('sha256');
  for (const file of [...files].sort()) {
    hash.update(`${file.split(/[\\/]/).pop() ?? file}\0`);
    hash.update(await readFile(file));
  }
  return hash.digest('hex');
}

/**
 * What one load collects besides its pairs, and the one place that decides what an invalid record
 * does: with `onInvalid: 'fail'` (the default) its {@link InputError} propagates and refuses the
 * file; with `'skip'` the record is dropped and listed as `file:line: reason`. Every loader parses
 * each record through {@link LoadContext.record}, so the policy is implemented once.
 */
export class LoadContext {
  readonly skipped: string[] = [];
  readonly notes: string[] = [];
  records = 0;
  unmatchedSpans = 0;
  repairedSpans = 0;
  readonly skip: boolean;
  readonly maxInvalid: number;

  constructor(readonly options: LoadOptions = {}) {
    this.skip = options.onInvalid === 'skip';
    this.maxInvalid = options.maxInvalid ?? DEFAULT_MAX_INVALID;
    if (!(this.maxInvalid >= 0 && this.maxInvalid <= 1)) throw new InputError(`max-invalid must be a share between 0 and 1, got ${this.maxInvalid}`);
  }

  /**
   * Parses one record. An {@link InputError} that names a line is the record's fault: it propagates
   * (fail) or is listed and the record dropped (skip: returns null). Other errors always propagate.
   * `counted: false` for the label half of a record kept in another file (it is not a record of its own).
   */
  record<T>(parse: () => T, counted = true): T | null {
    if (counted) this.records++;
    try {
      return parse();
    } catch (error) {
      if (this.skip && error instanceof InputError && error.source !== undefined) {
        this.skipped.push(error.message);
        return null;
      }
      throw error;
    }
  }

  /** An invalid record found outside a parse (a label line without a pair): thrown, or listed under skip. */
  invalid(reason: string, source: SourceRef): void {
    this.record(() => {
      throw new InputError(reason, source);
    });
  }

  /** Counts explicit spans whose text is neither `word` nor a regular inflection of it. */
  countSpans(sentence: string, spans: readonly Span[], word: string): void {
    const text = spans.map((span) => sentence.slice(span.start, span.end)).join(' ');
    if (!isWordForm(text, word) && !spans.some((span) => isWordForm(sentence.slice(span.start, span.end), word))) this.unmatchedSpans++;
  }
}

/**
 * Pairs the lines of a data file with those of its parallel label file. A line without a partner
 * is invalid at that line (`x.data.txt:2: no label in x.gold.txt, which has 1 line`); the result
 * holds, for each data line index, its label line or undefined.
 */
export function pairParallelLines(
  context: LoadContext,
  data: { readonly file: string; readonly lines: readonly number[] },
  labels: { readonly file: string; readonly lines: readonly number[] },
): (number | undefined)[] {
  const plural = (count: number): string => `${count} line${count === 1 ? '' : 's'}`;
  const partners: (number | undefined)[] = data.lines.map((_, index) => labels.lines[index]);
  for (let index = labels.lines.length; index < data.lines.length; index++) {
    context.invalid(`no label in ${labels.file}, which has ${plural(labels.lines.length)}`, { file: data.file, line: data.lines[index]! });
  }
  for (let index = data.lines.length; index < labels.lines.length; index++) {
    context.invalid(`no pair in ${data.file}, which has ${plural(data.lines.length)}`, { file: labels.file, line: labels.lines[index]! });
  }
  return partners;
}

/**
 * Data files whose label (gold) file is missing. Refused when the gold file looks misnamed (a file
 * beside it has "gold" in its name and the data file's stem) or when a sibling of the same split in
 * the same folder has one (a lost gold file would silently score that file as unlabelled); else a
 * note (run.json, the report) says its pairs are unlabelled, as for the official test files
 * released without gold beside training files with it.
 */
export async function checkGoldFiles(
  files: readonly { readonly data: string; readonly gold: string | null; readonly expectedGold: string; readonly split: SplitName }[],
  context: LoadContext,
): Promise<void> {
  for (const file of files) {
    if (file.gold !== null) continue;
    const folder = dirname(file.data);
    const stem = basename(file.expectedGold).split('.')[0]!.toLowerCase();
    const lookalike = (await readdir(folder).catch(() => [] as string[])).find((name) => name.toLowerCase().includes('gold') && name.toLowerCase().startsWith(stem));
    if (lookalike !== undefined) {
      throw new InputError(`no gold file ${basename(file.expectedGold)} beside it, but ${lookalike} is there: misnamed? (name it ${basename(file.expectedGold)})`, { file: file.data, line: 1 });
    }
    const labelled = files.find((other) => other.gold !== null && other.split === file.split && dirname(other.data) === folder);
    if (labelled !== undefined) {
      throw new InputError(`no gold file ${basename(file.expectedGold)} beside it, while ${basename(labelled.data)} of the same split has one; add it, or load the file alone to score it unlabelled`, { file: file.data, line: 1 });
    }
    context.notes.push(`${file.data}: no gold file ${basename(file.expectedGold)}: its pairs are unlabelled`);
  }
}

/** What reading one data file (with its label file) gives: its pairs (null = skipped) and the files read. */
export interface FileRead {
  readonly pairs: readonly (SentencePair | null)[];
  readonly files: readonly string[];
}

/** Reads data files one after another with one {@link LoadContext}, concatenating pairs and files read. */
export async function readEach<T>(inputs: readonly T[], read: (input: T) => Promise<FileRead>): Promise<{ pairs: (SentencePair | null)[]; files: string[] }> {
  const pairs: (SentencePair | null)[] = [];
  const files: string[] = [];
  for (const input of inputs) {
    const result = await read(input);
    appendAll(pairs, result.pairs);
    appendAll(files, result.files);
  }
  return { pairs, files };
}

/**
 * Assembles a dataset: rejects duplicate ids (at the duplicate's line), groups pairs by split in
 * canonical order, checksums the files read, and (under skip) refuses the dataset when more than
 * `maxInvalid` of its records were dropped.
 */
export async function buildDataset(
  name: string,
  format: DatasetFormat,
  pairs: readonly (SentencePair | null)[],
  files: readonly string[],
  context: LoadContext = new LoadContext(),
): Promise<Dataset> {
  const seen = new Map<string, SourceRef>();
  const bySplit = new Map<SplitName, SentencePair[]>();
  let kept = 0;
  for (const pair of pairs) {
    if (pair === null) continue;
    const first = seen.get(pair.id);
    if (first) {
      context.invalid(`duplicate id "${pair.id}" (first at ${first.file}:${first.line})`, pair.source);
      continue;
    }
    kept++;
    seen.set(pair.id, pair.source);
    const list = bySplit.get(pair.split) ?? [];
    list.push(pair);
    bySplit.set(pair.split, list);
  }
  if (context.skipped.length > 0 && context.skipped.length > context.maxInvalid * context.records) {
    throw new InputError(
      `${context.skipped[0]!} (one of ${context.skipped.length} invalid records out of ${context.records}, ` +
        `more than the ${formatShare(context.maxInvalid)} --max-invalid allows)`,
    );
  }
  if (kept === 0) {
    if (context.skipped.length > 0) throw new InputError(`${context.skipped[0]!} (every record is invalid)`);
    const where = files.length > 1 ? ` (files read: ${files.join(', ')})` : '';
    throw new InputError(`no sentence pairs found${where}`, files[0] === undefined ? undefined : { file: files[0], line: 1 });
  }
  const splits = new Map<SplitName, readonly SentencePair[]>();
  for (const split of SPLIT_NAMES) {
    const list = bySplit.get(split);
    if (list) splits.set(split, list);
  }
  return {
    // The name becomes part of result file names.
    name: safeName(name),
    format,
    splits,
    sha256: await hashFiles(files),
    files: [...files],
    records: context.records,
    skipped: [...context.skipped],
    unmatchedSpans: context.unmatchedSpans,
    repairedSpans: context.repairedSpans,
    notes: [...context.notes],
  };
}

function formatShare(share: number): string {
  return `${Number((share * 100).toPrecision(6))}%`;
}


/**
 * Reads a UTF-8 text file without its BOM; an unreadable file, a UTF-16 one, a NUL byte or invalid
 * UTF-8 is an {@link InputError} (src/io/text-file.ts).
 */
export async function readTextFile(file: string): Promise<string> {
  let bytes: Buffer;
  try {
    bytes = await readFile(file);
  } catch (error) {
    throw new InputError(`${file}: cannot read (${(error as NodeJS.ErrnoException).code ?? String(error)})`);
  }
  return decodeUtf8(bytes, file);
}

/** Reads a text file as lines (LF or CRLF), without a trailing empty line; strips a UTF-8 BOM. */
export async function readTextLines(file: string): Promise<string[]> {
  const lines = (await readTextFile(file)).split(/\r?\n/);
  if (lines.at(-1) === '') lines.pop();
  return lines;
}

/**
 * The first non-empty line of a file, reading at most 64 KiB (format detection must stay cheap);
 * null when the file cannot be read or has none.
 */
export async function firstLine(path: string): Promise<string | null> {
  let handle;
  try {
    handle = await open(path, 'r');
    const buffer = Buffer.alloc(65536);
    const { bytesRead } = await handle.read(buffer, 0, buffer.length, 0);
    // A UTF-16 file is named as such here, before format detection misreads it.
    const encoding = utf16Encoding(buffer.subarray(0, bytesRead));
    if (encoding !== null) throw new InputError(`the file is ${encoding} encoded; save it as UTF-8`, { file: path, line: 1 });
    const text = buffer.subarray(0, bytesRead).toString('utf8').replace(/^\uFEFF/, '');
    return text.split(/\r?\n/).find((line) => line.trim() !== '') ?? null;
  } catch (error) {
    if (error instanceof InputError) throw error;
    return null;
  } finally {
    await handle?.close();
  }
}

/** Appends every item (a loop, not `push(...items)`, which overflows the stack past ~100k items). */
export function appendAll<T>(target: T[], items: readonly T[]): void {
  for (const item of items) target.push(item);
}

export { jsonSyntaxErrorOffset, parseJsonAt } from '../io/json.js';
