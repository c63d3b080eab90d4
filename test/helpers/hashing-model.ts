/**
 * A real, tiny EmbeddingModel for pipeline and report tests (no ONNX, no GloVe): its `word`
 * representation hashes the target's text (static: one vector per word), its `sentence`
 * representation hashes the whole sentence (contextual).
 */

import { fnv1a32, mulberry32 } from '../../src/random.js';
import type { EmbeddingModel, OccurrenceEmbedding, SentencePair, SplitName, TargetOccurrence, ModelSource } from '../../src/types.js';

/** A deterministic 8-d vector from a text (a seeded stream keyed by its hash). */
export function hashVector(text: string): Float32Array {
  const random = mulberry32(fnv1a32(text));
  return Float32Array.from({ length: 8 }, () => random.next() * 2 - 1);
}

/** A real, tiny embedding model: `word` sees only the target's text, `sentence` the whole sentence. */
export class HashingModel implements EmbeddingModel {
  readonly sha256 = 'f'.repeat(64);
  readonly info = { dimensions: 8 };
  readonly representations = [
    { name: 'word', kind: 'static', description: 'hash of the target text' },
    { name: 'sentence', kind: 'contextual', description: 'hash of the sentence' },
  ] as const;
  embedCalls = 0;
  /** Occurrences embedded over all calls, and the most in one call. */
  occurrencesEmbedded = 0;
  largestCall = 0;
  disposed = 0;
  constructor(readonly id: string) {}
  embed(occurrences: readonly TargetOccurrence[]): Promise<OccurrenceEmbedding[]> {
    this.embedCalls += 1;
    this.occurrencesEmbedded += occurrences.length;
    this.largestCall = Math.max(this.largestCall, occurrences.length);
    return Promise.resolve(
      occurrences.map(({ sentence, spans }) => ({
        vectors: [hashVector(spans.map((span) => sentence.slice(span.start, span.end).toLowerCase()).join(' ')), hashVector(sentence)],
        truncated: false,
      })),
    );
  }
  dispose(): Promise<void> {
    this.disposed += 1;
    return Promise.resolve();
  }
}

export function source(model: HashingModel): ModelSource {
  return { spec: model.id, load: () => Promise.resolve(model), describe: () => `The hashing test model ${model.id}.` };
}

/** 36 synthetic pairs of one split over six words, two in three labelled same sense: real input for pipeline tests. */
export function syntheticPairs(split: SplitName): SentencePair[] {
  const words = ['bank', 'bat', 'spring', 'pitch', 'match', 'light'];
  return Array.from({ length: 36 }, (_, i) => {
    const word = words[i % words.length]!;
    const s1 = `The ${word} number ${i} in ${split} stands here.`;
    const s2 = `Some other ${word} ${i % 4} there.`;
    const at = (s: string) => [{ start: s.indexOf(word), end: s.indexOf(word) + word.length }] as const;
    return { id: `${split}-${i}`, word, sentence1: s1, sentence2: s2, spans1: at(s1), spans2: at(s2), label: i % 3 !== 0, score: null, split, source: { file: 'mem', line: i + 1 } };
  });
}
