/**
 * `sensebench senses --word bank [--model ...]` as a function the CLI mounts: finds the word's
 * sense-labelled occurrences (lesson-senses first, else wordnet-senses), loads the models (static
 * models with `target` and `context` also get the `multi-prototype` representation), renders one
 * SVG per representation into `outDir` (written atomically) and returns the terminal summary.
 */
import { join } from 'node:path';
import { writeFileAtomic } from '../io/atomic.js';
import { loadModel } from '../models/index.js';
import { withMultiPrototype, wordnetBackgroundCorpus, type BackgroundCorpus } from '../models/multi-prototype.js';
import { InputError, type EmbeddingModel, type SenseOccurrence } from '../types.js';
import { loadSenseOccurrences, senseDatasetFiles } from '../datasets/sense-occurrences.js';
import { projectSenses, type ProjectionInput } from '../metrics/sense-projection.js';
import { renderChart } from '../reports/charts.js';
import { sensePanelChart, sensesSummaryText } from '../reports/sense-panels.js';
import type { SenseProjection } from '../results/json-schemas.js';

/** Occurrence sets the command can read. */
export const SENSE_DATASETS = ['lesson-senses', 'wordnet-senses'] as const;
export type SenseDatasetName = (typeof SENSE_DATASETS)[number];

export interface SensesCommandOptions {
  readonly word: string;
  /** Model specs (as `--model`); default glove-100d and use-lite. */
  readonly models: readonly string[];
  /** `auto` (default): lesson-senses when it has the word, else wordnet-senses. */
  readonly dataset?: SenseDatasetName | 'auto';
  /** Where the SVGs go; none: nothing is written. */
  readonly outDir?: string;
  readonly cacheDir: string;
  /** Add `multi-prototype` to static models (default true). */
  readonly multiPrototype?: boolean;
  readonly onProgress?: (message: string) => void;
  /** Overrides the committed occurrence files (tests). */
  readonly files?: Readonly<Record<SenseDatasetName, string>>;
}

export interface SensesCommandResult {
  readonly dataset: SenseDatasetName;
  readonly text: string;
  /** SVG files written (empty without `outDir`). */
  readonly files: readonly string[];
  /** The SVGs by file name, in panel order. */
  readonly svgs: ReadonlyMap<string, string>;
}

/** The word's occurrences from the chosen (or first matching) occurrence set. */
export async function findWordOccurrences(
  word: string,
  dataset: SenseDatasetName | 'auto',
  files: Readonly<Record<SenseDatasetName, string>>,
): Promise<{ dataset: SenseDatasetName; occurrences: SenseOccurrence[] }> {
  const wanted = word.trim().toLowerCase();
  const order: readonly SenseDatasetName[] = dataset === 'auto' ? SENSE_DATASETS : [dataset];
  for (const name of order) {
    const occurrences = (await loadSenseOccurrences(files[name])).filter((o) => o.word === wanted);
    if (occurrences.length > 0) return { dataset: name, occurrences };
  }
  throw new InputError(`no sense-labelled occurrences of "${word}" in ${order.join(' or ')}`);
}

/** One drawn (word, representation) picture: its numbers and its SVG. */
export interface SensePanel extends SenseProjection {
  readonly svg: string;
}

/** Projects and draws one picture. */
export async function sensePanel(input: ProjectionInput): Promise<SensePanel> {
  const projection = projectSenses(input);
  return { ...projection, svg: (await renderChart(sensePanelChart(projection))).svg };
}

export interface SensesReportInput {
  readonly word: string;
  /** The word's occurrences. */
  readonly occurrences: readonly SenseOccurrence[];
  readonly models: readonly EmbeddingModel[];
  /** Name of the occurrence set, for the summary. */
  readonly datasetName: string;
}

export interface SensesReport {
  readonly panels: readonly SensePanel[];
  readonly text: string;
}

/** Embeds the word's occurrences with every model and draws one picture per representation. */
export async function sensesReport(input: SensesReportInput): Promise<SensesReport> {
  const panels: SensePanel[] = [];
  for (const model of input.models) {
    const embedded = await model.embed(input.occurrences);
    for (const [index, representation] of model.representations.entries()) {
      panels.push(
        await sensePanel({
          word: input.word,
          model: model.id,
          representation: representation.name,
          kind: representation.kind,
          occurrences: input.occurrences,
          vectors: embedded.map((e) => e.vectors[index] ?? null),
        }),
      );
    }
  }
  return { panels, text: sensesSummaryText(input.word, input.occurrences, panels, input.datasetName) };
}

/** Runs the command (see the module comment). */
export async function sensesCommand(options: SensesCommandOptions): Promise<SensesCommandResult> {
  const defaults = senseDatasetFiles();
  const files = options.files ?? { 'lesson-senses': defaults.lesson, 'wordnet-senses': defaults.wordnet };
  const { dataset, occurrences } = await findWordOccurrences(options.word, options.dataset ?? 'auto', files);
  const models: EmbeddingModel[] = [];
  let corpus: BackgroundCorpus | null = null;
  try {
    for (const spec of options.models) {
      const model = await loadModel(spec, { cacheDir: options.cacheDir, ...(options.onProgress ? { onProgress: options.onProgress } : {}) });
      const names = model.representations.map((r) => r.name);
      if ((options.multiPrototype ?? true) && names.includes('target') && names.includes('context')) {
        corpus ??= await wordnetBackgroundCorpus(undefined, options.cacheDir);
        models.push(withMultiPrototype(model, corpus, { cacheDir: options.cacheDir, ...(options.onProgress ? { onProgress: options.onProgress } : {}) }));
      } else {
        models.push(model);
      }
    }
    const report = await sensesReport({ word: occurrences[0]!.word, occurrences, models, datasetName: dataset });
    const written: string[] = [];
    if (options.outDir) {
      for (const panel of report.panels) {
        const path = join(options.outDir, panel.fileName);
        await writeFileAtomic(path, panel.svg);
        written.push(path);
      }
    }
    return { dataset, text: report.text, files: written, svgs: new Map(report.panels.map((panel) => [panel.fileName, panel.svg])) };
  } finally {
    await Promise.all(models.map((model) => model.dispose()));
  }
}
