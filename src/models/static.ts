/**
 * Static word vectors (GloVe, word2vec, fastText) and the static embedding model built on them.
 *
 * Lookup rule (documented in the README): a token is looked up as written, then lowercased, then
 * stripped of surrounding punctuation (as written, then lowercased). GloVe's vocabulary is
 * lowercase; word2vec's is cased, so the form as written is tried first.
 * A word that is still missing is out of vocabulary: its vector is `null`, never a zero vector.
 */
import { stripEdgePunctuation } from '../datasets/common.js';
import { ArrayVocabulary, type Vocabulary } from './vocabulary.js';
import type { EmbeddingModel, OccurrenceEmbedding, ProgressFn, Representation, TargetOccurrence, TargetSpans } from '../types.js';

/**
 * A vocabulary and one row-major Float32Array matrix (`vocabulary.size` x `dimensions`). Tokens as
 * written are resolved once and memoised, so repeated lookups cost one Map lookup.
 */
export class StaticVectors {
  /**
   * Raw token -> row (-1: out of vocabulary), filled by {@link lookup}. Text repeats its tokens
   * (Zipf), so after the first sight a token as written costs one Map lookup, like a bare index.
   */
  private readonly resolved = new Map<string, number>();

  constructor(
    readonly vocabulary: Vocabulary,
    readonly matrix: Float32Array,
    readonly dimensions: number,
  ) {
    if (matrix.length !== vocabulary.size * dimensions) {
      throw new Error(`matrix has ${matrix.length} values, expected ${vocabulary.size} x ${dimensions}`);
    }
  }

  /** Vectors from words as strings (user vector files). */
  static fromWords(words: readonly string[], matrix: Float32Array, dimensions: number): StaticVectors {
    return new StaticVectors(new ArrayVocabulary(words), matrix, dimensions);
  }

  get size(): number {
    return this.vocabulary.size;
  }

  /** The vector of an exact vocabulary key (a view into the matrix, not a copy), or null. */
  get(word: string): Float32Array | null {
    const row = this.vocabulary.rowOf(word);
    return row < 0 ? null : this.rowVector(row);
  }

  /**
   * The vector of a token as it appears in text, or null: the token as written, else lowercased,
   * else without surrounding punctuation, else that lowercased (so `U.S.` finds GloVe's `u.s.`).
   */
  lookup(token: string): Float32Array | null {
    let row = this.resolved.get(token);
    if (row === undefined) {
      row = this.resolveRow(token);
      // Bounded: a pathological stream of distinct tokens must not grow memory without limit.
      if (this.resolved.size >= MAX_RESOLVED) this.resolved.clear();
      this.resolved.set(token, row);
    }
    return row < 0 ? null : this.rowVector(row);
  }

  private rowVector(row: number): Float32Array {
    return this.matrix.subarray(row * this.dimensions, (row + 1) * this.dimensions);
  }

  private resolveRow(token: string): number {
    const word = stripEdgePunctuation(token);
    const candidates = [token, token.toLowerCase(), word, word.toLowerCase()];
    for (const candidate of candidates) {
      if (candidate === '') continue;
      const row = this.vocabulary.rowOf(candidate);
      if (row >= 0) return row;
    }
    return -1;
  }
}

/** Upper bound on memoised token resolutions. */
const MAX_RESOLVED = 1 << 20;

/** Word-like tokens: letters/digits with inner apostrophes or hyphens (`don't`, `well-known`). */
const WORD = /[\p{L}\p{N}]+(?:['’\-.][\p{L}\p{N}]+)*/gu;

/**
 * Mean of the in-vocabulary word vectors of `sentence`; null when none is in vocabulary. With
 * `exclude`, the words overlapping those spans (the target) are left out: the `context` vector.
 * Without, every word counts, the target included: the sentence mean of intra-sentence similarity.
 */
function wordMean(vectors: StaticVectors, sentence: string, exclude?: TargetSpans): Float32Array | null {
  const sum = new Float64Array(vectors.dimensions);
  let count = 0;
  for (const match of sentence.matchAll(WORD)) {
    const start = match.index;
    const end = start + match[0].length;
    if (exclude?.some((span) => start < span.end && end > span.start) === true) continue; // the target itself
    const vector = vectors.lookup(match[0]);
    if (!vector) continue;
    for (let i = 0; i < sum.length; i++) sum[i]! += vector[i]!;
    count++;
  }
  if (count === 0) return null;
  const mean = new Float32Array(sum.length);
  for (let i = 0; i < sum.length; i++) mean[i] = sum[i]! / count;
  return mean;
}

/**
 * The target's vector: the looked-up vector of its one span, or for a discontinuous target the mean
 * of its spans' vectors (missing when any span is out of vocabulary: a half-known target is not the
 * target). One span returns the table's own row, so identical words stay bit-identical (cosine 1.0).
 */
function targetVector(vectors: StaticVectors, sentence: string, spans: TargetSpans): Float32Array | null {
  if (spans.length === 1) return vectors.lookup(sentence.slice(spans[0].start, spans[0].end));
  const parts = spans.map((span) => vectors.lookup(sentence.slice(span.start, span.end)));
  if (parts.some((part) => part === null)) return null;
  const mean = new Float32Array(vectors.dimensions);
  for (let i = 0; i < mean.length; i++) {
    let sum = 0;
    for (const part of parts) sum += part![i]!;
    mean[i] = sum / parts.length;
  }
  return mean;
}

const REPRESENTATIONS: readonly Representation[] = [
  {
    name: 'target',
    kind: 'static',
    description: "the target word's own vector: one vector per word type, so the same word always gets cosine 1.0",
  },
  {
    name: 'context',
    kind: 'static',
    description: 'the mean of the vectors of the other words in the sentence (a bag-of-words context baseline)',
  },
];

/** An {@link EmbeddingModel} over static vectors, with `target` and `context` representations. */
export class StaticModel implements EmbeddingModel {
  readonly representations = REPRESENTATIONS;

  constructor(
    readonly id: string,
    readonly vectors: StaticVectors,
    readonly sha256: string,
    readonly info: Readonly<Record<string, string | number>>,
  ) {}

  embed(occurrences: readonly TargetOccurrence[], onProgress?: ProgressFn): Promise<OccurrenceEmbedding[]> {
    // One sentence mean per distinct sentence, shared by both representations (see wordMean).
    const means = new Map<string, Float32Array | null>();
    const result = occurrences.map(({ sentence, spans }): OccurrenceEmbedding => {
      let mean = means.get(sentence);
      if (mean === undefined) {
        mean = wordMean(this.vectors, sentence);
        means.set(sentence, mean);
      }
      return { vectors: [targetVector(this.vectors, sentence, spans), wordMean(this.vectors, sentence, spans)], truncated: false, sentenceMeans: [mean, mean] };
    });
    onProgress?.(occurrences.length, occurrences.length);
    return Promise.resolve(result);
  }

  dispose(): Promise<void> {
    return Promise.resolve();
  }
}
