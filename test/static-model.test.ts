/**
 * Static vectors: the four file formats (fixtures written by Python's struct/text writers in
 * test/fixtures/vectors/make_vectors.py, independently of the readers), the lookup rule, the
 * `target` and `context` representations, and out-of-vocabulary handling.
 */
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { StaticModel, StaticVectors } from '../src/models/static.js';
import { ArrayVocabulary, IndexPage, PagedVocabulary, encodeIndexPages, vocabularyWords } from '../src/models/vocabulary.js';
import { loadStaticFile, parseBinaryVectors, parseTextVectors } from '../src/models/vector-formats.js';
import { cosine } from '../src/pipeline/index.js';
import { InputError } from '../src/types.js';

const fixtures = join(import.meta.dirname, 'fixtures', 'vectors');
const expected = JSON.parse(readFileSync(join(fixtures, 'expected.json'), 'utf8')) as {
  dimensions: number;
  words: string[];
  vectors: Record<string, number[]>;
};
const tmp = join(import.meta.dirname, '.tmp', 'static-model');
mkdirSync(tmp, { recursive: true });

describe('vector file formats', () => {
  it.each([
    ['tiny.glove.txt', 'glove'],
    ['tiny.w2v.txt', 'word2vec-text'],
    ['tiny.vec', 'word2vec-text'],
    ['tiny.bin', 'word2vec-binary'],
  ])('%s reads every vector exactly (as float32)', async (file, format) => {
    const model = await loadStaticFile(join(fixtures, file));
    expect(model.info.format).toBe(format);
    expect(model.vectors.dimensions).toBe(expected.dimensions);
    expect(vocabularyWords(model.vectors.vocabulary)).toEqual(expected.words);
    for (const word of expected.words) expect([...model.vectors.get(word)!]).toEqual(expected.vectors[word]);
    expect(model.id).toBe(`static:${file}`);
    expect(model.sha256).toMatch(/^[0-9a-f]{64}$/);
  });

  it('rejects a row with the wrong number of values, naming file and line', () => {
    expect(() => parseTextVectors('2 3\na 1 2 3\nb 1 2\n', 'v.txt')).toThrow('v.txt:3: expected 3 values after the word, found 2');
    expect(() => parseTextVectors('a 1 2 3\nb 1 x 3\n', 'g.txt')).toThrow('g.txt:2: value 2 ("x") is not a number');
    expect(() => parseTextVectors('3 2\na 1 2\n', 'h.txt')).toThrow('h.txt:1: header announces 3 words but the file has 1');
  });

  it('rejects a truncated binary file', () => {
    const bytes = readFileSync(join(fixtures, 'tiny.bin'));
    expect(() => parseBinaryVectors(bytes.subarray(0, bytes.length - 10), 'cut.bin')).toThrow(/cut\.bin:\d+: truncated vector for "naïve"/);
    expect(() => parseBinaryVectors(Buffer.from('no header\n'), 'x.bin')).toThrow('x.bin:1: expected a header line');
  });

  it('a missing file is an input error', async () => {
    await expect(loadStaticFile(join(tmp, 'nope.vec'))).rejects.toThrow(InputError);
  });
});

describe('lookup rule and representations', () => {
  // Two-dimensional toy vectors chosen so that means are easy to check by hand.
  const vectors = StaticVectors.fromWords(
    ['bank', 'river', 'money', 'the', 'Apple', 'apple', 'u.s.'],
    Float32Array.from([1, 0, 0, 1, 2, 0, 0, 0, 3, 3, 4, 4, 5, 5]),
    2,
  );
  const model = new StaticModel('toy', vectors, 'x', {});

  it('looks a token up as written, then without surrounding punctuation, then lowercased', () => {
    expect([...vectors.lookup('Apple')!]).toEqual([3, 3]); // cased entry wins when present
    expect([...vectors.lookup('apple')!]).toEqual([4, 4]);
    expect([...vectors.lookup('"Bank,"')!]).toEqual([1, 0]);
    expect([...vectors.lookup('U.S.')!]).toEqual([5, 5]); // lowercased as written, before stripping the final dot
  });

  it('returns null for out-of-vocabulary tokens and pure punctuation', () => {
    expect(vectors.lookup('zebra')).toBeNull();
    expect(vectors.lookup('...')).toBeNull();
  });

  it('target: the same word in two sentences gets cosine exactly 1 (the lesson point)', async () => {
    const [a, b] = await model.embed([
      { sentence: 'The bank near the river.', spans: [{ start: 4, end: 8 }], source: { file: 't', line: 1 } },
      { sentence: 'Money at the Bank.', spans: [{ start: 13, end: 17 }], source: { file: 't', line: 2 } },
    ]);
    expect(cosine(a!.vectors[0]!, b!.vectors[0]!)).toBe(1);
    // context of sentence 1: The, the, river (near is OOV) -> mean of [0,0], [0,0], [0,1] = [0, 1/3]
    expect([...a!.vectors[1]!]).toEqual([0, Math.fround(1 / 3)]);
    // context of sentence 2: money, the (at is OOV) -> mean of [2,0] and [0,0] = [1, 0]
    expect([...b!.vectors[1]!]).toEqual([1, 0]);
    expect(a!.truncated).toBe(false);
  });

  it('an out-of-vocabulary target gives a null vector, never zeros', async () => {
    const [result] = await model.embed([{ sentence: 'A zebra by the river', spans: [{ start: 2, end: 7 }], source: { file: 't', line: 1 } }]);
    expect(result!.vectors[0]).toBeNull();
    expect(result!.vectors[1]).not.toBeNull();
  });

  it('a sentence with no known context words gives a null context vector', async () => {
    const [result] = await model.embed([{ sentence: 'bank', spans: [{ start: 0, end: 4 }], source: { file: 't', line: 1 } }]);
    expect(result!.vectors[1]).toBeNull();
  });
});

describe('cosine', () => {
  it('matches the definition and handles missing vectors', () => {
    const a = Float32Array.from([1, 2, 3]);
    const b = Float32Array.from([4, -5, 6]);
    // (4 - 10 + 18) / (sqrt(14) * sqrt(77)), computed by hand
    expect(cosine(a, b)).toBeCloseTo(12 / Math.sqrt(14 * 77), 12);
    expect(cosine(a, null)).toBeNull();
    expect(cosine(Float32Array.from([0, 0, 0]), a)).toBeNull();
    expect(cosine(a, Float32Array.from(a))).toBe(1);
  });
});

describe('vocabularies', () => {
  // Mixed scripts, astral characters (where UTF-8 byte order and UTF-16 code-unit order differ),
  // a duplicate (first occurrence wins) and prefixes of one another.
  const words = ['bank', 'banks', 'ban', 'Bank', 'naïve', '😀', '\uFFFD', 'zebra', 'bank', 'é', 'e', ''];
  const queries = [...words, 'banker', 'Ban', 'ñ', '😁', 'a', 'zzz'];
  /** A paged vocabulary over pages encoded in memory; `loaded` lists the pages read, in order. */
  const paged = (list: readonly string[], wordsPerPage: number): { vocabulary: PagedVocabulary; loaded: number[] } => {
    const { pages, lastWords } = encodeIndexPages(list, wordsPerPage);
    const loaded: number[] = [];
    const vocabulary = new PagedVocabulary(list.length, wordsPerPage, lastWords, (index, count, lastWord) => {
      loaded.push(index);
      return new IndexPage(pages[index]!, count, lastWord);
    });
    return { vocabulary, loaded };
  };
  const array = new ArrayVocabulary(words);

  it('paged (UTF-8 in byte order, any page size) and array vocabularies agree with a linear scan', () => {
    for (const wordsPerPage of [1, 2, 3, 5, 11, 12, 1024]) {
      const { vocabulary, loaded } = paged(words, wordsPerPage);
      for (const query of queries) {
        loaded.length = 0;
        expect(vocabulary.rowOf(query), `${query}, ${wordsPerPage} per page`).toBe(words.indexOf(query));
        expect(loaded.length, `${query}: pages read`).toBeLessThanOrEqual(1);
      }
      expect(vocabularyWords(vocabulary)).toEqual(words);
    }
    for (const query of queries) expect(array.rowOf(query), query).toBe(words.indexOf(query));
    expect(vocabularyWords(array)).toEqual(words);
  });

  it('a paged lookup reads one page, once; a duplicated word split across pages is found at its first row', () => {
    // In byte order: a, b, b, b, c (rows 4, 1, 2, 3, 0): with 2 words per page the b's span pages 0-1.
    const list = ['c', 'b', 'b', 'b', 'a'];
    const { vocabulary, loaded } = paged(list, 2);
    expect(vocabulary.rowOf('b')).toBe(1);
    expect(loaded).toEqual([0]);
    expect(vocabulary.rowOf('a')).toBe(4);
    expect(vocabulary.rowOf('c')).toBe(0);
    expect(vocabulary.rowOf('bb')).toBe(-1);
    expect(vocabulary.rowOf('d')).toBe(-1); // past the last page's last word: no page read
    expect(loaded).toEqual([0, 2]); // page 1 holds only later duplicates of b: no lookup needs it
  });

  it('refuses words with a line break (the separator)', () => {
    expect(() => encodeIndexPages(['a', 'b\nc'], 4)).toThrow('word 1 contains a line break');
  });

  it('rejects a page or a list of last words that does not hold what it should', () => {
    const { pages, lastWords } = encodeIndexPages(['a', 'b', 'c'], 2);
    const page = pages[0]!; // rows 0, 1 | offsets 0, 2, 4 | "a\nb"
    expect(() => new IndexPage(page, 2, Buffer.from('c'))).toThrow('its last word is not "c"');
    expect(() => new IndexPage(page, 3, Buffer.from('b'))).toThrow('cannot hold the rows and offsets of 3 words');
    expect(() => new IndexPage(page, 1, Buffer.from('b'))).toThrow('word offsets do not span');
    const damaged = (offset: number, value: number): Buffer => {
      const copy = Buffer.from(page);
      copy.writeUInt32LE(value, offset);
      return copy;
    };
    expect(() => new IndexPage(damaged(8, 1), 2, Buffer.from('b'))).toThrow('word offsets do not span its 3 bytes of words');
    expect(() => new IndexPage(damaged(16, 5), 2, Buffer.from('b'))).toThrow('word offsets do not span its 3 bytes of words');
    expect(() => new PagedVocabulary(3, 1, lastWords, () => new IndexPage(page, 2, Buffer.from('b')))).toThrow('2 words in 3 bytes, expected 3');
    const wrongRows = damaged(0, 1); // both words claim row 1
    const vocabulary = new PagedVocabulary(3, 2, lastWords, (index, count, lastWord) => new IndexPage(index === 0 ? wrongRows : pages[index]!, count, lastWord));
    expect(() => vocabulary.wordAt(0)).toThrow('index page 0 lists row 1 twice');
  });

});
