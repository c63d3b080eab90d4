/**
 * The WiC and generic JSONL/CSV loaders: what they accept, and that every kind of malformed input
 * is rejected with `file:line: reason` (fixtures are written by the test into a temp directory).
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadDataset } from '../src/datasets/index.js';
import { InputError } from '../src/types.js';
import { loadError, tempFiles } from './helpers/dataset-files.js';

const { dir, fixture } = tempFiles('sensebench-datasets-');

describe('WiC format', () => {
  const data = [
    'bank\tN\t1-5\tThe bank was closed today .\tWe walked along the river bank .',
    'run\tV\t1-0\tThey ran home quickly\tRun, Forrest!',
  ].join('\n');

  it('reads a directory of split folders as one dataset with splits', async () => {
    fixture('wic/train/wic.data.txt', `${data}\n`);
    fixture('wic/train/wic.gold.txt', 'F\nT\n');
    fixture('wic/test/wic.data.txt', `${data.split('\n')[0]!}\n`);
    fixture('wic/test/wic.gold.txt', 'F\n');
    const dataset = await loadDataset(join(dir, 'wic'));
    expect(dataset.format).toBe('wic');
    expect([...dataset.splits.keys()]).toEqual(['train', 'test']);
    const [first, second] = dataset.splits.get('train')!;
    expect(first!.sentence1.slice(first!.spans1[0].start, first!.spans1[0].end)).toBe('bank');
    expect(first!.sentence2.slice(first!.spans2[0].start, first!.spans2[0].end)).toBe('bank');
    expect(first!.label).toBe(false);
    expect(first!.pos).toBe('N');
    // Token "Run," -> the span excludes the comma; inflected "ran" is accepted for lemma "run".
    expect(second!.sentence2.slice(second!.spans2[0].start, second!.spans2[0].end)).toBe('Run');
    expect(second!.sentence1.slice(second!.spans1[0].start, second!.spans1[0].end)).toBe('ran');
    expect(dataset.sha256).toMatch(/^[0-9a-f]{64}$/);
  });

  it('a data file without gold is unlabelled', async () => {
    const path = fixture('nogold/x.test.data.txt', `${data}\n`);
    const dataset = await loadDataset(path);
    expect([...dataset.splits.keys()]).toEqual(['test']);
    expect(dataset.splits.get('test')!.every((pair) => pair.label === null)).toBe(true);
  });

  it('rejects a wrong field count, bad indices, an index out of range and a bad label', async () => {
    const fields = fixture('bad1/a.data.txt', 'bank\tN\t1-5\tonly four fields\n');
    expect(await loadError(fields)).toBe(`${fields}:1: expected 5 tab-separated fields (word, PoS, i-j, sentence1, sentence2), found 4`);
    const indices = fixture('bad2/a.data.txt', 'bank\tN\tone-two\ta bank\ta bank\n');
    expect(await loadError(indices)).toBe(`${indices}:1: target indices must look like "i-j", got "one-two"`);
    const range = fixture('bad3/a.data.txt', 'bank\tN\t0-1\tgood line\ta bank\nbank\tN\t1-9\ta bank\ta bank\n');
    expect(await loadError(range)).toBe(`${range}:2: token index 9 for "bank" is out of range (the sentence has 2 whitespace tokens)`);
    fixture('bad4/a.data.txt', 'bank\tN\t1-1\ta bank\ta bank\n');
    const gold = fixture('bad4/a.gold.txt', 'maybe\n');
    expect(await loadError(join(dir, 'bad4/a.data.txt'))).toBe(`${gold}:1: unknown label "maybe" (expected T/F, 1/0, true/false, same/different or yes/no)`);
    const empty = fixture('bad5/a.data.txt', 'bank\tN\t1-1\t \ta bank\n');
    expect(await loadError(empty)).toBe(`${empty}:1: sentence1 is empty`);
  });

  it('a gold file of the wrong length: the first line without a partner', async () => {
    const data = fixture('bad6/a.data.txt', 'bank\tN\t1-1\ta bank\ta bank\n');
    const gold = fixture('bad6/a.gold.txt', 'T\nF\n');
    expect(await loadError(data)).toBe(`${gold}:2: no pair in ${data}, which has 1 line`);
    const data2 = fixture('bad7/x.data.txt', 'bank\tN\t1-1\ta bank\ta bank\nbank\tN\t1-1\tthe bank\ta bank\nbank\tN\t1-1\tone bank\ta bank\n');
    const gold2 = fixture('bad7/x.gold.txt', 'T\n');
    expect(await loadError(data2)).toBe(`${data2}:2: no label in ${gold2}, which has 1 line`);
  });

  it('--on-invalid skip drops invalid lines, lists each, and refuses more than --max-invalid', async () => {
    const lines = Array.from({ length: 10 }, (_, i) => `bank\tN\t1-1\tthe bank ${i}\ta bank`);
    lines[3] = 'bank\tN\t1-9\tthe bank\ta bank';
    lines[6] = 'only\tthree\tfields';
    const data = fixture('skip/s.data.txt', `${lines.join('\n')}\n`);
    fixture('skip/s.gold.txt', `${Array.from({ length: 10 }, () => 'T').join('\n')}\n`);
    const dataset = await loadDataset(data, { onInvalid: 'skip', maxInvalid: 0.2 });
    expect(dataset.splits.get('all')!.length).toBe(8);
    expect(dataset.records).toBe(10);
    expect(dataset.skipped).toEqual([
      `${data}:4: token index 9 for "bank" is out of range (the sentence has 2 whitespace tokens)`,
      `${data}:7: expected 5 tab-separated fields (word, PoS, i-j, sentence1, sentence2), found 3`,
    ]);
    const refused = await loadDataset(data, { onInvalid: 'skip', maxInvalid: 0.1 }).then(
      () => '',
      (error: unknown) => (error instanceof InputError ? error.message : 'not an InputError'),
    );
    expect(refused).toBe(`${data}:4: token index 9 for "bank" is out of range (the sentence has 2 whitespace tokens) (one of 2 invalid records out of 10, more than the 10% --max-invalid allows)`);
    // The default is fail: the first invalid line refuses the file.
    expect(await loadError(data)).toBe(`${data}:4: token index 9 for "bank" is out of range (the sentence has 2 whitespace tokens)`);
  });
});

describe('generic CSV and JSONL', () => {
  it('reads offsets, token indices and located words, labels and scores', async () => {
    const path = fixture(
      'generic/pairs.csv',
      [
        'id,word,sentence1,sentence2,start1,end1,start2,end2,index1,index2,label,score,split',
        'a,bank,"The bank, by the river.",I banked money.,4,8,2,8,,,F,,test',
        'b,bank,"A bank.",The bank is open,,,,,1,1,same,,train',
        'c,bank,Bank loans,The bank is open,,,,,,,0,0.25,train',
      ].join('\n'),
    );
    const dataset = await loadDataset(path);
    expect(dataset.format).toBe('csv');
    expect([...dataset.splits.keys()]).toEqual(['train', 'test']);
    const [b, c] = dataset.splits.get('train')!;
    const [a] = dataset.splits.get('test')!;
    expect(a!.sentence2.slice(a!.spans2[0].start, a!.spans2[0].end)).toBe('banked');
    expect(b!.sentence1.slice(b!.spans1[0].start, b!.spans1[0].end)).toBe('bank');
    expect(b!.label).toBe(true);
    expect(c!.sentence1.slice(c!.spans1[0].start, c!.spans1[0].end)).toBe('Bank');
    expect(c!.score).toBe(0.25);
    expect(c!.source).toEqual({ file: path, line: 4 });
  });

  it('maps renamed columns for graded CSVs (label=same, score=mean_relatedness)', async () => {
    const path = fixture('generic/graded.csv', 'word,sentence1,sentence2,same,mean_relatedness\nbank,a bank here,the bank there,1,3.5\n');
    const dataset = await loadDataset(path, { columns: { label: 'same', score: 'mean_relatedness' } });
    const [pair] = dataset.splits.get('all')!;
    expect(pair!.label).toBe(true);
    expect(pair!.score).toBe(3.5);
  });

  it('reads JSONL with numeric or string offsets', async () => {
    const path = fixture(
      'generic/pairs.jsonl',
      '{"word":"bank","sentence1":"a bank","sentence2":"the bank","start1":2,"end1":6,"start2":"4","end2":"8","label":true}\n',
    );
    const dataset = await loadDataset(path);
    expect(dataset.format).toBe('jsonl');
    expect(dataset.splits.get('all')![0]!.spans2).toEqual([{ start: 4, end: 8 }]);
  });

  it.each([
    ['missing column', 'word,sentence1\nbank,a bank\n', 1, 'missing column(s) sentence2 (found: word, sentence1)'],
    ['wrong column count', 'word,sentence1,sentence2,label\nbank,a bank,the bank\n', 2, 'expected 4 fields (as in the header), found 3'],
    ['offsets out of range', 'word,sentence1,sentence2,start1,end1,start2,end2,label\nbank,a bank,the bank,2,60,4,8,T\n', 2, 'target span 2-60 is out of range for a sentence of 6 characters'],
    ['empty span', 'word,sentence1,sentence2,start1,end1,start2,end2,label\nbank,a bank,the bank,2,2,4,8,T\n', 2, 'target span 2-2 is out of range'],
    ['whitespace span', 'word,sentence1,sentence2,start1,end1,start2,end2,label\nbank,a  bank,the bank,1,2,4,8,T\n', 2, 'target span 1-2 holds only whitespace'],
    ['word only inside a longer word', 'word,sentence1,sentence2,label\nbank,a banker,the bank,T\n', 2, 'target "bank" not found as a whole word in sentence1'],
    ['token index out of range', 'word,sentence1,sentence2,index1,index2,label\nbank,a bank,the bank,1,7,T\n', 2, 'token index 7 for "bank" is out of range (the sentence has 2 whitespace tokens)'],
    ['word absent', 'word,sentence1,sentence2,label\nbank,a river,the bank,T\n', 2, 'target "bank" not found as a whole word in sentence1; give start/end offsets or token indices'],
    ['empty sentence', 'word,sentence1,sentence2,label\nbank,,the bank,T\n', 2, 'sentence1 is empty'],
    ['unknown label', 'word,sentence1,sentence2,label\nbank,a bank,the bank,maybe\n', 2, 'unknown label "maybe" (expected T/F, 1/0, true/false, same/different or yes/no)'],
    ['no label nor score', 'word,sentence1,sentence2,label\nbank,a bank,the bank,\n', 2, 'neither "label" nor "score" is given'],
    ['duplicate id', 'id,word,sentence1,sentence2,label\nx,bank,a bank,the bank,T\nx,bank,one bank,two bank,F\n', 3, 'duplicate id "x"'],
    ['unknown split', 'word,sentence1,sentence2,label,split\nbank,a bank,the bank,T,holdout\n', 2, 'unknown split "holdout"'],
  ])('CSV %s -> file:line: reason', async (_name, content, line, reason) => {
    const path = fixture(`bad-csv/${_name.replace(/\s+/g, '-')}.csv`, content);
    const message = await loadError(path);
    expect(message.startsWith(`${path}:${line}: `)).toBe(true);
    expect(message).toContain(reason);
  });

  it('explicit offsets win: an irregular form (kept for keep) loads and is counted', async () => {
    const path = fixture(
      'generic/kept.jsonl',
      [
        '{"word":"keep","sentence1":"She kept the letters.","sentence2":"We keep bees.","start1":4,"end1":8,"start2":3,"end2":7,"label":"F"}',
        '{"word":"bank","sentence1":"a bank","sentence2":"two banks","start1":2,"end1":6,"start2":4,"end2":9,"label":"F"}',
        '{"word":"go","sentence1":"they went home","sentence2":"go on","index1":1,"index2":0,"label":"T"}',
      ].join('\n'),
    );
    const dataset = await loadDataset(path);
    const [kept, , went] = dataset.splits.get('all')!;
    expect(kept!.sentence1.slice(kept!.spans1[0].start, kept!.spans1[0].end)).toBe('kept');
    expect(went!.sentence1.slice(went!.spans1[0].start, went!.spans1[0].end)).toBe('went');
    // "kept" and "went" are not regular inflections; "banks" is.
    expect(dataset.unmatchedSpans).toBe(2);
  });

  it('JSONL invalid JSON and non-flat records name their line', async () => {
    const bad = fixture('bad-jsonl/a.jsonl', '{"word":"bank","sentence1":"a bank","sentence2":"the bank","label":"T"}\n{oops\n');
    expect(await loadError(bad)).toMatch(new RegExp(`^${bad.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}:2: invalid JSON`));
    const nested = fixture('bad-jsonl/b.jsonl', '{"word":"bank","sentence1":"a bank","sentence2":{"x":1},"label":"T"}\n');
    expect(await loadError(nested)).toMatch(/b\.jsonl:1: expected a flat JSON object: sentence2/);
  });

  it('unknown paths and undetectable formats are input errors', async () => {
    expect(await loadError(join(dir, 'does-not-exist.csv'))).toMatch(/no such file or directory, and not a built-in dataset/);
    const odd = fixture('odd/data.xyz', 'hello\n');
    expect(await loadError(odd)).toMatch(/cannot tell the dataset format/);
  });
});
