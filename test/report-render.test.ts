import { mkdir, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

import { beforeAll, describe, expect, it } from 'vitest';

import { writeReports } from '../src/reports/index.js';
import { fixtureRun, fixtureThroughput } from './report-fixture.js';

const root = join(import.meta.dirname, '.tmp', 'report-render');

async function read(dir: string, name: string): Promise<string> {
  return readFile(join(dir, name), 'utf8');
}

/** The rendered-report part of what writeReports wrote (the CSVs and run.json are tested elsewhere). */
function reportFiles(written: readonly string[], dir: string): string[] {
  return written.map((path) => path.slice(dir.length + 1)).filter((name) => name.startsWith('plots/') || name === 'summary.md' || name === 'index.html');
}

describe('writeReports', () => {
  const first = join(root, 'first');
  const second = join(root, 'second');
  let written: string[];

  beforeAll(async () => {
    await rm(root, { recursive: true, force: true });
    written = await writeReports(fixtureRun(fixtureThroughput()), first);
    await writeReports(fixtureRun(fixtureThroughput()), second);
  });

  it('writes plots, summary.md and index.html, byte-identical for identical inputs', async () => {
    expect(reportFiles(written, first)).toEqual([
      'plots/lesson-examples.svg',
      'plots/distribution-lesson-all.svg',
      'plots/roc-lesson-all.svg',
      'plots/auc-lesson-all.svg',
      'plots/distribution-wic-like-dev.svg',
      'plots/roc-wic-like-dev.svg',
      'plots/auc-wic-like-dev.svg',
      'plots/throughput.svg',
      'summary.md',
      'index.html',
    ]);
    for (const path of written) {
      const name = path.slice(first.length + 1);
      expect(await read(second, name), name).toBe(await read(first, name));
    }
  });

  it('summary.md has the lesson pairs, the summary table with n and CI, links to existing plots and the commands', async () => {
    const markdown = await read(first, 'summary.md');
    expect(markdown).toContain('> 1. The **bank** near the river is very calm.');
    expect(markdown).toContain('> 2. The **apple** I received was bruised and rotten.');
    expect(markdown).toContain('| model | kind | representation | n pairs | AUC [95% CI] | AP | accuracy | mean cos same | mean cos different | Cohen’s d | OOV |');
    // The static row: every cosine is 1.0, AUC exactly chance (fixture scores come from brute-force Mann-Whitney).
    expect(markdown).toMatch(/\| glove-100d \| static \| target \| 240 \| 0\.500 \[0\.380, 0\.620\] \|/);
    expect(markdown).toContain('glove-100d · target gives every one of the 240 same-word pairs the cosine 1.000');
    expect(markdown).toContain('npm run bench');
    expect(markdown).toContain('npx sensebench run --model onnx:PATH');
    expect(markdown).toContain('npx sensebench run --model hf:ORG/NAME --allow-download');
    const links = [...markdown.matchAll(/\]\((plots\/[^)]+\.svg)\)/g)].map((match) => match[1]!);
    expect(links).toHaveLength(8);
    for (const link of links) await expect(readFile(join(first, link))).resolves.toBeInstanceOf(Buffer);
    // Per-word table: bank and apple first, marked.
    expect(markdown).toMatch(/\| ▶ \*\*bank\*\* \| 2 \(1 \/ 1\) \|/);
  });

  it('index.html is self-contained: inline styles and SVGs, no scripts, no external resources', async () => {
    const html = await read(first, 'index.html');
    expect(html).not.toMatch(/<script|<link|<img|<iframe|@import|@font-face/i);
    expect(html).not.toMatch(/\bsrc=/);
    // The only absolute URLs are XML namespace names, which browsers never fetch.
    const urls = [...html.matchAll(/https?:\/\/[^\s"')<]+/g)].map((match) => match[0]);
    expect(new Set(urls)).toEqual(new Set(['http://www.w3.org/2000/svg', 'http://www.w3.org/1999/xlink']));
    expect(html.match(/<figure class="chart"/g)).toHaveLength(8);
    expect(html).toContain('<section class="example" id="example-lesson-bank">');
    expect(html).toContain('<tr class="highlight"><td><strong>bank</strong></td>');
  });

  it('leaves out the throughput section without rows, and removes plots a run no longer draws', async () => {
    const dir = join(root, 'no-throughput');
    await mkdir(join(dir, 'plots'), { recursive: true });
    await writeFile(join(dir, 'plots', 'stale.svg'), '<svg/>');
    await writeFile(join(dir, 'plots', 'notes.txt'), 'not ours to delete');
    await writeReports(fixtureRun(), dir);
    const html = await read(dir, 'index.html');
    expect(html).not.toContain('id="throughput"');
    const plots = await readdir(join(dir, 'plots'));
    expect(plots).not.toContain('stale.svg');
    expect(plots).not.toContain('throughput.svg');
    expect(plots).toContain('notes.txt');
  });
});

describe('writeReports on graded and unlabelled data', () => {
  it('draws Spearman intervals and unlabelled distributions, and no ROC or AUC chart without labels', async () => {
    const run = fixtureRun();
    const [, wic] = run.splits;
    const graded = {
      ...wic!,
      dataset: 'graded-like',
      split: 'test' as const,
      unlabelled: true,
      graded: true,
      pairs: wic!.pairs.map((item, index) => ({ ...item, pair: { ...item.pair, label: null, score: index % 10, word2: `${item.pair.word}s` } })),
      scores: wic!.scores.map((score) => ({ ...score, dataset: 'graded-like', split: 'test' as const, auc: null, averagePrecision: null, accuracy: null, spearman: { value: 0.4, low: 0.3, high: 0.5 }, pearson: { value: 0.41, low: 0.32, high: 0.52 } })),
      words: [],
    };
    const dir = join(root, 'graded');
    const written = await writeReports({ ...run, splits: [graded], throughput: [] }, dir);
    const names = reportFiles(written, dir);
    expect(names).toEqual(['plots/distribution-graded-like-test.svg', 'plots/spearman-graded-like-test.svg', 'summary.md', 'index.html']);
    const markdown = await read(dir, 'summary.md');
    expect(markdown).toContain('| Spearman [95% CI] | Pearson [95% CI] |');
    expect(markdown).toContain('| 0.400 [0.300, 0.500] | 0.410 [0.320, 0.520] |');
    expect(markdown).toContain('240 pairs, 240 unlabelled, graded similarity ratings');
    expect(await read(dir, 'plots/distribution-graded-like-test.svg')).toContain('static · unlabelled');
  });
});
