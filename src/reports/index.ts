/**
 * All report writers over one result model (as mitata swaps formatters): CSVs, run.json, and the
 * lesson's markdown, plots and HTML page.
 */
import type { ReportWriter, RunResult } from '../types.js';
import { csvReportWriter } from './csv.js';
import { runJsonWriter } from './run-json.js';

/** The writers `sensebench run` uses, in order. */
export const REPORT_WRITERS: readonly ReportWriter[] = [csvReportWriter, runJsonWriter];

/** Writes every report for a run; returns the paths written. */
export async function writeRunReports(result: RunResult, outDir: string): Promise<string[]> {
  const written: string[] = [];
  for (const writer of REPORT_WRITERS) written.push(...(await writer.write(result, outDir)));
  return written;
}
