import { mkdtempSync } from 'node:fs';
import { readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import onnxProto from 'onnx-proto';
import { benchArithmeticRate, flopsPerToken, weightMatMuls } from '../bench/arithmetic.js';
import { CONTEXTUAL_GOAL, runContextualBench } from '../bench/contextual.js';
import { GraphBuilder } from '../src/onnx/builder.js';
import { loadOnnxParts } from '../src/models/onnx-model.js';
import { WORDS, writeBertFixture } from './helpers/bert-fixture.js';

const root = mkdtempSync(join(tmpdir(), 'sensebench-onnx-bench-'));

afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('runContextualBench', () => {
  it('reports harness and bare session.run rates side by side per batch size', async () => {
    const fixture = await writeBertFixture(join(root, 'bert'));
    const sentences = Array.from({ length: 12 }, (_, i) => Array.from({ length: 3 + i }, (_, j) => WORDS[(i * 5 + j) % WORDS.length]).join(' '));
    const rows = await runContextualBench({
      cacheDir: root, modelDir: fixture.dir, modelId: 'tiny-bert', sentences: [...sentences, sentences[0]!], batchSizes: [1, 4], rounds: 1, timeMs: 20, threads: 1, sessions: 2,
    });
    // Per batch size: the harness as a run uses it (two sessions), then with one session, each in both units.
    expect(rows.map((r) => [r.group, r.unit])).toEqual(Array.from({ length: 4 }, () => [['onnx-batch', 'sentences/s'], ['onnx-batch', 'tokens/s']]).flat());
    expect(rows.map((r) => r.subject.replace(/ \(.*/, ''))).toEqual([1, 4].flatMap((b) => [
      `harness embed tiny-bert batch ${b}, 2 sessions side by side as a run uses it`, `harness embed tiny-bert batch ${b}, 2 sessions side by side as a run uses it`,
      `harness embed tiny-bert batch ${b}, one session like the bare loop`, `harness embed tiny-bert batch ${b}, one session like the bare loop`,
    ]));
    // Both harness rows of a batch size share the bare loop's measurement.
    expect(rows[0]!.baselineValue).toBe(rows[2]!.baselineValue);
    // Token count: each sentence is its words plus [CLS] and [SEP] (all fixture words are one piece).
    const parts = await loadOnnxParts(fixture.dir, { cacheDir: root, id: 'x' });
    let tokens = 0;
    for (const s of sentences) tokens += (await parts.tokenizer.ids(s)).length;
    await parts.runner.release();
    expect(tokens).toBe(sentences.reduce((sum, s) => sum + s.split(' ').length + 2, 0));
    expect(rows[0]!.subject).toContain(`12 sentences, ${tokens} tokens`);
    for (const row of rows) {
      expect(row.value).toBeGreaterThan(0);
      expect(row.ratio).toBeCloseTo(row.value / row.baselineValue!, 12);
      expect(row.goal).toBe(CONTEXTUAL_GOAL);
    }
    // sentences/s and tokens/s come from one measurement: their ratio is the mean sentence length.
    expect(rows[1]!.value / rows[0]!.value).toBeCloseTo(tokens / 12, 6);
    expect(rows[3]!.value / rows[2]!.value).toBeCloseTo(tokens / 12, 6);
  });
});

describe('benchArithmeticRate', () => {
  it('counts 2·K·N per token for every weight MatMul/Gemm and reports the rate beside the plain-MatMul peak', async () => {
    const fixture = await writeBertFixture(join(root, 'arith'), { layout: { family: 'bert', layerNorm: 'fused', outputs: 'last' } });
    const model = onnxProto.onnx.ModelProto.decode(await readFile(join(fixture.dir, 'onnx', 'model.onnx')));
    // Per layer: q, k, v, o (32x32), intermediate (32x64), output (64x32); two layers.
    expect(weightMatMuls(model)).toEqual([{ k: 32, n: 32, count: 8 }, { k: 32, n: 64, count: 2 }, { k: 64, n: 32, count: 2 }]);
    expect(flopsPerToken(weightMatMuls(model))).toBe(2 * (32 * 32 * 8 + 32 * 64 * 2 + 64 * 32 * 2));
    // Gemm with transB=1 stores the weight as [N, K].
    const g = new GraphBuilder('gemm');
    const x = g.input('x', 'float32', [1, 3]);
    g.output(g.node('Gemm', [x, g.initializer('w', new Float32Array(15), [5, 3])], { transB: 1 }), 'y', 'float32', [1, 5]);
    expect(weightMatMuls(onnxProto.onnx.ModelProto.decode(g.toBytes()))).toEqual([{ k: 3, n: 5, count: 1 }]);

    const sentences = ['the bank by the river', 'a fish in the water', 'money in the bank'];
    const rows = await benchArithmeticRate({ cacheDir: root, modelDir: fixture.dir, modelId: 'tiny', sentences, batchSize: 8, timeMs: 20, rounds: 1, threads: 1 });
    expect(rows).toHaveLength(1);
    const row = rows[0]!;
    expect([row.group, row.unit]).toEqual(['onnx-arithmetic', 'GFLOP/s']);
    // One batch of three sentences padded to 7 tokens ([CLS] + 5 words + [SEP]).
    expect(row.subject).toContain('32768 FLOP/token over 12 weight MatMuls, 21 padded tokens');
    expect(row.baseline).toContain('[21, K] x [K, N], 12 products');
    expect(row.value).toBeGreaterThan(0);
    expect(row.ratio).toBeCloseTo(row.value / row.baselineValue!, 12);
  });
});
