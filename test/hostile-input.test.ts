/**
 * Clear messages for hostile or careless input (issue 21 items 11-14): a 5 MB field is quoted in
 * at most ~200 characters in every format; UTF-16, invalid UTF-8 and NUL bytes are named with
 * `file:line`; `similarity --word ""` is refused before any model loads and its messages advise
 * only what it has; a numeric sentence is "not a string"; a missing or misnamed gold file is a note
 * or a refusal; yes/no labels are read and said so; `--abtt-components` beyond the dimension and
 * `--column` for a field the format lacks are refused.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadDataset } from '../src/datasets/index.js';
import { cli } from './helpers/cli.js';
import { loadError, tempFiles } from './helpers/dataset-files.js';
import { tempDirs } from './helpers/temp-dirs.js';
import { writeTinyCsv, writeTinyVectors } from './helpers/tiny-inputs.js';
import type { DatasetFormat } from '../src/types.js';

const newDir = tempDirs('hostile');
const HUGE = 'x'.repeat(5 << 20);

describe('a 5 MB field is quoted in at most ~200 characters (item 11)', () => {
  const { fixture } = tempFiles('sensebench-huge-');
  const cases: [DatasetFormat, string, string][] = [
    ['csv', 'a.csv', `id,word,sentence1,sentence2,label\np1,bank,the bank is,a bank,${HUGE}\n`],
    ['jsonl', 'a.jsonl', `${JSON.stringify({ word: 'bank', sentence1: 'the bank is', sentence2: 'a bank', label: HUGE })}\n`],
    ['tsv', 'de_train.txt', `bank\tN\t4\t8\t2\t6\tthe bank is\ta bank\t${HUGE}\n`],
    ['scws', 'ratings.txt', `1\tbank\tn\tbank\tn\tthe <b> bank </b> is\ta <b> bank </b>\t${HUGE}\t1\t2\t1\t2\t1\t2\t1\t2\t1\t2\n`],
    ['am2ico', 'train.tsv', `context1\tcontext2\tlabel\nthe <word>bank</word> is\ta <word>bank</word>\t${HUGE}\n`],
    ['cosimlex', 'cosimlex_en.csv', `word1\tword2\tcontext1\tcontext2\tsim1\tsim2\nbank\triver\tthe <strong>bank</strong> and <strong>river</strong>\ta <strong>bank</strong> by the <strong>river</strong>\t${HUGE}\t2\n`],
    ['wic', 'train.data.txt', `bank\tN\t${HUGE}\tthe bank is\ta bank\n`],
    ['superglue', 'train.jsonl', `${JSON.stringify({ word: 'bank', sentence1: 'the bank is', sentence2: 'a bank', start1: 4, end1: 8, start2: 2, end2: 6, idx: 0, label: HUGE })}\n`],
    ['mclwic', 'training.en-en.data', JSON.stringify([{ id: 'x.1', lemma: 'bank', pos: 'NOUN', sentence1: 'the bank is', sentence2: 'a bank', ranges1: HUGE, ranges2: '2-6' }])],
  ];
  it.each(cases)('%s', async (format, name, content) => {
    const message = await loadError(fixture(`${format}/${name}`, content), { format });
    expect(message).toMatch(/:\d+: /);
    expect(message.length, message.slice(0, 300)).toBeLessThan(1200);
    expect(message).toMatch(/x{200}/);
  });
});

describe('encodings (item 12)', () => {
  const { fixture, dir } = tempFiles('sensebench-encoding-');
  const csv = 'id,word,sentence1,sentence2,label\np1,bank,the bank is,a bank,T\np2,bank,my bank,the bank,F\n';

  it('a UTF-16 file is named as such, with or without a byte-order mark, auto-detected or not', async () => {
    const withBom = fixture('utf16.csv', '');
    const { writeFileSync } = await import('node:fs');
    writeFileSync(withBom, Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(csv, 'utf16le')]));
    expect(await loadError(withBom)).toBe(`${withBom}:1: the file is UTF-16 LE encoded; save it as UTF-8`);
    const bare = join(dir, 'bare.csv');
    writeFileSync(bare, Buffer.from(csv, 'utf16le'));
    expect(await loadError(bare, { format: 'csv' })).toBe(`${bare}:1: the file is UTF-16 LE (no byte-order mark) encoded; save it as UTF-8`);
    // WiC's gold file saved as UTF-16 by a spreadsheet: named, instead of "no label in x.gold.txt".
    const data = fixture('wic/train.data.txt', 'bank\tN\t1-1\tthe bank is\ta bank\n');
    writeFileSync(join(dir, 'wic', 'train.gold.txt'), Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('T\n', 'utf16le')]));
    expect(await loadError(data)).toBe(`${join(dir, 'wic', 'train.gold.txt')}:1: the file is UTF-16 LE encoded; save it as UTF-8`);
  });

  it('invalid UTF-8 and NUL bytes are refused at their line', async () => {
    const { writeFileSync } = await import('node:fs');
    const latin1 = join(dir, 'latin1.csv');
    writeFileSync(latin1, Buffer.from(csv.replace('my bank', 'mÿ bank'), 'latin1'));
    expect(await loadError(latin1)).toBe(`${latin1}:3: invalid UTF-8 (byte 0xff at column 10); save the file as UTF-8`);
    const nul = join(dir, 'nul.csv');
    writeFileSync(nul, csv.replace('a bank', 'a\0bank'));
    expect(await loadError(nul)).toBe(`${nul}:2: a NUL byte at column 22: not a text file (or not UTF-8)`);
  });
});

describe('similarity --word (item 13)', () => {
  it('refuses an empty word before any model loads', async () => {
    const result = await cli('similarity', '--word', '', 'a bank', 'the bank');
    expect(result.code).toBe(2);
    expect(result.stderr).toBe('sensebench: --word is empty: give the word whose two occurrences to compare\n');
  });

  it('advises only what similarity has (no start/end offsets)', async () => {
    const dir = await newDir();
    const result = await cli('similarity', '--word', 'bank', '--model', writeTinyVectors(dir), 'a bank and a bank', 'the bank');
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/target "bank" occurs 2 times in sentence 1; similarity needs the word exactly once, as a whole word, in each sentence/);
    expect(result.stderr).not.toMatch(/offsets|token indices/);
  });
});

describe('field, gold, label and option checks (item 14)', () => {
  const { fixture, dir } = tempFiles('sensebench-fields-');

  it('a numeric sentence1 is "not a string", a missing one a missing column, a blank one "empty"', async () => {
    const line = (sentence1: unknown) => `${JSON.stringify({ word: 'bank', sentence1, sentence2: 'a bank', label: 'T' })}\n`;
    expect(await loadError(fixture('n.jsonl', line(5)))).toMatch(/n\.jsonl:1: sentence1 is not a string \(got the number "5"\)/);
    expect(await loadError(fixture('m.jsonl', line(undefined)))).toMatch(/m\.jsonl:1: missing column\(s\) sentence1/);
    expect(await loadError(fixture('b.jsonl', line('  ')))).toMatch(/b\.jsonl:1: sentence1 is empty/);
  });

  it('a wic data file without gold: a note when alone, refused beside a labelled sibling of its split or a misnamed gold file', async () => {
    const alone = fixture('wic-alone/test.data.txt', 'bank\tN\t1-1\tthe bank is\ta bank\n');
    const dataset = await loadDataset(alone);
    expect(dataset.notes).toEqual([`${alone}: no gold file test.gold.txt: its pairs are unlabelled`]);
    fixture('wic-pair/a.data.txt', 'bank\tN\t1-1\tthe bank is\ta bank\n');
    fixture('wic-pair/a.gold.txt', 'T\n');
    const b = fixture('wic-pair/b.data.txt', 'bank\tN\t1-1\tthe bank is\ta bank\n');
    expect(await loadError(join(dir, 'wic-pair'))).toBe(`${b}:1: no gold file b.gold.txt beside it, while a.data.txt of the same split has one; add it, or load the file alone to score it unlabelled`);
    const misnamed = fixture('wic-misnamed/train.data.txt', 'bank\tN\t1-1\tthe bank is\ta bank\n');
    fixture('wic-misnamed/train.gold', 'T\n');
    expect(await loadError(misnamed)).toBe(`${misnamed}:1: no gold file train.gold.txt beside it, but train.gold is there: misnamed? (name it train.gold.txt)`);
  });

  it('an mclwic data file with a misnamed gold file is refused; one without gold is a note in run.json and the report', async () => {
    const record = [{ id: 'x.1', lemma: 'bank', pos: 'NOUN', sentence1: 'the bank is', sentence2: 'a bank', start1: 4, end1: 8, start2: 2, end2: 6 }];
    const data = fixture('mcl/training.en-en.data', JSON.stringify(record));
    fixture('mcl/training.en-en.gold.json', JSON.stringify([{ id: 'x.1', tag: 'T' }]));
    expect(await loadError(data)).toMatch(/training\.en-en\.data:1: no gold file training\.en-en\.gold beside it, but training\.en-en\.gold\.json is there: misnamed\?/);
    const base = await newDir();
    const lone = fixture('mcl-test/test.en-en.data', JSON.stringify([...record, { ...record[0]!, id: 'x.2', sentence1: 'my bank is' , start1: 3, end1: 7 }]));
    const out = join(base, 'out');
    const result = await cli('run', '--dataset', lone, '--model', writeTinyVectors(base), '--resamples', '10', '--out', out);
    expect(result.code, result.stderr).toBe(0);
    const note = `${lone}: no gold file test.en-en.gold: its pairs are unlabelled`;
    expect(result.stderr).toContain(note);
    expect(readFileSync(join(out, 'run.json'), 'utf8')).toContain(JSON.stringify(note));
    expect(readFileSync(join(out, 'summary.md'), 'utf8')).toContain(note);
  });

  it('yes/no labels are read, and the label message says so', async () => {
    const dataset = await loadDataset(fixture('yn.csv', 'word,sentence1,sentence2,label\nbank,the bank is,a bank,yes\nbank,my bank,the bank,No\n'));
    expect([...dataset.splits.values()][0]!.map((pair) => pair.label)).toEqual([true, false]);
    expect(await loadError(fixture('bad.csv', 'word,sentence1,sentence2,label\nbank,the bank is,a bank,maybe\n'))).toMatch(/unknown label "maybe" \(expected T\/F, 1\/0, true\/false, same\/different or yes\/no\)/);
  });

  it('--abtt-components not below the dimension is refused, not clamped', async () => {
    const base = await newDir();
    const result = await cli('run', '--dataset', writeTinyCsv(join(base, 'a.csv')), '--model', writeTinyVectors(base), '--abtt-components', '4', '--resamples', '10', '--out', join(base, 'out'));
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/--abtt-components 4 is not below the 4 dimensions of static:vectors\.txt:target; all-but-the-top would remove every direction/);
  });

  it('--column for a field the generic formats lack, a name the file lacks, or a format with fixed fields is refused', async () => {
    const base = await newDir();
    const csv = writeTinyCsv(join(base, 'a.csv'));
    const vectors = writeTinyVectors(base);
    const run = (...extra: string[]) => cli('run', '--model', vectors, '--out', join(base, 'out'), ...extra);
    const unknownField = await run('--dataset', csv, '--column', 'lable=same');
    expect(unknownField.code).toBe(2);
    expect(unknownField.stderr).toMatch(/--column lable=…: lable is not a field of the csv format \(fields: id, word, pos/);
    const missingName = await run('--dataset', csv, '--column', 'label=same');
    expect(missingName.code).toBe(2);
    expect(missingName.stderr).toMatch(/a\.csv:1: --column label=same: the file has no field "same" \(found: id, word, sentence1, sentence2, label\)/);
    const wic = fixture('wic-column/train.data.txt', 'bank\tN\t1-1\tthe bank is\ta bank\n');
    const fixed = await run('--dataset', wic, '--column', 'label=same');
    expect(fixed.code).toBe(2);
    expect(fixed.stderr).toMatch(/--column label=…: .*train\.data\.txt is read as wic, which has fixed fields/);
  });
});
