/**
 * A deterministic, adversarial sentence generator for the USE-lite parity tests: vocabulary words
 * in odd casing, punctuation runs, emoticons and `:`-prefixed pieces, numbers and times, accents in
 * composed and decomposed form, NFKC-sensitive characters (full-width, ligatures, superscripts,
 * NBSP), characters outside the vocabulary (CJK, emoji, combining marks), reserved piece names,
 * periodic text, tabs, newlines and runs of spaces.
 */
import { mulberry32 } from '../src/random.js';

/** mulberry32 (src/random.ts): every run generates the same data. */
export const seededRandom = (seed: number): (() => number) => mulberry32(seed).next;

const PUNCTUATION = ['.', ',', '!', '?', ';', ':', '...', '!!!', '?!', '--', '—', '–', '(', ')', '"', "'", '“', '”', '’', '/', '&', '%', '$', '#', '@', '*', '+', '=', '[', ']', '{', '}', '|', '\\', '^', '~', '`', '<', '>'];
const EMOTICONS = [':)', ':(', ':-)', ':30', ':00', '://', '):', '::', ':-(', ';)', ':D', 'http://example.com', '10:30', '12:00'];
const ODD = [
  'é', 'e\u0301', 'ñ', 'n\u0303', 'ü', 'ç', 'ø', 'æ', 'ß', 'ı', 'İ', 'ﬁ', 'ﬂ', '²', '½', '™', '…', '\u00a0', '\u2009', '\u3000',
  'ｆｕｌｌ', 'Ｗｉｄｔｈ', '①', 'Ⅻ', '漢字', '日本語', '한국어', 'Привет', 'привет', 'مرحبا', 'नमस्ते', 'αβγ', 'π', '∫', '√', '€', '£', '°',
  '😀', '👍🏽', '👨‍👩‍👧', '🇫🇷', '\u200b', '\u200d', '\ufeff', '\u0301', '\ufffd', '\ufffd\ufffd', '\t', '\n', '\r\n', '  ', '   ', '<s>', '</s>',
  'extra_token_id_1', 'extra_token_id_3', '▁', '▁▁', '▁the',
];
const PERIODIC = ['ha', 'la', 'a', '.', '!', '-', 'lo', 'na', 'x', '=', '*', 'ab', 'z', '0', '12'];

function pick<T>(random: () => number, items: readonly T[]): T {
  return items[Math.floor(random() * items.length)]!;
}

function recase(random: () => number, word: string): string {
  const r = random();
  if (r < 0.55) return word;
  if (r < 0.7) return word.toUpperCase();
  if (r < 0.85) return word.charAt(0).toUpperCase() + word.slice(1);
  return Array.from(word, (c) => (random() < 0.5 ? c.toUpperCase() : c.toLowerCase())).join('');
}

/** Words of the vocabulary: pieces without the leading `▁`, letters only, at least 2 long. */
export function vocabularyWords(vocab: readonly (readonly [string, number | null])[]): string[] {
  return vocab
    .slice(6)
    .map(([piece]) => piece.replace(/^\u2581/, ''))
    .filter((word) => /^\p{L}{2,}$/u.test(word));
}

/** `count` sentences, the same for the same seed. */
export function adversarialSentences(words: readonly string[], count: number, seed: number): string[] {
  const random = seededRandom(seed);
  const sentences: string[] = [];
  for (let s = 0; s < count; s++) {
    const parts: string[] = [];
    const length = 1 + Math.floor(random() * 14);
    for (let i = 0; i < length; i++) {
      const r = random();
      let token: string;
      if (r < 0.5) token = recase(random, pick(random, words));
      else if (r < 0.6) token = pick(random, PUNCTUATION);
      else if (r < 0.67) token = pick(random, EMOTICONS);
      else if (r < 0.75) token = String(Math.floor(random() * 10 ** (1 + Math.floor(random() * 6)))) + (random() < 0.3 ? `.${Math.floor(random() * 100)}` : '');
      else if (r < 0.9) token = pick(random, ODD);
      else if (r < 0.95) token = pick(random, PERIODIC).repeat(2 + Math.floor(random() * 7));
      else token = pick(random, words) + pick(random, ODD) + pick(random, words); // glued
      const glue = random();
      parts.push(glue < 0.7 ? ' ' : glue < 0.85 ? '' : glue < 0.95 ? '  ' : pick(random, ['\t', '\n', '\u00a0']));
      parts.push(token);
    }
    let sentence = parts.join('');
    const edge = random();
    if (edge < 0.75) sentence = sentence.trimStart(); // most sentences start with their first word
    else if (edge < 0.85) sentence = `:${sentence.trimStart()}`; // the position-0 rule
    if (random() < 0.1) sentence += ' ';
    sentences.push(sentence);
  }
  return sentences;
}
