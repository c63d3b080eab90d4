import { cp, mkdir, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

import { beforeAll, describe, expect, it } from 'vitest';

import { loadDataset } from '../src/datasets/index.js';
import { writeReports } from '../src/reports/index.js';
import { loadResults } from '../src/results/read.js';
import { InputError, type RepresentationKey } from '../src/types.js';
import { fixtureLessonRows, fixtureThroughput, runFromPairs } from './report-fixture.js';

import type { RunResult } from '../src/results/run-result.js';
const root = join(import.meta.dirname, '.tmp', 'report-load');

/** A small dataset in sensebench's generic CSV format, so that run.json can name a real file. */
function datasetCsv(): string {
  const lines = ['id,word,sentence1,sentence2,start1,end1,start2,end2,label,split'];
  for (const [id, word, s1, s2, label] of fixtureLessonRows) {
    const start1 = s1.toLowerCase().indexOf(word);
    const start2 = s2.toLowerCase().indexOf(word);
    lines.push([id, word, s1, s2, start1, start1 + word.length, start2, start2 + word.length, label ? 'T' : 'F', 'test'].join(','));
  }
  return `${lines.join('\n')}\n`;
}

async function filesUnder(dir: string): Promise<Map<string, Buffer>> {
  const out = new Map<string, Buffer>();
  for (const entry of await readdir(dir, { recursive: true, withFileTypes: true })) {
    if (entry.isFile()) {
      const path = join(entry.parentPath, entry.name);
      out.set(path.slice(dir.length + 1), await readFile(path));
    }
  }
  return out;
}

describe('loadResults', () => {
  let datasetPath: string;
  let result: RunResult;

  beforeAll(async () => {
    await rm(root, { recursive: true, force: true });
    await mkdir(root, { recursive: true });
    datasetPath = join(root, 'mini.csv');
    await writeFile(datasetPath, datasetCsv());
    const dataset = await loadDataset(datasetPath, { format: 'csv', name: 'mini' });
    const pairs = dataset.splits.get('test')!;
    result = runFromPairs(
      [{ dataset: 'mini', split: 'test', pairs }],
      [{ name: 'mini', format: 'csv', sha256: dataset.sha256, files: dataset.files, pairs: { test: pairs.length }, highlightPairs: ['lesson-bank'], normalizationFit: 'transductive', license: '', description: '', records: 0, skipped: [], unmatchedSpans: 0, repairedSpans: 0, notes: [] }],
      7,
      fixtureThroughput(),
    );
  });

  it('rebuilds what the renderers wrote, with the sentences restored, and re-renders every file byte-identically', async () => {
    const dir = join(root, 'roundtrip');
    await writeReports(result, dir);
    const loaded = await loadResults(dir);
    expect(loaded.notes).toEqual([]);
    expect(loaded.result.context).toEqual(result.context);
    const [original] = result.splits;
    const [split] = loaded.result.splits;
    expect(split!.dataset).toBe('mini');
    expect(split!.pairs.map((pair) => pair.pair)).toEqual(original!.pairs.map((pair) => pair.pair));
    split!.pairs.forEach((pair, index) => {
      // The fixture's rows are Maps (any CosineLookup will do for the renderers).
      for (const [key, cosine] of original!.pairs[index]!.cosines as ReadonlyMap<RepresentationKey, number | null>) expect(pair.cosines.get(key)).toBeCloseTo(cosine!, 6);
      expect(pair.truncated).toBe(original!.pairs[index]!.truncated);
    });
    expect(split!.scores).toHaveLength(original!.scores.length);
    split!.scores.forEach((score, index) => {
      const expected = original!.scores[index]!;
      expect(score.model).toBe(expected.model);
      expect(score.nPairs).toBe(expected.nPairs);
      expect(score.auc!.value).toBeCloseTo(expected.auc!.value, 6);
      expect(score.auc!.low).toBeCloseTo(expected.auc!.low!, 6);
      expect(score.meanCosSame).toBeCloseTo(expected.meanCosSame!, 6);
      expect(score.spearman).toBeNull();
      expect(score.thresholdSource).toBe(expected.thresholdSource);
    });
    expect(split!.words.map((word) => [word.word, word.model, word.representation, word.nSame, word.nDifferent])).toEqual(
      original!.words.map((word) => [word.word, word.model, word.representation, word.nSame, word.nDifferent]),
    );
    expect(loaded.result.throughput.map((row) => [row.subject, row.ratio, row.goal, row.baseline])).toEqual(
      result.throughput.map((row) => [row.subject, row.ratio, row.goal, row.baseline]),
    );

    // Writing the loaded result again gives the same bytes for every file: nothing lost or reordered.
    const direct = await filesUnder(dir);
    await writeReports(loaded.result, dir);
    const rerendered = await filesUnder(dir);
    expect([...rerendered.keys()].sort()).toEqual([...direct.keys()].sort());
    for (const [name, bytes] of direct) expect(rerendered.get(name)!.equals(bytes), name).toBe(true);
    expect(direct.get('index.html')!.toString()).toContain('The <mark>bank</mark> near the river is very calm.');
  });

  it('keeps going with empty sentences when the dataset changed since the run, and says so', async () => {
    const dir = join(root, 'changed');
    await writeReports(result, dir);
    const moved = join(root, 'mini-moved.csv');
    await cp(datasetPath, moved);
    await writeFile(datasetPath, datasetCsv().replace('very calm', 'very quiet'));
    try {
      const loaded = await loadResults(dir);
      expect(loaded.notes).toHaveLength(1);
      expect(loaded.notes[0]).toMatch(/^mini: sentences not restored \(.*sha256 differs\)$/);
      expect(loaded.result.splits[0]!.pairs[0]!.pair.sentence1).toBe('');
      expect(loaded.result.splits[0]!.pairs[0]!.pair.id).toBe('lesson-bank');
    } finally {
      await cp(moved, datasetPath);
    }
  });

  it('names file:line for a malformed number and for a missing run.json', async () => {
    const dir = join(root, 'bad');
    await writeReports(result, dir);
    const summaryPath = join(dir, 'summary.csv');
    const lines = (await readFile(summaryPath, 'utf8')).split('\n');
    const aucColumn = lines[0]!.split(',').indexOf('auc');
    lines[2] = lines[2]!.replace(new RegExp(`^((?:[^,]*,){${aucColumn}})[^,]*`), '$1zero');
    await writeFile(summaryPath, lines.join('\n'));
    const error = await loadResults(dir).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(InputError);
    expect((error as InputError).message).toBe(`${summaryPath}:3: column \`auc\`: not a number: "zero"`);

    const empty = join(root, 'empty');
    await mkdir(empty, { recursive: true });
    await expect(loadResults(empty)).rejects.toThrow(/run\.json: missing/);
  });
});
