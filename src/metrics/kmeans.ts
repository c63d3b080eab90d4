/**
 * Seeded k-means for the multi-prototype vectors: Lloyd's algorithm from given initial centres (so
 * scikit-learn's KMeans(init=<the same centres>, n_init=1) reproduces it, see
 * test/fixtures/senses/make_reference.py), a seeded k-means++ initialisation, and the choice of k
 * from 1 to 4 by silhouette.
 *
 * Conventions:
 * - Lloyd: assign every point to its nearest centre by squared Euclidean distance (the first centre
 *   on exact ties), stop when no assignment changes (or after `maxIterations`), else move every
 *   centre to the mean of its points. A centre that loses all its points stays where it was
 *   (scikit-learn would move it to a far point; the tests avoid that case). The centres returned
 *   are the means of the final assignment.
 * - k-means++ (Arthur & Vassilvitskii 2007): the first centre is point `nextInt(n)`; each next one
 *   is drawn with probability proportional to the squared distance to the nearest chosen centre
 *   (the first index whose cumulative weight exceeds `next() * total`). It stops early when every
 *   point coincides with a centre (no more distinct points).
 * - Choice of k ({@link chooseK}): the points are unit-normalised; every k in 2..maxK with at least
 *   `minPointsPerCluster * k` points is clustered from {@link INITIALISATIONS} seeded k-means++
 *   starts (lowest inertia kept, first on ties) and scored by the cosine silhouette of its labels.
 *   The best k is kept when its silhouette reaches `threshold` ({@link SILHOUETTE_THRESHOLD});
 *   otherwise k = 1 (one centre: the mean of all points). Ties between k go to the smaller k.
 */
import { deriveSeed, mulberry32, type Random } from '../random.js';
import { cosineDistances, cosineMatrix, silhouetteFromDistances, unitVectors } from './senses.js';

/** Highest number of clusters (senses per word) tried. */
export const MAX_K = 4;
/** Lowest silhouette for which k > 1 clusters are preferred to one. */
export const SILHOUETTE_THRESHOLD = 0.1;
/** A k is tried only with at least this many points per cluster on average. */
export const MIN_POINTS_PER_CLUSTER = 5;
/** k-means++ starts per k: one, since three tripled the multi-prototype build time (Lloyd dominates it). */
export const INITIALISATIONS = 1;
/** Lloyd iterations before giving up on convergence. */
export const MAX_ITERATIONS = 300;

export interface KMeansResult {
  /** Cluster of every point. */
  readonly labels: Int32Array;
  readonly centres: readonly Float64Array[];
  /** Sum of squared distances of the points to their centres. */
  readonly inertia: number;
  /** Assignment passes run. */
  readonly iterations: number;
  /** True when the last pass changed no assignment. */
  readonly converged: boolean;
}

function squaredDistance(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let sum = 0;
  for (let i = 0; i < a.length; i++) {
    const d = a[i]! - b[i]!;
    sum += d * d;
  }
  return sum;
}

/** Lloyd's algorithm from `initialCentres` (copied, not modified). */
export function lloyd(points: readonly ArrayLike<number>[], initialCentres: readonly ArrayLike<number>[], maxIterations: number = MAX_ITERATIONS): KMeansResult {
  const n = points.length;
  const k = initialCentres.length;
  if (k === 0) throw new RangeError('lloyd: no initial centres');
  const dimensions = initialCentres[0]!.length;
  const centres = initialCentres.map((centre) => Float64Array.from(centre));
  const labels = new Int32Array(n).fill(-1);
  let iterations = 0;
  let converged = false;
  while (iterations < maxIterations) {
    iterations++;
    let changed = false;
    for (let i = 0; i < n; i++) {
      let best = 0;
      let bestDistance = Infinity;
      for (let c = 0; c < k; c++) {
        const distance = squaredDistance(points[i]!, centres[c]!);
        if (distance < bestDistance) {
          bestDistance = distance;
          best = c;
        }
      }
      if (labels[i] !== best) {
        labels[i] = best;
        changed = true;
      }
    }
    if (!changed) {
      converged = true;
      break;
    }
    moveCentres(points, labels, centres, dimensions);
  }
  let inertia = 0;
  for (let i = 0; i < n; i++) inertia += squaredDistance(points[i]!, centres[labels[i]!]!);
  return { labels, centres, inertia, iterations, converged };
}

/** Every centre to the mean of its points; an emptied centre stays. */
function moveCentres(points: readonly ArrayLike<number>[], labels: Int32Array, centres: Float64Array[], dimensions: number): void {
  const sums = centres.map(() => new Float64Array(dimensions));
  const counts = new Float64Array(centres.length);
  for (let i = 0; i < points.length; i++) {
    const sum = sums[labels[i]!]!;
    const point = points[i]!;
    for (let d = 0; d < dimensions; d++) sum[d]! += point[d]!;
    counts[labels[i]!]!++;
  }
  centres.forEach((centre, c) => {
    if (counts[c] === 0) return;
    for (let d = 0; d < dimensions; d++) centre[d] = sums[c]![d]! / counts[c]!;
  });
}

/** Seeded k-means++ initial centres (fewer than k when there are fewer distinct points). */
export function kmeansPlusPlus(points: readonly ArrayLike<number>[], k: number, random: Random): Float64Array[] {
  const n = points.length;
  if (n === 0 || k < 1) return [];
  const centres = [Float64Array.from(points[random.nextInt(n)]!)];
  const nearest = new Float64Array(n);
  for (let i = 0; i < n; i++) nearest[i] = squaredDistance(points[i]!, centres[0]!);
  while (centres.length < k) {
    let total = 0;
    for (let i = 0; i < n; i++) total += nearest[i]!;
    if (!(total > 0)) break;
    const target = random.next() * total;
    let cumulative = 0;
    let chosen = n - 1;
    for (let i = 0; i < n; i++) {
      cumulative += nearest[i]!;
      if (cumulative > target) {
        chosen = i;
        break;
      }
    }
    const centre = Float64Array.from(points[chosen]!);
    centres.push(centre);
    for (let i = 0; i < n; i++) nearest[i] = Math.min(nearest[i]!, squaredDistance(points[i]!, centre));
  }
  return centres;
}

export interface ChooseKOptions {
  /** Seed; each k and start gets its own stream (deriveSeed(seed, `k<k>:<start>`)). */
  readonly seed: number;
  readonly maxK?: number;
  readonly threshold?: number;
  readonly minPointsPerCluster?: number;
  /** k-means++ starts per k (default {@link INITIALISATIONS}). */
  readonly initialisations?: number;
}

export interface ChosenClustering extends KMeansResult {
  readonly k: number;
  /** Silhouette of the solution for each k tried (index k; null when not tried or undefined). */
  readonly silhouettes: readonly (number | null)[];
}

/**
 * Clusters the unit-normalised `vectors` (null or zero vectors are not allowed: filter them first)
 * with k chosen from 1..maxK by silhouette (see the module comment).
 */
export function chooseK(vectors: readonly ArrayLike<number>[], options: ChooseKOptions): ChosenClustering {
  if (vectors.length === 0) throw new RangeError('chooseK: no vectors');
  const units = unitVectors(vectors).map((unit, i) => {
    if (!unit) throw new RangeError(`chooseK: vector ${i} is zero or not finite`);
    return unit;
  });
  const maxK = options.maxK ?? MAX_K;
  const threshold = options.threshold ?? SILHOUETTE_THRESHOLD;
  const perCluster = options.minPointsPerCluster ?? MIN_POINTS_PER_CLUSTER;
  const silhouettes: (number | null)[] = new Array<number | null>(maxK + 1).fill(null);
  let best: (KMeansResult & { k: number }) | null = null;
  let bestSilhouette = -Infinity;
  let distances: Float64Array | null = null;
  for (let k = 2; k <= maxK && units.length >= perCluster * k; k++) {
    let solution: KMeansResult | null = null;
    for (let start = 0; start < (options.initialisations ?? INITIALISATIONS); start++) {
      const initial = kmeansPlusPlus(units, k, mulberry32(deriveSeed(options.seed, `k${k}:${start}`)));
      if (initial.length < k) break; // fewer than k distinct points
      const candidate = lloyd(units, initial);
      if (solution === null || candidate.inertia < solution.inertia) solution = candidate;
    }
    if (solution === null) break;
    distances ??= cosineDistances(cosineMatrix(units), units.length);
    const silhouette = silhouetteFromDistances(distances, Array.from(solution.labels));
    silhouettes[k] = silhouette;
    if (silhouette !== null && silhouette > bestSilhouette) {
      bestSilhouette = silhouette;
      best = { ...solution, k };
    }
  }
  if (best !== null && bestSilhouette >= threshold) return { ...best, silhouettes };
  const single = lloyd(units, [meanOf(units)]);
  return { ...single, k: 1, silhouettes };
}

function meanOf(points: readonly Float64Array[]): Float64Array {
  const mean = new Float64Array(points[0]?.length ?? 0);
  for (const point of points) for (let d = 0; d < mean.length; d++) mean[d]! += point[d]!;
  for (let d = 0; d < mean.length; d++) mean[d]! /= points.length;
  return mean;
}
