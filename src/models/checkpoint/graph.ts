/**
 * Builds the ONNX graph of a BERT-family encoder (./architectures.ts) with the project's graph
 * builder (src/onnx/builder.ts), outputting every hidden state, float32, opset 17:
 *
 * ```
 * inputs   input_ids, attention_mask [batch, tokens] int64 (+ token_type_ids for BertModel)
 * outputs  input_embeddings   word-embedding rows of the ids (before positions)
 *          hidden_states.0    embeddings: LayerNorm(words + token type + positions)
 *          hidden_states.i    output of layer i (post-norm: LayerNorm(x + attention), LayerNorm(x + FFN))
 *          last_hidden_state  = hidden_states.N (the name transformers.js reads)
 *          sentence_embedding only with a sentence pooling: mean over the attention mask or the
 *                             first token of the last layer, optionally L2-normalised
 * ```
 *
 * The computation is transformers' (BertModel, RobertaModel, XLMRobertaModel, DistilBertModel):
 * attention scores `QKᵀ / sqrt(d_head)` plus `(1 - mask) · float32 min`, softmax; activations as
 * ACT2FN defines them; LayerNorm epsilon from config.json; RoBERTa's position ids
 * `(cumsum(ids != pad) · (ids != pad)) + pad`. Initializers keep PyTorch's parameter names (Linear
 * weights stored transposed, `[in, out]`, for MatMul). Same weights and options, same bytes.
 */
import { GraphBuilder, attr, type ExternalDataModel } from '../../onnx/builder.js';
import type { Activation, EncoderSpec, EncoderWeights, LinearWeights, NormWeights } from './architectures.js';
import { ENCODER_OUTPUTS, type SentencePooling } from './outputs.js';

export { ENCODER_OUTPUTS, type SentencePooling } from './outputs.js';

/** The external data file of a converted encoder, beside `model.onnx` (see GraphBuilder.toExternalData). */
export const ENCODER_DATA_FILE = 'model.onnx_data';

/** Options of {@link buildEncoderOnnx}. */
export interface EncoderGraphOptions {
  /** Adds a `sentence_embedding` output. */
  readonly sentencePooling?: SentencePooling;
  /** Key/value metadata for the model (provenance). */
  readonly metadata?: Readonly<Record<string, string>>;
}

/** The float32 value transformers adds to masked attention scores (`torch.finfo(torch.float32).min`). */
const FLOAT32_MIN = -3.4028234663852886e38;

/** `[out, in]` (PyTorch Linear) to `[in, out]` (MatMul). */
function transpose(weight: Float32Array, out: number, inp: number): Float32Array {
  const t = new Float32Array(weight.length);
  for (let o = 0; o < out; o++) {
    for (let i = 0; i < inp; i++) t[i * out + o] = weight[o * inp + i]!;
  }
  return t;
}

/** Builds the encoder; see the file comment. */
export function buildEncoderOnnx(spec: EncoderSpec, weights: EncoderWeights, options: EncoderGraphOptions = {}): ExternalDataModel {
  const { hidden: h, heads, intermediate: f } = spec;
  const dh = h / heads;
  const g = new GraphBuilder(`${spec.modelType}_encoder`);
  const dims = ['batch_size', 'sequence_length'];
  const ids = g.input('input_ids', 'int64', dims);
  const mask = g.input('attention_mask', 'int64', dims);
  const types = spec.tokenTypes === 'input' ? g.input('token_type_ids', 'int64', dims) : undefined;

  const float = (value: number): string => g.constant(new Float32Array([value]), []);
  const int64 = (values: readonly number[], shape?: readonly number[]): string => g.constant(BigInt64Array.from(values.map(BigInt)), shape ?? [values.length]);
  const norm = (x: string, weightsOf: NormWeights, stem: string): string =>
    g.node('LayerNormalization', [x, g.initializer(`${stem}.weight`, weightsOf.weight, [h]), g.initializer(`${stem}.bias`, weightsOf.bias, [h])], { axis: -1, epsilon: attr.float(spec.layerNormEps) }, { name: `/${stem}/LayerNormalization` });
  const linear = (x: string, w: LinearWeights, stem: string, out: number, inp: number): string =>
    g.node('Add', [g.node('MatMul', [x, g.initializer(`${stem}.weight`, transpose(w.weight, out, inp), [inp, out])], {}, { name: `/${stem}/MatMul` }), g.initializer(`${stem}.bias`, w.bias, [out])], {}, { name: `/${stem}/Add` });

  // Embeddings, in transformers' order: (words + token type) + positions, then LayerNorm.
  const words = g.node('Gather', [g.initializer('embeddings.word_embeddings.weight', weights.wordEmbeddings, [spec.vocabSize, h]), ids], { axis: 0 }, { name: '/embeddings/word_embeddings/Gather' });
  let summed = words;
  if (weights.tokenTypeEmbeddings !== undefined) {
    const table = weights.tokenTypeEmbeddings;
    const typeVectors =
      types !== undefined
        ? g.node('Gather', [g.initializer('embeddings.token_type_embeddings.weight', table, [spec.typeVocabSize, h]), types], { axis: 0 }, { name: '/embeddings/token_type_embeddings/Gather' })
        : g.initializer('embeddings.token_type_embeddings.weight.row_0', table.slice(0, h), [h]);
    summed = g.node('Add', [summed, typeVectors], {}, { name: '/embeddings/Add_token_type' });
  }
  const positionTable = g.initializer('embeddings.position_embeddings.weight', weights.positionEmbeddings, [spec.maxPositions, h]);
  let positionIds: string;
  if (spec.positions.kind === 'absolute') {
    const length = g.node('Gather', [g.node('Shape', [ids]), int64([1], [])], { axis: 0 });
    positionIds = g.node('Range', [int64([0], []), length, int64([1], [])], {}, { name: '/embeddings/position_ids/Range' });
  } else {
    const pad = int64([spec.positions.paddingIdx], []);
    const notPad = g.node('Cast', [g.node('Not', [g.node('Equal', [ids, pad])])], { to: 7 /* INT64 */ });
    const count = g.node('CumSum', [notPad, int64([1], [])]);
    positionIds = g.node('Add', [g.node('Mul', [count, notPad]), pad], {}, { name: '/embeddings/position_ids/create_position_ids_from_input_ids' });
  }
  summed = g.node('Add', [summed, g.node('Gather', [positionTable, positionIds], { axis: 0 }, { name: '/embeddings/position_embeddings/Gather' })], {}, { name: '/embeddings/Add_position' });
  let x = norm(summed, weights.embeddingNorm, 'embeddings.LayerNorm');
  const states = [x];

  // (1 - mask) · float32 min, shaped [batch, 1, 1, tokens] for the scores.
  const maskFloat = g.node('Cast', [mask], { to: 1 /* FLOAT */ });
  const maskBias = g.node('Unsqueeze', [g.node('Mul', [g.node('Sub', [float(1), maskFloat]), float(FLOAT32_MIN)]), int64([1, 2])], {}, { name: '/attention_mask/extended' });
  const headShape = int64([0, 0, heads, dh]);
  const mergedShape = int64([0, 0, h]);
  const scale = float(1 / Math.sqrt(dh));

  weights.layers.forEach((layer, n) => {
    const stem = spec.architecture === 'DistilBertModel' ? `transformer.layer.${n}` : `encoder.layer.${n}`;
    const names =
      spec.architecture === 'DistilBertModel'
        ? { q: `${stem}.attention.q_lin`, k: `${stem}.attention.k_lin`, v: `${stem}.attention.v_lin`, o: `${stem}.attention.out_lin`, n1: `${stem}.sa_layer_norm`, f1: `${stem}.ffn.lin1`, f2: `${stem}.ffn.lin2`, n2: `${stem}.output_layer_norm` }
        : { q: `${stem}.attention.self.query`, k: `${stem}.attention.self.key`, v: `${stem}.attention.self.value`, o: `${stem}.attention.output.dense`, n1: `${stem}.attention.output.LayerNorm`, f1: `${stem}.intermediate.dense`, f2: `${stem}.output.dense`, n2: `${stem}.output.LayerNorm` };
    const split = (value: string, perm: number[]): string => g.node('Transpose', [g.node('Reshape', [value, headShape])], { perm });
    const q = split(linear(x, layer.query, names.q, h, h), [0, 2, 1, 3]);
    const kT = split(linear(x, layer.key, names.k, h, h), [0, 2, 3, 1]);
    const v = split(linear(x, layer.value, names.v, h, h), [0, 2, 1, 3]);
    const scores = g.node('Add', [g.node('Mul', [g.node('MatMul', [q, kT]), scale]), maskBias]);
    const context = g.node('MatMul', [g.node('Softmax', [scores], { axis: -1 }), v]);
    const merged = g.node('Reshape', [g.node('Transpose', [context], { perm: [0, 2, 1, 3] }), mergedShape]);
    const attended = norm(g.node('Add', [linear(merged, layer.attentionOutput, names.o, h, h), x]), layer.attentionNorm, names.n1);
    const activated = activation(g, linear(attended, layer.intermediate, names.f1, f, h), spec.activation);
    x = norm(g.node('Add', [linear(activated, layer.output, names.f2, h, f), attended]), layer.outputNorm, names.n2);
    states.push(x);
  });

  const stateShape = ['batch_size', 'sequence_length', h];
  g.output(words, ENCODER_OUTPUTS.input, 'float32', stateShape);
  states.forEach((state, i) => g.output(state, ENCODER_OUTPUTS.hiddenState(i), 'float32', stateShape));
  g.output(x, ENCODER_OUTPUTS.last, 'float32', stateShape);
  if (options.sentencePooling !== undefined) {
    g.output(sentencePooling(g, x, maskFloat, options.sentencePooling, float, int64), ENCODER_OUTPUTS.sentence, 'float32', ['batch_size', h]);
  }
  return g.toExternalData(ENCODER_DATA_FILE, { opset: 17, producer: 'sensebench checkpoint converter', ...(options.metadata !== undefined ? { metadata: options.metadata } : {}) });
}

/** `activation(x)` as transformers' ACT2FN defines it. */
function activation(g: GraphBuilder, x: string, name: Activation): string {
  const float = (value: number): string => g.constant(new Float32Array([value]), []);
  switch (name) {
    case 'gelu':
      // x · 0.5 · (1 + erf(x / √2)), as torch.onnx exports F.gelu (onnxruntime fuses it into Gelu).
      return g.node('Mul', [g.node('Mul', [x, g.node('Add', [g.node('Erf', [g.node('Div', [x, float(Math.SQRT2)])]), float(1)])]), float(0.5)]);
    case 'gelu_new':
    case 'gelu_pytorch_tanh':
    case 'gelu_fast': {
      // 0.5 · x · (1 + tanh(√(2/π) · (x + 0.044715 · x³))); gelu_fast's rounded constant 0.7978845608 differs by 3e-12.
      const cube = g.node('Mul', [g.node('Mul', [x, x]), x]);
      const inner = g.node('Mul', [g.node('Add', [x, g.node('Mul', [cube, float(0.044715)])]), float(name === 'gelu_fast' ? 0.7978845608 : Math.sqrt(2 / Math.PI))]);
      return g.node('Mul', [g.node('Mul', [x, float(0.5)]), g.node('Add', [g.node('Tanh', [inner]), float(1)])]);
    }
    case 'quick_gelu':
      return g.node('Mul', [x, g.node('Sigmoid', [g.node('Mul', [x, float(1.702)])])]);
    case 'relu':
      return g.node('Relu', [x]);
    case 'silu':
    case 'swish':
      return g.node('Mul', [x, g.node('Sigmoid', [x])]);
    case 'tanh':
      return g.node('Tanh', [x]);
  }
}

/**
 * sentence-transformers' Pooling (and Normalize) module: `mean` = sum over tokens under the mask
 * divided by max(count, 1e-9); `cls` = the first token; normalised as F.normalize (x / max(‖x‖, 1e-12)).
 */
function sentencePooling(
  g: GraphBuilder,
  last: string,
  maskFloat: string,
  pooling: SentencePooling,
  float: (value: number) => string,
  int64: (values: readonly number[], shape?: readonly number[]) => string,
): string {
  let pooled: string;
  if (pooling.mode === 'mean') {
    const weights = g.node('Unsqueeze', [maskFloat, int64([2])]);
    const summed = g.node('ReduceSum', [g.node('Mul', [last, weights]), int64([1])], { keepdims: 0 }, { name: '/pooling/mean/ReduceSum' });
    const count = g.node('Max', [g.node('ReduceSum', [weights, int64([1])], { keepdims: 0 }), float(1e-9)]);
    pooled = g.node('Div', [summed, count], {}, { name: '/pooling/mean/Div' });
  } else {
    pooled = g.node('Gather', [last, int64([0], [])], { axis: 1 }, { name: '/pooling/cls/Gather' });
  }
  if (!pooling.normalize) return pooled;
  const length = g.node('Sqrt', [g.node('ReduceSum', [g.node('Mul', [pooled, pooled]), int64([1])], { keepdims: 1 })]);
  return g.node('Div', [pooled, g.node('Max', [length, float(1e-12)])], {}, { name: '/normalize/Div' });
}
