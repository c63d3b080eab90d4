/**
 * MCL-WiC (SemEval-2021 Task 2, Martelli et al., 2021): `*.data` files are JSON lists of
 * `{id, lemma, pos, sentence1, sentence2, start1, end1, start2, end2}` with character offsets
 * (end exclusive; numbers or numeric strings), or, in the cross-lingual test files, `ranges1` /
 * `ranges2` strings of one or several comma-separated `start-end` ranges (`"104-108,121-128"`: a
 * discontinuous target, one occurrence with several spans), and the `*.gold` file beside each is a JSON list of
 * `{id, tag}` with tag T/F, matched by id. A `*.data` without gold is unlabelled. A directory is
 * searched recursively (the release nests `training|dev|test/multilingual|crosslingual/`); the
 * split comes from the file name (`training.en-en.data` -> train, `trial.*` -> all).
 * Errors point at the real line where the offending record starts.
 */
import { readdir } from 'node:fs/promises';
import { basename, extname, join } from 'node:path';
import { InputError, type Dataset, type DatasetLoader, type LoadOptions, type SentencePair, type SourceRef, type Span, type TargetSpans } from '../types.js';
import {
  buildDataset,
  checkGoldFiles,
  checkSpans,
  LoadContext,
  readEach,
  parseIndex,
  parseJsonAt,
  parseLabel,
  readTextFile,
  requireSentence,
  splitFromFileName,
} from './common.js';
import { isDirectory, pathExists } from '../io/paths.js';

const DATA_EXTENSION = '.data';
const GOLD_EXTENSION = '.gold';

/** `*.data` files under a directory, recursively, in sorted path order. */
async function findDataFiles(dir: string): Promise<string[]> {
  const found: string[] = [];
  for (const entry of (await readdir(dir, { withFileTypes: true })).sort((a, b) => (a.name < b.name ? -1 : 1))) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) found.push(...(await findDataFiles(path)));
    else if (entry.name.endsWith(DATA_EXTENSION)) found.push(path);
  }
  return found;
}

/**
 * The 1-based line on which each element of a top-level JSON array starts, so that an error in
 * record 812 of a pretty-printed file names the line an editor shows.
 */
export function jsonArrayElementLines(text: string): number[] {
  const lines: number[] = [];
  let line = 1;
  let depth = 0;
  let inString = false;
  let escaped = false;
  let expectingElement = false;
  for (const char of text) {
    if (char === '\n') line++;
    if (inString) {
      if (escaped) escaped = false;
      else if (char === '\\') escaped = true;
      else if (char === '"') inString = false;
      continue;
    }
    if (depth === 1 && expectingElement && !/\s/.test(char) && char !== ']') {
      lines.push(line);
      expectingElement = false;
    }
    if (char === '"') inString = true;
    else if (char === '[' || char === '{') {
      depth++;
      if (depth === 1) expectingElement = true;
    } else if (char === ']' || char === '}') depth--;
    else if (char === ',' && depth === 1) expectingElement = true;
  }
  return lines;
}

/** Reads a JSON list; returns its elements with the source of each. */
async function readJsonList(file: string): Promise<{ value: unknown; source: SourceRef }[]> {
  const text = await readTextFile(file);
  const json = parseJsonAt(text, { file, line: 1 });
  if (!Array.isArray(json)) throw new InputError('expected a JSON list of records', { file, line: 1 });
  const lines = jsonArrayElementLines(text);
  return json.map((value: unknown, index) => ({ value, source: { file, line: lines[index] ?? index + 1 } }));
}

function asRecord(value: unknown, source: SourceRef): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new InputError('expected a JSON object', source);
  return value as Record<string, unknown>;
}

function requireString(record: Record<string, unknown>, field: string, source: SourceRef): string {
  const value = record[field];
  if (typeof value !== 'string' || value.trim() === '') throw new InputError(`${field} must be a non-empty string`, source);
  return value;
}

/** Reads a gold file: id -> label. An invalid gold record is invalid at its own line. */
async function readGold(file: string, context: LoadContext): Promise<Map<string, { label: boolean; source: SourceRef }>> {
  const gold = new Map<string, { label: boolean; source: SourceRef }>();
  for (const { value, source } of await readJsonList(file)) {
    context.record(() => {
      const record = asRecord(value, source);
      const id = requireString(record, 'id', source);
      if (gold.has(id)) throw new InputError(`duplicate id "${id}" in gold`, source);
      gold.set(id, { label: parseLabel(requireString(record, 'tag', source), source), source });
    }, false);
  }
  return gold;
}

/**
 * Parses `ranges`: one or several comma-separated `start-end` character ranges (end exclusive),
 * `"104-108,121-128"`. Returned sorted by start.
 */
export function parseRanges(raw: string, field: string, source: SourceRef): Span[] {
  const parts = raw.split(',').map((part) => /^\s*(\d+)\s*-\s*(\d+)\s*$/.exec(part));
  if (parts.some((match) => match === null)) {
    throw new InputError(`${field} must be one or more comma-separated "start-end" ranges, got ${JSON.stringify(raw)}`, source);
  }
  return parts.map((match) => ({ start: Number(match![1]), end: Number(match![2]) })).sort((a, b) => a.start - b.start);
}

/** The spans of one target: `start`/`end`, or the release's alternative `ranges` ("s-e" or "s-e,s-e"). */
function targetSpans(record: Record<string, unknown>, n: 1 | 2, sentence: string, source: SourceRef): TargetSpans {
  const ranges = record[`ranges${n}`];
  if (record[`start${n}`] === undefined && record[`end${n}`] === undefined && ranges !== undefined) {
    if (typeof ranges !== 'string') throw new InputError(`ranges${n} must be a string of "start-end" ranges, got ${JSON.stringify(ranges)}`, source);
    return checkSpans(sentence, parseRanges(ranges, `ranges${n}`, source), source);
  }
  const start = parseIndex(record[`start${n}`], `start${n}`, source);
  const end = parseIndex(record[`end${n}`], `end${n}`, source);
  return checkSpans(sentence, [{ start, end }], source);
}

async function readDataFile(file: string, context: LoadContext): Promise<{ pairs: (SentencePair | null)[]; files: string[] }> {
  const goldFile = file.slice(0, -DATA_EXTENSION.length) + GOLD_EXTENSION;
  const gold = (await pathExists(goldFile)) ? await readGold(goldFile, context) : null;
  const split = splitFromFileName(file);
  const seen = new Set<string>();
  const pairs = (await readJsonList(file)).map(({ value, source }) => context.record((): SentencePair => {
    const record = asRecord(value, source);
    const id = requireString(record, 'id', source);
    seen.add(id);
    const lemma = requireString(record, 'lemma', source).trim();
    const sentence1 = requireSentence(record.sentence1, 'sentence1', source);
    const sentence2 = requireSentence(record.sentence2, 'sentence2', source);
    const pos = typeof record.pos === 'string' && record.pos.trim() !== '' ? record.pos.trim() : undefined;
    let label: boolean | null = null;
    if (gold) {
      const entry = gold.get(id);
      if (!entry) throw new InputError(`id "${id}" has no label in ${goldFile}`, source);
      label = entry.label;
    }
    const spans1 = targetSpans(record, 1, sentence1, source);
    const spans2 = targetSpans(record, 2, sentence2, source);
    context.countSpans(sentence1, spans1, lemma);
    context.countSpans(sentence2, spans2, lemma);
    return {
      id,
      word: lemma,
      ...(pos === undefined ? {} : { pos }),
      sentence1,
      sentence2,
      spans1,
      spans2,
      label,
      score: null,
      split,
      source,
    };
  }));
  if (gold) {
    for (const [id, { source }] of gold) if (!seen.has(id)) context.invalid(`gold id "${id}" is not in ${file}`, source);
  }
  return { pairs, files: gold ? [file, goldFile] : [file] };
}

/** Loader for MCL-WiC (a `*.data` file with its `*.gold`, or a directory of them). */
export const mclWicLoader: DatasetLoader = {
  format: 'mclwic',
  async detect(path: string): Promise<boolean> {
    if (await isDirectory(path)) return (await findDataFiles(path).catch(() => [])).length > 0;
    return extname(path) === DATA_EXTENSION;
  },
  async load(path: string, options: LoadOptions): Promise<Dataset> {
    const directory = await isDirectory(path);
    const dataFiles = directory ? await findDataFiles(path) : [path];
    if (dataFiles.length === 0) throw new InputError(`${path}: no *${DATA_EXTENSION} files found`);
    const context = new LoadContext(options);
    const expected = dataFiles.map((data) => ({ data, split: splitFromFileName(data), expectedGold: data.slice(0, -DATA_EXTENSION.length) + GOLD_EXTENSION }));
    await checkGoldFiles(await Promise.all(expected.map(async (file) => ({ ...file, gold: (await pathExists(file.expectedGold)) ? file.expectedGold : null }))), context);
    const { pairs, files } = await readEach(dataFiles, (file) => readDataFile(file, context));
    const name = options.name ?? (directory ? basename(path) : basename(path, DATA_EXTENSION));
    return buildDataset(name, 'mclwic', pairs, files, context);
  },
};
