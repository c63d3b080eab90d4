/**
 * The report's format-neutral document model (headings, paragraphs, lists, tables, charts, example
 * pairs, commands) and its small constructors. Sections (./report.ts) produce blocks; the markdown
 * and HTML renderers turn the same blocks into `summary.md` and `index.html`, so both say the same
 * things. A chart is a block like any other: its vega-lite spec stands where it is shown, and the
 * chart engine (./charts.ts) draws it to `plots/<name>.svg`.
 */
import type { TopLevelSpec } from 'vega-lite';
import type { PairResult } from '../types.js';

/** What a chart shows, as the HTML page marks it (`data-chart`). */
export type ChartKind = 'distribution' | 'roc' | 'auc' | 'spearman' | 'lesson' | 'contextuality' | 'layers' | 'throughput' | 'senses';

/** A chart of the report, before it is drawn. */
export interface Chart {
  /** File stem: the chart is written to `plots/<name>.svg`. */
  readonly name: string;
  /** What the chart shows, for figure captions and alt text. */
  readonly title: string;
  readonly kind: ChartKind;
  readonly spec: TopLevelSpec;
  /** Prefix of the ids inside its SVG, unique on the page. */
  readonly idPrefix: string;
}

/** A run of text with an optional style. */
export interface Inline {
  readonly text: string;
  readonly style?: 'strong' | 'code' | 'em';
}

/** A table cell: plain text (a line break sets off a detail line), or inline runs. */
export type Cell = string | readonly Inline[];

export type Block =
  | { readonly type: 'heading'; readonly level: 1 | 2 | 3; readonly text: string; readonly id: string }
  | { readonly type: 'paragraph'; readonly parts: readonly Inline[] }
  | { readonly type: 'list'; readonly items: readonly (readonly Inline[])[] }
  | {
      readonly type: 'table';
      readonly id: string;
      readonly caption: string;
      readonly header: readonly string[];
      /** Columns to right-align (numbers). */
      readonly numeric: readonly number[];
      readonly rows: readonly (readonly Cell[])[];
      /** Rows to highlight (e.g. the lesson's bank/apple words). */
      readonly highlight: readonly number[];
    }
  | { readonly type: 'figure'; readonly chart: Chart }
  | { readonly type: 'example'; readonly pair: PairResult; readonly dataset: string; readonly split: string; readonly rows: readonly (readonly Cell[])[] }
  | { readonly type: 'code'; readonly lines: readonly { readonly command: string; readonly purpose: string }[] };

/** The whole report: a title line and blocks. */
export interface ReportDocument {
  readonly title: string;
  readonly blocks: readonly Block[];
}

export const text = (value: string): Inline => ({ text: value });
export const strong = (value: string): Inline => ({ text: value, style: 'strong' });
export const code = (value: string): Inline => ({ text: value, style: 'code' });

export function heading(level: 1 | 2 | 3, title: string, id: string): Block {
  return { type: 'heading', level, text: title, id };
}

export function paragraph(...parts: Inline[]): Block {
  return { type: 'paragraph', parts };
}

/** A chart's figure, or nothing when the run has no data for it (`spec` null). */
export function figure(name: string, title: string, kind: ChartKind, spec: TopLevelSpec | null): Block[] {
  return spec === null ? [] : [{ type: 'figure', chart: { name, title, kind, spec, idPrefix: `sb-${name}` } }];
}

/** A list of plain-text items (findings), or nothing when there are none. */
export function findingList(findings: readonly string[]): Block[] {
  return findings.length === 0 ? [] : [{ type: 'list', items: findings.map((finding) => [text(finding)]) }];
}
