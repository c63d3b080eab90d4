/**
 * The glosses of WordNet synsets as text: each synset's definition (the gloss without its quoted
 * examples) and its examples. Used for the sense labels of `wordnet-senses` and for the background
 * corpus of the multi-prototype vectors (src/models/multi-prototype.ts).
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { WordnetPos } from './morphy.js';
import { glossExamples, POS_FILES } from './wordnet-files.js';

/** One synset's gloss, split into definition and examples. */
export interface SynsetGloss {
  readonly pos: WordnetPos;
  readonly offset: string;
  /** The gloss without its quoted examples; parts joined by `; `; whitespace collapsed. */
  readonly definition: string;
  /** The quoted example sentences, as {@link glossExamples} returns them. */
  readonly examples: readonly string[];
}

/** The definition part of a gloss: every `;`-separated part that is not a quoted example. */
export function glossDefinition(gloss: string): string {
  return gloss
    .replace(/"[^"]*"/g, '')
    .split(';')
    .map((part) => part.replace(/\s+/g, ' ').trim())
    .filter((part) => part !== '')
    .join('; ');
}

/** Reads `data.<pos>` and returns every synset's gloss, in file order. */
export async function readGlosses(dictDir: string, pos: WordnetPos): Promise<SynsetGloss[]> {
  const text = await readFile(join(dictDir, `data.${POS_FILES[pos]}`), 'latin1');
  const glosses: SynsetGloss[] = [];
  for (const line of text.split('\n')) {
    // License header lines start with two spaces.
    if (line === '' || line.startsWith('  ')) continue;
    const bar = line.indexOf(' | ');
    const gloss = bar === -1 ? '' : line.slice(bar + 3);
    glosses.push({ pos, offset: line.slice(0, 8), definition: glossDefinition(gloss), examples: glossExamples(gloss) });
  }
  return glosses;
}
