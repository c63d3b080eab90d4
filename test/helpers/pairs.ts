import type { SentencePair } from '../../src/types.js';

/** The text at each sentence's target span: what a loader claims the target is. */
export function targetTexts(pair: SentencePair): [string, string] {
  return [pair.sentence1.slice(pair.spans1[0].start, pair.spans1[0].end), pair.sentence2.slice(pair.spans2[0].start, pair.spans2[0].end)];
}
