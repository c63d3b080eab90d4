/**
 * CSV report writers (csv-stringify). Numbers are printed with a fixed number of decimals and no
 * timing or date ever enters these files, so the same inputs give byte-identical CSVs.
 */
import { join } from 'node:path';
import { stringify } from 'csv-stringify/sync';
import { writeFileAtomic } from '../io/atomic.js';
import type { ReportWriter, RunResult, SplitResult, ThroughputRow } from '../types.js';

/** Decimal places of every metric and cosine in the CSVs. */
export const DECIMALS = 6;

/** Fixed-decimal number, empty for null; `-0.000000` is printed as `0.000000`. */
export function formatNumber(value: number | null, decimals = DECIMALS): string {
  if (value === null || !Number.isFinite(value)) return '';
  const text = value.toFixed(decimals);
  return /^-0\.0*$/.test(text) ? text.slice(1) : text;
}

function toCsv(header: readonly string[], rows: readonly (readonly (string | number)[])[]): string {
  return stringify([header, ...rows], { record_delimiter: 'unix' });
}

/** The columns of `summary.csv`, in order. */
export const SUMMARY_COLUMNS = [
  'dataset',
  'split',
  'model',
  'kind',
  'representation',
  'n_pairs',
  'auc',
  'auc_ci_low',
  'auc_ci_high',
  'average_precision',
  'accuracy',
  'threshold',
  'threshold_source',
  'mean_cos_same',
  'mean_cos_different',
  'cohens_d',
  'spearman',
  'oov_rate',
  'pearson',
  'spearman_ci_low',
  'spearman_ci_high',
  'pearson_ci_low',
  'pearson_ci_high',
] as const;

/** `summary.csv`: one row per dataset, split, model and representation. */
export function summaryCsv(splits: readonly SplitResult[]): string {
  const n = formatNumber;
  const rows = splits.flatMap((split) =>
    split.scores.map((s) => [
      split.dataset,
      split.split,
      s.model,
      s.kind,
      s.representation,
      s.nPairs,
      n(s.auc),
      n(s.aucCiLow),
      n(s.aucCiHigh),
      n(s.averagePrecision),
      n(s.accuracy),
      n(s.threshold),
      s.thresholdSource,
      n(s.meanCosSame),
      n(s.meanCosDifferent),
      n(s.cohensD),
      n(s.spearman),
      n(s.oovRate),
      n(s.pearson),
      n(s.spearmanCiLow),
      n(s.spearmanCiHigh),
      n(s.pearsonCiLow),
      n(s.pearsonCiHigh),
    ]),
  );
  return toCsv(SUMMARY_COLUMNS, rows);
}

/**
 * `pairs/<dataset>-<split>.csv`: each pair's label, score and one cosine column per
 * model:representation; `word2` and `same_word` when some pairs target two different words.
 */
export function pairsCsv(split: SplitResult): string {
  const columns = [...(split.pairs[0]?.cosines.keys() ?? [])];
  const hasWord2 = split.pairs.some(({ pair }) => pair.word2 !== undefined && pair.word2 !== pair.word);
  // Datasets that pair different words (SCWS) say per pair whether the targets share the word:
  // only those pairs get the static `target` cosine of exactly 1.0.
  const header = ['id', 'word', ...(hasWord2 ? ['word2', 'same_word'] : []), 'label', 'score', 'truncated', ...columns];
  const rows = split.pairs.map(({ pair, cosines, truncated }) => [
    pair.id,
    pair.word,
    ...(hasWord2 ? [pair.word2 ?? pair.word, (pair.word2 ?? pair.word) === pair.word ? 1 : 0] : []),
    pair.label === null ? '' : pair.label ? 'T' : 'F',
    pair.score === null ? '' : String(pair.score),
    truncated ? 1 : 0,
    ...columns.map((column) => formatNumber(cosines.get(column) ?? null)),
  ]);
  return toCsv(header, rows);
}

/** `words/<dataset>-<split>.csv`: per-word AUC and counts per model and representation. */
export function wordsCsv(split: SplitResult): string {
  const n = formatNumber;
  const rows = split.words.map((w) => [
    w.word,
    w.model,
    w.representation,
    w.nPairs,
    w.nSame,
    w.nDifferent,
    n(w.auc),
    n(w.meanCosSame),
    n(w.meanCosDifferent),
  ]);
  return toCsv(
    ['word', 'model', 'representation', 'n_pairs', 'n_same', 'n_different', 'auc', 'mean_cos_same', 'mean_cos_different'],
    rows,
  );
}

/** `throughput.csv`: timings live here, never in the metric CSVs. */
export function throughputCsv(rows: readonly ThroughputRow[]): string {
  const n = (value: number | null): string => formatNumber(value, 4);
  return toCsv(
    ['group', 'subject', 'unit', 'value', 'baseline', 'baseline_value', 'ratio', 'goal', 'rme_percent', 'samples'],
    rows.map((r) => [r.group, r.subject, r.unit, n(r.value), r.baseline, n(r.baselineValue), n(r.ratio), n(r.goal), n(r.rmePercent), r.samples ?? '']),
  );
}

/** File name stem of a split's reports. */
export function splitFileStem(split: Pick<SplitResult, 'dataset' | 'split'>): string {
  return `${split.dataset}-${split.split}`;
}

/** Writes summary.csv, pairs/*.csv and words/*.csv. */
export const csvReportWriter: ReportWriter = {
  name: 'csv',
  async write(result: RunResult, outDir: string): Promise<string[]> {
    const files: [string, string][] = [[join(outDir, 'summary.csv'), summaryCsv(result.splits)]];
    for (const split of result.splits) {
      files.push([join(outDir, 'pairs', `${splitFileStem(split)}.csv`), pairsCsv(split)]);
      files.push([join(outDir, 'words', `${splitFileStem(split)}.csv`), wordsCsv(split)]);
    }
    for (const [path, content] of files) await writeFileAtomic(path, content);
    return files.map(([path]) => path);
  },
};
