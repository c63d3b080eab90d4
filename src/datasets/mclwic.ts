/**
 * MCL-WiC (SemEval-2021 Task 2, Martelli et al., 2021): `*.data` files are JSON lists of
 * `{id, lemma, pos, sentence1, sentence2, start1, end1, start2, end2}` with character offsets
 * (end exclusive; numbers or numeric strings), and the `*.gold` file beside each is a JSON list of
 * `{id, tag}` with tag T/F, matched by id. A `*.data` without gold is unlabelled. A directory is
 * searched recursively (the release nests `training|dev|test/multilingual|crosslingual/`); the
 * split comes from the file name (`training.en-en.data` -> train, `trial.*` -> all).
 * Errors point at the real line where the offending record starts.
 */
import { readdir } from 'node:fs/promises';
import { basename, extname, join } from 'node:path';
import { InputError, type Dataset, type DatasetLoader, type LoadOptions, type SentencePair, type SourceRef, type SplitName } from '../types.js';
import { buildDataset, checkSpan, parseIndex, parseLabel, readTextFile, requireSentence } from './common.js';
import { isDirectory, pathExists } from '../io/paths.js';

const DATA_EXTENSION = '.data';
const GOLD_EXTENSION = '.gold';
const SPLIT_PREFIXES: Readonly<Record<string, SplitName>> = { training: 'train', train: 'train', dev: 'dev', test: 'test', trial: 'all' };

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

function splitOfFile(file: string): SplitName {
  return SPLIT_PREFIXES[basename(file).split('.')[0]!.toLowerCase()] ?? 'all';
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
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    const message = (error as Error).message;
    // V8 reports "... at position N" (Node 20) or "(line L column C)" (Node 22).
    const position = /position (\d+)/.exec(message);
    const lineMatch = /line (\d+)/.exec(message);
    const line = lineMatch ? Number(lineMatch[1]) : position ? text.slice(0, Number(position[1])).split('\n').length : 1;
    throw new InputError(`invalid JSON (${message})`, { file, line });
  }
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

/** Reads a gold file: id -> label. */
async function readGold(file: string): Promise<Map<string, { label: boolean; source: SourceRef }>> {
  const gold = new Map<string, { label: boolean; source: SourceRef }>();
  for (const { value, source } of await readJsonList(file)) {
    const record = asRecord(value, source);
    const id = requireString(record, 'id', source);
    if (gold.has(id)) throw new InputError(`duplicate id "${id}" in gold`, source);
    gold.set(id, { label: parseLabel(requireString(record, 'tag', source), source), source });
  }
  return gold;
}

/** The span of one target: `start`/`end`, or the release's alternative `ranges` ("s-e"). */
function targetSpan(record: Record<string, unknown>, n: 1 | 2, sentence: string, source: SourceRef): { start: number; end: number } {
  const ranges = record[`ranges${n}`];
  if (record[`start${n}`] === undefined && typeof ranges === 'string') {
    const match = /^\s*(\d+)-(\d+)\s*$/.exec(ranges);
    if (!match) throw new InputError(`ranges${n} must be one "start-end" range, got "${ranges}"`, source);
    return checkSpan(sentence, { start: Number(match[1]), end: Number(match[2]) }, source);
  }
  const start = parseIndex(record[`start${n}`], `start${n}`, source);
  const end = parseIndex(record[`end${n}`], `end${n}`, source);
  return checkSpan(sentence, { start, end }, source);
}

async function readDataFile(file: string): Promise<{ pairs: SentencePair[]; files: string[] }> {
  const goldFile = file.slice(0, -DATA_EXTENSION.length) + GOLD_EXTENSION;
  const gold = (await pathExists(goldFile)) ? await readGold(goldFile) : null;
  const split = splitOfFile(file);
  const seen = new Set<string>();
  const pairs = (await readJsonList(file)).map(({ value, source }): SentencePair => {
    const record = asRecord(value, source);
    const id = requireString(record, 'id', source);
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
    seen.add(id);
    return {
      id,
      word: lemma,
      ...(pos === undefined ? {} : { pos }),
      sentence1,
      sentence2,
      spans1: [targetSpan(record, 1, sentence1, source)],
      spans2: [targetSpan(record, 2, sentence2, source)],
      label,
      score: null,
      split,
      source,
    };
  });
  if (gold) {
    for (const [id, { source }] of gold) if (!seen.has(id)) throw new InputError(`gold id "${id}" is not in ${file}`, source);
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
    const pairs: SentencePair[] = [];
    const files: string[] = [];
    for (const file of dataFiles) {
      const read = await readDataFile(file);
      pairs.push(...read.pairs);
      files.push(...read.files);
    }
    const name = options.name ?? (directory ? basename(path) : basename(path, DATA_EXTENSION));
    return buildDataset(name, 'mclwic', pairs, files);
  },
};
