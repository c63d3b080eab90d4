/**
 * Cosines to metrics: scores every dataset split with every model representation and normalization
 * from the stored cosines alone (a pair's word, label, score and its cosine per column), and compares
 * every two representations on the same pairs. `sensebench run` and `sensebench score DIR`
 * (re-scoring the pairs CSVs of a finished run) both call this, which is why the two give
 * byte-identical summary.csv, words/ and compare files.
 */
import { setImmediate } from 'node:timers/promises';
import { type AucRanking, AucResamples, compareRankedAuc, compareSpearman, rankForAuc } from '../metrics/compare.js';
import { rocAuc } from '../metrics/ranking.js';
import { scoreRepresentation, scoreWords, type ScoredPair } from '../metrics/score.js';
import { deriveSeed } from '../random.js';
import { cosimlexChange, cosimlexSimilarity } from '../metrics/cosimlex.js';
import {
  compareSpearmanTable,
  compareTable,
  cosimlexTable,
  cosineColumn,
  probeColumn,
  summaryTable,
  type MetricScores,
  wordsTable,
  type ComparisonRow,
  type CosimlexRow,
  type SpearmanComparisonRow,
  type SummaryRow,
  type WordScore,
} from '../results/schema.js';
import type { Normalization, PairResult, RepresentationKey, SplitPairs } from '../types.js';
import { spearman } from '../metrics/correlation.js';
import { METRIC_DECIMALS } from '../results/schema.js';
import { roundFixed } from '../results/table.js';
import type { COMPARISON_RULES } from '../vocabulary.js';

import type { ModelRecord, SplitResult } from '../results/run-result.js';
/** See {@link COMPARISON_RULES}. */
export type ComparisonRule = (typeof COMPARISON_RULES)[number];

export type { SplitPairs } from '../types.js';

export interface ScoringOptions {
  readonly seed: number;
  /** Bootstrap resamples per interval. */
  readonly resamples: number;
  /** Corrections whose cosines the pairs carry (`none` first). */
  readonly normalizations: readonly Normalization[];
  /** Which representations are compared (default `baselines-and-neighbours`, see {@link COMPARISON_RULES}). */
  readonly comparisons?: ComparisonRule;
  /** Called as splits are done (scoring and comparisons take a while on large runs). */
  readonly onProgress?: (done: number, total: number) => void;
}

/**
 * One summary.csv row: which row it is, then what the scorer computed, rounded exactly as the CSV
 * prints it (so a result re-read from disk equals this one).
 */
function summaryRow(
  split: Pick<SplitPairs, 'dataset' | 'split'>,
  model: string,
  representation: Pick<ModelRecord['representations'][number], 'name' | 'kind'>,
  normalization: Normalization,
  scoring: SummaryRow['scoring'],
  metrics: MetricScores,
): SummaryRow {
  return summaryTable.round({ dataset: split.dataset, split: split.split, model, kind: representation.kind, representation: representation.name, normalization, scoring, ...metrics });
}

/** The word a pair is grouped under in words/*.csv: `word/word2` when it targets two words. */
function wordOf({ pair }: PairResult): string {
  return pair.word2 !== undefined && pair.word2 !== pair.word ? `${pair.word}/${pair.word2}` : pair.word;
}

/**
 * A split's pairs as the scorers see them, one row each, with the cosine of one column at a time:
 * `of(key)` refills the same rows, so scoring a dozen columns of 200k pairs allocates 200k rows
 * once, not per column (the scorers read the rows during the call and keep none).
 */
class ScoredRows {
  private readonly rows: { word: string; label: boolean | null; score: number | null; cosine: number | null }[];

  constructor(private readonly pairs: readonly PairResult[]) {
    this.rows = pairs.map((result) => ({ word: wordOf(result), label: result.pair.label, score: result.pair.score, cosine: null }));
  }

  of(key: RepresentationKey): readonly ScoredPair[] {
    this.pairs.forEach((result, i) => (this.rows[i]!.cosine = result.cosines.get(key) ?? null));
    return this.rows;
  }
}

/** Every model representation of a run with its cosine column under one normalization. */
function columnsOf(models: readonly Pick<ModelRecord, 'id' | 'representations'>[], normalization: Normalization) {
  return models.flatMap((model) =>
    model.representations.map((representation) => ({ model: model.id, representation, key: cosineColumn(model.id, representation.name, normalization), label: cosineColumn(model.id, representation.name) })),
  );
}

/** Every model representation's probe column (compared under the label `<model>:<representation>#probe`). */
function probeColumnsOf(models: readonly Pick<ModelRecord, 'id' | 'representations'>[]) {
  return models.flatMap((model) =>
    model.representations.map((representation) => ({ model: model.id, representation, key: probeColumn(model.id, representation.name), label: probeColumn(model.id, representation.name) })),
  );
}

/** A cosine column's scores on one split: its summary metrics and (raw cosines only) its words/ rows. */
interface ScoredColumn {
  readonly metrics: MetricScores;
  readonly words: readonly WordScore[];
}

/**
 * Columns of each split scored once ahead of {@link scoreSplits} and read back by it: a run scores
 * every cosine column on the main thread while the workers train the last probes
 * ({@link scoreCosinesAhead}), and each model's probe columns as soon as that model's probes have
 * settled ({@link scoreProbesAhead}), which leaves only the last model's probe rows for the end.
 */
export class CosineScores {
  private readonly scored = new Map<string, ScoredColumn | null>();

  static id(split: Pick<SplitPairs, 'dataset' | 'split'>, key: RepresentationKey): string {
    return `${split.dataset}\u0000${split.split}\u0000${key}`;
  }

  get(split: Pick<SplitPairs, 'dataset' | 'split'>, key: RepresentationKey): ScoredColumn | null | undefined {
    return this.scored.get(CosineScores.id(split, key));
  }

  set(split: Pick<SplitPairs, 'dataset' | 'split'>, key: RepresentationKey, column: ScoredColumn | null): void {
    this.scored.set(CosineScores.id(split, key), column);
  }
}

/**
 * The cosine columns of a split in the order summary.csv lists them (model, representation, then
 * normalization), each with its scorer: rows of the split (and of the dataset's train split, whose
 * threshold a non-train split uses) are refilled per column, so a scorer runs before the next is made.
 */
function* cosineColumnsOf(split: SplitPairs, splits: readonly SplitPairs[], models: readonly Pick<ModelRecord, 'id' | 'representations'>[], options: ScoringOptions) {
  const train = split.split === 'train' ? undefined : splits.find((other) => other.dataset === split.dataset && other.split === 'train');
  const rows = new ScoredRows(split.pairs);
  const trainRows = train === undefined ? undefined : new ScoredRows(train.pairs);
  for (const model of models) {
    for (const representation of model.representations) {
      for (const normalization of options.normalizations) {
        const key = cosineColumn(model.id, representation.name, normalization);
        const score = (): ScoredColumn | null => {
          if (!split.pairs.some((pair) => pair.cosines.has(key))) return null;
          const evaluated = rows.of(key);
          const metrics = scoreRepresentation({
            evaluated,
            ...(trainRows === undefined ? {} : { train: trainRows.of(key) }),
            seed: options.seed,
            bootstrapResamples: options.resamples,
            key: `${key}:${split.dataset}:${split.split}`,
          });
          const words = normalization === 'none' ? scoreWords({ evaluated, model: model.id, representation: representation.name }).map((row) => wordsTable.round(row)) : [];
          return { metrics, words };
        };
        yield { model, representation, normalization, key, score, rows };
      }
    }
  }
}

/**
 * Scores every cosine column of every split into `into` ahead of {@link scoreSplits}, letting the
 * event loop run between two columns (the analysis pool hands workers their next task from the
 * main thread's messages, so a long synchronous stretch would leave a worker idle).
 */
export async function scoreCosinesAhead(splits: readonly SplitPairs[], models: readonly Pick<ModelRecord, 'id' | 'representations'>[], options: ScoringOptions, into: CosineScores): Promise<void> {
  for (const split of splits) {
    for (const column of cosineColumnsOf(split, splits, models, options)) {
      into.set(split, column.key, column.score());
      await setImmediate();
    }
  }
}

/** The summary metrics of one probe column (its probabilities) on a split. */
function scoreProbeColumn(split: SplitPairs, rows: ScoredRows, probeKey: RepresentationKey, options: ScoringOptions): ScoredColumn | null {
  // Only where the dataset had a probe: some pair of the split has a probability.
  if (!split.pairs.some((pair) => (pair.cosines.get(probeKey) ?? null) !== null)) return null;
  const metrics = scoreRepresentation({ evaluated: rows.of(probeKey), seed: options.seed, bootstrapResamples: options.resamples, key: `${probeKey}:${split.dataset}:${split.split}`, scores: 'probability' });
  return { metrics, words: [] };
}

/** Scores the probe columns of `model` on every split into `into` (its probes have settled), as {@link scoreCosinesAhead} does. */
export async function scoreProbesAhead(splits: readonly SplitPairs[], model: Pick<ModelRecord, 'id' | 'representations'>, options: ScoringOptions, into: CosineScores): Promise<void> {
  for (const split of splits) {
    const rows = new ScoredRows(split.pairs);
    for (const representation of model.representations) {
      const probeKey = probeColumn(model.id, representation.name);
      into.set(split, probeKey, scoreProbeColumn(split, rows, probeKey, options));
      await setImmediate();
    }
  }
}

/**
 * Scores every split with every representation of `models` under every normalization. The accuracy
 * threshold of a non-train split is learned on the same dataset's train split; the train split
 * itself, and datasets without one, use cross-validation. Each row's random streams are keyed by
 * column:dataset:split (the raw column's key is `model:representation`, as before corrections
 * existed, so raw intervals do not move when corrections are added). A column already in `ahead`
 * is read from there, not scored again.
 */
export function scoreSplits(splits: readonly SplitPairs[], models: readonly Pick<ModelRecord, 'id' | 'representations'>[], options: ScoringOptions, ahead?: CosineScores): SplitResult[] {
  options.onProgress?.(0, splits.length);
  return splits.map((split, splitIndex) => {
    const scores: SummaryRow[] = [];
    const words: WordScore[] = [];
    for (const { model, representation, normalization, key, score, rows } of cosineColumnsOf(split, splits, models, options)) {
      const scored = ahead?.get(split, key);
      const column = scored === undefined ? score() : scored;
      if (column !== null) {
        scores.push(summaryRow(split, model.id, representation, normalization, 'cosine', column.metrics));
        words.push(...column.words);
      }
      // The probe row follows the representation's last normalization.
      if (normalization !== options.normalizations[options.normalizations.length - 1]) continue;
      const probeKey = probeColumn(model.id, representation.name);
      const scoredProbe = ahead?.get(split, probeKey);
      const probe = scoredProbe === undefined ? scoreProbeColumn(split, rows, probeKey, options) : scoredProbe;
      if (probe !== null) scores.push(summaryRow(split, model.id, representation, 'none', 'probe', probe.metrics));
    }
    options.onProgress?.(splitIndex + 1, splits.length);
    return {
      dataset: split.dataset,
      split: split.split,
      unlabelled: split.pairs.every(({ pair }) => pair.label === null),
      graded: split.pairs.some(({ pair }) => pair.score !== null),
      pairs: split.pairs,
      scores,
      words,
    };
  });
}

/** What the comparisons read of a split: each pair's label, gold score and cosines. */
export interface ComparedSplit {
  readonly dataset: string;
  readonly split: SplitPairs['split'];
  readonly pairs: readonly { readonly pair: Pick<PairResult['pair'], 'label' | 'score'>; readonly cosines: PairResult['cosines'] }[];
}

/** A cosine column of a split as the comparisons see it. */
interface ComparedColumn {
  readonly model: string;
  readonly representation: Pick<ModelRecord['representations'][number], 'name' | 'kind'>;
  readonly key: RepresentationKey;
  readonly label: string;
}

/**
 * The static column that scores best on a split, as the report picks it (summary.csv's rounded
 * AUC, or Spearman on a graded split without labels; the first in run order on a tie); null
 * when no static column scores.
 */
function bestStaticColumn(
  columns: readonly ComparedColumn[],
  values: (key: RepresentationKey) => readonly (number | null)[],
  labels: readonly (boolean | null)[],
  gold: readonly (number | null)[],
  labelled: boolean,
): ComparedColumn | null {
  let best: ComparedColumn | null = null;
  let bestValue = -Infinity;
  for (const column of columns) {
    if (column.representation.kind !== 'static') continue;
    const cosines = values(column.key);
    const scores: number[] = [];
    const targets: (boolean | number)[] = [];
    cosines.forEach((cosine, i) => {
      const target = labelled ? labels[i] : gold[i];
      if (cosine === null || target === null || target === undefined) return;
      scores.push(cosine);
      targets.push(target);
    });
    const value = labelled ? (scores.length === 0 ? null : rocAuc({ scores, labels: targets as boolean[] })) : spearman({ x: scores, y: targets as number[] });
    if (value === null) continue;
    const rounded = roundFixed(value, METRIC_DECIMALS);
    if (rounded > bestValue) {
      bestValue = rounded;
      best = column;
    }
  }
  return best;
}

/**
 * The pairs of columns compared under `rule` (see {@link COMPARISON_RULES}), each as (earlier,
 * later) in run order, in the order every-two enumerates them: a default comparison is the same
 * row, with the same random stream, as in an all-pairs run.
 */
function comparedPairs(columns: readonly ComparedColumn[], rule: ComparisonRule, bestStatic: ComparedColumn | null): [ComparedColumn, ComparedColumn][] {
  const pairs: [ComparedColumn, ComparedColumn][] = [];
  for (let a = 0; a < columns.length; a++) {
    for (let b = a + 1; b < columns.length; b++) {
      const first = columns[a]!;
      const second = columns[b]!;
      const baseline = (column: ComparedColumn): boolean => column === bestStatic || (column.representation.kind === 'static' && column.representation.name === 'target');
      const neighbours = first.model === second.model && columns.slice(a + 1, b).every((between) => between.model !== first.model);
      if (rule === 'all-pairs' || baseline(first) || baseline(second) || neighbours) pairs.push([first, second]);
    }
  }
  return pairs;
}

/**
 * Each column's ranking for the AUC comparisons of one split ({@link rankForAuc}), made once per
 * set of pairs it is compared on: the pairs where both columns and the label are present, which is
 * every labelled pair unless a column misses some (out-of-vocabulary targets). `compareAuc` on the
 * two columns gives the same result, ranking both again for every comparison.
 */
class AucRankings {
  private readonly rankings = new Map<string, AucRanking>();
  private readonly missing = new Map<RepresentationKey, readonly number[]>();
  private readonly unlabelled: readonly number[];

  constructor(
    private readonly labels: readonly (boolean | null)[],
    private readonly values: (key: RepresentationKey) => readonly (number | null)[],
  ) {
    this.unlabelled = labels.flatMap((label, i) => (label === null ? [i] : []));
  }

  private missingOf(key: RepresentationKey): readonly number[] {
    let missing = this.missing.get(key);
    if (missing === undefined) {
      missing = this.values(key).flatMap((value, i) => (value === null ? [i] : []));
      this.missing.set(key, missing);
    }
    return missing;
  }

  /** The two columns' rankings on the pairs where both and the label are present. */
  of(keyA: RepresentationKey, keyB: RepresentationKey): [AucRanking, AucRanking] {
    const dropped = [...new Set([...this.unlabelled, ...this.missingOf(keyA), ...this.missingOf(keyB)])].sort((x, y) => x - y);
    const signature = dropped.join(',');
    const rankingOf = (key: RepresentationKey, what: string): AucRanking => {
      const id = `${key}|${signature}`;
      let ranking = this.rankings.get(id);
      if (ranking === undefined) {
        const skip = new Set(dropped);
        const column = this.values(key);
        const scores: number[] = [];
        const labels: boolean[] = [];
        column.forEach((value, i) => {
          if (skip.has(i)) return;
          scores.push(value!);
          labels.push(this.labels[i]!);
        });
        ranking = rankForAuc(scores, labels, what);
        this.rankings.set(id, ranking);
      }
      return ranking;
    };
    return [rankingOf(keyA, 'A'), rankingOf(keyB, 'B')];
  }
}

/**
 * Representations compared on the same pairs of each split, per normalization (by default each
 * against the split's best static one, the static targets and its neighbouring layer; every two
 * with `comparisons: 'all-pairs'`): the AUC difference with a paired stratified bootstrap CI and
 * DeLong's test on labelled splits, the Spearman difference with a paired bootstrap CI on graded
 * ones. Each probe is compared with every static `target` cosine.
 */
export function compareRepresentations(
  splits: readonly ComparedSplit[],
  models: readonly Pick<ModelRecord, 'id' | 'representations'>[],
  options: ScoringOptions,
): { comparisons: ComparisonRow[]; spearmanComparisons: SpearmanComparisonRow[] } {
  const comparisons: ComparisonRow[] = [];
  const spearmanComparisons: SpearmanComparisonRow[] = [];
  const rule = options.comparisons ?? 'baselines-and-neighbours';
  for (const [splitIndex, split] of splits.entries()) {
    options.onProgress?.(splitIndex, splits.length);
    const labels = split.pairs.map(({ pair }) => pair.label);
    const gold = split.pairs.map(({ pair }) => pair.score);
    const labelled = labels.some((label) => label !== null);
    const graded = gold.some((score) => score !== null);
    if (!labelled && !graded) continue;
    // Each column's values once, however many comparisons it is in.
    const valuesOf = new Map<RepresentationKey, (number | null)[]>();
    const values = (key: RepresentationKey): (number | null)[] => {
      let column = valuesOf.get(key);
      if (column === undefined) {
        column = split.pairs.map((pair) => pair.cosines.get(key) ?? null);
        valuesOf.set(key, column);
      }
      return column;
    };
    const ranking = labelled ? new AucRankings(labels, values) : null;
    // One bootstrap per split: every comparison of the split resamples the same pairs (the draws
    // depend on the seed and the class sizes alone), so each column's AUC per resample is computed
    // once however many comparisons it is in, and one row's interval is the same whichever other
    // rows the rule asks for.
    const seed = deriveSeed(options.seed, `${split.dataset}:${split.split}:compare`);
    const resamples = new AucResamples({ seed, resamples: options.resamples });
    for (const normalization of options.normalizations) {
      const columns = columnsOf(models, normalization).filter(({ key }) => split.pairs.some((pair) => pair.cosines.has(key)));
      const bestStatic = rule === 'all-pairs' ? null : bestStaticColumn(columns, values, labels, gold, labelled);
      const pairsOfColumns: [ComparedColumn, ComparedColumn, boolean][] = comparedPairs(columns, rule, bestStatic).map(([a, b]) => [a, b, false]);
      if (normalization === 'none' && labelled) {
        // Each probe against every static `target` cosine (the follow-up question's baseline), on the same pairs.
        const probes = probeColumnsOf(models).filter(({ key }) => split.pairs.some((pair) => (pair.cosines.get(key) ?? null) !== null));
        const targets = columns.filter(({ representation }) => representation.kind === 'static' && representation.name === 'target');
        for (const probe of probes) for (const target of targets) pairsOfColumns.push([probe, target, true]);
      }
      // Every ranking these comparisons read, scored on the split's draws in one pass.
      if (ranking !== null) resamples.draw(pairsOfColumns.flatMap(([first, second]) => ranking.of(first.key, second.key)));
      for (const [first, second, isProbe] of pairsOfColumns) {
        const cosinesA = values(first.key);
        const cosinesB = values(second.key);
        const identity = { dataset: split.dataset, split: split.split, representationA: first.label, representationB: second.label, normalization };
        if (ranking !== null) {
          const [rankingA, rankingB] = ranking.of(first.key, second.key);
          const result = compareRankedAuc(rankingA, rankingB, resamples);
          comparisons.push(
            compareTable.round({
              ...identity,
              aucA: result.aucA,
              aucB: result.aucB,
              difference: result.difference === null ? null : { value: result.difference, ...result.differenceCi },
              delongZ: result.delong.z,
              delongP: result.delong.p,
              nPairs: result.nPairs,
            }),
          );
        }
        // A probability is compared by AUC only: it does not grade similarity.
        if (graded && !isProbe) {
          const result = compareSpearman({ cosinesA, cosinesB, gold }, { seed, resamples: options.resamples });
          spearmanComparisons.push(
            compareSpearmanTable.round({
              ...identity,
              spearmanA: result.spearmanA,
              spearmanB: result.spearmanB,
              difference: result.difference === null ? null : { value: result.difference, ...result.differenceCi },
              nPairs: result.nPairs,
            }),
          );
        }
      }
    }
  }
  options.onProgress?.(splits.length, splits.length);
  return { comparisons, spearmanComparisons };
}

/**
 * CoSimLex's two subtasks per representation and normalization, on every split whose pairs carry
 * `contextPair` (the cosimlex loader links a row's two contexts): the change in similarity between
 * contexts (uncentered Pearson) and the absolute similarity (Spearman, Pearson).
 */
export function scoreCosimlex(splits: readonly SplitPairs[], models: readonly Pick<ModelRecord, 'id' | 'representations'>[], options: ScoringOptions): CosimlexRow[] {
  const rows: CosimlexRow[] = [];
  for (const split of splits) {
    if (!split.pairs.some(({ pair }) => pair.contextPair !== undefined)) continue;
    const items = split.pairs.filter(({ pair }) => pair.contextPair !== undefined);
    for (const model of models) {
      for (const representation of model.representations) {
        for (const normalization of options.normalizations) {
          const key = cosineColumn(model.id, representation.name, normalization);
          if (!items.some((item) => item.cosines.has(key))) continue;
          const scored = items.map(({ pair, cosines }) => ({ pair, cosine: cosines.get(key) ?? null }));
          const change = cosimlexChange(scored);
          const similarity = cosimlexSimilarity(scored);
          rows.push(
            cosimlexTable.round({
              dataset: split.dataset,
              split: split.split,
              model: model.id,
              kind: representation.kind,
              representation: representation.name,
              normalization,
              rows: change.rows.length,
              changeCorrelation: change.correlation,
              maxAbsPredictedChange: change.maxAbsPredictedChange,
              items: similarity.n,
              similaritySpearman: similarity.spearman,
              similarityPearson: similarity.pearson,
            }),
          );
        }
      }
    }
  }
  return rows;
}

/**
 * One warning per raw representation that scores no pair of a split that has pairs: every pair
 * lacked a vector (out of vocabulary), so its summary row rests on nothing.
 */
export function emptyRepresentationWarnings(splits: readonly SplitResult[]): string[] {
  const warnings: string[] = [];
  for (const split of splits) {
    if (split.pairs.length === 0) continue;
    for (const score of split.scores) {
      if (score.normalization !== 'none' || score.scoring !== 'cosine' || score.nPairs > 0) continue;
      warnings.push(
        `${score.model}:${score.representation} embeds no pair of ${split.dataset}/${split.split}: every one of its ${split.pairs.length} pairs has a target the model has no vector for (out of vocabulary), so its row of summary.csv is empty`,
      );
    }
  }
  return warnings;
}
