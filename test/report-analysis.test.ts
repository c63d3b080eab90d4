/**
 * The report's analysis sections state findings computed from the numbers: checked on a real run
 * of the hashing model (test/helpers/hashing-model.ts), by recomputing each finding's numbers here
 * from the result, and by changing a number and watching the sentence change with it.
 */
import { describe, expect, it } from 'vitest';
import { runEvaluation } from '../src/pipeline/index.js';
import { sectionBlocks } from '../src/reports/report.js';
import type { Block } from '../src/reports/document.js';
import { formatNumber } from '../src/reports/content.js';
import type { SentencePair, SplitName } from '../src/types.js';
import { HashingModel, source, syntheticPairs } from './helpers/hashing-model.js';

import type { RunResult } from '../src/results/run-result.js';
import type { SummaryRow } from '../src/results/schema.js';
async function run(): Promise<RunResult> {
  const splits = new Map<SplitName, SentencePair[]>([
    ['train', syntheticPairs('train')],
    ['test', syntheticPairs('test')],
  ]);
  return runEvaluation({
    datasets: [{ name: 'mem', format: 'jsonl', splits, sha256: '0'.repeat(64), files: ['mem.jsonl'] }],
    models: [source(new HashingModel('hash'))],
    seed: 9,
    resamples: 100,
    date: new Date('2026-12-01T00:00:00Z'),
  });
}

/** The analysis sections of the report. */
function analysisBlocks(result: RunResult): Block[] {
  return sectionBlocks(result, ['anisotropy', 'contextuality', 'cosimlex', 'layers', 'significance']);
}

/** Every finding of the analysis sections, as plain text. */
function findings(blocks: readonly Block[]): string[] {
  return blocks.flatMap((block) => (block.type === 'list' ? block.items.map((item) => item.map((part) => part.text).join('')) : []));
}

describe('analysis sections', () => {
  it('say which representation gains from a correction, with the numbers of summary.csv', async () => {
    const result = await run();
    const test = result.splits.find((split) => split.split === 'test')!;
    const score = (normalization: string): SummaryRow => test.scores.find((row) => row.representation === 'sentence' && row.normalization === normalization)!;
    const raw = score('none').auc!.value;
    const corrected = ['center', 'zscore', 'abtt'].map((n) => ({ n, value: score(n).auc!.value })).sort((a, b) => b.value - a.value)[0]!;
    const text = findings(analysisBlocks(result));
    if (corrected.value - raw >= 0.01) {
      expect(text).toContain(`hash · sentence gains most from a correction: AUC ${formatNumber(raw)} raw, ${formatNumber(corrected.value)} with ${corrected.n} (+${formatNumber(corrected.value - raw)}).`);
    } else {
      expect(text.some((line) => line.startsWith('No correction raises AUC by 0.01 or more for') && line.includes('hash · sentence'))).toBe(true);
    }
    // The static representation can never gain: it is in the no-change list, with the reason.
    expect(text.some((line) => line.includes('hash · word') && line.startsWith('No correction raises AUC'))).toBe(true);
  });

  it('change their words when the numbers change', async () => {
    const result = await run();
    const boosted: RunResult = {
      ...result,
      splits: result.splits.map((split) => ({
        ...split,
        scores: split.scores.map((row) =>
          row.representation === 'sentence' && row.normalization === 'abtt' && row.auc !== null ? { ...row, auc: { value: 0.987, low: 0.9, high: 1 } } : row,
        ),
      })),
    };
    const raw = result.splits.find((split) => split.split === 'test')!.scores.find((row) => row.representation === 'sentence' && row.normalization === 'none')!.auc!.value;
    expect(findings(analysisBlocks(boosted))).toContain(
      `hash · sentence gains most from a correction: AUC ${formatNumber(raw)} raw, 0.987 with abtt (+${formatNumber(0.987 - raw)}).`,
    );
  });

  it('report the static representation as one vector per word, and compare the contextual one against it', async () => {
    const result = await run();
    const text = findings(analysisBlocks(result));
    const word = result.contextuality.find((row) => row.representation === 'word' && row.normalization === 'none')!;
    expect(word.selfSimilarity).toBe(1);
    expect(text).toContain(
      `hash · word: self-similarity 1.000${word.maxExplainableVariance === null ? '' : ' and explainable variance 1.000'} over ${word.measuredWords} words — every occurrence of a word is the same vector, whatever the sentence.`,
    );
    const comparison = result.comparisons.find((row) => row.split === 'test' && row.normalization === 'none')!;
    expect([comparison.representationA, comparison.representationB]).toEqual(['hash:word', 'hash:sentence']);
    const line = text.find((candidate) => candidate.startsWith('Against the best static representation, hash · word'))!;
    const { low, high } = comparison.difference!;
    const excludes = low !== null && high !== null && (low > 0 || high < 0);
    expect(line).toContain(excludes ? 'hash · sentence' : 'the interval includes 0');
  });

  it('state the contextuality findings from contextuality.csv, and change them when its numbers change', async () => {
    const result = await run();
    const sentence = result.contextuality.find((row) => row.representation === 'sentence' && row.normalization === 'none')!;
    // Every word of a sentence gets the hash of the sentence: intra-sentence similarity exactly 1.
    expect(sentence.intraSentenceSimilarity).toBe(1);
    const text = findings(analysisBlocks(result));
    expect(text).toContain('hash · sentence: intra-sentence similarity 1.000 — every word of a sentence gets the same vector, so its self-similarity compares whole sentences.');
    const variance = (row: typeof sentence): string =>
      `Adjusted for anisotropy, one vector per word explains at most ${formatNumber(row.maxExplainableVarianceAdjusted)} of the variance of a word's occurrences in a contextual representation (hash · sentence: ${formatNumber(row.maxExplainableVariance)} raw, ${formatNumber(row.varianceBaseline)} for random words).`;
    expect(text).toContain(variance(sentence));
    const changed = { ...sentence, maxExplainableVariance: 0.9, varianceBaseline: 0.25, maxExplainableVarianceAdjusted: 0.65 };
    const changedText = findings(analysisBlocks({ ...result, contextuality: result.contextuality.map((row) => (row === sentence ? changed : row)) }));
    expect(changedText).toContain(variance(changed));
    expect(changedText).not.toContain(variance(sentence));
  });
});
