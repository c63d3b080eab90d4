/**
 * SuperGLUE's WiC task as JSONL (Wang et al., 2019): one object per line with `word`, `sentence1`,
 * `sentence2`, character offsets `start1,end1,start2,end2` (end exclusive, the surface form),
 * `idx` and a boolean `label`, absent in the unlabelled test file. A directory with
 * `train.jsonl`, `val.jsonl` and `test.jsonl` is one dataset with splits (val -> dev).
 */
import { readdir } from 'node:fs/promises';
import { basename, extname, join } from 'node:path';
import { InputError, type Dataset, type DatasetLoader, type LoadOptions, type SentencePair, type SourceRef, type SplitName } from '../types.js';
import { buildDataset, checkSpan, firstLine, parseIndex, parseLabel, parseSplit, readTextLines, requireSentence } from './common.js';
import { isDirectory } from '../io/paths.js';

const REQUIRED_FIELDS = ['word', 'sentence1', 'sentence2', 'start1', 'end1', 'start2', 'end2'] as const;
/** File names of a SuperGLUE WiC directory, by split. */
const SPLIT_FILES: readonly (readonly [string, SplitName])[] = [
  ['train.jsonl', 'train'],
  ['val.jsonl', 'dev'],
  ['dev.jsonl', 'dev'],
  ['validation.jsonl', 'dev'],
  ['test.jsonl', 'test'],
];

/** True when the line is a JSON object with SuperGLUE WiC's fields (`idx` distinguishes it from generic JSONL). */
function looksLikeSuperGlue(line: string | null): boolean {
  if (line === null) return false;
  try {
    const json: unknown = JSON.parse(line);
    return typeof json === 'object' && json !== null && [...REQUIRED_FIELDS, 'idx'].every((field) => field in json);
  } catch {
    return false;
  }
}

/** Split of a single file from its name: `train.jsonl` -> train, `val.jsonl` -> dev, else all. */
function splitOfFile(file: string): SplitName {
  const known = SPLIT_FILES.find(([name]) => name === basename(file).toLowerCase());
  if (known) return known[1];
  const match = /(^|[._-])(train|dev|val|validation|test)([._-]|$)/i.exec(basename(file, extname(file)));
  return match?.[2] ? parseSplit(match[2], { file, line: 0 }) : 'all';
}

/** The files of a dataset path with their splits. */
async function superGlueFiles(path: string): Promise<{ file: string; split: SplitName }[]> {
  if (!(await isDirectory(path))) return [{ file: path, split: splitOfFile(path) }];
  const names = new Set(await readdir(path));
  const files = SPLIT_FILES.filter(([name]) => names.has(name)).map(([name, split]) => ({ file: join(path, name), split }));
  if (files.length === 0) {
    throw new InputError(`${path}: no SuperGLUE WiC files (train.jsonl, val.jsonl, test.jsonl) found`);
  }
  return files;
}

function parseRecord(line: string, split: SplitName, source: SourceRef): SentencePair {
  let json: unknown;
  try {
    json = JSON.parse(line);
  } catch (error) {
    throw new InputError(`invalid JSON (${(error as Error).message})`, source);
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) throw new InputError('expected a JSON object', source);
  const record = json as Record<string, unknown>;
  const missing = REQUIRED_FIELDS.filter((field) => record[field] === undefined);
  if (missing.length > 0) throw new InputError(`missing field(s) ${missing.join(', ')}`, source);
  const word = record.word;
  if (typeof word !== 'string' || word.trim() === '') throw new InputError('word must be a non-empty string', source);
  const sentence1 = requireSentence(record.sentence1, 'sentence1', source);
  const sentence2 = requireSentence(record.sentence2, 'sentence2', source);
  const offset = (field: (typeof REQUIRED_FIELDS)[number]): number => parseIndex(record[field], field, source);
  const span1 = checkSpan(sentence1, { start: offset('start1'), end: offset('end1') }, source);
  const span2 = checkSpan(sentence2, { start: offset('start2'), end: offset('end2') }, source);
  const idx = record.idx === undefined ? source.line - 1 : parseIndex(record.idx, 'idx', source);
  const rawLabel = record.label;
  let label: boolean | null;
  if (rawLabel === undefined || rawLabel === null) label = null;
  else if (typeof rawLabel === 'boolean') label = rawLabel;
  else if (typeof rawLabel === 'number' || typeof rawLabel === 'string') label = parseLabel(String(rawLabel), source);
  else throw new InputError(`label must be true/false, got ${JSON.stringify(rawLabel)}`, source);
  return {
    // idx restarts at 0 in every SuperGLUE file, so the split makes it unique across the dataset.
    id: `${split}-${idx}`,
    word: word.trim(),
    sentence1,
    sentence2,
    spans1: [span1],
    spans2: [span2],
    label,
    score: null,
    split,
    source,
  };
}

/** Loader for SuperGLUE WiC JSONL (a file or a directory of split files). */
export const superGlueLoader: DatasetLoader = {
  format: 'superglue',
  async detect(path: string): Promise<boolean> {
    if (await isDirectory(path)) {
      const files = await superGlueFiles(path).catch(() => []);
      return files.length > 0 && looksLikeSuperGlue(await firstLine(files[0]!.file));
    }
    return extname(path).toLowerCase() === '.jsonl' && looksLikeSuperGlue(await firstLine(path));
  },
  async load(path: string, options: LoadOptions): Promise<Dataset> {
    const files = await superGlueFiles(path);
    const pairs: SentencePair[] = [];
    for (const { file, split } of files) {
      for (const [index, line] of (await readTextLines(file)).entries()) {
        if (line.trim() !== '') pairs.push(parseRecord(line, split, { file, line: index + 1 }));
      }
    }
    const name = options.name ?? ((await isDirectory(path)) ? basename(path) : basename(path, extname(path)));
    return buildDataset(name, 'superglue', pairs, files.map(({ file }) => file));
  },
};
