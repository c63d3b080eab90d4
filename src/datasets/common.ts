/**
 * Validation helpers shared by every dataset loader. Each check throws an {@link InputError}
 * carrying the record's `file:line`, so a bad dataset never turns into a silently wrong report.
 */
import { createHash } from 'node:crypto';
import { open, readFile } from 'node:fs/promises';
import {
  InputError,
  type Dataset,
  type DatasetFormat,
  type SentencePair,
  type SourceRef,
  type Span,
  type SplitName,
} from '../types.js';

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
    throw new InputError(`unknown label "${raw}" (expected T/F, 1/0, true/false or same/different)`, source);
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
  if (split === undefined) throw new InputError(`unknown split "${raw}" (expected train, dev or test)`, source);
  return split;
}

/** Parses an integer field that may arrive as a number or a numeric string (MCL-WiC ships strings). */
export function parseIndex(raw: unknown, field: string, source: SourceRef): number {
  const value = typeof raw === 'string' && /^\s*-?\d+\s*$/.test(raw) ? Number(raw) : raw;
  if (typeof value !== 'number' || !Number.isInteger(value)) {
    throw new InputError(`${field} must be an integer, got ${JSON.stringify(raw)}`, source);
  }
  return value;
}

/** Parses a graded score; empty means absent. */
export function parseScore(raw: string, field: string, source: SourceRef): number | null {
  if (raw.trim() === '') return null;
  const value = Number(raw);
  if (!Number.isFinite(value)) throw new InputError(`${field} must be a number, got "${raw}"`, source);
  return value;
}

/** Punctuation that may surround a word inside a whitespace token ("bank." or "(bank,"). */
const EDGE_PUNCTUATION = /^[\p{P}\p{S}]+|[\p{P}\p{S}]+$/gu;

/** Strips surrounding punctuation: `"bank."` -> `bank`. Inner punctuation (`don't`, `well-known`) stays. */
export function stripEdgePunctuation(token: string): string {
  return token.replace(EDGE_PUNCTUATION, '');
}

/** Whitespace tokens of a sentence with their character offsets. */
export function whitespaceTokens(sentence: string): { text: string; start: number; end: number }[] {
  const tokens: { text: string; start: number; end: number }[] = [];
  for (const match of sentence.matchAll(/\S+/g)) {
    tokens.push({ text: match[0], start: match.index, end: match.index + match[0].length });
  }
  return tokens;
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
 * Checks that a span holds the target: it must sit on word boundaries, and its text must be the
 * word or an inflection of it, judged by a shared prefix of at least three letters (or the whole
 * word when shorter), case-insensitively: `bank`/`banks` and `run`/`running` pass, `bank`/`river`
 * fails. Irregular forms (`go`/`went`) need the surface form as `word`.
 */
export function checkTargetText(sentence: string, span: Span, word: string, source: SourceRef): Span {
  const found = sentence.slice(span.start, span.end);
  const isWordChar = (char: string | undefined): boolean => char !== undefined && /[\p{L}\p{N}]/u.test(char);
  if (isWordChar(sentence[span.start - 1]) || isWordChar(sentence[span.end])) {
    throw new InputError(`target span ${span.start}-${span.end} ("${found}") cuts through a word`, source);
  }
  const a = found.toLowerCase();
  const b = word.toLowerCase();
  const needed = Math.min(3, a.length, b.length);
  if (a !== b && (needed === 0 || a.slice(0, needed) !== b.slice(0, needed) || Math.min(a.length, b.length) < 3)) {
    throw new InputError(`target "${word}" not found at ${span.start}-${span.end} (found "${found}")`, source);
  }
  return span;
}

/** Checks that a sentence field is present and not blank. */
export function requireSentence(value: unknown, field: string, source: SourceRef): string {
  if (typeof value !== 'string' || value.trim() === '') throw new InputError(`${field} is empty`, source);
  return value;
}

const SPLIT_ORDER: readonly SplitName[] = ['train', 'dev', 'test', 'all'];

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
 * Assembles a dataset: rejects duplicate ids (at the duplicate's line), groups pairs by split in
 * canonical order and checksums the files read.
 */
export async function buildDataset(
  name: string,
  format: DatasetFormat,
  pairs: readonly SentencePair[],
  files: readonly string[],
): Promise<Dataset> {
  if (pairs.length === 0) throw new InputError(`${files.join(', ')}: no sentence pairs found`);
  const seen = new Map<string, SourceRef>();
  const bySplit = new Map<SplitName, SentencePair[]>();
  for (const pair of pairs) {
    const first = seen.get(pair.id);
    if (first) throw new InputError(`duplicate id "${pair.id}" (first at ${first.file}:${first.line})`, pair.source);
    seen.set(pair.id, pair.source);
    const list = bySplit.get(pair.split) ?? [];
    list.push(pair);
    bySplit.set(pair.split, list);
  }
  const splits = new Map<SplitName, readonly SentencePair[]>();
  for (const split of SPLIT_ORDER) {
    const list = bySplit.get(split);
    if (list) splits.set(split, list);
  }
  return { name, format, splits, sha256: await hashFiles(files), files: [...files] };
}

/** Reads a UTF-8 text file without its BOM; an unreadable file is an {@link InputError}. */
export async function readTextFile(file: string): Promise<string> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new InputError(`${file}: cannot read (${(error as NodeJS.ErrnoException).code ?? String(error)})`);
  }
  return text.startsWith('\uFEFF') ? text.slice(1) : text;
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
    const text = buffer.subarray(0, bytesRead).toString('utf8').replace(/^\uFEFF/, '');
    return text.split(/\r?\n/).find((line) => line.trim() !== '') ?? null;
  } catch {
    return null;
  } finally {
    await handle?.close();
  }
}
