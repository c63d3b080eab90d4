/**
 * ROC curves of scores against binary labels: the points, their area, and a thinned copy for
 * drawing. The report's ROC charts draw these; the area equals rocAuc (./ranking.ts), ties
 * counted as one half.
 */

/** A point of a ROC curve. */
export interface RocPoint {
  readonly fpr: number;
  readonly tpr: number;
}

/**
 * ROC curve of scores against labels (true = positive = same sense): one point per distinct
 * threshold, from (0,0) to (1,1). Tied scores move both rates at once (a diagonal step), which is
 * what makes the trapezoid area equal the Mann-Whitney AUC with ties counted as one half.
 * Returns null when either class is empty (no curve exists).
 */
export function rocPoints(scored: readonly { readonly score: number; readonly label: boolean }[]): RocPoint[] | null {
  const positives = scored.filter((item) => item.label).length;
  const negatives = scored.length - positives;
  if (positives === 0 || negatives === 0) return null;
  const sorted = [...scored].sort((a, b) => b.score - a.score);
  const points: RocPoint[] = [{ fpr: 0, tpr: 0 }];
  let truePositives = 0;
  let falsePositives = 0;
  let index = 0;
  while (index < sorted.length) {
    const threshold = sorted[index]!.score;
    while (index < sorted.length && sorted[index]!.score === threshold) {
      if (sorted[index]!.label) truePositives += 1;
      else falsePositives += 1;
      index += 1;
    }
    points.push({ fpr: falsePositives / negatives, tpr: truePositives / positives });
  }
  return points;
}

/** Area under a ROC curve by the trapezoid rule. */
export function rocArea(points: readonly RocPoint[]): number {
  let area = 0;
  for (let index = 1; index < points.length; index += 1) {
    const previous = points[index - 1]!;
    const current = points[index]!;
    area += ((current.fpr - previous.fpr) * (current.tpr + previous.tpr)) / 2;
  }
  return area;
}

/**
 * Drops ROC points closer than `resolution` (in both rates) to the last kept one, keeping the
 * ends, so that curves over thousands of pairs stay small SVG paths that look the same.
 */
export function thinRoc(points: readonly RocPoint[], resolution = 0.002): RocPoint[] {
  if (points.length <= 2) return [...points];
  const kept: RocPoint[] = [points[0]!];
  for (let index = 1; index < points.length - 1; index += 1) {
    const point = points[index]!;
    const last = kept[kept.length - 1]!;
    if (Math.abs(point.fpr - last.fpr) >= resolution || Math.abs(point.tpr - last.tpr) >= resolution) kept.push(point);
  }
  kept.push(points[points.length - 1]!);
  return kept;
}

