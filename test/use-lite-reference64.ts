/**
 * A float64 evaluation of the USE-lite graph in plain TypeScript, for one sentence at a time.
 *
 * Why: TF.js and onnxruntime both compute in float32 and the two transformer layers amplify
 * rounding (layer-1 states reach |x| ~ 50), so TF.js's own float32 result differs from the exact
 * value of the same graph by up to ~1.2e-4. This reference gives the exact value to measure both
 * runtimes against. It is written from the TF graph (see graph.ts), independently of the ONNX
 * builder: plain loops, no shared code besides the weight lookup.
 */
import type { TfjsWeight } from '../src/models/use-lite/source.js';
import { weightBySuffix } from '../src/models/use-lite/source.js';

const KONA = 'KonaTransformer/Encode';
const STACK = `${KONA}/TransformerStack`;

/** Exact (float64) states of one sentence, row-major. */
export interface UseLiteStates64 {
  /** [T, 256] */
  readonly inputEmbeddings: Float64Array;
  /** [T, 512] */
  readonly layer0: Float64Array;
  /** [T, 512] */
  readonly layer1: Float64Array;
  /** [512] */
  readonly sentence: Float64Array;
}

interface Dense {
  readonly kernel: Float64Array;
  readonly bias: Float64Array;
  readonly inWidth: number;
  readonly outWidth: number;
}

interface Norm {
  readonly scale: Float64Array;
  readonly bias: Float64Array;
}

interface Layer {
  readonly width: number;
  readonly attentionNorm: Norm;
  readonly qkv: Dense;
  readonly output: Dense;
  readonly residual: Dense | null;
  readonly ffnNorm: Norm;
  readonly ffn1: Dense;
  readonly ffn2: Dense;
}

function dense(x: Float64Array, rows: number, layer: Dense): Float64Array {
  const { kernel, bias, inWidth, outWidth } = layer;
  const out = new Float64Array(rows * outWidth);
  for (let r = 0; r < rows; r++) {
    const o = r * outWidth;
    out.set(bias, o);
    for (let k = 0; k < inWidth; k++) {
      const v = x[r * inWidth + k]!;
      if (v === 0) continue;
      const kRow = k * outWidth;
      for (let j = 0; j < outWidth; j++) out[o + j]! += v * kernel[kRow + j]!;
    }
  }
  return out;
}

function layerNorm(x: Float64Array, rows: number, width: number, norm: Norm, epsilon: number): Float64Array {
  const out = new Float64Array(x.length);
  for (let r = 0; r < rows; r++) {
    const row = x.subarray(r * width, (r + 1) * width);
    let mean = 0;
    for (const v of row) mean += v;
    mean /= width;
    let variance = 0;
    for (const v of row) variance += (v - mean) * (v - mean);
    variance /= width;
    const inverse = 1 / Math.sqrt(variance + epsilon);
    for (let i = 0; i < width; i++) out[r * width + i] = (row[i]! - mean) * inverse * norm.scale[i]! + norm.bias[i]!;
  }
  return out;
}

/** The float64 model: weights widened once, then {@link UseLiteReference64.run} per sentence. */
export class UseLiteReference64 {
  private readonly embeddings: Float64Array;
  private readonly invTimescales: Float64Array;
  private readonly layers: Layer[];
  private readonly pooler: Dense;
  private readonly epsilon: number;
  private readonly heads = 4;

  constructor(weights: ReadonlyMap<string, TfjsWeight>) {
    const get = (suffix: string): Float64Array => Float64Array.from(weightBySuffix(weights, suffix).data);
    const makeDense = (kernel: string, bias: string, inWidth: number, outWidth: number): Dense => ({ kernel: get(kernel), bias: get(bias), inWidth, outWidth });
    const makeNorm = (scope: string): Norm => ({
      scale: get(`${scope}/layer_prepostprocess/layer_norm/layer_norm_scale/ConcatPartitions/concat`),
      bias: get(`${scope}/layer_prepostprocess/layer_norm/layer_norm_bias/ConcatPartitions/concat`),
    });
    this.embeddings = get('module/Embeddings_en');
    this.invTimescales = get(`${STACK}/Layer_0/AddTimingSignal/TimingSignal/ExpandDims_1`);
    this.epsilon = get(`${STACK}/Layer_1/TransformerLayer/FFN/layer_prepostprocess/layer_norm/Cast/x`)[0]!;
    this.layers = [0, 1].map((index) => {
      const scope = `${KONA}/Layer_${index}/TransformerLayer`;
      const stack = `${STACK}/Layer_${index}/TransformerLayer`;
      const width = index === 0 ? 256 : 512;
      return {
        width,
        attentionNorm: makeNorm(scope),
        qkv: makeDense(`${scope}/MultiheadAttention/qkv_transform_single/kernel/part_0`, `${scope}/MultiheadAttention/qkv_transform_single/bias/ConcatPartitions/concat`, width, 3 * width),
        output: makeDense(`${scope}/MultiheadAttention/output_transform_single/kernel/part_0`, `${scope}/MultiheadAttention/output_transform_single/bias/ConcatPartitions/concat`, width, 512),
        residual: index === 0 ? makeDense(`${scope}/dense/kernel/ConcatPartitions/concat`, `${scope}/dense/bias/ConcatPartitions/concat`, 256, 512) : null,
        ffnNorm: makeNorm(`${scope}/FFN`),
        ffn1: makeDense(`${stack}/FFN/conv1/Tensordot/Reshape_1`, `${scope}/FFN/conv1/bias/ConcatPartitions/concat`, 512, 1536),
        ffn2: makeDense(`${stack}/FFN/conv2/Tensordot/Reshape_1`, `${scope}/FFN/conv2/bias/ConcatPartitions/concat`, 1536, 512),
      };
    });
    this.pooler = makeDense('hidden_layers/tanh_layer_0/weights', 'hidden_layers/tanh_layer_0/bias', 512, 512);
  }

  /** Exact states of one sentence given its piece ids (no padding). */
  run(ids: readonly number[]): UseLiteStates64 {
    const rows = ids.length;
    const half = this.invTimescales.length;
    const inputEmbeddings = new Float64Array(rows * 256);
    const x0 = new Float64Array(rows * 256);
    ids.forEach((id, t) => {
      for (let i = 0; i < 256; i++) {
        const e = this.embeddings[id * 256 + i]!;
        // The TF graph adds the embedding twice: once plain, once with the timing signal.
        const angle = t * this.invTimescales[i % half]!;
        inputEmbeddings[t * 256 + i] = e;
        x0[t * 256 + i] = e + (e + (i < half ? Math.sin(angle) : Math.cos(angle)));
      }
    });
    let x: Float64Array = x0;
    const outputs: Float64Array[] = [];
    for (const layer of this.layers) {
      x = this.layer(x, rows, layer);
      outputs.push(x);
    }
    const mean = new Float64Array(512);
    for (let t = 0; t < rows; t++) for (let i = 0; i < 512; i++) mean[i]! += x[t * 512 + i]!;
    for (let i = 0; i < 512; i++) mean[i]! /= Math.max(rows, 1);
    const hidden = dense(mean, 1, this.pooler).map(Math.tanh);
    let sumSquares = 0;
    for (const v of hidden) sumSquares += v * v;
    const inverse = 1 / Math.sqrt(Math.max(sumSquares, 1e-12));
    return { inputEmbeddings, layer0: outputs[0]!, layer1: outputs[1]!, sentence: hidden.map((v) => v * inverse) };
  }

  private layer(x: Float64Array, rows: number, layer: Layer): Float64Array {
    const { width } = layer;
    const headWidth = width / this.heads;
    const qkv = dense(layerNorm(x, rows, width, layer.attentionNorm, this.epsilon), rows, layer.qkv);
    const context = new Float64Array(rows * width);
    const scores = new Float64Array(rows);
    for (let h = 0; h < this.heads; h++) {
      for (let i = 0; i < rows; i++) {
        let max = -Infinity;
        for (let j = 0; j < rows; j++) {
          let s = 0;
          for (let k = 0; k < headWidth; k++) s += qkv[i * 3 * width + h * headWidth + k]! * qkv[j * 3 * width + width + h * headWidth + k]!;
          scores[j] = s / Math.sqrt(headWidth);
          max = Math.max(max, scores[j]!);
        }
        let total = 0;
        for (let j = 0; j < rows; j++) {
          scores[j] = Math.exp(scores[j]! - max);
          total += scores[j]!;
        }
        for (let j = 0; j < rows; j++) {
          const p = scores[j]! / total;
          for (let k = 0; k < headWidth; k++) context[i * width + h * headWidth + k]! += p * qkv[j * 3 * width + 2 * width + h * headWidth + k]!;
        }
      }
    }
    const attended = dense(context, rows, layer.output);
    const residual = layer.residual ? dense(x, rows, layer.residual) : x;
    const afterAttention = attended.map((v, i) => v + residual[i]!);
    const inner = dense(layerNorm(afterAttention, rows, 512, layer.ffnNorm, this.epsilon), rows, layer.ffn1).map((v) => Math.max(0, v));
    const ffn = dense(inner, rows, layer.ffn2);
    return ffn.map((v, i) => v + afterAttention[i]!);
  }
}
