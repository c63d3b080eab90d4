/**
 * Parity of the converted use-lite model with the original package run through TF.js:
 * the tokenizer (tokenizer.json via the Rust tokenizers, the pipeline path, and via @huggingface/transformers, vs the @energetic-ai tokenizer) and
 * every output of model.onnx (via onnxruntime-node vs the TF.js graph's own intermediate nodes).
 * A float64 evaluation of the graph (test/use-lite-reference64.ts) is the exact value both runtimes are held to.
 */
import { readFile, readdir } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { AutoTokenizer, env } from '@huggingface/transformers';
import { parse } from 'csv-parse/sync';
import * as ort from 'onnxruntime-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ModelTokenizer } from '../src/models/tokenizer.js';
import { prepareUseLite } from '../src/models/use-lite/convert.js';
import { UseLiteReference64 } from './use-lite-reference64.js';
import { readUseLiteSource, type VocabEntry } from '../src/models/use-lite/source.js';
import { loadTfjsUseLite, type TfjsUseLite, type TfjsUseLiteStates } from '../bench/use-lite-tfjs.js';
import { adversarialSentences, seededRandom, vocabularyWords } from './use-lite-corpus.js';

const cacheDir = process.env.SENSEBENCH_CACHE ?? join(import.meta.dirname, '..', '.cache');

interface HfTokenizer {
  encode(text: string, options: { add_special_tokens: boolean }): number[];
}

/** Largest absolute difference over the first `count` elements (offsets into each array). */
function maxAbsDiff(a: ArrayLike<number>, aOffset: number, b: ArrayLike<number>, bOffset: number, count: number): number {
  let max = 0;
  for (let i = 0; i < count; i++) max = Math.max(max, Math.abs(a[aOffset + i]! - b[bOffset + i]!));
  return max;
}

/** Sentences as a dataset would have them: ambiguous targets in ordinary prose. */
const NATURAL = [
  'He sat on the bank of the river and watched the water.',
  'She deposited the cheque at the bank before noon.',
  'The bat flew out of the cave at dusk.',
  'He swung the bat and missed the ball.',
  'Spring is my favourite season.',
  'The spring in the old mattress was broken.',
  'Turn off the light when you leave the room.',
  'This bag is light enough to carry all day.',
  'The interest rate rose by half a percent.',
  'Her interest in music began when she was six.',
  'They will play the match on Saturday afternoon.',
  'The play ran for three years on Broadway.',
  'A fair wind carried the ship into the harbour.',
  'The county fair opens next week.',
  'Please record the meeting for those who are absent.',
  'She broke the world record in 2019.',
  'The crane lifted the steel beam onto the roof.',
  'A crane stood motionless in the shallow pond.',
  "I can't believe it's already 10:30!",
  'Dr. Smith (the new surgeon) arrived at 7 a.m.',
];

/** Every sentence of the built-in datasets (lesson, wordnet-wic). */
async function datasetSentences(): Promise<Set<string>> {
  const datasets = join(import.meta.dirname, '..', 'datasets');
  const sentences = new Set<string>();
  const lesson = parse<Record<string, string>>(await readFile(join(datasets, 'lesson', 'lesson.csv')), { columns: true });
  for (const row of lesson) sentences.add(row.sentence1!).add(row.sentence2!);
  for (const split of await readdir(join(datasets, 'wordnet-wic'), { withFileTypes: true })) {
    if (!split.isDirectory()) continue;
    const data = await readFile(join(datasets, 'wordnet-wic', split.name, 'wordnet-wic.data.txt'), 'utf8');
    // WiC data lines: word, pos, indices, sentence 1, sentence 2.
    for (const line of data.split('\n').filter((l) => l !== '')) sentences.add(line.split('\t')[3]!).add(line.split('\t')[4]!);
  }
  return sentences;
}

function naturalSentences(words: readonly string[], count: number): string[] {
  const random = seededRandom(99);
  const sentences = [...NATURAL];
  while (sentences.length < count) {
    const length = 4 + Math.floor(random() * 20);
    const chosen = Array.from({ length }, () => words[Math.floor(random() * words.length)]!);
    chosen[0] = chosen[0]!.charAt(0).toUpperCase() + chosen[0]!.slice(1);
    sentences.push(`${chosen.join(' ')}${random() < 0.5 ? '.' : ', said the man.'}`);
  }
  return sentences;
}

describe('use-lite parity with the original TF.js model', () => {
  let vocab: readonly VocabEntry[];
  let words: string[];
  let hf: HfTokenizer;
  let tfjs: TfjsUseLite;
  let session: ort.InferenceSession;
  let modelPath = '';

  beforeAll(async () => {
    const prepared = await prepareUseLite(cacheDir);
    modelPath = join(prepared.dir, 'onnx', 'model.onnx');
    const source = await readUseLiteSource();
    vocab = source.vocab;
    words = vocabularyWords(vocab);
    const previous = { local: env.localModelPath, remote: env.allowRemoteModels };
    env.localModelPath = dirname(prepared.dir);
    env.allowRemoteModels = false;
    hf = await AutoTokenizer.from_pretrained(basename(prepared.dir));
    env.localModelPath = previous.local;
    env.allowRemoteModels = previous.remote;
    tfjs = await loadTfjsUseLite();
    session = await ort.InferenceSession.create(modelPath, { intraOpNumThreads: 2 });
  });

  afterAll(async () => {
    tfjs.dispose();
    await session.release();
  });

  describe('tokenizer.json', () => {
    const hfIds = (text: string): number[] => hf.encode(text, { add_special_tokens: false });

    it('matches the original on hand-picked edge cases (each quirk of the original)', () => {
      const cases = [
        '', ' ', '   ', 'Hello world', ':)', ':', ': hello', '::', ':-) hi', ':30 and :00', 'a :)', 'x\n:)', '<s> </s> extra_token_id_1',
        '😀😀 hi €€ \uFFFD\uFFFD x', '漢字 and 日本語', 'ｆｕｌｌ ｗｉｄｔｈ', 'ﬁne ﬂour', 'café cafe\u0301', '\u00a0nbsp\u00a0', 'tab\there', 'new\nline',
        'x\ty\nz', '▁already▁marked', '”5 ”5', 'UPPER lower MiXeD', '3.14159 and 1,000,000',
      ];
      for (const text of cases) expect(hfIds(text), JSON.stringify(text)).toEqual(tfjs.tokenize(text));
    });

    it('matches the original on 3,000 adversarial sentences, except exact score ties (documented)', () => {
      const sentences = adversarialSentences(words, 3000, 20251123);
      let exact = 0;
      const ties: string[] = [];
      for (const text of sentences) {
        const original = tfjs.tokenize(text);
        const converted = hfIds(text);
        if (JSON.stringify(original) === JSON.stringify(converted)) {
          exact++;
          continue;
        }
        // The one known divergence: the same pieces in another order over the same text (an exact
        // tie of path scores, which the original breaks towards the later start, Hugging Face towards
        // the earlier). Anything else (other pieces, other text) is a bug.
        const pieces = (ids: readonly number[]): string => ids.map((id) => vocab[id]![0]).join('');
        expect([...converted].sort((a, b) => a - b), JSON.stringify(text)).toEqual([...original].sort((a, b) => a - b));
        expect(pieces(converted), JSON.stringify(text)).toBe(pieces(original));
        ties.push(text);
      }
      expect(exact).toBeGreaterThanOrEqual(2800);
      expect(exact + ties.length).toBe(sentences.length);
    });

    it('gives the same ids through the Rust tokenizers (the ONNX backend path)', async () => {
      const rust = await ModelTokenizer.load(join(dirname(modelPath), '..', 'tokenizer.json'));
      for (const text of adversarialSentences(words, 500, 5)) {
        expect(await rust.ids(text), JSON.stringify(text)).toEqual(hfIds(text));
      }
    });

    it("the Rust tokenizers match the original on every sentence of the project's datasets (lesson, wordnet-wic)", async () => {
      const rust = await ModelTokenizer.load(join(dirname(modelPath), '..', 'tokenizer.json'));
      const sentences = await datasetSentences();
      expect(sentences.size).toBeGreaterThan(1000);
      const encoded = await rust.encodeAll([...sentences]);
      const mismatches = [...sentences].filter((text, i) => JSON.stringify(encoded[i]!.ids) !== JSON.stringify(tfjs.tokenize(text)));
      expect(mismatches).toEqual([]);
    });

    it("matches the original on every sentence of the project's datasets (lesson, wordnet-wic)", async () => {
      const sentences = await datasetSentences();
      expect(sentences.size).toBeGreaterThan(1000);
      const mismatches = [...sentences].filter((text) => JSON.stringify(hfIds(text)) !== JSON.stringify(tfjs.tokenize(text)));
      expect(mismatches).toEqual([]);
    });

    it('reproduces the documented tie divergence exactly as described', () => {
      const piecesOf = (ids: readonly number[]): string[] => ids.map((id) => vocab[id]![0]);
      // Original: later start wins a tie, so the shorter piece comes last; Hugging Face: first.
      expect(piecesOf(tfjs.tokenize('Wow!!!!!!!'))).toEqual(['▁Wow', '!!!!', '!!!']);
      expect(piecesOf(hfIds('Wow!!!!!!!'))).toEqual(['▁Wow', '!!!', '!!!!']);
    });
  });

  describe('model.onnx', () => {
    interface Case {
      readonly text: string;
      readonly states: TfjsUseLiteStates;
    }
    let cases: Case[] = [];
    let onnx: { inputEmbeddings: Float32Array; layer0: Float32Array; layer1: Float32Array; sentence: Float32Array; width: number }[] = [];
    const batchSize = 16;

    beforeAll(async () => {
      const texts = [...naturalSentences(words, 70), ...adversarialSentences(words, 50, 7)];
      cases = [];
      for (const text of texts) {
        const ids = tfjs.tokenize(text);
        if (ids.length === 0 || ids.length > 128) continue;
        cases.push({ text, states: await tfjs.states(text) });
      }
      onnx = [];
      for (let start = 0; start < cases.length; start += batchSize) {
        const batch = cases.slice(start, start + batchSize);
        const width = Math.max(...batch.map((c) => c.states.ids.length));
        const ids = new BigInt64Array(batch.length * width);
        const mask = new BigInt64Array(batch.length * width);
        batch.forEach((c, row) => {
          c.states.ids.forEach((id, column) => {
            ids[row * width + column] = BigInt(id);
            mask[row * width + column] = 1n;
          });
        });
        const out = await session.run({
          input_ids: new ort.Tensor('int64', ids, [batch.length, width]),
          attention_mask: new ort.Tensor('int64', mask, [batch.length, width]),
        });
        const data = (name: string): Float32Array => out[name]!.data as Float32Array;
        const [inputEmbeddings, layer0, layer1, sentence] = [data('input_embeddings'), data('layer_0'), data('layer_1'), data('sentence_embedding')];
        batch.forEach((_, row) => {
          onnx.push({
            inputEmbeddings: inputEmbeddings.slice(row * width * 256, (row + 1) * width * 256),
            layer0: layer0.slice(row * width * 512, (row + 1) * width * 512),
            layer1: layer1.slice(row * width * 512, (row + 1) * width * 512),
            sentence: sentence.slice(row * 512, (row + 1) * 512),
            width,
          });
        });
      }
    });

    it('runs at least 100 sentences, in padded batches', () => {
      expect(cases.length).toBeGreaterThanOrEqual(100);
      const padded = cases.filter((c, i) => c.states.ids.length < onnx[i]!.width);
      expect(padded.length).toBeGreaterThan(50);
    });

    it('matches every TF.js state: input embeddings exactly, layer_0 and the sentence embedding within 1e-4', () => {
      let worst = { input: 0, layer0: 0, layer1: 0, sentence: 0 };
      cases.forEach((c, i) => {
        const n = c.states.ids.length;
        const o = onnx[i]!;
        const d = {
          input: maxAbsDiff(c.states.inputEmbeddings, 0, o.inputEmbeddings, 0, n * 256),
          layer0: maxAbsDiff(c.states.layer0, 0, o.layer0, 0, n * 512),
          layer1: maxAbsDiff(c.states.layer1, 0, o.layer1, 0, n * 512),
          sentence: maxAbsDiff(c.states.sentence, 0, o.sentence, 0, 512),
        };
        worst = { input: Math.max(worst.input, d.input), layer0: Math.max(worst.layer0, d.layer0), layer1: Math.max(worst.layer1, d.layer1), sentence: Math.max(worst.sentence, d.sentence) };
        // Padding positions are zero in every per-token output.
        expect(o.layer1.subarray(n * 512).every((v) => v === 0), c.text).toBe(true);
      });
      expect(worst.input).toBe(0);
      expect(worst.layer0).toBeLessThanOrEqual(1e-4);
      expect(worst.sentence).toBeLessThanOrEqual(1e-5);
      // Layer 1 (|x| up to ~55) is held to 4e-4, not 1e-4: TF.js's own float32 result is up to
      // ~2e-4 away from the exact value (see the float64 test below), so 1e-4 cannot be met by any
      // float32 runtime; the ONNX model itself is within 1e-4 of the exact value.
      expect(worst.layer1).toBeLessThanOrEqual(4e-4);
      expect(worst.layer1).toBeGreaterThan(0); // the runtimes really are different
    });

    it('gives the same outputs padded as unpadded (padding never leaks into real positions)', async () => {
      for (const [i, c] of cases.slice(0, batchSize).entries()) {
        const n = c.states.ids.length;
        const out = await session.run({
          input_ids: new ort.Tensor('int64', BigInt64Array.from(c.states.ids.map(BigInt)), [1, n]),
          attention_mask: new ort.Tensor('int64', new BigInt64Array(n).fill(1n), [1, n]),
        });
        expect(maxAbsDiff(out.layer_1!.data as Float32Array, 0, onnx[i]!.layer1, 0, n * 512), c.text).toBeLessThanOrEqual(1e-5);
        expect(maxAbsDiff(out.sentence_embedding!.data as Float32Array, 0, onnx[i]!.sentence, 0, 512), c.text).toBeLessThanOrEqual(1e-6);
      }
    });

    it("matches the original package's own batched embed() on a padded batch", async () => {
      const batch = cases.slice(0, batchSize);
      const embedded = await tfjs.embed(batch.map((c) => c.text));
      batch.forEach((c, i) => {
        expect(maxAbsDiff(embedded[i]!, 0, onnx[i]!.sentence, 0, 512), c.text).toBeLessThanOrEqual(1e-5);
      });
    });

    it('is within 1e-4 of the exact (float64) value of the graph, closer than TF.js on layer 1', async () => {
      const reference = new UseLiteReference64((await readUseLiteSource()).weights);
      let onnxWorst = 0;
      let tfjsWorst = 0;
      for (const [i, c] of cases.slice(0, 10).entries()) {
        const exact = reference.run(c.states.ids);
        const n = c.states.ids.length;
        expect(maxAbsDiff(exact.layer0, 0, onnx[i]!.layer0, 0, n * 512), c.text).toBeLessThanOrEqual(1e-4);
        expect(maxAbsDiff(exact.sentence, 0, onnx[i]!.sentence, 0, 512), c.text).toBeLessThanOrEqual(1e-5);
        onnxWorst = Math.max(onnxWorst, maxAbsDiff(exact.layer1, 0, onnx[i]!.layer1, 0, n * 512));
        tfjsWorst = Math.max(tfjsWorst, maxAbsDiff(exact.layer1, 0, c.states.layer1, 0, n * 512));
      }
      expect(onnxWorst).toBeLessThanOrEqual(1e-4);
      expect(onnxWorst).toBeLessThan(tfjsWorst);
    });

    it('reads the converted model through the tokenizer.json ids as well (the pipeline path)', async () => {
      const text = NATURAL[0]!;
      const ids = hf.encode(text, { add_special_tokens: false });
      expect(ids).toEqual([...cases[0]!.states.ids]);
      const out = await session.run({
        input_ids: new ort.Tensor('int64', BigInt64Array.from(ids.map(BigInt)), [1, ids.length]),
        attention_mask: new ort.Tensor('int64', new BigInt64Array(ids.length).fill(1n), [1, ids.length]),
      });
      expect(maxAbsDiff(out.sentence_embedding!.data as Float32Array, 0, cases[0]!.states.sentence, 0, 512)).toBeLessThanOrEqual(1e-5);
      const file = JSON.parse(await readFile(join(dirname(modelPath), '..', 'tokenizer.json'), 'utf8')) as { model: { type: string } };
      expect(file.model.type).toBe('Unigram');
    });
  });
});
