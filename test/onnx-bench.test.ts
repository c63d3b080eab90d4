import { mkdtempSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CONTEXTUAL_GOAL, runContextualBench } from '../bench/contextual.js';
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
      cacheDir: root, modelDir: fixture.dir, modelId: 'tiny-bert', sentences: [...sentences, sentences[0]!], batchSizes: [1, 4], rounds: 1, timeMs: 20, threads: 1,
    });
    expect(rows.map((r) => [r.group, r.unit])).toEqual([
      ['onnx-batch', 'sentences/s'], ['onnx-batch', 'tokens/s'], ['onnx-batch', 'sentences/s'], ['onnx-batch', 'tokens/s'],
    ]);
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
  });
});
