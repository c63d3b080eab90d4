/**
 * The CSV renderer: summary.csv, pairs/<dataset>-<split>.csv, words/<dataset>-<split>.csv,
 * contextuality.csv, compare.csv, compare-spearman.csv, throughput.csv, senses.csv (and sense-projections.json), each formatted by its table in src/results/schema.ts. No timing or date enters the
 * metric CSVs, so the same inputs give byte-identical files; timings live in throughput.csv.
 */
import { METRIC_DECIMALS, compareSpearmanTable, compareTable, contextualityTable, cosimlexTable, cosineColumns, sensesTable, summaryTable, throughputTable, wordsTable } from '../results/schema.js';
import { formatFixed, guardText, toCsv } from '../results/table.js';
import type { RepresentationKey } from '../types.js';

import type { RenderedFile, RunResult, SplitResult } from '../results/run-result.js';
/** Where the sense pictures' points are kept in a results directory. */
export const SENSE_PROJECTIONS_FILE = 'sense-projections.json';

/** File name stem of a split's pairs and words files. */
export function splitFileStem(split: Pick<SplitResult, 'dataset' | 'split'>): string {
  return `${split.dataset}-${split.split}`;
}

/** True when some pair of the split targets two different words (SCWS, CoSimLex). */
export function hasSecondWord(split: Pick<SplitResult, 'pairs'>): boolean {
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

/** The metric CSVs of a run: summary.csv, pairs/*.csv, words/*.csv (and throughput.csv when measured). */
export function renderCsv(result: RunResult): RenderedFile[] {
  const columns = cosineColumns(result.context.models, result.context.normalizations);
  const files: RenderedFile[] = [{ path: 'summary.csv', content: summaryTable.toCsv(result.splits.flatMap((split) => split.scores)) }];
  for (const split of result.splits) {
    files.push({ path: `pairs/${splitFileStem(split)}.csv`, content: pairsCsv(split, columns) });
    files.push({ path: `words/${splitFileStem(split)}.csv`, content: wordsTable.toCsv(split.words) });
  }
  if (result.contextuality.length > 0) files.push({ path: 'contextuality.csv', content: contextualityTable.toCsv(result.contextuality) });
  if (result.comparisons.length > 0) files.push({ path: 'compare.csv', content: compareTable.toCsv(result.comparisons) });
  if (result.cosimlex.length > 0) files.push({ path: 'cosimlex.csv', content: cosimlexTable.toCsv(result.cosimlex) });
  if (result.spearmanComparisons.length > 0) files.push({ path: 'compare-spearman.csv', content: compareSpearmanTable.toCsv(result.spearmanComparisons) });
  if (result.throughput.length > 0) files.push({ path: 'throughput.csv', content: throughputTable.toCsv(result.throughput) });
  if (result.senses !== undefined && result.senses.length > 0) files.push({ path: 'senses.csv', content: sensesTable.toCsv(result.senses) });
  // The sense pictures' 2-D points (numbers only), so `report` and `score` can redraw them without vectors.
  if (result.senseProjections !== undefined && result.senseProjections.length > 0) {
    files.push({ path: SENSE_PROJECTIONS_FILE, content: `${JSON.stringify(result.senseProjections)}\n` });
  }
  return files;
}
