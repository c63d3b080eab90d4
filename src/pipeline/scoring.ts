/**
 * Cosines to metrics: scores every dataset split with every model representation from the stored
 * cosines alone (a pair's word, label, score and its cosine per representation). `sensebench run`
 * and `sensebench score DIR` (re-scoring the pairs CSVs of a finished run) both call this, which is
 * why the two give byte-identical summary.csv and words/ files.
 */
import { scoreRepresentation, scoreWords, type ScoredPair } from '../metrics/index.js';
import { summaryTable, wordsTable, type SummaryRow, type WordScore } from '../results/schema.js';
import type { ModelRecord, PairResult, RepresentationKey, SplitPairs, SplitResult } from '../types.js';

export type { SplitPairs } from '../types.js';

export interface ScoringOptions {
  readonly seed: number;
  /** Bootstrap resamples per interval. */
  readonly resamples: number;
}

/** The word a pair is grouped under in words/*.csv: `word/word2` when it targets two words. */
function wordOf({ pair }: PairResult): string {
  return pair.word2 !== undefined && pair.word2 !== pair.word ? `${pair.word}/${pair.word2}` : pair.word;
}

function scoredPairs(pairs: readonly PairResult[], key: RepresentationKey): ScoredPair[] {
  return pairs.map((result) => ({ word: wordOf(result), label: result.pair.label, score: result.pair.score, cosine: result.cosines.get(key) ?? null }));
}

/**
 * Scores every split with every representation of `models`. The accuracy threshold of a non-train
 * split is learned on the same dataset's train split; the train split itself, and datasets without
 * one, use cross-validation. Each row's random streams are keyed by model:representation:dataset:split.
 */
export function scoreSplits(splits: readonly SplitPairs[], models: readonly Pick<ModelRecord, 'id' | 'representations'>[], options: ScoringOptions): SplitResult[] {
  return splits.map((split) => {
    const train = split.split === 'train' ? undefined : splits.find((other) => other.dataset === split.dataset && other.split === 'train');
    const scores: SummaryRow[] = [];
    const words: WordScore[] = [];
    for (const model of models) {
      for (const representation of model.representations) {
        const key: RepresentationKey = `${model.id}:${representation.name}`;
        const evaluated = scoredPairs(split.pairs, key);
        const metrics = scoreRepresentation({
          evaluated,
          ...(train === undefined ? {} : { train: scoredPairs(train.pairs, key) }),
          seed: options.seed,
          bootstrapResamples: options.resamples,
          key: `${key}:${split.dataset}:${split.split}`,
        });
        // Results hold numbers exactly as the CSVs print them, so a result re-read from disk equals this one.
        scores.push(summaryTable.round({ dataset: split.dataset, split: split.split, model: model.id, kind: representation.kind, representation: representation.name, ...metrics }));
        words.push(...scoreWords({ evaluated, model: model.id, representation: representation.name }).map((row) => wordsTable.round(row)));
      }
    }
    return {
      dataset: split.dataset,
      split: split.split,
      unlabelled: split.pairs.every(({ pair }) => pair.label === null),
      graded: split.pairs.some(({ pair }) => pair.score !== null),
      pairs: split.pairs,
      scores,
      words,
    };
  });
}
