/**
 * Hugging Face checkpoints (safetensors) converted to ONNX by sensebench's graph builder
 * (src/models/checkpoint/): every hidden state agrees with an independent float64 forward pass
 * written from transformers' modeling code (test/helpers/hf-reference.ts) to 1e-4, for BERT,
 * RoBERTa, XLM-R and DistilBERT checkpoints with the real tensor names, in F32, F16 and BF16, one
 * file or sharded, with and without a head; padding in a batch changes nothing. The conversion is
 * deterministic and cached with a manifest (corrupt or stale: rebuilt), and broken or foreign
 * checkpoints are refused before anything is written.
 */
import { readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CHECKPOINT_MANIFEST, prepareCheckpoint, type CheckpointSource } from '../src/models/checkpoint/convert.js';
import { OnnxEmbeddingModel, loadOnnxParts } from '../src/models/onnx-model.js';
import { InputError, type TargetOccurrence } from '../src/types.js';
import { writeCheckpointFixture, type CheckpointFixture, type CheckpointFixtureOptions } from './helpers/checkpoint-fixture.js';
import { hfForward, meanPoolNormalized } from './helpers/hf-reference.js';
import { tempDirs } from './helpers/temp-dirs.js';

const newDir = tempDirs('checkpoint-convert');

const SENTENCES = ['the river bank was muddy.', 'she went to the bank for a loan', 'bank', 'they walked the dog by the river at night, quite late'];

function occurrenceOf(sentence: string, line: number): TargetOccurrence {
  const match = /[a-z]+/.exec(sentence)!;
  return { sentence, spans: [{ start: match.index, end: match.index + match[0].length }], source: { file: 'test', line } };
}

function worstDifference(actual: ArrayLike<number>, expected: readonly number[]): number {
  expect(actual.length).toBe(expected.length);
  let worst = 0;
  for (let i = 0; i < expected.length; i++) worst = Math.max(worst, Math.abs(actual[i]! - expected[i]!));
  return worst;
}

const source = (fixture: CheckpointFixture): CheckpointSource => ({ dir: fixture.dir, origin: { path: fixture.dir } });

/**
 * Converts the fixture and checks, for every sentence in one padded batch, every graph output
 * (input rows, hidden_states.0..N, the sentence embedding) against the reference forward pass.
 */
async function checkAgainstReference(options: CheckpointFixtureOptions): Promise<{ worst: number; representations: string[] }> {
  const fixture = await writeCheckpointFixture(await newDir(), options);
  const cacheDir = await newDir();
  const prepared = await prepareCheckpoint(source(fixture), join(cacheDir, 'converted'));
  expect(prepared.converted).toBe(true);
  const parts = await loadOnnxParts(prepared.dir, { cacheDir, id: 'fixture', sha256: prepared.manifest.sha256 });
  try {
    const idsList = await Promise.all(SENTENCES.map((s) => parts.tokenizer.ids(s)));
    const lengths = new Set(idsList.map((ids) => ids.length));
    expect(lengths.size).toBeGreaterThan(2); // a real padded batch
    // A verified conversion opens its session on first need.
    expect(parts.runner.sessionOpened).toBe(false);
    const session = await parts.runner.open();
    const batch = parts.runner.prepareBatch(idsList);
    const outputs = await session.run(batch.feeds);
    let worst = 0;
    idsList.forEach((ids, row) => {
      const reference = hfForward(fixture.config, fixture.tensors, ids, fixture.prefix);
      const rowOf = (name: string, width: number): Float32Array => {
        const data = outputs[name]!.data as Float32Array;
        return data.subarray(row * batch.tokens * width, row * batch.tokens * width + ids.length * width);
      };
      worst = Math.max(worst, worstDifference(rowOf('input_embeddings', 32), reference.input.flat()));
      reference.hiddenStates.forEach((state, i) => {
        worst = Math.max(worst, worstDifference(rowOf(`hidden_states.${i}`, 32), state.flat()));
      });
      if (options.sentenceTransformers?.mode === 'mean') {
        const sentence = (outputs.sentence_embedding!.data as Float32Array).subarray(row * 32, (row + 1) * 32);
        worst = Math.max(worst, worstDifference(sentence, meanPoolNormalized(reference.hiddenStates.at(-1)!)));
      }
    });
    // Through the harness: batch size 1 and 32 give the same vectors (padding is masked).
    const occurrences = SENTENCES.map(occurrenceOf);
    const batched = await new OnnxEmbeddingModel(parts).embed(occurrences);
    const single = await loadOnnxParts(prepared.dir, { cacheDir, id: 'fixture', batchSize: 1 });
    const one = await new OnnxEmbeddingModel(single).embed(occurrences);
    await single.runner.release();
    batched.forEach((b, i) => {
      b.vectors.forEach((v, r) => {
        worst = Math.max(worst, worstDifference(v!, [...one[i]!.vectors[r]!]));
      });
    });
    return { worst, representations: parts.bindings.map((b) => b.representation.name) };
  } finally {
    await parts.runner.release();
  }
}

describe('converted checkpoints agree with a float64 forward pass of the transformers definitions', () => {
  const layers = ['input', 'embeddings', 'layer-1', 'layer-2'];
  it('BertModel, F32, gelu (erf), sentence-transformers mean pooling + Normalize', async () => {
    const { worst, representations } = await checkAgainstReference({ family: 'bert', dtype: 'F32', sentenceTransformers: { mode: 'mean', normalize: true } });
    expect(worst).toBeLessThan(1e-4);
    expect(representations).toEqual([...layers, 'sentence']);
  });

  it('BertForMaskedLM, F16, silu, bert. prefix, head tensors and the I64 position_ids ignored', async () => {
    const { worst, representations } = await checkAgainstReference({ family: 'bert', dtype: 'F16', head: true, activation: 'silu' });
    expect(worst).toBeLessThan(1e-4);
    expect(representations).toEqual([...layers, 'sentence-mean']);
  });

  it('RobertaForMaskedLM, BF16, gelu, byte-level BPE: positions from padding_idx + 1', async () => {
    const { worst } = await checkAgainstReference({ family: 'roberta', dtype: 'BF16', head: true });
    expect(worst).toBeLessThan(1e-4);
  });

  it('XLMRobertaModel, F32 in three shards, gelu_new, SentencePiece with <pad> = 1', async () => {
    const { worst } = await checkAgainstReference({ family: 'xlm-roberta', dtype: 'F32', shards: 3, activation: 'gelu_new' });
    expect(worst).toBeLessThan(1e-4);
  });

  it('DistilBertModel, F16, sinusoidal positions computed (no table in the file)', async () => {
    const { worst } = await checkAgainstReference({ family: 'distilbert', dtype: 'F16', sinusoidal: true });
    expect(worst).toBeLessThan(1e-4);
  });

  for (const activation of ['gelu_pytorch_tanh', 'gelu_fast', 'quick_gelu', 'swish', 'tanh']) {
    it(`BertModel, one layer, ${activation}`, async () => {
      const { worst } = await checkAgainstReference({ family: 'bert', dtype: 'F32', activation, layers: 1 });
      expect(worst).toBeLessThan(1e-4);
    });
  }

  it('DistilBertForMaskedLM, BF16, relu, learned positions, distilbert. prefix, CLS pooling', async () => {
    const { worst, representations } = await checkAgainstReference({ family: 'distilbert', dtype: 'BF16', head: true, activation: 'relu', sentenceTransformers: { mode: 'cls', normalize: false } });
    expect(worst).toBeLessThan(1e-4);
    expect(representations).toEqual([...layers, 'sentence', 'sentence-mean']);
  });
});

describe('the conversion cache', () => {
  it('is deterministic, reused when it verifies, and rebuilt when a file is corrupt or the source or converter changed', async () => {
    const fixture = await writeCheckpointFixture(await newDir(), { family: 'bert', dtype: 'F16' });
    const cacheDir = await newDir();
    const outDir = join(cacheDir, 'converted');
    const first = await prepareCheckpoint(source(fixture), outDir);
    const bytes = await readFile(join(outDir, 'onnx', 'model.onnx'));
    const elsewhere = await prepareCheckpoint(source(fixture), join(cacheDir, 'again'));
    expect(Buffer.compare(await readFile(join(cacheDir, 'again', 'onnx', 'model.onnx')), bytes)).toBe(0);
    expect(elsewhere.manifest.sha256).toBe(first.manifest.sha256);

    const cached = await prepareCheckpoint(source(fixture), outDir);
    expect(cached.converted).toBe(false);
    expect(cached.manifest.sha256).toBe(first.manifest.sha256);

    // Corrupt: one byte of the converted graph flipped.
    const damaged = Buffer.from(bytes);
    damaged[damaged.length - 100]! ^= 0xff;
    await writeFile(join(outDir, 'onnx', 'model.onnx'), damaged);
    const messages: string[] = [];
    const rebuilt = await prepareCheckpoint(source(fixture), outDir, { onProgress: (m) => messages.push(m) });
    expect(rebuilt.converted).toBe(true);
    expect(messages[0]).toMatch(/rebuilding \(converted onnx\/model\.onnx does not match its checksum\)/);
    expect(Buffer.compare(await readFile(join(outDir, 'onnx', 'model.onnx')), bytes)).toBe(0);

    // Corrupt: one byte of the weights (the external data file) flipped; then the file missing.
    const dataPath = join(outDir, 'onnx', 'model.onnx_data');
    const data = await readFile(dataPath);
    const damagedData = Buffer.from(data);
    damagedData[damagedData.length - 100]! ^= 0xff;
    await writeFile(dataPath, damagedData);
    expect((await prepareCheckpoint(source(fixture), outDir, { onProgress: (m) => messages.push(m) })).converted).toBe(true);
    expect(messages.join('\n')).toMatch(/rebuilding \(converted onnx\/model\.onnx_data does not match its checksum\)/);
    expect(Buffer.compare(await readFile(dataPath), data)).toBe(0);
    await rm(dataPath);
    expect((await prepareCheckpoint(source(fixture), outDir, { onProgress: (m) => messages.push(m) })).converted).toBe(true);
    expect(messages.join('\n')).toMatch(/rebuilding \(converted onnx\/model\.onnx_data is missing\)/);
    expect(Buffer.compare(await readFile(dataPath), data)).toBe(0);

    // Stale: another converter version, or a changed source file.
    const manifestPath = join(outDir, CHECKPOINT_MANIFEST);
    const manifest = JSON.parse(await readFile(manifestPath, 'utf8')) as Record<string, unknown>;
    await writeFile(manifestPath, JSON.stringify({ ...manifest, converterVersion: '0' }));
    expect((await prepareCheckpoint(source(fixture), outDir)).converted).toBe(true);
    await writeFile(join(fixture.dir, 'tokenizer_config.json'), JSON.stringify({ model_max_length: 40, pad_token: '[PAD]' }));
    const changed = await prepareCheckpoint(source(fixture), outDir, { onProgress: (m) => messages.push(m) });
    expect(changed.converted).toBe(true);
    expect(messages.join('\n')).toMatch(/rebuilding \(source tokenizer_config\.json does not match its checksum\)/);
    expect(changed.manifest.source.maxLength).toBe(40);
  });

  it('records the checkpoint: architecture, dtypes, shards, the tensors read and ignored, the ignored tokenizer settings', async () => {
    const fixture = await writeCheckpointFixture(await newDir(), { family: 'bert', dtype: 'F16', head: true });
    // As sentence-transformers publishes tokenizer.json: padding and truncation at 128.
    const tokenizerJson = JSON.parse(await readFile(join(fixture.dir, 'tokenizer.json'), 'utf8')) as Record<string, unknown>;
    const withSettings = JSON.stringify({ ...tokenizerJson, padding: { strategy: { Fixed: 128 }, direction: 'Right', pad_to_multiple_of: null, pad_id: 0, pad_type_id: 0, pad_token: '[PAD]' }, truncation: { max_length: 128, strategy: 'LongestFirst', stride: 0 } });
    await writeFile(join(fixture.dir, 'tokenizer.json'), withSettings);
    const prepared = await prepareCheckpoint(source(fixture), join(await newDir(), 'converted'));
    const s = prepared.manifest.source;
    expect(s.tokenizerSettingsIgnored).toEqual(['padding Fixed(128)', 'truncation max_length 128']);
    expect(await readFile(join(prepared.dir, 'tokenizer.json'), 'utf8')).toBe(withSettings);
    expect(s).toMatchObject({ architecture: 'BertModel', declaredArchitectures: ['BertForMaskedLM'], layers: 2, hidden: 32, heads: 4, activation: 'gelu', shards: 1, dtypes: { F16: 42, I64: 1 }, maxLength: 64 });
    expect(s.tensorsRead).toBe(5 + 2 * 16);
    expect(s.tensorsIgnored).toEqual(['bert.embeddings.position_ids', 'cls.predictions.bias', 'cls.predictions.transform.LayerNorm.bias', 'cls.predictions.transform.LayerNorm.weight', 'cls.predictions.transform.dense.bias', 'cls.predictions.transform.dense.weight']);
    const config = JSON.parse(await readFile(join(prepared.dir, 'config.json'), 'utf8')) as { sensebench: { outputs: { name: string }[]; max_length: number } };
    expect(config.sensebench.outputs.map((o) => o.name)).toEqual(['input_embeddings', 'hidden_states.0', 'hidden_states.1', 'hidden_states.2', 'hidden_states.2']);
    expect(Object.keys(prepared.manifest.files).sort()).toEqual(['config.json', 'onnx/model.onnx', 'onnx/model.onnx_data', 'tokenizer.json', 'tokenizer_config.json']);
  });
});

describe('checkpoints sensebench refuses, before writing anything', () => {
  /** Expects the conversion of `dir` to fail with an InputError matching `pattern`, leaving the output directory unmade. */
  async function expectRefused(dir: string, pattern: RegExp | string): Promise<void> {
    const cacheDir = await newDir();
    const attempt = prepareCheckpoint({ dir, origin: {} }, join(cacheDir, 'converted'));
    await expect(attempt).rejects.toThrow(InputError);
    await expect(prepareCheckpoint({ dir, origin: {} }, join(cacheDir, 'converted'))).rejects.toThrow(pattern);
    expect(await readdir(cacheDir)).toEqual([]);
  }

  it('another architecture, naming it and pointing to onnx:DIR', async () => {
    const fixture = await writeCheckpointFixture(await newDir(), { family: 'bert', dtype: 'F32' });
    await writeFile(join(fixture.dir, 'config.json'), JSON.stringify({ ...fixture.config, model_type: 'electra', architectures: ['ElectraForPreTraining'] }));
    await expectRefused(fixture.dir, /architecture ElectraForPreTraining \(model_type electra\) is not one sensebench converts.*--model onnx:OUT/);
    await writeFile(join(fixture.dir, 'config.json'), JSON.stringify({ ...fixture.config, architectures: ['RobertaModel'] }));
    await expectRefused(fixture.dir, /RobertaModel is not a BertModel architecture/);
    await writeFile(join(fixture.dir, 'config.json'), JSON.stringify({ ...fixture.config, position_embedding_type: 'relative_key' }));
    await expectRefused(fixture.dir, /position_embedding_type "relative_key"/);
  });

  it('an activation transformers has but sensebench does not build', async () => {
    const fixture = await writeCheckpointFixture(await newDir(), { family: 'bert', dtype: 'F32', activation: 'mish' });
    await expectRefused(fixture.dir, /hidden_act "mish" is not an activation sensebench builds/);
  });

  it('a tensor the architecture needs but the checkpoint lacks, or of the wrong shape', async () => {
    const fixture = await writeCheckpointFixture(await newDir(), { family: 'bert', dtype: 'F32', layers: 2 });
    await writeFile(join(fixture.dir, 'config.json'), JSON.stringify({ ...fixture.config, num_hidden_layers: 3 }));
    await expectRefused(fixture.dir, `${join(fixture.dir, 'model.safetensors')}: tensor "encoder.layer.2.attention.self.query.weight" is missing (BertModel needs it)`);
    await writeFile(join(fixture.dir, 'config.json'), JSON.stringify({ ...fixture.config, intermediate_size: 48 }));
    await expectRefused(fixture.dir, `${join(fixture.dir, 'model.safetensors')}: tensor "encoder.layer.0.intermediate.dense.weight" has shape [64, 32], BertModel with this config.json needs [48, 32]`);
  });

  it('a truncated weights file, and a pickle-only directory', async () => {
    const fixture = await writeCheckpointFixture(await newDir(), { family: 'distilbert', dtype: 'F16' });
    const weights = join(fixture.dir, 'model.safetensors');
    const bytes = await readFile(weights);
    await writeFile(weights, bytes.subarray(0, bytes.length - 1000));
    await expectRefused(fixture.dir, /model\.safetensors: tensor "[^"]+": data_offsets \[\d+, \d+\] lie outside the data/);
    await writeFile(join(fixture.dir, 'pytorch_model.bin'), 'pickle');
    const { rm } = await import('node:fs/promises');
    await rm(weights);
    await expectRefused(fixture.dir, /has pytorch_model\.bin but no model\.safetensors/);
  });

  it('a model too large for one ONNX file, before reading its weights', async () => {
    const fixture = await writeCheckpointFixture(await newDir(), { family: 'bert', dtype: 'F32' });
    await writeFile(join(fixture.dir, 'config.json'), JSON.stringify({ ...fixture.config, vocab_size: 20_000_000 }));
    await expectRefused(fixture.dir, /2\.4 GiB of float32 weights exceed the 2 GiB this converter builds in memory.*--model onnx:DIR/);
  });

  it('a config.json vocab_size other than the word-embedding table, or a tokenizer with more tokens than its rows', async () => {
    const fixture = await writeCheckpointFixture(await newDir(), { family: 'bert', dtype: 'F32' });
    const rows = Number(fixture.config.vocab_size);
    await writeFile(join(fixture.dir, 'config.json'), JSON.stringify({ ...fixture.config, vocab_size: 100 }));
    await expectRefused(fixture.dir, new RegExp(`tensor "embeddings.word_embeddings.weight" has shape \\[${rows}, 32\\], BertModel with this config.json needs \\[100, 32\\]`));
    await writeFile(join(fixture.dir, 'config.json'), JSON.stringify(fixture.config));
    const tokenizer = JSON.parse(await readFile(join(fixture.dir, 'tokenizer.json'), 'utf8')) as { added_tokens: Record<string, unknown>[] };
    tokenizer.added_tokens.push({ id: rows, content: '[EXTRA]', single_word: false, lstrip: false, rstrip: false, normalized: false, special: true });
    await writeFile(join(fixture.dir, 'tokenizer.json'), JSON.stringify(tokenizer));
    await expectRefused(fixture.dir, `tokenizer.json:1: the tokenizer has ${rows + 1} tokens but the word embeddings only ${rows} rows (vocab_size): not this checkpoint's tokenizer`);
  });
});
