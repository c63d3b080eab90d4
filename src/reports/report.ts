/**
 * The report as data: a table of sections, in page order, each computing its blocks (headings,
 * findings, tables, charts) from the {@link RunResult}. The document they make is rendered twice, to
 * markdown (`summary.md`) and to HTML (`index.html`), so both say exactly the same things; its
 * charts are drawn to `plots/<name>.svg` (./charts.ts). A new report section is one entry here and
 * its file in ./sections/.
 */
import type { RunResult } from '../results/run-result.js';
import type { Block, ReportDocument } from './document.js';
import { anisotropyBlocks, contextualityBlocks, cosimlexBlocks, layersBlocks, significanceBlocks } from './sections/analysis.js';
import { followupBlocks } from './sections/followup.js';
import { introBlocks, skippedBlocks, warningBlocks } from './sections/intro.js';
import { lessonBlocks } from './sections/lesson.js';
import { glanceBlocks, modelsBlocks } from './sections/overview.js';
import { contextBlocks, readingBlocks, regenerateBlocks } from './sections/reference.js';
import { splitsBlocks } from './sections/splits.js';
import { throughputBlocks } from './sections/throughput.js';

/** One section of the report: its blocks from the result, none when the run has nothing for it. */
export interface Section {
  /** Stable name (the anchor of its heading, where it has one). */
  readonly id: string;
  readonly blocks: (result: RunResult) => Block[];
}

/** Every section, in page order. */
export const SECTIONS: readonly Section[] = [
  { id: 'intro', blocks: introBlocks },
  { id: 'warnings', blocks: warningBlocks },
  { id: 'skipped', blocks: skippedBlocks },
  { id: 'lesson-examples', blocks: lessonBlocks },
  { id: 'glance', blocks: glanceBlocks },
  { id: 'models', blocks: modelsBlocks },
  { id: 'results', blocks: splitsBlocks },
  { id: 'anisotropy', blocks: anisotropyBlocks },
  { id: 'contextuality', blocks: contextualityBlocks },
  { id: 'cosimlex', blocks: cosimlexBlocks },
  { id: 'layers', blocks: layersBlocks },
  { id: 'significance', blocks: significanceBlocks },
  { id: 'followup', blocks: followupBlocks },
  { id: 'throughput', blocks: throughputBlocks },
  { id: 'reading', blocks: readingBlocks },
  { id: 'regenerate', blocks: regenerateBlocks },
  { id: 'context', blocks: contextBlocks },
];

/** The blocks of the named sections (every section by default), in page order. */
export function sectionBlocks(result: RunResult, ids: readonly string[] = SECTIONS.map((section) => section.id)): Block[] {
  return SECTIONS.filter((section) => ids.includes(section.id)).flatMap((section) => section.blocks(result));
}

/** The whole report of a run. */
export function buildReportDocument(result: RunResult): ReportDocument {
  return { title: 'sensebench: what static word embeddings cannot do', blocks: sectionBlocks(result) };
}
