import type { SentencePair } from '../../src/types.js';

/** The text at each sentence's target span: what a loader claims the target is. */
export function targetTexts(pair: SentencePair): [string, string] {
  return [pair.sentence1.slice(pair.span1.start, pair.span1.end), pair.sentence2.slice(pair.span2.start, pair.span2.end)];
}
