import { readFileSync } from 'node:fs';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import * as hfTokenizers from '@huggingface/tokenizers';
import { alignSpan, maskedMean, poolTokens, specialFrame, windowAround, type TokenEncoder } from '../src/models/alignment.js';
import { InputError } from '../src/types.js';
import { writeBertFixture } from './helpers/bert-fixture.js';

const source = { file: 'pairs.jsonl', line: 12 };

interface HfTokenizer { encode(text: string, options: { add_special_tokens: boolean }): { ids: number[]; tokens: string[] } }
const TokenizerClass = (hfTokenizers as unknown as { Tokenizer: new (json: object, config: object) => HfTokenizer }).Tokenizer;

let bert: TokenEncoder & { tokens(text: string): string[] };

beforeAll(async () => {
  const fixture = await writeBertFixture(mkdtempSync(join(tmpdir(), 'sensebench-align-')));
  const tokenizer = new TokenizerClass(
    JSON.parse(readFileSync(join(fixture.dir, 'tokenizer.json'), 'utf8')) as object,
    JSON.parse(readFileSync(join(fixture.dir, 'tokenizer_config.json'), 'utf8')) as object,
  );
  bert = {
    encode: (text, addSpecialTokens) => tokenizer.encode(text, { add_special_tokens: addSpecialTokens }).ids,
    tokens: (text) => tokenizer.encode(text, { add_special_tokens: false }).tokens,
  };
});

/** Character-level toy tokenizer that merges "ab" into one token wherever it occurs (also across a span boundary). */
const mergingEncoder: TokenEncoder = {
  encode(text, addSpecialTokens) {
    const ids: number[] = [];
    for (let i = 0; i < text.length; i++) {
      if (text[i] === ' ') continue;
      if (text.startsWith('ab', i)) {
        ids.push(1000);
        i++;
      } else ids.push(text.charCodeAt(i));
    }
    return addSpecialTokens ? [1, ...ids, 2] : ids;
  },
};

function pieceTokens(content: readonly number[], start: number, end: number, tokens: string[]): string[] {
  expect(content.length).toBe(tokens.length);
  return tokens.slice(start, end);
}

describe('alignSpan with a WordPiece tokenizer', () => {
  it('maps a target split into several word pieces to all of its pieces', () => {
    const sentence = 'They found it unbelievable, really.';
    const start = sentence.indexOf('unbelievable');
    const a = alignSpan(bert, sentence, { start, end: start + 'unbelievable'.length }, source);
    expect(a.method).toBe('pieces');
    expect(pieceTokens(a.content, a.start, a.end, bert.tokens(sentence))).toEqual(['un', '##believ', '##able']);
  });

  it('handles case, accents and punctuation around the span', () => {
    const sentence = 'The RIVER Bank, muddy.';
    const a = alignSpan(bert, sentence, { start: 10, end: 14 }, source);
    expect(pieceTokens(a.content, a.start, a.end, bert.tokens(sentence))).toEqual(['bank']);
  });

  it('picks the right one of two occurrences of the same word', () => {
    const sentence = 'bank by the bank';
    const a = alignSpan(bert, sentence, { start: 12, end: 16 }, source);
    expect([a.start, a.end]).toEqual([3, 4]);
  });

  it('includes the whole word when the span cuts it (prefix method)', () => {
    // "banks" is one vocabulary piece, so "bank" + "s" tokenized separately differs from the sentence.
    const sentence = 'the banks closed';
    const a = alignSpan(bert, sentence, { start: 4, end: 8 }, source);
    expect(a.method).toBe('prefix');
    expect(pieceTokens(a.content, a.start, a.end, bert.tokens(sentence))).toEqual(['banks']);
  });
});

describe('alignSpan with a SentencePiece-style (Metaspace + Unigram) tokenizer', () => {
  // Every piece of text gets a leading "▁" when tokenized alone, so the text after the target
  // never tokenizes as it does inside the sentence: the prefix method does the work.
  const letters = 'abcdefghijklmnopqrstuvwxyzI.,'.split('');
  const vocab: [string, number][] = [
    ['<unk>', 0], ['▁', -3],
    ...['the', 'bank', 'river', 'sat', 'on'].map((w): [string, number] => [`▁${w}`, -2]),
    ['s', -3], ['ban', -3], ['king', -3],
    ...letters.map((l): [string, number] => [l, -6]),
    ...letters.map((l): [string, number] => [`▁${l}`, -7]),
  ];
  const metaspace = { type: 'Metaspace', replacement: '▁', prepend_scheme: 'always', split: true };
  const tokenizer = new TokenizerClass(
    {
      version: '1.0', truncation: null, padding: null,
      added_tokens: [{ id: 0, content: '<unk>', special: true, single_word: false, lstrip: false, rstrip: false, normalized: false }],
      normalizer: null, pre_tokenizer: metaspace, post_processor: null, decoder: metaspace,
      model: { type: 'Unigram', unk_id: 0, vocab, byte_fallback: false },
    },
    {},
  );
  const unigram: TokenEncoder = { encode: (text, addSpecialTokens) => tokenizer.encode(text, { add_special_tokens: addSpecialTokens }).ids };
  const tokensOf = (text: string): string[] => tokenizer.encode(text, { add_special_tokens: false }).tokens;
  const cases: [string, string, string[]][] = [
    ['I sat on the river bank.', 'bank', ['▁bank']],
    ['the banks', 'bank', ['▁bank']],
    ['the banks', 'banks', ['▁bank', 's']],
    ['rebanking', 'bank', ['ban', 'king']],
  ];
  for (const [sentence, target, expected] of cases) {
    it(`finds ${JSON.stringify(target)} in ${JSON.stringify(sentence)}`, () => {
      const start = sentence.indexOf(target);
      const a = alignSpan(unigram, sentence, { start, end: start + target.length }, source);
      expect(a.method).toBe('prefix');
      expect(pieceTokens(a.content, a.start, a.end, tokensOf(sentence))).toEqual(expected);
    });
  }
});

describe('alignSpan fallbacks and errors', () => {
  it('falls back to prefixes when the tokenizer merges across the span boundary', () => {
    // "xab": target "xa" — the sentence has tokens [x, ab]; the target overlaps both.
    const a = alignSpan(mergingEncoder, 'xab', { start: 0, end: 2 }, source);
    expect(a.method).toBe('prefix');
    expect(a.content).toEqual(['x'.charCodeAt(0), 1000]);
    expect([a.start, a.end]).toEqual([0, 2]);
    // Target "b" inside the merged token "ab": the straddling token is the target.
    const b = alignSpan(mergingEncoder, 'xab', { start: 2, end: 3 }, source);
    expect([b.start, b.end]).toEqual([1, 2]);
  });

  it('throws an InputError naming the source when the target has no tokens of its own', () => {
    // The BERT normalizer strips accents, so a span holding only a combining accent vanishes.
    const sentence = 'the cafe\u0301 is open';
    expect(() => alignSpan(bert, sentence, { start: 8, end: 9 }, source)).toThrow(InputError);
    expect(() => alignSpan(bert, sentence, { start: 8, end: 9 }, source)).toThrow(/^pairs\.jsonl:12: cannot align target "\u0301" at \[8, 9\)/);
    // The whole accented word still aligns.
    const a = alignSpan(bert, sentence, { start: 4, end: 9 }, source);
    expect(pieceTokens(a.content, a.start, a.end, bert.tokens(sentence))).toEqual(['c', '##a', '##f', '##e']);
  });

  it('rejects spans outside the sentence, empty or blank', () => {
    expect(() => alignSpan(bert, 'a bank', { start: 2, end: 9 }, source)).toThrow(/pairs\.jsonl:12: target span \[2, 9\)/);
    expect(() => alignSpan(bert, 'a bank', { start: 3, end: 3 }, source)).toThrow(InputError);
    expect(() => alignSpan(bert, 'a  bank', { start: 1, end: 2 }, source)).toThrow(/white space/);
  });
});

describe('specialFrame', () => {
  it('finds the template tokens around the content', () => {
    expect(specialFrame([101, 5, 6, 102], [5, 6], source)).toEqual({ prefix: [101], suffix: [102] });
    expect(specialFrame([5, 6, 2], [5, 6], source)).toEqual({ prefix: [], suffix: [2] });
    expect(() => specialFrame([101, 5, 7, 102], [5, 6], source)).toThrow(InputError);
  });
});

describe('windowAround', () => {
  const frame = { prefix: [101], suffix: [102] };
  const content = Array.from({ length: 20 }, (_, i) => i);

  it('keeps short sentences whole', () => {
    expect(windowAround({ content: content.slice(0, 5), start: 2, end: 3, method: 'pieces' }, frame, 10)).toEqual({
      ids: [101, 0, 1, 2, 3, 4, 102], targetStart: 3, targetEnd: 4, truncated: false,
    });
  });

  it('centres the window on the target', () => {
    // Budget 10 - 2 = 8 tokens; target [10, 12) is 2 long, so 3 tokens before it: window [7, 15).
    const w = windowAround({ content, start: 10, end: 12, method: 'pieces' }, frame, 10);
    expect(w).toEqual({ ids: [101, 7, 8, 9, 10, 11, 12, 13, 14, 102], targetStart: 4, targetEnd: 6, truncated: true });
  });

  it('shifts the window inside the sentence near either end', () => {
    const atStart = windowAround({ content, start: 1, end: 2, method: 'pieces' }, frame, 6);
    expect(atStart.ids).toEqual([101, 0, 1, 2, 3, 102]);
    expect([atStart.targetStart, atStart.targetEnd]).toEqual([2, 3]);
    const atEnd = windowAround({ content, start: 19, end: 20, method: 'pieces' }, frame, 6);
    expect(atEnd.ids).toEqual([101, 16, 17, 18, 19, 102]);
    expect([atEnd.targetStart, atEnd.targetEnd]).toEqual([4, 5]);
  });

  it('keeps the first tokens of a target longer than the budget', () => {
    const w = windowAround({ content, start: 5, end: 15, method: 'pieces' }, frame, 6);
    expect(w.ids).toEqual([101, 5, 6, 7, 8, 102]);
    expect([w.targetStart, w.targetEnd, w.truncated]).toEqual([1, 5, true]);
  });
});

describe('pooling', () => {
  // 1 row x 3 tokens x 2 dims.
  const data = new Float32Array([1, 2, 3, 4, 5, 9]);
  it('mean, first and last over a token range', () => {
    expect([...poolTokens(data, 3, 2, 0, 1, 3, 'mean')]).toEqual([4, 6.5]);
    expect([...poolTokens(data, 3, 2, 0, 1, 3, 'first')]).toEqual([3, 4]);
    expect([...poolTokens(data, 3, 2, 0, 1, 3, 'last')]).toEqual([5, 9]);
    expect(() => poolTokens(data, 3, 2, 0, 2, 2, 'mean')).toThrow(RangeError);
  });
  it('masked mean skips padding', () => {
    expect([...maskedMean(data, 3, 2, 0, [1, 1, 0])]).toEqual([2, 3]);
  });
});
