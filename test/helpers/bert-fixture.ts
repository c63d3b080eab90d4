/**
 * A small BERT-architecture model directory in the transformers.js layout, built with the
 * sensebench ONNX builder from seeded random weights: 2 layers, hidden 32, 2 heads, a WordPiece
 * tokenizer with a few hundred pieces (as a Hub `tokenizer.json` export has it), and the weights
 * returned in plain arrays so that tests can run an independent JavaScript forward pass.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { GraphBuilder, attr } from '../../src/onnx/builder.js';
import { mulberry32 } from '../../src/random.js';

export const SPECIAL_TOKENS = ['[PAD]', '[UNK]', '[CLS]', '[SEP]', '[MASK]'] as const;

/** Whole words of the fixture vocabulary (the sentences in tests use these). */
export const WORDS = [
  'the', 'a', 'an', 'of', 'to', 'in', 'on', 'at', 'by', 'and', 'or', 'but', 'is', 'was', 'are', 'were', 'be', 'it', 'he', 'she',
  'they', 'we', 'you', 'i', 'his', 'her', 'their', 'this', 'that', 'with', 'from', 'for', 'as', 'not', 'there', 'river', 'money',
  'bank', 'banks', 'deposit', 'water', 'fish', 'boat', 'sat', 'went', 'go', 'walk', 'walked', 'run', 'ran', 'play', 'game', 'music',
  'band', 'loud', 'quiet', 'bright', 'light', 'heavy', 'dark', 'room', 'house', 'tree', 'bark', 'dog', 'cat', 'loan', 'account', 'open',
  'closed', 'shore', 'muddy', 'green', 'old', 'new', 'big', 'small', 'long', 'day', 'night', 'year', 'time', 'people', 'city', 'road',
  'table', 'chair', 'book', 'read', 'wrote', 'letter', 'word', 'sense', 'meaning', 'plant', 'factory', 'leaf', 'spring', 'season',
  'coil', 'metal', 'jump', 'bat', 'ball', 'cave', 'wing', 'fly', 'fair', 'price', 'just', 'very', 'quite', 'much', 'many', 'some',
  'un', 're', 'pre', 'trans', 'form', 'port', 'act', 'test',
];

/** Continuation pieces (`##...`) beyond the single letters. */
export const CONTINUATIONS = [
  'ing', 'ed', 's', 'es', 'er', 'ers', 'est', 'ly', 'ness', 'ment', 'tion', 'able', 'ible', 'ful', 'less', 'ize', 'ized', 'ity',
  'believ', 'ation', 'ative', 'er', 'port', 'form', 'act', 'side',
];

const PUNCTUATION = ['.', ',', '!', '?', ';', ':', "'", '"', '-', '(', ')'];
const LETTERS = 'abcdefghijklmnopqrstuvwxyz'.split('');
const DIGITS = '0123456789'.split('');

/** The vocabulary in id order. */
export function fixtureVocabulary(): string[] {
  const vocab: string[] = [];
  const seen = new Set<string>();
  const add = (piece: string): void => {
    if (!seen.has(piece)) {
      seen.add(piece);
      vocab.push(piece);
    }
  };
  for (const piece of SPECIAL_TOKENS) add(piece);
  for (const piece of PUNCTUATION) add(piece);
  for (const piece of DIGITS) add(piece);
  for (const piece of LETTERS) add(piece);
  for (const l of LETTERS) add(`##${l}`);
  for (const d of DIGITS) add(`##${d}`);
  for (const piece of WORDS) add(piece);
  for (const c of CONTINUATIONS) add(`##${c}`);
  return vocab;
}

export interface BertFixtureConfig {
  readonly hidden: number;
  readonly layers: number;
  readonly heads: number;
  readonly intermediate: number;
  readonly maxPositions: number;
  readonly vocabSize: number;
  readonly layerNormEps: number;
}

export interface LayerWeights {
  readonly wq: Float32Array; readonly bq: Float32Array;
  readonly wk: Float32Array; readonly bk: Float32Array;
  readonly wv: Float32Array; readonly bv: Float32Array;
  readonly wo: Float32Array; readonly bo: Float32Array;
  readonly ln1g: Float32Array; readonly ln1b: Float32Array;
  readonly w1: Float32Array; readonly b1: Float32Array;
  readonly w2: Float32Array; readonly b2: Float32Array;
  readonly ln2g: Float32Array; readonly ln2b: Float32Array;
}

export interface BertWeights {
  readonly config: BertFixtureConfig;
  readonly wordEmbeddings: Float32Array;
  readonly positionEmbeddings: Float32Array;
  readonly typeEmbeddings: Float32Array;
  readonly embLnG: Float32Array;
  readonly embLnB: Float32Array;
  readonly layers: readonly LayerWeights[];
}


export function makeBertWeights(seed = 7, overrides: Partial<BertFixtureConfig> = {}): BertWeights {
  const config: BertFixtureConfig = {
    hidden: 32, layers: 2, heads: 2, intermediate: 64, maxPositions: 64, vocabSize: fixtureVocabulary().length, layerNormEps: 1e-12,
    ...overrides,
  };
  const random = mulberry32(seed).next;
  const uniform = (n: number, scale: number, offset = 0): Float32Array => Float32Array.from({ length: n }, () => offset + (random() * 2 - 1) * scale);
  const { hidden: h, intermediate: f } = config;
  const layer = (): LayerWeights => ({
    wq: uniform(h * h, 0.5), bq: uniform(h, 0.1),
    wk: uniform(h * h, 0.5), bk: uniform(h, 0.1),
    wv: uniform(h * h, 0.3), bv: uniform(h, 0.1),
    wo: uniform(h * h, 0.3), bo: uniform(h, 0.1),
    ln1g: uniform(h, 0.2, 1), ln1b: uniform(h, 0.1),
    w1: uniform(h * f, 0.3), b1: uniform(f, 0.1),
    w2: uniform(f * h, 0.3), b2: uniform(h, 0.1),
    ln2g: uniform(h, 0.2, 1), ln2b: uniform(h, 0.1),
  });
  return {
    config,
    wordEmbeddings: uniform(config.vocabSize * h, 1),
    positionEmbeddings: uniform(config.maxPositions * h, 0.5),
    typeEmbeddings: uniform(2 * h, 0.5),
    embLnG: uniform(h, 0.2, 1),
    embLnB: uniform(h, 0.1),
    layers: Array.from({ length: config.layers }, layer),
  };
}

/** Which inputs the graph declares (both by default, as a Hub BERT export has). */
export interface BertGraphInputs {
  readonly attentionMask?: boolean;
  readonly tokenTypeIds?: boolean;
  /** Take position ids as an input (as some exports do) instead of computing 0..n-1 in the graph. */
  readonly positionIds?: boolean;
}

/** The BERT encoder as an ONNX graph (opset 17), exposing every hidden state. */
export function buildBertOnnx(weights: BertWeights, inputs: BertGraphInputs = {}): Uint8Array {
  const { hidden: h, heads, intermediate: f, maxPositions, vocabSize, layerNormEps } = weights.config;
  const dh = h / heads;
  const g = new GraphBuilder('tiny_bert');
  const ids = g.input('input_ids', 'int64', ['batch', 'sequence']);
  const mask = inputs.attentionMask === false ? undefined : g.input('attention_mask', 'int64', ['batch', 'sequence']);
  // Without a token_type_ids input every token has type 0, as the model code assumes then.
  const types = inputs.tokenTypeIds === false ? g.node('Mul', [ids, g.constant(new BigInt64Array([0n]), [])]) : g.input('token_type_ids', 'int64', ['batch', 'sequence']);

  const wordEmb = g.initializer('embeddings.word_embeddings.weight', weights.wordEmbeddings, [vocabSize, h]);
  const posEmb = g.initializer('embeddings.position_embeddings.weight', weights.positionEmbeddings, [maxPositions, h]);
  const typeEmb = g.initializer('embeddings.token_type_embeddings.weight', weights.typeEmbeddings, [2, h]);
  const positions =
    inputs.positionIds === true
      ? g.input('position_ids', 'int64', ['batch', 'sequence'])
      : g.node('Range', [
          g.constant(new BigInt64Array([0n]), []),
          g.node('Gather', [g.node('Shape', [ids]), g.constant(new BigInt64Array([1n]), [])], { axis: 0 }),
          g.constant(new BigInt64Array([1n]), []),
        ]);
  const summed = g.node('Add', [
    g.node('Add', [g.node('Gather', [wordEmb, ids], { axis: 0 }), g.node('Gather', [posEmb, positions], { axis: 0 })]),
    g.node('Gather', [typeEmb, types], { axis: 0 }),
  ]);
  const layerNorm = (x: string, gamma: Float32Array, beta: Float32Array): string =>
    g.node('LayerNormalization', [x, g.constant(gamma, [h]), g.constant(beta, [h])], { axis: -1, epsilon: attr.float(layerNormEps) });
  let hiddenState = layerNorm(summed, weights.embLnG, weights.embLnB);
  g.output(hiddenState, 'hidden_states.0', 'float32', ['batch', 'sequence', h]);

  // Additive mask [B,1,1,S]: 0 where attended, -10000 on padding (as the original BERT).
  const maskBias =
    mask === undefined
      ? undefined
      : g.node('Mul', [
          g.node('Sub', [g.constant(new Float32Array([1]), []), g.node('Cast', [g.node('Unsqueeze', [mask, g.constant(new BigInt64Array([1n, 2n]), [2])])], { to: 1 })]),
          g.constant(new Float32Array([-10000]), []),
        ]);
  const headShape = g.constant(new BigInt64Array([0n, 0n, BigInt(heads), BigInt(dh)]), [4]);
  const mergedShape = g.constant(new BigInt64Array([0n, 0n, BigInt(h)]), [3]);
  const scale = g.constant(new Float32Array([1 / Math.sqrt(dh)]), []);
  const linear = (x: string, w: Float32Array, b: Float32Array, inDim: number, outDim: number): string =>
    g.node('Add', [g.node('MatMul', [x, g.constant(w, [inDim, outDim])]), g.constant(b, [outDim])]);

  weights.layers.forEach((lw, index) => {
    const split = (x: string, perm: number[]): string => g.node('Transpose', [g.node('Reshape', [x, headShape])], { perm });
    const q = split(linear(hiddenState, lw.wq, lw.bq, h, h), [0, 2, 1, 3]);
    const kT = split(linear(hiddenState, lw.wk, lw.bk, h, h), [0, 2, 3, 1]);
    const v = split(linear(hiddenState, lw.wv, lw.bv, h, h), [0, 2, 1, 3]);
    const scaled = g.node('Mul', [g.node('MatMul', [q, kT]), scale]);
    const scores = maskBias === undefined ? scaled : g.node('Add', [scaled, maskBias]);
    const context = g.node('MatMul', [g.node('Softmax', [scores], { axis: -1 }), v]);
    const merged = g.node('Reshape', [g.node('Transpose', [context], { perm: [0, 2, 1, 3] }), mergedShape]);
    const attended = layerNorm(g.node('Add', [hiddenState, linear(merged, lw.wo, lw.bo, h, h)]), lw.ln1g, lw.ln1b);
    const pre = linear(attended, lw.w1, lw.b1, h, f);
    // Exact GELU: x * 0.5 * (1 + erf(x / sqrt 2)).
    const erf = g.node('Erf', [g.node('Div', [pre, g.constant(new Float32Array([Math.SQRT2]), [])])]);
    const gelu = g.node('Mul', [g.node('Mul', [pre, g.constant(new Float32Array([0.5]), [])]), g.node('Add', [erf, g.constant(new Float32Array([1]), [])])]);
    hiddenState = layerNorm(g.node('Add', [attended, linear(gelu, lw.w2, lw.b2, f, h)]), lw.ln2g, lw.ln2b);
    g.output(hiddenState, `hidden_states.${index + 1}`, 'float32', ['batch', 'sequence', h]);
  });
  g.output(hiddenState, 'last_hidden_state', 'float32', ['batch', 'sequence', h]);
  return g.toBytes({ opset: 17, producer: 'sensebench-test' });
}

/** A Hub-style WordPiece `tokenizer.json` for the fixture vocabulary. */
export function bertTokenizerJson(vocab: readonly string[]): unknown {
  const id = (t: string): number => vocab.indexOf(t);
  return {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: SPECIAL_TOKENS.map((content) => ({
      id: id(content), content, single_word: false, lstrip: false, rstrip: false, normalized: false, special: true,
    })),
    normalizer: { type: 'BertNormalizer', clean_text: true, handle_chinese_chars: true, strip_accents: null, lowercase: true },
    pre_tokenizer: { type: 'BertPreTokenizer' },
    post_processor: {
      type: 'TemplateProcessing',
      single: [{ SpecialToken: { id: '[CLS]', type_id: 0 } }, { Sequence: { id: 'A', type_id: 0 } }, { SpecialToken: { id: '[SEP]', type_id: 0 } }],
      pair: [
        { SpecialToken: { id: '[CLS]', type_id: 0 } }, { Sequence: { id: 'A', type_id: 0 } }, { SpecialToken: { id: '[SEP]', type_id: 0 } },
        { Sequence: { id: 'B', type_id: 1 } }, { SpecialToken: { id: '[SEP]', type_id: 1 } },
      ],
      special_tokens: {
        '[CLS]': { id: '[CLS]', ids: [id('[CLS]')], tokens: ['[CLS]'] },
        '[SEP]': { id: '[SEP]', ids: [id('[SEP]')], tokens: ['[SEP]'] },
      },
    },
    decoder: { type: 'WordPiece', prefix: '##', cleanup: true },
    model: {
      type: 'WordPiece', unk_token: '[UNK]', continuing_subword_prefix: '##', max_input_chars_per_word: 100,
      vocab: Object.fromEntries(vocab.map((t, i) => [t, i])),
    },
  };
}

export interface BertFixture {
  readonly dir: string;
  readonly weights: BertWeights;
  readonly vocab: readonly string[];
}

/**
 * Writes the fixture directory (`config.json`, `tokenizer.json`, `tokenizer_config.json`,
 * `onnx/model.onnx`) under `dir`. `configExtra` is merged into config.json (e.g. a `sensebench` block).
 */
export async function writeBertFixture(
  dir: string,
  options: { seed?: number; maxPositions?: number; configExtra?: Record<string, unknown>; inputs?: BertGraphInputs } = {},
): Promise<BertFixture> {
  const vocab = fixtureVocabulary();
  const weights = makeBertWeights(options.seed ?? 7, options.maxPositions !== undefined ? { maxPositions: options.maxPositions } : {});
  const c = weights.config;
  await mkdir(join(dir, 'onnx'), { recursive: true });
  await writeFile(join(dir, 'onnx', 'model.onnx'), buildBertOnnx(weights, options.inputs));
  await writeFile(join(dir, 'tokenizer.json'), JSON.stringify(bertTokenizerJson(vocab)));
  await writeFile(join(dir, 'tokenizer_config.json'), JSON.stringify({
    tokenizer_class: 'BertTokenizer', do_lower_case: true, model_max_length: 512, clean_up_tokenization_spaces: true,
    cls_token: '[CLS]', sep_token: '[SEP]', pad_token: '[PAD]', unk_token: '[UNK]', mask_token: '[MASK]',
  }));
  await writeFile(join(dir, 'config.json'), JSON.stringify({
    model_type: 'bert', architectures: ['BertModel'], hidden_size: c.hidden, num_hidden_layers: c.layers,
    num_attention_heads: c.heads, intermediate_size: c.intermediate, max_position_embeddings: c.maxPositions,
    vocab_size: c.vocabSize, type_vocab_size: 2, layer_norm_eps: c.layerNormEps, pad_token_id: 0, hidden_act: 'gelu',
    ...options.configExtra,
  }));
  return { dir, weights, vocab };
}

/** Independent float64 forward pass of the fixture BERT for one unpadded sequence: every hidden state, [layer][token][dim]. */
export function referenceForward(weights: BertWeights, ids: readonly number[]): number[][][] {
  const { hidden: h, heads, intermediate: f, layerNormEps } = weights.config;
  const dh = h / heads;
  const n = ids.length;
  const layerNorm = (x: number[], gamma: Float32Array, beta: Float32Array): number[] => {
    const mean = x.reduce((a, v) => a + v, 0) / x.length;
    const variance = x.reduce((a, v) => a + (v - mean) ** 2, 0) / x.length;
    return x.map((v, i) => ((v - mean) / Math.sqrt(variance + layerNormEps)) * gamma[i]! + beta[i]!);
  };
  const linear = (x: number[], w: Float32Array, b: Float32Array, outDim: number): number[] =>
    Array.from({ length: outDim }, (_, o) => x.reduce((a, v, i) => a + v * w[i * outDim + o]!, b[o]!));
  const erf = (x: number): number => {
    // Abramowitz-Stegun 7.1.26 is too coarse for 1e-4 after two layers; use a series / continued fraction.
    const t = Math.abs(x);
    if (t < 3) {
      let sum = t;
      let term = t;
      for (let k = 1; k < 60; k++) {
        term *= (-t * t) / k;
        sum += term / (2 * k + 1);
      }
      return Math.sign(x) * (2 / Math.sqrt(Math.PI)) * sum;
    }
    return Math.sign(x) * (1 - Math.exp(-t * t) / (t * Math.sqrt(Math.PI)) * (1 - 1 / (2 * t * t) + 3 / (4 * t ** 4)));
  };
  let states = ids.map((id, p) =>
    layerNorm(
      Array.from({ length: h }, (_, d) => weights.wordEmbeddings[id * h + d]! + weights.positionEmbeddings[p * h + d]! + weights.typeEmbeddings[d]!),
      weights.embLnG,
      weights.embLnB,
    ),
  );
  const all = [states];
  for (const lw of weights.layers) {
    const q = states.map((x) => linear(x, lw.wq, lw.bq, h));
    const k = states.map((x) => linear(x, lw.wk, lw.bk, h));
    const v = states.map((x) => linear(x, lw.wv, lw.bv, h));
    const context = states.map(() => new Array<number>(h).fill(0));
    for (let head = 0; head < heads; head++) {
      for (let i = 0; i < n; i++) {
        const scores = Array.from({ length: n }, (_, j) => {
          let s = 0;
          for (let d = 0; d < dh; d++) s += q[i]![head * dh + d]! * k[j]![head * dh + d]!;
          return s / Math.sqrt(dh);
        });
        const max = Math.max(...scores);
        const e = scores.map((s) => Math.exp(s - max));
        const total = e.reduce((a, b) => a + b, 0);
        for (let j = 0; j < n; j++) {
          for (let d = 0; d < dh; d++) context[i]![head * dh + d]! += (e[j]! / total) * v[j]![head * dh + d]!;
        }
      }
    }
    const attended = states.map((x, i) => layerNorm(linear(context[i]!, lw.wo, lw.bo, h).map((o, d) => o + x[d]!), lw.ln1g, lw.ln1b));
    states = attended.map((a) => {
      const gelu = linear(a, lw.w1, lw.b1, f).map((x) => 0.5 * x * (1 + erf(x / Math.SQRT2)));
      return layerNorm(linear(gelu, lw.w2, lw.b2, h).map((o, d) => o + a[d]!), lw.ln2g, lw.ln2b);
    });
    all.push(states);
  }
  return all;
}
