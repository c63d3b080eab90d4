/**
 * A small T5-like encoder in the transformers.js encoder-decoder layout (`onnx/encoder_model.onnx`),
 * built with the sensebench ONNX builder from seeded random weights, with Hugging Face parameter
 * names (`shared.weight`, `encoder.block.N.layer.0.layer_norm.weight`, ...,
 * `encoder.final_layer_norm.weight`): pre-norm blocks with decomposed RMS norms (as torch.onnx
 * emits T5LayerNorm), unscaled attention and a ReLU feed-forward, no biases. Unlike real T5 it has
 * no relative position bias (it plays no part in where blocks end). Also an independent float64
 * forward pass returning Hugging Face's hidden_states.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { GraphBuilder } from '../../src/onnx/builder.js';
import { mulberry32 } from '../../src/random.js';
import { sentencePieceTokenizer } from './bert-fixture.js';

export interface T5Block {
  readonly ln0: Float32Array;
  readonly q: Float32Array; readonly k: Float32Array; readonly v: Float32Array; readonly o: Float32Array;
  readonly ln1: Float32Array;
  readonly wi: Float32Array; readonly wo: Float32Array;
}

export interface T5Weights {
  readonly dModel: number;
  readonly dFf: number;
  readonly heads: number;
  readonly vocabSize: number;
  readonly eps: number;
  readonly shared: Float32Array;
  readonly blocks: readonly T5Block[];
  readonly finalNorm: Float32Array;
}

export function makeT5Weights(vocabSize: number, seed = 11, layers = 2): T5Weights {
  const random = mulberry32(seed).next;
  const uniform = (n: number, scale: number, offset = 0): Float32Array => Float32Array.from({ length: n }, () => offset + (random() * 2 - 1) * scale);
  const d = 32;
  const f = 64;
  const block = (): T5Block => ({
    ln0: uniform(d, 0.2, 1), q: uniform(d * d, 0.3), k: uniform(d * d, 0.3), v: uniform(d * d, 0.3), o: uniform(d * d, 0.3),
    ln1: uniform(d, 0.2, 1), wi: uniform(d * f, 0.3), wo: uniform(f * d, 0.3),
  });
  return { dModel: d, dFf: f, heads: 2, vocabSize, eps: 1e-6, shared: uniform(vocabSize * d, 1), blocks: Array.from({ length: layers }, block), finalNorm: uniform(d, 0.2, 1) };
}

/** The encoder graph (opset 14), output `last_hidden_state` only, as an encoder export has. */
export function buildT5EncoderOnnx(w: T5Weights): Uint8Array {
  const { dModel: d, dFf: f, heads } = w;
  const dh = d / heads;
  const g = new GraphBuilder('tiny_t5_encoder');
  const ids = g.input('input_ids', 'int64', ['batch_size', 'encoder_sequence_length']);
  const mask = g.input('attention_mask', 'int64', ['batch_size', 'encoder_sequence_length']);
  const shared = g.initializer('shared.weight', w.shared, [w.vocabSize, d]);
  let x = g.node('Gather', [shared, ids], { axis: 0 }, { name: '/embed_tokens/Gather' });
  const rms = (input: string, name: string, weight: Float32Array): string => {
    const variance = g.node('ReduceMean', [g.node('Pow', [input, g.constant(new Float32Array([2]), [])])], { axes: [-1] });
    const inverse = g.node('Reciprocal', [g.node('Sqrt', [g.node('Add', [variance, g.constant(new Float32Array([w.eps]), [])])])]);
    return g.node('Mul', [g.initializer(name, weight, [d]), g.node('Mul', [input, inverse])]);
  };
  const maskBias = g.node('Mul', [
    g.node('Sub', [g.constant(new Float32Array([1]), []), g.node('Cast', [g.node('Unsqueeze', [mask, g.constant(new BigInt64Array([1n, 2n]), [2])])], { to: 1 })]),
    g.constant(new Float32Array([-1e9]), []),
  ]);
  const headShape = g.constant(new BigInt64Array([0n, 0n, BigInt(heads), BigInt(dh)]), [4]);
  const mergedShape = g.constant(new BigInt64Array([0n, 0n, BigInt(d)]), [3]);
  w.blocks.forEach((b, n) => {
    const p = `encoder.block.${n}.layer`;
    const mm = (input: string, name: string, data: Float32Array, inDim: number, outDim: number): string => g.node('MatMul', [input, g.initializer(`onnx::MatMul_${name}`, data, [inDim, outDim])]);
    const normed = rms(x, `${p}.0.layer_norm.weight`, b.ln0);
    const split = (t: string, perm: number[]): string => g.node('Transpose', [g.node('Reshape', [t, headShape])], { perm });
    const q = split(mm(normed, `${p}.0.SelfAttention.q`, b.q, d, d), [0, 2, 1, 3]);
    const kT = split(mm(normed, `${p}.0.SelfAttention.k`, b.k, d, d), [0, 2, 3, 1]);
    const v = split(mm(normed, `${p}.0.SelfAttention.v`, b.v, d, d), [0, 2, 1, 3]);
    const context = g.node('MatMul', [g.node('Softmax', [g.node('Add', [g.node('MatMul', [q, kT]), maskBias])], { axis: -1 }), v]);
    const merged = g.node('Reshape', [g.node('Transpose', [context], { perm: [0, 2, 1, 3] }), mergedShape]);
    x = g.node('Add', [x, mm(merged, `${p}.0.SelfAttention.o`, b.o, d, d)]);
    const ffIn = rms(x, `${p}.1.layer_norm.weight`, b.ln1);
    x = g.node('Add', [x, mm(g.node('Relu', [mm(ffIn, `${p}.1.DenseReluDense.wi`, b.wi, d, f)]), `${p}.1.DenseReluDense.wo`, b.wo, f, d)]);
  });
  g.output(rms(x, 'encoder.final_layer_norm.weight', w.finalNorm), 'last_hidden_state', 'float32', ['batch_size', 'encoder_sequence_length', d]);
  return g.toBytes({ opset: 14, producer: 'sensebench-test' });
}

/** Writes config.json, tokenizer.json, tokenizer_config.json and onnx/encoder_model.onnx under `dir`. */
export async function writeT5Fixture(dir: string): Promise<{ dir: string; weights: T5Weights }> {
  const tokenizer = sentencePieceTokenizer('t5');
  const weights = makeT5Weights(tokenizer.vocab.length);
  await mkdir(join(dir, 'onnx'), { recursive: true });
  await writeFile(join(dir, 'onnx', 'encoder_model.onnx'), buildT5EncoderOnnx(weights));
  await writeFile(join(dir, 'tokenizer.json'), JSON.stringify(tokenizer.json));
  await writeFile(join(dir, 'tokenizer_config.json'), JSON.stringify({ tokenizer_class: 'T5Tokenizer', model_max_length: 512, pad_token: '<pad>', eos_token: '</s>' }));
  await writeFile(join(dir, 'config.json'), JSON.stringify({
    model_type: 't5', architectures: ['T5ForConditionalGeneration'], d_model: weights.dModel, d_ff: weights.dFf, num_layers: weights.blocks.length,
    num_heads: weights.heads, d_kv: weights.dModel / weights.heads, vocab_size: weights.vocabSize, layer_norm_epsilon: weights.eps, pad_token_id: 0, eos_token_id: 1,
  }));
  return { dir, weights };
}

/** Float64 forward pass of one unpadded sequence: Hugging Face's hidden_states, [state][token][dim]. */
export function referenceT5(w: T5Weights, ids: readonly number[]): number[][][] {
  const { dModel: d, dFf: f, heads } = w;
  const dh = d / heads;
  const rms = (x: readonly number[], weight: Float32Array): number[] => {
    const variance = x.reduce((a, v) => a + v * v, 0) / x.length;
    return x.map((v, i) => weight[i]! * (v / Math.sqrt(variance + w.eps)));
  };
  const mm = (x: readonly number[], m: Float32Array, outDim: number): number[] => Array.from({ length: outDim }, (_, o) => x.reduce((a, v, i) => a + v * m[i * outDim + o]!, 0));
  let x = ids.map((id) => Array.from({ length: d }, (_, k) => w.shared[id * d + k]!));
  const states: number[][][] = [];
  for (const b of w.blocks) {
    states.push(x);
    const normed = x.map((row) => rms(row, b.ln0));
    const q = normed.map((r) => mm(r, b.q, d));
    const k = normed.map((r) => mm(r, b.k, d));
    const v = normed.map((r) => mm(r, b.v, d));
    const context = x.map(() => new Array<number>(d).fill(0));
    for (let h = 0; h < heads; h++) {
      for (let i = 0; i < x.length; i++) {
        const scores = x.map((_, j) => {
          let s = 0;
          for (let t = 0; t < dh; t++) s += q[i]![h * dh + t]! * k[j]![h * dh + t]!;
          return s;
        });
        const max = Math.max(...scores);
        const e = scores.map((s) => Math.exp(s - max));
        const total = e.reduce((a, c) => a + c, 0);
        for (let j = 0; j < x.length; j++) for (let t = 0; t < dh; t++) context[i]![h * dh + t]! += (e[j]! / total) * v[j]![h * dh + t]!;
      }
    }
    x = x.map((row, i) => mm(context[i]!, b.o, d).map((o, t) => o + row[t]!));
    x = x.map((row) => mm(mm(rms(row, b.ln1), b.wi, f).map((a) => Math.max(0, a)), b.wo, d).map((o, t) => o + row[t]!));
  }
  states.push(x.map((row) => rms(row, w.finalNorm)));
  return states;
}
