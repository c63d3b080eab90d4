/**
 * How contextual a representation is, measured as Ethayarajh (2019, "How contextual are
 * contextualized word representations?") does, on the occurrences of target words in a dataset's
 * sentences. One typed record per (dataset, model, representation, normalization).
 *
 * Definitions (test/fixtures/metrics/make_analysis_reference.py re-implements each in numpy):
 * - Usable occurrence: its vector is present (not null) and has a non-zero norm (cosine is
 *   undefined otherwise). Every measure below uses only usable occurrences, and words are grouped
 *   by exact string in order of first appearance. Pass each occurrence once: the same sentence's
 *   occurrence listed twice would count as two identical contexts.
 * - Cosine: dot / sqrt(|a|^2 |b|^2) in float64, clamped to [-1, 1]; identical vectors give exactly 1.
 * - Anisotropy baseline: mean cosine over a seeded sample of pairs of occurrences of *different
 *   words in different sentences*. Each attempt draws i = nextInt(n) then j = nextInt(n) from one
 *   mulberry32 stream over the usable occurrences in input order and keeps (i, j) only when both
 *   the words and the sentence ids differ; attempts stop at `baselinePairs` kept pairs (default
 *   1000) or after 100 x baselinePairs attempts. Null when no pair is kept.
 * - Self-similarity: per word with at least two usable occurrences, the mean cosine over all
 *   unordered pairs of its occurrences; then the unweighted mean over those words (every word
 *   counts once, as in Ethayarajh). Computed as (|sum u|^2 - sum |u|^2) / (n (n - 1)) over the
 *   unit vectors u (the same quantity, linear in n); a word whose occurrences are all elementwise
 *   identical (a static model) scores exactly 1.
 * - Corrected self-similarity: self-similarity minus the anisotropy baseline.
 * - Intra-sentence similarity: per usable occurrence with a non-zero sentence mean, the cosine
 *   between the word's vector and its sentence's mean vector; averaged within each sentence id,
 *   then over sentences (Ethayarajh's IntraSim).
 * - Maximum explainable variance: per word with at least `minVarianceOccurrences` (default 5)
 *   usable occurrences, the share of the variance of its (mean-centered) occurrence vectors along
 *   their first principal component, lambda_1 / sum(lambda); 1 when they have no variance (all
 *   identical); unweighted mean over those words. The uncentered variant is Ethayarajh's literal
 *   formula sigma_1^2 / sum(sigma_i^2) over the singular values of the raw occurrence matrix,
 *   which also counts the words' shared mean direction; it is reported next to it.
 */
import { type Random, mulberry32 } from '../random.js';
import { firstComponentShare, firstSingularValueShare } from './pca.js';

/** One occurrence of a target word. */
export interface ContextOccurrence {
  readonly word: string;
  /** Identifies the sentence (context) the occurrence is in. */
  readonly sentenceId: string;
  /** The representation of the occurrence; null when missing (out of vocabulary, truncated). */
  readonly vector: Float32Array | Float64Array | null;
  /** Mean of the representations of the sentence's tokens, when the representation has one. */
  readonly sentenceMean?: Float32Array | Float64Array | null;
}

/** Default number of random pairs in the anisotropy baseline. */
export const DEFAULT_BASELINE_PAIRS = 1000;
/** Attempts per wanted baseline pair before giving up (only matters when valid pairs are rare). */
export const BASELINE_ATTEMPTS_PER_PAIR = 100;
/** Default minimum number of occurrences for a word's explainable variance. */
export const DEFAULT_MIN_VARIANCE_OCCURRENCES = 5;

/** Options of {@link contextuality}. */
export interface ContextualityOptions {
  /** Seed of the baseline's random stream (use deriveSeed; the same for every normalization, so they sample the same pairs). */
  readonly seed: number;
  /** Wanted number of baseline pairs. Default {@link DEFAULT_BASELINE_PAIRS}. */
  readonly baselinePairs?: number;
  /** Minimum occurrences for the explainable variance. Default {@link DEFAULT_MIN_VARIANCE_OCCURRENCES}. */
  readonly minVarianceOccurrences?: number;
}

/** Ethayarajh's measures for one set of occurrences (see the module comment). */
export interface Contextuality {
  /** Usable occurrences (vector present, non-zero). */
  readonly occurrences: number;
  /** Distinct words among the usable occurrences. */
  readonly words: number;
  /** Mean cosine of random occurrence pairs of different words in different sentences. */
  readonly anisotropyBaseline: number | null;
  /** Pairs the baseline averages. */
  readonly baselinePairs: number;
  /** Mean over words (>= 2 occurrences) of the mean pairwise cosine of the word's occurrences. */
  readonly selfSimilarity: number | null;
  /** Words the self-similarity averages. */
  readonly selfSimilarityWords: number;
  /** selfSimilarity - anisotropyBaseline. */
  readonly selfSimilarityCorrected: number | null;
  /** Mean over sentences of the mean cosine between a word's vector and its sentence's mean. */
  readonly intraSentenceSimilarity: number | null;
  /** Sentences the intra-sentence similarity averages. */
  readonly intraSentenceSentences: number;
  /** Mean over words (>= minVarianceOccurrences) of the first principal component's variance share. */
  readonly maxExplainableVariance: number | null;
  /** The same with Ethayarajh's uncentered singular values. */
  readonly maxExplainableVarianceUncentered: number | null;
  /** Words the explainable variances average. */
  readonly explainableVarianceWords: number;
}

type Vector = Float32Array | Float64Array;

function squaredNorm(a: Vector): number {
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += a[i]! * a[i]!;
  return sum;
}

function dot(a: Vector, b: Vector): number {
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += a[i]! * b[i]!;
  return sum;
}

function sameValues(a: Vector, b: Vector): boolean {
  if (a === b) return true;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Cosine of two non-zero vectors whose squared norms are given; exactly 1 for identical vectors. */
function cosineOf(a: Vector, normA: number, b: Vector, normB: number): number {
  if (a.length !== b.length) throw new RangeError(`contextuality: vectors of ${a.length} and ${b.length} dimensions`);
  if (sameValues(a, b)) return 1;
  return Math.max(-1, Math.min(1, dot(a, b) / Math.sqrt(normA * normB)));
}

function mean(values: readonly number[]): number | null {
  if (values.length === 0) return null;
  let sum = 0;
  for (const value of values) sum += value;
  return sum / values.length;
}

interface Usable {
  readonly word: string;
  readonly sentenceId: string;
  readonly vector: Vector;
  readonly squaredNorm: number;
  readonly sentenceMean: Vector | null;
}

function assertFiniteVector(vector: Vector, what: string): void {
  for (let i = 0; i < vector.length; i++) {
    if (!Number.isFinite(vector[i]!)) throw new RangeError(`contextuality: ${what} has a non-finite value at ${i}`);
  }
}

function positiveCount(value: number | undefined, fallback: number, what: string): number {
  const count = value ?? fallback;
  if (!Number.isSafeInteger(count) || count < 0) throw new RangeError(`contextuality: ${what} must be a non-negative integer, got ${count}`);
  return count;
}

/** Ethayarajh's contextuality measures of `occurrences` (see the module comment for definitions). */
export function contextuality(occurrences: readonly ContextOccurrence[], options: ContextualityOptions): Contextuality {
  const wantedPairs = positiveCount(options.baselinePairs, DEFAULT_BASELINE_PAIRS, 'baselinePairs');
  const minVariance = Math.max(1, positiveCount(options.minVarianceOccurrences, DEFAULT_MIN_VARIANCE_OCCURRENCES, 'minVarianceOccurrences'));
  const usable: Usable[] = [];
  let dims: number | null = null;
  occurrences.forEach((occurrence, index) => {
    const { vector } = occurrence;
    if (vector === null) return;
    dims ??= vector.length;
    if (vector.length !== dims) throw new RangeError(`contextuality: occurrence ${index} has ${vector.length} dimensions, expected ${dims}`);
    assertFiniteVector(vector, `occurrence ${index}`);
    const norm = squaredNorm(vector);
    if (norm === 0) return;
    const sentenceMean = occurrence.sentenceMean ?? null;
    if (sentenceMean !== null) assertFiniteVector(sentenceMean, `sentence mean of occurrence ${index}`);
    usable.push({ word: occurrence.word, sentenceId: occurrence.sentenceId, vector, squaredNorm: norm, sentenceMean });
  });

  const byWord = new Map<string, Usable[]>();
  for (const occurrence of usable) {
    const list = byWord.get(occurrence.word);
    if (list === undefined) byWord.set(occurrence.word, [occurrence]);
    else list.push(occurrence);
  }

  const baseline = anisotropyBaseline(usable, wantedPairs, mulberry32(options.seed));

  const selfSimilarities: number[] = [];
  const centeredShares: number[] = [];
  const uncenteredShares: number[] = [];
  for (const list of byWord.values()) {
    if (list.length >= 2) selfSimilarities.push(selfSimilarity(list));
    if (list.length >= minVariance) {
      const cols = list[0]!.vector.length;
      const data = new Float64Array(list.length * cols);
      list.forEach((occurrence, row) => {
        data.set(occurrence.vector, row * cols);
      });
      const matrix = { rows: list.length, cols, data };
      centeredShares.push(firstComponentShare(matrix));
      uncenteredShares.push(firstSingularValueShare(matrix));
    }
  }
  const selfSim = mean(selfSimilarities);

  const perSentence = new Map<string, number[]>();
  for (const occurrence of usable) {
    if (occurrence.sentenceMean === null) continue;
    const meanNorm = squaredNorm(occurrence.sentenceMean);
    if (meanNorm === 0) continue;
    const value = cosineOf(occurrence.vector, occurrence.squaredNorm, occurrence.sentenceMean, meanNorm);
    const list = perSentence.get(occurrence.sentenceId);
    if (list === undefined) perSentence.set(occurrence.sentenceId, [value]);
    else list.push(value);
  }
  const intra = mean([...perSentence.values()].map((values) => mean(values)!));

  return {
    occurrences: usable.length,
    words: byWord.size,
    anisotropyBaseline: baseline.value,
    baselinePairs: baseline.pairs,
    selfSimilarity: selfSim,
    selfSimilarityWords: selfSimilarities.length,
    selfSimilarityCorrected: selfSim !== null && baseline.value !== null ? selfSim - baseline.value : null,
    intraSentenceSimilarity: intra,
    intraSentenceSentences: perSentence.size,
    maxExplainableVariance: mean(centeredShares),
    maxExplainableVarianceUncentered: mean(uncenteredShares),
    explainableVarianceWords: centeredShares.length,
  };
}

function anisotropyBaseline(usable: readonly Usable[], wantedPairs: number, random: Random): { value: number | null; pairs: number } {
  const n = usable.length;
  if (n < 2 || wantedPairs === 0) return { value: null, pairs: 0 };
  const cosines: number[] = [];
  const maxAttempts = BASELINE_ATTEMPTS_PER_PAIR * wantedPairs;
  for (let attempt = 0; attempt < maxAttempts && cosines.length < wantedPairs; attempt++) {
    const a = usable[random.nextInt(n)]!;
    const b = usable[random.nextInt(n)]!;
    if (a.word === b.word || a.sentenceId === b.sentenceId) continue;
    cosines.push(cosineOf(a.vector, a.squaredNorm, b.vector, b.squaredNorm));
  }
  return { value: mean(cosines), pairs: cosines.length };
}

/** Mean cosine over the unordered pairs of at least two non-zero vectors. */
function selfSimilarity(list: readonly Usable[]): number {
  const first = list[0]!.vector;
  if (list.every((occurrence) => sameValues(occurrence.vector, first))) return 1;
  const cols = first.length;
  const sum = new Float64Array(cols);
  let sumOfSquaredNorms = 0;
  for (const occurrence of list) {
    const scale = 1 / Math.sqrt(occurrence.squaredNorm);
    let squared = 0;
    for (let c = 0; c < cols; c++) {
      const unit = occurrence.vector[c]! * scale;
      sum[c]! += unit;
      squared += unit * unit;
    }
    sumOfSquaredNorms += squared;
  }
  const n = list.length;
  const value = (squaredNorm(sum) - sumOfSquaredNorms) / (n * (n - 1));
  return Math.max(-1, Math.min(1, value));
}
