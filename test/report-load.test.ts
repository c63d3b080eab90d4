import { cp, mkdir, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

import { beforeAll, describe, expect, it } from 'vitest';

import { loadDataset } from '../src/datasets/index.js';
import { csvReportWriter, throughputCsv } from '../src/reports/csv.js';
import { reportFromDirectory, writeReport } from '../src/reports/html.js';
import { loadResults } from '../src/reports/load.js';
import { runJsonWriter } from '../src/reports/run-json.js';
import { InputError, type RunResult, type ThroughputRow } from '../src/types.js';
import { fixtureLessonRows, fixtureThroughput, runFromPairs } from './report-fixture.js';

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

async function writeRun(dir: string, result: RunResult, throughput: readonly ThroughputRow[]): Promise<void> {
  await csvReportWriter.write(result, dir);
  await runJsonWriter.write(result, dir);
  await writeFile(join(dir, 'throughput.csv'), throughputCsv(throughput));
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
  const throughput = fixtureThroughput();

  beforeAll(async () => {
    await rm(root, { recursive: true, force: true });
    await mkdir(root, { recursive: true });
    datasetPath = join(root, 'mini.csv');
    await writeFile(datasetPath, datasetCsv());
    const dataset = await loadDataset(datasetPath, { format: 'csv', name: 'mini' });
    const pairs = dataset.splits.get('test')!;
    result = runFromPairs([{ dataset: 'mini', split: 'test', pairs }], [
      { name: 'mini', format: 'csv', sha256: dataset.sha256, files: dataset.files, pairs: { test: pairs.length } },
    ]);
  });

  it('rebuilds what the CSV and run.json writers wrote, to their 6 decimals, with the sentences restored', async () => {
    const dir = join(root, 'roundtrip');
    await writeRun(dir, result, throughput);
    const loaded = await loadResults(dir);
    expect(loaded.notes).toEqual([]);
    expect(loaded.result.context).toEqual(result.context);
    expect(loaded.result.models).toEqual(result.models);
    const [original] = result.splits;
    const [split] = loaded.result.splits;
    expect(split!.dataset).toBe('mini');
    expect(split!.pairs.map((pair) => pair.pair)).toEqual(original!.pairs.map((pair) => pair.pair));
    split!.pairs.forEach((pair, index) => {
      for (const [key, cosine] of original!.pairs[index]!.cosines) expect(pair.cosines.get(key)).toBeCloseTo(cosine!, 6);
      expect(pair.truncated).toBe(original!.pairs[index]!.truncated);
    });
    expect(split!.scores).toHaveLength(original!.scores.length);
    split!.scores.forEach((score, index) => {
      const expected = original!.scores[index]!;
      expect(score.model).toBe(expected.model);
      expect(score.nPairs).toBe(expected.nPairs);
      expect(score.auc).toBeCloseTo(expected.auc!, 6);
      expect(score.aucCiLow).toBeCloseTo(expected.aucCiLow!, 6);
      expect(score.meanCosSame).toBeCloseTo(expected.meanCosSame!, 6);
      expect(score.spearman).toBeNull();
      expect(score.thresholdSource).toBe(expected.thresholdSource);
    });
    expect(split!.words.map((word) => [word.word, word.model, word.representation, word.nSame, word.nDifferent])).toEqual(
      original!.words.map((word) => [word.word, word.model, word.representation, word.nSame, word.nDifferent]),
    );
    expect(loaded.throughput.map((row) => [row.subject, row.ratio, row.goal, row.baseline])).toEqual(throughput.map((row) => [row.subject, row.ratio, row.goal, row.baseline]));

    // Writing the loaded result again gives the same CSV bytes: nothing was lost or reordered.
    const again = join(root, 'rewritten');
    await writeRun(again, loaded.result, loaded.throughput);
    const first = await filesUnder(dir);
    const second = await filesUnder(again);
    expect([...second.keys()].sort()).toEqual([...first.keys()].sort());
    for (const [name, bytes] of first) expect(second.get(name)!.equals(bytes), name).toBe(true);
  });

  it('re-renders a report byte-identical to the one written straight after the run', async () => {
    const dir = join(root, 'rerender');
    await writeRun(dir, result, throughput);
    await writeReport(result, throughput, dir);
    const direct = await filesUnder(dir);
    const { notes } = await reportFromDirectory(dir);
    expect(notes).toEqual([]);
    const rerendered = await filesUnder(dir);
    for (const name of ['summary.md', 'index.html', ...[...direct.keys()].filter((key) => key.startsWith('plots'))]) {
      expect(rerendered.get(name)!.equals(direct.get(name)!), name).toBe(true);
    }
    expect(direct.get('index.html')!.toString()).toContain('The <mark>bank</mark> near the river is very calm.');
  });

  it('keeps going with empty sentences when the dataset changed since the run, and says so', async () => {
    const dir = join(root, 'changed');
    await writeRun(dir, result, throughput);
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
    await writeRun(dir, result, throughput);
    const summaryPath = join(dir, 'summary.csv');
    const lines = (await readFile(summaryPath, 'utf8')).split('\n');
    lines[2] = lines[2]!.replace(/^((?:[^,]*,){6})[^,]*/, '$1zero');
    await writeFile(summaryPath, lines.join('\n'));
    const error = await loadResults(dir).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(InputError);
    expect((error as InputError).message).toBe(`${summaryPath}:3: column \`auc\`: not a number: "zero"`);

    const empty = join(root, 'empty');
    await mkdir(empty, { recursive: true });
    await expect(loadResults(empty)).rejects.toThrow(/run\.json: missing/);
  });
});
