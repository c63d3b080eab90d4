/**
 * The formats added for published dataset files (TempoWiC, CoSimLex, AM2iCo, DWUG, MCL-WiC
 * cross-lingual ranges, XL-WiC Farsi offsets and Chinese) on the fixtures that
 * make_format_fixtures.py writes, plus the shared naming helpers (split from file name, safe
 * dataset names) and the CoSimLex subtask scores against numpy/scipy values.
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { jsonSyntaxErrorOffset, parseJsonAt, splitFromFileName } from '../src/datasets/common.js';
import { cosimlexChange, cosimlexSimilarity, uncenteredPearson, type CosimlexItem } from '../src/metrics/cosimlex.js';
import { DATASET_FORMATS, SPLIT_NAMES } from '../src/datasets/formats.js';
import { BUILTIN_DATASETS, deriveDatasetNames, loadDataset, LOADERS, safeName } from '../src/datasets/index.js';
import { loadOptionsFromFlags, parseShare } from '../src/datasets/options.js';
import { InputError, type SentencePair } from '../src/types.js';
import { loadError, tempFiles } from './helpers/dataset-files.js';

const FIXTURES = join(import.meta.dirname, 'fixtures', 'datasets');
const { dir: tmp, fixture } = tempFiles('sensebench-formats-');

function texts(pair: SentencePair): [string[], string[]] {
  return [pair.spans1.map((s) => pair.sentence1.slice(s.start, s.end)), pair.spans2.map((s) => pair.sentence2.slice(s.start, s.end))];
}

describe('TempoWiC', () => {
  it('joins labels by id, reads Python code-point offsets after emoji, and leaves the test file unlabelled', async () => {
    const dataset = await loadDataset(join(FIXTURES, 'tempowic'));
    expect(dataset.format).toBe('tempowic');
    expect([...dataset.splits.keys()]).toEqual(['train', 'test']);
    const train = dataset.splits.get('train')!;
    expect(train.map((pair) => [pair.id, pair.word, pair.label])).toEqual([
      ['tw-1', 'virus', false],
      ['tw-2', 'zoom', false],
      ['tw-3', 'stream', true],
      ['tw-4', 'mask', false],
    ]);
    // tw-1's second tweet starts with an emoji: 1 code point, 2 UTF-16 units.
    expect(train.map((pair) => texts(pair))).toEqual([
      [['virus'], ['virus']],
      [['zoom'], ['zoom']],
      [['stream'], ['stream']],
      [['mask'], ['mask']],
    ]);
    expect(dataset.splits.get('test')!.map((pair) => pair.label)).toEqual([null]);
    expect(dataset.unmatchedSpans).toBe(0);
  });

  it('a file whose text_end is inclusive is read inclusive, and says so', async () => {
    const tweet = (text: string, word: string): object => {
      const start = text.indexOf(word);
      return { text, tokens: text.split(' '), token_idx: text.split(' ').indexOf(word), text_start: start, text_end: start + word.length - 1 };
    };
    const lines = [
      { id: 'a', word: 'cloud', tweet1: tweet('my cloud backup failed', 'cloud'), tweet2: tweet('a dark cloud over town', 'cloud') },
      { id: 'b', word: 'tweet', tweet1: tweet('one tweet per day', 'tweet'), tweet2: tweet('birds tweet at dawn', 'tweet') },
    ];
    const file = fixture('tempo3/test.data.jl', lines.map((line) => JSON.stringify(line)).join('\n'));
    const dataset = await loadDataset(file);
    expect(dataset.splits.get('test')!.map((pair) => texts(pair))).toEqual([
      [['cloud'], ['cloud']],
      [['tweet'], ['tweet']],
    ]);
    expect(dataset.notes).toEqual([`${file}: text_end read as inclusive (that reading spells the target more often)`]);
  });

  it('a data line without a label and a label without data name their line', async () => {
    const line = readFileSync(join(FIXTURES, 'tempowic', 'train.data.jl'), 'utf8').split('\n')[0]!;
    const data = fixture('tempo1/train.data.jl', `${line}\n`);
    const labels = fixture('tempo1/train.labels.tsv', 'tw-7\t1\n');
    expect(await loadError(data)).toBe(`${data}:1: id "tw-1" has no label in ${labels}`);
    const data2 = fixture('tempo2/train.data.jl', `${line}\n`);
    const labels2 = fixture('tempo2/train.gold.tsv', 'tw-1\t0\ntw-7\t1\n');
    expect(await loadError(data2)).toBe(`${labels2}:2: id "tw-7" is not in ${data2}`);
  });
});

describe('CoSimLex', () => {
  it('makes two graded items per row: one context, word1 and word2 spans, linked by contextPair', async () => {
    const dataset = await loadDataset(join(FIXTURES, 'cosimlex', 'cosimlex_en.csv'));
    expect(dataset.format).toBe('cosimlex');
    const pairs = dataset.splits.get('all')!;
    expect(pairs).toHaveLength(6);
    expect(pairs.map((pair) => [pair.word, pair.word2, pair.score, pair.contextPair])).toEqual([
      ['coach', 'bus', 7.1, { id: 'cosimlex_en-2', context: 1 }],
      ['coach', 'bus', 1.9, { id: 'cosimlex_en-2', context: 2 }],
      ['plant', 'factory', 8.3, { id: 'cosimlex_en-3', context: 1 }],
      ['plant', 'factory', 0.8, { id: 'cosimlex_en-3', context: 2 }],
      ['light', 'lamp', 7.6, { id: 'cosimlex_en-4', context: 1 }],
      ['light', 'lamp', 1.2, { id: 'cosimlex_en-4', context: 2 }],
    ]);
    for (const pair of pairs) {
      expect(pair.sentence1).toBe(pair.sentence2);
      expect(pair.sentence1).not.toContain('<strong>');
    }
    // word2 is marked first in the light/lamp row's first context: spans follow the words, not the order.
    expect(pairs.map((pair) => texts(pair))).toEqual([
      [['coach'], ['bus']],
      [['coach'], ['bus']],
      [['plants'], ['factory']],
      [['plant'], ['factory']],
      [['light'], ['lamp']],
      [['light'], ['lamp']],
    ]);
  });

  it('a static representation predicts exactly zero change: subtask 1 is undefined, not faked', async () => {
    const pairs = (await loadDataset(join(FIXTURES, 'cosimlex', 'cosimlex_en.csv'))).splits.get('all')!;
    const staticCosine: Record<string, number> = { coach: 0.31, plant: 0.47, light: 0.52 };
    const change = cosimlexChange(pairs.map((pair) => ({ pair, cosine: staticCosine[pair.word]! })));
    expect(change.predictedChange).toEqual([0, 0, 0]);
    expect(change.maxAbsPredictedChange).toBe(0);
    expect(change.correlation).toBeNull();
    expect(change.goldChange.map((value) => Number(value.toFixed(6)))).toEqual([-5.2, -7.5, -6.4]);
  });

  it.each(
    (JSON.parse(readFileSync(join(FIXTURES, 'cosimlex_reference.json'), 'utf8')) as ReferenceFile).cases.map((c) => [c.name, c] as const),
  )('subtask scores match numpy/scipy (%s)', (_name, reference) => {
    const items: CosimlexItem[] = reference.rows.flatMap((row, index) =>
      ([1, 2] as const).map((k) => ({
        pair: cosimlexPair(`r${index}`, k, k === 1 ? row.sim1 : row.sim2),
        cosine: k === 1 ? row.cos1 : row.cos2,
      })),
    );
    const change = cosimlexChange(items);
    const expected = reference.expected;
    expect(change.predictedChange).toEqual(expected.predictedChange);
    expect(change.goldChange.length).toBe(expected.goldChange.length);
    change.goldChange.forEach((value, i) => {
      expect(value).toBeCloseTo(expected.goldChange[i]!, 12);
    });
    if (expected.correlation === null) expect(change.correlation).toBeNull();
    else expect(change.correlation).toBeCloseTo(expected.correlation, 12);
    expect(change.maxAbsPredictedChange).toBe(expected.maxAbsPredictedChange);
    const similarity = cosimlexSimilarity(items);
    expect(similarity.n).toBe(expected.n);
    expect(similarity.spearman).toBeCloseTo(expected.spearman, 12);
    expect(similarity.pearson).toBeCloseTo(expected.pearson, 12);
  });

  it('uncentered Pearson does not subtract means', () => {
    expect(uncenteredPearson([1, 2], [2, 4])).toBeCloseTo(1, 15);
    expect(uncenteredPearson([1, 1], [1, 2])).toBeCloseTo(3 / Math.sqrt(10), 15);
    expect(uncenteredPearson([0, 0], [1, 2])).toBeNull();
  });

  it('a context without both marks names its line', async () => {
    const header = 'word1\tword2\tcontext1\tcontext2\tsim1\tsim2\n';
    const file = fixture('cosim/bad.csv', `${header}cat\tdog\tThe <strong>cat</strong> and the dog.\tA <strong>cat</strong> met a <strong>dog</strong>.\t5\t6\n`);
    expect(await loadError(file)).toBe(`${file}:2: context1 must mark both words as <strong>…</strong>, found 1 marks`);
  });
});

interface ReferenceRow {
  readonly sim1: number;
  readonly sim2: number;
  readonly cos1: number | null;
  readonly cos2: number | null;
}
interface ReferenceFile {
  readonly cases: {
    readonly name: string;
    readonly rows: readonly ReferenceRow[];
    readonly expected: {
      readonly predictedChange: number[];
      readonly goldChange: number[];
      readonly correlation: number | null;
      readonly maxAbsPredictedChange: number;
      readonly n: number;
      readonly spearman: number;
      readonly pearson: number;
    };
  }[];
}

function cosimlexPair(row: string, context: 1 | 2, score: number): SentencePair {
  return {
    id: `${row}-${context}`,
    word: 'a',
    word2: 'b',
    sentence1: 'a b',
    sentence2: 'a b',
    spans1: [{ start: 0, end: 1 }],
    spans2: [{ start: 2, end: 3 }],
    label: null,
    score,
    split: 'all',
    source: { file: 'x', line: 1 },
    contextPair: { id: row, context },
  };
}

describe('AM2iCo', () => {
  it('reads language folders, the <word> marks as targets and T/F labels; split from file names', async () => {
    const dataset = await loadDataset(join(FIXTURES, 'am2ico'));
    expect(dataset.format).toBe('am2ico');
    expect([...dataset.splits.keys()]).toEqual(['train', 'dev']);
    const train = dataset.splits.get('train')!;
    expect(train.map((pair) => [pair.id, pair.word, pair.word2, pair.label])).toEqual([
      ['de-train-2', 'Bank', 'bench', true],
      ['de-train-3', 'Bank', 'bench', false],
      ['de-train-4', 'Schloss', 'lock', true],
    ]);
    expect(train[0]!.sentence1).toBe('Am Ufer stand eine alte  Bank aus Holz.');
    expect(texts(train[0]!)).toEqual([['Bank'], ['bench']]);
  });

  it('a context without a mark names its line', async () => {
    const file = fixture('am2ico-bad/train.tsv', 'context1\tcontext2\tlabel\nDie <word>Bank</word>.\tThe bench.\tT\n');
    expect(await loadError(file)).toBe(`${file}:2: context2 must mark its target once as <word>…</word>, found 0 marks`);
  });
});

describe('DWUG', () => {
  it('pairs of judged uses, scored by the median of non-zero judgments, with the annotator count', async () => {
    const dataset = await loadDataset(join(FIXTURES, 'dwug'));
    expect(dataset.format).toBe('dwug');
    const pairs = dataset.splits.get('all')!;
    expect(pairs.map((pair) => [pair.id, pair.word, pair.score, pair.annotators, pair.label])).toEqual([
      ['arm:arm-1|arm-2', 'arm', 4, 3, null],
      ['arm:arm-1|arm-3', 'arm', 1.5, 2, null],
      ['arm:arm-2|arm-4', 'arm', 1, 1, null],
      ['tip:tip-1|tip-2', 'tip', 1.5, 2, null],
      ['tip:tip-1|tip-3', 'tip', 3, 1, null],
    ]);
    expect(texts(pairs[2]!)).toEqual([['arm'], ['arms']]);
    expect(dataset.unmatchedSpans).toBe(0);
    expect(dataset.notes).toEqual([`${join(FIXTURES, 'dwug', 'data', 'arm', 'judgments.csv')}: 1 use pairs judged only 0 ("cannot decide") have no score and are left out`]);
  });

  it('--dwug-binarize T labels a pair same when its median >= T', async () => {
    const dataset = await loadDataset(join(FIXTURES, 'dwug'), { dwugBinarize: 3 });
    expect(dataset.splits.get('all')!.map((pair) => pair.label)).toEqual([true, false, false, false, true]);
  });

  it('a judgment of an unknown use or outside 0-4 names its line', async () => {
    const uses = 'lemma\tidentifier\tcontext\tindexes_target_token\ncat\tc1\tA cat sat.\t2:5\ncat\tc2\tThe cat ran.\t4:7\n';
    fixture('dwug-bad/cat/uses.csv', uses);
    const judgments = fixture('dwug-bad/cat/judgments.csv', 'identifier1\tidentifier2\tannotator\tjudgment\nc1\tc2\ta\t5\n');
    expect(await loadError(join(tmp, 'dwug-bad'), { format: 'dwug' })).toBe(`${judgments}:2: judgment must be 0-4 (0 = cannot decide), got "5"`);
    fixture('dwug-bad2/cat/uses.csv', uses);
    const judgments2 = fixture('dwug-bad2/cat/judgments.csv', 'identifier1\tidentifier2\tannotator\tjudgment\nc1\tc9\ta\t2\n');
    expect(await loadError(join(tmp, 'dwug-bad2'), { format: 'dwug' })).toContain(`${judgments2}:2: use "c9" is not in`);
  });
});

describe('MCL-WiC cross-lingual ranges', () => {
  it('several comma-separated ranges are one target with several spans; start/end as strings or numbers', async () => {
    const dataset = await loadDataset(join(FIXTURES, 'mclwic-crosslingual'));
    const [call, turn] = dataset.splits.get('test')!;
    expect(texts(call!)).toEqual([['called', 'off'], ['annulée']]);
    expect(texts(turn!)).toEqual([['turn'], ['baissé']]);
    // The French targets are translations, not forms of the English lemma: counted, not refused.
    expect(dataset.unmatchedSpans).toBe(2);
  });

  it('overlapping or malformed ranges name their record', async () => {
    const record = (ranges: string): string =>
      JSON.stringify([{ id: 'x', lemma: 'call', sentence1: 'They called it off.', sentence2: 'call', ranges1: ranges, ranges2: '0-4' }]);
    const overlap = fixture('mcl1/test.en-fr.data', record('5-11,8-14'));
    expect(await loadError(overlap, { format: 'mclwic' })).toBe(`${overlap}:1: target spans overlap or are not in order at 8-14`);
    const malformed = fixture('mcl2/test.en-fr.data', record('5-11;15-18'));
    expect(await loadError(malformed, { format: 'mclwic' })).toBe(`${malformed}:1: ranges1 must be one or more comma-separated "start-end" ranges, got "5-11;15-18"`);
  });
});

describe('XL-WiC quirks', () => {
  it('a file whose offsets miss the target (Farsi) is repaired where the word occurs once, and says so', async () => {
    const dataset = await loadDataset(join(FIXTURES, 'xlwic-fa', 'fa_valid.txt'));
    expect(dataset.format).toBe('tsv');
    const pairs = dataset.splits.get('dev')!;
    expect(pairs.map((pair) => texts(pair))).toEqual([
      [['شیر'], ['شیر']],
      [['دست'], ['دست']],
      [['کار'], ['کار']],
    ]);
    expect(dataset.repairedSpans).toBe(6);
    expect(dataset.notes).toHaveLength(1);
    expect(dataset.notes![0]).toContain('the offsets of 6 target spans did not point at the target word');
  });

  it('refuses a misaligned file at the first span that cannot be placed', async () => {
    const file = join(FIXTURES, 'xlwic-fa-bad', 'fa_valid.txt');
    expect(await loadError(file)).toBe(
      `${file}:4: offsets 2-5 do not point at "شیر" in sentence1, as in most of this file, and "شیر" occurs 2 times there, so the target cannot be placed`,
    );
  });

  it('a file that misses its lemmas because the forms are irregular is not "repaired": its offsets win', async () => {
    const file = fixture('xlirr/en_train.txt', 'go\tV\t5\t9\t4\t8\tThey went home.\tShe went out.\t1\nbe\tV\t3\t6\t3\t7\tIt was late.\tWe were there.\t0\n');
    const dataset = await loadDataset(file);
    expect(dataset.splits.get('train')!.map((pair) => texts(pair))).toEqual([
      [['went'], ['went']],
      [['was'], ['were']],
    ]);
    expect(dataset.repairedSpans).toBe(0);
    expect(dataset.unmatchedSpans).toBe(4);
  });

  it('Chinese targets need no word boundaries', async () => {
    const dataset = await loadDataset(join(FIXTURES, 'xlwic-zh', 'zh_train.txt'));
    expect(dataset.splits.get('train')!.map((pair) => texts(pair))).toEqual([
      [['银行'], ['银行']],
      [['打'], ['打']],
    ]);
    const located = fixture('zh.jsonl', '{"word":"银行","sentence1":"我去银行存钱。","sentence2":"河的银行长满了草。","label":"F"}\n');
    expect(texts((await loadDataset(located)).splits.get('all')![0]!)).toEqual([['银行'], ['银行']]);
  });

  it('a test file of 8 columns has no label column', async () => {
    const file = fixture('xl8/en_test.txt', 'bank\tN\t4\t8\t4\t8\tThe bank is shut.\tThe bank is open.\n');
    const dataset = await loadDataset(file);
    expect(dataset.splits.get('test')!.map((pair) => pair.label)).toEqual([null]);
  });

  it('a gold file shorter than its data names the first line without a label', async () => {
    const data = fixture('xlgold/de_test_data.txt', 'Bank\tN\t4\t8\t4\t8\tDie Bank ist zu.\tDie Bank ist auf.\nBank\tN\t4\t8\t4\t8\tDie Bank ist alt.\tDie Bank ist neu.\n');
    const gold = fixture('xlgold/de_test_gold.txt', '1\n');
    expect(await loadError(data)).toBe(`${data}:2: no label in ${gold}, which has 1 line`);
  });
});

describe('--on-invalid skip for a CSV record csv-parse cannot read', () => {
  it('lists the record and keeps the rest', async () => {
    const rows = Array.from({ length: 20 }, (_, i) => `bank,a bank ${i},the bank,T`);
    rows[4] = 'bank,"a bank,the bank,T';
    rows[9] = 'bank,a bank,the bank';
    const file = fixture('skip.csv', `word,sentence1,sentence2,label\n${rows.slice(0, 4).join('\n')}\n${rows.slice(9).join('\n')}\n`);
    const dataset = await loadDataset(file, { onInvalid: 'skip', maxInvalid: 0.1 });
    expect(dataset.splits.get('all')).toHaveLength(14);
    expect(dataset.skipped).toEqual([`${file}:6: expected 4 fields (as in the header), found 3`]);
  });
});

describe('names', () => {
  it('format and split names are declared once and drive the registry and zod', () => {
    expect(LOADERS.map((loader) => loader.format)).toEqual([...DATASET_FORMATS]);
    expect(SPLIT_NAMES).toEqual(['train', 'dev', 'test', 'all']);
  });

  it('the built-in registry carries license, description and the lesson\'s highlighted pairs', () => {
    expect(BUILTIN_DATASETS.lesson!.highlightPairs).toEqual(['lesson-bank', 'lesson-apple']);
    expect(BUILTIN_DATASETS['wordnet-wic']!.format).toBe('wic');
    for (const dataset of Object.values(BUILTIN_DATASETS)) expect(dataset.license).not.toBe('');
  });

  it.each([
    ['train.jsonl', 'train'],
    ['val.jsonl', 'dev'],
    ['de_valid.txt', 'dev'],
    ['dutch_nl-valid.txt', 'dev'],
    ['training.en-en.data', 'train'],
    ['trial.en-en.data', 'all'],
    ['x.test.data.txt', 'test'],
    ['de_test_data.txt', 'test'],
    ['validation.data.jl', 'dev'],
    ['ratings.txt', 'all'],
    ['contest.txt', 'all'],
    ['dir/train/x.txt', 'all'],
  ])('splitFromFileName(%s) = %s', (path, split) => {
    expect(splitFromFileName(path)).toBe(split);
  });

  it('parseJsonAt names the line where the parser stopped', () => {
    expect(parseJsonAt('{"a": 1}', { file: 'f.json', line: 1 })).toEqual({ a: 1 });
    expect(() => parseJsonAt('{\n"a": 1\n"b": 2}', { file: 'f.json', line: 1 })).toThrow(/^f\.json:3: invalid JSON/);
    expect(() => parseJsonAt('{oops', { file: 'g.jsonl', line: 7 })).toThrow(/^g\.jsonl:7: invalid JSON/);
    // Node 20 gives no position for "Unexpected token": the scanner places it (line 4 of the list).
    expect(() => parseJsonAt('[\n1,\n2,\n}', { file: 'f.json', line: 1 })).toThrow(/^f\.json:4: invalid JSON/);
    expect(() => parseJsonAt('[\n{"a": "x"},\n{"b": tru}\n]', { file: 'h.json', line: 1 })).toThrow(/^h\.json:3: invalid JSON/);
  });

  it('safeName keeps letters, digits, dot, underscore and hyphen; never empty, "." or ".."', () => {
    expect(safeName('danish_da-valid.v2')).toBe('danish_da-valid.v2');
    expect(safeName('../../x')).toBe('..-..-x');
    expect(safeName('a b/c\\d:e')).toBe('a-b-c-d-e');
    expect(safeName('..')).toBe('--');
    expect(safeName('.')).toBe('-');
    expect(safeName('')).toBe('dataset');
    expect(safeName('dänisch')).toBe('dänisch');
  });

  it('deriveDatasetNames prefixes the parent folder when base names collide, and refuses what still collides', () => {
    expect(deriveDatasetNames(['data/lesson.csv', 'x/wic.data.txt'])).toEqual({ names: ['lesson', 'wic'], notes: [] });
    const derived = deriveDatasetNames(['xlwic/danish_da/valid.txt', 'xlwic/dutch_nl/valid.txt', 'other.csv']);
    expect(derived.names).toEqual(['danish_da-valid', 'dutch_nl-valid', 'other']);
    expect(derived.notes).toEqual([
      'dataset xlwic/danish_da/valid.txt is named "danish_da-valid" (another dataset is also called "valid")',
      'dataset xlwic/dutch_nl/valid.txt is named "dutch_nl-valid" (another dataset is also called "valid")',
    ]);
    expect(() => deriveDatasetNames(['a/x/valid.txt', 'b/x/valid.txt'])).toThrow(
      'datasets a/x/valid.txt and b/x/valid.txt would both be named "x-valid"; name one with --dataset NAME=PATH',
    );
  });
});

describe('auto-detection of the new formats', () => {
  it.each([
    ['tempowic', 'tempowic'],
    ['tempowic/train.data.jl', 'tempowic'],
    ['cosimlex/cosimlex_en.csv', 'cosimlex'],
    ['cosimlex', 'cosimlex'],
    ['am2ico', 'am2ico'],
    ['am2ico/de/train.tsv', 'am2ico'],
    ['dwug', 'dwug'],
    ['dwug/data/arm', 'dwug'],
    ['mclwic-crosslingual', 'mclwic'],
    ['xlwic-zh/zh_train.txt', 'tsv'],
  ])('%s is read as %s', async (path, format) => {
    expect((await loadDataset(join(FIXTURES, path))).format).toBe(format);
  });
});

describe('fixture checksums in datasets/README.md', () => {
  it('lists every fixture file of test/fixtures/datasets with its current sha256', () => {
    const readme = readFileSync(join(import.meta.dirname, '..', 'datasets', 'README.md'), 'utf8');
    const section = readme.slice(readme.indexOf('## Test fixtures'));
    const listed = new Map([...section.matchAll(/^([0-9a-f]{64}) {2}(\S+)$/gm)].map((match) => [match[2]!, match[1]!]));
    const fixtures = join(import.meta.dirname, 'fixtures');
    const onDisk = readdirSync(join(fixtures, 'datasets'), { recursive: true, withFileTypes: true })
      .filter((entry) => entry.isFile() && !entry.name.endsWith('.py'))
      .map((entry) => relative(fixtures, join(entry.parentPath, entry.name)).split(sep).join('/'))
      .sort();
    expect(onDisk.filter((file) => !listed.has(file))).toEqual([]);
    for (const [file, sha256] of listed) {
      expect(createHash('sha256').update(readFileSync(join(fixtures, file))).digest('hex'), file).toBe(sha256);
    }
  });
});

describe('jsonSyntaxErrorOffset (places JSON errors Node 20 reports without a position)', () => {
  it('finds an error exactly when JSON.parse does, on the line V8 names when it names one', () => {
    const alphabet = fc.constantFrom(...Array.from('{}[]":,0123456789-+.eEtrufalsn \\\n\tabc'));
    const damaged = fc
      .oneof(fc.json(), fc.string({ unit: alphabet }))
      .chain((text) => fc.tuple(fc.constant(text), fc.nat(text.length), fc.constantFrom('', '"', ',', '}', ']', 'x', '\u0001', ':', '-', '0', '\n')));
    fc.assert(
      fc.property(damaged, ([text, at, insert]) => {
        const json = text.slice(0, at) + insert + text.slice(at);
        let message: string | null = null;
        try {
          JSON.parse(json);
        } catch (error) {
          message = (error as Error).message;
        }
        const offset = jsonSyntaxErrorOffset(json);
        expect(offset === null).toBe(message === null);
        const position = message === null ? null : /at position (\d+)/.exec(message);
        if (position && offset !== null) {
          const lineOf = (index: number): number => json.slice(0, index).split('\n').length;
          expect(lineOf(offset)).toBe(lineOf(Number(position[1])));
        }
      }),
      { numRuns: 3000, seed: 7 },
    );
  });
});

describe('dataset flags', () => {
  it('parse --on-invalid, --max-invalid and --dwug-binarize into LoadOptions', () => {
    expect(loadOptionsFromFlags({})).toEqual({});
    expect(loadOptionsFromFlags({ onInvalid: 'skip', maxInvalid: '2.5%', dwugBinarize: '3' })).toEqual({ onInvalid: 'skip', maxInvalid: 0.025, dwugBinarize: 3 });
    expect(parseShare('0.01', '--max-invalid')).toBe(0.01);
    expect(parseShare('100%', '--max-invalid')).toBe(1);
    expect(() => loadOptionsFromFlags({ onInvalid: 'ignore' })).toThrow('--on-invalid must be one of fail, skip, got "ignore"');
    expect(() => loadOptionsFromFlags({ maxInvalid: '120%' })).toThrow('--max-invalid must be a share such as 1% or 0.01 (0-100%), got "120%"');
    expect(() => loadOptionsFromFlags({ maxInvalid: 'lots' })).toThrow(InputError);
    expect(() => loadOptionsFromFlags({ dwugBinarize: '5' })).toThrow('--dwug-binarize must be a judgment threshold in 1-4, got "5"');
  });
});
