/**
 * Ethayarajh's contextuality measures (src/metrics/contextuality.ts) against an independent numpy
 * implementation (test/fixtures/metrics/make_analysis_reference.py: explicit all-pairs cosines,
 * numpy SVD for the explainable variance, the baseline's draws replayed), plus the lesson's
 * anchor: a static target representation has self-similarity exactly 1 and explainable variance
 * exactly 1.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { type ContextOccurrence, type Contextuality, contextuality, deriveSeed, mulberry32, normalizeVectors, fitNormalization } from '../src/metrics/index.js';

interface ContextualityCase {
  name: string;
  seed: number;
  baselinePairs: number;
  minVarianceOccurrences: number;
  occurrences: { word: string; sentenceId: string; vector: number[] | null; sentenceMean: number[] | null }[];
  expected: Contextuality;
}
const reference = JSON.parse(readFileSync(new URL('./fixtures/metrics/analysis_reference.json', import.meta.url), 'utf8')) as {
  contextuality: ContextualityCase[];
};

function occurrencesOf(c: ContextualityCase): ContextOccurrence[] {
  return c.occurrences.map((o) => ({
    word: o.word,
    sentenceId: o.sentenceId,
    vector: o.vector === null ? null : Float32Array.from(o.vector),
    sentenceMean: o.sentenceMean === null ? null : Float32Array.from(o.sentenceMean),
  }));
}

describe('contextuality against numpy', () => {
  for (const c of reference.contextuality) {
    it(c.name, () => {
      const actual = contextuality(occurrencesOf(c), {
        seed: c.seed,
        baselinePairs: c.baselinePairs,
        minVarianceOccurrences: c.minVarianceOccurrences,
      });
      expect(Object.keys(actual).sort()).toEqual(Object.keys(c.expected).sort());
      for (const key of Object.keys(c.expected) as (keyof Contextuality)[]) {
        const expected = c.expected[key];
        if (expected === null) expect(actual[key], key).toBeNull();
        else expect(Math.abs(actual[key]! - expected), key).toBeLessThan(1e-12);
      }
    });
  }
});

/** Occurrences of a few words in distinct sentences, vectors from a seeded stream. */
function randomOccurrences(counts: Record<string, number>, dims: number, seed: number, shared = false): ContextOccurrence[] {
  const random = mulberry32(seed);
  const out: ContextOccurrence[] = [];
  let sentence = 0;
  for (const [word, count] of Object.entries(counts)) {
    const staticVector = Float32Array.from({ length: dims }, () => random.next() + 0.5);
    for (let k = 0; k < count; k++) {
      const vector = shared ? staticVector : Float32Array.from({ length: dims }, (_, d) => staticVector[d]! + 0.3 * (random.next() - 0.5));
      const sentenceMean = Float32Array.from({ length: dims }, () => random.next());
      out.push({ word, sentenceId: `s${sentence++}`, vector, sentenceMean });
    }
  }
  return out;
}

describe('a static target representation', () => {
  const counts = { bank: 7, bat: 5, cell: 12, plant: 2, solo: 1 };
  const occurrences = randomOccurrences(counts, 16, 5, true);

  it('has self-similarity exactly 1 and explainable variance exactly 1', () => {
    const result = contextuality(occurrences, { seed: deriveSeed(42, 'static') });
    expect(result.selfSimilarity).toBe(1);
    expect(result.maxExplainableVariance).toBe(1);
    expect(result.maxExplainableVarianceUncentered).toBeCloseTo(1, 12);
    expect(result.selfSimilarityWords).toBe(4);
    expect(result.explainableVarianceWords).toBe(3);
    expect(result.baselinePairs).toBe(1000);
    expect(result.selfSimilarityCorrected).toBe(1 - result.anisotropyBaseline!);
  });

  it('stays exactly 1 under every correction (the shared vector stays shared)', () => {
    const stats = fitNormalization(occurrences.map((o) => o.vector as Float32Array));
    for (const normalization of ['center', 'zscore', 'abtt'] as const) {
      const corrected = normalizeVectors(stats, normalization, occurrences.map((o) => o.vector as Float32Array));
      const result = contextuality(
        occurrences.map((o, i) => ({ ...o, vector: corrected[i]! })),
        { seed: 1 },
      );
      expect(result.selfSimilarity, normalization).toBe(1);
      expect(result.maxExplainableVariance, normalization).toBe(1);
    }
  });
});

describe('properties', () => {
  const occurrences = randomOccurrences({ a: 6, b: 9, c: 3, d: 5 }, 8, 9);

  it('is deterministic for a seed and samples other pairs for another seed', () => {
    const a = contextuality(occurrences, { seed: 3 });
    expect(contextuality(occurrences, { seed: 3 })).toEqual(a);
    const b = contextuality(occurrences, { seed: 4 });
    expect(b.anisotropyBaseline).not.toBe(a.anisotropyBaseline);
    // Only the baseline is random.
    expect({ ...b, anisotropyBaseline: 0, selfSimilarityCorrected: 0 }).toEqual({ ...a, anisotropyBaseline: 0, selfSimilarityCorrected: 0 });
  });

  it('does not depend on vector scale (cosines) and contextual vectors have self-similarity below 1', () => {
    const scaled = occurrences.map((o) => ({ ...o, vector: Float32Array.from(o.vector!, (v) => v * 4) }));
    const a = contextuality(occurrences, { seed: 3 });
    const b = contextuality(scaled, { seed: 3 });
    expect(b.selfSimilarity).toBeCloseTo(a.selfSimilarity!, 6);
    expect(b.maxExplainableVariance).toBeCloseTo(a.maxExplainableVariance!, 6);
    expect(a.selfSimilarity).toBeLessThan(1);
    expect(a.maxExplainableVariance).toBeLessThan(1);
  });

  it('gives nulls, not NaN, when a measure has nothing to average', () => {
    const lonely: ContextOccurrence[] = [
      { word: 'x', sentenceId: 's1', vector: Float32Array.of(1, 0) },
      { word: 'x', sentenceId: 's1', vector: null },
      { word: 'x', sentenceId: 's2', vector: Float32Array.of(0, 0) },
    ];
    const result = contextuality(lonely, { seed: 1 });
    expect(result).toEqual({
      occurrences: 1,
      words: 1,
      anisotropyBaseline: null,
      baselinePairs: 0,
      selfSimilarity: null,
      selfSimilarityWords: 0,
      selfSimilarityCorrected: null,
      intraSentenceSimilarity: null,
      intraSentenceSentences: 0,
      maxExplainableVariance: null,
      maxExplainableVarianceUncentered: null,
      explainableVarianceWords: 0,
    });
    // One word only: no pair of different words for the baseline, but a self-similarity.
    const oneWord = contextuality(randomOccurrences({ w: 6 }, 4, 2), { seed: 1 });
    expect(oneWord.anisotropyBaseline).toBeNull();
    expect(oneWord.selfSimilarity).not.toBeNull();
    expect(oneWord.selfSimilarityCorrected).toBeNull();
  });

  it('rejects mixed dimensions and non-finite values', () => {
    expect(() =>
      contextuality(
        [
          { word: 'a', sentenceId: '1', vector: Float32Array.of(1, 2) },
          { word: 'b', sentenceId: '2', vector: Float32Array.of(1) },
        ],
        { seed: 1 },
      ),
    ).toThrow(/dimensions/);
    expect(() => contextuality([{ word: 'a', sentenceId: '1', vector: Float32Array.of(1, Number.NaN) }], { seed: 1 })).toThrow(/non-finite/);
    expect(() => contextuality([], { seed: 1, baselinePairs: -1 })).toThrow(RangeError);
  });
});
