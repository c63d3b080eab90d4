/**
 * Target alignment from tokenizer offsets (src/models/alignment.ts) on real tokenizer.json files
 * through the Rust tokenizers: the WordPiece fixture, a Metaspace + Unigram tokenizer and the
 * use-lite tokenizer. Expected pieces are written out by hand from each tokenizer's own
 * tokenization of the sentence (printed tokens), so a wrong offset rule fails here.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { maskedMean, maskedMeanInto, poolTokens, poolTokensInto, targetTokens, windowAround } from '../src/models/alignment.js';
import { ModelTokenizer, type EncodedSentence } from '../src/models/tokenizer.js';
import { prepareUseLite } from '../src/models/use-lite/convert.js';
import { InputError, type TargetSpans } from '../src/types.js';
import { familyTokenizer, writeBertFixture } from './helpers/bert-fixture.js';

const source = { file: 'pairs.jsonl', line: 12 };
const cacheDir = process.env.SENSEBENCH_CACHE ?? join(import.meta.dirname, '..', '.cache');

let bert: ModelTokenizer;
let unigram: ModelTokenizer;
let useLite: ModelTokenizer;
let roberta: ModelTokenizer;
let albert: ModelTokenizer;

/** Spans of the `nth` occurrence of each of `targets` in `sentence`. */
function spansOf(sentence: string, ...targets: string[]): TargetSpans {
  let from = 0;
  const spans = targets.map((target) => {
    const start = sentence.indexOf(target, from);
    if (start < 0) throw new Error(`no ${target} in ${sentence}`);
    from = start + target.length;
    return { start, end: start + target.length };
  });
  return spans as unknown as TargetSpans;
}

async function pieces(tokenizer: ModelTokenizer, sentence: string, spans: TargetSpans): Promise<string[]> {
  const encoded = await tokenizer.encode(sentence);
  const tokens = await tokenizer.tokens(sentence);
  return targetTokens(encoded, sentence, spans, source).map((i) => tokens[i]!);
}

beforeAll(async () => {
  const root = mkdtempSync(join(tmpdir(), 'sensebench-align-'));
  const fixture = await writeBertFixture(join(root, 'bert'));
  bert = await ModelTokenizer.load(join(fixture.dir, 'tokenizer.json'));
  const letters = 'abcdefghijklmnopqrstuvwxyzI.,'.split('');
  const vocab: [string, number][] = [
    ['<unk>', 0], ['▁', -3],
    ...['the', 'bank', 'river', 'sat', 'on'].map((w): [string, number] => [`▁${w}`, -2]),
    ['s', -3], ['ban', -3], ['king', -3],
    ...letters.map((l): [string, number] => [l, -6]),
    ...letters.map((l): [string, number] => [`▁${l}`, -7]),
  ];
  const metaspace = { type: 'Metaspace', replacement: '▁', prepend_scheme: 'always', split: true };
  const unigramPath = join(root, 'unigram.json');
  writeFileSync(unigramPath, JSON.stringify({
    version: '1.0', truncation: null, padding: null,
    added_tokens: [{ id: 0, content: '<unk>', special: true, single_word: false, lstrip: false, rstrip: false, normalized: false }],
    normalizer: null, pre_tokenizer: metaspace, post_processor: null, decoder: metaspace,
    model: { type: 'Unigram', unk_id: 0, vocab, byte_fallback: false },
  }));
  unigram = await ModelTokenizer.load(unigramPath);
  for (const family of ['roberta', 'albert'] as const) {
    const path = join(root, `${family}.json`);
    writeFileSync(path, JSON.stringify(familyTokenizer(family).json));
    if (family === 'roberta') roberta = await ModelTokenizer.load(path);
    else albert = await ModelTokenizer.load(path);
  }
  useLite = await ModelTokenizer.load(join((await prepareUseLite(cacheDir)).dir, 'tokenizer.json'));
});

describe('targetTokens with a WordPiece tokenizer (lowercasing, accent stripping)', () => {
  const cases: [string, string[], string[]][] = [
    ['They found it unbelievable, really.', ['unbelievable'], ['un', '##believ', '##able']],
    ['The RIVER Bank, muddy.', ['Bank'], ['bank']],
    ['Bank of the river', ['Bank'], ['bank']],
    ['they sat by the bank', ['bank'], ['bank']],
    ['the bank, closed.', ['bank,'], ['bank', ',']],
    ['the banks closed', ['bank'], ['banks']],
    ['Café naïve', ['naïve'], ['n', '##a', '##i', '##v', '##e']],
    ['the CAFÉ is open', ['CAFÉ'], ['c', '##a', '##f', '##e']],
    ['the cafe\u0301 is open', ['cafe\u0301'], ['c', '##a', '##f', '##e']],
  ];
  for (const [sentence, targets, expected] of cases) {
    it(`finds ${JSON.stringify(targets)} in ${JSON.stringify(sentence)}`, async () => {
      expect(await pieces(bert, sentence, spansOf(sentence, ...targets))).toEqual(expected);
    });
  }

  it('picks the right one of two occurrences of the same word', async () => {
    const encoded = await bert.encode('bank by the bank');
    expect(targetTokens(encoded, 'bank by the bank', [{ start: 12, end: 16 }], source)).toEqual([4]);
  });

  it('pools the tokens of every span of a discontinuous target', async () => {
    const sentence = 'they walked the dog and walked back';
    expect(await pieces(bert, sentence, spansOf(sentence, 'walked', 'dog'))).toEqual(['walked', 'dog']);
    const encoded = await bert.encode(sentence);
    expect(targetTokens(encoded, sentence, spansOf(sentence, 'walked', 'dog'), source)).toEqual([2, 4]);
  });

  it('counts offsets in UTF-16 units after characters outside the BMP', async () => {
    const sentence = 'a 😀 bank';
    expect(await pieces(bert, sentence, spansOf(sentence, 'bank'))).toEqual(['bank']);
    expect(await pieces(bert, sentence, spansOf(sentence, '😀'))).toEqual(['[UNK]']);
  });

  it('throws an InputError naming the source when no token overlaps the target', async () => {
    // The normalizer strips the combining accent, so a span holding only it has no token.
    const sentence = 'the cafe\u0301 is open';
    const encoded = await bert.encode(sentence);
    expect(() => targetTokens(encoded, sentence, [{ start: 8, end: 9 }], source)).toThrow(/^pairs\.jsonl:12: cannot align target "\u0301" at \[8, 9\)/);
  });

  it('rejects spans outside the sentence, empty or blank', async () => {
    const encoded = await bert.encode('a  bank');
    expect(() => targetTokens(encoded, 'a  bank', [{ start: 2, end: 9 }], source)).toThrow(/pairs\.jsonl:12: target span \[2, 9\)/);
    expect(() => targetTokens(encoded, 'a  bank', [{ start: 3, end: 3 }], source)).toThrow(InputError);
    expect(() => targetTokens(encoded, 'a  bank', [{ start: 1, end: 2 }], source)).toThrow(/white space/);
  });
});

describe('targetTokens with SentencePiece-style (Metaspace + Unigram) tokenizers', () => {
  const cases: [string, string, string[]][] = [
    ['I sat on the river bank.', 'bank', ['▁bank']],
    ['I sat on the river bank.', 'I', ['▁I']],
    ['the banks', 'bank', ['▁bank']],
    ['the banks', 'banks', ['▁bank', 's']],
    ['rebanking', 'bank', ['ban', 'king']],
  ];
  for (const [sentence, target, expected] of cases) {
    it(`finds ${JSON.stringify(target)} in ${JSON.stringify(sentence)}`, async () => {
      expect(await pieces(unigram, sentence, spansOf(sentence, target))).toEqual(expected);
    });
  }

  it("use-lite: a whitespace-token target such as 've is the whole token, apostrophe included", async () => {
    // WiC tokenizes "I've" as "I" + "'ve"; the use-lite tokenizer splits it into ▁I ' ve.
    const sentence = "I've been to the bank.";
    expect(await useLite.tokens(sentence)).toEqual(['▁I', "'", 've', '▁been', '▁to', '▁the', '▁bank', '.']);
    expect(await pieces(useLite, sentence, spansOf(sentence, "'ve"))).toEqual(["'", 've']);
    expect(await pieces(useLite, sentence, spansOf(sentence, 'bank'))).toEqual(['▁bank']);
    expect(await pieces(useLite, sentence, spansOf(sentence, 'I'))).toEqual(['▁I']);
    // A leading zero-width "▁" (offsets [0, 0]) never counts.
    const spaced = '  spaced out';
    const encoded = await useLite.encode(spaced);
    expect(encoded.offsets[0]).toEqual([0, 0]);
    expect(await pieces(useLite, spaced, spansOf(spaced, 'spaced'))).toEqual(['▁space', 'd']);
  });
});

describe('targetTokens across tokenizer families (the fixtures of test/onnx-surgery.test.ts)', () => {
  // Expected pieces: each tokenizer's own tokens for the sentence, the word's pieces written out.
  const cases: [string, () => ModelTokenizer, string, string[], string[]][] = [
    ['RoBERTa byte-level BPE', () => roberta, 'Bank of the river', ['Bank'], ['B', 'a', 'n', 'k']],
    ['RoBERTa byte-level BPE', () => roberta, 'Bank of the river', ['river'], ['Ġriver']],
    ['RoBERTa byte-level BPE', () => roberta, 'They found it unbelievable, really.', ['unbelievable'], ['Ġun', 'b', 'e', 'li', 'e', 'v', 'a', 'b', 'le']],
    // "Ġ" before an uppercase word is its own zero-width token (offsets trimmed): excluded.
    ['RoBERTa byte-level BPE', () => roberta, 'The RIVER Bank, muddy.', ['Bank'], ['B', 'a', 'n', 'k']],
    ['RoBERTa byte-level BPE', () => roberta, 'Café naïve by the bank', ['naïve'], ['Ġn', 'a', 'Ã', '¯', 've']],
    ['RoBERTa byte-level BPE', () => roberta, 'Café naïve by the bank', ['Café'], ['C', 'a', 'f', 'Ã', '©']],
    ['RoBERTa byte-level BPE', () => roberta, 'Café naïve by the bank', ['bank'], ['Ġbank']],
    ['ALBERT Metaspace + Unigram', () => albert, 'Bank of the river', ['Bank'], ['▁bank']],
    ['ALBERT Metaspace + Unigram', () => albert, 'Bank of the river', ['river'], ['▁river']],
    ['ALBERT Metaspace + Unigram', () => albert, 'They found it unbelievable, really.', ['unbelievable'], ['▁un', 'believ', 'able']],
    ['ALBERT Metaspace + Unigram', () => albert, 'The RIVER Bank, muddy.', ['RIVER'], ['▁river']],
    ['ALBERT Metaspace + Unigram', () => albert, 'The RIVER Bank, muddy.', ['Bank'], ['▁bank']],
    ['ALBERT Metaspace + Unigram', () => albert, 'Café naïve by the bank', ['naïve'], ['▁n', 'a', 'i', 'v', 'e']],
    ['ALBERT Metaspace + Unigram', () => albert, 'Café naïve by the bank', ['Café'], ['▁c', 'a', 'f', 'e']],
    ['ALBERT Metaspace + Unigram', () => albert, 'they walked the dog', ['walked', 'dog'], ['▁walked', '▁dog']],
  ];
  for (const [family, tokenizer, sentence, targets, expected] of cases) {
    it(`${family}: ${JSON.stringify(targets)} in ${JSON.stringify(sentence)}`, async () => {
      expect(await pieces(tokenizer(), sentence, spansOf(sentence, ...targets))).toEqual(expected);
    });
  }
});

describe('windowAround', () => {
  // [CLS]=101, content 0..19, [SEP]=102.
  const encoded = (n: number): EncodedSentence => ({
    ids: [101, ...Array.from({ length: n }, (_, i) => i), 102],
    offsets: [[0, 0], ...Array.from({ length: n }, (_, i): [number, number] => [i * 2, i * 2 + 1]), [0, 0]],
    special: [true, ...new Array<boolean>(n).fill(false), true],
  });

  it('keeps short sentences whole', () => {
    expect(windowAround(encoded(5), [3], 10)).toEqual({ ids: [101, 0, 1, 2, 3, 4, 102], special: [true, false, false, false, false, false, true], target: [3], truncated: false });
  });

  it('centres the window on the target', () => {
    // Budget 10 - 2 = 8 tokens; target content [10, 12) is 2 long, so 3 tokens before it: window [7, 15).
    expect(windowAround(encoded(20), [11, 12], 10)).toEqual({ ids: [101, 7, 8, 9, 10, 11, 12, 13, 14, 102], special: [true, ...new Array<boolean>(8).fill(false), true], target: [4, 5], truncated: true });
  });

  it('shifts the window inside the sentence near either end', () => {
    const atStart = windowAround(encoded(20), [2], 6);
    expect(atStart.ids).toEqual([101, 0, 1, 2, 3, 102]);
    expect(atStart.target).toEqual([2]);
    const atEnd = windowAround(encoded(20), [20], 6);
    expect(atEnd.ids).toEqual([101, 16, 17, 18, 19, 102]);
    expect(atEnd.target).toEqual([4]);
  });

  it('centres on the range of a discontinuous target and keeps its tokens', () => {
    // Target content tokens 8 and 10: range 3, budget 8, 2 before: window [6, 14).
    expect(windowAround(encoded(20), [9, 11], 10)).toEqual({ ids: [101, 6, 7, 8, 9, 10, 11, 12, 13, 102], special: [true, ...new Array<boolean>(8).fill(false), true], target: [3, 5], truncated: true });
  });

  it('keeps the first tokens of a target longer than the budget', () => {
    const w = windowAround(encoded(20), [6, 7, 8, 9, 10, 11, 12, 13, 14, 15], 6);
    expect(w.ids).toEqual([101, 5, 6, 7, 8, 102]);
    expect([w.target, w.truncated]).toEqual([[1, 2, 3, 4], true]);
  });
});

describe('pooling', () => {
  // 1 row x 3 tokens x 2 dims.
  const data = new Float32Array([1, 2, 3, 4, 5, 9]);
  it('mean, first and last over token positions', () => {
    expect([...poolTokens(data, 3, 2, 0, [1, 2], 'mean')]).toEqual([4, 6.5]);
    expect([...poolTokens(data, 3, 2, 0, [0, 2], 'mean')]).toEqual([3, 5.5]);
    expect([...poolTokens(data, 3, 2, 0, [1, 2], 'first')]).toEqual([3, 4]);
    expect([...poolTokens(data, 3, 2, 0, [1, 2], 'last')]).toEqual([5, 9]);
    expect(() => poolTokens(data, 3, 2, 0, [], 'mean')).toThrow(RangeError);
    expect(() => poolTokens(data, 3, 2, 0, [3], 'mean')).toThrow(RangeError);
  });
  it('masked mean skips padding', () => {
    expect([...maskedMean(data, 3, 2, 0, [1, 1, 0])]).toEqual([2, 3]);
  });
  it('the Into forms write their dim values at the offset and leave the rest of the block alone', () => {
    // 2 rows x 3 tokens x 2 dims; the second row's vectors.
    const two = new Float32Array([0, 0, 0, 0, 0, 0, 1, 2, 3, 4, 5, 9]);
    const block = new Float32Array(8).fill(-1);
    poolTokensInto(block, 1, two, 3, 2, 1, [1, 2], 'mean');
    poolTokensInto(block, 3, two, 3, 2, 1, [1, 2], 'last');
    maskedMeanInto(block, 5, two, 3, 2, 1, new Int32Array([1, 1, 0]));
    expect([...block]).toEqual([-1, 4, 6.5, 5, 9, 2, 3, -1]);
  });
  it('a one-token mean is the float64 sum of that one vector: -0 comes out as +0 (0 + -0), the rest bit for bit', () => {
    const row = new Float32Array([-0, 0, 1.5e-45, -3.4e38, 0.1]); // 1 token x 5 dims
    const mean = poolTokens(row, 1, 5, 0, [0], 'mean');
    expect(Object.is(mean[0], 0)).toBe(true);
    expect(Object.is(mean[1], 0)).toBe(true);
    expect([...mean.slice(2)]).toEqual([...row.slice(2)]);
    // 'first' copies the stored value as is.
    expect(Object.is(poolTokens(row, 1, 5, 0, [0], 'first')[0], -0)).toBe(true);
  });
  it('sums in float64 before rounding once: the same float32 as a float64 reference mean, whatever came before', () => {
    const values = [1e8, 3, 1e-3, 7.25e-4, 16777217, 0.1];
    const tall = new Float32Array(values); // 6 tokens x 1 dim
    const expected = Math.fround(Array.from(tall).reduce((a, b) => a + b, 0) / 6);
    poolTokens(new Float32Array(4096).fill(1e30), 1, 4096, 0, [0], 'mean'); // leaves a wide, dirty scratch behind
    expect(poolTokens(tall, 6, 1, 0, [0, 1, 2, 3, 4, 5], 'mean')[0]).toBe(expected);
    expect(maskedMean(tall, 6, 1, 0, [1, 1, 1, 1, 1, 1])[0]).toBe(expected);
  });
});
