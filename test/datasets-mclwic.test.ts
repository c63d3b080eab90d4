import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { jsonArrayElementLines, mclWicLoader } from '../src/datasets/mclwic.js';
import { targetTexts } from './helpers/pairs.js';

const FIXTURES = join(import.meta.dirname, 'fixtures', 'datasets');

describe('MCL-WiC loader', () => {
  it('reads data with gold by id, string and number offsets, and an unlabelled test file', async () => {
    const dataset = await mclWicLoader.load(join(FIXTURES, 'mclwic'), {});
    expect([...dataset.splits.keys()]).toEqual(['train', 'test']);
    const train = dataset.splits.get('train')!;
    expect(train.map((pair) => [pair.id, pair.word, pair.pos, pair.label])).toEqual([
      ['training.en-en.0', 'bank', 'NOUN', true],
      ['training.en-en.1', 'charge', 'VERB', false],
    ]);
    expect(train.map(targetTexts)).toEqual([
      ['bank', 'bank'],
      ['charged', 'charged'],
    ]);
    // Pretty-printed JSON: record 2 starts on line 13 ("[" on line 1, 11 lines per record).
    expect(train[1]!.source.line).toBe(13);
    const test = dataset.splits.get('test')!;
    expect(test[0]!.label).toBeNull();
    expect(targetTexts(test[0]!)).toEqual(['mouse', 'mouse']);
    expect(dataset.files.map((file) => file.split(/[\\/]/).pop())).toEqual(['test.en-en.data', 'training.en-en.data', 'training.en-en.gold']);
  });

  it('finds the line where each element of a JSON list starts', () => {
    expect(jsonArrayElementLines('[\n  {"a": "x,]"},\n  {\n "b": [1, 2]\n  }, 3\n]')).toEqual([2, 3, 5]);
    expect(jsonArrayElementLines('[]')).toEqual([]);
  });

  it('detects *.data files and directories holding them', async () => {
    expect(await mclWicLoader.detect(join(FIXTURES, 'mclwic'))).toBe(true);
    expect(await mclWicLoader.detect(join(FIXTURES, 'mclwic', 'training.en-en.data'))).toBe(true);
    expect(await mclWicLoader.detect(join(FIXTURES, 'superglue'))).toBe(false);
  });

  it('rejects a non-numeric offset at the line of its record', async () => {
    const file = join(FIXTURES, 'mclwic-bad', 'training.en-en.data');
    await expect(mclWicLoader.load(join(FIXTURES, 'mclwic-bad'), {})).rejects.toThrow(`${file}:13: start2 must be an integer, got "four"`);
  });

  it('reads the "ranges" spelling of offsets; trial files form the "all" split', async () => {
    const dataset = await mclWicLoader.load(join(FIXTURES, 'mclwic-ranges'), {});
    const [pair] = dataset.splits.get('all')!;
    expect(targetTexts(pair!)).toEqual(['bank', 'bank']);
    expect(pair!.label).toBe(false);
  });

  it('rejects a gold id missing from the data at the gold record', async () => {
    const dir = join(FIXTURES, 'mclwic-extra-gold');
    const gold = join(dir, 'trial.en-en.gold');
    await expect(mclWicLoader.load(dir, {})).rejects.toThrow(`${gold}:3: gold id "trial.en-en.9" is not in`);
  });
});
