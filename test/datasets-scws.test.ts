import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { scwsLoader, unmarkTarget } from '../src/datasets/scws.js';

const FIXTURES = join(import.meta.dirname, 'fixtures', 'datasets');
const source = { file: 'x', line: 1 };

describe('SCWS loader', () => {
  it('removes the <b> marks and records the target span', () => {
    expect(unmarkTarget('we fished from the <b> bank </b> of the stream .', 'context1', source)).toEqual({
      sentence: 'we fished from the bank of the stream .',
      span: { start: 19, end: 23 },
    });
  });

  it('reads graded pairs, with word2 only for pairs of different words', async () => {
    const dataset = await scwsLoader.load(join(FIXTURES, 'scws', 'ratings.txt'), {});
    expect(dataset.name).toBe('scws');
    const pairs = dataset.splits.get('all')!;
    expect(pairs.map((pair) => [pair.id, pair.word, pair.word2, pair.pos, pair.label, pair.score])).toEqual([
      ['1', 'bank', undefined, 'n', null, 1.5],
      ['2', 'cup', 'mug', 'n', null, 8.2],
      ['3', 'run', undefined, 'v', null, 4],
    ]);
    const cup = pairs[1]!;
    expect(cup.sentence2).toBe('he drank coffee from a chipped mug .');
    expect(cup.sentence1.slice(cup.spans1[0].start, cup.spans1[0].end)).toBe('cup');
    expect(cup.sentence2.slice(cup.spans2[0].start, cup.spans2[0].end)).toBe('mug');
  });

  it('detects ratings.txt', async () => {
    expect(await scwsLoader.detect(join(FIXTURES, 'scws', 'ratings.txt'))).toBe(true);
    expect(await scwsLoader.detect(join(FIXTURES, 'scws'))).toBe(false);
    expect(await scwsLoader.detect(join(FIXTURES, 'xlwic', 'de_train.txt'))).toBe(false);
  });

  it('rejects a context without a target mark with file:line', async () => {
    const file = join(FIXTURES, 'scws-bad.txt');
    await expect(scwsLoader.load(file, {})).rejects.toThrow(`${file}:2: context2 must mark its target once as <b> word </b>, found 0 marks`);
  });
});
