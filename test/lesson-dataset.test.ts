// Invariants of the built-in `lesson` dataset (datasets/lesson/lesson.csv).
// These checks read the CSV on their own and share no code with the generator (build.mjs), so a
// generator bug cannot hide behind the same bug in the check.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { afterAll, describe, expect, it } from 'vitest';

const LESSON_DIR = join(import.meta.dirname, '..', 'datasets', 'lesson');
const CSV_PATH = join(LESSON_DIR, 'lesson.csv');
const BUILD_SCRIPT = join(LESSON_DIR, 'build.mjs');
const COLUMNS = ['id', 'word', 'sentence1', 'sentence2', 'start1', 'end1', 'start2', 'end2', 'label', 'split'];

interface LessonRow {
  readonly id: string;
  readonly word: string;
  readonly sentence1: string;
  readonly sentence2: string;
  readonly start1: number;
  readonly end1: number;
  readonly start2: number;
  readonly end2: number;
  readonly label: string;
  readonly split: string;
}

const csvBytes = readFileSync(CSV_PATH);
// Default csv-parse options are strict: no BOM stripping, no relaxed quotes, empty lines kept (and then fail the field count).
const records = parse(csvBytes);
const header = records[0] ?? [];
const rows: LessonRow[] = records.slice(1).map((fields) => {
  const field = (name: string): string => fields[COLUMNS.indexOf(name)] ?? '';
  return {
    id: field('id'),
    word: field('word'),
    sentence1: field('sentence1'),
    sentence2: field('sentence2'),
    start1: Number(field('start1')),
    end1: Number(field('end1')),
    start2: Number(field('start2')),
    end2: Number(field('end2')),
    label: field('label'),
    split: field('split'),
  };
});

function countBy<T>(items: readonly T[], key: (item: T) => string): Map<string, number> {
  const counts = new Map<string, number>();
  for (const item of items) counts.set(key(item), (counts.get(key(item)) ?? 0) + 1);
  return counts;
}

function isLetter(character: string | undefined): boolean {
  return character !== undefined && /[A-Za-z]/.test(character);
}

function wordCount(sentence: string): number {
  return sentence.split(/\s+/).filter((token) => token !== '').length;
}

function tokenSet(sentence: string): Set<string> {
  return new Set(sentence.toLowerCase().match(/[a-z']+/g) ?? []);
}

describe('lesson dataset file', () => {
  it('is a well-formed CSV with the agreed header and ten fields per record', () => {
    expect(header).toEqual(COLUMNS);
    for (const fields of records) expect(fields).toHaveLength(COLUMNS.length);
    // RFC 4180: a field holding a comma must be quoted; csv-parse would otherwise split it.
    const rawLines = csvBytes.toString('utf8').split('\n');
    expect(rawLines.at(-1)).toBe('');
    expect(rawLines.length - 1).toBe(records.length);
  });

  it('is UTF-8 (in fact plain ASCII, so JavaScript indices equal byte offsets)', () => {
    expect([...csvBytes].every((byte) => byte === 0x0a || (byte >= 0x20 && byte <= 0x7e))).toBe(true);
  });

  it('has at least 220 pairs over at least 32 words, 6-8 pairs per word', () => {
    expect(rows.length).toBeGreaterThanOrEqual(220);
    const perWord = countBy(rows, (row) => row.word);
    expect(perWord.size).toBeGreaterThanOrEqual(32);
    for (const [word, count] of perWord) {
      expect(count, word).toBeGreaterThanOrEqual(6);
      expect(count, word).toBeLessThanOrEqual(8);
    }
  });

  it('has unique ids of the form <word>-<n>, apart from the two lesson ids', () => {
    expect(new Set(rows.map((row) => row.id)).size).toBe(rows.length);
    for (const row of rows) {
      if (row.id === 'lesson-bank' || row.id === 'lesson-apple') continue;
      expect(row.id).toMatch(new RegExp(`^${row.word}-[1-9][0-9]*$`));
    }
  });

  it('uses only T/F labels and train/test splits', () => {
    for (const row of rows) {
      expect(['T', 'F'], row.id).toContain(row.label);
      expect(['train', 'test'], row.id).toContain(row.split);
    }
  });
});

describe('lesson dataset balance and splits', () => {
  it('is exactly half same-sense overall and within each split', () => {
    const labelsOverall = countBy(rows, (row) => row.label);
    expect(labelsOverall.get('T')).toBe(labelsOverall.get('F'));
    for (const split of ['train', 'test']) {
      const inSplit = rows.filter((row) => row.split === split);
      expect(inSplit.length, split).toBeGreaterThan(0);
      const labels = countBy(inSplit, (row) => row.label);
      expect(labels.get('T'), split).toBe(labels.get('F'));
    }
  });

  it('is balanced per word (same-sense and different-sense counts differ by at most one)', () => {
    for (const word of new Set(rows.map((row) => row.word))) {
      const labels = countBy(
        rows.filter((row) => row.word === word),
        (row) => row.label,
      );
      expect(Math.abs((labels.get('T') ?? 0) - (labels.get('F') ?? 0)), word).toBeLessThanOrEqual(1);
    }
  });

  it('splits by word: no word in both splits, about 60% of words in train, bank and apple in test', () => {
    const splitsOfWord = new Map<string, Set<string>>();
    for (const row of rows) {
      const splits = splitsOfWord.get(row.word) ?? new Set<string>();
      splits.add(row.split);
      splitsOfWord.set(row.word, splits);
    }
    for (const [word, splits] of splitsOfWord) expect(splits.size, word).toBe(1);
    const trainWords = [...splitsOfWord].filter(([, splits]) => splits.has('train')).length;
    const trainShare = trainWords / splitsOfWord.size;
    expect(trainShare).toBeGreaterThanOrEqual(0.55);
    expect(trainShare).toBeLessThanOrEqual(0.65);
    expect(splitsOfWord.get('bank')).toEqual(new Set(['test']));
    expect(splitsOfWord.get('apple')).toEqual(new Set(['test']));
  });
});

describe('lesson dataset pairs', () => {
  it('has offsets that point at the target word, with the same surface form in both sentences', () => {
    for (const row of rows) {
      const surface1 = row.sentence1.slice(row.start1, row.end1);
      const surface2 = row.sentence2.slice(row.start2, row.end2);
      expect(surface1.toLowerCase(), row.id).toBe(row.word);
      expect(surface2.toLowerCase(), row.id).toBe(row.word);
      // Whole words only: "bank" inside "banks" or "embankment" would not be the target.
      expect(isLetter(row.sentence1[row.start1 - 1]) || isLetter(row.sentence1[row.end1]), row.id).toBe(false);
      expect(isLetter(row.sentence2[row.start2 - 1]) || isLetter(row.sentence2[row.end2]), row.id).toBe(false);
    }
  });

  it('holds the target exactly once per sentence, so a surface-form lookup is unambiguous', () => {
    for (const row of rows) {
      const wholeWord = new RegExp(`(?<![A-Za-z])${row.word}(?![A-Za-z])`, 'gi');
      expect(row.sentence1.match(wholeWord)?.length, row.id).toBe(1);
      expect(row.sentence2.match(wholeWord)?.length, row.id).toBe(1);
    }
  });

  it('has sentences of 6-25 words, none repeated, and no near-copies within a pair', () => {
    const sentences = rows.flatMap((row) => [row.sentence1, row.sentence2]);
    expect(new Set(sentences).size).toBe(sentences.length);
    for (const sentence of sentences) {
      expect(wordCount(sentence), sentence).toBeGreaterThanOrEqual(6);
      expect(wordCount(sentence), sentence).toBeLessThanOrEqual(25);
    }
    for (const row of rows) {
      const tokens1 = tokenSet(row.sentence1);
      const tokens2 = tokenSet(row.sentence2);
      const shared = [...tokens1].filter((token) => tokens2.has(token)).length;
      const jaccard = shared / (tokens1.size + tokens2.size - shared);
      expect(jaccard, row.id).toBeLessThan(0.5);
    }
  });

  it('contains the two examples of the lesson verbatim as different-sense pairs', () => {
    const bank = rows.find((row) => row.id === 'lesson-bank');
    expect(bank).toMatchObject({
      word: 'bank',
      sentence1: 'The bank near the river is very calm.',
      sentence2: 'I need to deposit money at the bank.',
      start1: 4,
      end1: 8,
      start2: 31,
      end2: 35,
      label: 'F',
      split: 'test',
    });
    const apple = rows.find((row) => row.id === 'lesson-apple');
    expect(apple).toMatchObject({
      word: 'apple',
      sentence1: 'The apple product is sleek and innovative.',
      sentence2: 'The apple I received was bruised and rotten.',
      start1: 4,
      end1: 9,
      start2: 4,
      end2: 9,
      label: 'F',
      split: 'test',
    });
  });
});

describe('lesson dataset generator', () => {
  const workDir = mkdtempSync(join(tmpdir(), 'sensebench-lesson-'));
  afterAll(() => {
    rmSync(workDir, { recursive: true, force: true });
  });

  it('rebuilds lesson.csv from lesson.src.tsv byte for byte', () => {
    const rebuiltPath = join(workDir, 'rebuilt.csv');
    execFileSync(process.execPath, [BUILD_SCRIPT, '--out', rebuiltPath]);
    expect(readFileSync(rebuiltPath).equals(csvBytes)).toBe(true);
  });

  it('rejects a source line whose label contradicts its sense tags, naming file and line', () => {
    const sourcePath = join(workDir, 'bad-label.tsv');
    writeFileSync(
      sourcePath,
      'id\tword\tsplit\tlabel\tsense1\tsense2\tsentence1\tsentence2\n' +
        '\tbank\ttest\tT\triver\tfinance\tWe walked along the grassy [bank] of the river.\tShe paid the cheque into the [bank] this morning.\n',
    );
    const result = spawnSync(process.execPath, [BUILD_SCRIPT, '--source', sourcePath, '--out', join(workDir, 'x.csv')], {
      encoding: 'utf8',
    });
    expect(result.status).toBe(1);
    expect(result.stderr).toContain(`${sourcePath}:2: label T contradicts senses river/finance`);
  });

  it('rejects a pair whose marked surface form is not the word itself', () => {
    const sourcePath = join(workDir, 'bad-surface.tsv');
    writeFileSync(
      sourcePath,
      'id\tword\tsplit\tlabel\tsense1\tsense2\tsentence1\tsentence2\n' +
        '\tbank\ttest\tT\tfinance\tfinance\tBoth [banks] in our town close early on Fridays.\tShe paid the cheque into the [bank] this morning.\n',
    );
    const result = spawnSync(process.execPath, [BUILD_SCRIPT, '--source', sourcePath, '--out', join(workDir, 'y.csv')], {
      encoding: 'utf8',
    });
    expect(result.status).toBe(1);
    expect(result.stderr).toContain(`${sourcePath}:2: marked "banks" is not the word "bank"`);
  });
});
