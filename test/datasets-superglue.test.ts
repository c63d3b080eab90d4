import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { superGlueLoader } from '../src/datasets/superglue.js';
import { targetTexts } from './helpers/pairs.js';

const FIXTURES = join(import.meta.dirname, 'fixtures', 'datasets');

describe('SuperGLUE WiC loader', () => {
  it('reads a directory as one dataset with splits (val -> dev, test unlabelled)', async () => {
    const dataset = await superGlueLoader.load(join(FIXTURES, 'superglue'), {});
    expect(dataset.name).toBe('superglue');
    expect(dataset.format).toBe('superglue');
    expect([...dataset.splits.keys()]).toEqual(['train', 'dev', 'test']);
    const train = dataset.splits.get('train')!;
    expect(train.map((pair) => pair.label)).toEqual([false, true]);
    expect(train.map(targetTexts)).toEqual([
      ['bank', 'bank'],
      ['runs', 'ran'],
    ]);
    expect(train.map((pair) => pair.id)).toEqual(['train-0', 'train-1']);
    expect(dataset.splits.get('dev')![0]!.id).toBe('dev-0');
    const test = dataset.splits.get('test')!;
    expect(test[0]!.label).toBeNull();
    expect(targetTexts(test[0]!)).toEqual(['played', 'play']);
    expect(dataset.files).toHaveLength(3);
  });

  it('detects SuperGLUE files and directories, not other JSONL', async () => {
    expect(await superGlueLoader.detect(join(FIXTURES, 'superglue'))).toBe(true);
    expect(await superGlueLoader.detect(join(FIXTURES, 'superglue', 'train.jsonl'))).toBe(true);
    expect(await superGlueLoader.detect(join(FIXTURES, 'mclwic'))).toBe(false);
    expect(await superGlueLoader.detect(join(FIXTURES, 'scws', 'ratings.txt'))).toBe(false);
  });

  it('rejects an offset outside the sentence with file:line', async () => {
    const file = join(FIXTURES, 'superglue-bad.jsonl');
    await expect(superGlueLoader.load(file, {})).rejects.toThrow(`${file}:2: target span 9-40 is out of range`);
  });
});
