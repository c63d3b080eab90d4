/**
 * A small BERT-architecture model directory in the transformers.js layout, built with the
 * sensebench ONNX builder from seeded random weights: 2 layers, hidden 32, 2 heads, a WordPiece
 * tokenizer with a few hundred pieces (as a Hub `tokenizer.json` export has it), and the weights
 * returned in plain arrays so that tests can run an independent JavaScript forward pass.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import onnxProto from 'onnx-proto';
import { GraphBuilder, attr, decodeModel } from '../../src/onnx/builder.js';
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
  /** Embedding width; differs from `hidden` only for ALBERT (then a projection follows the embedding LayerNorm). */
  readonly embedding: number;
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
  /** Absent for families without token types (DistilBERT). */
  readonly typeEmbeddings: Float32Array | undefined;
  readonly embLnG: Float32Array;
  readonly embLnB: Float32Array;
  /** ALBERT's embedding-to-hidden projection `[embedding, hidden]` and bias. */
  readonly projection: { readonly w: Float32Array; readonly b: Float32Array } | undefined;
  /** Position of token i is `positionOffset + i` (RoBERTa: padding index + 1). */
  readonly positionOffset: number;
  /** One entry per layer; ALBERT repeats one object (its shared layer). */
  readonly layers: readonly LayerWeights[];
}

/** The architecture families the fixtures mimic (parameter names, embeddings, positions). */
/** `electra`: ELECTRA-small's narrower embeddings, projected to the hidden width by `embeddings_project`. */
export type FixtureFamily = 'bert' | 'roberta' | 'distilbert' | 'albert' | 'electra';

/** How the export is laid out, as the real exporters produce it. */
export interface FixtureLayout {
  readonly family: FixtureFamily;
  /**
   * `fused`: LayerNormalization (opset 17); `decomposed`: ReduceMean/Sub/Pow/Sqrt/Div/Mul/Add
   * (opset 14, Optimum before 17); `ort-fused` (BERT only): what onnxruntime's transformer optimizer
   * writes, com.microsoft EmbedLayerNormalization for the embeddings (no separate word-embedding
   * Gather) and SkipLayerNormalization for residual + LayerNorm.
   */
  readonly layerNorm: 'fused' | 'decomposed' | 'ort-fused';
  /**
   * `hidden-states`: every hidden state plus last_hidden_state; `last`: only last_hidden_state (a
   * standard export); `logits`: only a classification head; `sentence-embedding`:
   * last_hidden_state and a sentence-transformers `sentence_embedding` (mean over the mask).
   */
  readonly outputs: 'hidden-states' | 'last' | 'logits' | 'sentence-embedding';
  /** Parameter-name prefix of a model with a head (`bert.`, `roberta.`, `distilbert.`). */
  readonly prefix?: string;
  /**
   * The word embeddings and each layer's output LayerNorm weight stored int8 with a scale and read
   * through DequantizeLinear, so that the graph reaches them only under quantizer names
   * (`..._quantized`, `..._DequantizeLinear`). MatMul weights stay float: onnxruntime fuses a
   * DequantizeLinear -> MatMul pair into an int8 kernel that also quantizes the activations, which
   * no plain forward pass reproduces to 1e-5.
   */
  readonly quantized?: boolean;
  /** The word-embedding Gather reads the ids cast to int32 (as some exporters emit). */
  readonly castIds?: boolean;
  /** Weights in `model.onnx_data` beside the graph (external data, as exports over 2 GB). */
  readonly externalData?: boolean;
}

export const BERT_LAYOUT: FixtureLayout = { family: 'bert', layerNorm: 'fused', outputs: 'hidden-states' };

export function makeBertWeights(seed = 7, overrides: Partial<BertFixtureConfig> = {}, family: FixtureFamily = 'bert'): BertWeights {
  const config: BertFixtureConfig = {
    hidden: 32, layers: 2, heads: 2, intermediate: 64, maxPositions: 64, vocabSize: fixtureVocabulary().length, layerNormEps: 1e-12,
    embedding: family === 'albert' || family === 'electra' ? 16 : 32,
    ...overrides,
  };
  const random = mulberry32(seed).next;
  const uniform = (n: number, scale: number, offset = 0): Float32Array => Float32Array.from({ length: n }, () => offset + (random() * 2 - 1) * scale);
  const { hidden: h, intermediate: f, embedding: e } = config;
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
  const positionOffset = family === 'roberta' ? 2 : 0;
  const wordEmbeddings = uniform(config.vocabSize * e, 1);
  const positionEmbeddings = uniform((config.maxPositions + positionOffset) * e, 0.5);
  const typeEmbeddings = family === 'distilbert' ? undefined : uniform((family === 'roberta' ? 1 : 2) * e, 0.5);
  const embLnG = uniform(e, 0.2, 1);
  const embLnB = uniform(e, 0.1);
  const projection = family === 'albert' || family === 'electra' ? { w: uniform(e * h, 0.5), b: uniform(h, 0.1) } : undefined;
  const shared = family === 'albert' ? layer() : undefined;
  const layers = Array.from({ length: config.layers }, () => shared ?? layer());
  return { config, wordEmbeddings, positionEmbeddings, typeEmbeddings, embLnG, embLnB, projection, positionOffset, layers };
}

/** Which inputs the graph declares (both by default, as a Hub BERT export has). */
export interface BertGraphInputs {
  readonly attentionMask?: boolean;
  readonly tokenTypeIds?: boolean;
  /** Take position ids as an input (as some exports do) instead of computing 0..n-1 in the graph. */
  readonly positionIds?: boolean;
}

/** Hugging Face parameter names of one family (what the exporters keep as initializer names). */
function parameterNames(layout: FixtureLayout): {
  word: string; position: string; type: string; embLn: string; projection: string;
  layer: (n: number) => { q: string; k: string; v: string; o: string; ln1: string; ff1: string; ff2: string; ln2: string };
} {
  const p = layout.prefix ?? '';
  if (layout.family === 'distilbert') {
    return {
      word: `${p}embeddings.word_embeddings`, position: `${p}embeddings.position_embeddings`, type: '', embLn: `${p}embeddings.LayerNorm`, projection: '',
      layer: (n) => {
        const l = `${p}transformer.layer.${n}`;
        return { q: `${l}.attention.q_lin`, k: `${l}.attention.k_lin`, v: `${l}.attention.v_lin`, o: `${l}.attention.out_lin`, ln1: `${l}.sa_layer_norm`, ff1: `${l}.ffn.lin1`, ff2: `${l}.ffn.lin2`, ln2: `${l}.output_layer_norm` };
      },
    };
  }
  if (layout.family === 'albert') {
    const l = `${p}encoder.albert_layer_groups.0.albert_layers.0`;
    return {
      word: `${p}embeddings.word_embeddings`, position: `${p}embeddings.position_embeddings`, type: `${p}embeddings.token_type_embeddings`, embLn: `${p}embeddings.LayerNorm`,
      projection: `${p}encoder.embedding_hidden_mapping_in`,
      layer: () => ({ q: `${l}.attention.query`, k: `${l}.attention.key`, v: `${l}.attention.value`, o: `${l}.attention.dense`, ln1: `${l}.attention.LayerNorm`, ff1: `${l}.ffn`, ff2: `${l}.ffn_output`, ln2: `${l}.full_layer_layer_norm` }),
    };
  }
  return {
    word: `${p}embeddings.word_embeddings`, position: `${p}embeddings.position_embeddings`, type: `${p}embeddings.token_type_embeddings`, embLn: `${p}embeddings.LayerNorm`, projection: layout.family === 'electra' ? `${p}embeddings_project` : '',
    layer: (n) => {
      const l = `${p}encoder.layer.${n}`;
      return { q: `${l}.attention.self.query`, k: `${l}.attention.self.key`, v: `${l}.attention.self.value`, o: `${l}.attention.output.dense`, ln1: `${l}.attention.output.LayerNorm`, ff1: `${l}.intermediate.dense`, ff2: `${l}.output.dense`, ln2: `${l}.output.LayerNorm` };
    },
  };
}

/** int8 values and a scale whose product reproduces `data` as closely as int8 allows. */
function quantize(data: Float32Array): { q: Int8Array; scale: number } {
  const max = data.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
  const scale = Math.fround(max / 127 || 1);
  return { q: Int8Array.from(data, (v) => Math.max(-127, Math.min(127, Math.round(v / scale)))), scale };
}

/** The weights the quantized fixture computes with: int8 x scale in float32 (what DequantizeLinear yields) where {@link FixtureLayout.quantized} stores int8. */
export function dequantizedWeights(weights: BertWeights): BertWeights {
  const dq = (data: Float32Array): Float32Array => {
    const { q, scale } = quantize(data);
    return Float32Array.from(q, (v) => Math.fround(v * scale));
  };
  const cache = new Map<LayerWeights, LayerWeights>();
  const layer = (l: LayerWeights): LayerWeights => {
    const done = cache.get(l);
    if (done) return done;
    const out = { ...l, ln2g: dq(l.ln2g) };
    cache.set(l, out);
    return out;
  };
  return { ...weights, wordEmbeddings: dq(weights.wordEmbeddings), layers: weights.layers.map(layer) };
}

/**
 * A Hub-style encoder export of `weights` as an ONNX graph (see {@link FixtureLayout}): initializers
 * carry Hugging Face parameter names, nodes the exporter's path-like names.
 */
export function buildBertOnnx(weights: BertWeights, inputs: BertGraphInputs = {}, layout: FixtureLayout = BERT_LAYOUT): Uint8Array {
  const { hidden: h, heads, intermediate: f, maxPositions, vocabSize, layerNormEps, embedding: e } = weights.config;
  const names = parameterNames(layout);
  const dh = h / heads;
  const g = new GraphBuilder('tiny_encoder');
  const ids = g.input('input_ids', 'int64', ['batch_size', 'sequence_length']);
  const mask = inputs.attentionMask === false ? undefined : g.input('attention_mask', 'int64', ['batch_size', 'sequence_length']);
  const hasTypes = weights.typeEmbeddings !== undefined && inputs.tokenTypeIds !== false && layout.family !== 'roberta';
  const typesInput = hasTypes ? g.input('token_type_ids', 'int64', ['batch_size', 'sequence_length']) : undefined;

  /** A weight as the graph reads it: the initializer itself, or its int8 copy through DequantizeLinear. */
  const weight = (name: string, data: Float32Array, dims: number[], quantizable: boolean): string => {
    if (layout.quantized !== true || !quantizable) return g.initializer(name, data, dims);
    const { q, scale } = quantize(data);
    const qName = g.initializer(`${name}_quantized`, q, dims, 'int8');
    const sName = g.initializer(`${name}_scale`, new Float32Array([scale]), []);
    const zName = g.initializer(`${name}_zero_point`, new Int8Array([0]), [], 'int8');
    return g.node('DequantizeLinear', [qName, sName, zName], {}, { name: `${name}_DequantizeLinear` });
  };
  const layerNorm = (x: string, stem: string, gamma: Float32Array, beta: Float32Array, width: number, quantizeGamma = false): string => {
    const gName = weight(`${stem}.weight`, gamma, [width], quantizeGamma);
    const bName = g.initializer(`${stem}.bias`, beta, [width]);
    const node = `/${stem.replace(/\./g, '/')}`;
    if (layout.layerNorm === 'fused') return g.node('LayerNormalization', [x, gName, bName], { axis: -1, epsilon: attr.float(layerNormEps) }, { name: `${node}/LayerNormalization` });
    // The decomposition torch.onnx emits below opset 17.
    const mean = g.node('ReduceMean', [x], { axes: [-1] }, { name: `${node}/ReduceMean` });
    const centred = g.node('Sub', [x, mean], {}, { name: `${node}/Sub` });
    const variance = g.node('ReduceMean', [g.node('Pow', [centred, g.constant(new Float32Array([2]), [])], {}, { name: `${node}/Pow` })], { axes: [-1] }, { name: `${node}/ReduceMean_1` });
    const std = g.node('Sqrt', [g.node('Add', [variance, g.constant(new Float32Array([layerNormEps]), [])], {}, { name: `${node}/Add` })], {}, { name: `${node}/Sqrt` });
    const normed = g.node('Div', [centred, std], {}, { name: `${node}/Div` });
    return g.node('Add', [g.node('Mul', [normed, gName], {}, { name: `${node}/Mul` }), bName], {}, { name: `${node}/Add_1` });
  };
  const linear = (x: string, stem: string, w: Float32Array, b: Float32Array, inDim: number, outDim: number): string =>
    g.node('Add', [g.node('MatMul', [x, weight(`onnx::MatMul_${stem}`, w, [inDim, outDim], true)], {}, { name: `/${stem}/MatMul` }), g.initializer(`${stem}.bias`, b, [outDim])], {}, { name: `/${stem}/Add` });

  const wordEmb = weight(`${names.word}.weight`, weights.wordEmbeddings, [vocabSize, e], true);
  const posEmb = g.initializer(`${names.position}.weight`, weights.positionEmbeddings, [maxPositions + weights.positionOffset, e]);
  let positions: string;
  if (inputs.positionIds === true) positions = g.input('position_ids', 'int64', ['batch_size', 'sequence_length']);
  else if (layout.family === 'roberta') {
    // create_position_ids_from_input_ids: cumsum(ids != pad) * (ids != pad) + pad.
    const pad = g.constant(new BigInt64Array([1n]), []);
    const notPad = g.node('Cast', [g.node('Not', [g.node('Equal', [ids, pad])])], { to: 7 });
    const cumsum = g.node('CumSum', [notPad, g.constant(new BigInt64Array([1n]), [])]);
    positions = g.node('Add', [g.node('Mul', [cumsum, notPad]), pad]);
  } else {
    positions = g.node('Range', [
      g.constant(new BigInt64Array([0n]), []),
      g.node('Gather', [g.node('Shape', [ids]), g.constant(new BigInt64Array([1n]), [])], { axis: 0 }),
      g.constant(new BigInt64Array([1n]), []),
    ]);
  }
  const ortFused = layout.layerNorm === 'ort-fused';
  if (ortFused && (layout.family !== 'bert' || weights.typeEmbeddings === undefined || mask === undefined || inputs.positionIds === true)) throw new Error('ort-fused fixtures are BERT with token types and a mask');
  const wordRows = ortFused ? '' : g.node('Gather', [wordEmb, layout.castIds === true ? g.node('Cast', [ids], { to: 6 }) : ids], { axis: 0 }, { name: '/embeddings/word_embeddings/Gather' });
  let summed = ortFused ? '' : g.node('Add', [wordRows, g.node('Gather', [posEmb, positions], { axis: 0 })], {}, { name: '/embeddings/Add' });
  if (weights.typeEmbeddings !== undefined && !ortFused) {
    const typeEmb = g.initializer(`${names.type}.weight`, weights.typeEmbeddings, [weights.typeEmbeddings.length / e, e]);
    // Without a token_type_ids input every token has type 0, as the model code assumes then.
    const types = typesInput ?? g.node('Mul', [ids, g.constant(new BigInt64Array([0n]), [])]);
    summed = g.node('Add', [summed, g.node('Gather', [typeEmb, types], { axis: 0 })], {}, { name: '/embeddings/Add_1' });
  }
  let hiddenState: string;
  if (ortFused) {
    const int32 = (t: string): string => g.node('Cast', [t], { to: 6 });
    const typeEmb = g.initializer(`${names.type}.weight`, weights.typeEmbeddings!, [weights.typeEmbeddings!.length / e, e]);
    const gamma = g.initializer(`${names.embLn}.weight`, weights.embLnG, [e]);
    const beta = g.initializer(`${names.embLn}.bias`, weights.embLnB, [e]);
    [hiddenState] = g.nodeMulti('EmbedLayerNormalization', [int32(ids), int32(typesInput ?? g.node('Mul', [ids, g.constant(new BigInt64Array([0n]), [])])), wordEmb, posEmb, typeEmb, gamma, beta, int32(mask!)], 2, { epsilon: attr.float(layerNormEps) }, { domain: 'com.microsoft', name: 'EmbedLayerNormalization_0' }) as [string];
  } else {
    hiddenState = layerNorm(summed, names.embLn, weights.embLnG, weights.embLnB, e);
  }
  if (weights.projection !== undefined) hiddenState = linear(hiddenState, names.projection, weights.projection.w, weights.projection.b, e, h);
  const hiddenStates = [hiddenState];

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
  // ALBERT's shared layer: its weights are declared once and read by every unrolled layer.
  const sharedInitializers = new Map<string, string>();
  const declaredWeight = (name: string, make: () => string): string => {
    const known = sharedInitializers.get(name);
    if (known !== undefined) return known;
    const made = make();
    sharedInitializers.set(name, made);
    return made;
  };
  weights.layers.forEach((lw, index) => {
    const n = parameterNames(layout).layer(index);
    const lin = (x: string, stem: string, w: Float32Array, b: Float32Array, inDim: number, outDim: number): string => {
      const wName = declaredWeight(`${stem}.w`, () => weight(`onnx::MatMul_${stem}`, w, [inDim, outDim], false));
      const bName = declaredWeight(`${stem}.b`, () => g.initializer(`${stem}.bias`, b, [outDim]));
      return g.node('Add', [g.node('MatMul', [x, wName]), bName]);
    };
    const norm = (x: string, stem: string, gamma: Float32Array, beta: Float32Array, quantizeGamma: boolean): string => {
      if (layout.family !== 'albert' || !sharedInitializers.has(`${stem}.ln`)) {
        const out = layerNorm(x, stem, gamma, beta, h, quantizeGamma);
        sharedInitializers.set(`${stem}.ln`, out);
        return out;
      }
      // Re-use the shared LayerNorm parameters: a fresh norm node over the same initializers.
      const gName = layout.quantized === true && quantizeGamma ? g.node('DequantizeLinear', [`${stem}.weight_quantized`, `${stem}.weight_scale`, `${stem}.weight_zero_point`]) : `${stem}.weight`;
      const bName = `${stem}.bias`;
      if (layout.layerNorm === 'fused') return g.node('LayerNormalization', [x, gName, bName], { axis: -1, epsilon: attr.float(layerNormEps) });
      const mean = g.node('ReduceMean', [x], { axes: [-1] });
      const centred = g.node('Sub', [x, mean]);
      const variance = g.node('ReduceMean', [g.node('Pow', [centred, g.constant(new Float32Array([2]), [])])], { axes: [-1] });
      const std = g.node('Sqrt', [g.node('Add', [variance, g.constant(new Float32Array([layerNormEps]), [])])]);
      return g.node('Add', [g.node('Mul', [g.node('Div', [centred, std]), gName]), bName]);
    };
    const split = (x: string, perm: number[]): string => g.node('Transpose', [g.node('Reshape', [x, headShape])], { perm });
    const q = split(lin(hiddenState, n.q, lw.wq, lw.bq, h, h), [0, 2, 1, 3]);
    const kT = split(lin(hiddenState, n.k, lw.wk, lw.bk, h, h), [0, 2, 3, 1]);
    const v = split(lin(hiddenState, n.v, lw.wv, lw.bv, h, h), [0, 2, 1, 3]);
    const scaled = g.node('Mul', [g.node('MatMul', [q, kT]), scale]);
    const scores = maskBias === undefined ? scaled : g.node('Add', [scaled, maskBias]);
    const context = g.node('MatMul', [g.node('Softmax', [scores], { axis: -1 }), v]);
    const merged = g.node('Reshape', [g.node('Transpose', [context], { perm: [0, 2, 1, 3] }), mergedShape]);
    // Residual + LayerNorm; onnxruntime's optimizer fuses the pair into SkipLayerNormalization.
    const residualNorm = (residual: string, branch: string, stem: string, gamma: Float32Array, beta: Float32Array, quantizeGamma: boolean): string =>
      ortFused
        ? g.node('SkipLayerNormalization', [branch, residual, g.initializer(`${stem}.weight`, gamma, [h]), g.initializer(`${stem}.bias`, beta, [h])], { epsilon: attr.float(layerNormEps) }, { domain: 'com.microsoft' })
        : norm(g.node('Add', [residual, branch]), stem, gamma, beta, quantizeGamma);
    const attended = residualNorm(hiddenState, lin(merged, n.o, lw.wo, lw.bo, h, h), n.ln1, lw.ln1g, lw.ln1b, false);
    const pre = lin(attended, n.ff1, lw.w1, lw.b1, h, f);
    // Exact GELU: x * 0.5 * (1 + erf(x / sqrt 2)).
    const erf = g.node('Erf', [g.node('Div', [pre, g.constant(new Float32Array([Math.SQRT2]), [])])]);
    const gelu = g.node('Mul', [g.node('Mul', [pre, g.constant(new Float32Array([0.5]), [])]), g.node('Add', [erf, g.constant(new Float32Array([1]), [])])]);
    hiddenState = residualNorm(attended, lin(gelu, n.ff2, lw.w2, lw.b2, f, h), n.ln2, lw.ln2g, lw.ln2b, true);
    hiddenStates.push(hiddenState);
  });
  if (layout.outputs === 'hidden-states') {
    // hidden_states.0 has the embedding width; ALBERT's projection makes it the hidden width.
    hiddenStates.forEach((state, i) => g.output(state, `hidden_states.${i}`, 'float32', ['batch_size', 'sequence_length', h]));
  }
  if (layout.outputs === 'logits') {
    // A sequence-classification head on the first token: logits = tanh(h[:, 0] W) U.
    const first = g.node('Gather', [hiddenState, g.constant(new BigInt64Array([0n]), [])], { axis: 1 });
    const pooled = g.node('Tanh', [g.node('MatMul', [first, g.initializer('classifier.pooler.weight', new Float32Array(h * h).fill(0.01), [h, h])])]);
    g.output(g.node('MatMul', [pooled, g.initializer('classifier.weight', new Float32Array(h * 2).fill(0.02), [h, 2])]), 'logits', 'float32', ['batch_size', 2]);
  } else {
    g.output(hiddenState, 'last_hidden_state', 'float32', ['batch_size', 'sequence_length', h]);
  }
  if (layout.outputs === 'sentence-embedding') {
    if (mask === undefined) throw new Error('a sentence_embedding output needs the attention mask');
    const weightsOfTokens = g.node('Cast', [g.node('Unsqueeze', [mask, g.constant(new BigInt64Array([-1n]), [1])])], { to: 1 });
    const axis = g.constant(new BigInt64Array([1n]), [1]);
    const summedStates = g.node('ReduceSum', [g.node('Mul', [hiddenState, weightsOfTokens]), axis], { keepdims: 0 });
    g.output(g.node('Div', [summedStates, g.node('ReduceSum', [weightsOfTokens, axis], { keepdims: 0 })]), 'sentence_embedding', 'float32', ['batch_size', h]);
  }
  const bytes = g.toBytes({ opset: layout.layerNorm === 'decomposed' ? 14 : 17, producer: 'sensebench-test', ...(ortFused ? { extraOpsets: [{ domain: 'com.microsoft', version: 1 }] } : {}) });
  return bytes;
}

/** Moves every initializer over 256 bytes to `dataFile` (external data), returning the new graph bytes and the data. */
export function externalize(bytes: Uint8Array, dataFile: string): { model: Uint8Array; data: Uint8Array } {
  const model = decodeModel(bytes);
  const chunks: Uint8Array[] = [];
  let offset = 0;
  for (const tensor of model.graph!.initializer!) {
    const raw = tensor.rawData;
    if (!raw || raw.length <= 256) continue;
    chunks.push(raw);
    tensor.externalData = [{ key: 'location', value: dataFile }, { key: 'offset', value: String(offset) }, { key: 'length', value: String(raw.length) }];
    tensor.dataLocation = onnxProto.onnx.TensorProto.DataLocation.EXTERNAL;
    tensor.rawData = new Uint8Array(0);
    offset += raw.length;
  }
  const data = new Uint8Array(offset);
  let at = 0;
  for (const chunk of chunks) {
    data.set(chunk, at);
    at += chunk.length;
  }
  return { model: onnxProto.onnx.ModelProto.encode(model).finish(), data };
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

/** Options of {@link writeBertFixture}. */
export interface FixtureOptions {
  readonly seed?: number;
  readonly maxPositions?: number;
  /** Merged into config.json (e.g. a `sensebench` block). */
  readonly configExtra?: Record<string, unknown>;
  readonly inputs?: BertGraphInputs;
  /** Architecture and export layout; default {@link BERT_LAYOUT} (every hidden state as an output). */
  readonly layout?: FixtureLayout;
  /** ONNX file name under the directory (default `onnx/model.onnx`; e.g. `onnx/model_quantized.onnx`). */
  readonly onnxFile?: string;
}

const MODEL_TYPES: Record<FixtureFamily, { modelType: string; architecture: string; tokenizerClass: string }> = {
  bert: { modelType: 'bert', architecture: 'BertModel', tokenizerClass: 'BertTokenizer' },
  roberta: { modelType: 'roberta', architecture: 'RobertaModel', tokenizerClass: 'RobertaTokenizer' },
  distilbert: { modelType: 'distilbert', architecture: 'DistilBertModel', tokenizerClass: 'DistilBertTokenizer' },
  albert: { modelType: 'albert', architecture: 'AlbertModel', tokenizerClass: 'AlbertTokenizer' },
  electra: { modelType: 'electra', architecture: 'ElectraModel', tokenizerClass: 'ElectraTokenizer' },
};

/**
 * Writes a fixture directory (`config.json`, `tokenizer.json`, `tokenizer_config.json`, the ONNX
 * file and, with external data, `model.onnx_data`) under `dir`. The tokenizer matches the family:
 * WordPiece (BERT, DistilBERT), byte-level BPE (RoBERTa), Metaspace + Unigram (ALBERT).
 */
export async function writeBertFixture(dir: string, options: FixtureOptions = {}): Promise<BertFixture> {
  const layout = options.layout ?? BERT_LAYOUT;
  const tokenizer = familyTokenizer(layout.family);
  const vocab = tokenizer.vocab;
  const weights = makeBertWeights(options.seed ?? 7, { vocabSize: vocab.length, ...(options.maxPositions !== undefined ? { maxPositions: options.maxPositions } : {}) }, layout.family);
  const c = weights.config;
  const onnxFile = options.onnxFile ?? 'onnx/model.onnx';
  await mkdir(dirname(join(dir, onnxFile)), { recursive: true });
  const bytes = buildBertOnnx(weights, options.inputs, layout);
  if (layout.externalData === true) {
    const external = externalize(bytes, `${basename(onnxFile)}_data`);
    await writeFile(join(dir, onnxFile), external.model);
    await writeFile(join(dir, `${onnxFile}_data`), external.data);
  } else {
    await writeFile(join(dir, onnxFile), bytes);
  }
  await writeFile(join(dir, 'tokenizer.json'), JSON.stringify(tokenizer.json));
  const types = MODEL_TYPES[layout.family];
  await writeFile(join(dir, 'tokenizer_config.json'), JSON.stringify({
    tokenizer_class: types.tokenizerClass, model_max_length: 512, clean_up_tokenization_spaces: true, pad_token: tokenizer.pad,
  }));
  await writeFile(join(dir, 'config.json'), JSON.stringify({
    model_type: types.modelType, architectures: [types.architecture], hidden_size: c.hidden, num_hidden_layers: c.layers,
    num_attention_heads: c.heads, intermediate_size: c.intermediate, max_position_embeddings: c.maxPositions + weights.positionOffset,
    vocab_size: c.vocabSize, type_vocab_size: 2, layer_norm_eps: c.layerNormEps, pad_token_id: vocab.indexOf(tokenizer.pad), hidden_act: 'gelu',
    ...(layout.family === 'albert' || layout.family === 'electra' ? { embedding_size: c.embedding } : {}),
    ...options.configExtra,
  }));
  return { dir, weights: layout.quantized === true ? dequantizedWeights(weights) : weights, vocab };
}

/** The tokenizer.json of each family, with its vocabulary in id order and its padding token. */
export function familyTokenizer(family: FixtureFamily): { json: unknown; vocab: readonly string[]; pad: string } {
  if (family === 'roberta') return robertaTokenizer();
  if (family === 'albert') return sentencePieceTokenizer('albert');
  const vocab = fixtureVocabulary();
  return { json: bertTokenizerJson(vocab), vocab, pad: '[PAD]' };
}

/** GPT-2's printable stand-ins for the 256 byte values (bytes_to_unicode). */
function byteLevelAlphabet(): string[] {
  const printable: number[] = [];
  for (let b = 33; b <= 126; b++) printable.push(b);
  for (let b = 161; b <= 172; b++) printable.push(b);
  for (let b = 174; b <= 255; b++) printable.push(b);
  const chars = new Array<string>(256);
  let extra = 0;
  for (let b = 0; b < 256; b++) chars[b] = printable.includes(b) ? String.fromCharCode(b) : String.fromCharCode(256 + extra++);
  return chars;
}

/** A RoBERTa-style byte-level BPE: `<s> <pad> </s> <unk>`, the 256 byte symbols, and merges building the fixture words with and without `Ġ`. */
function robertaTokenizer(): { json: unknown; vocab: readonly string[]; pad: string } {
  const vocab: string[] = ['<s>', '<pad>', '</s>', '<unk>'];
  const seen = new Set(vocab);
  const add = (t: string): void => {
    if (!seen.has(t)) {
      seen.add(t);
      vocab.push(t);
    }
  };
  for (const c of byteLevelAlphabet()) add(c);
  const merges: string[] = [];
  const mergeSeen = new Set<string>();
  for (const word of [...WORDS.map((w) => `Ġ${w}`), ...WORDS.filter((w) => w.length > 3)]) {
    let current = word[0]!;
    for (const c of word.slice(1)) {
      const merge = `${current} ${c}`;
      if (!mergeSeen.has(merge)) {
        mergeSeen.add(merge);
        merges.push(merge);
      }
      current += c;
      add(current);
    }
  }
  const id = (t: string): number => vocab.indexOf(t);
  const byteLevel = { type: 'ByteLevel', add_prefix_space: false, trim_offsets: true, use_regex: true };
  return {
    vocab,
    pad: '<pad>',
    json: {
      version: '1.0', truncation: null, padding: null,
      added_tokens: ['<s>', '<pad>', '</s>', '<unk>'].map((content) => ({ id: id(content), content, single_word: false, lstrip: false, rstrip: false, normalized: false, special: true })),
      normalizer: null,
      pre_tokenizer: byteLevel,
      post_processor: { type: 'RobertaProcessing', sep: ['</s>', id('</s>')], cls: ['<s>', id('<s>')], trim_offsets: true, add_prefix_space: false },
      decoder: byteLevel,
      model: { type: 'BPE', dropout: null, unk_token: null, continuing_subword_prefix: null, end_of_word_suffix: null, fuse_unk: false, byte_fallback: false, ignore_merges: false, vocab: Object.fromEntries(vocab.map((t, i) => [t, i])), merges },
    },
  };
}

/**
 * A SentencePiece tokenizer (Metaspace, Unigram over `▁word` pieces and letters). `albert`: a
 * lowercasing, accent-stripping normalizer and `[CLS] ... [SEP]`; `t5`: cased, no normalizer,
 * `... </s>`.
 */
export function sentencePieceTokenizer(style: 'albert' | 't5'): { json: unknown; vocab: readonly string[]; pad: string } {
  const specials = style === 'albert' ? ['<pad>', '<unk>', '[CLS]', '[SEP]'] : ['<pad>', '</s>', '<unk>'];
  const pieces: [string, number][] = [...specials.map((t): [string, number] => [t, 0]), ['▁', -4]];
  for (const w of WORDS) pieces.push([`▁${w}`, -2 - w.length / 10]);
  for (const c of CONTINUATIONS) pieces.push([c, -3]);
  for (const p of PUNCTUATION) pieces.push([p, -3]);
  for (const l of [...LETTERS, ...DIGITS]) pieces.push([l, -6], [`▁${l}`, -7]);
  const unique = [...new Map(pieces.map((p) => [p[0], p])).values()];
  const vocab = unique.map((p) => p[0]);
  const id = (t: string): number => vocab.indexOf(t);
  const metaspace = { type: 'Metaspace', replacement: '▁', prepend_scheme: 'always', split: true };
  return {
    vocab,
    pad: '<pad>',
    json: {
      version: '1.0', truncation: null, padding: null,
      added_tokens: specials.map((content) => ({ id: id(content), content, single_word: false, lstrip: false, rstrip: false, normalized: false, special: true })),
      normalizer: style === 'albert' ? { type: 'Sequence', normalizers: [{ type: 'NFKD' }, { type: 'StripAccents' }, { type: 'Lowercase' }] } : null,
      pre_tokenizer: metaspace,
      post_processor: style === 't5' ? {
        type: 'TemplateProcessing',
        single: [{ Sequence: { id: 'A', type_id: 0 } }, { SpecialToken: { id: '</s>', type_id: 0 } }],
        pair: [{ Sequence: { id: 'A', type_id: 0 } }, { SpecialToken: { id: '</s>', type_id: 0 } }, { Sequence: { id: 'B', type_id: 0 } }, { SpecialToken: { id: '</s>', type_id: 0 } }],
        special_tokens: { '</s>': { id: '</s>', ids: [id('</s>')], tokens: ['</s>'] } },
      } : {
        type: 'TemplateProcessing',
        single: [{ SpecialToken: { id: '[CLS]', type_id: 0 } }, { Sequence: { id: 'A', type_id: 0 } }, { SpecialToken: { id: '[SEP]', type_id: 0 } }],
        pair: [{ SpecialToken: { id: '[CLS]', type_id: 0 } }, { Sequence: { id: 'A', type_id: 0 } }, { SpecialToken: { id: '[SEP]', type_id: 0 } }, { Sequence: { id: 'B', type_id: 1 } }, { SpecialToken: { id: '[SEP]', type_id: 1 } }],
        special_tokens: { '[CLS]': { id: '[CLS]', ids: [id('[CLS]')], tokens: ['[CLS]'] }, '[SEP]': { id: '[SEP]', ids: [id('[SEP]')], tokens: ['[SEP]'] } },
      },
      decoder: metaspace,
      model: { type: 'Unigram', unk_id: id('<unk>'), vocab: unique, byte_fallback: false },
    },
  };
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
  const e = weights.config.embedding;
  let states = ids.map((id, p) => {
    const summed = Array.from({ length: e }, (_, d) => weights.wordEmbeddings[id * e + d]! + weights.positionEmbeddings[(p + weights.positionOffset) * e + d]! + (weights.typeEmbeddings?.[d] ?? 0));
    const normed = layerNorm(summed, weights.embLnG, weights.embLnB);
    return weights.projection ? linear(normed, weights.projection.w, weights.projection.b, h) : normed;
  });
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
