/**
 * Small real inputs for CLI tests that must run in about a second: a GloVe-text vectors file over
 * a dozen words and generic CSV datasets of labelled pairs over them (`static:PATH` + a CSV path
 * exercise the same loaders, pipeline and writers as the built-in data).
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

export const TINY_WORDS = ['bank', 'river', 'money', 'the', 'near', 'deposit', 'apple', 'fruit', 'phone', 'ate', 'an', 'new'];

/** Writes `vectors.txt` (4-d GloVe text) into `dir`; returns its `--model` spec. */
export function writeTinyVectors(dir: string): string {
  const path = join(dir, 'vectors.txt');
  writeFileSync(path, TINY_WORDS.map((word, i) => `${word} ${Array.from({ length: 4 }, (_, d) => (Math.sin(i * 7 + d) / 2).toFixed(4)).join(' ')}`).join('\n') + '\n');
  return `static:${path}`;
}

/** Writes a generic CSV of `pairs` labelled pairs (bank / apple) at `path`; `variant` changes the sentences. */
export function writeTinyCsv(path: string, pairs = 24, variant = 0): string {
  const rows = ['id,word,sentence1,sentence2,label'];
  for (let i = 0; i < pairs; i++) {
    const word = i % 2 === 0 ? 'bank' : 'apple';
    rows.push(`p${i},${word},the ${word} near the river ${i + variant},an ${word} new deposit money ${(i + variant) % 5},${i % 3 === 0 ? 'T' : 'F'}`);
  }
  writeFileSync(path, rows.join('\n') + '\n');
  return path;
}
