/**
 * The report orchestrator: one {@link RunResult} fans out to independent renderers (CSV, run.json,
 * plots, markdown, HTML), as mitata swaps formatters over one result. Everything is rendered in
 * memory first and only then written, as one whole directory (./output-directory.ts): a failing
 * renderer, a kill or a full disk leaves the previous results untouched, and files of the previous
 * run that this one does not write (charts of splits no longer in the run) are gone.
 */
import { join } from 'node:path';
import type { StagedStep } from '../io/staged-directory.js';

import { writeResultsDirectory } from './output-directory.js';
import type { RenderedPlot } from './plots.js';
import { renderCsv } from './csv.js';
import { renderRunJson } from './run-json.js';

import type { RenderedFile, RunResult } from '../results/run-result.js';
/** Renders every report file of a result (paths relative to the output directory). */
export async function renderReports(result: RunResult): Promise<RenderedFile[]> {
  const started = performance.now();
  // The chart and page renderers pull in vega; loaded here, only when a report is written.
  const [{ renderPlots }, { buildReportDocument }, { renderMarkdown }, { renderHtml }] = await Promise.all([
    import('./plots.js'),
    import('./html-document.js'),
    import('./markdown.js'),
    import('./html.js'),
  ]);
  // The sense pictures are drawn from the run's 2-D points (no vectors), as plots/senses-<word>-<model>-<rep>.svg.
  const { renderSensePanel } = await import('./sense-panels.js');
  const senses = await Promise.all(
    (result.senseProjections ?? []).map(async (projection): Promise<RenderedPlot> => ({
      name: projection.fileName.replace(/\.svg$/, ''),
      title: `${projection.word}: ${projection.model} · ${projection.representation} (${projection.kind}), occurrences by sense`,
      section: 'senses',
      kind: 'senses',
      svg: (await renderSensePanel(projection)).svg,
    })),
  );
  const plots = [...(await renderPlots(result)), ...senses];
  const document = buildReportDocument(result, plots);
  const rendered = [
    ...renderCsv(result),
    ...plots.map((plot) => ({ path: `plots/${plot.name}.svg`, content: plot.svg })),
    { path: 'summary.md', content: renderMarkdown(document) },
    { path: 'index.html', content: renderHtml(document) },
  ];
  // run.json last, with the rendering's own time as the `reports` phase of a fresh run (a re-rendered
  // run keeps the timings it was written with).
  const timings = result.timings;
  const seconds = (performance.now() - started) / 1000;
  const timed = timings === undefined || timings.phases.some((p) => p.phase === 'reports') ? result : { ...result, timings: { totalSeconds: timings.totalSeconds + seconds, phases: [...timings.phases, { phase: 'reports', seconds }] } };
  return [...rendered.slice(0, -2 - plots.length), ...renderRunJson(timed), ...rendered.slice(-2 - plots.length)];
}

/** Renders every report of a result and replaces the results in `outDir` by them; returns the paths written. */
export async function writeReports(result: RunResult, outDir: string, onStep?: (step: StagedStep) => void): Promise<string[]> {
  const files = await renderReports(result);
  await writeResultsDirectory(outDir, files, onStep);
  return files.map((file) => join(outDir, file.path));
}
