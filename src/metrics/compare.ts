/**
 * Which differences between two representations are real: paired comparisons on the same pairs.
 *
 * - Binary labels: the AUC difference (A - B) with a paired, stratified percentile-bootstrap
 *   interval, plus DeLong's test (delong.ts).
 * - Graded scores: the difference of the two dependent Spearman correlations with the gold score
 *   (rho_A - rho_B), with a paired percentile-bootstrap interval.
 *
 * Pairs whose cosine is missing in either representation (or whose label / gold score is
 * missing) are dropped first, keeping input order; `nPairs` is what remains.
 *
 * Resampling follows src/metrics/bootstrap.ts exactly, so the reference script replays it and a
 * comparison's resample b is the same draw as bootstrapAucSamples / bootstrapSpearmanSamples with
 * the same seed would make:
 * - AUC: one mulberry32 stream; each resample draws nPos indices with `nextInt(nPos)` into the
 *   positives (input order), then nNeg with `nextInt(nNeg)` into the negatives; the same indices
 *   score both representations and the statistic is AUC_A - AUC_B of the resample. The draws depend
 *   on the seed and the class sizes alone, so comparisons made with one seed ({@link AucResamples})
 *   resample the same pairs: each representation's AUC per resample is computed once and read by
 *   every comparison it is in.
 * - Spearman: each resample draws n indices with `nextInt(n)`; both correlations are computed on
 *   that resample (average ranks within the resample); a resample where either is undefined (a
 *   constant variable) is dropped.
 * - Interval: numpy-'linear' percentiles (1 - c)/2 and 1 - (1 - c)/2 of the differences.
 */
import { averageRankPerGroup } from './bootstrap.js';
import { NO_INTERVAL } from './metric.js';
import { type BootstrapOptions, percentileInterval, resampleCount, resampledStatistics } from './resampling.js';
import { assertFinite, denseRanks } from './rank.js';
import { type GroupedClasses, aucResamples } from '../linalg/auc-resamples.js';
import { pearson, spearman } from './correlation.js';
import { type DeLongComponents, type DeLongResult, delongComponents, delongFromComponents } from './delong.js';

import type { ConfidenceInterval } from '../types.js';
/** Two representations' cosines on the same binary-labelled pairs (null: missing). */
export interface PairedCosinesBinary {
  readonly cosinesA: ArrayLike<number | null>;
  readonly cosinesB: ArrayLike<number | null>;
  readonly labels: ArrayLike<boolean | null>;
}

/** Two representations' cosines on the same graded pairs (null: missing). */
export interface PairedCosinesGraded {
  readonly cosinesA: ArrayLike<number | null>;
  readonly cosinesB: ArrayLike<number | null>;
  readonly gold: ArrayLike<number | null>;
}

/** AUC_A vs AUC_B on the pairs both representations score. */
export interface AucComparison {
  readonly nPairs: number;
  readonly aucA: number | null;
  readonly aucB: number | null;
  /** aucA - aucB. */
  readonly difference: number | null;
  /** Paired stratified bootstrap interval of the difference. */
  readonly differenceCi: ConfidenceInterval;
  readonly delong: DeLongResult;
}

/** rho_A vs rho_B (Spearman with the gold score) on the pairs both representations score. */
export interface SpearmanComparison {
  readonly nPairs: number;
  readonly spearmanA: number | null;
  readonly spearmanB: number | null;
  /** spearmanA - spearmanB. */
  readonly difference: number | null;
  /** Paired bootstrap interval of the difference. */
  readonly differenceCi: ConfidenceInterval;
}

function checkLengths(a: ArrayLike<unknown>, b: ArrayLike<unknown>, c: ArrayLike<unknown>, what: string): void {
  if (a.length !== b.length || a.length !== c.length) {
    throw new RangeError(`${what}: lengths differ (${a.length}, ${b.length}, ${c.length})`);
  }
}

/**
 * The pairs complete in all three columns (both cosines and the target: a label or a gold score),
 * each column's values kept in input order.
 */
function complete<T>(cosinesA: ArrayLike<number | null>, cosinesB: ArrayLike<number | null>, target: ArrayLike<T | null>, what: string): { a: number[]; b: number[]; target: T[] } {
  checkLengths(cosinesA, cosinesB, target, what);
  const out = { a: [] as number[], b: [] as number[], target: [] as T[] };
  for (let i = 0; i < target.length; i++) {
    const x = cosinesA[i];
    const y = cosinesB[i];
    const t = target[i];
    if (x === null || x === undefined || y === null || y === undefined || t === null || t === undefined) continue;
    out.a.push(x);
    out.b.push(y);
    out.target.push(t);
  }
  return out;
}

/**
 * What the AUC comparisons need of one representation on one set of complete labelled pairs: its
 * DeLong components and its tie groups per class. A representation compared with several others on
 * the same pairs is ranked once ({@link rankForAuc}); every comparison then only resamples.
 */
export interface AucRanking {
  readonly length: number;
  /** Null when a class is absent. */
  readonly delong: DeLongComponents | null;
  /** Null when a class is absent. */
  readonly classes: GroupedClasses | null;
}

/** Ranks `scores` (complete, finite) against `labels` for {@link compareRankedAuc}. `what` names them in errors. */
export function rankForAuc(scores: ArrayLike<number>, labels: ArrayLike<boolean>, what: string): AucRanking {
  const delong = delongComponents(scores, labels, `delongTest ${what}`);
  if (delong === null) return { length: labels.length, delong, classes: null };
  const { ids, groups } = denseRanks(scores);
  const positives: number[] = [];
  const negatives: number[] = [];
  for (let i = 0; i < labels.length; i++) (labels[i] ? positives : negatives).push(ids[i]!);
  return { length: labels.length, delong, classes: { positives: Uint32Array.from(positives), negatives: Uint32Array.from(negatives), groups } };
}

/**
 * AUC_A - AUC_B of every paired stratified resample, in draw order (exposed for tests). Empty
 * when either class is absent. Inputs are complete (no nulls).
 */
export function bootstrapAucDifferenceSamples(
  scoresA: ArrayLike<number>,
  scoresB: ArrayLike<number>,
  labels: ArrayLike<boolean>,
  options: BootstrapOptions,
): number[] {
  checkLengths(scoresA, scoresB, labels, 'bootstrapAucDifference');
  assertFinite(scoresA, 'bootstrapAucDifference A');
  assertFinite(scoresB, 'bootstrapAucDifference B');
  return rankedDifferenceSamples(rankForAuc(scoresA, labels, 'A'), rankForAuc(scoresB, labels, 'B'), new AucResamples(options));
}

/**
 * The AUC of rankings on every stratified resample of one seed's draws, each ranking's computed
 * once however many comparisons read it. {@link draw} scores many rankings together on one pass of
 * draws (the draws depend only on the seed and the class sizes, so rankings with the same class
 * sizes share them); a ranking asked for without being drawn first is scored alone, with the same
 * values. The resamples run in the WebAssembly kernels: bit for bit the resampling engine's draws
 * counted in JavaScript (test/linalg-kernels.test.ts).
 */
export class AucResamples {
  private readonly values = new Map<AucRanking, Float64Array>();

  constructor(readonly options: BootstrapOptions) {}

  /** Scores every ranking not scored yet (a ranking with an absent class has no resamples). */
  draw(rankings: readonly AucRanking[]): void {
    const bySize = new Map<string, AucRanking[]>();
    for (const ranking of new Set(rankings)) {
      if (ranking.classes === null || this.values.has(ranking)) continue;
      const size = `${ranking.classes.positives.length}:${ranking.classes.negatives.length}`;
      const group = bySize.get(size);
      if (group === undefined) bySize.set(size, [ranking]);
      else group.push(ranking);
    }
    for (const group of bySize.values()) {
      const scored = aucResamples(this.options.seed, resampleCount(this.options), group.map((ranking) => ranking.classes!));
      group.forEach((ranking, i) => this.values.set(ranking, scored[i]!));
    }
  }

  /** The ranking's AUC on every resample, in draw order (empty when a class is absent). */
  of(ranking: AucRanking): Float64Array {
    if (ranking.classes === null) return new Float64Array(0);
    this.draw([ranking]);
    return this.values.get(ranking)!;
  }
}

function rankedDifferenceSamples(a: AucRanking, b: AucRanking, resamples: AucResamples): number[] {
  if (a.classes === null || b.classes === null) return [];
  resamples.draw([a, b]);
  const aucB = resamples.of(b);
  return Array.from(resamples.of(a), (aucA, i) => aucA - aucB[i]!);
}

/**
 * AUC_A - AUC_B with its paired stratified bootstrap interval and DeLong's test, from the two
 * representations' rankings of the same complete pairs ({@link rankForAuc}): {@link compareAuc}
 * without ranking either again, and with each ranking's resamples read from `resamples` (computed
 * there once for every comparison that shares them).
 */
export function compareRankedAuc(a: AucRanking, b: AucRanking, resamples: AucResamples): AucComparison {
  if (a.length !== b.length) throw new RangeError(`compareRankedAuc: rankings of ${a.length} and ${b.length} pairs`);
  const delong = delongFromComponents(a.delong, b.delong);
  const differenceCi = delong.difference === null ? NO_INTERVAL : percentileInterval(rankedDifferenceSamples(a, b, resamples), resamples.options.confidence);
  return { nPairs: a.length, aucA: delong.aucA, aucB: delong.aucB, difference: delong.difference, differenceCi, delong };
}

/** AUC_A - AUC_B with its paired stratified bootstrap interval and DeLong's test. */
export function compareAuc(input: PairedCosinesBinary, options: BootstrapOptions): AucComparison {
  const { a, b, target: labels } = complete(input.cosinesA, input.cosinesB, input.labels, 'compareAuc');
  return compareRankedAuc(rankForAuc(a, labels, 'A'), rankForAuc(b, labels, 'B'), new AucResamples(options));
}

/**
 * rho_A - rho_B of every paired resample where both are defined, in draw order (exposed for
 * tests). Empty when fewer than two pairs. Each resample is ranked by counting per tie group of
 * the original values (O(n) per resample), giving the same average ranks as ranking the resample.
 */
export function bootstrapSpearmanDifferenceSamples(
  scoresA: ArrayLike<number>,
  scoresB: ArrayLike<number>,
  gold: ArrayLike<number>,
  options: BootstrapOptions,
): number[] {
  checkLengths(scoresA, scoresB, gold, 'bootstrapSpearmanDifference');
  assertFinite(scoresA, 'bootstrapSpearmanDifference A');
  assertFinite(scoresB, 'bootstrapSpearmanDifference B');
  assertFinite(gold, 'bootstrapSpearmanDifference gold');
  const n = gold.length;
  if (n < 2) return [];
  const variables = [denseRanks(scoresA), denseRanks(scoresB), denseRanks(gold)];
  const counts = variables.map((v) => new Float64Array(v.groups));
  const groupRanks = variables.map((v) => new Float64Array(v.groups));
  const ranks = variables.map(() => new Float64Array(n));
  return resampledStatistics(options, [n], ([drawn]) => {
    for (const count of counts) count.fill(0);
    for (let k = 0; k < n; k++) {
      const index = drawn![k]!;
      for (let v = 0; v < 3; v++) counts[v]![variables[v]!.ids[index]!]!++;
    }
    for (let v = 0; v < 3; v++) {
      averageRankPerGroup(counts[v]!, groupRanks[v]!);
      const ids = variables[v]!.ids;
      const rankOfGroup = groupRanks[v]!;
      const out = ranks[v]!;
      for (let k = 0; k < n; k++) out[k] = rankOfGroup[ids[drawn![k]!]!]!;
    }
    const rhoA = pearson({ x: ranks[0]!, y: ranks[2]! });
    const rhoB = pearson({ x: ranks[1]!, y: ranks[2]! });
    return rhoA !== null && rhoB !== null ? rhoA - rhoB : null;
  });
}

/** rho_A - rho_B (Spearman with the gold score) with its paired bootstrap interval. */
export function compareSpearman(input: PairedCosinesGraded, options: BootstrapOptions): SpearmanComparison {
  const { a, b, target: gold } = complete(input.cosinesA, input.cosinesB, input.gold, 'compareSpearman');
  const spearmanA = spearman({ x: a, y: gold });
  const spearmanB = spearman({ x: b, y: gold });
  const difference = spearmanA !== null && spearmanB !== null ? spearmanA - spearmanB : null;
  const differenceCi =
    difference === null ? NO_INTERVAL : percentileInterval(bootstrapSpearmanDifferenceSamples(a, b, gold, options), options.confidence);
  return { nPairs: gold.length, spearmanA, spearmanB, difference, differenceCi };
}
