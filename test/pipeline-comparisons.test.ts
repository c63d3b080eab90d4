/**
 * Which representations compare.csv compares: by default each against the split's best static
 * representation, the static targets and its neighbouring layer (a count linear in the
 * representations), every two with `comparisons: 'all-pairs'` (`run --all-comparisons`), and a
 * default row is exactly the all-pairs row (same orientation, same random stream).
 */
import { describe, expect, it } from 'vitest';
import { compareAuc } from '../src/metrics/compare.js';
import { deriveSeed } from '../src/random.js';
import { compareTable } from '../src/results/schema.js';
import { CosineScores, compareRepresentations, scoreCosinesAhead, scoreSplits } from '../src/pipeline/scoring.js';
import { mulberry32 } from '../src/random.js';
import type { PairResult, RepresentationKey, SplitPairs } from '../src/types.js';

import type { ModelRecord } from '../src/results/run-result.js';
function model(id: string, representations: [string, 'static' | 'contextual'][]): Pick<ModelRecord, 'id' | 'representations'> {
  return { id, representations: representations.map(([name, kind]) => ({ name, kind, description: '' })) };
}

/** One labelled split where column `key` has cosine = label + noise of the given size. */
function split(models: readonly Pick<ModelRecord, 'id' | 'representations'>[], noise: (key: string) => number, n = 120): SplitPairs {
  const random = mulberry32(7);
  const pairs: PairResult[] = Array.from({ length: n }, (_unused, i) => {
    const label = i % 3 !== 0;
    const values = new Map<string, number>();
    for (const m of models) for (const r of m.representations) values.set(`${m.id}:${r.name}`, Math.round(((label ? 0.6 : 0.4) + noise(`${m.id}:${r.name}`) * (random.next() - 0.5)) * 1e6) / 1e6);
    return {
      pair: { id: String(i), word: `w${i % 7}`, sentence1: 'a', sentence2: 'b', spans1: [{ start: 0, end: 1 }], spans2: [{ start: 0, end: 1 }], label, score: null, split: 'test', source: { file: 'x', line: i + 1 } },
      cosines: { get: (key) => values.get(key) ?? null, has: (key) => values.has(key) },
      truncated: false,
    };
  });
  return { dataset: 'd', split: 'test', pairs };
}

const models = [
  model('glove', [['target', 'static'], ['context', 'static']]),
  model('bert', [['input', 'static'], ['layer-1', 'contextual'], ['layer-2', 'contextual'], ['layer-3', 'contextual']]),
];
// glove:context separates best among the static columns, so it is the split's best static one.
const noise = (key: string): number => (key === 'glove:context' ? 0.3 : key.endsWith('target') ? 1.5 : 0.9);
const options = { seed: 1, resamples: 50, normalizations: ['none'] as const };

describe('compareRepresentations: which pairs', () => {
  const pairsOf = (rows: readonly { representationA: string; representationB: string }[]): string[] => rows.map((row) => `${row.representationA}|${row.representationB}`);

  it('compares each representation with the best static one, the static targets and its neighbouring layer by default', () => {
    const chosen = pairsOf(compareRepresentations([split(models, noise)], models, options).comparisons);
    expect(chosen).toEqual([
      'glove:target|glove:context', // neighbours (and target, best static)
      'glove:target|bert:input',
      'glove:target|bert:layer-1',
      'glove:target|bert:layer-2',
      'glove:target|bert:layer-3',
      'glove:context|bert:input', // best static
      'glove:context|bert:layer-1',
      'glove:context|bert:layer-2',
      'glove:context|bert:layer-3',
      'bert:input|bert:layer-1', // neighbouring layers
      'bert:layer-1|bert:layer-2',
      'bert:layer-2|bert:layer-3',
    ]);
  });

  it('keeps every two on request, and a default row is the all-pairs row', () => {
    const all = compareRepresentations([split(models, noise)], models, { ...options, comparisons: 'all-pairs' }).comparisons;
    expect(all).toHaveLength(15);
    const byPair = new Map(all.map((row) => [`${row.representationA}|${row.representationB}`, row]));
    for (const row of compareRepresentations([split(models, noise)], models, options).comparisons) expect(row).toEqual(byPair.get(`${row.representationA}|${row.representationB}`));
  });

  it('grows linearly with the representations', () => {
    const layers = (count: number) => [model('glove', [['target', 'static']]), model('deep', Array.from({ length: count }, (_unused, i): [string, 'contextual'] => [`layer-${i + 1}`, 'contextual']))];
    const count = (layerCount: number): number => compareRepresentations([split(layers(layerCount), () => 1, 40)], layers(layerCount), { ...options, resamples: 0 }).comparisons.length;
    // Each layer against the target and its previous layer: 2 per layer, minus the first layer's previous.
    expect([count(4), count(8), count(16)]).toEqual([7, 15, 31]);
  });

  it('gives every row as compareAuc on the two columns gives it, when columns miss different pairs and some pairs are unlabelled', () => {
    // Each column is ranked once per set of complete pairs and reused: glove misses some pairs
    // (out of vocabulary), bert:layer-2 others, a few pairs have no label.
    const base = split(models, noise);
    const missing = (key: string, i: number): boolean => (key.startsWith('glove') && i % 11 === 3) || (key === 'bert:layer-2' && i % 13 === 5);
    const pairs = base.pairs.map((result, i) => ({
      ...result,
      pair: { ...result.pair, label: i % 17 === 2 ? null : result.pair.label },
      cosines: { get: (key: RepresentationKey) => (missing(key, i) ? null : result.cosines.get(key)), has: (key: RepresentationKey) => result.cosines.has(key) },
    }));
    const rows = compareRepresentations([{ ...base, pairs }], models, { ...options, comparisons: 'all-pairs' }).comparisons;
    expect(rows).toHaveLength(15);
    const labels = pairs.map(({ pair }) => pair.label);
    for (const row of rows) {
      const column = (label: string) => pairs.map(({ cosines }) => cosines.get(label as RepresentationKey) ?? null);
      const result = compareAuc({ cosinesA: column(row.representationA), cosinesB: column(row.representationB), labels }, { seed: deriveSeed(options.seed, 'd:test:compare'), resamples: options.resamples });
      expect(row).toEqual(
        compareTable.round({
          dataset: 'd',
          split: 'test',
          representationA: row.representationA,
          representationB: row.representationB,
          normalization: 'none',
          aucA: result.aucA,
          aucB: result.aucB,
          difference: result.difference === null ? null : { value: result.difference, ...result.differenceCi },
          delongZ: result.delong.z,
          delongP: result.delong.p,
          nPairs: result.nPairs,
        }),
      );
    }
    expect(new Set(rows.map((row) => row.nPairs)).size).toBeGreaterThan(2);
  });

});

describe('scoring cosine columns ahead of the probes', () => {
  it('gives the rows scoreSplits gives in place, probe rows added after, in the same order', async () => {
    const train = { ...split(models, noise), split: 'train' as const };
    const test = split(models, noise);
    // The probes settle later: their columns are absent when the cosines are scored ahead.
    const withProbe = (s: SplitPairs): SplitPairs => ({
      ...s,
      pairs: s.pairs.map((result, i) => ({
        ...result,
        cosines: {
          get: (key: RepresentationKey) => (key === 'bert:layer-2#probe' ? (i % 5) / 5 : result.cosines.get(key)),
          has: (key: RepresentationKey) => key === 'bert:layer-2#probe' || result.cosines.has(key),
        },
      })),
    });
    const scoring = { seed: 5, resamples: 50, normalizations: ['none'] as const };
    const ahead = new CosineScores();
    await scoreCosinesAhead([train, test], models, scoring, ahead);
    const settled = [withProbe(train), withProbe(test)];
    const inPlace = scoreSplits(settled, models, scoring);
    expect(inPlace.flatMap((s) => s.scores.filter((row) => row.scoring === 'probe'))).toHaveLength(2);
    expect(scoreSplits(settled, models, scoring, ahead).map(({ scores, words }) => ({ scores, words }))).toEqual(inPlace.map(({ scores, words }) => ({ scores, words })));
    // Read back, not scored again: a column scored ahead on other cosines keeps those scores.
    const stale = new CosineScores();
    await scoreCosinesAhead([train, split(models, () => 1)], models, scoring, stale);
    const glove = (result: ReturnType<typeof scoreSplits>) => result[1]!.scores.find((row) => row.representation === 'target' && row.model === 'glove')!.auc;
    expect(glove(scoreSplits(settled, models, scoring, stale))).not.toBe(glove(inPlace));
  });
});
