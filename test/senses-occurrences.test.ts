/**
 * The sense-labelled occurrence sets: the committed files are what the generators produce (byte for
 * byte), every label agrees with its source (WordNet's synsets, the lesson's sense tags), and the
 * loader rejects malformed lines with `file:line`.
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildWordnetSenses, DEFAULT_SEED, readWordnetPos, splitLemmas, wordnetDictDir, wordnetExceptionsDir, type WordnetPos } from '../src/datasets/wordnet/index.js';
import { buildLessonSenses, loadSenseOccurrences, parseSenseTsv, senseDatasetFiles } from '../src/datasets/sense-occurrences.js';
import { InputError, type SenseOccurrence } from '../src/types.js';
import { tempDirs } from './helpers/temp-dirs.js';

const files = senseDatasetFiles();
const tempDir = tempDirs('senses');

describe('wordnet-senses', () => {
  it('regenerates the committed file byte for byte', async () => {
    const dir = await tempDir();
    const summary = await buildWordnetSenses({ seed: DEFAULT_SEED, outDir: dir });
    expect(await readFile(summary.file)).toEqual(await readFile(files.wordnet));
    expect(summary.splits.all.occurrences).toBe(summary.splits.train.occurrences + summary.splits.dev.occurrences + summary.splits.test.occurrences);
  });

  it('splits by lemma 70/10/20, and another seed moves lemmas between splits', async () => {
    const committed = await loadSenseOccurrences(files.wordnet);
    const lemmas = [...new Set(committed.map((o) => o.word))];
    const split42 = splitLemmas(lemmas, DEFAULT_SEED);
    for (const o of committed) expect(o.split).toBe(split42.get(o.word));
    const counts = { train: 0, dev: 0, test: 0 };
    for (const split of split42.values()) counts[split]++;
    expect(counts.train).toBe(Math.round(0.7 * lemmas.length));
    expect(counts.dev).toBe(Math.round(0.1 * lemmas.length));
    const split7 = splitLemmas(lemmas, 7);
    expect(lemmas.some((lemma) => split7.get(lemma) !== split42.get(lemma))).toBe(true);
  });

  it('labels every occurrence with a synset that lists the sentence and the lemma; >= 2 senses per word', async () => {
    const occurrences = await loadSenseOccurrences(files.wordnet);
    const data = new Map<WordnetPos, Awaited<ReturnType<typeof readWordnetPos>>>();
    for (const pos of ['n', 'v', 'a', 'r'] as const) data.set(pos, await readWordnetPos(wordnetDictDir(), pos, wordnetExceptionsDir()));
    const sensesOfWord = new Map<string, Set<string>>();
    const sentencesOfWord = new Map<string, Set<string>>();
    for (const occurrence of occurrences) {
      const [pos, offset] = occurrence.sense.split('.') as [WordnetPos, string];
      const synset = data.get(pos)!.synsets.get(offset);
      expect(synset, occurrence.id).toBeDefined();
      expect(synset!.examples).toContain(occurrence.sentence);
      expect(data.get(pos)!.index.get(occurrence.word)).toContain(offset);
      expect(occurrence.sentence.slice(occurrence.spans[0].start, occurrence.spans[0].end).length).toBeGreaterThan(0);
      sensesOfWord.set(occurrence.word, (sensesOfWord.get(occurrence.word) ?? new Set()).add(occurrence.sense));
      const sentences = sentencesOfWord.get(occurrence.word) ?? new Set();
      expect(sentences.has(occurrence.sentence), `${occurrence.id}: a sentence twice for one word`).toBe(false);
      sentencesOfWord.set(occurrence.word, sentences.add(occurrence.sentence));
    }
    for (const [word, senses] of sensesOfWord) expect(senses.size, word).toBeGreaterThanOrEqual(2);
    // The split is by word.
    const splitOf = new Map<string, string>();
    for (const o of occurrences) expect(splitOf.get(o.word) ?? o.split).toBe((splitOf.set(o.word, splitOf.get(o.word) ?? o.split), o.split));
  });

  it('finds inflected and irregular forms as wordnet-wic does', async () => {
    const occurrences = await loadSenseOccurrences(files.wordnet);
    const surface = (o: SenseOccurrence) => o.sentence.slice(o.spans[0].start, o.spans[0].end).toLowerCase();
    expect(occurrences.some((o) => o.word === 'run' && surface(o) === 'runs')).toBe(true);
    expect(occurrences.some((o) => o.word === 'run' && surface(o) === 'ran')).toBe(true);
  });
});

describe('lesson-senses', () => {
  it('regenerates the committed file byte for byte from lesson.src.tsv and SENSES.md', async () => {
    const dir = await tempDir();
    const out = join(dir, 'lesson-senses.tsv');
    expect(await buildLessonSenses({ lessonDir: join(import.meta.dirname, '..', 'datasets', 'lesson'), outFile: out })).toBe(480);
    expect(await readFile(out)).toEqual(await readFile(files.lesson));
  });

  it('agrees with lesson.csv: the same sentences and spans, labels T exactly when the senses match', async () => {
    const occurrences = await loadSenseOccurrences(files.lesson);
    const byId = new Map(occurrences.map((o) => [o.id, o]));
    const csv = (await readFile(join(import.meta.dirname, '..', 'datasets', 'lesson', 'lesson.csv'), 'utf8')).trim().split('\n').slice(1);
    expect(occurrences).toHaveLength(2 * csv.length);
    for (const line of csv) {
      const id = line.split(',')[0]!;
      const label = /,([TF]),(?:train|test)$/.exec(line)![1];
      const first = byId.get(`${id}:1`)!;
      const second = byId.get(`${id}:2`)!;
      expect(line).toContain(`${first.spans[0].start},${first.spans[0].end},${second.spans[0].start},${second.spans[0].end}`);
      expect(first.sentence.slice(first.spans[0].start, first.spans[0].end).toLowerCase()).toBe(first.word);
      expect(label === 'T').toBe(first.sense === second.sense);
    }
    expect(new Set(occurrences.filter((o) => o.word === 'bank').map((o) => o.sense))).toEqual(new Set(['river', 'finance']));
  });
});

describe('datasets/README.md', () => {
  it('lists the sha256 of both committed occurrence files', async () => {
    const readme = await readFile(join(import.meta.dirname, '..', 'datasets', 'README.md'), 'utf8');
    for (const [file, name] of [
      [files.wordnet, 'wordnet-senses/wordnet-senses.tsv'],
      [files.lesson, 'lesson/lesson-senses.tsv'],
    ] as const) {
      const sha = createHash('sha256').update(await readFile(file)).digest('hex');
      expect(readme).toContain(`${sha}  ${name}`);
    }
  });
});

describe('sense-occurrence loader', () => {
  const header = 'id\tword\tsense\tsplit\tstart\tend\tgloss\tsentence';
  const good = 'a:1\tbank\triver\ttest\t4\t8\tside of a river\tThe bank was steep.';
  const cases: [string, string, RegExp][] = [
    ['header', 'id\tword\n', /f\.tsv:1: header/],
    ['field count', `${header}\n${good}\tx\n`, /f\.tsv:2: expected 8/],
    ['duplicate id', `${header}\n${good}\n${good}\n`, /f\.tsv:3: duplicate id "a:1" \(first at f\.tsv:2\)/],
    ['split', `${header}\n${good.replace('test', 'later')}\n`, /f\.tsv:2: split must be/],
    ['span range', `${header}\n${good.replace('\t4\t8\t', '\t4\t80\t')}\n`, /f\.tsv:2: target span 4-80 is out of range/],
    ['span cuts a word', `${header}\n${good.replace('\t4\t8\t', '\t5\t8\t')}\n`, /f\.tsv:2: .*not a whole word/],
    ['offsets', `${header}\n${good.replace('\t4\t8\t', '\tfour\t8\t')}\n`, /f\.tsv:2: start and end must be/],
    ['word in two splits', `${header}\n${good}\n${good.replace('a:1', 'a:2').replace('test', 'train')}\n`, /f\.tsv:3: word "bank" is in both test and train/],
    ['upper-case word', `${header}\n${good.replace('\tbank\t', '\tBank\t')}\n`, /f\.tsv:2: word must be/],
  ];
  it.each(cases)('rejects a bad %s with file:line', (_name, text, message) => {
    expect(() => parseSenseTsv(text, 'f.tsv')).toThrow(InputError);
    expect(() => parseSenseTsv(text, 'f.tsv')).toThrow(message);
  });
  it('reads a good line', () => {
    const [occurrence] = parseSenseTsv(`${header}\n${good}\n`, 'f.tsv');
    expect(occurrence).toEqual({
      id: 'a:1',
      word: 'bank',
      sense: 'river',
      split: 'test',
      gloss: 'side of a river',
      sentence: 'The bank was steep.',
      spans: [{ start: 4, end: 8 }],
      source: { file: 'f.tsv', line: 2 },
    });
  });
});
