/**
 * `pairs/<dataset>-<split>.csv`, written and read: each pair's id, word, label, gold score and one
 * column per score column of the run (`<model>:<representation>`, `@<normalization>`, `#probe`),
 * exactly the cosines the metrics were computed from, so `sensebench score` re-scores from them.
 * Its columns depend on the run's models, so it is not a fixed table of ./schema.ts; the reader
 * checks it against run.json.
 */
import { quote } from '../errors.js';
import { InputError, type PairResult, type RepresentationKey, type SentencePair, type SplitName } from '../types.js';
import type { SplitResult } from './run-result.js';
import { METRIC_DECIMALS, isRequiredColumn } from './schema.js';
import { formatFixed, guardText, parseCsv, readCell, toCsv, unguardText } from './table.js';

/** True when some pair of the split targets two different words (SCWS, CoSimLex). */
function hasSecondWord(split: Pick<SplitResult, 'pairs'>): boolean {
  return split.pairs.some(({ pair }) => pair.word2 !== undefined && pair.word2 !== pair.word);
}

/**
 * `pairs/<dataset>-<split>.csv`: each pair's label, score and one cosine column per
 * `<model>:<representation>`, exactly the cosines the metrics were computed from; `word2` and
 * `same_word` when some pairs target two different words (only same-word pairs get the static
 * `target` cosine of exactly 1.0).
 */
export function pairsCsv(split: SplitResult, allColumns: readonly RepresentationKey[]): string {
  const columns = pairsScoreColumns(split, allColumns);
  const twoWords = hasSecondWord(split);
  const header = ['id', 'word', ...(twoWords ? ['word2', 'same_word'] : []), 'label', 'score', 'truncated', ...columns];
  // Rows made as the writer asks for them, never all at once.
  function* rows(): Generator<(string | number)[]> {
    for (const { pair, cosines, truncated } of split.pairs) {
      // Ids and words come from the dataset: guarded against spreadsheet formulas (read back exactly by `score`).
      yield [
        guardText(pair.id),
        guardText(pair.word),
        ...(twoWords ? [guardText(pair.word2 ?? pair.word), (pair.word2 ?? pair.word) === pair.word ? 1 : 0] : []),
        pair.label === null ? '' : pair.label ? 'T' : 'F',
        pair.score === null ? '' : String(pair.score),
        truncated ? 1 : 0,
        ...columns.map((column) => formatFixed(cosines.get(column) ?? null, METRIC_DECIMALS)),
      ];
    }
  }
  return toCsv(header, rows());
}

/** The score columns of a split's pairs CSV (run.json records them, so `score` can tell a removed column from an absent one). */
export function pairsScoreColumns(split: Pick<SplitResult, 'pairs'>, allColumns: readonly RepresentationKey[]): RepresentationKey[] {
  // A correction with no vectors to fit on for this dataset, or a probe without a train split, has no column.
  return allColumns.filter((column) => split.pairs.some((pair) => pair.cosines.has(column)));
}

/** The columns of a pairs CSV that are not scores. */
const PAIR_FIELDS = ['id', 'word', 'word2', 'same_word', 'label', 'score', 'truncated'];

/** What a pairs CSV must match, from run.json: the run's score columns, those this split's CSV was written with, and its pair count. */
export interface PairsExpectation {
  readonly columns: readonly RepresentationKey[];
  /** The split's score columns as run.json records them (null in a run.json written before they were: only the raw columns are required). */
  readonly written: ReadonlySet<string> | null;
  /** Pairs of the split as run.json records them (undefined: not recorded). */
  readonly pairs: number | undefined;
}

/**
 * A pairs CSV as the pairs and cosines scoring needs (no sentences: the CSVs do not carry them),
 * checked against the run: every column one the run writes, none the run scored missing, each id
 * once, and as many rows as run.json records.
 */
export function readPairs(path: string, text: string, split: SplitName, expect: PairsExpectation): PairResult[] {
  const { header, records } = parseCsv(path, text, ['id', 'word', 'label', 'score', 'truncated']);
  const { columns } = expect;
  const unknown = header.find((name) => !PAIR_FIELDS.includes(name) && !columns.includes(name as RepresentationKey));
  if (unknown !== undefined) throw new InputError(`column ${quote(unknown)} is not a score column of this run (run.json lists its models and normalizations)`, { file: path, line: 1 });
  // A correction or a probe can be absent for a dataset (no vectors to fit on, no train split): the raw columns are always required, the others when summary.csv scored them.
  const keys = columns.filter((key) => header.includes(key));
  const missing = columns.filter((key) => !header.includes(key) && (expect.written === null ? isRequiredColumn(key) : expect.written.has(key)));
  if (missing.length > 0 && records.length > 0) throw new InputError(`missing score column \`${missing[0]!}\` (run.json lists it for this split)`, { file: path, line: 1 });
  if (expect.pairs !== undefined && records.length !== expect.pairs) {
    const line = records.length > expect.pairs ? records[expect.pairs]!.line : (records.at(-1)?.line ?? 1);
    throw new InputError(`${records.length} pairs, but run.json records ${expect.pairs} for this split: rows were deleted or added; \`score\` re-scores the run's pairs (edit their cosines, not their rows)`, { file: path, line });
  }
  const firstLine = new Map<string, number>();
  return records.map((record) => {
    const where = { file: path, line: record.line };
    const id = unguardText(record.values.id ?? '');
    const seenAt = firstLine.get(id);
    if (seenAt !== undefined) throw new InputError(`duplicate id ${quote(id)} (first at line ${seenAt})`, where);
    firstLine.set(id, record.line);
    const labelText = record.values.label;
    let label: boolean | null;
    if (labelText === 'T') label = true;
    else if (labelText === 'F') label = false;
    else if (labelText === '') label = null;
    else throw new InputError(`column \`label\`: expected T, F or empty, got ${quote(labelText)}`, where);
    const truncatedText = record.values.truncated;
    if (truncatedText !== '0' && truncatedText !== '1') throw new InputError(`column \`truncated\`: expected 0 or 1, got ${quote(truncatedText)}`, where);
    const word2 = record.values.word2 === undefined ? undefined : unguardText(record.values.word2);
    const pair: SentencePair = {
      id,
      word: unguardText(record.values.word ?? ''),
      ...(word2 !== undefined && word2 !== '' ? { word2 } : {}),
      sentence1: '',
      sentence2: '',
      spans1: [{ start: 0, end: 0 }],
      spans2: [{ start: 0, end: 0 }],
      label,
      score: readCell(path, record, 'score', 'number', true),
      split,
      source: where,
    };
    const cosines = new Map<RepresentationKey, number | null>();
    for (const key of keys) cosines.set(key, readCell(path, record, key, 'number', true));
    return { pair, cosines, truncated: truncatedText === '1' };
  });
}
