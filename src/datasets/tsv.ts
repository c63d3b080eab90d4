/**
 * Tab-separated word-in-context pairs with character offsets, as XL-WiC ships them
 * (Raganato et al., 2020). Without a header line the columns are XL-WiC's:
 *
 *   target_word  PoS  start1  end1  start2  end2  example_1  example_2  [label]
 *
 * with label 1/0 (T/F etc. also accepted). XL-WiC's test sets come as `*_data.txt` without the
 * label column plus `*_gold.txt` with one label per line; the gold file beside a data file is used.
 * With a header line any column order works; recognised names (case-insensitive):
 * word|target|target_word|lemma, pos, start1|start_1|start-index_1|start_index_1 (same for
 * end/2), sentence1|sentence_1|example_1|example1|context_1|context1, label|gold|tag, id.
 * Offsets are end-exclusive (`sentence.slice(start, end)`); a file in which the end-inclusive
 * reading matches the target word more often than the exclusive one is read end-inclusive.
 * A directory is one dataset: its `*.tsv`/`*.txt` files in this format, split by name
 * (`de_train.txt` -> train, `*_valid*` -> dev, `*_test*` -> test); the IV/OOV analysis subsets of
 * the test set are skipped.
 */
import { readdir } from 'node:fs/promises';
import { basename, extname, join } from 'node:path';
import { InputError, type Dataset, type DatasetLoader, type LoadOptions, type SentencePair, type SourceRef, type SplitName } from '../types.js';
import { buildDataset, checkSpan, firstLine, parseIndex, parseLabel, parseSplit, readTextLines, requireSentence } from './common.js';
import { isDirectory, pathExists } from '../io/paths.js';

type Column = 'id' | 'word' | 'pos' | 'start1' | 'end1' | 'start2' | 'end2' | 'sentence1' | 'sentence2' | 'label';

/** XL-WiC's column order, used when a file has no header. */
export const XLWIC_COLUMNS: readonly Column[] = ['word', 'pos', 'start1', 'end1', 'start2', 'end2', 'sentence1', 'sentence2', 'label'];

const HEADER_NAMES: Readonly<Record<string, Column>> = (() => {
  const names: Record<string, Column> = { id: 'id', word: 'word', target: 'word', target_word: 'word', lemma: 'word', pos: 'pos' };
  for (const n of ['1', '2'] as const) {
    for (const spelling of [`start${n}`, `start_${n}`, `start-index_${n}`, `start_index_${n}`, `start-char-index_${n}`]) names[spelling] = `start${n}`;
    for (const spelling of [`end${n}`, `end_${n}`, `end-index_${n}`, `end_index_${n}`, `end-char-index_${n}`]) names[spelling] = `end${n}`;
    for (const spelling of [`sentence${n}`, `sentence_${n}`, `example_${n}`, `example${n}`, `context_${n}`, `context${n}`]) names[spelling] = `sentence${n}`;
  }
  names.label = 'label';
  names.gold = 'label';
  names.tag = 'label';
  return names;
})();

const REQUIRED: readonly Column[] = ['word', 'start1', 'end1', 'start2', 'end2', 'sentence1', 'sentence2'];

/** Column positions of a file: from its header, or XL-WiC's order for 8 or 9 fields. */
interface Layout {
  readonly columns: ReadonlyMap<Column, number>;
  readonly hasHeader: boolean;
  readonly fieldCount: number;
}

/** Reads a header line; null when the line is not a header. */
function headerLayout(fields: readonly string[]): Layout | null {
  const columns = new Map<Column, number>();
  fields.forEach((field, index) => {
    const column = HEADER_NAMES[field.trim().toLowerCase()];
    if (column !== undefined && !columns.has(column)) columns.set(column, index);
  });
  return REQUIRED.every((column) => columns.has(column)) ? { columns, hasHeader: true, fieldCount: fields.length } : null;
}

/** XL-WiC's headerless layout, when the fields look like it (offsets are integers). */
function positionalLayout(fields: readonly string[]): Layout | null {
  if (fields.length !== 8 && fields.length !== 9) return null;
  if (!fields.slice(2, 6).every((field) => /^\s*\d+\s*$/.test(field))) return null;
  return { columns: new Map(XLWIC_COLUMNS.slice(0, fields.length).map((column, index) => [column, index])), hasHeader: false, fieldCount: fields.length };
}

function layoutOf(firstLine: string): Layout | null {
  const fields = firstLine.split('\t');
  return headerLayout(fields) ?? positionalLayout(fields);
}

const CANDIDATE_EXTENSIONS = ['.tsv', '.txt'];
const GOLD_FILE = /_gold(\.[^.]+)$/i;
const ANALYSIS_SUBSET = /(^|[._-])(iv|oov)([._-]|$)/i;

async function looksLikeTsv(file: string): Promise<boolean> {
  if (!CANDIDATE_EXTENSIONS.includes(extname(file).toLowerCase()) || GOLD_FILE.test(basename(file))) return false;
  const line = await firstLine(file);
  return line !== null && layoutOf(line) !== null;
}

/** Split from a file name: `de_train.txt`, `valid_en.txt`, `de_test_data.txt`. */
function splitOfFile(file: string): SplitName {
  for (const part of basename(file, extname(file)).toLowerCase().split(/[._-]/)) {
    if (['train', 'training', 'dev', 'val', 'valid', 'validation', 'test'].includes(part)) return parseSplit(part, { file, line: 0 });
  }
  return 'all';
}

async function datasetFiles(path: string): Promise<string[]> {
  if (!(await isDirectory(path))) return [path];
  const files: string[] = [];
  for (const name of (await readdir(path)).sort()) {
    const file = join(path, name);
    if (!ANALYSIS_SUBSET.test(name) && (await looksLikeTsv(file))) files.push(file);
  }
  if (files.length === 0) throw new InputError(`${path}: no tab-separated word-in-context files (*.tsv, *.txt) found`);
  return files;
}

/** The gold file of an XL-WiC test data file: `de_test_data.txt` -> `de_test_gold.txt`. */
function goldFileOf(file: string): string | null {
  const name = basename(file);
  return /_data(\.[^.]+)$/i.test(name) ? join(file.slice(0, file.length - name.length), name.replace(/_data(\.[^.]+)$/i, '_gold$1')) : null;
}

interface RawRow {
  readonly fields: readonly string[];
  readonly source: SourceRef;
}

async function readFileRows(file: string): Promise<{ pairs: SentencePair[]; files: string[] }> {
  const lines = await readTextLines(file);
  const firstIndex = lines.findIndex((line) => line.trim() !== '');
  if (firstIndex === -1) throw new InputError(`${file}: no sentence pairs found`);
  const layout = layoutOf(lines[firstIndex]!);
  if (!layout) {
    throw new InputError(
      `expected a header naming word, sentence1, sentence2, start1, end1, start2, end2 (and label), or XL-WiC's 8 or 9 columns: ${XLWIC_COLUMNS.join(', ')}`,
      { file, line: firstIndex + 1 },
    );
  }
  const rows: RawRow[] = [];
  lines.forEach((line, index) => {
    if (line.trim() === '' || (layout.hasHeader && index === firstIndex)) return;
    const source = { file, line: index + 1 };
    const fields = line.split('\t');
    if (fields.length !== layout.fieldCount) {
      throw new InputError(`expected ${layout.fieldCount} tab-separated fields, found ${fields.length}`, source);
    }
    rows.push({ fields, source });
  });

  const goldFile = layout.columns.has('label') ? null : goldFileOf(file);
  let gold: string[] | null = null;
  if (goldFile !== null && (await pathExists(goldFile))) {
    gold = (await readTextLines(goldFile)).filter((line) => line.trim() !== '');
    if (gold.length !== rows.length) throw new InputError(`${goldFile}: has ${gold.length} labels but ${file} has ${rows.length} pairs`);
  }

  const get = (row: RawRow, column: Column): string => {
    const index = layout.columns.get(column);
    return index === undefined ? '' : row.fields[index]!;
  };
  const offsets = rows.map((row) => ({
    start1: parseIndex(get(row, 'start1'), 'start1', row.source),
    end1: parseIndex(get(row, 'end1'), 'end1', row.source),
    start2: parseIndex(get(row, 'start2'), 'start2', row.source),
    end2: parseIndex(get(row, 'end2'), 'end2', row.source),
  }));
  const endAdjustment = inclusiveEnds(rows.map((row) => get(row, 'sentence1')), rows.map((row) => get(row, 'word')), offsets.map((o) => [o.start1, o.end1] as const)) ? 1 : 0;

  const split = splitOfFile(file);
  const stem = basename(file, extname(file));
  const pairs = rows.map((row, i): SentencePair => {
    const { source } = row;
    const word = get(row, 'word').trim();
    if (word === '') throw new InputError('target word is empty', source);
    const sentence1 = requireSentence(get(row, 'sentence1'), 'sentence1', source);
    const sentence2 = requireSentence(get(row, 'sentence2'), 'sentence2', source);
    const o = offsets[i]!;
    const rawLabel = gold ? gold[i]! : get(row, 'label');
    const labelSource = gold ? { file: goldFile!, line: i + 1 } : source;
    const pos = get(row, 'pos').trim();
    const id = get(row, 'id').trim();
    return {
      id: id === '' ? `${split}-${stem}-${source.line}` : id,
      word,
      ...(pos === '' ? {} : { pos }),
      sentence1,
      sentence2,
      spans1: [checkSpan(sentence1, { start: o.start1, end: o.end1 + endAdjustment }, source)],
      spans2: [checkSpan(sentence2, { start: o.start2, end: o.end2 + endAdjustment }, source)],
      label: rawLabel.trim() === '' ? null : parseLabel(rawLabel, labelSource),
      score: null,
      split,
      source,
    };
  });
  return { pairs, files: gold ? [file, goldFile!] : [file] };
}

/**
 * True when a file's end offsets are inclusive: `slice(start, end + 1)` spells the target word
 * (case-insensitively) more often than `slice(start, end)` does.
 */
export function inclusiveEnds(sentences: readonly string[], words: readonly string[], spans: readonly (readonly [number, number])[]): boolean {
  let exclusive = 0;
  let inclusive = 0;
  spans.forEach(([start, end], i) => {
    const sentence = sentences[i] ?? '';
    const word = (words[i] ?? '').trim().toLowerCase();
    if (sentence.slice(start, end).toLowerCase() === word) exclusive++;
    else if (sentence.slice(start, end + 1).toLowerCase() === word) inclusive++;
  });
  return inclusive > exclusive;
}

/** Loader for XL-WiC-style tab-separated pairs (a file or a directory of split files). */
export const tsvLoader: DatasetLoader = {
  format: 'tsv',
  async detect(path: string): Promise<boolean> {
    if (await isDirectory(path)) return (await datasetFiles(path).catch(() => [])).length > 0;
    return looksLikeTsv(path);
  },
  async load(path: string, options: LoadOptions): Promise<Dataset> {
    const directory = await isDirectory(path);
    const pairs: SentencePair[] = [];
    const files: string[] = [];
    for (const file of await datasetFiles(path)) {
      const read = await readFileRows(file);
      pairs.push(...read.pairs);
      files.push(...read.files);
    }
    return buildDataset(options.name ?? (directory ? basename(path) : basename(path, extname(path))), 'tsv', pairs, files);
  },
};
