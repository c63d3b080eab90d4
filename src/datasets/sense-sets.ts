/**
 * The built-in sense-labelled occurrence sets a run scores into senses.csv (lesson-senses,
 * wordnet-senses) and the lesson words whose sense pictures the report draws. `sensebench run`
 * and `npm run bench` pass these to the pipeline as `senseSets`.
 */
import type { SenseSet } from '../types.js';
import { loadSenseOccurrences, senseDatasetFiles } from './sense-occurrences.js';

/** Lesson words drawn in the report's sense pictures (every representation of every model). */
export const PICTURED_LESSON_WORDS: readonly string[] = ['bank', 'apple', 'bat', 'mouse', 'spring'];

/** lesson-senses (with the pictured words) and wordnet-senses, read from the committed files. */
export async function builtinSenseSets(files: { readonly lesson: string; readonly wordnet: string } = senseDatasetFiles()): Promise<SenseSet[]> {
  const [lesson, wordnet] = await Promise.all([loadSenseOccurrences(files.lesson), loadSenseOccurrences(files.wordnet)]);
  return [
    { name: 'lesson-senses', occurrences: lesson, projectWords: PICTURED_LESSON_WORDS.filter((word) => lesson.some((o) => o.word === word)) },
    { name: 'wordnet-senses', occurrences: wordnet },
  ];
}
