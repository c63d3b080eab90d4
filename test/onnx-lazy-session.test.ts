/**
 * A model directory sensebench prepared and verified, whose config.json names its outputs (the
 * default transformers), opens its onnxruntime session on first need: a run answered from the
 * embedding cache never opens it. Everything its load reports comes from config.json, the same as
 * when the session is opened at load (as it still is for any other directory).
 */
import { mkdtempSync } from 'node:fs';
import { rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EmbeddingCache, withEmbeddingCache, type EmbeddingCacheStats } from '../src/cache/embedding-cache.js';
import { OnnxEmbeddingModel, loadOnnxParts, type OnnxModelParts } from '../src/models/onnx-model.js';
import { prepareUseLite } from '../src/models/use-lite/convert.js';
import { wordSpans } from '../src/text.js';
import type { OccurrenceEmbedding, TargetOccurrence } from '../src/types.js';
import { writeBertFixture } from './helpers/bert-fixture.js';

const cacheDir = process.env.SENSEBENCH_CACHE ?? join(import.meta.dirname, '..', '.cache');
const root = mkdtempSync(join(tmpdir(), 'sensebench-lazy-session-'));
let useLite: { dir: string; sha256: string };

const sentences = ['The river bank was muddy.', 'She went to the bank for a loan.', 'A bat flew out of the cave at dusk.', 'He swung the bat and missed.'];
const occurrences: TargetOccurrence[] = sentences.flatMap((sentence, s) => wordSpans(sentence).map((span) => ({ sentence, spans: [span], source: { file: 'mem', line: s + 1 } })));

/** use-lite as `sensebench run` loads it (src/models/index.ts): verified just before, with the manifest's checksum. */
function loadUseLite(options: { readonly verified: boolean }): Promise<OnnxModelParts> {
  return loadOnnxParts(useLite.dir, { cacheDir, id: 'use-lite', ...(options.verified ? { sha256: useLite.sha256 } : {}) });
}

const plain = (embeddings: readonly OccurrenceEmbedding[]): unknown => embeddings.map((e) => ({ truncated: e.truncated, vectors: e.vectors.map((v) => (v === null ? null : [...v])) }));

beforeAll(async () => {
  const prepared = await prepareUseLite(cacheDir);
  useLite = { dir: prepared.dir, sha256: prepared.sha256 };
});

afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('a verified model whose config.json names its outputs (use-lite)', () => {
  it('loads without a session, reporting what a load that opens one reports', async () => {
    const lazy = await loadUseLite({ verified: true });
    const eager = await loadUseLite({ verified: false });
    try {
      expect(lazy.runner.sessionOpened).toBe(false);
      expect(eager.runner.sessionOpened).toBe(true);
      expect(lazy.info).toEqual(eager.info);
      expect(lazy.bindings).toEqual(eager.bindings);
      expect(lazy.runner.options.fetches).toEqual(eager.runner.options.fetches);
      expect(new OnnxEmbeddingModel(lazy).representations).toEqual(new OnnxEmbeddingModel(eager).representations);
    } finally {
      await Promise.all([lazy.runner.release(), eager.runner.release()]);
    }
    // Released without ever being used: nothing was opened to release it.
    expect(lazy.runner.sessionOpened).toBe(false);
  });

  it('answers a fully cached pass without opening its session; the first real embed opens it and gives the vectors of a session opened at load', async () => {
    const embeddingCache = new EmbeddingCache(join(root, 'cache'));
    const eager = await loadUseLite({ verified: false });
    let expected: OccurrenceEmbedding[];
    try {
      expected = await new OnnxEmbeddingModel(eager).embed(occurrences);
    } finally {
      await eager.runner.release();
    }

    const stats: EmbeddingCacheStats[] = [];
    const cold = await loadUseLite({ verified: true });
    const coldModel = withEmbeddingCache(new OnnxEmbeddingModel(cold), embeddingCache, (s) => stats.push(s));
    try {
      expect(cold.runner.sessionOpened).toBe(false);
      expect(plain(await coldModel.embed(occurrences))).toEqual(plain(expected));
      expect(cold.runner.sessionOpened).toBe(true);
      expect(cold.runner.sessionRuns).toBeGreaterThan(0);
    } finally {
      await coldModel.dispose();
    }

    const warm = await loadUseLite({ verified: true });
    const warmModel = withEmbeddingCache(new OnnxEmbeddingModel(warm), embeddingCache, (s) => stats.push(s));
    try {
      expect(plain(await warmModel.embed(occurrences))).toEqual(plain(expected));
      expect(warm.runner.sessionOpened).toBe(false);
      expect(warm.runner.sessionRuns).toBe(0);
    } finally {
      await warmModel.dispose();
    }
    expect(warm.runner.sessionOpened).toBe(false);
    expect(stats.map((s) => [s.embedded, s.hits])).toEqual([[occurrences.length, 0], [0, occurrences.length]]);
  });
});

describe('a configured directory whose graph does not fit', () => {
  const configExtra = { sensebench: { outputs: [{ name: 'pooler_output', representation: 'x', kind: 'contextual', pooling: 'sentence' }] } };
  const missingOutput = /config\.json:1: sensebench\.outputs\[0\]: the graph has no output "pooler_output" \(outputs: /;
  const target = 'bank';
  const occurrence: TargetOccurrence = { sentence: 'the bank', spans: [{ start: 4, end: 4 + target.length }], source: { file: 'mem', line: 1 } };

  it('names the missing output and config.json at load for a user directory, and at first use for a verified one (each call, never opening twice)', async () => {
    const dir = join(root, 'missing-output');
    await writeBertFixture(dir, { configExtra });
    await expect(loadOnnxParts(dir, { cacheDir: root, id: 'user' })).rejects.toThrow(missingOutput);

    // As a caller that has just verified the directory against its manifest passes it.
    const parts = await loadOnnxParts(dir, { cacheDir: root, id: 'verified', sha256: 'f'.repeat(64) });
    const model = new OnnxEmbeddingModel(parts);
    try {
      expect(model.representations.map((r) => r.name)).toEqual(['x']);
      expect(parts.runner.sessionOpened).toBe(false);
      await expect(model.embed([occurrence])).rejects.toThrow(missingOutput);
      await expect(model.embed([occurrence])).rejects.toThrow(missingOutput);
      await expect(parts.runner.openSessions()).rejects.toThrow(missingOutput);
      expect(parts.runner.sessionRuns).toBe(0);
    } finally {
      await model.dispose();
    }
  });

  it('fails the call that needs a session onnxruntime cannot open, naming the model and the graph file', async () => {
    const dir = join(root, 'broken-graph');
    await writeBertFixture(dir, { configExtra: { sensebench: { outputs: [{ name: 'last_hidden_state', representation: 'last', kind: 'contextual', pooling: 'target' }] } } });
    const graph = join(dir, 'onnx', 'model.onnx');
    await writeFile(graph, 'not an onnx graph');
    await expect(loadOnnxParts(dir, { cacheDir: root, id: 'user' })).rejects.toThrow(/onnxruntime cannot load the model user: /);
    const parts = await loadOnnxParts(dir, { cacheDir: root, id: 'verified', sha256: 'f'.repeat(64) });
    const model = new OnnxEmbeddingModel(parts);
    try {
      const message = new RegExp(`^${graph.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:1: onnxruntime cannot load the model verified: `);
      await expect(model.embed([occurrence])).rejects.toThrow(message);
      await expect(model.embed([occurrence])).rejects.toThrow(message);
    } finally {
      await model.dispose();
    }
  });
});
