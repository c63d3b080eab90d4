/**
 * The chart engine: a vega-lite spec compiled and rendered to SVG in Node (no browser, no canvas).
 * Output is deterministic: the same spec gives the same SVG bytes, whatever was rendered before.
 * The specs themselves stand with the report's sections (./sections/), which place each chart.
 */
import * as vega from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';
import type { Chart, ReportDocument } from './document.js';

/** Approximate advance widths of Helvetica/Arial/Liberation Sans, in 1/1000 em, for ASCII 32..126. */
const helveticaWidths = [
  278, 278, 355, 556, 556, 889, 667, 191, 333, 333, 389, 584, 278, 333, 278, 278, 556, 556, 556, 556, 556, 556, 556, 556, 556, 556, 278,
  278, 584, 584, 584, 556, 1015, 667, 667, 722, 722, 667, 611, 778, 722, 278, 500, 667, 556, 833, 722, 778, 667, 778, 722, 667, 611,
  722, 667, 944, 667, 667, 611, 278, 278, 278, 469, 556, 333, 556, 556, 500, 556, 556, 278, 556, 556, 222, 222, 500, 222, 833, 556,
  556, 556, 556, 333, 500, 278, 556, 500, 722, 500, 500, 500, 334, 260, 334, 584,
];

function textWidth(text: string, fontSize: number, bold: boolean): number {
  let units = 0;
  for (const character of text) {
    const code = character.codePointAt(0)!;
    units += code >= 32 && code <= 126 ? helveticaWidths[code - 32]! : character === '·' ? 278 : 600;
  }
  return (units / 1000) * fontSize * (bold ? 1.08 : 1);
}

interface TextItem {
  readonly fontSize?: number;
  readonly fontWeight?: string | number;
  readonly limit?: number;
}

let textMetricsInstalled = false;

/**
 * Without the `canvas` package vega guesses every character as 0.8 em wide, which truncates legend
 * labels and pads axes; these charts are drawn in Arial-metric fonts, so measure with their widths.
 */
function installTextMetrics(): void {
  if (textMetricsInstalled) return;
  const metrics = (vega as unknown as { textMetrics: { width: (item: TextItem, text: unknown) => number } }).textMetrics;
  metrics.width = (item: TextItem, text: unknown): number => {
    const fontSize = item.fontSize ?? 11;
    const bold = item.fontWeight === 'bold' || (typeof item.fontWeight === 'number' && item.fontWeight >= 600);
    // eslint-disable-next-line @typescript-eslint/no-base-to-string -- vega passes strings or numbers
    const width = textWidth(text === null || text === undefined ? '' : String(text).trim(), fontSize, bold);
    return item.limit !== undefined && item.limit > 0 ? Math.min(width, item.limit) : width;
  };
  textMetricsInstalled = true;
}

/**
 * vega numbers clip paths and gradients from a process-wide counter, so ids depend on what was
 * rendered before and collide when several SVGs sit in one HTML page. Renumber them per chart.
 */
export function normaliseSvgIds(svg: string, prefix: string): string {
  const ids = [...svg.matchAll(/\bid="([^"]+)"/g)].map((match) => match[1]!);
  let out = svg;
  ids.forEach((id, index) => {
    const fresh = `${prefix}-${index + 1}`;
    const escaped = id.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    out = out
      .replace(new RegExp(`\\bid="${escaped}"`, 'g'), `id="${fresh}"`)
      .replace(new RegExp(`url\\(#${escaped}\\)`, 'g'), `url(#${fresh})`)
      .replace(new RegExp(`href="#${escaped}"`, 'g'), `href="#${fresh}"`);
  });
  return out;
}

type CompileLogger = NonNullable<NonNullable<Parameters<typeof compile>[1]>['logger']>;

/**
 * vega writes coordinates with full float precision (`45.910253999999995`); a hundredth of a pixel
 * is plenty and halves the histograms. Only geometry attributes are touched, never text.
 */
export function roundSvgCoordinates(svg: string): string {
  return svg.replace(/\b(d|transform|x|y|x1|x2|y1|y2|width|height|dx|dy)="([^"]*)"/g, (_match, name: string, value: string) => {
    const rounded = value.replace(/-?\d+\.\d{3,}(?:e-?\d+)?/g, (number) => {
      const text = Number(number).toFixed(2).replace(/\.?0+$/, '');
      return text === '-0' ? '0' : text;
    });
    return `${name}="${rounded}"`;
  });
}

/** Compiles a vega-lite spec and renders it to SVG; `warnings` receives vega-lite's complaints. */
export async function renderSvg(spec: TopLevelSpec, idPrefix: string, warnings: string[] = []): Promise<string> {
  installTextMetrics();
  const logger = {
    level(): number {
      return 0;
    },
    warn(...args: readonly unknown[]) {
      warnings.push(args.map(String).join(' '));
      return this;
    },
    info() {
      return this;
    },
    debug() {
      return this;
    },
    error(...args: readonly unknown[]) {
      throw new Error(args.map(String).join(' '));
    },
  };
  const compiled = compile(spec, { logger: logger as unknown as CompileLogger }).spec;
  const view = new vega.View(vega.parse(compiled), { renderer: 'none' });
  try {
    const svg = await view.toSVG();
    return normaliseSvgIds(roundSvgCoordinates(svg), idPrefix);
  } finally {
    view.finalize();
  }
}

/** One drawn chart: its SVG. */
export interface RenderedChart extends Omit<Chart, 'spec'> {
  readonly svg: string;
}

/** Draws one chart; `warnings` receives vega-lite's complaints. */
export async function renderChart(chart: Chart, warnings: string[] = []): Promise<RenderedChart> {
  const { spec, ...rest } = chart;
  return { ...rest, svg: await renderSvg(spec, chart.idPrefix, warnings) };
}

/** Every chart of a document, in page order. */
export function chartsOf(document: ReportDocument): Chart[] {
  return document.blocks.flatMap((block) => (block.type === 'figure' ? [block.chart] : []));
}

/** Every chart of a document, drawn, in page order. */
export async function renderCharts(document: ReportDocument, warnings: string[] = []): Promise<RenderedChart[]> {
  const drawn: RenderedChart[] = [];
  for (const chart of chartsOf(document)) drawn.push(await renderChart(chart, warnings));
  return drawn;
}
