/**
 * All report writers over one result model (as mitata swaps formatters): CSVs, run.json, and the
 * lesson's markdown, plots and HTML page.
 */
import { join } from 'node:path';
import { writeFileAtomic } from '../io/atomic.js';
import type { ReportWriter, RunResult, ThroughputRow } from '../types.js';
import { csvReportWriter, throughputCsv } from './csv.js';
import { createReportWriter } from './html.js';
import { runJsonWriter } from './run-json.js';

/**
 * The writers of a run, in order: data files first, then the rendered report that reads like
 * them. `throughput` rows (from the benchmark) feed the report's throughput charts; without them
 * the report uses `<outDir>/throughput.csv` when one exists.
 */
export function reportWriters(throughput?: readonly ThroughputRow[]): ReportWriter[] {
  return [csvReportWriter, runJsonWriter, createReportWriter(throughput)];
}

/**
 * Writes every report for a run; returns the paths written. `throughput` goes to its own file,
 * so timings never touch the byte-identical metric CSVs.
 */
export async function writeRunReports(result: RunResult, outDir: string, throughput?: readonly ThroughputRow[]): Promise<string[]> {
  const written: string[] = [];
  if (throughput) {
    const path = join(outDir, 'throughput.csv');
    await writeFileAtomic(path, throughputCsv(throughput));
    written.push(path);
  }
  for (const writer of reportWriters(throughput)) written.push(...(await writer.write(result, outDir)));
  return written;
}
