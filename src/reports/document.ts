/**
 * The report's format-neutral document model (headings, paragraphs, lists, tables, figures, example
 * pairs, commands) and its small constructors. Section builders produce blocks; the markdown and HTML
 * renderers turn the same blocks into `summary.md` and `index.html`, so both say the same things.
 */
import type { PairResult } from '../types.js';
import type { RenderedPlot } from './charts.js';

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
  | { readonly type: 'figure'; readonly plot: RenderedPlot }
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
