#!/usr/bin/env node
// Builds datasets/lesson/lesson.csv from the hand-written source lesson.src.tsv.
//
// The source marks the target word as [word] so that nobody has to count character offsets by
// hand; this script strips the brackets, computes the offsets (JavaScript string indices, end
// exclusive) and writes the CSV. It is deterministic: the same source gives the same bytes, which
// test/lesson-dataset.test.ts checks by rebuilding into a temporary file.
//
// Usage: node datasets/lesson/build.mjs [--source <path>] [--out <path>]
//   (defaults: lesson.src.tsv and lesson.csv beside this script; the options exist for the test)
//
// Source columns (tab-separated, header required):
//   id        explicit id, or empty for the automatic `<word>-<n>` (n counts empty-id rows per word)
//   word      the target word, lowercase; the bracketed text must equal it case-insensitively
//   split     train | test
//   label     T (same sense) | F (different sense)
//   sense1    short sense tag of the target in sentence1 (see SENSES.md); not written to the CSV,
//   sense2    but label must equal (sense1 === sense2), which catches labelling slips
//   sentence1, sentence2   the sentences, with the target marked exactly once as [word]

import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { stringify } from 'csv-stringify/sync';

const HERE = dirname(fileURLToPath(import.meta.url));
const SOURCE_PATH = join(HERE, 'lesson.src.tsv');
const DEFAULT_OUT = join(HERE, 'lesson.csv');

const SOURCE_HEADER = ['id', 'word', 'split', 'label', 'sense1', 'sense2', 'sentence1', 'sentence2'];
const CSV_COLUMNS = ['id', 'word', 'sentence1', 'sentence2', 'start1', 'end1', 'start2', 'end2', 'label', 'split'];
const MIN_WORDS = 6;
const MAX_WORDS = 25;

/**
 * Removes the single [target] marker from a marked sentence.
 * @param {string} marked sentence with the target written as [target]
 * @param {string} word the lowercase target word the marker must contain
 * @param {(reason: string) => Error} fail builds an error located at the source line
 * @returns {{ sentence: string, start: number, end: number }}
 */
function unmark(marked, word, fail) {
  const open = marked.indexOf('[');
  const close = marked.indexOf(']');
  if (open < 0 || close < open) throw fail(`no [target] marker in: ${marked}`);
  if (marked.indexOf('[', open + 1) >= 0 || marked.indexOf(']', close + 1) >= 0) {
    throw fail(`more than one [target] marker in: ${marked}`);
  }
  const target = marked.slice(open + 1, close);
  if (target.toLowerCase() !== word) throw fail(`marked "${target}" is not the word "${word}"`);
  const sentence = marked.slice(0, open) + target + marked.slice(close + 1);
  const start = open;
  const end = open + target.length;

  // The harness and its readers may look the word up by surface form; a second occurrence would
  // make the pair ambiguous, so each sentence holds the target exactly once as a whole word.
  const wholeWord = new RegExp(`(?<![A-Za-z])${word}(?![A-Za-z])`, 'gi');
  const occurrences = [...sentence.matchAll(wholeWord)].length;
  if (occurrences !== 1) throw fail(`"${word}" occurs ${occurrences} times in: ${sentence}`);
  // Offsets are JavaScript string indices; plain ASCII keeps them equal to byte and code-point offsets.
  if (!/^[\x20-\x7e]+$/.test(sentence)) throw fail(`non-ASCII or control character in: ${sentence}`);
  const wordCount = sentence.split(/\s+/).filter((token) => token !== '').length;
  if (wordCount < MIN_WORDS || wordCount > MAX_WORDS) {
    throw fail(`${wordCount} words, expected ${MIN_WORDS}-${MAX_WORDS}: ${sentence}`);
  }
  return { sentence, start, end };
}

/**
 * Parses the source text and returns the CSV text.
 * @param {string} sourceText contents of lesson.src.tsv
 * @param {string} sourceName file name used in error messages
 * @returns {string}
 */
export function buildLessonCsv(sourceText, sourceName) {
  const lines = sourceText.split('\n');
  if (lines.at(-1) === '') lines.pop();
  const header = (lines[0] ?? '').split('\t');
  if (header.join('\t') !== SOURCE_HEADER.join('\t')) {
    throw new Error(`${sourceName}:1: header must be ${SOURCE_HEADER.join(' ')}`);
  }

  const rows = [];
  const ids = new Set();
  const autoIdCounter = new Map();
  const splitOfWord = new Map();
  for (let index = 1; index < lines.length; index++) {
    const lineNumber = index + 1;
    const fail = (reason) => new Error(`${sourceName}:${lineNumber}: ${reason}`);
    const fields = lines[index].split('\t');
    if (fields.length !== SOURCE_HEADER.length) {
      throw fail(`expected ${SOURCE_HEADER.length} tab-separated fields, got ${fields.length}`);
    }
    const [explicitId, word, split, label, sense1, sense2, marked1, marked2] = fields;
    if (!/^[a-z]+$/.test(word)) throw fail(`word must be lowercase letters: "${word}"`);
    if (split !== 'train' && split !== 'test') throw fail(`split must be train or test: "${split}"`);
    if (label !== 'T' && label !== 'F') throw fail(`label must be T or F: "${label}"`);
    if (sense1 === '' || sense2 === '') throw fail('sense tags must not be empty');
    if ((label === 'T') !== (sense1 === sense2)) {
      throw fail(`label ${label} contradicts senses ${sense1}/${sense2}`);
    }
    const previousSplit = splitOfWord.get(word);
    if (previousSplit !== undefined && previousSplit !== split) {
      throw fail(`word "${word}" is in both ${previousSplit} and ${split}; the split is by word`);
    }
    splitOfWord.set(word, split);

    let id = explicitId;
    if (id === '') {
      const n = (autoIdCounter.get(word) ?? 0) + 1;
      autoIdCounter.set(word, n);
      id = `${word}-${n}`;
    }
    if (ids.has(id)) throw fail(`duplicate id ${id}`);
    ids.add(id);

    const first = unmark(marked1, word, fail);
    const second = unmark(marked2, word, fail);
    const surface1 = first.sentence.slice(first.start, first.end).toLowerCase();
    const surface2 = second.sentence.slice(second.start, second.end).toLowerCase();
    if (surface1 !== surface2) throw fail(`surface forms differ: ${surface1} / ${surface2}`);

    rows.push([id, word, first.sentence, second.sentence, first.start, first.end, second.start, second.end, label, split]);
  }
  return stringify(rows, { header: true, columns: CSV_COLUMNS });
}

function main() {
  const usage = 'usage: node datasets/lesson/build.mjs [--source <path>] [--out <path>]';
  const args = process.argv.slice(2);
  let sourcePath = SOURCE_PATH;
  let sourceName = 'datasets/lesson/lesson.src.tsv';
  let outPath = DEFAULT_OUT;
  for (let index = 0; index < args.length; index += 2) {
    const value = args[index + 1];
    if (value === undefined) throw new Error(usage);
    if (args[index] === '--source') sourcePath = sourceName = value;
    else if (args[index] === '--out') outPath = value;
    else throw new Error(usage);
  }

  const csv = buildLessonCsv(readFileSync(sourcePath, 'utf8'), sourceName);
  // Write-then-rename so that a reader never sees a half-written CSV.
  const temporaryPath = `${outPath}.${process.pid}.tmp`;
  writeFileSync(temporaryPath, csv, 'utf8');
  renameSync(temporaryPath, outPath);
  process.stdout.write(`wrote ${outPath}\n`);
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) {
  try {
    main();
  } catch (error) {
    // Source errors already read `file:line: reason`; a stack trace would only bury that line.
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  }
}
