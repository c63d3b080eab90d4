/**
 * DWUG / DURel word usage graphs (Schlechtweg et al., 2021): a folder with one subfolder per lemma
 * (or a `data/` folder of them), each holding `uses.csv` and `judgments.csv`. Both are
 * tab-separated with a header despite the extension, LF or CRLF, unquoted; empty fields are a
 * single space.
 *
 * - uses: `lemma`, `identifier`, `context`, `indexes_target_token` (`"95:100"`: character offsets
 *   of the target in `context`, end exclusive), plus columns that vary between releases (`date`,
 *   `grouping`, `pos`, ...; 9, 12 or 14 in all), which are ignored.
 * - judgments: `identifier1`, `identifier2`, `annotator`, `judgment` (1-4, with `4` and `4.0`
 *   both seen; 0 = "cannot decide"), `comment`, `lemma`, optional `round`.
 *
 * A pair is an unordered pair of uses that was judged: its `score` is the median of its non-zero
 * judgments (as numpy's median: the mean of the two middle values for an even count), with
 * `annotators` the number of distinct annotators behind them; `word` is the lemma, so per-word
 * metrics are per lemma. A pair judged only 0 has no score and is left out (with a note).
 * `LoadOptions.dwugBinarize` T derives labels: same sense when the median >= T.
 */
import { readdir } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { InputError, type Dataset, type DatasetLoader, type LoadOptions, type SentencePair, type SourceRef, type Span } from '../types.js';
import { appendAll, buildDataset, checkSpans, LoadContext, readTextLines, requireSentence } from './common.js';
import { isDirectory, pathExists } from '../io/paths.js';

const USES = 'uses.csv';
const JUDGMENTS = 'judgments.csv';

interface Use {
  readonly lemma: string;
  readonly context: string;
  readonly span: Span;
}

/** A header-and-rows table read from one of the DWUG files. */
interface Table {
  readonly rows: { readonly get: (column: string) => string; readonly source: SourceRef }[];
}

async function readTable(file: string, required: readonly string[], context: LoadContext): Promise<Table> {
  const lines = await readTextLines(file);
  const headerIndex = lines.findIndex((line) => line.trim() !== '');
  if (headerIndex === -1) throw new InputError(`no header (expected ${required.join(', ')})`, { file, line: 1 });
  const header = lines[headerIndex]!.split('\t').map((name) => name.trim());
  const missing = required.filter((column) => !header.includes(column));
  if (missing.length > 0) throw new InputError(`missing column(s) ${missing.join(', ')} (found: ${header.join(', ')})`, { file, line: headerIndex + 1 });
  const rows: Table['rows'][number][] = [];
  lines.forEach((line, index) => {
    if (index <= headerIndex || line.trim() === '') return;
    const source = { file, line: index + 1 };
    const row = context.record(() => {
      const fields = line.split('\t');
      if (fields.length !== header.length) throw new InputError(`expected ${header.length} tab-separated fields (as in the header), found ${fields.length}`, source);
      const values = new Map(header.map((name, at) => [name, fields[at]!]));
      return { get: (column: string): string => (values.get(column) ?? '').trim(), source };
    });
    if (row !== null) rows.push(row);
  });
  return { rows };
}

/** numpy.median of a non-empty list. */
export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

interface Judged {
  readonly first: string;
  readonly second: string;
  readonly source: SourceRef;
  readonly values: number[];
  readonly annotators: Set<string>;
}

async function readLemma(dir: string, context: LoadContext, binarize: number | undefined): Promise<(SentencePair | null)[]> {
  const usesFile = join(dir, USES);
  const judgmentsFile = join(dir, JUDGMENTS);
  const uses = new Map<string, Use>();
  for (const row of (await readTable(usesFile, ['lemma', 'identifier', 'context', 'indexes_target_token'], context)).rows) {
    context.record(() => {
      const { source } = row;
      const identifier = row.get('identifier');
      if (identifier === '') throw new InputError('identifier is empty', source);
      if (uses.has(identifier)) throw new InputError(`duplicate use identifier "${identifier}"`, source);
      const lemma = row.get('lemma');
      if (lemma === '') throw new InputError('lemma is empty', source);
      const text = requireSentence(row.get('context'), 'context', source);
      const indexes = row.get('indexes_target_token');
      const match = /^(\d+):(\d+)$/.exec(indexes);
      if (!match) throw new InputError(`indexes_target_token must look like "start:end", got "${indexes}"`, source);
      const [span] = checkSpans(text, [{ start: Number(match[1]), end: Number(match[2]) }], source);
      uses.set(identifier, { lemma, context: text, span });
    }, false);
  }
  const judged = new Map<string, Judged>();
  for (const row of (await readTable(judgmentsFile, ['identifier1', 'identifier2', 'annotator', 'judgment'], context)).rows) {
    context.record(() => {
      const { source } = row;
      const first = row.get('identifier1');
      const second = row.get('identifier2');
      for (const identifier of [first, second]) {
        if (!uses.has(identifier)) throw new InputError(`use "${identifier}" is not in ${usesFile}`, source);
      }
      if (first === second) throw new InputError(`a use judged against itself ("${first}")`, source);
      const raw = row.get('judgment');
      const value = raw === '' ? Number.NaN : Number(raw);
      if (![0, 1, 2, 3, 4].includes(value)) throw new InputError(`judgment must be 0-4 (0 = cannot decide), got "${raw}"`, source);
      const annotator = row.get('annotator');
      if (annotator === '') throw new InputError('annotator is empty', source);
      const key = first < second ? `${first}\u0000${second}` : `${second}\u0000${first}`;
      const entry = judged.get(key) ?? { first, second, source, values: [], annotators: new Set<string>() };
      judged.set(key, entry);
      if (value !== 0) {
        entry.values.push(value);
        entry.annotators.add(annotator);
      }
    }, false);
  }
  let undecided = 0;
  const pairs: SentencePair[] = [];
  for (const entry of judged.values()) {
    if (entry.values.length === 0) {
      undecided++;
      continue;
    }
    const use1 = uses.get(entry.first)!;
    const use2 = uses.get(entry.second)!;
    const score = median(entry.values);
    context.countSpans(use1.context, [use1.span], use1.lemma);
    context.countSpans(use2.context, [use2.span], use1.lemma);
    pairs.push({
      id: `${use1.lemma}:${entry.first}|${entry.second}`,
      word: use1.lemma,
      sentence1: use1.context,
      sentence2: use2.context,
      spans1: [use1.span],
      spans2: [use2.span],
      label: binarize === undefined ? null : score >= binarize,
      score,
      split: 'all',
      source: entry.source,
      annotators: entry.annotators.size,
    });
  }
  if (undecided > 0) context.notes.push(`${judgmentsFile}: ${undecided} use pairs judged only 0 ("cannot decide") have no score and are left out`);
  return pairs;
}

async function isLemmaFolder(dir: string): Promise<boolean> {
  return (await pathExists(join(dir, USES))) && (await pathExists(join(dir, JUDGMENTS)));
}

/** The lemma folders of a DWUG path: the folder itself, its subfolders, or those of its `data/`. */
async function lemmaFolders(path: string): Promise<string[]> {
  if (!(await isDirectory(path))) throw new InputError(`${path}: a DWUG dataset is a folder (of lemma folders with ${USES} and ${JUDGMENTS})`);
  if (await isLemmaFolder(path)) return [path];
  const root = (await isDirectory(join(path, 'data'))) ? join(path, 'data') : path;
  const folders: string[] = [];
  for (const name of (await readdir(root)).sort()) {
    const dir = join(root, name);
    if ((await isDirectory(dir)) && (await isLemmaFolder(dir))) folders.push(dir);
  }
  if (folders.length === 0) throw new InputError(`${path}: no lemma folders with ${USES} and ${JUDGMENTS} found`);
  return folders;
}

/** Loader for DWUG / DURel usage graphs. */
export const dwugLoader: DatasetLoader = {
  format: 'dwug',
  async detect(path: string): Promise<boolean> {
    return lemmaFolders(path).then((folders) => folders.length > 0, () => false);
  },
  async load(path: string, options: LoadOptions): Promise<Dataset> {
    const binarize = options.dwugBinarize;
    if (binarize !== undefined && !(binarize >= 1 && binarize <= 4)) throw new InputError(`--dwug-binarize must be a judgment threshold in 1-4, got ${binarize}`);
    const context = new LoadContext(options);
    const pairs: (SentencePair | null)[] = [];
    const files: string[] = [];
    for (const dir of await lemmaFolders(path)) {
      appendAll(pairs, await readLemma(dir, context, binarize));
      files.push(join(dir, USES), join(dir, JUDGMENTS));
    }
    return buildDataset(options.name ?? basename(path), 'dwug', pairs, files, context);
  },
};
