/**
 * Property-based tests of every dataset loader (fast-check). For each format a generator makes a
 * small dataset of sentence pairs and writes it in that format; then
 *
 * - valid files load to exactly the pairs they were generated from;
 * - every corruption of one of the files (truncation, a deleted or duplicated field, a bad number,
 *   broken quoting, damaged UTF-8, NUL bytes, CRLF line ends, a BOM) ends either in a load whose
 *   pairs are well-formed (CRLF and BOM: the very same pairs) or in an InputError whose message
 *   starts with `file:line: ` naming one of the files, and never in any other exception; half of
 *   the cases load with `onInvalid: 'skip'`, where every skipped line must be listed as `file:line: reason`.
 *
 * Files are written to a fresh folder per case (under /dev/shm when it exists: the suite writes
 * some 15,000 small folders).
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { loadDataset } from '../src/datasets/index.js';
import type { DatasetFormat } from '../src/datasets/formats.js';
import { InputError, type Dataset, type SentencePair } from '../src/types.js';

const root = mkdtempSync(join(existsSync('/dev/shm') ? '/dev/shm' : tmpdir(), 'sensebench-props-'));
afterAll(() => {
  rmSync(root, { recursive: true, force: true });
});
let caseNumber = 0;

/** Targets never occur among the fillers, so a target is always found exactly once. */
const TARGETS = ['bank', 'plant', 'spring', 'mouse', 'crane', 'pitch', 'Bass', 'seal', 'bat', 'match'] as const;
const FILLERS = ['the', 'a', 'river', 'money', 'we', 'saw', 'near', 'is', 'very', 'calm', 'today', 'über', 'naïve', '😀', '—', ',', 'x.', "don't", 'Żółw', '"quoted"', 'ok'] as const;

/** One generated pair: a target word in two sentences (plus a second word for CoSimLex's two-word rows). */
interface GenPair {
  readonly word: string;
  readonly word2: string;
  readonly left1: readonly string[];
  readonly right1: readonly string[];
  readonly left2: readonly string[];
  readonly right2: readonly string[];
  readonly label: boolean;
  /** 0-10 with two decimals. */
  readonly score: number;
  /** DWUG: 1-3 judgments in 1-4. */
  readonly judgments: readonly number[];
}

const words = (max: number): fc.Arbitrary<string[]> => fc.array(fc.constantFrom(...FILLERS), { minLength: 0, maxLength: max });
const genPair: fc.Arbitrary<GenPair> = fc
  .record({
    word: fc.constantFrom(...TARGETS),
    shift: fc.integer({ min: 1, max: TARGETS.length - 1 }),
    left1: words(4),
    right1: words(4),
    left2: words(4),
    right2: words(4),
    label: fc.boolean(),
    score: fc.integer({ min: 0, max: 1000 }).map((n) => n / 100),
    judgments: fc.array(fc.integer({ min: 1, max: 4 }), { minLength: 1, maxLength: 3 }),
  })
  .map(({ shift, word, ...rest }) => ({ ...rest, word, word2: TARGETS[(TARGETS.indexOf(word) + shift) % TARGETS.length]! }));
const genPairs = fc.array(genPair, { minLength: 1, maxLength: 5 });

const sentence = (left: readonly string[], target: string, right: readonly string[]): { text: string; start: number; end: number } => {
  const before = [...left, ''].join(' ');
  return { text: `${before}${target}${['', ...right].join(' ')}`, start: before.length, end: before.length + target.length };
};
const s1 = (pair: GenPair): ReturnType<typeof sentence> => sentence(pair.left1, pair.word, pair.right1);
const s2 = (pair: GenPair): ReturnType<typeof sentence> => sentence(pair.left2, pair.word, pair.right2);
/** Python's string index (code points) of a JavaScript index. */
const codePoints = (text: string, index: number): number => Array.from(text.slice(0, index)).length;
const tokenIndex = (left: readonly string[]): number => left.length;
const csvQuote = (field: string): string => (/[",\n\r]/.test(field) ? `"${field.replace(/"/g, '""')}"` : field);
const tf = (label: boolean): string => (label ? 'T' : 'F');

/** What a loaded pair is compared on. */
interface Expected {
  readonly word: string;
  readonly word2?: string;
  readonly sentence1: string;
  readonly sentence2: string;
  readonly targets1: readonly string[];
  readonly targets2: readonly string[];
  readonly label: boolean | null;
  readonly score: number | null;
}

function project(pair: SentencePair): Expected {
  return {
    word: pair.word,
    ...(pair.word2 === undefined ? {} : { word2: pair.word2 }),
    sentence1: pair.sentence1,
    sentence2: pair.sentence2,
    targets1: pair.spans1.map((span) => pair.sentence1.slice(span.start, span.end)),
    targets2: pair.spans2.map((span) => pair.sentence2.slice(span.start, span.end)),
    label: pair.label,
    score: pair.score,
  };
}

const plain = (pair: GenPair, label: boolean | null, score: number | null = null): Expected => ({
  word: pair.word,
  sentence1: s1(pair).text,
  sentence2: s2(pair).text,
  targets1: [pair.word],
  targets2: [pair.word],
  label,
  score,
});

/** A format: how generated pairs are written (relative path -> content), the path to load, and what must come back. */
interface FormatCase {
  readonly format: DatasetFormat;
  readonly write: (pairs: readonly GenPair[]) => { files: Record<string, string>; entry: string };
  readonly expected: (pairs: readonly GenPair[]) => Expected[];
}

const median = (values: readonly number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
};
const byWord = (pairs: readonly GenPair[]): GenPair[] => [...pairs].sort((a, b) => (a.word < b.word ? -1 : a.word > b.word ? 1 : 0));

const FORMATS: readonly FormatCase[] = [
  {
    format: 'wic',
    write: (pairs) => ({
      files: {
        'x.data.txt': pairs.map((p) => `${p.word}\tN\t${tokenIndex(p.left1)}-${tokenIndex(p.left2)}\t${s1(p).text}\t${s2(p).text}\n`).join(''),
        'x.gold.txt': pairs.map((p) => `${tf(p.label)}\n`).join(''),
      },
      entry: 'x.data.txt',
    }),
    expected: (pairs) => pairs.map((p) => plain(p, p.label)),
  },
  {
    format: 'superglue',
    write: (pairs) => ({
      files: {
        'train.jsonl': pairs
          .map((p, idx) => `${JSON.stringify({ word: p.word, sentence1: s1(p).text, sentence2: s2(p).text, start1: s1(p).start, end1: s1(p).end, start2: s2(p).start, end2: s2(p).end, idx, label: p.label })}\n`)
          .join(''),
      },
      entry: 'train.jsonl',
    }),
    expected: (pairs) => pairs.map((p) => plain(p, p.label)),
  },
  {
    format: 'mclwic',
    write: (pairs) => ({
      files: {
        'training.en-en.data': JSON.stringify(
          pairs.map((p, i) => ({
            id: `training.en-en.${i}`,
            lemma: p.word,
            pos: 'NOUN',
            sentence1: s1(p).text,
            sentence2: s2(p).text,
            ...(i % 2 === 0
              ? { start1: s1(p).start, end1: String(s1(p).end), start2: String(s2(p).start), end2: s2(p).end }
              : { ranges1: `${s1(p).start}-${s1(p).end}`, ranges2: `${s2(p).start}-${s2(p).end}` }),
          })),
          null,
          2,
        ),
        'training.en-en.gold': JSON.stringify(pairs.map((p, i) => ({ id: `training.en-en.${i}`, tag: tf(p.label) })), null, 1),
      },
      entry: '.',
    }),
    expected: (pairs) => pairs.map((p) => plain(p, p.label)),
  },
  {
    format: 'scws',
    write: (pairs) => ({
      files: {
        'ratings.txt': pairs
          .map((p, i) => {
            const c1 = [...p.left1, '<b>', p.word, '</b>', ...p.right1].join(' ');
            const c2 = [...p.left2, '<b>', p.word, '</b>', ...p.right2].join(' ');
            const ratings = Array.from({ length: 10 }, () => String(p.score));
            return `${i + 1}\t${p.word}\tn\t${p.word}\tn\t${c1}\t${c2}\t${p.score}\t${ratings.join('\t')}\n`;
          })
          .join(''),
      },
      entry: 'ratings.txt',
    }),
    expected: (pairs) => pairs.map((p) => plain(p, null, p.score)),
  },
  {
    format: 'tsv',
    write: (pairs) => ({
      files: {
        'xx_train.txt': pairs
          .map((p) => `${p.word}\tN\t${s1(p).start}\t${s1(p).end}\t${s2(p).start}\t${s2(p).end}\t${s1(p).text}\t${s2(p).text}\t${p.label ? 1 : 0}\n`)
          .join(''),
      },
      entry: 'xx_train.txt',
    }),
    expected: (pairs) => pairs.map((p) => plain(p, p.label)),
  },
  {
    format: 'jsonl',
    write: (pairs) => ({
      files: {
        'pairs.jsonl': pairs
          .map((p, i) => `${JSON.stringify({ id: `p${i}`, word: p.word, sentence1: s1(p).text, sentence2: s2(p).text, start1: s1(p).start, end1: s1(p).end, start2: s2(p).start, end2: s2(p).end, label: tf(p.label), score: p.score })}\n`)
          .join(''),
      },
      entry: 'pairs.jsonl',
    }),
    expected: (pairs) => pairs.map((p) => plain(p, p.label, p.score)),
  },
  {
    format: 'csv',
    write: (pairs) => ({
      files: {
        'pairs.csv': `id,word,sentence1,sentence2,label\n${pairs.map((p, i) => [`p${i}`, p.word, s1(p).text, s2(p).text, p.label ? '1' : '0'].map(csvQuote).join(',')).join('\n')}\n`,
      },
      entry: 'pairs.csv',
    }),
    expected: (pairs) => pairs.map((p) => plain(p, p.label)),
  },
  {
    format: 'tempowic',
    write: (pairs) => {
      const tweet = (s: ReturnType<typeof sentence>, word: string): object => ({
        text: s.text,
        tokens: s.text.split(' '),
        token_idx: s.text.slice(0, s.start).split(' ').length - 1,
        text_start: codePoints(s.text, s.start),
        text_end: codePoints(s.text, s.end),
        date: '2020-01',
        word,
      });
      return {
        files: {
          'train.data.jl': pairs.map((p, i) => `${JSON.stringify({ id: `t${i}`, word: p.word, tweet1: tweet(s1(p), p.word), tweet2: tweet(s2(p), p.word) })}\n`).join(''),
          'train.labels.tsv': pairs.map((p, i) => `t${i}\t${p.label ? 1 : 0}\n`).join(''),
        },
        entry: 'train.data.jl',
      };
    },
    expected: (pairs) => pairs.map((p) => plain(p, p.label)),
  },
  {
    format: 'cosimlex',
    write: (pairs) => {
      const context = (left: readonly string[], right: readonly string[], p: GenPair): string =>
        [...left, `<strong>${p.word}</strong>`, ...right, `<strong>${p.word2}</strong>`].join(' ');
      const rows = pairs.map((p) =>
        [p.word, p.word2, context(p.left1, p.right1, p), context(p.left2, p.right2, p), String(p.score), String(10 - p.score), '1', '1', '0.5', p.word, p.word2, p.word, p.word2]
          .map(csvQuote)
          .join('\t'),
      );
      return {
        files: { 'data.csv': `word1\tword2\tcontext1\tcontext2\tsim1\tsim2\tstdev1\tstdev2\tpvalue\tword1_context1\tword2_context1\tword1_context2\tword2_context2\n${rows.join('\n')}\n` },
        entry: 'data.csv',
      };
    },
    expected: (pairs) =>
      pairs.flatMap((p) =>
        ([[p.left1, p.right1, p.score], [p.left2, p.right2, 10 - p.score]] as const).map(([left, right, score]) => {
          const text = [...left, p.word, ...right, p.word2].join(' ');
          return { word: p.word, word2: p.word2, sentence1: text, sentence2: text, targets1: [p.word], targets2: [p.word2], label: null, score };
        }),
      ),
  },
  {
    format: 'am2ico',
    write: (pairs) => {
      const context = (left: readonly string[], word: string, right: readonly string[]): string => [...left, `<word>${word}</word>`, ...right].join(' ');
      return {
        files: { 'train.tsv': `context1\tcontext2\tlabel\n${pairs.map((p) => `${context(p.left1, p.word, p.right1)}\t${context(p.left2, p.word, p.right2)}\t${tf(p.label)}\n`).join('')}` },
        entry: 'train.tsv',
      };
    },
    expected: (pairs) => pairs.map((p) => plain(p, p.label)),
  },
  {
    format: 'dwug',
    write: (pairs) => {
      const files: Record<string, string> = {};
      for (const word of [...new Set(pairs.map((p) => p.word))]) {
        const uses = ['lemma\tidentifier\tdate\tgrouping\tcontext\tindexes_target_token\tdescription'];
        const judgments = ['identifier1\tidentifier2\tannotator\tjudgment\tcomment\tlemma'];
        pairs.forEach((p, i) => {
          if (p.word !== word) return;
          for (const [suffix, s] of [['a', s1(p)], ['b', s2(p)]] as const) uses.push(`${word}\t${word}-${i}${suffix}\t1900\t1\t${s.text}\t${s.start}:${s.end}\t `);
          p.judgments.forEach((judgment, annotator) => judgments.push(`${word}-${i}a\t${word}-${i}b\tann${annotator}\t${judgment}${annotator === 1 ? '.0' : ''}\t \t${word}`));
        });
        files[`data/${word}/uses.csv`] = `${uses.join('\n')}\n`;
        files[`data/${word}/judgments.csv`] = `${judgments.join('\n')}\n`;
      }
      return { files, entry: '.' };
    },
    expected: (pairs) => byWord(pairs).map((p) => plain(p, null, median(p.judgments))),
  },
];

type Corruption = 'truncate' | 'delete-field' | 'duplicate-field' | 'bad-number' | 'quote' | 'utf8' | 'nul' | 'insert' | 'delete-line' | 'crlf' | 'bom';
const CORRUPTIONS: readonly Corruption[] = ['truncate', 'delete-field', 'duplicate-field', 'bad-number', 'quote', 'utf8', 'nul', 'insert', 'delete-line', 'crlf', 'bom'];
const BAD_NUMBERS = ['x', '-1', '1.5', '1e999', '', '99999', 'NaN', '0x1f'];
const INSERTS = ['\t', ',', '"', '{', '}', '[', ':', '<b>', '</strong>', '<word>', '\n', ' ', '\\', '-'];

/** Applies a corruption at a position (a fraction of the file) to a file's bytes. */
function corrupt(bytes: Buffer, kind: Corruption, at: number, pick: number): Buffer {
  const text = bytes.toString('utf8');
  const position = Math.floor(at * text.length);
  const fields = (): { start: number; end: number }[] => [...text.matchAll(/[^\t,\n:{}[\]"]+/g)].map((m) => ({ start: m.index, end: m.index + m[0].length }));
  switch (kind) {
    case 'truncate':
      return bytes.subarray(0, Math.floor(at * bytes.length));
    case 'delete-field':
    case 'duplicate-field': {
      const all = fields();
      const field = all[pick % Math.max(1, all.length)];
      if (!field) return bytes;
      const before = text.slice(0, field.start);
      const after = text.slice(field.end);
      const value = text.slice(field.start, field.end);
      return Buffer.from(kind === 'delete-field' ? before + after.replace(/^[\t,]/, '') : `${before}${value}\t${value}${after}`);
    }
    case 'bad-number': {
      const numbers = [...text.matchAll(/\d+(\.\d+)?/g)];
      const number = numbers[pick % Math.max(1, numbers.length)];
      if (!number) return bytes;
      return Buffer.from(text.slice(0, number.index) + BAD_NUMBERS[pick % BAD_NUMBERS.length]! + text.slice(number.index + number[0].length));
    }
    case 'quote':
      return Buffer.from(`${text.slice(0, position)}"${text.slice(position)}`);
    case 'utf8': {
      const damaged = Buffer.from(bytes);
      if (damaged.length > 0) damaged[Math.floor(at * damaged.length) % damaged.length] = [0xff, 0xc3, 0x80, 0xe2][pick % 4]!;
      return damaged;
    }
    case 'nul':
      return Buffer.from(`${text.slice(0, position)}\u0000${text.slice(position)}`);
    case 'insert':
      return Buffer.from(text.slice(0, position) + INSERTS[pick % INSERTS.length]! + text.slice(position));
    case 'delete-line': {
      const lines = text.split('\n');
      lines.splice(pick % lines.length, 1);
      return Buffer.from(lines.join('\n'));
    }
    case 'crlf':
      return Buffer.from(text.replace(/\n/g, '\r\n'));
    case 'bom':
      return Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), bytes]);
  }
}

function writeCase(files: Record<string, string | Buffer>): string {
  const dir = join(root, `c${caseNumber++}`);
  for (const [name, content] of Object.entries(files)) {
    const path = join(dir, name);
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, content);
  }
  return dir;
}

/** The well-formedness every loaded dataset must have, whatever its input (plain checks: this runs 15,000 times). */
function checkWellFormed(dataset: Dataset, dir: string): void {
  const fail = (what: string, pair?: SentencePair): never => {
    throw new Error(`malformed load: ${what}${pair ? ` (pair ${JSON.stringify(pair)})` : ''}`);
  };
  const ids = new Set<string>();
  for (const pairs of dataset.splits.values()) {
    if (pairs.length === 0) fail('an empty split');
    for (const pair of pairs) {
      if (ids.has(pair.id)) fail('a duplicate id', pair);
      ids.add(pair.id);
      if (!pair.source.file.startsWith(dir) || !(pair.source.line >= 1)) fail('a bad source', pair);
      if (pair.word.trim() === '') fail('an empty word', pair);
      for (const [sentence, spans] of [[pair.sentence1, pair.spans1], [pair.sentence2, pair.spans2]] as const) {
        if (sentence.trim() === '') fail('an empty sentence', pair);
        let previous = 0;
        for (const span of spans) {
          if (!Number.isInteger(span.start) || !Number.isInteger(span.end) || span.start < previous || span.end <= span.start || span.end > sentence.length) {
            fail('a span out of order or range', pair);
          }
          previous = span.end;
        }
      }
      if (pair.label !== null && typeof pair.label !== 'boolean') fail('a label that is not a boolean', pair);
      if (pair.score !== null && !Number.isFinite(pair.score)) fail('a score that is not finite', pair);
    }
  }
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Cases per format: valid files, and corrupted ones (together well above 1,000 per format). */
const VALID_RUNS = 100;
const CORRUPT_RUNS = 1000;

describe.each(FORMATS)('$format loader properties', ({ format, write, expected }) => {
  it(`loads ${VALID_RUNS} generated valid datasets to the pairs they were generated from`, async () => {
    await fc.assert(
      fc.asyncProperty(genPairs, async (pairs) => {
        const { files, entry } = write(pairs);
        const dir = writeCase(files);
        const dataset = await loadDataset(join(dir, entry), { format });
        checkWellFormed(dataset, dir);
        expect([...dataset.splits.values()].flat().map(project)).toEqual(expected(pairs));
        expect(dataset.skipped).toEqual([]);
      }),
      { numRuns: VALID_RUNS, seed: 11 },
    );
  });

  it(`${CORRUPT_RUNS} corruptions end in a correct load or an InputError at file:line, nothing else`, async () => {
    await fc.assert(
      fc.asyncProperty(
        genPairs,
        fc.constantFrom(...CORRUPTIONS),
        fc.nat(),
        fc.double({ min: 0, max: 1, noNaN: true, maxExcluded: true }),
        fc.nat(),
        fc.boolean(),
        async (pairs, kind, fileChoice, at, pick, skip) => {
          const { files, entry } = write(pairs);
          const names = Object.keys(files).sort();
          const target = names[fileChoice % names.length]!;
          const bytes: Record<string, string | Buffer> = { ...files, [target]: corrupt(Buffer.from(files[target]!), kind, at, pick) };
          const dir = writeCase(bytes);
          let dataset: Dataset;
          try {
            dataset = await loadDataset(join(dir, entry), skip ? { format, onInvalid: 'skip', maxInvalid: 1 } : { format });
          } catch (error) {
            if (!(error instanceof InputError)) throw error;
            const named = names.some((name) => new RegExp(`^${escapeRegExp(join(dir, name))}:\\d+: `).test(error.message));
            if (!named) throw new Error(`InputError without file:line: ${error.message}`);
            if (kind === 'crlf' || kind === 'bom') throw new Error(`a ${kind} corruption was refused: ${error.message}`);
            return;
          }
          checkWellFormed(dataset, dir);
          for (const skipped of dataset.skipped ?? []) {
            if (!names.some((name) => skipped.startsWith(`${join(dir, name)}:`) && /^:\d+: /.test(skipped.slice(join(dir, name).length)))) {
              throw new Error(`a skipped line without file:line: ${skipped}`);
            }
          }
          if (!skip && (dataset.skipped ?? []).length > 0) throw new Error('lines skipped without --on-invalid skip');
          if (kind === 'crlf' || kind === 'bom') expect([...dataset.splits.values()].flat().map(project)).toEqual(expected(pairs));
        },
      ),
      { numRuns: CORRUPT_RUNS, seed: 12 },
    );
  });
});

describe('the corruption generator itself', () => {
  it('changes the bytes for every kind but crlf on a file without line ends', () => {
    const file = Buffer.from('a\t12\t"x"\n');
    for (const kind of CORRUPTIONS) {
      const out = corrupt(file, kind, 0.5, 3);
      if (kind === 'crlf') expect(out.toString()).toBe('a\t12\t"x"\r\n');
      else expect(out.equals(file)).toBe(false);
    }
  });
});
