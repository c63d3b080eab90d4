/**
 * Graph surgery on fixtures that mimic real Hub exports (test/helpers/bert-fixture.ts): BERT with
 * both LayerNorm styles, a head (`bert.` prefix, `logits` only), RoBERTa (byte-level BPE,
 * positions offset by the padding index), DistilBERT, ALBERT's shared layer (Metaspace + Unigram),
 * a QDQ-quantized variant and one with external data. Oracle: an independent float64 JavaScript
 * forward pass of the same weights (referenceForward), to 1e-5, at batch size 1 and 32.
 */
import { mkdtempSync } from 'node:fs';
import { readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import onnxProto from 'onnx-proto';
import { formatInspection, inspectModel } from '../src/models/inspect.js';
import { analyseGraph, prepareLayerGraph } from '../src/models/graph-surgery.js';
import { OnnxEmbeddingModel, loadOnnxModel, loadOnnxParts, type OnnxModelParts } from '../src/models/onnx-model.js';
import type { EncodedSentence } from '../src/models/tokenizer.js';
import { GraphBuilder } from '../src/onnx/builder.js';
import type { TargetOccurrence, TargetSpans } from '../src/types.js';
import { referenceForward, writeBertFixture, type FixtureLayout } from './helpers/bert-fixture.js';
import { referenceT5, writeT5Fixture } from './helpers/t5-fixture.js';

const root = mkdtempSync(join(tmpdir(), 'sensebench-surgery-'));

afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

function occurrence(sentence: string, ...targets: string[]): TargetOccurrence {
  let from = 0;
  const spans = targets.map((t) => {
    const start = sentence.indexOf(t, from);
    if (start < 0) throw new Error(`no ${t} in ${sentence}`);
    from = start + t.length;
    return { start, end: start + t.length };
  });
  return { sentence, spans: spans as unknown as TargetSpans, source: { file: 'fixture', line: 1 } };
}

function worstDifference(actual: ArrayLike<number> | null | undefined, expected: readonly number[]): number {
  expect(actual).toBeTruthy();
  expect(actual!.length).toBe(expected.length);
  let worst = 0;
  for (let i = 0; i < expected.length; i++) worst = Math.max(worst, Math.abs(actual![i]! - expected[i]!));
  return worst;
}

/** The target tokens by the offset rule (its choices are pinned by hand in onnx-alignment.test.ts). */
function targetOf(encoded: EncodedSentence, occ: TargetOccurrence): number[] {
  return encoded.offsets.flatMap(([s, t], k) => (!encoded.special[k] && t > s && occ.spans.some((sp) => s < sp.end && t > sp.start) ? [k] : []));
}

const mean = (rows: readonly (readonly number[])[]): number[] => rows[0]!.map((_, d) => rows.reduce((a, r) => a + r[d]!, 0) / rows.length);

const OCCURRENCES = [
  occurrence('Bank of the river', 'Bank'),
  occurrence('They found it unbelievable, really.', 'unbelievable'),
  occurrence('The RIVER Bank, muddy.', 'Bank'),
  occurrence('she sat by the bank', 'bank'),
  occurrence('they walked the dog by the river', 'walked', 'dog'),
  occurrence('an old tree with dark bark', 'bark'),
];

/**
 * Embeds {@link OCCURRENCES} with a model made of `parts` (released afterwards) and returns the
 * largest difference from `expected(ids, target)`: one vector per representation, null to skip one.
 */
async function worstAgainstReference(parts: OnnxModelParts, expected: (ids: readonly number[], target: readonly number[]) => (readonly number[] | null)[]): Promise<number> {
  const model = new OnnxEmbeddingModel(parts);
  try {
    const results = await model.embed(OCCURRENCES);
    let worst = 0;
    for (const [i, occ] of OCCURRENCES.entries()) {
      const encoded = await parts.tokenizer.encode(occ.sentence);
      expected(encoded.ids, targetOf(encoded, occ)).forEach((vector, r) => {
        if (vector !== null) worst = Math.max(worst, worstDifference(results[i]!.vectors[r], vector));
      });
    }
    return worst;
  } finally {
    await model.dispose();
  }
}

const LAYOUTS: { name: string; layout: FixtureLayout; onnxFile?: string; via: RegExp }[] = [
  { name: 'BERT, LayerNormalization (opset 17), last_hidden_state only', layout: { family: 'bert', layerNorm: 'fused', outputs: 'last' }, via: /^LayerNormalization$/ },
  { name: 'BERT with a head (bert.), decomposed LayerNorm (opset 14), logits only', layout: { family: 'bert', layerNorm: 'decomposed', outputs: 'logits', prefix: 'bert.' }, via: /^Mul -> Add \(decomposed LayerNorm\)$/ },
  { name: 'RoBERTa (byte-level BPE, padding-offset positions)', layout: { family: 'roberta', layerNorm: 'decomposed', outputs: 'last' }, via: /decomposed/ },
  { name: 'DistilBERT with a head (distilbert.), ids cast to int32 before the embedding Gather', layout: { family: 'distilbert', layerNorm: 'fused', outputs: 'last', prefix: 'distilbert.', castIds: true }, via: /^LayerNormalization$/ },
  { name: 'ELECTRA-small-like (embeddings_project to the hidden width), with a head (electra.)', layout: { family: 'electra', layerNorm: 'fused', outputs: 'logits', prefix: 'electra.' }, via: /^LayerNormalization$/ },
  { name: 'ALBERT (shared layer, embedding projection, Metaspace + Unigram)', layout: { family: 'albert', layerNorm: 'decomposed', outputs: 'last' }, via: /decomposed/ },
  { name: 'BERT quantized (QDQ: weights through DequantizeLinear)', layout: { family: 'bert', layerNorm: 'fused', outputs: 'last', quantized: true }, onnxFile: 'onnx/model_quantized.onnx', via: /^LayerNormalization$/ },
  { name: 'BERT with external data (model.onnx_data)', layout: { family: 'bert', layerNorm: 'decomposed', outputs: 'last', externalData: true }, via: /decomposed/ },
];

describe.each(LAYOUTS)('graph surgery: $name', ({ name, layout, onnxFile, via }) => {
  const dir = join(root, name.replace(/[^a-z0-9]+/gi, '-'));

  it('finds every layer and matches the reference forward pass within 1e-5 at batch size 1 and 32', async () => {
    const fixture = await writeBertFixture(dir, { layout, ...(onnxFile !== undefined ? { onnxFile } : {}) });
    const before = await readFile(join(dir, onnxFile ?? 'onnx/model.onnx'));
    const inspection = await inspectModel(`onnx:${dir}`, { cacheDir: root });
    expect(inspection.source).toBe('graph surgery');
    expect(inspection.layers.map((l) => l.representation)).toEqual(['input', 'embeddings', 'layer-1', 'layer-2']);
    for (const layer of inspection.layers.slice(2)) expect(layer.via).toMatch(via);
    // Quantized: the weights are reached only through their quantizer names and DequantizeLinear.
    if (layout.quantized === true) expect(inspection.layers.filter((l) => l.parameter.endsWith('_quantized')).map((l) => l.representation)).toEqual(['input', 'layer-1', 'layer-2']);
    if (layout.family === 'albert') expect(inspection.notes.join(' ')).toContain('shared by 2 unrolled layers');
    if (layout.family === 'albert' || layout.family === 'electra') expect(inspection.layers[1]!.via).toBe('Add (embedding projection)');
    expect(inspection.representations.map((r) => r.name)).toEqual(['input', 'embeddings', 'layer-1', 'layer-2', 'sentence-mean']);
    expect(inspection.hiddenSize).toBe(32);
    expect(formatInspection(inspection)).toContain('layer-2');

    const { weights } = fixture;
    const e = weights.config.embedding;
    for (const batchSize of [1, 32]) {
      const parts = await loadOnnxParts(dir, { cacheDir: root, id: name, batchSize });
      const worst = await worstAgainstReference(parts, (ids, target) => {
        const reference = referenceForward(weights, ids);
        const input = mean(target.map((k) => [...weights.wordEmbeddings.slice(ids[k]! * e, (ids[k]! + 1) * e)]));
        return [input, ...[0, 1, 2].map((layer) => mean(target.map((k) => reference[layer]![k]!))), mean(reference[2]!)];
      });
      expect(worst).toBeLessThan(1e-5);
      if (batchSize === 32) expect(parts.runner.sessionRuns).toBe(1);
    }
    // The user's file is untouched; the derived model lives in the cache.
    expect((await readFile(join(dir, onnxFile ?? 'onnx/model.onnx'))).equals(before)).toBe(true);
  });
});

describe('the derived-model cache', () => {
  it('reuses an entry, and rebuilds a damaged one', async () => {
    const dir = join(root, 'cache-bert');
    await writeBertFixture(dir, { layout: { family: 'bert', layerNorm: 'fused', outputs: 'last' } });
    const cacheDir = join(root, 'cache-dir');
    const onnxPath = join(dir, 'onnx', 'model.onnx');
    const first = await prepareLayerGraph(onnxPath, cacheDir);
    expect(first.cached).toBe(false);
    expect(first.path.startsWith(join(cacheDir, 'onnx-derived'))).toBe(true);
    const second = await prepareLayerGraph(onnxPath, cacheDir);
    expect(second.cached).toBe(true);
    const good = await readFile(first.path);
    await writeFile(first.path, good.subarray(0, good.length - 10));
    const third = await prepareLayerGraph(onnxPath, cacheDir);
    expect(third.cached).toBe(false);
    expect((await readFile(third.path)).equals(good)).toBe(true);
  });
});

describe('a graph with external data', () => {
  it('is a new model when only its model.onnx_data changes: new identity, new derived graph, the new weights\' vectors', async () => {
    const dir = join(root, 'external');
    await writeBertFixture(dir, { layout: { family: 'bert', layerNorm: 'decomposed', outputs: 'last', externalData: true } });
    const vectorsOf = async (cacheDir: string): Promise<{ sha256: string; vectors: (Float32Array | null)[] }> => {
      const parts = await loadOnnxParts(dir, { cacheDir, id: 'external' });
      const model = new OnnxEmbeddingModel(parts);
      try {
        const results = await model.embed(OCCURRENCES);
        return { sha256: parts.sha256, vectors: results.flatMap((r) => [...r.vectors]) };
      } finally {
        await model.dispose();
      }
    };
    const cacheDir = join(root, 'external-cache');
    const before = await vectorsOf(cacheDir);
    // The situation a user meets: the same graph file, other weights beside it (a new file, as a
    // download or a copy makes it; every weight's sign flipped, which moves every layer).
    const dataPath = join(dir, 'onnx', 'model.onnx_data');
    const data = await readFile(dataPath);
    const floats = new Float32Array(data.buffer, data.byteOffset, data.length / 4);
    for (let i = 0; i < floats.length; i++) floats[i] = -floats[i]!;
    await rm(dataPath);
    await writeFile(dataPath, data);
    const after = await vectorsOf(cacheDir);
    const uncached = await vectorsOf(join(root, 'external-cache-2'));
    expect(after.sha256).not.toBe(before.sha256);
    expect(after.sha256).toBe(uncached.sha256);
    expect(after.vectors).toEqual(uncached.vectors);
    expect(after.vectors).not.toEqual(before.vectors);
    await rm(dataPath);
    await expect(loadOnnxParts(dir, { cacheDir, id: 'external' })).rejects.toThrow(/external data file model\.onnx_data is missing/);
  });
});

describe('a graph whose structure is not understood', () => {
  it('says what it found and scores only the graph outputs', async () => {
    const dir = join(root, 'opaque');
    await writeBertFixture(dir, { layout: { family: 'bert', layerNorm: 'fused', outputs: 'last' } });
    // Same tokenizer and config, but a graph with anonymous weights: an embedding lookup only.
    const g = new GraphBuilder('opaque');
    const ids = g.input('input_ids', 'int64', ['batch', 'sequence']);
    g.input('attention_mask', 'int64', ['batch', 'sequence']);
    const table = g.initializer('onnx::Gather_1', new Float32Array(600 * 4).map((_, i) => (i % 7) / 7), [600, 4]);
    g.output(g.node('Gather', [table, ids], { axis: 0 }), 'last_hidden_state', 'float32', ['batch', 'sequence', 4]);
    await writeFile(join(dir, 'onnx', 'model.onnx'), g.toBytes());
    const analysis = analyseGraph(onnxProto.onnx.ModelProto.decode(await readFile(join(dir, 'onnx', 'model.onnx'))));
    expect(analysis.understood).toBe(false);
    expect(analysis.notes.join(' ')).toMatch(/no layer parameters of a known layout .* among 1 initializers/);
    const model = await loadOnnxModel(dir, { cacheDir: root, id: 'opaque' });
    try {
      expect(model.representations.map((r) => r.name)).toEqual(['last']);
      expect(String(model.info.layers)).toMatch(/^not found \(no layer parameters/);
    } finally {
      await model.dispose();
    }
    const inspection = await inspectModel(dir, { cacheDir: root });
    expect(inspection.source).toBe('graph output names');
    expect(formatInspection(inspection)).toContain('found       no layer parameters');
  });
});

describe('graph surgery: T5-like encoder (pre-norm, onnx/encoder_model.onnx)', () => {
  it('reads block inputs and the final norm as hidden_states, within 1e-5 of the reference, batched or not', async () => {
    const { dir, weights } = await writeT5Fixture(join(root, 't5'));
    const inspection = await inspectModel(dir, { cacheDir: root });
    expect(inspection.onnxFile).toBe('onnx/encoder_model.onnx');
    expect(inspection.family).toBe('t5');
    expect(inspection.layers.map((l) => [l.representation, l.parameter])).toEqual([
      ['input', 'shared.weight'],
      ['layer-1', 'encoder.block.1.layer.0.layer_norm.weight'],
      ['layer-2', 'encoder.final_layer_norm.weight'],
    ]);
    expect(inspection.representations.map((r) => r.name)).toEqual(['input', 'layer-1', 'layer-2', 'sentence-mean']);
    for (const batchSize of [1, 32]) {
      const parts = await loadOnnxParts(dir, { cacheDir: root, id: 't5', batchSize });
      const worst = await worstAgainstReference(parts, (ids, target) => {
        const reference = referenceT5(weights, ids);
        return [...[0, 1, 2].map((state) => mean(target.map((k) => reference[state]![k]!))), mean(reference[2]!)];
      });
      expect(worst).toBeLessThan(1e-5);
    }
  });
});

describe('float16 outputs (model_fp16.onnx exports)', () => {
  it('widens a float16 output to float32 exactly', async () => {
    const dir = join(root, 'fp16');
    await writeBertFixture(dir, { layout: { family: 'bert', layerNorm: 'fused', outputs: 'last' } });
    const g = new GraphBuilder('fp16');
    const ids = g.input('input_ids', 'int64', ['batch', 'sequence']);
    g.input('attention_mask', 'int64', ['batch', 'sequence']);
    // Row r of the table holds r/8, r/8 + 1/16, ... (below 76): exactly representable in float16.
    const table = Float32Array.from({ length: 600 * 4 }, (_, i) => Math.floor(i / 4) / 8 + (i % 4) / 16);
    const rows = g.node('Gather', [g.initializer('onnx::Gather_1', table, [600, 4]), ids], { axis: 0 });
    g.output(g.node('Cast', [rows], { to: 10 }), 'last_hidden_state', 'float32', ['batch', 'sequence', 4]);
    const bytes = onnxProto.onnx.ModelProto.decode(g.toBytes());
    // Declare the output's element type as float16, as the Cast produces.
    bytes.graph!.output![0]!.type!.tensorType!.elemType = onnxProto.onnx.TensorProto.DataType.FLOAT16;
    await writeFile(join(dir, 'onnx', 'model_fp16.onnx'), onnxProto.onnx.ModelProto.encode(bytes).finish());
    await rm(join(dir, 'onnx', 'model.onnx'));
    const parts = await loadOnnxParts(dir, { cacheDir: root, id: 'fp16' });
    const model = new OnnxEmbeddingModel(parts);
    try {
      expect(parts.info.onnxFile).toBe('onnx/model_fp16.onnx');
      const [result] = await model.embed([occurrence('the bank', 'bank')]);
      const id = parts.tokenizer.tokenId('bank')!;
      expect([...result!.vectors[0]!]).toEqual([...table.slice(id * 4, id * 4 + 4)]);
    } finally {
      await model.dispose();
    }
  });
});

describe('inspectModel on use-lite', () => {
  it('reports the representations its config.json names, and no graph surgery', async () => {
    const cacheDir = process.env.SENSEBENCH_CACHE ?? join(import.meta.dirname, '..', '.cache');
    const inspection = await inspectModel('use-lite', { cacheDir });
    expect(inspection.source).toBe('config.json sensebench block');
    expect(inspection.family).toBe('use-lite');
    expect(inspection.tokenizer.model).toBe('Unigram');
    expect(inspection.tokenizer.addsSpecialTokens).toBe(false);
    expect(inspection.maxLength).toBe(128);
    expect(inspection.representations.map((r) => [r.name, r.output])).toEqual([
      ['input', 'input_embeddings'], ['layer-0', 'layer_0'], ['layer-1', 'layer_1'], ['sentence', 'sentence_embedding'],
    ]);
    expect(inspection.layers).toEqual([]);
  });

  it('refuses static models and uncached hf: models with what to do', async () => {
    await expect(inspectModel('glove-100d', { cacheDir: root })).rejects.toThrow(/static model/);
    await expect(inspectModel('hf:org/none', { cacheDir: root })).rejects.toThrow(/not in the cache .*--allow-download/);
  });
});

describe('graph surgery: an onnxruntime-optimized BERT (EmbedLayerNormalization, SkipLayerNormalization)', () => {
  it('finds the fused norms, says there is no separate word-embedding lookup, and matches the reference', async () => {
    const dir = join(root, 'ort-fused');
    const { weights } = await writeBertFixture(dir, { layout: { family: 'bert', layerNorm: 'ort-fused', outputs: 'last' } });
    const inspection = await inspectModel(dir, { cacheDir: root });
    expect(inspection.layers.map((l) => [l.representation, l.via])).toEqual([
      ['embeddings', 'EmbedLayerNormalization'], ['layer-1', 'SkipLayerNormalization'], ['layer-2', 'SkipLayerNormalization'],
    ]);
    expect(inspection.notes.join(' ')).toContain('embeddings.word_embeddings.weight: no Gather of it with input_ids (no input representation)');
    expect(inspection.representations.map((r) => r.name)).toEqual(['embeddings', 'layer-1', 'layer-2', 'sentence-mean']);
    const parts = await loadOnnxParts(dir, { cacheDir: root, id: 'ort-fused' });
    const worst = await worstAgainstReference(parts, (ids, target) => {
      const reference = referenceForward(weights, ids);
      return [0, 1, 2].map((layer) => mean(target.map((k) => reference[layer]![k]!)));
    });
    expect(worst).toBeLessThan(1e-5);
  });
});

describe('a sentence-transformers export (sentence_embedding output)', () => {
  it('scores the graph\'s sentence embedding as sentence, beside the layers', async () => {
    const dir = join(root, 'sentence-transformers');
    const { weights } = await writeBertFixture(dir, { layout: { family: 'bert', layerNorm: 'fused', outputs: 'sentence-embedding' } });
    const model = await loadOnnxModel(dir, { cacheDir: root, id: 'st', batchSize: 32 });
    try {
      expect(model.representations.map((r) => r.name)).toEqual(['input', 'embeddings', 'layer-1', 'layer-2', 'sentence', 'sentence-mean']);
      const results = await model.embed(OCCURRENCES);
      const parts = await loadOnnxParts(dir, { cacheDir: root, id: 'st' });
      try {
        for (const [i, occ] of OCCURRENCES.entries()) {
          const reference = referenceForward(weights, await parts.tokenizer.ids(occ.sentence));
          // The graph's own masked mean equals the harness's sentence-mean and the reference's mean.
          expect(worstDifference(results[i]!.vectors[4], mean(reference[2]!))).toBeLessThan(1e-5);
          expect(worstDifference(results[i]!.vectors[5], [...results[i]!.vectors[4]!])).toBeLessThan(1e-6);
        }
      } finally {
        await parts.runner.release();
      }
    } finally {
      await model.dispose();
    }
  });
});

describe('a damaged ONNX file', () => {
  it('is an InputError naming the file', async () => {
    const dir = join(root, 'damaged');
    await writeBertFixture(dir, { layout: { family: 'bert', layerNorm: 'fused', outputs: 'last' } });
    await writeFile(join(dir, 'onnx', 'model.onnx'), 'this is not protobuf at all \u0000\u0001\u00ff');
    await expect(loadOnnxModel(dir, { cacheDir: root, id: 'damaged' })).rejects.toThrow(/model\.onnx:1: /);
  });
});
