/**
 * Layer curves: for a model with more than one layer-like representation (use-lite: input,
 * layer-0, layer-1; a Hub export: input, embeddings, layer-1 ... layer-N), its headline score per
 * layer on one split (AUC with its 95% CI where the split has labels, Spearman where it is graded),
 * beside every static representation of the run as a reference. The chart and the sentence saying
 * where sense information peaks (src/reports/sections/analysis.ts) both read these numbers, so the
 * words follow the measurements.
 */

import { formatNumber, keyLabel, orderedScores, representationEntries } from './content.js';

import type { RunResult, SplitResult } from '../results/run-result.js';
import type { SummaryRow } from '../results/schema.js';
/** The headline metric of a split: AUC where it has labels, Spearman where it is graded. */
export function headlineMetric(split: SplitResult): 'auc' | 'spearman' | null {
  if (split.scores.some((score) => score.auc !== null)) return 'auc';
  if (split.scores.some((score) => score.spearman !== null)) return 'spearman';
  return null;
}

/**
 * Where a representation sits in a model's stack, or null when it is not layer-like: `input`
 * (word-embedding rows) first, then `embeddings` (hidden_states[0]), then `layer-N` by N.
 */
export function layerDepth(representation: string): number | null {
  if (representation === 'input') return -2;
  if (representation === 'embeddings') return -1;
  const match = /^layer-(\d+)$/.exec(representation);
  return match ? Number(match[1]) : null;
}

/** One layer's score. */
export interface LayerPoint {
  readonly representation: string;
  readonly depth: number;
  readonly value: number;
  /** The 95% CI; null bounds when the bootstrap gave none. */
  readonly low: number | null;
  readonly high: number | null;
  readonly nPairs: number;
}

/** A static representation drawn as a horizontal reference line. */
export interface LayerReference {
  readonly model: string;
  readonly representation: string;
  readonly value: number;
}

/** One model's layer curve on one split. */
export interface LayerCurve {
  readonly model: string;
  readonly dataset: string;
  readonly split: SplitResult['split'];
  readonly metric: 'auc' | 'spearman';
  /** In stack order (input, embeddings, layer-0, layer-1, ...). */
  readonly points: readonly LayerPoint[];
  /** Every static representation of the run scored on the split (this model's and other models'). */
  readonly references: readonly LayerReference[];
}

function estimateOf(score: SummaryRow, metric: 'auc' | 'spearman'): SummaryRow['auc'] {
  return metric === 'auc' ? score.auc : score.spearman;
}

/** The layer curve of every model with more than one scored layer-like representation on `split` (raw cosines). */
export function layerCurves(result: RunResult, split: SplitResult): LayerCurve[] {
  const metric = headlineMetric(split);
  if (metric === null) return [];
  const scores = orderedScores(result, split);
  const kinds = new Map(representationEntries(result).map((entry) => [entry.key as string, entry.kind]));
  const references: LayerReference[] = [];
  for (const score of scores) {
    const estimate = estimateOf(score, metric);
    if (estimate !== null && kinds.get(`${score.model}:${score.representation}`) === 'static') references.push({ model: score.model, representation: score.representation, value: estimate.value });
  }
  const curves: LayerCurve[] = [];
  for (const model of result.context.models) {
    const points: LayerPoint[] = [];
    for (const score of scores) {
      if (score.model !== model.id) continue;
      const depth = layerDepth(score.representation);
      const estimate = estimateOf(score, metric);
      if (depth === null || estimate === null) continue;
      points.push({ representation: score.representation, depth, value: estimate.value, low: estimate.low, high: estimate.high, nPairs: score.nPairs });
    }
    if (points.length < 2) continue;
    points.sort((a, b) => a.depth - b.depth);
    curves.push({ model: model.id, dataset: split.dataset, split: split.split, metric, points, references });
  }
  return curves;
}

function interval(point: Pick<LayerPoint, 'low' | 'high'>): string {
  return point.low !== null && point.high !== null ? ` [95% CI ${formatNumber(point.low)}, ${formatNumber(point.high)}]` : '';
}

/**
 * Where sense information peaks in one curve, in one sentence computed from its numbers: the best
 * layer (the earliest of equal ones) with its score and CI, how far it is above the model's first
 * layer-like representation, which other layers' intervals overlap it (not shown to differ), and
 * the best static reference of another model.
 */
export function layerPeakSentence(curve: LayerCurve): string {
  const name = curve.metric === 'auc' ? 'AUC' : 'Spearman';
  const peak = curve.points.reduce((best, point) => (point.value > best.value ? point : best));
  const first = curve.points[0]!;
  const parts = [`${curve.model}: sense information peaks at ${peak.representation} (${name} ${formatNumber(peak.value)}${interval(peak)}, ${peak.nPairs} pairs)`];
  if (peak !== first) {
    const gain = peak.value - first.value;
    parts.push(`${gain >= 0 ? '+' : '−'}${formatNumber(Math.abs(gain))} over its ${first.representation} (${formatNumber(first.value)})`);
  } else {
    parts.push(`no later layer scores above its ${first.representation}`);
  }
  const overlapping = curve.points.filter(
    (point) => point !== peak && point.low !== null && point.high !== null && peak.low !== null && peak.high !== null && point.high >= peak.low && point.low <= peak.high,
  );
  if (peak.low !== null && peak.high !== null) {
    parts.push(
      overlapping.length > 0
        ? `the intervals of ${overlapping.map((point) => point.representation).join(', ')} overlap the peak's, so the peak is not shown to differ from ${overlapping.length === 1 ? 'it' : 'them'}`
        : "no other layer's interval overlaps the peak's",
    );
  }
  const others = curve.references.filter((reference) => reference.model !== curve.model).sort((a, b) => b.value - a.value);
  const bestOther = others[0];
  if (bestOther !== undefined) {
    parts.push(`the best static representation of another model, ${keyLabel(bestOther.model, bestOther.representation)}, scores ${formatNumber(bestOther.value)}`);
  }
  return `${parts.join('; ')}.`;
}
