/**
 * Senses as points: for one word and one representation, a 2-D PCA projection of the word's
 * occurrences, by sense (the numbers of a sense picture; src/reports/sense-panels.ts draws them).
 *
 * The PCA (./pca.ts) is fitted per word and representation on the unit-normalised vectors, since
 * the sense metrics compare by cosine. Occurrences with identical vectors land on one point: each
 * (point, sense) is kept once with its count. A representation that gives every occurrence the same
 * vector (a static `target`) has no variance: one point at the origin.
 */
import type { SenseProjection } from '../results/json-schemas.js';
import type { RepresentationKind, SenseOccurrence } from '../types.js';
import { round6 } from './metric.js';
import { fitPca, project } from './pca.js';
import { scoreWord, unitVectors } from './senses.js';

/** What one picture is made of: a word's occurrences and their vectors under one representation. */
export interface ProjectionInput {
  readonly word: string;
  readonly model: string;
  readonly representation: string;
  readonly kind: RepresentationKind;
  /** The word's occurrences, index-aligned with `vectors`. */
  readonly occurrences: readonly Pick<SenseOccurrence, 'sense' | 'gloss'>[];
  readonly vectors: readonly (ArrayLike<number> | null)[];
}

/** A file name part of a picture: lower case, every character but letters, digits, `.`, `_` and `-` as `_`. */
function panelNamePart(text: string): string {
  return text.toLowerCase().replace(/[^a-z0-9._-]+/g, '_');
}

function vectorKey(vector: Float64Array): string {
  return Array.from(vector, (x) => x.toString()).join(',');
}

/** The 2-D PCA points and scores of one word and representation (see the module comment). */
export function projectSenses(input: ProjectionInput): SenseProjection {
  const units = unitVectors(input.vectors);
  const kept = input.occurrences.map((occurrence, i) => ({ occurrence, unit: units[i] })).filter((item): item is { occurrence: (typeof input.occurrences)[number]; unit: Float64Array } => item.unit !== null);
  const missing = input.occurrences.length - kept.length;
  const senseOrder = [...new Set(input.occurrences.map((o) => o.sense))];
  const glossOf = new Map(input.occurrences.map((o) => [o.sense, o.gloss]));
  const distinctVectors = new Set(kept.map((item) => vectorKey(item.unit))).size;
  let points: { x: number; y: number; sense: string; count: number }[] = [];
  let explained: [number, number] | null = null;
  if (kept.length > 0) {
    const cols = kept[0]!.unit.length;
    const data = new Float64Array(kept.length * cols);
    kept.forEach((item, i) => { data.set(item.unit, i * cols); });
    const pca = fitPca({ rows: kept.length, cols, data }, 2);
    // One distinct vector has no variance (the PCA would only see rounding noise of the mean).
    if (distinctVectors > 1 && pca.totalVariance > 0) explained = [pca.explainedVariance[0]! / pca.totalVariance, (pca.explainedVariance[1] ?? 0) / pca.totalVariance];
    const groups = new Map<string, { x: number; y: number; sense: string; count: number }>();
    for (const item of kept) {
      // Identical vectors project identically; no variance means one point at the origin.
      const [x, y] = explained === null ? [0, 0] : Array.from(project(pca, item.unit), round6);
      const key = `${x},${y},${item.occurrence.sense}`;
      const group = groups.get(key);
      if (group) group.count++;
      else groups.set(key, { x: x ?? 0, y: y ?? 0, sense: item.occurrence.sense, count: 1 });
    }
    // Larger markers first so that smaller ones at the same point stay on top.
    points = [...groups.values()].sort((a, b) => b.count - a.count || senseOrder.indexOf(a.sense) - senseOrder.indexOf(b.sense));
  }
  const score = kept.length >= 2 ? scoreWord(input.word, kept.map((item) => item.unit), kept.map((item) => item.occurrence.sense)) : null;
  const fileName = `senses-${panelNamePart(input.word)}-${panelNamePart(input.model)}-${panelNamePart(input.representation)}.svg`;
  const senses = senseOrder.map((sense) => ({ sense, gloss: glossOf.get(sense) ?? '' }));
  return { word: input.word, model: input.model, representation: input.representation, kind: input.kind, occurrences: kept.length, missing, distinctVectors, explained, points, score, fileName, senses };
}
