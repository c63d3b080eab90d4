import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { inclusiveEnds, tsvLoader } from '../src/datasets/tsv.js';
import { targetTexts } from './helpers/pairs.js';

const FIXTURES = join(import.meta.dirname, 'fixtures', 'datasets');

describe('XL-WiC TSV loader', () => {
  it('reads an XL-WiC directory: headerless 9 columns, and test data with its gold file', async () => {
    const dataset = await tsvLoader.load(join(FIXTURES, 'xlwic'), {});
    expect([...dataset.splits.keys()]).toEqual(['train', 'dev', 'test']);
    const train = dataset.splits.get('train')!;
    expect(train.map((pair) => [pair.word, pair.pos, pair.label])).toEqual([
      ['Bank', 'N', false],
      ['Schloss', 'N', false],
      ['laufen', 'V', true],
    ]);
    expect(train.map(targetTexts)).toEqual([
      ['Bank', 'Bank'],
      ['Schloss', 'Schloss'],
      ['laufen', 'liefen'],
    ]);
    const test = dataset.splits.get('test')!;
    expect(test.map((pair) => pair.label)).toEqual([false, false]);
    expect(dataset.files.map((file) => file.split(/[\\/]/).pop())).toEqual([
      'de_test_data.txt',
      'de_test_gold.txt',
      'de_train.txt',
      'de_valid.txt',
    ]);
  });

  it('reads a header in any column order and recognises end-inclusive offsets', async () => {
    const dataset = await tsvLoader.load(join(FIXTURES, 'inclusive-header.tsv'), {});
    const pairs = dataset.splits.get('all')!;
    expect(pairs.map((pair) => [pair.id, pair.label])).toEqual([
      ['p1', false],
      ['p2', true],
    ]);
    expect(pairs.map(targetTexts)).toEqual([
      ['plant', 'plant'],
      ['Plant', 'plant'],
    ]);
  });

  it('decides inclusive ends by which reading spells the word', () => {
    expect(inclusiveEnds(['a bank'], ['bank'], [[2, 6]])).toBe(false);
    expect(inclusiveEnds(['a bank'], ['bank'], [[2, 5]])).toBe(true);
    expect(inclusiveEnds(['a banks'], ['bank'], [[2, 7]])).toBe(false);
  });

  it('detects XL-WiC files and directories but not WiC or SCWS files', async () => {
    expect(await tsvLoader.detect(join(FIXTURES, 'xlwic'))).toBe(true);
    expect(await tsvLoader.detect(join(FIXTURES, 'xlwic', 'de_train.txt'))).toBe(true);
    expect(await tsvLoader.detect(join(FIXTURES, 'inclusive-header.tsv'))).toBe(true);
    expect(await tsvLoader.detect(join(FIXTURES, 'scws', 'ratings.txt'))).toBe(false);
    expect(await tsvLoader.detect(join(import.meta.dirname, '..', 'datasets', 'wordnet-wic', 'dev', 'wordnet-wic.data.txt'))).toBe(false);
  });

  it('rejects an unknown label with file:line', async () => {
    const file = join(FIXTURES, 'xlwic-bad.tsv');
    await expect(tsvLoader.load(file, {})).rejects.toThrow(`${file}:2: unknown label "maybe"`);
  });
});
