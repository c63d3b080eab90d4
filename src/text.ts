/**
 * Text primitives shared by the dataset loaders, the static models and the CLI: punctuation at
 * word edges, whitespace tokens, whole-word search. No dependencies, so the quick commands
 * (`sensebench similarity`) load them without the loaders' schemas.
 */
import { InputError, type SourceRef } from './errors.js';
import type { Span } from './types.js';

/** Punctuation that may surround a word inside a whitespace token ("bank." or "(bank,"). */
const EDGE_PUNCTUATION = /^[\p{P}\p{S}]+|[\p{P}\p{S}]+$/gu;

/** Strips surrounding punctuation: `"bank."` -> `bank`. Inner punctuation (`don't`, `well-known`) stays. */
export function stripEdgePunctuation(token: string): string {
  return token.replace(EDGE_PUNCTUATION, '');
}

/**
 * Words of running text: letters or digits with inner apostrophes, hyphens or periods (`don't`,
 * `well-known`, `U.S`); punctuation between them is not a word. The one definition of "a word of a
 * sentence" for every model: the static models look these up, and contextuality's intra-sentence
 * similarity and anisotropy baselines embed each of them as an occurrence.
 */
const WORD = /[\p{L}\p{N}]+(?:['’\-.][\p{L}\p{N}]+)*/gu;

/** The words of a sentence (see {@link WORD}) as character spans, in order. */
export function wordSpans(sentence: string): Span[] {
  const spans: Span[] = [];
  for (const match of sentence.matchAll(WORD)) spans.push({ start: match.index, end: match.index + match[0].length });
  return spans;
}

/** Whitespace tokens of a sentence with their character offsets. */
export function whitespaceTokens(sentence: string): { text: string; start: number; end: number }[] {
  const tokens: { text: string; start: number; end: number }[] = [];
  for (const match of sentence.matchAll(/\S+/g)) {
    tokens.push({ text: match[0], start: match.index, end: match.index + match[0].length });
  }
  return tokens;
}

/** True for scripts written without spaces between words, where a target need not sit on word boundaries. */
export function isUnspacedScript(text: string): boolean {
  return /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}\p{Script=Thai}]/u.test(text);
}

/**
 * Where `word` occurs in `sentence` (case-insensitive): as a whole word, or anywhere in scripts
 * written without spaces (Chinese, Japanese, Korean), where there are no word boundaries to require.
 */
export function occurrencesOf(sentence: string, word: string): Span[] {
  const escaped = word.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const pattern = isUnspacedScript(word) ? new RegExp(escaped, 'giu') : new RegExp(`(?<![\\p{L}\\p{N}])${escaped}(?![\\p{L}\\p{N}])`, 'giu');
  return [...sentence.matchAll(pattern)].map((match) => ({ start: match.index, end: match.index + match[0].length }));
}

/** Finds `word` as a whole word (case-insensitive); it must occur exactly once so the target is unambiguous. */
export function locateWord(sentence: string, word: string, field: string, source: SourceRef, hint = 'give start/end offsets or token indices'): Span {
  if (word.trim() === '') throw new InputError(`the target word is empty`, source);
  const matches = occurrencesOf(sentence, word);
  if (matches.length !== 1) {
    const shown = word.length > 200 ? `${JSON.stringify(word.slice(0, 200))}…` : JSON.stringify(word);
    throw new InputError(matches.length === 0 ? `target ${shown} not found as a whole word in ${field}; ${hint}` : `target ${shown} occurs ${matches.length} times in ${field}; ${hint}`, source);
  }
  return matches[0]!;
}
