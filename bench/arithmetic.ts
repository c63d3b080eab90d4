/**
 * The model's arithmetic rate against the machine's practical peak, measured in the same run:
 * floating-point operations per token counted from the graph's weight MatMul/Gemm shapes, times the
 * tokens per second of a bare `session.run` loop, as a fraction of the FLOP/s of a graph made of
 * nothing but plain MatMuls of the same shapes, run through onnxruntime with the same threads.
 *
 * Counted: every MatMul or Gemm whose second operand is a 2-D weight initializer (directly or
 * through DequantizeLinear), 2·K·N operations per token. Not counted: activation-by-activation
 * products (attention scores and their weighted sums, 4·L·d per token per layer for a sequence of L
 * tokens) and everything elementwise — so the rate is a lower bound of the work done.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import onnxProto from 'onnx-proto';
import * as ort from 'onnxruntime-node';
import { loadOnnxParts } from '../src/models/onnx-model.js';
import { GraphBuilder } from '../src/onnx/builder.js';
import { mulberry32 } from '../src/random.js';

import { bareBatches, occurrencesOf } from './contextual.js';
import { compareRates, rateRow } from './measure.js';

import type { ThroughputRow } from '../src/results/schema.js';
/** One weight shape of the graph's MatMul/Gemm nodes and how often it occurs. */
export interface WeightShape {
  readonly k: number;
  readonly n: number;
  readonly count: number;
}

/** The weight MatMul/Gemm shapes of `model` (see the file comment), in first-seen order. */
export function weightMatMuls(model: onnxProto.onnx.IModelProto): WeightShape[] {
  const graph = model.graph ?? {};
  const initializers = new Map((graph.initializer ?? []).map((t) => [t.name ?? '', t]));
  const dequantized = new Map<string, string>();
  for (const node of graph.node ?? []) if (node.opType === 'DequantizeLinear') dequantized.set(node.output![0]!, node.input![0]!);
  const shapes = new Map<string, { k: number; n: number; count: number }>();
  for (const node of graph.node ?? []) {
    if (node.opType !== 'MatMul' && node.opType !== 'Gemm') continue;
    const operand = node.input?.[1] ?? '';
    const weight = initializers.get(operand) ?? initializers.get(dequantized.get(operand) ?? '');
    if (weight?.dims?.length !== 2) continue;
    const [rows, cols] = weight.dims.map(Number) as [number, number];
    const transposed = node.opType === 'Gemm' && node.attribute?.some((a) => a.name === 'transB' && Number(a.i) === 1) === true;
    const [k, n] = transposed ? [cols, rows] : [rows, cols];
    const key = `${k}x${n}`;
    const entry = shapes.get(key) ?? { k, n, count: 0 };
    entry.count++;
    shapes.set(key, entry);
  }
  return [...shapes.values()];
}

/** Floating-point operations per token of the counted MatMuls. */
export function flopsPerToken(shapes: readonly WeightShape[]): number {
  return shapes.reduce((sum, s) => sum + 2 * s.k * s.n * s.count, 0);
}

/** A graph of plain MatMuls: for every weight of `shapes`, `[tokens, K] x [K, N]` (one input per K). */
export function plainMatMulGraph(shapes: readonly WeightShape[], tokens: number): Uint8Array {
  const g = new GraphBuilder('plain_matmuls');
  const random = mulberry32(1).next;
  const inputs = new Map<number, string>();
  let index = 0;
  for (const s of shapes) {
    if (!inputs.has(s.k)) inputs.set(s.k, g.input(`x_${s.k}`, 'float32', [tokens, s.k]));
    for (let c = 0; c < s.count; c++) {
      const w = g.initializer(`w_${index}`, Float32Array.from({ length: s.k * s.n }, () => random() - 0.5), [s.k, s.n]);
      g.output(g.node('MatMul', [inputs.get(s.k)!, w]), `y_${index}`, 'float32', [tokens, s.n]);
      index++;
    }
  }
  return g.toBytes({ opset: 17, producer: 'sensebench-bench' });
}

/** Options of {@link benchArithmeticRate}. */
export interface ArithmeticBenchOptions {
  readonly cacheDir: string;
  readonly modelDir: string;
  readonly modelId?: string;
  readonly sentences: readonly string[];
  /** Default 32. */
  readonly batchSize?: number;
  /** Default 64. */
  readonly maxSentences?: number;
  readonly threads?: number;
  /** tinybench time budget per measurement, ms (default 1000). */
  readonly timeMs?: number;
  /** Interleaved rounds; the fastest of each side is kept (default 3). */
  readonly rounds?: number;
}

/** One row, group `onnx-arithmetic`, unit GFLOP/s: the model's rate vs the plain-MatMul peak (see the file comment). */
export async function benchArithmeticRate(options: ArithmeticBenchOptions): Promise<ThroughputRow[]> {
  const batchSize = options.batchSize ?? 32;
  const sentences = [...new Set(options.sentences)].slice(0, options.maxSentences ?? 64);
  if (sentences.length === 0) throw new Error('benchArithmeticRate needs at least one sentence');
  const parts = await loadOnnxParts(options.modelDir, { cacheDir: options.cacheDir, id: options.modelId ?? options.modelDir, batchSize, ...(options.threads !== undefined ? { threads: options.threads } : {}) });
  let peak: ort.InferenceSession | undefined;
  try {
    const id = options.modelId ?? parts.id;
    const shapes = weightMatMuls(onnxProto.onnx.ModelProto.decode(await readFile(join(options.modelDir, String(parts.info.onnxFile)))));
    const perToken = flopsPerToken(shapes);
    if (perToken === 0) throw new Error(`${id}: no weight MatMul/Gemm found to count`);
    const occurrences = occurrencesOf(sentences);
    const { batches } = await bareBatches(parts, occurrences);
    // Padded positions are computed too: they count as tokens of work.
    const tokens = batches.reduce((sum, b) => sum + b.rows * b.tokens, 0);
    const meanBatchTokens = Math.max(1, Math.round(tokens / batches.length));
    peak = await ort.InferenceSession.create(plainMatMulGraph(shapes, meanBatchTokens), { intraOpNumThreads: options.threads ?? 0, interOpNumThreads: 1, executionMode: 'sequential', graphOptimizationLevel: 'all' });
    const peakFeeds: Record<string, ort.Tensor> = {};
    const random = mulberry32(2).next;
    for (const k of new Set(shapes.map((s) => s.k))) peakFeeds[`x_${k}`] = new ort.Tensor('float32', Float32Array.from({ length: meanBatchTokens * k }, () => random() - 0.5), [meanBatchTokens, k]);
    const session = await parts.runner.open();
    const fetches = [...parts.runner.options.fetches];
    const peakSession = peak;
    const timeMs = options.timeMs ?? 1000;
    const { subject, baseline } = await compareRates(
      { name: `bare session.run ${id}`, fn: async () => { for (const batch of batches) await session.run(batch.feeds, fetches); } },
      { name: 'plain MatMuls', fn: () => peakSession.run(peakFeeds) },
      { timeMs, iterations: 5, warmupIterations: 2, rounds: options.rounds ?? 3 },
    );
    const gflops = (opsPerSecond: number, flopsPerOp: number): number => (opsPerSecond * flopsPerOp) / 1e9;
    const matmuls = shapes.reduce((sum, s) => sum + s.count, 0);
    return [
      rateRow(
        'onnx-arithmetic',
        'GFLOP/s',
        `model arithmetic ${id}, bare session.run, batch ${batchSize} (${perToken} FLOP/token over ${matmuls} weight MatMuls, ${tokens} padded tokens)`,
        { ...subject, opsPerSecond: gflops(subject.opsPerSecond, perToken * tokens) },
        `plain MatMuls of the model's shapes through onnxruntime ([${meanBatchTokens}, K] x [K, N], ${matmuls} products)`,
        { ...baseline, opsPerSecond: gflops(baseline.opsPerSecond, perToken * meanBatchTokens) },
        null,
      ),
    ];
  } finally {
    await peak?.release();
    await parts.runner.release();
  }
}
