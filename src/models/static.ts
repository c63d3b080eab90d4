/**
 * Static word vectors (GloVe, word2vec, fastText) and the static embedding model built on them.
 *
 * Lookup rule (documented in the README): a token is looked up as written, then lowercased, then
 * stripped of surrounding punctuation (as written, then lowercased). GloVe's vocabulary is
 * lowercase; word2vec's is cased, so the form as written is tried first.
 * A word that is still missing is out of vocabulary: its vector is `null`, never a zero vector.
 */
import { stripEdgePunctuation, wordSpans } from '../text.js';
import { ArrayVocabulary, type Vocabulary } from './vocabulary.js';
import type { EmbeddingModel, OccurrenceEmbedding, ProgressFn, Representation, TargetOccurrence, TargetSpans } from '../types.js';

/**
 * The rows of a static model's matrix, one vector per vocabulary row: a whole matrix in memory
 * ({@link MatrixRows}), or rows read on demand (the glove-100d cache reads a block of rows when one
 * of them is first looked up and verifies its checksum, so a damaged row is never returned).
 */
export interface RowSource {
  readonly size: number;
  readonly dimensions: number;
  /** The vector of row `row` (a view, not a copy), read first if needed; throws when its bytes fail their check. */
  row(row: number): Float32Array;
  /** Releases what the source holds open (a file); rows not yet read cannot be read after it. */
  close(): void;
}

/** A whole row-major matrix in memory (`size` x `dimensions`). */
export class MatrixRows implements RowSource {
  readonly size: number;

  constructor(
    readonly matrix: Float32Array,
    readonly dimensions: number,
  ) {
    if (!Number.isInteger(matrix.length / dimensions)) throw new Error(`matrix of ${matrix.length} values is not a whole number of ${dimensions}-d rows`);
    this.size = matrix.length / dimensions;
  }

  row(row: number): Float32Array {
    return this.matrix.subarray(row * this.dimensions, (row + 1) * this.dimensions);
  }

  close(): void {
    // Nothing held open.
  }
}

/**
 * A vocabulary and its rows ({@link RowSource}). Tokens as written are resolved once and memoised,
 * so repeated lookups cost one Map lookup.
 */
export class StaticVectors {
  /**
   * Raw token -> row (-1: out of vocabulary), filled by {@link lookup}. Text repeats its tokens
   * (Zipf), so after the first sight a token as written costs one Map lookup, like a bare index.
   */
  private readonly resolved = new Map<string, number>();
  readonly dimensions: number;

  constructor(
    readonly vocabulary: Vocabulary,
    private readonly rows: RowSource,
  ) {
    if (rows.size !== vocabulary.size) throw new Error(`${rows.size} rows for a vocabulary of ${vocabulary.size} words`);
    this.dimensions = rows.dimensions;
  }

  /** Vectors from words as strings (user vector files). */
  static fromWords(words: readonly string[], matrix: Float32Array, dimensions: number): StaticVectors {
    return new StaticVectors(new ArrayVocabulary(words), new MatrixRows(matrix, dimensions));
  }

  get size(): number {
    return this.vocabulary.size;
  }

  /** The vector of an exact vocabulary key (a view, not a copy), or null. */
  get(word: string): Float32Array | null {
    const row = this.vocabulary.rowOf(word);
    return row < 0 ? null : this.rows.row(row);
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
    return row < 0 ? null : this.rows.row(row);
  }

  /** The vector of vocabulary row `row` (a view, not a copy). */
  rowAt(row: number): Float32Array {
    return this.rows.row(row);
  }

  /** Releases the row source's file, if any. */
  close(): void {
    this.rows.close();
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

/** The in-vocabulary words of a sentence: their character ranges and vectors, in order. */
interface SentenceWords {
  readonly starts: number[];
  readonly ends: number[];
  readonly vectors: Float32Array[];
}

/** Finds the words of `sentence` ({@link wordSpans}) once and looks each up. */
function sentenceWords(vectors: StaticVectors, sentence: string): SentenceWords {
  const words: SentenceWords = { starts: [], ends: [], vectors: [] };
  for (const span of wordSpans(sentence)) {
    const vector = vectors.lookup(sentence.slice(span.start, span.end));
    if (!vector) continue;
    words.starts.push(span.start);
    words.ends.push(span.end);
    words.vectors.push(vector);
  }
  return words;
}

/**
 * Mean of the in-vocabulary word vectors of a sentence except the words overlapping `exclude`
 * (the target): the `context` vector; null when no other word is in vocabulary.
 */
function contextMean(words: SentenceWords, slab: VectorSlab, exclude: TargetSpans): Float32Array | null {
  const sum = new Float64Array(slab.dimensions);
  let count = 0;
  for (let w = 0; w < words.vectors.length; w++) {
    const start = words.starts[w]!;
    const end = words.ends[w]!;
    if (exclude.some((span) => start < span.end && end > span.start)) continue; // the target itself
    const vector = words.vectors[w]!;
    for (let i = 0; i < sum.length; i++) sum[i]! += vector[i]!;
    count++;
  }
  if (count === 0) return null;
  const mean = slab.allocate();
  for (let i = 0; i < sum.length; i++) mean[i] = sum[i]! / count;
  return mean;
}

/**
 * Hands out vectors as views into large shared blocks: a run embeds hundreds of thousands of
 * occurrences, and one ArrayBuffer per 100-d vector costs more in bookkeeping (a backing store,
 * its allocation and its tracking by the garbage collector) than the 400 bytes it holds.
 */
class VectorSlab {
  private block = new Float32Array(0);
  private used = 0;

  constructor(
    readonly dimensions: number,
    private readonly vectorsPerBlock = 4096,
  ) {}

  allocate(): Float32Array {
    if (this.used === this.block.length) {
      this.block = new Float32Array(this.dimensions * this.vectorsPerBlock);
      this.used = 0;
    }
    const vector = this.block.subarray(this.used, this.used + this.dimensions);
    this.used += this.dimensions;
    return vector;
  }
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
    // One tokenization per distinct sentence in a row (a pair's sentence is often followed by its
    // other targets, and contextuality embeds every word of a sentence in a row).
    let lastSentence: string | null = null;
    let words: SentenceWords = { starts: [], ends: [], vectors: [] };
    const slab = new VectorSlab(this.vectors.dimensions);
    const result = occurrences.map(({ sentence, spans }): OccurrenceEmbedding => {
      if (sentence !== lastSentence) {
        lastSentence = sentence;
        words = sentenceWords(this.vectors, sentence);
      }
      return { vectors: [targetVector(this.vectors, sentence, spans), contextMean(words, slab, spans)], truncated: false };
    });
    onProgress?.(occurrences.length, occurrences.length);
    return Promise.resolve(result);
  }

  dispose(): Promise<void> {
    this.vectors.close();
    return Promise.resolve();
  }
}
