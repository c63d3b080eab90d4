import { mkdtempSync } from 'node:fs';
import { mkdir, rm, writeFile, readFile } from 'node:fs/promises';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OnnxEmbeddingModel, loadOnnxModel, loadOnnxParts, type OnnxModelParts } from '../src/models/onnx-model.js';
import { InputError, type TargetOccurrence } from '../src/types.js';
import { OnnxRunner, sessionSettings } from '../src/models/onnx-runner.js';
import { WORDS, referenceForward, writeBertFixture, type BertFixture } from './helpers/bert-fixture.js';

const root = mkdtempSync(join(tmpdir(), 'sensebench-onnx-model-'));
let fixture: BertFixture;
let model: OnnxEmbeddingModel;
let parts: OnnxModelParts;

/** A model plus its parts (tokenizer, runner) for tests that look inside. */
async function open(dir: string, options: Omit<Parameters<typeof loadOnnxParts>[1], 'cacheDir'>): Promise<{ model: OnnxEmbeddingModel; parts: OnnxModelParts }> {
  const p = await loadOnnxParts(dir, { cacheDir: root, ...options });
  return { model: new OnnxEmbeddingModel(p), parts: p };
}

function occurrence(sentence: string, target: string, nth = 0, line = 1): TargetOccurrence {
  let start = -1;
  for (let i = 0; i <= nth; i++) start = sentence.indexOf(target, start + 1);
  if (start < 0) throw new Error(`no ${target} in ${sentence}`);
  return { sentence, spans: [{ start, end: start + target.length }], source: { file: 'test.jsonl', line } };
}

function expectClose(actual: ArrayLike<number> | null | undefined, expected: ArrayLike<number>, tolerance: number): void {
  expect(actual).toBeTruthy();
  expect(actual!.length).toBe(expected.length);
  let worst = 0;
  for (let i = 0; i < expected.length; i++) worst = Math.max(worst, Math.abs(actual![i]! - expected[i]!));
  expect(worst).toBeLessThan(tolerance);
}

function meanRows(rows: number[][], from: number, to: number): number[] {
  return rows[0]!.map((_, d) => rows.slice(from, to).reduce((a, r) => a + r[d]!, 0) / (to - from));
}

beforeAll(async () => {
  fixture = await writeBertFixture(join(root, 'bert'));
  ({ model, parts } = await open(fixture.dir, { id: 'tiny-bert', threads: 1 }));
});

afterAll(async () => {
  await model.dispose();
  await rm(root, { recursive: true, force: true });
});

describe('ONNX graph of the BERT fixture', () => {
  it('matches an independent JavaScript forward pass within 1e-5 for every hidden state and every derived output', async () => {
    const ids = [...await parts.tokenizer.ids('The river bank was muddy.')];
    expect(ids.length).toBe(8);
    const reference = referenceForward(fixture.weights, ids);
    const outputs = await parts.runner.session.run(parts.runner.prepareBatch([ids]).feeds);
    for (const [name, layer] of [['hidden_states.0', 0], ['hidden_states.1', 1], ['hidden_states.2', 2], ['last_hidden_state', 2], ['sensebench_embeddings', 0], ['sensebench_layer_1', 1], ['sensebench_layer_2', 2]] as const) {
      expectClose(outputs[name]!.data as Float32Array, reference[layer]!.flat(), 1e-5);
    }
  });
});

describe('loadOnnxModel on a BERT directory', () => {
  it('finds every layer by graph surgery; last_hidden_state is layer 2, so no separate last', () => {
    expect(model.representations.map((r) => [r.name, r.kind])).toEqual([
      ['input', 'static'], ['embeddings', 'static'], ['layer-1', 'contextual'], ['layer-2', 'contextual'], ['sentence-mean', 'contextual'],
    ]);
    expect(model.info.maxLength).toBe(64);
    expect(model.sha256).toMatch(/^[0-9a-f]{64}$/);
  });

  it('pools every word piece of a multi-piece target (mean, first, last)', async () => {
    const sentence = 'The band was unbelievable.';
    const [result] = await model.embed([occurrence(sentence, 'unbelievable')]);
    const ids = await parts.tokenizer.ids(sentence);
    // [CLS] the band was un ##believ ##able . [SEP]: the target is tokens 4..6.
    expect(ids.length).toBe(9);
    const reference = referenceForward(fixture.weights, ids);
    expect(result!.truncated).toBe(false);
    // input: the word-embedding rows of the three pieces, before positions.
    const h = fixture.weights.config.hidden;
    const rows = [4, 5, 6].map((t) => [...fixture.weights.wordEmbeddings.slice(ids[t]! * h, (ids[t]! + 1) * h)]);
    expectClose(result!.vectors[0], meanRows(rows, 0, 3), 1e-6);
    expectClose(result!.vectors[1], meanRows(reference[0]!, 4, 7), 1e-5);
    expectClose(result!.vectors[3], meanRows(reference[2]!, 4, 7), 1e-5);
    // sentence-mean: the last layer over all nine tokens, [CLS] and [SEP] included.
    expectClose(result!.vectors[4], meanRows(reference[2]!, 0, 9), 1e-5);
    for (const [pooling, row] of [['first', 4], ['last', 6]] as const) {
      const pooled = await loadOnnxModel(fixture.dir, { cacheDir: root, id: 'tiny-bert', pooling });
      try {
        const [r] = await pooled.embed([occurrence(sentence, 'unbelievable')]);
        expectClose(r!.vectors[2], reference[1]![row]!, 1e-5);
      } finally {
        await pooled.dispose();
      }
    }
  });

  it('pools the tokens of every span of a discontinuous target (no longer refused)', async () => {
    const sentence = 'they walked the dog by the river';
    const walked = sentence.indexOf('walked');
    const river = sentence.indexOf('river');
    const [result] = await model.embed([{ sentence, spans: [{ start: walked, end: walked + 6 }, { start: river, end: river + 5 }], source: { file: 't', line: 1 } }]);
    const ids = await parts.tokenizer.ids(sentence);
    // [CLS] they walked the dog by the river [SEP]: the target is tokens 2 and 7.
    expect(ids.length).toBe(9);
    const reference = referenceForward(fixture.weights, ids);
    const layer2 = reference[2]!;
    expectClose(result!.vectors[3], meanRows([layer2[2]!, layer2[7]!], 0, 2), 1e-5);
  });

  it('cuts long sentences to a window around the target equal to encoding the window alone', async () => {
    // 100 one-piece words; max length 64 leaves 62 content tokens; the target word is #70.
    const words = Array.from({ length: 100 }, (_, i) => WORDS[(i * 7) % 60]!);
    words[70] = 'bank';
    const sentence = words.join(' ');
    const start = words.slice(0, 70).join(' ').length + 1;
    const [long] = await model.embed([{ sentence, spans: [{ start, end: start + 4 }], source: { file: 't', line: 1 } }]);
    expect(long!.truncated).toBe(true);
    // Window: floor((62 - 1) / 2) = 30 tokens before the target -> words 40..101, shifted back to 38..99.
    const windowWords = words.slice(38, 100);
    const windowSentence = windowWords.join(' ');
    const windowStart = windowWords.slice(0, 70 - 38).join(' ').length + 1;
    const [alone] = await model.embed([{ sentence: windowSentence, spans: [{ start: windowStart, end: windowStart + 4 }], source: { file: 't', line: 1 } }]);
    expect(alone!.truncated).toBe(false);
    long!.vectors.forEach((v, i) => {
      expectClose(v, alone!.vectors[i]!, 1e-5);
    });
    // A target in the middle: 30 words before it exactly.
    const [middle] = await model.embed([occurrence(sentence, words[50]!, words.slice(0, 50).filter((w) => w === words[50]).length, 1)]);
    const middleWords = words.slice(20, 82);
    const middleOcc = occurrence(middleWords.join(' '), words[50]!, middleWords.slice(0, 30).filter((w) => w === words[50]).length);
    const [middleAlone] = await model.embed([middleOcc]);
    expect(middle!.truncated).toBe(true);
    expectClose(middle!.vectors[3], middleAlone!.vectors[3]!, 1e-5);
  });

  it('gives the same vectors at batch size 1 and 32 (padding is masked)', async () => {
    const sentences = [
      'the bank', 'the river bank was muddy and green', 'she went to the bank for a loan', 'bank', 'they sat by the bank of the river at night',
      'an old tree with dark bark', 'the dog ran to the shore', 'his account at the bank was closed', 'light music played in the quiet room',
      'they walked along the long muddy road to the city', 'a bat flew from the cave', 'the spring in the metal coil',
    ];
    const occurrences = sentences.flatMap((s, i) => s.split(' ').map((w, nth) => occurrence(s, w, s.split(' ').slice(0, nth).filter((x) => x === w).length, i + 1)));
    const { model: single, parts: singleParts } = await open(fixture.dir, { id: 'tiny-bert', batchSize: 1 });
    try {
      const batched = await model.embed(occurrences);
      const one = await single.embed(occurrences);
      expect(singleParts.runner.sessionRuns).toBe(sentences.length);
      batched.forEach((b, i) => {
        b.vectors.forEach((v, r) => {
          expectClose(v, one[i]!.vectors[r]!, 1e-5);
        });
      });
    } finally {
      await single.dispose();
    }
  });

  it('encodes each distinct sentence once per call and reports progress in sentences', async () => {
    // One session: with two, the batches' progress could come in either order.
    const { model: fresh, parts: freshParts } = await open(fixture.dir, { id: 'tiny-bert', batchSize: 2, sessions: 1 });
    try {
      const a = 'the bank by the river';
      const b = 'money in the bank';
      const c = 'a fish in the water';
      const occurrences = [occurrence(a, 'bank'), occurrence(b, 'bank'), occurrence(a, 'river'), occurrence(c, 'fish'), occurrence(b, 'money'), occurrence(a, 'bank')];
      const progress: [number, number][] = [];
      const result = await fresh.embed(occurrences, (done, total) => progress.push([done, total]));
      expect(freshParts.runner.sequencesEncoded).toBe(3);
      expect(freshParts.runner.sessionRuns).toBe(2);
      expect(progress).toEqual([[0, 3], [2, 3], [3, 3]]);
      expect(result[5]!.vectors[3]).toEqual(result[0]!.vectors[3]);
      expect(result[0]!.vectors[3]).not.toEqual(result[2]!.vectors[3]);
    } finally {
      await fresh.dispose();
    }
  });

  it('reports a span that covers only white space as an InputError with file:line', async () => {
    await expect(model.embed([{ sentence: 'the  bank', spans: [{ start: 3, end: 4 }], source: { file: 'pairs.tsv', line: 7 } }])).rejects.toThrow(/^pairs\.tsv:7: /);
  });
});

describe('sessions side by side', () => {
  const sentences = [
    'the bank', 'the river bank was muddy and green', 'she went to the bank for a loan', 'bank', 'they sat by the bank of the river at night',
    'an old tree with dark bark', 'the dog ran to the shore', 'his account at the bank was closed', 'light music played in the quiet room',
  ];
  const occurrences = sentences.flatMap((s, i) => s.split(' ').map((w, nth) => occurrence(s, w, s.split(' ').slice(0, nth).filter((x) => x === w).length, i + 1)));

  it('give bit for bit the vectors of one session, each batch run once, whichever session ran it', async () => {
    const { model: alone, parts: aloneParts } = await open(fixture.dir, { id: 'tiny-bert', batchSize: 1, sessions: 1 });
    const { model: two, parts: twoParts } = await open(fixture.dir, { id: 'tiny-bert', batchSize: 1, sessions: 2 });
    try {
      const expected = await alone.embed(occurrences);
      const progress: number[] = [];
      const actual = await two.embed(occurrences, (done) => progress.push(done));
      expect(actual).toEqual(expected);
      expect(twoParts.runner.sessionRuns).toBe(sentences.length);
      expect(twoParts.runner.sequencesEncoded).toBe(sentences.length);
      expect(aloneParts.runner.sessionRuns).toBe(sentences.length);
      // Every batch reported once, in whatever order the sessions finished them.
      expect(progress).toEqual(Array.from({ length: sentences.length + 1 }, (_, i) => i));
      // The first call opened the worker's session without waiting for it (the tiny model's batches
      // may all be done first); once open, it runs some of a call's batches.
      await twoParts.runner.openSessions();
      const before = twoParts.runner.furtherSessionRuns;
      expect(await two.embed(occurrences)).toEqual(expected);
      expect(twoParts.runner.furtherSessionRuns).toBeGreaterThan(before);
      expect(twoParts.runner.sessionRuns).toBe(2 * sentences.length);
    } finally {
      await Promise.all([alone.dispose(), two.dispose()]);
    }
  });

  it('fail the call, naming the model, when the further session cannot be opened', async () => {
    const broken = join(root, 'broken.onnx');
    await writeFile(broken, 'not an onnx graph');
    const runner = new OnnxRunner(parts.runner.session, { ...parts.runner.options, batchSize: 1, sessions: 2, onnxPath: broken });
    const batches = [[2, 7, 3], [2, 9, 3], [2, 11, 3]].map((ids) => runner.prepareBatch([ids]));
    const reason = new RegExp(`^tiny-bert: onnxruntime session in a worker thread: .*${broken.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}.*--sessions 1 runs with the first session alone`);
    await expect(runner.openSessions()).rejects.toThrow(reason);
    // A call made after that reports it (the call that opens it may end first, on the first session).
    await expect(runner.runBatches(batches, () => undefined)).rejects.toThrow(reason);
  });
});

describe('sessionSettings', () => {
  it('shares the cores among the sessions unless told, and keeps onnxruntime\'s choice for one session', () => {
    const cores = availableParallelism();
    expect(sessionSettings(undefined, undefined).sessions).toBe(Math.min(2, cores));
    expect(sessionSettings(2, undefined)).toEqual({ sessions: 2, threads: Math.max(1, Math.floor(cores / 2)) });
    expect(sessionSettings(1, undefined)).toEqual({ sessions: 1, threads: undefined });
    expect(sessionSettings(3, 4)).toEqual({ sessions: 3, threads: 4 });
    expect(() => sessionSettings(0, undefined)).toThrow(RangeError);
  });
});

describe('ModelTokenizer.encodeAll', () => {
  it('gives, in input order, what encode() gives for each sentence, for one native call and for the two made at once', async () => {
    const sentences = Array.from({ length: 45 }, (_, i) => Array.from({ length: 1 + (i % 7) }, (_, j) => WORDS[(i * 3 + j) % WORDS.length]).join(' '));
    for (const count of [1, 31, 32, 45]) {
      const some = sentences.slice(0, count);
      const expected = await Promise.all(some.map((s) => parts.tokenizer.encode(s)));
      expect(await parts.tokenizer.encodeAll(some)).toEqual(expected);
    }
    expect(await parts.tokenizer.encodeAll([])).toEqual([]);
  });
});

describe('OnnxRunner.prepareBatch', () => {
  it('pads to the longest row with the pad id and feeds int64 ids, mask and token types equal to their BigInt values', () => {
    const batch = parts.runner.prepareBatch([[2, 7, 3], [2, 9, 8, 11, 3]]);
    expect([batch.rows, batch.tokens]).toEqual([2, 5]);
    const pad = BigInt(parts.runner.options.padId);
    expect(batch.feeds.input_ids!.type).toBe('int64');
    expect(batch.feeds.input_ids!.dims).toEqual([2, 5]);
    expect([...(batch.feeds.input_ids!.data as BigInt64Array)]).toEqual([2n, 7n, 3n, pad, pad, 2n, 9n, 8n, 11n, 3n]);
    expect([...(batch.feeds.attention_mask!.data as BigInt64Array)]).toEqual([1n, 1n, 1n, 0n, 0n, 1n, 1n, 1n, 1n, 1n]);
    expect([...(batch.feeds.token_type_ids!.data as BigInt64Array)]).toEqual(new Array<bigint>(10).fill(0n));
    expect(batch.masks.map((m) => Array.from(m))).toEqual([[1, 1, 1, 0, 0], [1, 1, 1, 1, 1]]);
  });
});

describe('a graph without attention_mask and token_type_ids inputs', () => {
  it('feeds only input_ids and batches equal lengths only, so padding cannot change vectors', async () => {
    const dir = join(root, 'no-mask');
    await writeBertFixture(dir, { inputs: { attentionMask: false, tokenTypeIds: false } });
    const { model: unmasked, parts: unmaskedParts } = await open(dir, { id: 'no-mask', batchSize: 32 });
    try {
      expect(unmaskedParts.runner.session.inputNames).toEqual(['input_ids']);
      // Token lengths with [CLS]/[SEP]: 4, 5, 4, 6, 5 -> three distinct lengths, three runs.
      const sentences = ['the bank', 'the river bank', 'a bank', 'the old river bank', 'his bank account'];
      const result = await unmasked.embed(sentences.map((s) => occurrence(s, 'bank')));
      expect(unmaskedParts.runner.sessionRuns).toBe(3);
      for (const [i, s] of sentences.entries()) {
        const ids = await unmaskedParts.tokenizer.ids(s);
        const reference = referenceForward(fixture.weights, ids);
        const target = ids.indexOf(unmaskedParts.tokenizer.tokenId('bank')!);
        expectClose(result[i]!.vectors[3], reference[2]![target]!, 1e-4);
      }
    } finally {
      await unmasked.dispose();
    }
  });
});

describe('a graph that takes position_ids', () => {
  it('feeds 0..n-1 per row and gives the vectors of the graph that computes them', async () => {
    const dir = join(root, 'position-ids');
    await writeBertFixture(dir, { inputs: { positionIds: true } });
    const { model: withPositions, parts: positionParts } = await open(dir, { id: 'position-ids' });
    try {
      expect(positionParts.runner.session.inputNames).toContain('position_ids');
      const occurrences = [occurrence('the bank', 'bank'), occurrence('the old river bank was muddy', 'bank')];
      const [a, b] = await withPositions.embed(occurrences);
      const [expectedA, expectedB] = await model.embed(occurrences);
      expectClose(a!.vectors[3], expectedA!.vectors[3]!, 1e-5);
      expectClose(b!.vectors[3], expectedB!.vectors[3]!, 1e-5);
    } finally {
      await withPositions.dispose();
    }
  });
});

describe('sensebench block in config.json', () => {
  it('uses the named outputs exactly, with sentence pooling over the attention mask', async () => {
    const dir = join(root, 'configured');
    await writeBertFixture(dir, {
      configExtra: {
        sensebench: {
          max_length: 16,
          outputs: [
            { name: 'hidden_states.1', representation: 'layer-1', kind: 'contextual', pooling: 'target', description: 'first layer' },
            { name: 'last_hidden_state', representation: 'sentence', kind: 'contextual', pooling: 'sentence' },
          ],
        },
      },
    });
    const { model: configured, parts: configuredParts } = await open(dir, { id: 'configured' });
    try {
      expect(configured.representations.map((r) => r.name)).toEqual(['layer-1', 'sentence']);
      expect(configured.representations[0]!.description).toBe('first layer');
      expect(configured.info.maxLength).toBe(16);
      const sentence = 'the old bank';
      const [result] = await configured.embed([occurrence(sentence, 'bank'), occurrence('a much longer sentence about the river', 'river')]);
      const reference = referenceForward(fixture.weights, await configuredParts.tokenizer.ids(sentence));
      expectClose(result!.vectors[1], meanRows(reference[2]!, 0, reference[2]!.length), 1e-4);
    } finally {
      await configured.dispose();
    }
  });

  it('rejects an output the graph does not have', async () => {
    const dir = join(root, 'bad-config');
    await writeBertFixture(dir, { configExtra: { sensebench: { outputs: [{ name: 'pooler_output', representation: 'x', kind: 'contextual', pooling: 'sentence' }] } } });
    await expect(loadOnnxModel(dir, { cacheDir: root, id: 'bad' })).rejects.toThrow(/config\.json:1: sensebench\.outputs\[0\]: the graph has no output "pooler_output"/);
  });

  it('rejects a directory that is not a model', async () => {
    const dir = join(root, 'empty');
    await mkdir(dir, { recursive: true });
    await expect(loadOnnxModel(dir, { cacheDir: root, id: 'x' })).rejects.toThrow(InputError);
    await writeFile(join(dir, 'config.json'), await readFile(join(fixture.dir, 'config.json')));
    await writeFile(join(dir, 'tokenizer.json'), await readFile(join(fixture.dir, 'tokenizer.json')));
    await expect(loadOnnxModel(dir, { cacheDir: root, id: 'x' })).rejects.toThrow(/no ONNX model found/);
  });
});
