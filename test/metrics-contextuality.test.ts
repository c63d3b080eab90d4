/**
 * Ethayarajh's (2019) contextuality measures (src/metrics/contextuality.ts) against an independent
 * numpy implementation of the paper's definitions (test/fixtures/metrics/make_analysis_reference.py:
 * explicit all-pairs cosines, numpy means, numpy SVD for the explainable variances), plus the
 * lesson's anchor: a static representation under the surface-form rule has self-similarity and
 * explainable variance exactly 1.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { type Contextuality, type SentenceMeasure, type TargetVector, contextuality, fitNormalization, measureSentence, mulberry32, normalizeVectors } from '../src/metrics/index.js';

interface ContextualityCase {
  name: string;
  minOccurrences: number;
  targets: { word: string; vector: number[] | null }[];
  sentences: { words: (number[] | null)[]; randomWord: number }[];
  expected: Contextuality;
}
const reference = JSON.parse(readFileSync(new URL('./fixtures/metrics/analysis_reference.json', import.meta.url), 'utf8')) as {
  contextuality: ContextualityCase[];
};

const vectorOf = (values: number[] | null): Float32Array | null => (values === null ? null : Float32Array.from(values));

describe('contextuality against numpy', () => {
  for (const c of reference.contextuality) {
    it(c.name, () => {
      const targets: TargetVector[] = c.targets.map((t) => ({ word: t.word, vector: vectorOf(t.vector) }));
      const sentences = c.sentences.map((s) => measureSentence(s.words.map(vectorOf), s.randomWord));
      const actual = contextuality(targets, sentences, { minOccurrences: c.minOccurrences });
      expect(Object.keys(actual).sort()).toEqual(Object.keys(c.expected).sort());
      for (const key of Object.keys(c.expected) as (keyof Contextuality)[]) {
        const expected = c.expected[key];
        if (expected === null) expect(actual[key], key).toBeNull();
        else expect(Math.abs(actual[key]! - expected), key).toBeLessThan(1e-12);
      }
    });
  }

  it('counts a surface form differing only in case as another word', () => {
    const c = reference.contextuality[0]!;
    expect(c.targets.some((t) => t.word === 'Bank')).toBe(true);
    expect(c.expected.words).toBe(new Set(c.targets.filter((t) => t.vector !== null && t.vector.some((v) => v !== 0)).map((t) => t.word)).size);
  });
});

/** Occurrences of a few surface forms, vectors from a seeded stream; `shared`: one vector per form. */
function randomTargets(counts: Record<string, number>, dims: number, seed: number, shared = false): TargetVector[] {
  const random = mulberry32(seed);
  const out: TargetVector[] = [];
  for (const [word, count] of Object.entries(counts)) {
    const staticVector = Float32Array.from({ length: dims }, () => random.next() + 0.5);
    for (let k = 0; k < count; k++) {
      out.push({ word, vector: shared ? staticVector.slice() : Float32Array.from({ length: dims }, (_, d) => staticVector[d]! + 0.3 * (random.next() - 0.5)) });
    }
  }
  return out;
}

/** Sampled sentences of `length` random words each, the first one drawn as the random word. */
function randomSentences(count: number, length: number, dims: number, seed: number): SentenceMeasure[] {
  const random = mulberry32(seed);
  return Array.from({ length: count }, () =>
    measureSentence(
      Array.from({ length }, () => Float32Array.from({ length: dims }, () => random.next() - 0.3)),
      0,
    ),
  );
}

describe('a static representation under the surface-form rule', () => {
  const counts = { bank: 7, bat: 5, cell: 12, plant: 4, solo: 1 };
  // Every occurrence of a form has the same values (a separate copy each, as a lookup may return).
  const targets = randomTargets(counts, 16, 5, true);
  const sentences = randomSentences(30, 6, 16, 8);

  it('has self-similarity exactly 1 and explainable variance exactly 1', () => {
    const result = contextuality(targets, sentences);
    expect(result.selfSimilarity).toBe(1);
    expect(result.maxExplainableVariance).toBe(1);
    // bank, bat and cell have at least 5 occurrences; plant and solo do not count.
    expect(result.measuredWords).toBe(3);
    expect(result.words).toBe(5);
    expect(result.selfSimilarityAdjusted).toBe(1 - result.anisotropyBaseline!);
    expect(result.maxExplainableVarianceAdjusted).toBe(1 - result.varianceBaseline!);
  });

  it('stays exactly 1 under every correction (identical vectors stay identical)', () => {
    const stats = fitNormalization(targets.map((t) => t.vector as Float32Array));
    for (const normalization of ['center', 'zscore', 'abtt'] as const) {
      const corrected = normalizeVectors(stats, normalization, targets.map((t) => t.vector as Float32Array));
      const result = contextuality(
        targets.map((t, i) => ({ ...t, vector: corrected[i]! })),
        sentences,
      );
      expect(result.selfSimilarity, normalization).toBe(1);
      expect(result.maxExplainableVariance, normalization).toBe(1);
    }
  });

  it('gives a sentence of identical word vectors (a sentence-level representation) intra-sentence similarity exactly 1', () => {
    const vector = Float32Array.of(0.1, -0.7, 0.25, 3);
    expect(measureSentence([vector, vector.slice(), vector.slice()], 2).intraSentenceSimilarity).toBe(1);
  });
});

describe('properties', () => {
  const targets = randomTargets({ a: 6, b: 9, c: 3, d: 5 }, 8, 9);
  const sentences = randomSentences(40, 5, 8, 10);

  it('is deterministic and does not depend on vector scale (cosines, shares)', () => {
    const a = contextuality(targets, sentences);
    expect(contextuality(targets, sentences)).toEqual(a);
    const scaled = contextuality(
      targets.map((t) => ({ ...t, vector: Float32Array.from(t.vector!, (v) => v * 4) })),
      sentences,
    );
    for (const key of ['selfSimilarity', 'maxExplainableVariance'] as const) expect(scaled[key]).toBeCloseTo(a[key]!, 6);
    expect(a.selfSimilarity).toBeLessThan(1);
    expect(a.maxExplainableVariance).toBeLessThan(1);
    expect(a.measuredWords).toBe(3);
  });

  it('gives nulls, not NaN, when a measure has nothing to average', () => {
    const lonely: TargetVector[] = [
      { word: 'x', vector: Float32Array.of(1, 0) },
      { word: 'x', vector: null },
      { word: 'x', vector: Float32Array.of(0, 0) },
    ];
    expect(contextuality(lonely, [measureSentence([null, Float32Array.of(0, 0)], 0)])).toEqual({
      occurrences: 1,
      words: 1,
      measuredWords: 0,
      sentences: 0,
      randomWords: 0,
      anisotropyBaseline: null,
      varianceBaseline: null,
      selfSimilarity: null,
      selfSimilarityAdjusted: null,
      intraSentenceSimilarity: null,
      intraSentenceSimilarityAdjusted: null,
      maxExplainableVariance: null,
      maxExplainableVarianceAdjusted: null,
    });
    // Words that cancel out have no sentence direction.
    expect(measureSentence([Float32Array.of(1, 2), Float32Array.of(-1, -2)], 0).intraSentenceSimilarity).toBeNull();
  });

  it('rejects mixed dimensions, non-finite values and bad options', () => {
    expect(() =>
      contextuality(
        [
          { word: 'a', vector: Float32Array.of(1, 2) },
          { word: 'b', vector: Float32Array.of(1) },
        ],
        [],
      ),
    ).toThrow(/dimensions/);
    expect(() => contextuality([{ word: 'a', vector: Float32Array.of(1, Number.NaN) }], [])).toThrow(/non-finite/);
    expect(() => measureSentence([Float32Array.of(1, Number.POSITIVE_INFINITY)], 0)).toThrow(/non-finite/);
    expect(() => measureSentence([Float32Array.of(1)], 1)).toThrow(RangeError);
    expect(() => contextuality([], [], { minOccurrences: 1 })).toThrow(RangeError);
  });
});
