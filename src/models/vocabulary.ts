/**
 * Word -> row lookup for static vectors. Two implementations of one small interface:
 *
 * - {@link ArrayVocabulary}: words as JS strings (user vector files), sorted once at load;
 * - {@link PagedVocabulary}: the glove-100d cache's index, UTF-8 words in byte order cut into pages,
 *   each read (and verified by the cache) only when a lookup needs it and searched in place, so
 *   opening reads a small directory and a lookup one page, creating no strings and no hash map.
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

/** Row order of UTF-8 words by byte order (ties by row): the order of a {@link PagedVocabulary}'s pages. */
function packedSortOrder(words: readonly string[]): Uint32Array {
  const encoded = words.map((word) => Buffer.from(word, 'utf8'));
  return Uint32Array.from(words.keys()).sort((a, b) => Buffer.compare(encoded[a]!, encoded[b]!) || a - b);
}

/**
 * Byte offset of each of `count` '\n'-separated words in `bytes`, plus one past the end (+1 for a
 * separator), found by a native byte search; throws when `bytes` holds another number of words.
 */
function wordStarts(bytes: Buffer, count: number): Uint32Array {
  if (count === 0) {
    if (bytes.length > 0) throw new Error(`${bytes.length} bytes where no word belongs`);
    return Uint32Array.of(1);
  }
  const starts = new Uint32Array(count + 1);
  let word = 1;
  for (let i = bytes.indexOf(0x0a); i >= 0; i = bytes.indexOf(0x0a, i + 1)) {
    if (word >= count) throw new Error(`more than ${count} words in ${bytes.length} bytes`);
    starts[word++] = i + 1;
  }
  if (word !== count) throw new Error(`${word} words in ${bytes.length} bytes, expected ${count}`);
  starts[count] = bytes.length + 1;
  return starts;
}

/**
 * The index of words as a {@link PagedVocabulary} stores it: the words in UTF-8 byte order (ties by
 * row, so a duplicated word's first occurrence comes first), cut into pages of `wordsPerPage`
 * (the last may be shorter). A page of n words is, in uint32 (LE): the row of each word | the byte
 * offset of each word in the words that follow, and one past their end (+1 for a separator, so
 * word i ends one byte before word i+1 starts) | its words (UTF-8, '\n'-joined). The stored offsets
 * spare a lookup the scan for separators (which took ~0.13 ms per page of 1,024 words).
 * `lastWords` is the last word of each page, '\n'-joined: what a lookup searches to find the one
 * page that can hold a word.
 */
export function encodeIndexPages(words: readonly string[], wordsPerPage: number): { pages: Buffer[]; lastWords: Buffer } {
  const separator = words.findIndex((word) => word.includes('\n'));
  if (separator >= 0) throw new Error(`word ${separator} contains a line break, which separates words in the index`);
  const order = packedSortOrder(words);
  const pages: Buffer[] = [];
  const lastWords: string[] = [];
  for (let first = 0; first < order.length; first += wordsPerPage) {
    const rows = order.subarray(first, first + wordsPerPage);
    const pageWords = Array.from(rows, (row) => words[row]!);
    const text = Buffer.from(pageWords.join('\n'), 'utf8');
    const numbers = Buffer.alloc(4 * (2 * rows.length + 1));
    rows.forEach((row, position) => numbers.writeUInt32LE(row, 4 * position));
    let start = 0;
    pageWords.forEach((word, position) => {
      numbers.writeUInt32LE(start, 4 * (rows.length + position));
      start += Buffer.byteLength(word, 'utf8') + 1;
    });
    numbers.writeUInt32LE(text.length + 1, 4 * (2 * rows.length));
    pages.push(Buffer.concat([numbers, text]));
    lastWords.push(pageWords.at(-1)!);
  }
  return { pages, lastWords: Buffer.from(lastWords.join('\n'), 'utf8') };
}

/** One page of a {@link PagedVocabulary} ({@link encodeIndexPages}): words in byte order and their rows. */
export class IndexPage {
  /**
   * The rows, then the word offsets: a view when `bytes` are 4-aligned (a page read into its own
   * buffer is), else a copy. Read in host order, little-endian as the file (so are the cache's
   * float32 row blocks).
   */
  private readonly numbers: Uint32Array;
  private readonly words: Buffer;

  /**
   * Throws when `bytes` cannot hold `count` rows and word offsets, the offsets do not span the
   * words, or the last word is not `lastWord` (UTF-8).
   */
  constructor(
    bytes: Uint8Array,
    readonly count: number,
    lastWord: Buffer,
  ) {
    const numbersBytes = 4 * (2 * count + 1);
    if (count < 1 || bytes.length < numbersBytes) throw new Error(`${bytes.length} bytes cannot hold the rows and offsets of ${count} words`);
    if (bytes.byteOffset % 4 === 0) this.numbers = new Uint32Array(bytes.buffer, bytes.byteOffset, numbersBytes / 4);
    else {
      this.numbers = new Uint32Array(numbersBytes / 4);
      new Uint8Array(this.numbers.buffer).set(bytes.subarray(0, numbersBytes));
    }
    this.words = Buffer.from(bytes.buffer, bytes.byteOffset + numbersBytes, bytes.length - numbersBytes);
    // The ends only: the page's checksum vouches for the offsets between them (checking each word
    // cost a page of 1,024 words ~50 us, more than reading it).
    if (this.start(0) !== 0 || this.start(count) !== this.words.length + 1) throw new Error(`its word offsets do not span its ${this.words.length} bytes of words`);
    if (this.compareAt(lastWord, count - 1) !== 0) throw new Error(`its last word is not "${lastWord.toString('utf8')}", the one the directory lists`);
  }

  /** Byte offset of the word at `position` in the words (`count`: their length + 1). */
  private start(position: number): number {
    return this.numbers[this.count + position]!;
  }

  /** Position of the first word not below `query` in byte order (`count` when there is none). */
  lowerBound(query: Buffer): number {
    let low = 0;
    let high = this.count;
    while (low < high) {
      const mid = (low + high) >>> 1;
      if (this.compareAt(query, mid) > 0) low = mid + 1;
      else high = mid;
    }
    return low;
  }

  /** `query` compared with the word at `position` (as Buffer.compare). */
  compareAt(query: Buffer, position: number): number {
    return query.compare(this.words, this.start(position), this.start(position + 1) - 1);
  }

  rowAt(position: number): number {
    return this.numbers[position]!;
  }

  wordAt(position: number): string {
    return this.words.toString('utf8', this.start(position), this.start(position + 1) - 1);
  }
}

/**
 * Words in byte order, cut into pages ({@link encodeIndexPages}) that are read only when a lookup
 * needs them: `rowOf` searches the last word of each page (held in memory) for the one page that
 * can hold the word, then that page. A page is loaded once by `loadPage` (the glove-100d cache reads
 * and verifies it, then builds the {@link IndexPage} of `count` words ending with `lastWord`); a page
 * that fails throws, is never kept, and throws again when asked for again.
 */
export class PagedVocabulary implements Vocabulary {
  private readonly pages: (IndexPage | undefined)[];
  private readonly lastWordStarts: Uint32Array;
  /** Position in byte order of each row, built when `wordAt` is first asked (it reads every page). */
  private positions: Uint32Array | undefined;

  /** Throws when `lastWords` does not hold one word per page. */
  constructor(
    readonly size: number,
    private readonly wordsPerPage: number,
    private readonly lastWords: Buffer,
    private readonly loadPage: (index: number, count: number, lastWord: Buffer) => IndexPage,
  ) {
    const pages = Math.ceil(size / wordsPerPage);
    this.pages = new Array<IndexPage | undefined>(pages).fill(undefined);
    this.lastWordStarts = wordStarts(lastWords, pages);
  }

  rowOf(word: string): number {
    const query = Buffer.from(word, 'utf8');
    // The first page whose last word is not below the query: every word before it is below.
    let low = 0;
    let high = this.pages.length;
    while (low < high) {
      const mid = (low + high) >>> 1;
      if (query.compare(this.lastWords, this.lastWordStarts[mid], this.lastWordStarts[mid + 1]! - 1) > 0) low = mid + 1;
      else high = mid;
    }
    if (low === this.pages.length) return -1;
    const page = this.page(low);
    const position = page.lowerBound(query);
    return position < page.count && page.compareAt(query, position) === 0 ? page.rowAt(position) : -1;
  }

  wordAt(row: number): string {
    if (!(row >= 0 && row < this.size)) throw new RangeError(`row ${row} out of range`);
    this.positions ??= this.positionsOfRows();
    const position = this.positions[row]!;
    return this.page(Math.floor(position / this.wordsPerPage)).wordAt(position % this.wordsPerPage);
  }

  private page(index: number): IndexPage {
    let page = this.pages[index];
    if (page === undefined) {
      const lastWord = this.lastWords.subarray(this.lastWordStarts[index], this.lastWordStarts[index + 1]! - 1);
      page = this.loadPage(index, Math.min(this.wordsPerPage, this.size - index * this.wordsPerPage), lastWord);
      this.pages[index] = page;
    }
    return page;
  }

  /** Reads every page: each row's position in byte order (the rows of the pages are each row once). */
  private positionsOfRows(): Uint32Array {
    const unset = 0xffffffff;
    const positions = new Uint32Array(this.size).fill(unset);
    for (let index = 0; index < this.pages.length; index++) {
      const page = this.page(index);
      for (let position = 0; position < page.count; position++) {
        const row = page.rowAt(position);
        if (!(row < this.size) || positions[row] !== unset) throw new Error(`index page ${index} lists row ${row} ${row < this.size ? 'twice' : 'out of range'}`);
        positions[row] = index * this.wordsPerPage + position;
      }
    }
    return positions;
  }
}
