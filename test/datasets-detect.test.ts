import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadDataset } from '../src/datasets/index.js';

const FIXTURES = join(import.meta.dirname, 'fixtures', 'datasets');

describe('format auto-detection of the standard formats', () => {
  it.each([
    ['superglue', 'superglue'],
    ['superglue/train.jsonl', 'superglue'],
    ['mclwic', 'mclwic'],
    ['mclwic/training.en-en.data', 'mclwic'],
    ['scws/ratings.txt', 'scws'],
    ['xlwic', 'tsv'],
    ['xlwic/de_train.txt', 'tsv'],
    ['inclusive-header.tsv', 'tsv'],
  ])('%s is read as %s', async (path, format) => {
    const dataset = await loadDataset(join(FIXTURES, path), { format: 'auto' });
    expect(dataset.format).toBe(format);
  });

  it('loads the built-in wordnet-wic with its three splits', async () => {
    const dataset = await loadDataset('wordnet-wic');
    expect(dataset.format).toBe('wic');
    expect([...dataset.splits.keys()]).toEqual(['train', 'dev', 'test']);
  });
});
