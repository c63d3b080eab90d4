/**
 * All report writers over one result model (as mitata swaps formatters): CSVs, run.json, and the
 * lesson's markdown, plots and HTML page.
 */
import { join } from 'node:path';
import { writeFileAtomic } from '../io/atomic.js';
import type { ReportWriter, RunResult, ThroughputRow } from '../types.js';
import { csvReportWriter, throughputCsv } from './csv.js';
import { runJsonWriter } from './run-json.js';

/** The writers `sensebench run` uses, in order. */
export const REPORT_WRITERS: readonly ReportWriter[] = [csvReportWriter, runJsonWriter];

/**
 * Writes every report for a run; returns the paths written. `throughput` (from the benchmark) goes
 * to its own file, so timings never touch the byte-identical metric CSVs.
 */
export async function writeRunReports(result: RunResult, outDir: string, throughput?: readonly ThroughputRow[]): Promise<string[]> {
  const written: string[] = [];
  if (throughput) {
    const path = join(outDir, 'throughput.csv');
    await writeFileAtomic(path, throughputCsv(throughput));
    written.push(path);
  }
  for (const writer of REPORT_WRITERS) written.push(...(await writer.write(result, outDir)));
  return written;
}
