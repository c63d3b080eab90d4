/**
 * Issue 10 wired into the pipeline, results and report, on the hashing model
 * (test/helpers/hashing-model.ts) renamed to the representations the follow-up section looks for
 * (a static `target`, a contextual `layer-1`): probe rows computed from the stored `#probe`
 * columns (and re-scored byte for byte by `sensebench score`), senses.csv rows and sense-picture
 * points from a sense set, and the follow-up section's sentences following the numbers.
 */
import { readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { rocAuc } from '../src/metrics/ranking.js';
import { runEvaluation } from '../src/pipeline/index.js';
import { rescoreResults } from '../src/pipeline/rescore.js';
import { loadResults } from '../src/results/read.js';
import { probeColumn, sensesTable } from '../src/results/schema.js';
import { scoreSenses } from '../src/metrics/senses.js';
import type { Block } from '../src/reports/document.js';
import { followupBlocks } from '../src/reports/sections/followup.js';
import { writeReports } from '../src/reports/index.js';
import { deriveSeed } from '../src/random.js';
import type { EmbeddingModel, OccurrenceEmbedding, SentencePair, SplitName, TargetOccurrence, SenseSet } from '../src/types.js';
import { HashingModel, syntheticPairs } from './helpers/hashing-model.js';

import type { RunResult } from '../src/results/run-result.js';
const root = join(import.meta.dirname, '.tmp', 'pipeline-followup');

/** The hashing model with the follow-up section's representation names. */
class NamedHashingModel implements EmbeddingModel {
  readonly inner = new HashingModel('hash');
  readonly id = 'hash';
  readonly sha256 = this.inner.sha256;
  readonly info = { dimensions: 8 };
  readonly representations = [
    { name: 'target', kind: 'static', description: 'hash of the target text' },
    { name: 'layer-1', kind: 'contextual', description: 'hash of the sentence' },
  ] as const;
  embed(occurrences: readonly TargetOccurrence[]): Promise<OccurrenceEmbedding[]> {
    return this.inner.embed(occurrences);
  }
  dispose(): Promise<void> {
    return this.inner.dispose();
  }
}

function senseSet(): SenseSet {
  const occurrences = ['river', 'money', 'river', 'money', 'river', 'money'].flatMap((sense, i) =>
    ['bank', 'bat'].map((word) => {
      const sentence = `A ${word} of the ${sense} kind, number ${i}.`;
      const start = sentence.indexOf(word);
      return { id: `${word}-${i}`, word, sense, gloss: `${sense} sense`, split: 'test' as const, sentence, spans: [{ start, end: start + word.length }] as const, source: { file: 'mem.senses.tsv', line: i + 2 } };
    }),
  );
  return { name: 'mem-senses', occurrences, projectWords: ['bank'] };
}

async function run(withTrain = true): Promise<RunResult> {
  const splits = new Map<SplitName, SentencePair[]>([...(withTrain ? [['train', syntheticPairs('train')] as const] : []), ['test', syntheticPairs('test')]]);
  return runEvaluation({
    datasets: [{ name: 'mem', format: 'jsonl', splits, sha256: '0'.repeat(64), files: ['mem.jsonl'] }],
    models: [{ spec: 'hash', load: () => Promise.resolve(new NamedHashingModel()), describe: () => 'The hashing test model.' }],
    seed: 9,
    resamples: 60,
    date: new Date('2026-12-01T00:00:00Z'),
    senseSets: [senseSet()],
  });
}

function texts(blocks: readonly Block[]): string {
  return blocks
    .map((block) => (block.type === 'list' ? block.items.map((item) => item.map((part) => part.text).join('')).join('\n') : block.type === 'table' ? block.rows.map((row) => row.map((cell) => (typeof cell === 'string' ? cell : cell.map((part) => part.text).join(''))).join(' | ')).join('\n') : ''))
    .join('\n');
}

describe('probe rows', () => {
  it('are scored from the stored #probe column: AUC of the probabilities, accuracy at 0.5, no cosine statistics', async () => {
    const result = await run();
    for (const split of result.splits) {
      const probes = split.scores.filter((row) => row.scoring === 'probe');
      expect(probes.map((row) => row.representation)).toEqual(['target', 'layer-1']);
      for (const row of probes) {
        const column = probeColumn('hash', row.representation);
        const kept = split.pairs.filter((item) => item.cosines.get(column) !== null && item.cosines.get(column) !== undefined);
        expect(row.nPairs).toBe(kept.length);
        const auc = rocAuc({ scores: Float64Array.from(kept, (item) => item.cosines.get(column)!), labels: kept.map((item) => item.pair.label!) });
        expect(row.auc!.value).toBe(Number(auc!.toFixed(6)));
        const correct = kept.filter((item) => item.cosines.get(column)! >= 0.5 === item.pair.label).length;
        expect(row.accuracy).toBe(Number((correct / kept.length).toFixed(6)));
        expect(row).toMatchObject({ normalization: 'none', threshold: 0.5, thresholdSource: 'probe', meanCosSame: null, meanCosDifferent: null, cohensD: null, spearman: null, pearson: null });
      }
      expect(split.scores.filter((row) => row.scoring === 'cosine').length).toBeGreaterThan(0);
    }
    // Every probe is compared with the static target on the same pairs.
    expect(result.comparisons.some((row) => row.representationA === 'hash:layer-1#probe' && row.representationB === 'hash:target')).toBe(true);
  });

  it('does not exist for a dataset without a train split', async () => {
    const result = await run(false);
    expect(result.splits.flatMap((split) => split.scores).filter((row) => row.scoring === 'probe')).toEqual([]);
  });

  it('re-score byte for byte, and senses.csv and the pictures are carried over', async () => {
    const dir = join(root, 'rescore');
    await rm(dir, { recursive: true, force: true });
    await writeReports(await run(), dir);
    const pairsHeader = (await readFile(join(dir, 'pairs', 'mem-test.csv'), 'utf8')).split('\n')[0]!;
    expect(pairsHeader).toContain('hash:target#probe');
    const names = ['summary.csv', 'compare.csv', 'senses.csv', 'sense-projections.json', 'plots/senses-bank-hash-layer-1.svg', ...(await readdir(join(dir, 'words'))).map((name) => `words/${name}`)];
    const before = new Map<string, string>();
    for (const name of names) before.set(name, await readFile(join(dir, name), 'utf8'));
    await writeFile(join(dir, 'summary.csv'), 'garbage\n');
    await rm(join(dir, 'compare.csv'));
    const { result } = await rescoreResults(dir);
    await writeReports(result, dir);
    for (const name of names) expect(await readFile(join(dir, name), 'utf8'), name).toBe(before.get(name));
    const { result: loaded } = await loadResults(dir);
    expect(loaded.senses).toEqual(result.senses);
    expect(loaded.senseProjections).toEqual(result.senseProjections);
    expect(await readFile(join(dir, 'summary.md'), 'utf8')).toContain('(plots/senses-bank-hash-target.svg)');
  });
});

describe('senses in a run', () => {
  it('scores every representation on each sense set and keeps 2-D points of the pictured words', async () => {
    const result = await run();
    const set = senseSet();
    expect(result.senses!.map((row) => `${row.dataset}:${row.representation}`)).toEqual(['mem-senses:target', 'mem-senses:layer-1']);
    const model = new NamedHashingModel();
    const embedded = await model.embed(set.occurrences);
    model.representations.forEach((representation, r) => {
      const expected = sensesTable.round(
        scoreSenses({
          dataset: 'mem-senses',
          model: 'hash',
          kind: representation.kind,
          representation: representation.name,
          occurrences: set.occurrences,
          vectors: embedded.map((e) => e.vectors[r]!),
          seed: deriveSeed(9, `hash:${representation.name}:mem-senses:senses`),
          resamples: 60,
        }),
      );
      expect(result.senses![r]).toEqual(expected);
    });
    // One vector per word: 1-NN is chance among a word's occurrences ((n_s - 1)/(n - 1) = 2/5 here).
    expect(result.senses![0]!.nn1_accuracy).toBe(0.4);
    const pictures = result.senseProjections!;
    expect(pictures.map((p) => p.fileName)).toEqual(['senses-bank-hash-target.svg', 'senses-bank-hash-layer-1.svg']);
    expect(pictures[0]!.points).toEqual([{ x: 0, y: 0, sense: 'river', count: 3 }, { x: 0, y: 0, sense: 'money', count: 3 }]);
    expect(pictures[1]!.distinctVectors).toBe(6);
  });
});

describe('the follow-up section', () => {
  it('states each approach against the static target from the numbers, and changes with them', async () => {
    const result = await run();
    const blocks = followupBlocks(result);
    const before = texts(blocks);
    const test = result.splits.find((split) => split.split === 'test')!;
    const target = test.scores.find((row) => row.scoring === 'cosine' && row.representation === 'target')!;
    expect(before).toContain(`Baseline, one vector per word (hash · target): AUC ${target.auc!.value.toFixed(3)}`);
    expect(before).toMatch(/A trained probe, the best being a probe on hash · /);
    expect(before).toMatch(/Best 1-NN sense accuracy on mem-senses: /);
    // Make the probe on layer-1 the clear winner: the sentences follow.
    const changed: RunResult = {
      ...result,
      splits: result.splits.map((split) =>
        split !== test
          ? split
          : {
              ...split,
              scores: split.scores.map((row) =>
                row.scoring !== 'probe' ? row : row.representation === 'layer-1' ? { ...row, auc: { value: 0.987, low: 0.95, high: 1 } } : { ...row, auc: { value: 0.61, low: 0.5, high: 0.7 } },
              ),
            },
      ),
    };
    const after = texts(followupBlocks(changed));
    expect(after).toContain('A trained probe, the best being a probe on hash · layer-1: AUC 0.987 [0.950, 1.000]');
    expect(after).toContain(`On mem / test, the trained probe answers best (AUC 0.987 against ${target.auc!.value.toFixed(3)} for one vector per word).`);
  });
});
