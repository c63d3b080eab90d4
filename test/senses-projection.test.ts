/**
 * The sense pictures: a static target collapses onto one labelled marker, distinct vectors land
 * where the PCA puts them, the SVGs are byte-identical across runs, and the command finds a word's
 * occurrences, writes one SVG per representation and prints a summary.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fitPca, project } from '../src/metrics/pca.js';
import { findWordOccurrences, sensePanel, sensesCommand, sensesReport } from '../src/cli/senses.js';
import { formatSenseTsv, senseDatasetFiles } from '../src/datasets/sense-occurrences.js';
import { InputError, type SenseOccurrence } from '../src/types.js';
import { tempDirs } from './helpers/temp-dirs.js';

const tempDir = tempDirs('panels');

const senses = [
  { sense: 'river', gloss: 'side of a river' },
  { sense: 'river', gloss: 'side of a river' },
  { sense: 'finance', gloss: 'financial institution' },
  { sense: 'finance', gloss: 'financial institution' },
  { sense: 'finance', gloss: 'financial institution' },
];

describe('sensePanel', () => {
  it('draws identical vectors as one point with the count, and says so', async () => {
    const vector = Float32Array.from([0.3, -0.2, 0.9]);
    const panel = await sensePanel({ word: 'bank', model: 'glove-100d', representation: 'target', kind: 'static', occurrences: senses, vectors: senses.map(() => vector) });
    expect(panel.distinctVectors).toBe(1);
    expect(panel.explained).toBeNull();
    expect(panel.points).toEqual([
      { x: 0, y: 0, sense: 'finance', count: 3 },
      { x: 0, y: 0, sense: 'river', count: 2 },
    ]);
    expect(panel.svg).toContain('×5');
    expect(panel.svg).toContain('all 5 occurrences share one vector');
    expect(panel.score!.nn1Correct / panel.score!.occurrences).toBeCloseTo((2 * (1 / 4) + 3 * (2 / 4)) / 5, 12);
    expect(panel.fileName).toBe('senses-bank-glove-100d-target.svg');
  });

  it('places distinct vectors at their PCA coordinates and renders the same bytes twice', async () => {
    const vectors = [
      [1, 0.1, 0],
      [0.9, 0.2, 0.1],
      [0, 1, 0.2],
      [0.1, 0.9, 0],
      null,
    ].map((v) => (v === null ? null : Float32Array.from(v)));
    const input = { word: 'bank', model: 'm', representation: 'layer-1', kind: 'contextual' as const, occurrences: senses, vectors };
    const panel = await sensePanel(input);
    expect(panel.missing).toBe(1);
    expect(panel.distinctVectors).toBe(4);
    const units = vectors.slice(0, 4).map((v) => {
      const norm = Math.hypot(...v!);
      return Float64Array.from(v!, (x) => x / norm);
    });
    const pca = fitPca({ rows: 4, cols: 3, data: Float64Array.from(units.flatMap((u) => Array.from(u))) }, 2);
    const expected = units.map((u) => Array.from(project(pca, u)));
    for (const [x, y] of expected) expect(panel.points.some((p) => Math.abs(p.x - x!) < 1e-6 && Math.abs(p.y - y!) < 1e-6)).toBe(true);
    expect(panel.svg).toContain('1 occurrences without a vector are not drawn');
    expect((await sensePanel(input)).svg).toBe(panel.svg);
  });
});

describe('sensesReport and sensesCommand', () => {
  it('renders one panel per representation of every model and a summary', async () => {
    const dir = await tempDir();
    const vectorFile = join(dir, 'tiny.txt');
    await writeFile(vectorFile, 'bank 0 0 1\nriver 1 0 0\nmoney 0 1 0\nshore 0.9 0.1 0\nloan 0.1 0.9 0\nthe 0.3 0.3 0.3\n');
    const occurrences: Omit<SenseOccurrence, 'source'>[] = [
      ['the river bank', 'river', 'side of a river'],
      ['bank shore', 'river', 'side of a river'],
      ['money bank', 'finance', 'financial institution'],
      ['the bank loan', 'finance', 'financial institution'],
    ].map(([sentence, sense, gloss], i) => {
      const start = sentence!.indexOf('bank');
      return { id: `b:${i}`, word: 'bank', sense: sense!, gloss: gloss!, split: 'test', sentence: sentence!, spans: [{ start, end: start + 4 }] };
    });
    const occurrenceFile = join(dir, 'senses.tsv');
    await writeFile(occurrenceFile, formatSenseTsv(occurrences));
    const outDir = join(dir, 'out');
    const result = await sensesCommand({
      word: 'Bank',
      models: [`static:${vectorFile}`],
      cacheDir: dir,
      outDir,
      files: { 'lesson-senses': occurrenceFile, 'wordnet-senses': occurrenceFile },
    });
    expect(result.dataset).toBe('lesson-senses');
    expect(result.files.map((file) => file.slice(outDir.length + 1))).toEqual(
      ['target', 'context', 'multi-prototype'].map((name) => `senses-bank-static_tiny.txt-${name}.svg`),
    );
    for (const file of result.files) expect(await readFile(file, 'utf8')).toBe(result.svgs.get(file.slice(outDir.length + 1)));
    expect(result.text).toContain('bank: 4 occurrences in lesson-senses, 2 senses');
    expect(result.text).toMatch(/:target \(static\)\s+0\.333\s+0\.000\s+one point for all 4/);
    expect(result.text).toMatch(/:context \(static\)\s+1\.000/);
  });

  it('finds lesson words in lesson-senses and other words in wordnet-senses; refuses unknown words', async () => {
    const defaults = senseDatasetFiles();
    const files = { 'lesson-senses': defaults.lesson, 'wordnet-senses': defaults.wordnet };
    const bank = await findWordOccurrences('bank', 'auto', files);
    expect(bank.dataset).toBe('lesson-senses');
    expect(bank.occurrences).toHaveLength(16);
    expect((await findWordOccurrences('bank', 'wordnet-senses', files)).occurrences.length).toBeGreaterThan(5);
    await expect(findWordOccurrences('qwertyuiop', 'auto', files)).rejects.toThrow(InputError);
  });

  it('scoreSenseSet scores every representation of a model with its own bootstrap stream', async () => {
    const { StaticModel, StaticVectors } = await import('../src/models/static.js');
    const { scoreSenseSet } = await import('../src/pipeline/senses.js');
    const { scoreSenses } = await import('../src/metrics/senses.js');
    const { deriveSeed } = await import('../src/random.js');
    const model = new StaticModel('tiny', StaticVectors.fromWords(['bank', 'river', 'money'], Float32Array.from([0, 0, 1, 1, 0, 0, 0, 1, 0]), 3), 'x', {});
    const occurrences: SenseOccurrence[] = ['river bank', 'bank river', 'money bank', 'bank money'].map((sentence, i) => ({
      id: String(i),
      word: 'bank',
      sense: i < 2 ? 'river' : 'finance',
      gloss: '',
      split: 'test',
      sentence,
      spans: [{ start: sentence.indexOf('bank'), end: sentence.indexOf('bank') + 4 }],
      source: { file: 't', line: i + 1 },
    }));
    const { rows } = await scoreSenseSet(model, { name: 'tiny-senses', occurrences }, 42, 50);
    expect(rows.map((row) => [row.representation, row.nn1_accuracy])).toEqual([
      ['target', 1 / 3],
      ['context', 1],
    ]);
    const embedded = await model.embed(occurrences);
    expect(rows[1]).toEqual(
      scoreSenses({
        dataset: 'tiny-senses',
        model: 'tiny',
        kind: 'static',
        representation: 'context',
        occurrences,
        vectors: embedded.map((e) => e.vectors[1]!),
        seed: deriveSeed(42, 'tiny:context:tiny-senses:senses'),
        resamples: 50,
      }),
    );
  });

  it('sensesReport works on already-loaded models', async () => {
    const { StaticModel, StaticVectors } = await import('../src/models/static.js');
    const model = new StaticModel('tiny', StaticVectors.fromWords(['bank', 'river'], Float32Array.from([0, 1, 1, 0]), 2), 'x', {});
    const occurrences: SenseOccurrence[] = ['river bank', 'bank river', 'bank'].map((sentence, i) => ({
      id: String(i),
      word: 'bank',
      sense: i === 2 ? 'b' : 'a',
      gloss: '',
      split: 'test',
      sentence,
      spans: [{ start: sentence.indexOf('bank'), end: sentence.indexOf('bank') + 4 }],
      source: { file: 't', line: i + 1 },
    }));
    const report = await sensesReport({ word: 'bank', occurrences, models: [model], datasetName: 'tiny' });
    expect(report.panels.map((p) => p.representation)).toEqual(['target', 'context']);
    expect(report.panels[1]!.missing).toBe(1); // `bank` alone has no context
  });
});
