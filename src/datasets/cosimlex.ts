/**
 * CoSimLex (Armendariz et al., 2020; SemEval-2020 Task 3, graded word similarity in context).
 * Tab-separated despite the `.csv` name, with the header `word1 word2 context1 context2 sim1 sim2
 * stdev1 stdev2 pvalue word1_context1 word2_context1 word1_context2 word2_context2`. Each context
 * is a paragraph in which both words are marked `<strong>…</strong>`, in inflected forms given by
 * the `word*_context*` columns; `sim1`/`sim2` are mean ratings on 0-10 (absent in unrated files).
 *
 * A row is two graded items, the similarity of word1 and word2 in context 1 and in context 2, and
 * sensebench's pair model (one word in two sentences) is used honestly for that: each item is a
 * pair whose two "sentences" are the same context, with `spans1` on word1 and `spans2` on word2,
 * `word`/`word2` the two words, `score` the context's rating, and `contextPair` = {row id, 1|2}
 * so that the change-in-similarity subtask (cosimlex-score.ts) can pair the two items of a row.
 * Quoting is RFC 4180 (as pandas writes it); a stray quote inside a field is kept as text.
 */
import { readdir } from 'node:fs/promises';
import { basename, extname, join } from 'node:path';
import { InputError, type Dataset, type DatasetLoader, type LoadOptions, type SentencePair, type SourceRef, type Span } from '../types.js';
import { appendAll, buildDataset, firstLine, isWordForm, LoadContext, parseScore, readTextFile, removeMarks, requireSentence, splitFromFileName } from './common.js';
import { parseDelimited } from './generic.js';
import { isDirectory } from '../io/paths.js';

const REQUIRED = ['word1', 'word2', 'context1', 'context2'] as const;
const MARK = 'strong';

function looksLikeCosimlex(line: string | null): boolean {
  if (line === null) return false;
  const header = line.split('\t').map((field) => field.trim().toLowerCase());
  return REQUIRED.every((column) => header.includes(column));
}

async function filesOf(path: string): Promise<string[]> {
  if (!(await isDirectory(path))) return [path];
  const files: string[] = [];
  for (const name of (await readdir(path)).sort()) {
    const file = join(path, name);
    if (['.csv', '.tsv'].includes(extname(name).toLowerCase()) && looksLikeCosimlex(await firstLine(file))) files.push(file);
  }
  if (files.length === 0) throw new InputError(`${path}: no CoSimLex files (*.csv with header word1, word2, context1, context2, ...) found`);
  return files;
}

/**
 * Finds the spans of word1 and word2 among a context's two marks: by the inflected forms of the
 * `word*_context*` columns when given, else by which mark is a form of which word, else in order.
 */
function assignMarks(
  marks: readonly { span: Span; text: string }[],
  words: readonly [string, string],
  forms: readonly [string, string],
  field: string,
  source: SourceRef,
): [Span, Span] {
  if (marks.length !== 2) throw new InputError(`${field} must mark both words as <strong>…</strong>, found ${marks.length} marks`, source);
  const [a, b] = marks as [{ span: Span; text: string }, { span: Span; text: string }];
  const same = (x: string, y: string): boolean => x.toLowerCase() === y.toLowerCase();
  if (forms[0] !== '' || forms[1] !== '') {
    const first = forms[0] !== '' ? forms[0] : null;
    if (first !== null && !same(a.text, first) && !same(b.text, first)) {
      throw new InputError(`${field}: word1's form "${first}" is not one of the marked words ("${a.text}", "${b.text}")`, source);
    }
    const second = forms[1] !== '' ? forms[1] : null;
    if (second !== null && !same(a.text, second) && !same(b.text, second)) {
      throw new InputError(`${field}: word2's form "${second}" is not one of the marked words ("${a.text}", "${b.text}")`, source);
    }
    const swapped = first !== null ? !same(a.text, first) : same(a.text, second!) && !same(b.text, second!);
    return swapped ? [b.span, a.span] : [a.span, b.span];
  }
  const swapped = !isWordForm(a.text, words[0]) && isWordForm(a.text, words[1]) && isWordForm(b.text, words[0]);
  return swapped ? [b.span, a.span] : [a.span, b.span];
}

function rowPairs(record: Record<string, string>, stem: string, split: SentencePair['split'], source: SourceRef): [SentencePair, SentencePair] {
  const get = (column: string): string => (record[column] ?? '').trim();
  const word1 = get('word1');
  const word2 = get('word2');
  if (word1 === '' || word2 === '') throw new InputError('word1 and word2 must not be empty', source);
  const rowId = `${stem}-${source.line}`;
  const item = (k: 1 | 2): SentencePair => {
    const context = removeMarks(requireSentence(record[`context${k}`], `context${k}`, source), MARK, `context${k}`, source);
    const [span1, span2] = assignMarks(context.marks, [word1, word2], [get(`word1_context${k}`), get(`word2_context${k}`)], `context${k}`, source);
    const score = parseScore(get(`sim${k}`), `sim${k}`, source);
    if (score !== null && (score < 0 || score > 10)) throw new InputError(`sim${k} must be a rating in 0-10, got ${score}`, source);
    return {
      id: `${rowId}-${k}`,
      word: word1,
      word2,
      sentence1: context.sentence,
      sentence2: context.sentence,
      spans1: [span1],
      spans2: [span2],
      label: null,
      score,
      split,
      source,
      contextPair: { id: rowId, context: k },
    };
  };
  const pairs: [SentencePair, SentencePair] = [item(1), item(2)];
  if ((pairs[0].score === null) !== (pairs[1].score === null)) throw new InputError('sim1 and sim2 must both be given or both be empty', source);
  return pairs;
}

/** Loader for CoSimLex files (a file, or a directory of them). */
export const cosimlexLoader: DatasetLoader = {
  format: 'cosimlex',
  async detect(path: string): Promise<boolean> {
    if (await isDirectory(path)) return filesOf(path).then((files) => files.length > 0, () => false);
    return ['.csv', '.tsv'].includes(extname(path).toLowerCase()) && looksLikeCosimlex(await firstLine(path));
  },
  async load(path: string, options: LoadOptions): Promise<Dataset> {
    const context = new LoadContext(options);
    const files = await filesOf(path);
    const pairs: (SentencePair | null)[] = [];
    for (const file of files) {
      const { header, rows } = parseDelimited(await readTextFile(file), file, '\t', context, { relaxQuotes: true });
      const missing = REQUIRED.filter((column) => !header.map((name) => name.toLowerCase()).includes(column));
      if (missing.length > 0) throw new InputError(`missing column(s) ${missing.join(', ')} (found: ${header.join(', ')})`, { file, line: 1 });
      const stem = basename(file, extname(file));
      const split = splitFromFileName(file);
      for (const { record, line } of rows) {
        const normalized = Object.fromEntries(Object.entries(record).map(([key, value]) => [key.toLowerCase(), value]));
        const items = context.record(() => rowPairs(normalized, stem, split, { file, line }));
        appendAll(pairs, items ?? []);
      }
    }
    const name = options.name ?? ((await isDirectory(path)) ? basename(path) : basename(path, extname(path)));
    return buildDataset(name, 'cosimlex', pairs, files, context);
  },
};
