/**
 * The two CoSimLex subtasks (SemEval-2020 Task 3), scored from a representation's cosines on the
 * pairs the cosimlex loader makes (two per row, linked by `contextPair`):
 *
 * 1. Change in similarity: per row, predicted change = cos(context 2) - cos(context 1) against
 *    the gold change sim2 - sim1, by *uncentered* Pearson correlation (the task's metric:
 *    sum(x*y) / sqrt(sum(x^2) * sum(y^2)), no mean subtracted). A static representation gives the
 *    two words the same vectors in both contexts, so it predicts exactly 0 change everywhere; the
 *    correlation is then undefined (null), never faked, and `maxAbsPredictedChange` is exactly 0.
 * 2. Absolute similarity: Spearman (and Pearson) of the cosines against the ratings over both
 *    contexts of every row.
 */
import { pearson, spearman } from './correlation.js';
import type { SentencePair } from '../types.js';

/** One scored CoSimLex item: the pair and its cosine (null when a vector was missing). */
export interface CosimlexItem {
  readonly pair: SentencePair;
  readonly cosine: number | null;
}

/** Subtask 1 over the rows with both contexts' cosines and ratings. */
export interface CosimlexChange {
  /** Row ids (`contextPair.id`) in first-seen order. */
  readonly rows: readonly string[];
  readonly predictedChange: readonly number[];
  readonly goldChange: readonly number[];
  /** Uncentered Pearson of predicted vs gold change; null when either is 0 everywhere (or no rows). */
  readonly correlation: number | null;
  /** Largest |cos2 - cos1|: exactly 0 for a static representation. */
  readonly maxAbsPredictedChange: number;
}

/** Subtask 2 over every item with a cosine and a rating. */
export interface CosimlexSimilarity {
  readonly n: number;
  readonly spearman: number | null;
  readonly pearson: number | null;
}

/** sum(x*y) / sqrt(sum(x^2) * sum(y^2)); null when either vector is all zeros or empty. */
export function uncenteredPearson(x: readonly number[], y: readonly number[]): number | null {
  if (x.length !== y.length) throw new Error(`uncenteredPearson: lengths differ (${x.length} vs ${y.length})`);
  let xy = 0;
  let xx = 0;
  let yy = 0;
  for (let i = 0; i < x.length; i++) {
    xy += x[i]! * y[i]!;
    xx += x[i]! * x[i]!;
    yy += y[i]! * y[i]!;
  }
  if (xx === 0 || yy === 0) return null;
  return Math.max(-1, Math.min(1, xy / Math.sqrt(xx * yy)));
}

/** Subtask 1: predicted vs gold change in similarity, per row. */
export function cosimlexChange(items: readonly CosimlexItem[]): CosimlexChange {
  const byRow = new Map<string, { first?: CosimlexItem; second?: CosimlexItem }>();
  for (const item of items) {
    const link = item.pair.contextPair;
    if (link === undefined) throw new Error(`cosimlexChange: pair ${item.pair.id} is not a CoSimLex item (no contextPair)`);
    const row = byRow.get(link.id) ?? {};
    if (link.context === 1) row.first = item;
    else row.second = item;
    byRow.set(link.id, row);
  }
  const rows: string[] = [];
  const predictedChange: number[] = [];
  const goldChange: number[] = [];
  for (const [id, { first, second }] of byRow) {
    if (first?.cosine == null || second?.cosine == null || first.pair.score === null || second.pair.score === null) continue;
    rows.push(id);
    predictedChange.push(second.cosine - first.cosine);
    goldChange.push(second.pair.score - first.pair.score);
  }
  const maxAbsPredictedChange = predictedChange.reduce((max, change) => Math.max(max, Math.abs(change)), 0);
  return { rows, predictedChange, goldChange, correlation: uncenteredPearson(predictedChange, goldChange), maxAbsPredictedChange };
}

/** Subtask 2: cosines against ratings over both contexts of every row. */
export function cosimlexSimilarity(items: readonly CosimlexItem[]): CosimlexSimilarity {
  const scored = items.filter((item): item is { pair: SentencePair & { score: number }; cosine: number } => item.cosine !== null && item.pair.score !== null);
  const sample = { x: scored.map((item) => item.cosine), y: scored.map((item) => item.pair.score) };
  return { n: scored.length, spearman: spearman(sample), pearson: pearson(sample) };
}
