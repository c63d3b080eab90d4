/**
 * How contextual a representation is, as Ethayarajh (2019, "How Contextual are Contextualized Word
 * Representations?", EMNLP) defines it: self-similarity, intra-sentence similarity and maximum
 * explainable variance (section 3.3), each adjusted for anisotropy by subtracting its baseline from
 * random words (section 3.4). One typed record per (dataset, model, representation, normalization).
 *
 * Definitions (test/fixtures/metrics/make_contextuality_reference.py re-implements each in numpy):
 * - Usable vector: present (not null) and of non-zero norm (a cosine needs both); non-finite values
 *   are an error. Cosine: dot / sqrt(|a|^2 |b|^2) in float64, clamped to [-1, 1]; elementwise
 *   identical vectors give exactly 1.
 * - Word: a target's surface form, its text exactly as written (see src/pipeline/cosines.ts), as
 *   the paper's code groups tokens as written. Only words with at least `minOccurrences` (5, the
 *   code's `min_count` and section 3.2's "at least 5 unique contexts") usable occurrences count.
 * - Self-similarity (Definition 1): per word, the mean cosine over the pairs of its occurrences;
 *   the unweighted mean over words. Computed as (|sum u|^2 - sum |u|^2) / (n (n - 1)) over the unit
 *   vectors u, the same quantity; a word whose occurrences are all identical scores exactly 1.
 * - Intra-sentence similarity (Definition 2): per sentence, the mean over its usable words of the
 *   cosine between the word's vector and the mean of those vectors ({@link measureSentence}); the
 *   mean over sentences.
 * - Maximum explainable variance (Definition 3): per word, sigma_1^2 / sum sigma_i^2 over the
 *   singular values of its (uncentered) occurrence matrix; exactly 1 when the occurrences are
 *   identical; the mean over words.
 * - Baselines (section 3.4), from one random word of each sampled sentence (the caller draws it):
 *   the anisotropy baseline is the mean cosine over every pair of those words (each pair from two
 *   different sentences), the variance baseline is Definition 3 applied to the matrix of those
 *   words. Adjusted measures: self-similarity and intra-sentence similarity minus the anisotropy
 *   baseline, explainable variance minus the variance baseline.
 */
import { firstSingularValueShareOfRows } from './pca.js';
import { normalizeVector64, type Normalization, type NormalizationStats } from './normalization.js';
import { intraSentenceSimilarities } from '../linalg/intra-sentence.js';

type Vector = Float32Array | Float64Array;

/** One occurrence of a target word. */
export interface TargetVector {
  /** The target's surface form (the grouping key). */
  readonly word: string;
  /** Its representation; null when missing (out of vocabulary). */
  readonly vector: Vector | null;
}

/** What one sampled sentence contributes ({@link measureSentence}). */
export interface SentenceMeasure {
  /** Definition 2 for the sentence; null when no word of it has a usable vector. */
  readonly intraSentenceSimilarity: number | null;
  /** The representation of the sentence's random word, for the baselines; null when not usable. */
  readonly randomWord: Vector | null;
}

/** Default minimum number of usable occurrences of a word (the paper's min_count). */
export const DEFAULT_MIN_OCCURRENCES = 5;

/** Options of {@link contextuality}. */
export interface ContextualityOptions {
  /** Minimum usable occurrences of a word for self-similarity and explainable variance. Default {@link DEFAULT_MIN_OCCURRENCES}. */
  readonly minOccurrences?: number;
}

/** Ethayarajh's measures for one representation (see the module comment). */
export interface Contextuality {
  /** Usable target occurrences. */
  readonly occurrences: number;
  /** Distinct words (surface forms) among them. */
  readonly words: number;
  /** Words with at least `minOccurrences` usable occurrences: the ones self-similarity and explainable variance average. */
  readonly measuredWords: number;
  /** Sentences the intra-sentence similarity averages. */
  readonly sentences: number;
  /** Usable random words behind the baselines (one per sentence). */
  readonly randomWords: number;
  /** Mean cosine over the pairs of random words; null with fewer than two. */
  readonly anisotropyBaseline: number | null;
  /** Definition 3 on the random words' matrix; null with fewer than two. */
  readonly varianceBaseline: number | null;
  readonly selfSimilarity: number | null;
  /** selfSimilarity - anisotropyBaseline. */
  readonly selfSimilarityAdjusted: number | null;
  readonly intraSentenceSimilarity: number | null;
  /** intraSentenceSimilarity - anisotropyBaseline. */
  readonly intraSentenceSimilarityAdjusted: number | null;
  readonly maxExplainableVariance: number | null;
  /** maxExplainableVariance - varianceBaseline. */
  readonly maxExplainableVarianceAdjusted: number | null;
}

function squaredNorm(a: Vector): number {
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += a[i]! * a[i]!;
  return sum;
}

function sameValues(a: Vector, b: Vector): boolean {
  if (a === b) return true;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

function mean(values: readonly number[]): number | null {
  if (values.length === 0) return null;
  let sum = 0;
  for (const value of values) sum += value;
  return sum / values.length;
}

const difference = (a: number | null, b: number | null): number | null => (a === null || b === null ? null : a - b);

/** The squared norm of a vector, or null when it is not usable; throws on a non-finite value. */
function usableNorm(vector: Vector | null, what: string): number | null {
  return vector === null ? null : usableFromNorm(vector, squaredNorm(vector), what);
}

/**
 * Mean pairwise cosine of non-zero vectors (at least two) via the sum of their unit vectors;
 * exactly 1 when they are all identical.
 */
function meanPairwiseCosine(vectors: readonly Vector[], norms: ArrayLike<number>): number {
  const first = vectors[0]!;
  if (vectors.every((vector) => sameValues(vector, first))) return 1;
  const cols = first.length;
  const sum = new Float64Array(cols);
  let sumOfSquaredNorms = 0;
  // Two vectors side by side (their squared norms are chains of dependent additions that overlap):
  // each entry of the sum still gets the first one's unit value before the second's.
  let k = 0;
  for (; k + 1 < vectors.length; k += 2) {
    const a = vectors[k]!;
    const b = vectors[k + 1]!;
    const scaleA = 1 / Math.sqrt(norms[k]!);
    const scaleB = 1 / Math.sqrt(norms[k + 1]!);
    let squaredA = 0;
    let squaredB = 0;
    for (let c = 0; c < cols; c++) {
      const unitA = a[c]! * scaleA;
      const unitB = b[c]! * scaleB;
      sum[c] = sum[c]! + unitA + unitB;
      squaredA += unitA * unitA;
      squaredB += unitB * unitB;
    }
    sumOfSquaredNorms += squaredA;
    sumOfSquaredNorms += squaredB;
  }
  for (; k < vectors.length; k++) {
    const vector = vectors[k]!;
    const scale = 1 / Math.sqrt(norms[k]!);
    let squared = 0;
    for (let c = 0; c < cols; c++) {
      const unit = vector[c]! * scale;
      sum[c]! += unit;
      squared += unit * unit;
    }
    sumOfSquaredNorms += squared;
  }
  const n = vectors.length;
  return Math.max(-1, Math.min(1, (squaredNorm(sum) - sumOfSquaredNorms) / (n * (n - 1))));
}

/**
 * The squared norm of each present vector (0 for a missing one), each summed in index order as
 * {@link squaredNorm} sums it; four vectors side by side, so that their chains of dependent
 * additions overlap (the same doubles, about three times faster on a few hundred dimensions).
 */
function squaredNorms(vectors: readonly (Vector | null)[]): Float64Array {
  const norms = new Float64Array(vectors.length);
  const present: number[] = [];
  vectors.forEach((vector, i) => {
    if (vector !== null) present.push(i);
  });
  let p = 0;
  for (; p + 3 < present.length; p += 4) {
    const a = vectors[present[p]!]!;
    const b = vectors[present[p + 1]!]!;
    const c = vectors[present[p + 2]!]!;
    const d = vectors[present[p + 3]!]!;
    if (a.length !== b.length || a.length !== c.length || a.length !== d.length) {
      for (let q = p; q < p + 4; q++) norms[present[q]!] = squaredNorm(vectors[present[q]!]!);
      continue;
    }
    let sa = 0;
    let sb = 0;
    let sc = 0;
    let sd = 0;
    for (let i = 0; i < a.length; i++) {
      sa += a[i]! * a[i]!;
      sb += b[i]! * b[i]!;
      sc += c[i]! * c[i]!;
      sd += d[i]! * d[i]!;
    }
    norms[present[p]!] = sa;
    norms[present[p + 1]!] = sb;
    norms[present[p + 2]!] = sc;
    norms[present[p + 3]!] = sd;
  }
  for (; p < present.length; p++) norms[present[p]!] = squaredNorm(vectors[present[p]!]!);
  return norms;
}

/** {@link usableNorm} from a squared norm already summed. */
function usableFromNorm(vector: Vector | null, norm: number, what: string): number | null {
  if (vector === null) return null;
  if (!Number.isFinite(norm)) {
    for (let i = 0; i < vector.length; i++) if (!Number.isFinite(vector[i]!)) throw new RangeError(`contextuality: ${what} has a non-finite value at ${i}`);
  }
  return norm > 0 ? norm : null;
}

/** Definition 3 of equal-length vectors as rows (exactly 1 when identical: see firstSingularValueShare). */
function explainableVariance(vectors: readonly Vector[]): number {
  return firstSingularValueShareOfRows(vectors);
}

function checkDimensions(vectors: readonly Vector[], what: string): void {
  const dims = vectors[0]?.length;
  vectors.forEach((vector, index) => {
    if (vector.length !== dims) throw new RangeError(`contextuality: ${what} ${index} has ${vector.length} dimensions, expected ${dims}`);
  });
}

/**
 * One sentence's part of the measures: Definition 2 over the usable vectors among `words` (every
 * word of the sentence, in order), and the vector of `words[randomWord]` for the baselines.
 */
export function measureSentence(words: readonly (Vector | null)[], randomWord: number): SentenceMeasure {
  if (!Number.isSafeInteger(randomWord) || randomWord < 0 || randomWord >= words.length) throw new RangeError(`measureSentence: random word ${randomWord} of ${words.length}`);
  let measured = words;
  const first = words.find((vector) => vector !== null);
  if (first !== undefined && words.some((vector) => vector !== null && vector.length !== first.length)) {
    // Lengths differ: only the usable words must agree; the others add nothing and are left out.
    const usable = words.filter((vector, index) => usableNorm(vector, `word ${index}`) !== null);
    checkDimensions(usable as Vector[], 'word');
    measured = usable;
  }
  // One pass per word sums its squared norm and adds it to the centre. A word that turns out not
  // usable (all zeros) added only zeros, which leave every entry of the centre as it was (an entry
  // starts at +0 and a sum never becomes -0), so the centre is the sum of the usable words. (The
  // pipeline measures sentences in the WebAssembly kernels, intraSentenceSimilaritiesOf below,
  // which give these values bit for bit; this is their definition and reference.)
  const cols = measured.find((vector) => vector !== null)?.length ?? 0;
  const centre = new Float64Array(cols);
  const present: Vector[] = [];
  const presentIndex: number[] = [];
  measured.forEach((vector, index) => {
    if (vector === null) return;
    present.push(vector);
    presentIndex.push(index);
  });
  const squaredNorms = present.map((vector) => {
    let squared = 0;
    for (let c = 0; c < cols; c++) {
      const value = vector[c]!;
      squared += value * value;
      centre[c]! += value;
    }
    return squared;
  });
  const usable: Vector[] = [];
  const norms: number[] = [];
  let randomNorm: number | null = null;
  present.forEach((vector, k) => {
    const squared = squaredNorms[k]!;
    const index = presentIndex[k]!;
    if (!Number.isFinite(squared)) {
      for (let i = 0; i < vector.length; i++) if (!Number.isFinite(vector[i]!)) throw new RangeError(`contextuality: word ${index} has a non-finite value at ${i}`);
    }
    if (measured === words && index === randomWord) randomNorm = squared;
    if (!(squared > 0)) return;
    usable.push(vector);
    norms.push(squared);
  });
  if (measured !== words) randomNorm = words[randomWord] === null ? null : usableNorm(words[randomWord]!, 'the random word');
  const random = randomNorm !== null && randomNorm > 0 ? words[randomWord]! : null;
  if (usable.length === 0) return { intraSentenceSimilarity: null, randomWord: random };
  for (let c = 0; c < cols; c++) centre[c]! /= usable.length;
  const centreNorm = squaredNorm(centre);
  // Words that cancel out leave no sentence direction: no cosine to take.
  if (!(centreNorm > 0)) return { intraSentenceSimilarity: null, randomWord: random };
  // Each word's dot product with the centre, summed in column order.
  const identical = usable.map((vector) => sameValues(vector, centre));
  const dots = usable.map((vector, k) => {
    if (identical[k]) return 0;
    let dot = 0;
    for (let c = 0; c < cols; c++) dot += vector[c]! * centre[c]!;
    return dot;
  });
  const cosines = usable.map((_vector, k) => (identical[k] ? 1 : Math.max(-1, Math.min(1, dots[k]! / Math.sqrt(norms[k]! * centreNorm)))));
  return { intraSentenceSimilarity: mean(cosines), randomWord: random };
}

/**
 * Definition 2 ({@link measureSentence}'s intra-sentence similarity) of many sentences at once, each
 * word corrected under `normalization` first (src/metrics/normalization.ts; `none`: as it is):
 * sentence s is the next `lengths[s]` of `words` (each `dims` long, or null), its random word at
 * `randomWords[s]` within it. The same values bit for bit, computed in the WebAssembly kernels
 * (src/linalg/intra-sentence.ts); a sentence with a value that is not finite is measured here
 * again, so that the same error names it.
 */
export function intraSentenceSimilaritiesOf(
  stats: NormalizationStats | null,
  normalization: Normalization,
  words: readonly (Float32Array | null)[],
  lengths: Int32Array,
  randomWords: Int32Array,
  dims: number,
): (number | null)[] {
  lengths.forEach((length, s) => {
    const randomWord = randomWords[s]!;
    if (!Number.isSafeInteger(randomWord) || randomWord < 0 || randomWord >= length) throw new RangeError(`measureSentence: random word ${randomWord} of ${length}`);
  });
  const measured = intraSentenceSimilarities(stats, normalization, words, lengths, dims);
  let offset = 0;
  return measured.map((value, s) => {
    const length = lengths[s]!;
    const start = offset;
    offset += length;
    if (value !== 'recheck') return value;
    const vectors = words.slice(start, start + length).map((vector) => (vector === null || normalization === 'none' ? vector : normalizeVector64(stats!, normalization, vector)));
    return measureSentence(vectors, randomWords[s]!).intraSentenceSimilarity;
  });
}

/** Ethayarajh's measures with their anisotropy adjustments (see the module comment). */
export function contextuality(targets: readonly TargetVector[], sentences: readonly SentenceMeasure[], options: ContextualityOptions = {}): Contextuality {
  const minOccurrences = options.minOccurrences ?? DEFAULT_MIN_OCCURRENCES;
  if (!Number.isSafeInteger(minOccurrences) || minOccurrences < 2) throw new RangeError(`contextuality: minOccurrences must be an integer >= 2, got ${minOccurrences}`);

  const byWord = new Map<string, { vectors: Vector[]; norms: number[] }>();
  let occurrences = 0;
  const targetNorms = squaredNorms(targets.map((target) => target.vector));
  targets.forEach((target, index) => {
    const norm = usableFromNorm(target.vector, targetNorms[index]!, `occurrence ${index}`);
    if (norm === null) return;
    occurrences++;
    const group = byWord.get(target.word);
    if (group === undefined) byWord.set(target.word, { vectors: [target.vector!], norms: [norm] });
    else {
      group.vectors.push(target.vector!);
      group.norms.push(norm);
    }
  });
  checkDimensions(
    [...byWord.values()].flatMap((group) => group.vectors),
    'occurrence',
  );
  const selfSimilarities: number[] = [];
  const variances: number[] = [];
  for (const { vectors, norms } of byWord.values()) {
    if (vectors.length < minOccurrences) continue;
    selfSimilarities.push(meanPairwiseCosine(vectors, norms));
    variances.push(explainableVariance(vectors));
  }

  const intra = sentences.map((sentence) => sentence.intraSentenceSimilarity).filter((value) => value !== null);
  const randomWords: Vector[] = [];
  const randomNorms: number[] = [];
  const randomSquaredNorms = squaredNorms(sentences.map((sentence) => sentence.randomWord));
  sentences.forEach((sentence, index) => {
    const norm = usableFromNorm(sentence.randomWord, randomSquaredNorms[index]!, `the random word of sentence ${index}`);
    if (norm === null) return;
    randomWords.push(sentence.randomWord!);
    randomNorms.push(norm);
  });
  checkDimensions(randomWords, 'random word');
  const enough = randomWords.length >= 2;
  const anisotropyBaseline = enough ? meanPairwiseCosine(randomWords, randomNorms) : null;
  const varianceBaseline = enough ? explainableVariance(randomWords) : null;

  const selfSimilarity = mean(selfSimilarities);
  const intraSentenceSimilarity = mean(intra);
  const maxExplainableVariance = mean(variances);
  return {
    occurrences,
    words: byWord.size,
    measuredWords: selfSimilarities.length,
    sentences: intra.length,
    randomWords: randomWords.length,
    anisotropyBaseline,
    varianceBaseline,
    selfSimilarity,
    selfSimilarityAdjusted: difference(selfSimilarity, anisotropyBaseline),
    intraSentenceSimilarity,
    intraSentenceSimilarityAdjusted: difference(intraSentenceSimilarity, anisotropyBaseline),
    maxExplainableVariance,
    maxExplainableVarianceAdjusted: difference(maxExplainableVariance, varianceBaseline),
  };
}
