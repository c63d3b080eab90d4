/**
 * The WiC format (Pilehvar & Camacho-Collados, 2019): `*.data.txt` lines
 * `word<TAB>PoS<TAB>i-j<TAB>sentence1<TAB>sentence2` with whitespace-token indices of the target,
 * and a parallel `*.gold.txt` with T/F per line. A directory holding train/dev/test subfolders
 * (the official layout) is one dataset with splits.
 */
import { readdir, stat } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { InputError, type Dataset, type DatasetLoader, type LoadOptions, type SentencePair, type SplitName } from '../types.js';
import {
  appendAll,
  buildDataset,
  checkGoldFiles,
  LoadContext,
  pairParallelLines,
  parseLabel,
  parseSplit,
  readTextLines,
  requireSentence,
  splitFromFileName,
  tokenIndexToSpan,
} from './common.js';
import { isDirectory } from '../io/paths.js';

const DATA_SUFFIX = '.data.txt';
const GOLD_SUFFIX = '.gold.txt';

interface WicFile {
  readonly data: string;
  readonly gold: string | null;
  readonly split: SplitName;
}

async function listDataFiles(dir: string): Promise<string[]> {
  return (await readdir(dir)).filter((name) => name.endsWith(DATA_SUFFIX)).sort();
}

/** Finds the data/gold files: a single `*.data.txt`, a folder of them, or a folder of split folders. */
async function findWicFiles(path: string): Promise<WicFile[]> {
  const withGold = async (data: string, split: SplitName): Promise<WicFile> => {
    const gold = data.slice(0, -DATA_SUFFIX.length) + GOLD_SUFFIX;
    return { data, gold: (await stat(gold).catch(() => null)) ? gold : null, split };
  };
  if (!(await isDirectory(path))) {
    if (!path.endsWith(DATA_SUFFIX)) throw new InputError(`${path}: a WiC data file must end in ${DATA_SUFFIX}`);
    return [await withGold(path, splitFromFileName(path))];
  }
  const files: WicFile[] = [];
  for (const entry of (await readdir(path)).sort()) {
    const sub = join(path, entry);
    if (!(await isDirectory(sub))) continue;
    const split = parseSplit(entry, { file: sub, line: 0 });
    for (const name of await listDataFiles(sub)) files.push(await withGold(join(sub, name), split));
  }
  for (const name of await listDataFiles(path)) files.push(await withGold(join(path, name), splitFromFileName(name)));
  if (files.length === 0) throw new InputError(`${path}: no *${DATA_SUFFIX} files found (directly or in train/dev/test subfolders)`);
  return files;
}

/** Line numbers (1-based) of the non-blank lines. */
function contentLines(lines: readonly string[]): number[] {
  return lines.flatMap((line, index) => (line.trim() === '' ? [] : [index + 1]));
}

async function readWicFile(file: WicFile, context: LoadContext): Promise<(SentencePair | null)[]> {
  const lines = await readTextLines(file.data);
  const dataLines = contentLines(lines);
  const gold = file.gold ? await readTextLines(file.gold) : null;
  const partners = gold ? pairParallelLines(context, { file: file.data, lines: dataLines }, { file: file.gold!, lines: contentLines(gold) }) : null;
  // A line without a label was already reported by pairParallelLines.
  return dataLines.map((lineNumber, index) => partners && partners[index] === undefined ? null : context.record(() => {
    const line = lines[lineNumber - 1]!;
    const source = { file: file.data, line: lineNumber };
    const fields = line.split('\t');
    if (fields.length !== 5) throw new InputError(`expected 5 tab-separated fields (word, PoS, i-j, sentence1, sentence2), found ${fields.length}`, source);
    const [word, pos, indices, rawSentence1, rawSentence2] = fields as [string, string, string, string, string];
    if (word.trim() === '') throw new InputError('word is empty', source);
    const match = /^(\d+)-(\d+)$/.exec(indices.trim());
    if (!match) throw new InputError(`target indices must look like "i-j", got "${indices}"`, source);
    const sentence1 = requireSentence(rawSentence1, 'sentence1', source);
    const sentence2 = requireSentence(rawSentence2, 'sentence2', source);
    const goldLineNumber = partners?.[index];
    const goldLine = goldLineNumber === undefined ? undefined : gold![goldLineNumber - 1]!;
    const spans1 = [tokenIndexToSpan(sentence1, Number(match[1]), word, source)] as const;
    const spans2 = [tokenIndexToSpan(sentence2, Number(match[2]), word, source)] as const;
    const label = goldLine === undefined ? null : parseLabel(goldLine, { file: file.gold!, line: goldLineNumber! });
    context.countSpans(sentence1, spans1, word);
    context.countSpans(sentence2, spans2, word);
    return {
      id: `${file.split}-${basename(file.data, DATA_SUFFIX)}-${lineNumber}`,
      word,
      pos,
      sentence1,
      sentence2,
      spans1,
      spans2,
      label,
      score: null,
      split: file.split,
      source,
    };
  }));
}

/** Loader for the WiC layout. */
export const wicLoader: DatasetLoader = {
  format: 'wic',
  async detect(path: string): Promise<boolean> {
    if (path.endsWith(DATA_SUFFIX)) return true;
    if (!(await isDirectory(path))) return false;
    return findWicFiles(path).then(
      () => true,
      () => false,
    );
  },
  async load(path: string, options: LoadOptions): Promise<Dataset> {
    const files = await findWicFiles(path);
    const context = new LoadContext(options);
    await checkGoldFiles(files.map((file) => ({ data: file.data, gold: file.gold, split: file.split, expectedGold: file.data.slice(0, -DATA_SUFFIX.length) + GOLD_SUFFIX })), context);
    const pairs: (SentencePair | null)[] = [];
    for (const file of files) appendAll(pairs, await readWicFile(file, context));
    const read = files.flatMap((file) => (file.gold ? [file.data, file.gold] : [file.data]));
    return buildDataset(options.name ?? basename(path).replace(DATA_SUFFIX, ''), 'wic', pairs, read, context);
  },
};
