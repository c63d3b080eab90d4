/**
 * Multi-prototype static vectors on a miniature world: a word whose background contexts come in two
 * clear groups gets two prototypes, each occurrence the one nearest its context; absent words fall
 * back to their single vector (counted); the prototypes are deterministic and cached by content.
 */
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { MULTI_PROTOTYPE, corpusOf, withMultiPrototype, wordKey, wordnetBackgroundCorpus, type BackgroundCorpus } from '../src/models/multi-prototype.js';
import { StaticModel, StaticVectors } from '../src/models/static.js';
import { InputError, type EmbeddingModel, type TargetOccurrence } from '../src/types.js';
import { tempDirs } from './helpers/temp-dirs.js';

const tempDir = tempDirs('mp');

/** 4-d vectors: water words near e1, money words near e2, `bank` and `lonely` elsewhere. */
function tinyModel(): StaticModel {
  const rows: [string, number[]][] = [
    ['bank', [0, 0, 1, 0]],
    ['lonely', [0, 0, 0, 1]],
    ['river', [1, 0.1, 0, 0]],
    ['water', [1, -0.1, 0, 0.05]],
    ['shore', [0.9, 0, 0.1, 0]],
    ['fish', [1, 0.05, 0.05, 0]],
    ['money', [0.1, 1, 0, 0]],
    ['loan', [-0.1, 1, 0, 0.05]],
    ['cash', [0, 0.9, 0.1, 0]],
    ['deposit', [0.05, 1, 0, 0.05]],
  ];
  const vectors = StaticVectors.fromWords(
    rows.map(([word]) => word),
    Float32Array.from(rows.flatMap(([, vector]) => vector)),
    4,
  );
  return new StaticModel('tiny', vectors, 'tiny-sha', { dimensions: 4 });
}

const water = ['river', 'water', 'shore', 'fish'];
const money = ['money', 'loan', 'cash', 'deposit'];
/** Twelve water contexts and twelve money contexts of `bank` (every pair of two words, both orders). */
function tinySentences(): string[] {
  const sentences: string[] = [];
  for (const group of [water, money]) for (const a of group) for (const b of group) if (a !== b) sentences.push(`${a} bank ${b}`);
  return sentences;
}

function tinyCorpus(): BackgroundCorpus {
  return corpusOf('tiny corpus', tinySentences());
}

function occurrence(sentence: string, word: string): TargetOccurrence {
  const start = sentence.indexOf(word);
  return { sentence, spans: [{ start, end: start + word.length }], source: { file: 'test', line: 1 } };
}

const mpIndex = 2;

describe('withMultiPrototype', () => {
  it('adds a static multi-prototype representation after the model\'s own', () => {
    const model = withMultiPrototype(tinyModel(), tinyCorpus());
    expect(model.id).toBe('tiny');
    expect(model.representations.map((r) => `${r.name}:${r.kind}`)).toEqual(['target:static', 'context:static', `${MULTI_PROTOTYPE}:static`]);
    expect(model.sha256).not.toBe('tiny-sha');
    expect(model.info.baseSha256).toBe('tiny-sha');
  });

  it('clusters the contexts into two prototypes and gives each occurrence the nearest', async () => {
    const model = withMultiPrototype(tinyModel(), tinyCorpus());
    const [byRiver, byFish, byLoan] = await model.embed([
      occurrence('the bank of the river', 'bank'),
      occurrence('fish near the Bank', 'Bank'),
      occurrence('a loan from the bank', 'bank'),
    ]);
    const prototypes = model.prototypesOf('bank')!;
    expect(prototypes.k).toBe(2);
    expect([...prototypes.sizes].sort()).toEqual([12, 12]);
    const river = byRiver!.vectors[mpIndex]!;
    expect(byFish!.vectors[mpIndex]).toEqual(river);
    expect(byLoan!.vectors[mpIndex]).not.toEqual(river);
    // The water prototype leans to e1, the money prototype to e2.
    expect(river[0]!).toBeGreaterThan(river[1]!);
    expect(byLoan!.vectors[mpIndex]![1]!).toBeGreaterThan(byLoan!.vectors[mpIndex]![0]!);
    // The model's own representations are passed through unchanged.
    const plain = await tinyModel().embed([occurrence('the bank of the river', 'bank')]);
    expect(byRiver!.vectors.slice(0, 2)).toEqual(plain[0]!.vectors);
    expect(model.info.multiPrototypeWords).toBe(1);
    expect(model.info.multiPrototypeFallbackWords).toBe(0);
  });

  it('falls back to the single vector for a word absent from the corpus, and counts it', async () => {
    const model = withMultiPrototype(tinyModel(), tinyCorpus());
    const [lonely] = await model.embed([occurrence('a lonely river', 'lonely')]);
    expect(lonely!.vectors[mpIndex]).toEqual(lonely!.vectors[0]);
    expect(model.prototypesOf('lonely')).toBeNull();
    expect(model.info.multiPrototypeFallbackWords).toBe(1);
    expect(model.fallbacks()).toEqual(['lonely']);
  });

  it('gives an occurrence without context the largest cluster\'s prototype, and counts it', async () => {
    const model = withMultiPrototype(tinyModel(), corpusOf('tiny corpus', [...tinySentences(), 'river bank shore']));
    const [alone] = await model.embed([occurrence('bank', 'bank')]);
    const [watery] = await model.embed([occurrence('river bank', 'bank')]);
    expect(alone!.vectors[mpIndex]).toEqual(watery!.vectors[mpIndex]);
    expect(model.info.multiPrototypeNoContextOccurrences).toBe(1);
  });

  it('is deterministic and reads back its cache, rebuilding a corrupt one', async () => {
    const cacheDir = await tempDir();
    const occurrences = [occurrence('the bank of the river', 'bank'), occurrence('a loan from the bank', 'bank'), occurrence('a lonely fish', 'lonely')];
    const first = await withMultiPrototype(tinyModel(), tinyCorpus(), { cacheDir }).embed(occurrences);
    const files = await readdir(join(cacheDir, 'multi-prototype'));
    expect(files).toHaveLength(1);
    const fromCache = withMultiPrototype(tinyModel(), tinyCorpus(), { cacheDir });
    expect(await fromCache.embed(occurrences)).toEqual(first);
    await writeFile(join(cacheDir, 'multi-prototype', files[0]!), '{"version": 2, "key": "x"');
    expect(await withMultiPrototype(tinyModel(), tinyCorpus(), { cacheDir }).embed(occurrences)).toEqual(first);
    // Another seed is another cache entry.
    await withMultiPrototype(tinyModel(), tinyCorpus(), { cacheDir, seed: 7 }).embed(occurrences);
    expect(await readdir(join(cacheDir, 'multi-prototype'))).toHaveLength(2);
  });

  it('keeps one cache file per model that later runs extend: a new word set clusters only its new words', async () => {
    const cacheDir = await tempDir();
    const clustered: string[] = [];
    const onProgress = (message: string): void => {
      clustered.push(message);
    };
    const bank = [occurrence('the bank of the river', 'bank')];
    const both = [...bank, occurrence('a lonely fish', 'lonely')];
    const alone = await withMultiPrototype(tinyModel(), tinyCorpus(), { cacheDir, onProgress }).embed(both);
    await withMultiPrototype(tinyModel(), tinyCorpus(), { cacheDir, onProgress }).embed(bank);
    expect(clustered).toEqual([expect.stringMatching(/^multi-prototype: clustered 2 words/)]);
    // A run over a word set that was never asked for as such reads both words from the one file.
    const fresh = withMultiPrototype(tinyModel(), tinyCorpus(), { cacheDir, onProgress });
    expect(await fresh.embed([both[1]!])).toEqual([alone[1]]);
    expect(clustered).toHaveLength(1);
    expect(await readdir(join(cacheDir, 'multi-prototype'))).toHaveLength(1);
    // Words clustered by a later run are added to the same file.
    await withMultiPrototype(tinyModel(), tinyCorpus(), { cacheDir, onProgress }).embed([occurrence('a fish in the river', 'fish')]);
    expect(clustered).toEqual([expect.stringMatching(/clustered 2 words/), expect.stringMatching(/clustered 1 words/)]);
    const [file] = await readdir(join(cacheDir, 'multi-prototype'));
    const stored = JSON.parse(await readFile(join(cacheDir, 'multi-prototype', file!), 'utf8')) as { words: Record<string, unknown> };
    expect(Object.keys(stored.words)).toEqual(['bank', 'fish', 'lonely']);
    // The run's facts describe the words it embedded, not every word of the shared file.
    const bankOnly = withMultiPrototype(tinyModel(), tinyCorpus(), { cacheDir });
    await bankOnly.embed(bank);
    expect(bankOnly.info.multiPrototypeWords).toBe(1);
    expect(bankOnly.info.multiPrototypeMeanK).toBe(bankOnly.prototypesOf('bank')!.k);
  });

  it('refuses a model without target and context representations', () => {
    const contextual: EmbeddingModel = {
      id: 'c',
      sha256: 'c',
      info: {},
      representations: [{ name: 'layer-1', kind: 'contextual', description: '' }],
      embed: () => Promise.resolve([]),
      dispose: () => Promise.resolve(),
    };
    expect(() => withMultiPrototype(contextual, tinyCorpus())).toThrow(InputError);
  });

  it('keys words as the static lookup ends: edge punctuation stripped, lower case', () => {
    expect(wordKey('Bank,')).toBe('bank');
    expect(wordKey('"well-known"')).toBe('well-known');
  });
});

describe('wordnetBackgroundCorpus', () => {
  it('holds every WordNet definition and example once', async () => {
    const corpus = await wordnetBackgroundCorpus();
    const sentences = await corpus.sentences();
    expect(sentences.length).toBeGreaterThan(150_000);
    expect(corpus.sentenceCount).toBe(sentences.length);
    expect(new Set(sentences).size).toBe(sentences.length);
    expect(sentences).toContain('sloping land (especially the slope beside a body of water)');
    expect(sentences).toContain('they pulled the canoe up on the bank');
    expect(corpus.sha256).toMatch(/^[0-9a-f]{64}$/);
  });

  it('keeps its facts in the cache directory: a later call reads them, and builds the sentences only when asked, checked against them', async () => {
    const cacheDir = await tempDir();
    const plain = await wordnetBackgroundCorpus();
    const first = await wordnetBackgroundCorpus(undefined, cacheDir);
    expect({ ...first, sentences: null }).toEqual({ ...plain, sentences: null });
    const [factsFile] = (await readdir(join(cacheDir, 'multi-prototype'))).filter((name) => name.startsWith('corpus-'));
    const path = join(cacheDir, 'multi-prototype', factsFile!);
    const facts = JSON.parse(await readFile(path, 'utf8')) as { sentenceCount: number; sha256: string };
    expect(facts).toMatchObject({ sentenceCount: plain.sentenceCount, sha256: plain.sha256 });
    const second = await wordnetBackgroundCorpus(undefined, cacheDir);
    expect({ ...second, sentences: null }).toEqual({ ...plain, sentences: null });
    expect(await second.sentences()).toEqual(await plain.sentences());
    // Facts that do not describe the corpus are read as they are (the sentences are not built to
    // check them up front), and building the sentences then refuses them.
    await writeFile(path, JSON.stringify({ ...facts, sha256: 'f'.repeat(64) }));
    const stale = await wordnetBackgroundCorpus(undefined, cacheDir);
    expect(stale.sha256).toBe('f'.repeat(64));
    await expect(stale.sentences()).rejects.toThrow(/is not the one this file describes/);
    // A damaged file is rewritten from the sentences.
    await writeFile(path, '{"version":');
    expect((await wordnetBackgroundCorpus(undefined, cacheDir)).sha256).toBe(plain.sha256);
    expect(JSON.parse(await readFile(path, 'utf8'))).toMatchObject({ sha256: plain.sha256 });
  });
});
