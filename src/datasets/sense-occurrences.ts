/**
 * Sense-labelled occurrences: single sentences in which one target word is marked and labelled with
 * the sense it has there. They are what the sense metrics (1-NN, silhouette), the multi-prototype
 * vectors and the sense pictures work on, as opposed to the sentence pairs of the WiC datasets.
 *
 * File format (`*.senses.tsv`, UTF-8, LF, header, tab-separated, no quoting):
 *   id       unique id (`bank:n.09236472:1`, `lesson-bank:1`)
 *   word     the target lemma the senses belong to (lower case)
 *   sense    the sense id: a WordNet synset (`n.09236472`, PoS letter and data-file offset) or a lesson tag
 *   split    train | dev | test (by word: a word never crosses splits)
 *   start    character offset of the target in the sentence (JavaScript string index)
 *   end      end offset, exclusive; `sentence.slice(start, end)` is the target as written
 *   gloss    what the sense means (WordNet definition or the lesson's SENSES.md text)
 *   sentence the sentence
 * Two generated files use it: datasets/wordnet-senses/wordnet-senses.tsv (src/datasets/wordnet/senses.ts)
 * and datasets/lesson/lesson-senses.tsv ({@link buildLessonSenses}, from lesson.src.tsv and SENSES.md).
 */
import { join } from 'node:path';
import { readTextFile } from './common.js';
import { PROJECT_ROOT } from '../config.js';
import { writeFileAtomic } from '../io/atomic.js';
import { InputError, type SenseOccurrence, type SourceRef, type SplitName } from '../types.js';

/** Columns of the file format, in order. */
export const SENSE_COLUMNS = ['id', 'word', 'sense', 'split', 'start', 'end', 'gloss', 'sentence'] as const;

const SPLITS: readonly SplitName[] = ['train', 'dev', 'test'];

/** A field may hold no tab, line break or other control character (the format has no quoting). */
function checkField(value: string, what: string): string {
  // eslint-disable-next-line no-control-regex -- control characters are exactly what is rejected
  if (/[\u0000-\u001f\u007f]/.test(value)) throw new Error(`${what} holds a control character: ${JSON.stringify(value)}`);
  return value;
}

/** Formats occurrences as the TSV above (header first, LF after every line). */
export function formatSenseTsv(occurrences: readonly Omit<SenseOccurrence, 'source'>[]): string {
  const lines = [SENSE_COLUMNS.join('\t')];
  for (const o of occurrences) {
    if (o.spans.length !== 1) throw new Error(`${o.id}: the sense-occurrence format holds one target span, got ${o.spans.length}`);
    const [span] = o.spans;
    const fields = [o.id, o.word, o.sense, o.split, String(span.start), String(span.end), o.gloss, o.sentence];
    lines.push(fields.map((field, i) => checkField(field, `${o.id} ${SENSE_COLUMNS[i]!}`)).join('\t'));
  }
  return `${lines.join('\n')}\n`;
}

const isWordChar = (char: string | undefined): boolean => char !== undefined && /[\p{L}\p{N}]/u.test(char);

/**
 * Parses the TSV, validating every line: field count, unique ids, a known split, integer offsets
 * inside the sentence on word boundaries, non-empty word/sense/sentence, one split per word.
 * Throws an {@link InputError} naming `file:line`.
 */
export function parseSenseTsv(text: string, file: string): SenseOccurrence[] {
  const lines = text.split('\n');
  if (lines.at(-1) === '') lines.pop();
  if (lines[0] !== SENSE_COLUMNS.join('\t')) {
    throw new InputError(`header must be ${SENSE_COLUMNS.join('<TAB>')}`, { file, line: 1 });
  }
  const occurrences: SenseOccurrence[] = [];
  const ids = new Map<string, number>();
  const splitOfWord = new Map<string, SplitName>();
  for (let index = 1; index < lines.length; index++) {
    const source: SourceRef = { file, line: index + 1 };
    const fields = lines[index]!.replace(/\r$/, '').split('\t');
    if (fields.length !== SENSE_COLUMNS.length) {
      throw new InputError(`expected ${SENSE_COLUMNS.length} tab-separated fields, got ${fields.length}`, source);
    }
    const [id, word, sense, split, startText, endText, gloss, sentence] = fields as [string, string, string, string, string, string, string, string];
    if (id === '') throw new InputError('id is empty', source);
    const firstLine = ids.get(id);
    if (firstLine !== undefined) throw new InputError(`duplicate id "${id}" (first at ${file}:${firstLine})`, source);
    ids.set(id, source.line);
    if (word === '' || word !== word.toLowerCase()) throw new InputError(`word must be a non-empty lower-case lemma, got "${word}"`, source);
    if (sense === '') throw new InputError('sense is empty', source);
    if (!SPLITS.includes(split as SplitName)) throw new InputError(`split must be train, dev or test, got "${split}"`, source);
    const previousSplit = splitOfWord.get(word);
    if (previousSplit !== undefined && previousSplit !== split) {
      throw new InputError(`word "${word}" is in both ${previousSplit} and ${split}; the split is by word`, source);
    }
    splitOfWord.set(word, split as SplitName);
    if (sentence.trim() === '') throw new InputError('sentence is empty', source);
    if (!/^\d+$/.test(startText) || !/^\d+$/.test(endText)) {
      throw new InputError(`start and end must be non-negative integers, got "${startText}", "${endText}"`, source);
    }
    const start = Number(startText);
    const end = Number(endText);
    if (start >= end || end > sentence.length) {
      throw new InputError(`target span ${start}-${end} is out of range for a sentence of ${sentence.length} characters`, source);
    }
    if (isWordChar(sentence[start - 1]) || isWordChar(sentence[end]) || !isWordChar(sentence[start]) || !isWordChar(sentence[end - 1])) {
      throw new InputError(`target span ${start}-${end} ("${sentence.slice(start, end)}") is not a whole word`, source);
    }
    occurrences.push({ id, word, sense, gloss, split: split as SplitName, sentence, spans: [{ start, end }], source });
  }
  if (occurrences.length === 0) throw new InputError(`${file}: no occurrences`);
  return occurrences;
}

/** Reads and validates a sense-occurrence file. */
export async function loadSenseOccurrences(file: string): Promise<SenseOccurrence[]> {
  return parseSenseTsv(await readTextFile(file), file);
}

// ------------------------------------------------------------------ lesson-senses

/** Default locations of the committed occurrence files. */
export function senseDatasetFiles(datasetsDir: string = join(PROJECT_ROOT, 'datasets')): { readonly lesson: string; readonly wordnet: string } {
  return {
    lesson: join(datasetsDir, 'lesson', 'lesson-senses.tsv'),
    wordnet: join(datasetsDir, 'wordnet-senses', 'wordnet-senses.tsv'),
  };
}

/**
 * Sense glosses of the lesson from SENSES.md: table rows `| word (8) | \`tag\` text; \`tag\` text |`.
 * Returns word -> tag -> text.
 */
export function parseLessonSenseGlosses(markdown: string, file: string): Map<string, Map<string, string>> {
  const glosses = new Map<string, Map<string, string>>();
  markdown.split('\n').forEach((line, index) => {
    const row = /^\| ([a-z]+)(?: \(\d+\))? \| (.*) \|$/.exec(line);
    if (!row?.[2]!.includes('`')) return; // not a table row, or the header row
    const tags = new Map<string, string>();
    for (const match of row[2]!.matchAll(/`([a-z]+)` ([^`]+?)(?:;\s*(?=`)|$)/g)) tags.set(match[1]!, match[2]!.trim());
    if (tags.size === 0) throw new InputError(`no \`tag\` text entries in the row of "${row[1]!}"`, { file, line: index + 1 });
    glosses.set(row[1]!, tags);
  });
  return glosses;
}

/**
 * The lesson's occurrences: both sentences of every pair of lesson.src.tsv with its sense tag
 * (`sense1`, `sense2`), the [target] marker removed (as datasets/lesson/build.mjs does), the word's
 * split kept. Ids: `<pair id>:1` and `<pair id>:2`, pair ids assigned as build.mjs assigns them.
 * Source lines are validated by build.mjs; this re-checks what it relies on and throws an
 * {@link InputError} naming the line.
 */
export function lessonSenseOccurrences(sourceText: string, sourceFile: string, sensesMarkdown: string, sensesFile: string): SenseOccurrence[] {
  const glosses = parseLessonSenseGlosses(sensesMarkdown, sensesFile);
  const lines = sourceText.split('\n');
  if (lines.at(-1) === '') lines.pop();
  const expectedHeader = 'id\tword\tsplit\tlabel\tsense1\tsense2\tsentence1\tsentence2';
  if (lines[0] !== expectedHeader) throw new InputError('header must be id word split label sense1 sense2 sentence1 sentence2', { file: sourceFile, line: 1 });
  const autoIds = new Map<string, number>();
  const occurrences: SenseOccurrence[] = [];
  for (let index = 1; index < lines.length; index++) {
    const source: SourceRef = { file: sourceFile, line: index + 1 };
    const fields = lines[index]!.split('\t');
    if (fields.length !== 8) throw new InputError(`expected 8 tab-separated fields, got ${fields.length}`, source);
    const [explicitId, word, split, , sense1, sense2, marked1, marked2] = fields as [string, string, string, string, string, string, string, string];
    if (split !== 'train' && split !== 'test') throw new InputError(`split must be train or test, got "${split}"`, source);
    let pairId = explicitId;
    if (pairId === '') {
      const n = (autoIds.get(word) ?? 0) + 1;
      autoIds.set(word, n);
      pairId = `${word}-${n}`;
    }
    ([
      [marked1, sense1, 1],
      [marked2, sense2, 2],
    ] as const).forEach(([marked, sense, which]) => {
      const open = marked.indexOf('[');
      const close = marked.indexOf(']');
      if (open < 0 || close < open) throw new InputError(`no [target] marker in sentence${which}`, source);
      const gloss = glosses.get(word)?.get(sense);
      if (gloss === undefined) throw new InputError(`sense "${sense}" of "${word}" is not described in ${sensesFile}`, source);
      occurrences.push({
        id: `${pairId}:${which}`,
        word,
        sense,
        gloss,
        split,
        sentence: marked.slice(0, open) + marked.slice(open + 1, close) + marked.slice(close + 1),
        spans: [{ start: open, end: close - 1 }],
        source,
      });
    });
  }
  return occurrences;
}

/** Builds datasets/lesson/lesson-senses.tsv from lesson.src.tsv and SENSES.md; returns the occurrence count. */
export async function buildLessonSenses(options: { readonly lessonDir: string; readonly outFile: string }): Promise<number> {
  const sourceFile = join(options.lessonDir, 'lesson.src.tsv');
  const sensesFile = join(options.lessonDir, 'SENSES.md');
  const occurrences = lessonSenseOccurrences(await readTextFile(sourceFile), sourceFile, await readTextFile(sensesFile), sensesFile);
  await writeFileAtomic(options.outFile, formatSenseTsv(occurrences));
  return occurrences.length;
}
