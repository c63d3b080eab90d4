/**
 * Re-expresses the USE-lite TF graph ("KonaTransformer", 2 layers) as an ONNX graph with dense,
 * masked batches instead of TF's sparse `indices`/`values` input.
 *
 * What the TF graph computes (read from model.json; checked node by node by {@link checkTfGraph}):
 *
 * - `e = Embeddings_en[id]` (8002 x 256), positions `t = 0..T-1` (the column index; the original
 *   clips tokens at t >= 128), timing signal `s(t) = [sin(t * inv), cos(t * inv)]` (inv: 128 values).
 * - Layer 0 input: `x0 = e + (e + s(t))`. The graph scatters the embeddings once and the
 *   embeddings-plus-timing once, then adds both scatters, so the embedding enters twice; this is
 *   reproduced as is (same summation order).
 * - Each layer: `h = Attention(LayerNorm(x)) + R(x)` and `y = h + FFN(LayerNorm(h))`, where
 *   `R` is a 256 -> 512 dense map in layer 0 (width change) and the identity in layer 1; attention
 *   has 4 heads (64 / 128 wide), queries scaled by 1/sqrt(head), and a -1e9 bias on padded keys;
 *   FFN is 512 -> 1536 (ReLU) -> 512; LayerNorm epsilon 1e-6. No final LayerNorm.
 * - Sentence embedding: `l2normalize(tanh(W * mean_t(y1) + b))`, the mean over real tokens,
 *   dividing by max(count, 1), and l2normalize's sum-of-squares floor 1e-12.
 *
 * Outputs (padding positions are zeroed, so they are deterministic and never leak):
 * `input_embeddings` [B,T,256] (`e`: the context-free piece vector, before the timing signal),
 * `layer_0`, `layer_1` [B,T,512] (`y` of each layer), `sentence_embedding` [B,512].
 */
import { GraphBuilder, attr, type ExternalDataModel } from '../../onnx/builder.js';
import { USE_LITE_DIMENSIONS, USE_LITE_MAX_LENGTH } from './dimensions.js';
import type { TfjsNode, TfjsWeight } from './source.js';
import { weightBySuffix } from './source.js';

export { USE_LITE_DIMENSIONS, USE_LITE_MAX_LENGTH };

const KONA = 'KonaTransformer/Encode';
const STACK = `${KONA}/TransformerStack`;

interface Weights {
  readonly get: (suffix: string) => TfjsWeight;
}

function floats(weight: TfjsWeight): Float32Array {
  if (!(weight.data instanceof Float32Array)) throw new Error(`${weight.name}: expected float32`);
  return weight.data;
}

function scalar(weight: TfjsWeight): number {
  if (weight.data.length !== 1) throw new Error(`${weight.name}: expected a scalar`);
  return weight.data[0]!;
}

function ints(weight: TfjsWeight): number[] {
  if (!(weight.data instanceof Int32Array)) throw new Error(`${weight.name}: expected int32`);
  return [...weight.data];
}

function expectShape(weight: TfjsWeight, shape: readonly number[]): void {
  if (weight.shape.length !== shape.length || weight.shape.some((d, i) => d !== shape[i])) {
    throw new Error(`${weight.name}: shape [${weight.shape.join(', ')}], expected [${shape.join(', ')}]`);
  }
}

/**
 * Fails loudly when the TF graph is not the one this converter was written for: checks the nodes
 * whose wiring the ONNX graph relies on (a changed package would otherwise convert silently wrong).
 */
export function checkTfGraph(nodes: readonly TfjsNode[]): void {
  const byName = new Map(nodes.map((n) => [n.name, n]));
  const find = (suffix: string): TfjsNode => {
    const matches = nodes.filter((n) => n.name.endsWith(suffix));
    if (matches.length !== 1) throw new Error(`TF graph: expected one node named *${suffix}, found ${matches.length}`);
    return matches[0]!;
  };
  const expectOp = (suffix: string, op: string, inputSuffixes?: readonly string[]): void => {
    const node = find(suffix);
    if (node.op !== op) throw new Error(`TF graph: ${node.name} is ${node.op}, expected ${op}`);
    if (inputSuffixes) {
      const inputs = node.input ?? [];
      const ok = inputs.length === inputSuffixes.length && inputSuffixes.every((s, i) => inputs[i]!.split(':')[0]!.endsWith(s));
      if (!ok) throw new Error(`TF graph: ${node.name} inputs ${JSON.stringify(inputs)}, expected ...${JSON.stringify(inputSuffixes)}`);
    }
  };
  if (byName.size !== nodes.length) throw new Error('TF graph: duplicate node names');
  expectOp(`${STACK}/Layer_0/add`, 'Add', ['Encode/Scatter/ScatterNd', 'Layer_0/AddTimingSignal/Scatter/ScatterNd']);
  expectOp(`${STACK}/Layer_0/AddTimingSignal/add`, 'Add', ['AddTimingSignal/Gather/GatherNd', 'AddTimingSignal/TimingSignal/concat']);
  expectOp(`${STACK}/Layer_0/AddTimingSignal/TimingSignal/concat`, 'ConcatV2', ['TimingSignal/Sin', 'TimingSignal/Cos', 'ExpandDims/dim']);
  expectOp(`${STACK}/Layer_0/TransformerLayer/layer_postprocess/add`, 'Add', ['MultiheadAttention/Squeeze_1', 'AdjustResidualInput/Scatter/ScatterNd']);
  expectOp(`${STACK}/Layer_1/TransformerLayer/layer_postprocess/add`, 'Add', ['MultiheadAttention/Squeeze_1', 'Layer_0/TransformerLayer/FFN/layer_postprocess/add']);
  for (const layer of [0, 1]) {
    const base = `${STACK}/Layer_${layer}/TransformerLayer`;
    expectOp(`${base}/FFN/layer_postprocess/add`, 'Add', ['FFN/Scatter/ScatterNd', 'TransformerLayer/layer_postprocess/add']);
    expectOp(`${base}/FFN/conv1/Relu`, 'Relu');
    expectOp(`${base}/MultiheadAttention/mul`, 'Mul', ['split_heads/transpose', 'MultiheadAttention/mul/y']);
    expectOp(`${base}/MultiheadAttention/DotProductAttention/BaseDotProductAttention/MatMul`, 'BatchMatMul', ['MultiheadAttention/mul', 'split_heads_1/transpose']);
    expectOp(`${base}/MultiheadAttention/DotProductAttention/BaseDotProductAttention/MatMul_1`, 'BatchMatMul', ['BaseDotProductAttention/attention_weights', 'split_heads_2/transpose']);
    expectOp(`${base}/MultiheadAttention/DotProductAttention/BaseDotProductAttention/Softmax`, 'Softmax');
  }
  expectOp('KonaTransformer/mul', 'Mul', ['Layer_1/TransformerLayer/FFN/layer_postprocess/add', 'KonaTransformer/ExpandDims']);
  expectOp('KonaTransformer/div', 'RealDiv', ['KonaTransformer/Sum', 'KonaTransformer/ExpandDims_1']);
  expectOp('hidden_layers/tanh_layer_0/Tanh', 'Tanh');
  expectOp('hidden_layers/l2_normalize', 'Mul', ['tanh_layer_0/Tanh', 'l2_normalize/Rsqrt']);
}

/** The timing signal table [maxLength, 256], computed as the TF graph does (float32 angle, then sin/cos). */
export function timingSignalTable(invTimescales: Float32Array, maxLength: number): Float32Array {
  const half = invTimescales.length;
  const table = new Float32Array(maxLength * half * 2);
  for (let t = 0; t < maxLength; t++) {
    for (let i = 0; i < half; i++) {
      const angle = Math.fround(t * invTimescales[i]!);
      table[t * half * 2 + i] = Math.sin(angle);
      table[t * half * 2 + half + i] = Math.cos(angle);
    }
  }
  return table;
}

/** Facts written into the model's metadata_props. */
export interface GraphProvenance {
  readonly sourcePackage: string;
  readonly sourceVersion: string;
  readonly sourceSha256: string;
  readonly converterVersion: string;
}

/** The external data file beside `model.onnx` (see GraphBuilder.toExternalData). */
export const USE_LITE_DATA_FILE = 'model.onnx_data';

/**
 * Builds the ONNX model from the decoded TF.js weights, its weights as external data
 * ({@link USE_LITE_DATA_FILE}; deterministic: same weights, same bytes).
 */
export function buildUseLiteOnnx(weightMap: ReadonlyMap<string, TfjsWeight>, provenance: GraphProvenance): ExternalDataModel {
  const w: Weights = { get: (suffix) => weightBySuffix(weightMap, suffix) };
  const { embedding: embeddingWidth, hidden, ffn, heads } = USE_LITE_DIMENSIONS;
  const g = new GraphBuilder('use_lite', 'Universal Sentence Encoder lite (2-layer transformer), converted by sensebench');

  const inputIds = g.input('input_ids', 'int64', ['batch', 'sequence']);
  const attentionMask = g.input('attention_mask', 'int64', ['batch', 'sequence']);
  const i64 = (values: readonly number[]): string => g.constant(values.map((v) => BigInt(v)), [values.length], 'int64', 'shape');
  const f32 = (value: number): string => g.constant(new Float32Array([value]), [], 'float32', 'scalar');

  const maskFloat = g.node('Cast', [attentionMask], { to: 1 }); // [B,T] float32
  const mask3 = g.node('Unsqueeze', [maskFloat, i64([-1])]); // [B,T,1]
  // Additive attention bias: 0 for real keys, -1e9 for padding, shaped [B,1,1,T] like the TF graph.
  const attentionBiasScale = scalar(w.get(`${STACK}/Layer_1/TransformerLayer/MultiheadAttention/DotProductAttention/attention_bias_ignore_padding/mul/y`));
  const notMask = g.node('Sub', [f32(1), maskFloat]);
  const attentionBias = g.node('Unsqueeze', [g.node('Mul', [notMask, f32(attentionBiasScale)]), i64([1, 2])]);

  const embeddingTable = w.get('module/Embeddings_en');
  expectShape(embeddingTable, [embeddingTable.shape[0]!, embeddingWidth]);
  const embeddings = g.node('Gather', [g.initializer('embeddings', floats(embeddingTable), embeddingTable.shape), inputIds], { axis: 0 });

  const invTimescales = w.get(`${STACK}/Layer_0/AddTimingSignal/TimingSignal/ExpandDims_1`);
  expectShape(invTimescales, [1, embeddingWidth / 2]);
  const timingTable = g.initializer('timing_signal', timingSignalTable(floats(invTimescales), USE_LITE_MAX_LENGTH), [USE_LITE_MAX_LENGTH, embeddingWidth]);
  const sequenceLength = g.node('Shape', [inputIds], { start: 1, end: 2 });
  const timing = g.node('Slice', [timingTable, i64([0]), sequenceLength, i64([0])]); // [T,256]
  const layerInput = g.node('Mul', [g.node('Add', [embeddings, g.node('Add', [embeddings, timing])]), mask3]);

  const epsilon = scalar(w.get(`${STACK}/Layer_1/TransformerLayer/FFN/layer_prepostprocess/layer_norm/Cast/x`));
  const layerNorm = (x: string, scope: string, width: number): string => {
    const scale = w.get(`${scope}/layer_prepostprocess/layer_norm/layer_norm_scale/ConcatPartitions/concat`);
    const bias = w.get(`${scope}/layer_prepostprocess/layer_norm/layer_norm_bias/ConcatPartitions/concat`);
    expectShape(scale, [width]);
    expectShape(bias, [width]);
    return g.node('LayerNormalization', [x, g.initializer(`${scope}/ln_scale`, floats(scale), [width]), g.initializer(`${scope}/ln_bias`, floats(bias), [width])], {
      axis: -1,
      epsilon: attr.float(epsilon),
    });
  };
  const dense = (x: string, name: string, kernel: TfjsWeight, bias: TfjsWeight, inWidth: number, outWidth: number): string => {
    if (kernel.data.length !== inWidth * outWidth) throw new Error(`${kernel.name}: expected ${inWidth} x ${outWidth}`);
    expectShape(bias, [outWidth]);
    const product = g.node('MatMul', [x, g.initializer(`${name}/kernel`, floats(kernel), [inWidth, outWidth])]);
    return g.node('Add', [product, g.initializer(`${name}/bias`, floats(bias), [outWidth])]);
  };

  const layers: string[] = [];
  let x = layerInput;
  for (const layer of [0, 1]) {
    const scope = `${KONA}/Layer_${layer}/TransformerLayer`;
    const stackScope = `${STACK}/Layer_${layer}/TransformerLayer`;
    const width = layer === 0 ? embeddingWidth : hidden;
    const headWidth = width / heads;
    const splitSizes = ints(w.get(`${stackScope}/MultiheadAttention/Const`));
    if (splitSizes.join() !== [width, width, width].join()) throw new Error(`layer ${layer}: q/k/v split ${splitSizes.join()} != ${width}`);
    const headCount = scalar(w.get(`${STACK}/Layer_1/TransformerLayer/MultiheadAttention/split_heads/split_last_dimension/Reshape/shape/2`));
    const headWidthTf = scalar(w.get(`${stackScope}/MultiheadAttention/split_heads/split_last_dimension/Reshape/shape/3`));
    if (headCount !== heads || headWidthTf !== headWidth) throw new Error(`layer ${layer}: ${headCount} heads of ${headWidthTf}, expected ${heads} of ${headWidth}`);

    const normed = layerNorm(x, scope, width);
    const qkv = dense(normed, `${scope}/qkv`, w.get(`${scope}/MultiheadAttention/qkv_transform_single/kernel/part_0`), w.get(`${scope}/MultiheadAttention/qkv_transform_single/bias/ConcatPartitions/concat`), width, 3 * width);
    const [q, k, v] = g.nodeMulti('Split', [qkv, i64([width, width, width])], 3, { axis: -1 }) as [string, string, string];
    const heads4 = (value: string): string => g.node('Reshape', [value, i64([0, 0, heads, headWidth])]);
    const queries = g.node('Mul', [g.node('Transpose', [heads4(q)], { perm: [0, 2, 1, 3] }), f32(scalar(w.get(`${stackScope}/MultiheadAttention/mul/y`)))]);
    const keysT = g.node('Transpose', [heads4(k)], { perm: [0, 2, 3, 1] });
    const values = g.node('Transpose', [heads4(v)], { perm: [0, 2, 1, 3] });
    const scores = g.node('Add', [g.node('MatMul', [queries, keysT]), attentionBias]);
    const context = g.node('MatMul', [g.node('Softmax', [scores], { axis: -1 }), values]);
    const merged = g.node('Reshape', [g.node('Transpose', [context], { perm: [0, 2, 1, 3] }), i64([0, 0, width])]);
    const attended = dense(merged, `${scope}/attention_output`, w.get(`${scope}/MultiheadAttention/output_transform_single/kernel/part_0`), w.get(`${scope}/MultiheadAttention/output_transform_single/bias/ConcatPartitions/concat`), width, hidden);
    const residual =
      layer === 0
        ? g.node('Mul', [dense(x, `${scope}/adjust_residual`, w.get(`${scope}/dense/kernel/ConcatPartitions/concat`), w.get(`${scope}/dense/bias/ConcatPartitions/concat`), width, hidden), mask3])
        : x;
    const afterAttention = g.node('Add', [attended, residual]);

    const ffnNormed = layerNorm(afterAttention, `${scope}/FFN`, hidden);
    const inner = g.node('Relu', [dense(ffnNormed, `${scope}/FFN/conv1`, w.get(`${stackScope}/FFN/conv1/Tensordot/Reshape_1`), w.get(`${scope}/FFN/conv1/bias/ConcatPartitions/concat`), hidden, ffn)]);
    const ffnOut = dense(inner, `${scope}/FFN/conv2`, w.get(`${stackScope}/FFN/conv2/Tensordot/Reshape_1`), w.get(`${scope}/FFN/conv2/bias/ConcatPartitions/concat`), ffn, hidden);
    x = g.node('Mul', [g.node('Add', [g.node('Mul', [ffnOut, mask3]), afterAttention]), mask3]);
    layers.push(x);
  }

  const summed = g.node('ReduceSum', [g.node('Mul', [x, mask3]), i64([1])], { keepdims: 0 });
  const count = g.node('Max', [g.node('ReduceSum', [maskFloat, i64([1])], { keepdims: 1 }), f32(1)]);
  const mean = g.node('Div', [summed, count]);
  const tanhWeights = w.get('hidden_layers/tanh_layer_0/weights');
  const tanhBias = w.get('hidden_layers/tanh_layer_0/bias');
  const hiddenOut = g.node('Tanh', [dense(mean, 'hidden_layers/tanh_layer_0', tanhWeights, tanhBias, hidden, hidden)]);
  const sumSquares = g.node('ReduceSum', [g.node('Mul', [hiddenOut, hiddenOut]), i64([-1])], { keepdims: 1 });
  const l2Floor = scalar(w.get('hidden_layers/l2_normalize/Maximum/y'));
  const inverseNorm = g.node('Reciprocal', [g.node('Sqrt', [g.node('Max', [sumSquares, f32(l2Floor)])])]);
  const sentence = g.node('Mul', [hiddenOut, inverseNorm]);

  g.output(g.node('Mul', [embeddings, mask3]), 'input_embeddings', 'float32', ['batch', 'sequence', embeddingWidth]);
  g.output(layers[0]!, 'layer_0', 'float32', ['batch', 'sequence', hidden]);
  g.output(layers[1]!, 'layer_1', 'float32', ['batch', 'sequence', hidden]);
  g.output(sentence, 'sentence_embedding', 'float32', ['batch', hidden]);
  return g.toExternalData(USE_LITE_DATA_FILE, {
    opset: 17,
    producer: 'sensebench',
    producerVersion: provenance.converterVersion,
    docString: 'Universal Sentence Encoder lite, converted from the TF.js graph model in the npm package ' + provenance.sourcePackage,
    metadata: {
      source_package: provenance.sourcePackage,
      source_version: provenance.sourceVersion,
      source_sha256: provenance.sourceSha256,
      source_license: 'Apache-2.0',
      converter: `sensebench use-lite converter ${provenance.converterVersion}`,
    },
  });
}
