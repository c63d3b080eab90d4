/**
 * Sense metrics of one representation over sense-labelled occurrences (results/senses.csv): how
 * well the vectors of a word's occurrences group by sense, with no training.
 *
 * Definitions (test/fixtures/senses/make_reference.py recomputes each with numpy/scikit-learn):
 * - Vectors are compared by cosine. A null (out-of-vocabulary) or all-zero vector is missing: the
 *   occurrence is left out and counted in `missing`. A word needs two occurrences left to count.
 * - Leave-one-out 1-nearest-neighbour sense accuracy: an occurrence's sense is predicted from the
 *   other occurrences of the same word with the highest cosine to it. Every occurrence whose cosine
 *   is within {@link TIE_TOLERANCE} of the highest ties; the occurrence scores the fraction of the
 *   tied neighbours that share its sense, i.e. the expected accuracy of breaking the tie uniformly
 *   at random. Identical vectors (a static `target` vector, the same prototype) therefore tie with
 *   every other occurrence and score (n_s - 1)/(n - 1): chance, never a lucky first index.
 *   Accuracy = the sum of these scores over all occurrences / the number of occurrences (pooled
 *   over words).
 * - Most-frequent-sense baseline: per word, the count of its most frequent sense / its occurrences
 *   (the word's own distribution, so slightly optimistic next to the leave-one-out 1-NN); pooled.
 * - 1-NN ceiling: an occurrence whose sense occurs nowhere else in its word can never be matched;
 *   `nn1_ceiling` = the share of occurrences whose sense occurs at least twice (pooled), the best
 *   any representation can reach (WordNet gives most senses a single example).
 * - Silhouette: per word with 2 <= senses <= occurrences - 1, sklearn.metrics.silhouette_score(
 *   vectors, senses, metric='cosine') (a singleton sense scores 0; 0/0 for identical vectors scores
 *   0, as sklearn's nan_to_num does); `silhouette` = the unweighted mean over those words.
 * - Confidence intervals: a percentile bootstrap over words (each resample draws as many words as
 *   there are, with replacement, `nextInt(W)` from one mulberry32 stream seeded by the caller) and
 *   recomputes the pooled 1-NN accuracy and the mean silhouette from the drawn words; a resample
 *   without a word with a silhouette is skipped for the silhouette interval.
 */
import { DEFAULT_CONFIDENCE, DEFAULT_RESAMPLES, percentileInterval, resample } from './resampling.js';
import type { SenseRow } from '../results/schema.js';
import type { RepresentationKind } from '../types.js';

/** Cosines this close to the highest count as tied (float noise must not pick a neighbour). */
export const TIE_TOLERANCE = 1e-12;

/** Unit-length float64 copies of the vectors; null for a null or all-zero vector. */
export function unitVectors(vectors: readonly (ArrayLike<number> | null)[]): (Float64Array | null)[] {
  return vectors.map((vector) => {
    if (vector === null) return null;
    let norm = 0;
    for (let i = 0; i < vector.length; i++) norm += vector[i]! * vector[i]!;
    if (!(norm > 0) || !Number.isFinite(norm)) return null;
    const scale = 1 / Math.sqrt(norm);
    const unit = new Float64Array(vector.length);
    for (let i = 0; i < vector.length; i++) unit[i] = vector[i]! * scale;
    return unit;
  });
}

/** Dot product of two equally long vectors. */
export function dot(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += a[i]! * b[i]!;
  return sum;
}

/** The n x n cosine matrix (row-major) of unit vectors. */
export function cosineMatrix(units: readonly Float64Array[]): Float64Array {
  const n = units.length;
  const matrix = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    matrix[i * n + i] = 1;
    for (let j = i + 1; j < n; j++) {
      const c = dot(units[i]!, units[j]!);
      matrix[i * n + j] = c;
      matrix[j * n + i] = c;
    }
  }
  return matrix;
}

/** Leave-one-out 1-NN credit of every occurrence (see the module comment), from a cosine matrix. */
export function nearestNeighbourCredits(cosines: Float64Array, senses: readonly string[]): Float64Array {
  const n = senses.length;
  const credits = new Float64Array(n);
  if (n < 2) return credits;
  for (let i = 0; i < n; i++) {
    let best = -Infinity;
    for (let j = 0; j < n; j++) if (j !== i && cosines[i * n + j]! > best) best = cosines[i * n + j]!;
    let tied = 0;
    let same = 0;
    for (let j = 0; j < n; j++) {
      if (j === i || cosines[i * n + j]! < best - TIE_TOLERANCE) continue;
      tied++;
      if (senses[j] === senses[i]) same++;
    }
    credits[i] = same / tied;
  }
  return credits;
}

/**
 * Mean silhouette with a precomputed distance matrix, as sklearn.metrics.silhouette_score: per
 * sample a = mean distance to the rest of its cluster, b = the lowest mean distance to another
 * cluster, s = (b - a) / max(a, b), 0 for a singleton cluster or 0/0. Null unless
 * 2 <= clusters <= samples - 1.
 */
export function silhouetteFromDistances(distances: Float64Array, labels: readonly (string | number)[]): number | null {
  const n = labels.length;
  const clusterIds = new Map<string | number, number>();
  const ids = labels.map((label) => {
    let id = clusterIds.get(label);
    if (id === undefined) clusterIds.set(label, (id = clusterIds.size));
    return id;
  });
  const k = clusterIds.size;
  if (k < 2 || k > n - 1) return null;
  const sizes = new Float64Array(k);
  for (const id of ids) sizes[id]!++;
  const sums = new Float64Array(k);
  let total = 0;
  for (let i = 0; i < n; i++) {
    sums.fill(0);
    for (let j = 0; j < n; j++) sums[ids[j]!]! += distances[i * n + j]!;
    const own = ids[i]!;
    if (sizes[own]! <= 1) continue; // sklearn: s = 0 for a singleton cluster
    const a = sums[own]! / (sizes[own]! - 1);
    let b = Infinity;
    for (let c = 0; c < k; c++) if (c !== own && sums[c]! / sizes[c]! < b) b = sums[c]! / sizes[c]!;
    const denominator = Math.max(a, b);
    if (denominator > 0) total += (b - a) / denominator;
  }
  return total / n;
}

/** Cosine distances 1 - cos, clipped to [0, 2], zero diagonal (sklearn's cosine_distances). */
export function cosineDistances(cosines: Float64Array, n: number): Float64Array {
  const distances = new Float64Array(n * n);
  for (let i = 0; i < n * n; i++) distances[i] = Math.min(2, Math.max(0, 1 - cosines[i]!));
  for (let i = 0; i < n; i++) distances[i * n + i] = 0;
  return distances;
}

/** Silhouette of unit vectors under cosine distance (sklearn's metric='cosine'). */
export function cosineSilhouette(units: readonly Float64Array[], labels: readonly (string | number)[]): number | null {
  return silhouetteFromDistances(cosineDistances(cosineMatrix(units), units.length), labels);
}

/** What one word contributes. */
export interface WordSenseScore {
  readonly word: string;
  /** Occurrences with a vector. */
  readonly occurrences: number;
  readonly senses: number;
  /** Sum of the 1-NN credits. */
  readonly nn1Correct: number;
  /** Count of the most frequent sense. */
  readonly mfsCorrect: number;
  /** Occurrences whose sense has another occurrence: the most a leave-one-out 1-NN can get right. */
  readonly nn1Reachable: number;
  readonly silhouette: number | null;
}

/** Scores one word from its occurrences' vectors and senses (missing vectors already removed). */
export function scoreWord(word: string, units: readonly Float64Array[], senses: readonly string[]): WordSenseScore {
  const cosines = cosineMatrix(units);
  const credits = nearestNeighbourCredits(cosines, senses);
  const counts = new Map<string, number>();
  for (const sense of senses) counts.set(sense, (counts.get(sense) ?? 0) + 1);
  return {
    word,
    occurrences: units.length,
    senses: counts.size,
    nn1Correct: credits.reduce((sum, credit) => sum + credit, 0),
    mfsCorrect: Math.max(...counts.values()),
    nn1Reachable: senses.filter((sense) => counts.get(sense)! >= 2).length,
    silhouette: silhouetteFromDistances(cosineDistances(cosines, units.length), senses),
  };
}

export interface ScoreSensesInput {
  readonly dataset: string;
  readonly model: string;
  readonly kind: RepresentationKind;
  readonly representation: string;
  /** Occurrences (only `word` and `sense` are read), index-aligned with `vectors`. */
  readonly occurrences: readonly { readonly word: string; readonly sense: string }[];
  readonly vectors: readonly (ArrayLike<number> | null)[];
  /** Seed of the bootstrap stream (use deriveSeed(seed, `<model>:<representation>:<dataset>:senses`)). */
  readonly seed: number;
  readonly resamples?: number;
  readonly confidence?: number;
}

/** Per-word scores, words in first-appearance order. */
export function scoreWords(occurrences: ScoreSensesInput['occurrences'], vectors: ScoreSensesInput['vectors']): { words: WordSenseScore[]; missing: number } {
  if (occurrences.length !== vectors.length) throw new RangeError(`${occurrences.length} occurrences but ${vectors.length} vectors`);
  const units = unitVectors(vectors);
  const byWord = new Map<string, { units: Float64Array[]; senses: string[]; total: number }>();
  occurrences.forEach((occurrence, i) => {
    const entry = byWord.get(occurrence.word) ?? { units: [], senses: [], total: 0 };
    entry.total++;
    const unit = units[i];
    if (unit) {
      entry.units.push(unit);
      entry.senses.push(occurrence.sense);
    }
    byWord.set(occurrence.word, entry);
  });
  const words: WordSenseScore[] = [];
  let scored = 0;
  for (const [word, entry] of byWord) {
    if (entry.units.length < 2) continue;
    words.push(scoreWord(word, entry.units, entry.senses));
    scored += entry.units.length;
  }
  return { words, missing: occurrences.length - scored };
}

function pooled(words: readonly WordSenseScore[], pick: (word: WordSenseScore) => number): number | null {
  let correct = 0;
  let total = 0;
  for (const word of words) {
    correct += pick(word);
    total += word.occurrences;
  }
  return total === 0 ? null : correct / total;
}

function meanSilhouette(words: readonly WordSenseScore[]): number | null {
  let sum = 0;
  let count = 0;
  for (const word of words) {
    if (word.silhouette === null) continue;
    sum += word.silhouette;
    count++;
  }
  return count === 0 ? null : sum / count;
}

/** The bootstrap statistics over words (exposed for tests): pooled 1-NN accuracy and mean silhouette per resample. */
export function bootstrapOverWords(words: readonly WordSenseScore[], seed: number, resamples: number = DEFAULT_RESAMPLES): { nn1: number[]; silhouette: number[] } {
  if (words.length === 0) return { nn1: [], silhouette: [] };
  const drawn: WordSenseScore[] = new Array<WordSenseScore>(words.length);
  const measured = resample({ seed, resamples }, [words.length], ([indices]) => {
    for (let k = 0; k < words.length; k++) drawn[k] = words[indices![k]!]!;
    return { nn1: pooled(drawn, (word) => word.nn1Correct)!, silhouette: meanSilhouette(drawn) };
  });
  return { nn1: measured.map((m) => m.nn1), silhouette: measured.flatMap((m) => (m.silhouette === null ? [] : [m.silhouette])) };
}

/** Scores one representation on one set of occurrences: one row of results/senses.csv. */
export function scoreSenses(input: ScoreSensesInput): SenseRow {
  const { words, missing } = scoreWords(input.occurrences, input.vectors);
  const confidence = input.confidence ?? DEFAULT_CONFIDENCE;
  const samples = bootstrapOverWords(words, input.seed, input.resamples ?? DEFAULT_RESAMPLES);
  const nn1Ci = percentileInterval(samples.nn1, confidence);
  const silhouetteCi = percentileInterval(samples.silhouette, confidence);
  return {
    dataset: input.dataset,
    model: input.model,
    kind: input.kind,
    representation: input.representation,
    words: words.length,
    occurrences: words.reduce((sum, word) => sum + word.occurrences, 0),
    missing,
    nn1_accuracy: pooled(words, (word) => word.nn1Correct),
    nn1_ci_low: nn1Ci.low,
    nn1_ci_high: nn1Ci.high,
    mfs_accuracy: pooled(words, (word) => word.mfsCorrect),
    nn1_ceiling: pooled(words, (word) => word.nn1Reachable),
    silhouette: meanSilhouette(words),
    silhouette_ci_low: silhouetteCi.low,
    silhouette_ci_high: silhouetteCi.high,
    silhouette_words: words.filter((word) => word.silhouette !== null).length,
  };
}
