/**
 * The report orchestrator: one {@link RunResult} fans out to its result files (src/results/layout.ts)
 * and to the report (the sections of ./report.ts as one document, its charts drawn to SVG, rendered
 * as markdown and HTML), as mitata swaps formatters over one result. Everything is rendered in
 * memory first and only then written, as one whole directory (./output-directory.ts): a failing
 * renderer, a kill or a full disk leaves the previous results untouched, and files of the previous
 * run that this one does not write (charts of splits no longer in the run) are gone.
 */
import { join } from 'node:path';
import type { StagedStep } from '../io/staged-directory.js';
import { resultFiles, runJsonFile } from '../results/layout.js';
import type { RenderedFile, RunResult } from '../results/run-result.js';
import { writeResultsDirectory } from './output-directory.js';

type ReportModules = [typeof import('./report.js'), typeof import('./charts.js'), typeof import('./markdown.js'), typeof import('./html.js')];

let reportModules: Promise<ReportModules> | null = null;

/**
 * The report's modules, loaded once: they pull in vega (the chart engine), so they are loaded only
 * when a report is written, or ahead of it while a run waits for its last analyses.
 */
export function loadReportModules(): Promise<ReportModules> {
  reportModules ??= Promise.all([import('./report.js'), import('./charts.js'), import('./markdown.js'), import('./html.js')]);
  return reportModules;
}

/** Renders every file of a result: its result files, run.json, the charts, summary.md and index.html (paths relative to the output directory). */
export async function renderReports(result: RunResult): Promise<RenderedFile[]> {
  const started = performance.now();
  const [{ buildReportDocument }, { renderCharts }, { renderMarkdown }, { renderHtml }] = await loadReportModules();
  const document = buildReportDocument(result);
  const charts = await renderCharts(document);
  const report: RenderedFile[] = [
    ...charts.map((chart) => ({ path: `plots/${chart.name}.svg`, content: chart.svg })),
    { path: 'summary.md', content: renderMarkdown(document) },
    { path: 'index.html', content: renderHtml(document, new Map(charts.map((chart) => [chart.name, chart.svg]))) },
  ];
  // run.json last, with the rendering's own time as the `reports` phase of a fresh run (a re-rendered
  // run keeps the timings it was written with).
  const timings = result.timings;
  const seconds = (performance.now() - started) / 1000;
  const timed = timings === undefined || timings.phases.some((p) => p.phase === 'reports') ? result : { ...result, timings: { totalSeconds: timings.totalSeconds + seconds, phases: [...timings.phases, { phase: 'reports', seconds }] } };
  return [...resultFiles(result), runJsonFile(timed), ...report];
}

/** Renders every report of a result and replaces the results in `outDir` by them; returns the paths written. */
export async function writeReports(result: RunResult, outDir: string, onStep?: (step: StagedStep) => void): Promise<string[]> {
  const files = await renderReports(result);
  await writeResultsDirectory(outDir, files, onStep);
  return files.map((file) => join(outDir, file.path));
}
