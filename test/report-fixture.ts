/**
 * A small hand-made RunResult for the report tests: test input for the renderers, not a stand-in
 * for measured results. Cosines come from a seeded generator; scores are derived from them with
 * plain formulas here so the tables and charts are self-consistent.
 */
import { mulberry32 } from '../src/random.js';
import type { PairResult, RepresentationKey, SentencePair, SplitName } from '../src/types.js';

import type { RunResult, SplitResult } from '../src/results/run-result.js';
import type { SummaryRow, ThroughputRow, WordScore } from '../src/results/schema.js';
const representations = {
  'glove-100d': [{ name: 'target', kind: 'static', description: 'The GloVe vector of the target word: the same in every sentence.' }],
  'use-lite': [
    { name: 'target', kind: 'contextual', description: 'Mean of the last-layer token vectors covering the target word.' },
    { name: 'layer-1', kind: 'contextual', description: 'Mean of the first transformer layer’s token vectors covering the target word.' },
    { name: 'sentence', kind: 'contextual', description: 'The USE sentence embedding of the whole sentence.' },
  ],
} as const;

const keys: RepresentationKey[] = ['glove-100d:target', 'use-lite:target', 'use-lite:layer-1', 'use-lite:sentence'];

function pair(id: string, word: string, sentence1: string, sentence2: string, label: boolean | null, split: SplitName, line: number): SentencePair {
  const start1 = sentence1.toLowerCase().indexOf(word);
  const start2 = sentence2.toLowerCase().indexOf(word);
  return {
    id,
    word,
    sentence1,
    sentence2,
    spans1: [{ start: start1, end: start1 + word.length }],
    spans2: [{ start: start2, end: start2 + word.length }],
    label,
    score: null,
    split,
    source: { file: 'fixture.jsonl', line },
  };
}

function mean(values: readonly number[]): number | null {
  return values.length === 0 ? null : values.reduce((sum, value) => sum + value, 0) / values.length;
}

/** Mann-Whitney AUC with ties as one half, by brute force over all positive/negative pairs. */
export function bruteForceAuc(items: readonly { score: number; label: boolean }[]): number | null {
  const positives = items.filter((item) => item.label);
  const negatives = items.filter((item) => !item.label);
  if (positives.length === 0 || negatives.length === 0) return null;
  let wins = 0;
  for (const p of positives) for (const n of negatives) wins += p.score > n.score ? 1 : p.score === n.score ? 0.5 : 0;
  return wins / (positives.length * negatives.length);
}

function scoresFor(dataset: string, split: SplitName, pairs: readonly PairResult[]): SummaryRow[] {
  return keys.map((key) => {
    const [model, representation] = key.split(':') as [keyof typeof representations, string];
    const kind = model === 'glove-100d' ? 'static' : 'contextual';
    const items = pairs.flatMap((item) => {
      const cosine = item.cosines.get(key);
      return cosine === null || cosine === undefined || item.pair.label === null ? [] : [{ score: cosine, label: item.pair.label }];
    });
    const auc = bruteForceAuc(items);
    const same = items.filter((item) => item.label).map((item) => item.score);
    const different = items.filter((item) => !item.label).map((item) => item.score);
    const half = auc === null ? null : Math.min(0.12, 2 / Math.sqrt(items.length));
    return {
      dataset,
      split,
      model,
      kind,
      representation,
      normalization: 'none',
      scoring: 'cosine',
      nPairs: items.length,
      nSame: same.length,
      nDifferent: different.length,
      auc: auc === null || half === null ? null : { value: auc, low: Math.max(0, auc - half), high: Math.min(1, auc + half) },
      averagePrecision: auc,
      accuracy: auc === null ? null : Math.max(0.5, auc - 0.05),
      threshold: 0.5,
      thresholdSource: 'cv',
      meanCosSame: mean(same),
      meanCosDifferent: mean(different),
      cohensD: kind === 'static' ? 0 : 0.8,
      spearman: null,
      pearson: null,
      oovRate: 0,
    } satisfies SummaryRow;
  });
}

function wordsFor(pairs: readonly PairResult[]): WordScore[] {
  const words = [...new Set(pairs.map((item) => item.pair.word))].sort();
  return words.flatMap((word) =>
    keys.map((key) => {
      const [model, representation] = key.split(':') as [string, string];
      const items = pairs.flatMap((item) => {
        const cosine = item.cosines.get(key);
        return item.pair.word !== word || cosine === null || cosine === undefined || item.pair.label === null ? [] : [{ score: cosine, label: item.pair.label }];
      });
      return {
        word,
        model,
        representation,
        nPairs: items.length,
        nSame: items.filter((item) => item.label).length,
        nDifferent: items.filter((item) => !item.label).length,
        auc: bruteForceAuc(items),
        meanCosSame: mean(items.filter((item) => item.label).map((item) => item.score)),
        meanCosDifferent: mean(items.filter((item) => !item.label).map((item) => item.score)),
        spearman: null,
      };
    }),
  );
}

function cosinesFor(random: () => number, label: boolean | null): Map<RepresentationKey, number | null> {
  const shift = label === true ? 0.12 : 0;
  return new Map<RepresentationKey, number | null>([
    ['glove-100d:target', 1],
    ['use-lite:target', Math.min(1, 0.45 + shift + 0.35 * random())],
    ['use-lite:layer-1', Math.min(1, 0.6 + shift / 2 + 0.3 * random())],
    ['use-lite:sentence', Math.min(1, 0.2 + shift / 3 + 0.5 * random())],
  ]);
}

function split(dataset: string, name: SplitName, pairs: PairResult[]): SplitResult {
  return { dataset, split: name, unlabelled: false, graded: false, pairs, scores: scoresFor(dataset, name, pairs), words: wordsFor(pairs) };
}

/** The lesson-like pairs of the fixture (the lesson's two examples first). */
export const fixtureLessonRows: readonly (readonly [string, string, string, string, boolean])[] = [
  ['lesson-bank', 'bank', 'The bank near the river is very calm.', 'I need to deposit money at the bank.', false],
  ['lesson-apple', 'apple', 'The apple product is sleek and innovative.', 'The apple I received was bruised and rotten.', false],
  ['lesson-bank-2', 'bank', 'She opened an account at the bank.', 'The bank approved my loan.', true],
  ['lesson-apple-2', 'apple', 'He ate an apple for lunch.', 'The apple was crisp and sweet.', true],
  ['lesson-bat', 'bat', 'A bat flew out of the cave.', 'He swung the bat at the ball.', false],
  ['lesson-bat-2', 'bat', 'The bat hung upside down.', 'A bat hunts insects at night.', true],
];

/** One split of input pairs for {@link runFromPairs}. */
export interface FixtureSplit {
  readonly dataset: string;
  readonly split: SplitName;
  readonly pairs: readonly SentencePair[];
}

/**
 * A RunResult over the given pairs: seeded cosines (static target always 1.0; contextual cosines a
 * little higher for same-sense pairs), scores and per-word rows derived from them.
 */
export function runFromPairs(splits: readonly FixtureSplit[], datasets: RunResult['context']['datasets'], seed = 7, throughput: readonly ThroughputRow[] = []): RunResult {
  const random = mulberry32(seed).next;
  const described = Object.entries(representations).map(([id, list]) => ({ id, representations: list.map((item) => ({ ...item })) }));
  return {
    context: {
      sensebenchVersion: '0.1.0',
      date: '2026-11-23T21:00:00.000Z',
      seed: 42,
      resamples: 1000,
      normalizations: ['none'],
      abttComponents: 1,
      warnings: [],
      node: 'v20.19.0',
      platform: 'linux x64',
      cpu: 'Test CPU',
      cores: 2,
      memoryBytes: 8 * 1024 ** 3,
      packages: { vega: '5.33.1' },
      models: [
        { id: 'glove-100d', sha256: 'a'.repeat(64), description: 'GloVe 6B 100-dimensional English word vectors (the fixture model).', info: { dimensions: 100 }, representations: described[0]!.representations },
        { id: 'use-lite', sha256: 'b'.repeat(64), description: 'Universal Sentence Encoder lite (the fixture model).', info: { layers: 2 }, representations: described[1]!.representations },
      ],
      datasets,
    },
    throughput,
    contextuality: [],
    comparisons: [],
    spearmanComparisons: [],
    cosimlex: [],
    splits: splits.map(({ dataset, split: name, pairs }) =>
      split(
        dataset,
        name,
        pairs.map((item, index) => ({ pair: item, cosines: cosinesFor(random, item.label), truncated: index % 60 === 0 && pairs.length > 60 })),
      ),
    ),
  };
}

/** The fixture run: a lesson split with the bank/apple pairs and a 240-pair synthetic WiC-like split. */
export function fixtureRun(throughput: readonly ThroughputRow[] = []): RunResult {
  const lessonPairs = fixtureLessonRows.map(([id, word, s1, s2, label], index) => pair(id, word, s1, s2, label, 'all', index + 1));
  const words = ['bank', 'apple', 'bat', 'play', 'run', 'light', 'bear', 'match'];
  const wicPairs: SentencePair[] = [];
  for (let index = 0; index < 240; index += 1) {
    const word = words[index % words.length]!;
    wicPairs.push(pair(`dev-${index}`, word, `A sentence with ${word} number ${index}.`, `Another ${word} sentence ${index}.`, index % 2 === 0, 'dev', index + 1));
  }
  return runFromPairs(
    [
      { dataset: 'lesson', split: 'all', pairs: lessonPairs },
      { dataset: 'wic-like', split: 'dev', pairs: wicPairs },
    ],
    [
      { name: 'lesson', format: 'jsonl', sha256: 'c'.repeat(64), files: ['datasets/lesson/pairs.jsonl'], pairs: { all: lessonPairs.length }, highlightPairs: ['lesson-bank', 'lesson-apple'], normalizationFit: 'transductive', license: '', description: '', records: 0, skipped: [], unmatchedSpans: 0, repairedSpans: 0, notes: [] },
      { name: 'wic-like', format: 'wic', sha256: 'd'.repeat(64), files: ['fixture/dev'], pairs: { dev: wicPairs.length }, highlightPairs: [], normalizationFit: 'transductive', license: '', description: '', records: 0, skipped: [], unmatchedSpans: 0, repairedSpans: 0, notes: [] },
    ],
    7,
    throughput,
  );
}

/** Throughput rows shaped like the lead's benchmarks (made up: renderer input only). */
export function fixtureThroughput(): ThroughputRow[] {
  return [
    { group: 'static-lookup', subject: 'harness glove-100d lookup', unit: 'ops/s', value: 2_400_000, baseline: 'Map.get', baselineValue: 2_800_000, ratio: 0.857, goal: 0.8, rmePercent: 1.2, samples: 1000 },
    { group: 'static-load', subject: 'glove cache load', unit: 'ms', value: 180, baseline: 'JSON load', baselineValue: 5200, ratio: 28.9, goal: 20, rmePercent: 3.1, samples: 10 },
    { group: 'onnx-vs-tfjs', subject: 'use-lite onnx', unit: 'sentences/s', value: 900, baseline: 'use-lite tfjs-wasm', baselineValue: 300, ratio: 3, goal: 2, rmePercent: 2.5, samples: 20 },
    { group: 'use-lite-prepare', subject: 'convert to onnx', unit: 'ms', value: 4200, baseline: '', baselineValue: null, ratio: null, goal: null, rmePercent: null, samples: 1 },
  ];
}
