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
 * A file in which fewer than half of the spans hold the target word (or a regular inflection of
 * it), while at least half of the missing ones could be placed at the word's only occurrence in
 * the sentence, has offsets that mean something else (the Farsi files give a whitespace-token
 * index as `start`): each span that misses is moved to the word's only occurrence in the sentence (counted
 * in `Dataset.repairedSpans`, with a note), and a span whose word occurs zero or several times
 * refuses the file at its line. In a file whose offsets mostly land, explicit offsets win: any
 * text there is accepted (and counted in `unmatchedSpans`). Chinese, Japanese and Korean words
 * are looked for without word boundaries.
 * A directory is one dataset: its `*.tsv`/`*.txt` files in this format, split by name
 * (`de_train.txt` -> train, `*_valid*` -> dev, `*_test*` -> test); the IV/OOV analysis subsets of
 * the test set are skipped.
 */
import { readdir } from 'node:fs/promises';
import { basename, extname, join } from 'node:path';
import { InputError, type Dataset, type DatasetLoader, type LoadOptions, type SentencePair, type SourceRef, type Span } from '../types.js';
import {
  buildDataset,
  checkSpans,
  firstLine,
  isUnspacedScript,
  isWordForm,
  LoadContext,
  readEach,
  occurrencesOf,
  pairParallelLines,
  parseIndex,
  parseLabel,
  readTextLines,
  requireSentence,
  splitFromFileName,
} from './common.js';
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

interface ParsedRow {
  readonly source: SourceRef;
  readonly id: string;
  readonly word: string;
  readonly pos: string;
  readonly sentence1: string;
  readonly sentence2: string;
  readonly offsets: readonly [Span, Span];
  readonly label: boolean | null;
}

/** True when `span` lies inside `sentence` and holds the word or a regular inflection of it. */
function lands(sentence: string, span: Span, word: string): boolean {
  if (!(span.start >= 0 && span.end <= sentence.length && span.start < span.end)) return false;
  const found = sentence.slice(span.start, span.end);
  // Words of unspaced scripts are short (two characters are common): sharing the first one will do.
  return isWordForm(found, word) || (isUnspacedScript(word) && found.codePointAt(0) === word.codePointAt(0));
}

/** Share of spans below which a file's offsets may miss their targets (XL-WiC Farsi), and of the missing ones that must be placeable. */
const MISALIGNED_SHARE = 0.5;

async function readFileRows(file: string, context: LoadContext): Promise<{ pairs: (SentencePair | null)[]; files: string[] }> {
  const lines = await readTextLines(file);
  const firstIndex = lines.findIndex((line) => line.trim() !== '');
  if (firstIndex === -1) throw new InputError('no sentence pairs found', { file, line: 1 });
  const layout = layoutOf(lines[firstIndex]!);
  if (!layout) {
    throw new InputError(
      `expected a header naming word, sentence1, sentence2, start1, end1, start2, end2 (and label), or XL-WiC's 8 or 9 columns: ${XLWIC_COLUMNS.join(', ')}`,
      { file, line: firstIndex + 1 },
    );
  }
  const rowLines = lines.flatMap((line, index) => (line.trim() === '' || (layout.hasHeader && index === firstIndex) ? [] : [index + 1]));

  const goldFile = layout.columns.has('label') ? null : goldFileOf(file);
  let gold: string[] | null = null;
  let partners: (number | undefined)[] | null = null;
  if (goldFile !== null && (await pathExists(goldFile))) {
    gold = await readTextLines(goldFile);
    const goldLines = gold.flatMap((line, index) => (line.trim() === '' ? [] : [index + 1]));
    partners = pairParallelLines(context, { file, lines: rowLines }, { file: goldFile, lines: goldLines });
  }

  const split = splitFromFileName(file);
  const stem = basename(file, extname(file));
  const parsed: ParsedRow[] = [];
  rowLines.forEach((lineNumber, index) => {
    // A line without a label was already reported by pairParallelLines.
    if (partners && partners[index] === undefined) return;
    const row = context.record((): ParsedRow => {
      const source = { file, line: lineNumber };
      const fields = lines[lineNumber - 1]!.split('\t');
      if (fields.length !== layout.fieldCount) {
        throw new InputError(`expected ${layout.fieldCount} tab-separated fields, found ${fields.length}`, source);
      }
      const get = (column: Column): string => {
        const at = layout.columns.get(column);
        return at === undefined ? '' : fields[at]!;
      };
      const word = get('word').trim();
      if (word === '') throw new InputError('target word is empty', source);
      const sentence1 = requireSentence(get('sentence1'), 'sentence1', source);
      const sentence2 = requireSentence(get('sentence2'), 'sentence2', source);
      const offset = (column: Column): number => parseIndex(get(column), column, source);
      const offsets = [
        { start: offset('start1'), end: offset('end1') },
        { start: offset('start2'), end: offset('end2') },
      ] as const;
      const goldLine = partners?.[index];
      const rawLabel = goldLine === undefined ? get('label') : gold![goldLine - 1]!;
      const label = rawLabel.trim() === '' ? null : parseLabel(rawLabel, goldLine === undefined ? source : { file: goldFile!, line: goldLine });
      const id = get('id').trim();
      return { source, id: id === '' ? `${split}-${stem}-${lineNumber}` : id, word, pos: get('pos').trim(), sentence1, sentence2, offsets, label };
    });
    if (row !== null) parsed.push(row);
  });

  const endAdjustment = inclusiveEnds(
    parsed.map((row) => row.sentence1),
    parsed.map((row) => row.word),
    parsed.map((row) => [row.offsets[0].start, row.offsets[0].end] as const),
  )
    ? 1
    : 0;
  const adjusted = (span: Span): Span => ({ start: span.start, end: span.end + endAdjustment });
  // A file's offsets mean something else (Farsi: a token index) when most spans miss the word and
  // most of those could be placed by the word's only occurrence; a file that misses because its
  // words are lemmas of irregular forms is not such a file (there the offsets win).
  let landing = 0;
  let missing = 0;
  let placeable = 0;
  for (const row of parsed) {
    for (const [sentence, offsets] of [[row.sentence1, row.offsets[0]], [row.sentence2, row.offsets[1]]] as const) {
      if (lands(sentence, adjusted(offsets), row.word)) landing++;
      else {
        missing++;
        if (occurrencesOf(sentence, row.word).length === 1) placeable++;
      }
    }
  }
  const misaligned = landing < MISALIGNED_SHARE * 2 * parsed.length && placeable >= MISALIGNED_SHARE * missing;
  const repairedBefore = context.repairedSpans;

  /** A span of a misaligned file: kept when it lands on the word, else moved to the word's only occurrence. */
  const resolve = (sentence: string, given: Span, word: string, field: string, source: SourceRef): Span => {
    const span = adjusted(given);
    if (!misaligned || lands(sentence, span, word)) return span;
    const found = occurrencesOf(sentence, word);
    if (found.length !== 1) {
      throw new InputError(
        `offsets ${given.start}-${given.end} do not point at "${word}" in ${field}, as in most of this file, and "${word}" occurs ` +
          `${found.length} times there, so the target cannot be placed`,
        source,
      );
    }
    context.repairedSpans++;
    return found[0]!;
  };

  const pairs = parsed.map((row) =>
    context.record((): SentencePair => {
      const { source, word, sentence1, sentence2 } = row;
      const spans1 = checkSpans(sentence1, [resolve(sentence1, row.offsets[0], word, 'sentence1', source)], source);
      const spans2 = checkSpans(sentence2, [resolve(sentence2, row.offsets[1], word, 'sentence2', source)], source);
      context.countSpans(sentence1, spans1, word);
      context.countSpans(sentence2, spans2, word);
      return {
        id: row.id,
        word,
        ...(row.pos === '' ? {} : { pos: row.pos }),
        sentence1,
        sentence2,
        spans1,
        spans2,
        label: row.label,
        score: null,
        split,
        source,
      };
    }, false),
  );
  if (context.repairedSpans > repairedBefore) {
    context.notes.push(
      `${file}: the offsets of ${context.repairedSpans - repairedBefore} target spans did not point at the target word ` +
        `(only ${landing} of ${2 * parsed.length} did); each was moved to the word's only occurrence in its sentence`,
    );
  }
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
    const context = new LoadContext(options);
    const { pairs, files } = await readEach(await datasetFiles(path), (file) => readFileRows(file, context));
    return buildDataset(options.name ?? (directory ? basename(path) : basename(path, extname(path))), 'tsv', pairs, files, context);
  },
};
