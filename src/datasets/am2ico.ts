/**
 * AM2iCo (Liu et al., 2021): cross-lingual word-in-context pairs. Tab-separated files with the
 * header `context1<TAB>context2<TAB>label`; context1 is in another language, context2 in English,
 * and each marks its target inline as `<word>…</word>` (often preceded by two spaces, kept as they
 * are). Labels T/F. There is no word column: `word` is the marked surface form of context1 and
 * `word2` that of context2 (when it differs). A directory is one dataset: its `*.tsv` files with
 * this header, searched one level down too (the release has one folder per language,
 * `data/zh/train.tsv`), split by file name; ids are `<folder>-<file>-<line>`.
 */
import { readdir } from 'node:fs/promises';
import { basename, extname, join } from 'node:path';
import { InputError, type Dataset, type DatasetLoader, type LoadOptions, type SentencePair, type SourceRef } from '../types.js';
import { buildDataset, firstLine, LoadContext, parseLabel, readTextLines, removeMarks, splitFromFileName } from './common.js';
import { isDirectory } from '../io/paths.js';

const HEADER = ['context1', 'context2', 'label'] as const;
const MARK = 'word';

function isHeader(line: string | null): boolean {
  return line !== null && line.split('\t').map((field) => field.trim().toLowerCase()).join('\t') === HEADER.join('\t');
}

async function filesOf(path: string): Promise<string[]> {
  if (!(await isDirectory(path))) return [path];
  const found: string[] = [];
  const visit = async (dir: string, depth: number): Promise<void> => {
    for (const entry of (await readdir(dir, { withFileTypes: true })).sort((a, b) => (a.name < b.name ? -1 : 1))) {
      const full = join(dir, entry.name);
      if (entry.isDirectory() && depth < 1) await visit(full, depth + 1);
      else if (entry.isFile() && extname(entry.name).toLowerCase() === '.tsv' && isHeader(await firstLine(full))) found.push(full);
    }
  };
  await visit(path, 0);
  if (found.length === 0) throw new InputError(`${path}: no AM2iCo files (*.tsv with header context1, context2, label) found`);
  return found;
}

function parseLine(line: string, id: string, split: SentencePair['split'], source: SourceRef): SentencePair {
  const fields = line.split('\t');
  if (fields.length !== 3) throw new InputError(`expected 3 tab-separated fields (context1, context2, label), found ${fields.length}`, source);
  const [context1, context2, rawLabel] = fields as [string, string, string];
  const first = removeMarks(context1, MARK, 'context1', source);
  const second = removeMarks(context2, MARK, 'context2', source);
  for (const [field, { marks }] of [['context1', first], ['context2', second]] as const) {
    if (marks.length !== 1) throw new InputError(`${field} must mark its target once as <word>…</word>, found ${marks.length} marks`, source);
  }
  const word = first.marks[0]!.text;
  const word2 = second.marks[0]!.text;
  return {
    id,
    word,
    ...(word2 === word ? {} : { word2 }),
    sentence1: first.sentence,
    sentence2: second.sentence,
    spans1: [first.marks[0]!.span],
    spans2: [second.marks[0]!.span],
    label: parseLabel(rawLabel, source),
    score: null,
    split,
    source,
  };
}

/** Loader for AM2iCo TSV files (a file, or a directory of language folders). */
export const am2icoLoader: DatasetLoader = {
  format: 'am2ico',
  async detect(path: string): Promise<boolean> {
    if (await isDirectory(path)) return filesOf(path).then((files) => files.length > 0, () => false);
    return isHeader(await firstLine(path));
  },
  async load(path: string, options: LoadOptions): Promise<Dataset> {
    const context = new LoadContext(options);
    const files = await filesOf(path);
    const pairs: (SentencePair | null)[] = [];
    for (const file of files) {
      const lines = await readTextLines(file);
      const headerIndex = lines.findIndex((line) => line.trim() !== '');
      if (headerIndex === -1) throw new InputError('no sentence pairs found', { file, line: 1 });
      if (!isHeader(lines[headerIndex]!)) throw new InputError(`expected the header ${HEADER.join(', ')} (tab-separated)`, { file, line: headerIndex + 1 });
      const split = splitFromFileName(file);
      const prefix = `${basename(join(file, '..'))}-${basename(file, extname(file))}`;
      lines.forEach((line, index) => {
        if (index <= headerIndex || line.trim() === '') return;
        pairs.push(context.record(() => parseLine(line, `${prefix}-${index + 1}`, split, { file, line: index + 1 })));
      });
    }
    const name = options.name ?? ((await isDirectory(path)) ? basename(path) : basename(path, extname(path)));
    return buildDataset(name, 'am2ico', pairs, files, context);
  },
};
