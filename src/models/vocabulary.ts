/**
 * Word -> row lookup for static vectors. Two implementations of one small interface:
 *
 * - {@link ArrayVocabulary}: words as JS strings (user vector files), sorted once at load;
 * - {@link PackedVocabulary}: the glove-100d cache's UTF-8 vocabulary bytes and stored sorted
 *   order, searched in place, so a cold load creates no strings and no 341k-entry hash map.
 *
 * Both find the first occurrence of a duplicated word, as gensim keeps it.
 */

/** A vocabulary: rows are the matrix rows. */
export interface Vocabulary {
  readonly size: number;
  /** Row of an exact word (its first occurrence), or -1. */
  rowOf(word: string): number;
  wordAt(row: number): string;
}

/** Every word in row order (materialises strings: for writers and tests, not for lookups). */
export function vocabularyWords(vocabulary: Vocabulary): string[] {
  return Array.from({ length: vocabulary.size }, (_, row) => vocabulary.wordAt(row));
}

/** Words as strings, searched by binary search over code-unit order. */
export class ArrayVocabulary implements Vocabulary {
  private readonly sortedRows: Uint32Array;

  constructor(private readonly words: readonly string[]) {
    const compare = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
    this.sortedRows = Uint32Array.from(words.keys()).sort((a, b) => compare(words[a]!, words[b]!) || a - b);
  }

  get size(): number {
    return this.words.length;
  }

  wordAt(row: number): string {
    const word = this.words[row];
    if (word === undefined) throw new RangeError(`row ${row} out of range`);
    return word;
  }

  rowOf(word: string): number {
    let low = 0;
    let high = this.sortedRows.length;
    while (low < high) {
      const mid = (low + high) >>> 1;
      if (this.words[this.sortedRows[mid]!]! < word) low = mid + 1;
      else high = mid;
    }
    const row = this.sortedRows[low];
    return row !== undefined && this.words[row] === word ? row : -1;
  }
}

/** Row order of UTF-8 words by byte order (ties by row): the order {@link PackedVocabulary} searches. */
export function packedSortOrder(words: readonly string[]): Uint32Array {
  const encoded = words.map((word) => Buffer.from(word, 'utf8'));
  return Uint32Array.from(words.keys()).sort((a, b) => Buffer.compare(encoded[a]!, encoded[b]!) || a - b);
}

/** Byte offset of each word of a '\n'-joined UTF-8 vocabulary, plus one past the end (+1 for a separator): what {@link PackedVocabulary} keeps. */
export function packedStarts(words: readonly string[]): Uint32Array {
  const starts = new Uint32Array(words.length + 1);
  words.forEach((word, row) => {
    starts[row + 1] = starts[row]! + Buffer.byteLength(word, 'utf8') + 1;
  });
  return starts;
}

/** UTF-8 words joined by '\n', with a stored byte-order index; searched without decoding. */
export class PackedVocabulary implements Vocabulary {
  /** Byte offset of each row's word; `starts[size]` is one past the end (+1 for the separator). */
  private readonly starts: Uint32Array;

  /**
   * `starts` ({@link packedStarts}) when the caller has them stored beside the words (the
   * glove-100d cache, under the same checksum); else they are found by scanning for separators.
   */
  constructor(
    private readonly bytes: Buffer,
    private readonly sortedRows: Uint32Array,
    starts?: Uint32Array,
  ) {
    if (starts !== undefined) {
      if (starts.length !== sortedRows.length + 1 || starts[sortedRows.length] !== bytes.length + 1) {
        throw new Error(`word offsets for ${starts.length - 1} words ending at ${starts.at(-1) ?? 0} do not fit ${sortedRows.length} words in ${bytes.length} bytes`);
      }
      this.starts = starts;
      return;
    }
    this.starts = new Uint32Array(sortedRows.length + 1);
    let row = 1;
    // Buffer.indexOf is a native byte search: several times faster than a loop over 3 MB of words.
    for (let i = bytes.indexOf(0x0a); i >= 0; i = bytes.indexOf(0x0a, i + 1)) {
      if (row >= this.starts.length) throw new Error(`vocabulary has more than ${sortedRows.length} words`);
      this.starts[row++] = i + 1;
    }
    if (row !== sortedRows.length) throw new Error(`vocabulary has ${row} words, index has ${sortedRows.length}`);
    this.starts[row] = bytes.length + 1;
  }

  get size(): number {
    return this.sortedRows.length;
  }

  wordAt(row: number): string {
    if (!(row >= 0 && row < this.size)) throw new RangeError(`row ${row} out of range`);
    return this.bytes.toString('utf8', this.starts[row], this.starts[row + 1]! - 1);
  }

  rowOf(word: string): number {
    const query = Buffer.from(word, 'utf8');
    const { bytes, starts, sortedRows } = this;
    let low = 0;
    let high = sortedRows.length;
    while (low < high) {
      const mid = (low + high) >>> 1;
      const row = sortedRows[mid]!;
      if (query.compare(bytes, starts[row], starts[row + 1]! - 1) > 0) low = mid + 1;
      else high = mid;
    }
    const row = sortedRows[low];
    return row !== undefined && query.compare(bytes, starts[row], starts[row + 1]! - 1) === 0 ? row : -1;
  }
}
