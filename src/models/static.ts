/**
 * Static word vectors (GloVe, word2vec, fastText) and the static embedding model built on them.
 *
 * Lookup rule (documented in the README): a token is looked up as written, then lowercased, then
 * stripped of surrounding punctuation (as written, then lowercased) (GloVe's vocabulary is lowercase; word2vec's is cased).
 * A word that is still missing is out of vocabulary: its vector is `null`, never a zero vector.
 */
import { stripEdgePunctuation } from '../datasets/common.js';
import type { EmbeddingModel, OccurrenceEmbedding, ProgressFn, Representation, TargetOccurrence } from '../types.js';

/** A vocabulary and one row-major Float32Array matrix (`vocabulary.length` x `dimensions`). */
export class StaticVectors {
  private readonly index: Map<string, number>;

  constructor(
    readonly words: readonly string[],
    readonly matrix: Float32Array,
    readonly dimensions: number,
  ) {
    if (matrix.length !== words.length * dimensions) {
      throw new Error(`matrix has ${matrix.length} values, expected ${words.length} x ${dimensions}`);
    }
    this.index = new Map();
    // First occurrence wins, as gensim does for duplicate words in a vectors file.
    for (let row = 0; row < words.length; row++) {
      const word = words[row]!;
      if (!this.index.has(word)) this.index.set(word, row);
    }
  }

  get size(): number {
    return this.words.length;
  }

  /** The vector of an exact vocabulary key (a view into the matrix, not a copy), or null. */
  get(word: string): Float32Array | null {
    const row = this.index.get(word);
    return row === undefined ? null : this.matrix.subarray(row * this.dimensions, (row + 1) * this.dimensions);
  }

  /**
   * The vector of a token as it appears in text, or null: the token as written, else lowercased,
   * else without surrounding punctuation, else that lowercased (so `U.S.` finds GloVe's `u.s.`). Trying the token as written first keeps the
   * common case (a plain lowercase word) to one Map lookup.
   */
  lookup(token: string): Float32Array | null {
    const exact = this.get(token) ?? this.get(token.toLowerCase());
    if (exact) return exact;
    const word = stripEdgePunctuation(token);
    if (word === '' || word === token) return null;
    return this.get(word) ?? this.get(word.toLowerCase());
  }
}

/** Word-like tokens: letters/digits with inner apostrophes or hyphens (`don't`, `well-known`). */
const WORD = /[\p{L}\p{N}]+(?:['’\-.][\p{L}\p{N}]+)*/gu;

/** Mean of the vectors of the words outside `[spanStart, spanEnd)`; null when none is in vocabulary. */
function contextMean(vectors: StaticVectors, sentence: string, spanStart: number, spanEnd: number): Float32Array | null {
  const sum = new Float64Array(vectors.dimensions);
  let count = 0;
  for (const match of sentence.matchAll(WORD)) {
    const start = match.index;
    if (start < spanEnd && start + match[0].length > spanStart) continue; // the target itself
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
    const result = occurrences.map(({ sentence, span }) => ({
      vectors: [
        this.vectors.lookup(sentence.slice(span.start, span.end)),
        contextMean(this.vectors, sentence, span.start, span.end),
      ],
      truncated: false,
    }));
    onProgress?.(occurrences.length, occurrences.length);
    return Promise.resolve(result);
  }

  dispose(): Promise<void> {
    return Promise.resolve();
  }
}
