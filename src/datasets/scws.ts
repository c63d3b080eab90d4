/**
 * Stanford Contextual Word Similarity (SCWS; Huang et al., 2012): `ratings.txt`, one pair per line,
 * tab-separated: id, word1, PoS1, word2, PoS2, context1, context2, average rating, then the ten
 * individual ratings (0-10). Each context marks its target as `<b> word </b>`; the marks (and the
 * spaces just inside them) are removed and the target's span recorded. SCWS pairs are graded, not
 * labelled: label is null, score is the average rating. Pairs of two different words keep the
 * second word in `word2`; `pos` is PoS1, or `PoS1/PoS2` when they differ.
 */
import { stat } from 'node:fs/promises';
import { basename, extname } from 'node:path';
import { InputError, type Dataset, type DatasetLoader, type LoadOptions, type SentencePair, type SourceRef, type Span } from '../types.js';
import { buildDataset, firstLine, parseScore, readTextLines } from './common.js';

const RATINGS = 10;
const FIELDS = 8 + RATINGS;
const TARGET_MARK = /<b>\s*(.*?)\s*<\/b>/g;

/** Removes the one `<b> ... </b>` mark of a context; returns the clean sentence and the target span. */
export function unmarkTarget(context: string, field: string, source: SourceRef): { sentence: string; span: Span } {
  const marks = [...context.matchAll(TARGET_MARK)];
  if (marks.length !== 1) {
    throw new InputError(`${field} must mark its target once as <b> word </b>, found ${marks.length} marks`, source);
  }
  const mark = marks[0]!;
  const target = mark[1]!;
  if (target === '') throw new InputError(`${field}: the <b></b> mark is empty`, source);
  const before = context.slice(0, mark.index);
  const sentence = before + target + context.slice(mark.index + mark[0].length);
  if (/<\/?b>/.test(sentence)) throw new InputError(`${field} has an unbalanced <b> or </b> mark`, source);
  return { sentence, span: { start: before.length, end: before.length + target.length } };
}

function parseLine(line: string, source: SourceRef): SentencePair {
  const fields = line.split('\t');
  if (fields.length !== FIELDS) {
    throw new InputError(
      `expected ${FIELDS} tab-separated fields (id, word1, PoS1, word2, PoS2, context1, context2, average, 10 ratings), found ${fields.length}`,
      source,
    );
  }
  const [id, word1, pos1, word2, pos2, context1, context2, average] = fields.map((field) => field.trim()) as [
    string, string, string, string, string, string, string, string,
  ];
  if (id === '') throw new InputError('id is empty', source);
  if (word1 === '' || word2 === '') throw new InputError('word1 and word2 must not be empty', source);
  const first = unmarkTarget(context1, 'context1', source);
  const second = unmarkTarget(context2, 'context2', source);
  const score = parseScore(average, 'average rating', source);
  if (score === null) throw new InputError('average rating is empty', source);
  for (const [i, rating] of fields.slice(8).entries()) {
    const value = parseScore(rating, `rating ${i + 1}`, source);
    if (value === null || value < 0 || value > 10) throw new InputError(`rating ${i + 1} must be a number in 0-10, got "${rating}"`, source);
  }
  if (score < 0 || score > 10) throw new InputError(`average rating must be in 0-10, got ${score}`, source);
  const pos = pos1 === pos2 ? pos1 : `${pos1}/${pos2}`;
  return {
    id,
    word: word1,
    ...(word2 !== word1 ? { word2 } : {}),
    ...(pos === '' ? {} : { pos }),
    sentence1: first.sentence,
    sentence2: second.sentence,
    spans1: [first.span],
    spans2: [second.span],
    label: null,
    score,
    split: 'all',
    source,
  };
}

/** Loader for SCWS `ratings.txt`. */
export const scwsLoader: DatasetLoader = {
  format: 'scws',
  async detect(path: string): Promise<boolean> {
    if (!(await stat(path).then((info) => info.isFile(), () => false))) return false;
    if (basename(path).toLowerCase() === 'ratings.txt') return true;
    const line = await firstLine(path);
    return line !== null && line.split('\t').length === FIELDS && line.includes('<b>');
  },
  async load(path: string, options: LoadOptions): Promise<Dataset> {
    const pairs: SentencePair[] = [];
    for (const [index, line] of (await readTextLines(path)).entries()) {
      if (line.trim() !== '') pairs.push(parseLine(line, { file: path, line: index + 1 }));
    }
    const stem = basename(path, extname(path));
    return buildDataset(options.name ?? (stem.toLowerCase() === 'ratings' ? 'scws' : stem), 'scws', pairs, [path]);
  },
};
