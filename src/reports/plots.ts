/**
 * The report's charts: vega-lite specs compiled and rendered to SVG in Node (no browser, no canvas).
 *
 * One colour scheme runs through every chart: static representations in warm colours (oranges,
 * browns), contextual ones in cool colours (blues, teals, purples), so the lesson's contrast reads
 * at a glance. Output is deterministic: the same RunResult gives the same SVG bytes.
 */

import * as vega from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';

import type { RepresentationKey } from '../types.js';
import {
  evaluationSplits,
  findLessonPairs,
  formatNumber,
  keyLabel,
  labelCounts,
  orderedScores,
  representationEntries,
  slug,
  splitTitle,
  throughputKind,
  type RepresentationEntry,
} from './content.js';
import { layerCurves, type LayerCurve } from './layers.js';
import { kindColours, representationColours } from './palette.js';

import type { RunResult, SplitResult } from '../results/run-result.js';
import type { ThroughputRow } from '../results/schema.js';
/** One rendered chart. */
export interface RenderedPlot {
  /** File stem: the chart is written to `plots/<name>.svg`. */
  readonly name: string;
  /** What the chart shows, for figure captions and alt text. */
  readonly title: string;
  /** `dataset/split` the chart belongs to, or `lesson` / `throughput` / `senses` for the run-wide charts. */
  readonly section: string;
  readonly kind: 'distribution' | 'roc' | 'auc' | 'spearman' | 'lesson' | 'contextuality' | 'layers' | 'throughput' | 'senses';
  readonly svg: string;
}

/** Dark shade for same-sense pairs, light shade for different-sense pairs, per kind. */
const senseColours = {
  'static · same sense': '#a63603',
  'static · different sense': '#fdae6b',
  'contextual · same sense': '#08519c',
  'contextual · different sense': '#9ecae1',
  'static · unlabelled': '#e6550d',
  'contextual · unlabelled': '#3182bd',
} as const;

/** A point of a ROC curve. */
export interface RocPoint {
  readonly fpr: number;
  readonly tpr: number;
}

/**
 * ROC curve of scores against labels (true = positive = same sense): one point per distinct
 * threshold, from (0,0) to (1,1). Tied scores move both rates at once (a diagonal step), which is
 * what makes the trapezoid area equal the Mann-Whitney AUC with ties counted as one half.
 * Returns null when either class is empty (no curve exists).
 */
export function rocPoints(scored: readonly { readonly score: number; readonly label: boolean }[]): RocPoint[] | null {
  const positives = scored.filter((item) => item.label).length;
  const negatives = scored.length - positives;
  if (positives === 0 || negatives === 0) return null;
  const sorted = [...scored].sort((a, b) => b.score - a.score);
  const points: RocPoint[] = [{ fpr: 0, tpr: 0 }];
  let truePositives = 0;
  let falsePositives = 0;
  let index = 0;
  while (index < sorted.length) {
    const threshold = sorted[index]!.score;
    while (index < sorted.length && sorted[index]!.score === threshold) {
      if (sorted[index]!.label) truePositives += 1;
      else falsePositives += 1;
      index += 1;
    }
    points.push({ fpr: falsePositives / negatives, tpr: truePositives / positives });
  }
  return points;
}

/** Area under a ROC curve by the trapezoid rule. */
export function rocArea(points: readonly RocPoint[]): number {
  let area = 0;
  for (let index = 1; index < points.length; index += 1) {
    const previous = points[index - 1]!;
    const current = points[index]!;
    area += ((current.fpr - previous.fpr) * (current.tpr + previous.tpr)) / 2;
  }
  return area;
}

/**
 * Drops ROC points closer than `resolution` (in both rates) to the last kept one, keeping the
 * ends, so that curves over thousands of pairs stay small SVG paths that look the same.
 */
export function thinRoc(points: readonly RocPoint[], resolution = 0.002): RocPoint[] {
  if (points.length <= 2) return [...points];
  const kept: RocPoint[] = [points[0]!];
  for (let index = 1; index < points.length - 1; index += 1) {
    const point = points[index]!;
    const last = kept[kept.length - 1]!;
    if (Math.abs(point.fpr - last.fpr) >= resolution || Math.abs(point.tpr - last.tpr) >= resolution) kept.push(point);
  }
  kept.push(points[points.length - 1]!);
  return kept;
}

/** Width of a histogram bin of cosines. */
const binWidth = 0.025;

/** Rounds to 6 decimals so that the data handed to vega (and the SVG) do not depend on float noise. */
function round6(value: number): number {
  return Math.round(value * 1e6) / 1e6;
}

const baseConfig = {
  font: 'Liberation Sans, Arial, Helvetica, sans-serif',
  background: 'white',
  padding: 8,
  title: { fontSize: 15, fontWeight: 'bold', anchor: 'start', subtitleFontSize: 12, subtitleColor: '#444', offset: 10 },
  axis: { labelFontSize: 11, titleFontSize: 12, titleFontWeight: 'normal', labelLimit: 320, titleColor: '#222', labelColor: '#333' },
  legend: { labelFontSize: 11, titleFontSize: 12, labelLimit: 420, titleLimit: 420, symbolSize: 120 },
  header: { labelFontSize: 12, titleFontSize: 12 },
  view: { stroke: '#ccc' },
  // Per-mark ARIA labels would describe every histogram bar and tripled the SVGs; the figure's
  // own label, axes and legends stay accessible.
  mark: { aria: false },
} as const;

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

function colourScale(entries: readonly RepresentationEntry[], colours: ReadonlyMap<RepresentationKey, string>, labels: readonly string[]) {
  return { domain: [...labels], range: entries.map((entry) => colours.get(entry.key)!) };
}

/** Entries that have at least one cosine in the split, in run order. */
function entriesInSplit(result: RunResult, split: SplitResult): RepresentationEntry[] {
  return representationEntries(result).filter((entry) => split.pairs.some((pair) => pair.cosines.get(entry.key) !== undefined && pair.cosines.get(entry.key) !== null));
}

function distributionSpec(result: RunResult, split: SplitResult): TopLevelSpec | null {
  const entries = entriesInSplit(result, split);
  if (entries.length === 0) return null;
  const counts = labelCounts(split);
  const labelled = counts.same + counts.different > 0;
  let lowest = 1;
  for (const pair of split.pairs) {
    for (const entry of entries) {
      const cosine = pair.cosines.get(entry.key);
      if (cosine !== null && cosine !== undefined && cosine < lowest) lowest = cosine;
    }
  }
  const low = Math.max(-1, Math.floor(lowest * 10) / 10);
  const bins = Math.round((1 - low) / binWidth);
  const rows: Record<string, string | number>[] = [];
  for (const entry of entries) {
    const label = `${keyLabel(entry.model, entry.representation)} (${entry.kind})`;
    const groups = labelled
      ? ([
          [true, `${entry.kind} · same sense`, 1],
          [false, `${entry.kind} · different sense`, -1],
        ] as const)
      : ([[null, `${entry.kind} · unlabelled`, 1]] as const);
    for (const [wanted, group, sign] of groups) {
      const histogram = new Array<number>(bins).fill(0);
      let total = 0;
      for (const pair of split.pairs) {
        if (labelled && pair.pair.label !== wanted) continue;
        const cosine = pair.cosines.get(entry.key);
        if (cosine === null || cosine === undefined) continue;
        const bin = Math.min(bins - 1, Math.max(0, Math.floor((cosine - low) / binWidth + 1e-9)));
        histogram[bin]! += 1;
        total += 1;
      }
      histogram.forEach((count, bin) => {
        if (count === 0) return;
        rows.push({
          representation: label,
          group,
          start: round6(low + bin * binWidth),
          end: round6(low + (bin + 1) * binWidth),
          share: round6((sign * count) / total),
          pairs: count,
        });
      });
    }
  }
  const groupDomain = labelled
    ? (['static · same sense', 'static · different sense', 'contextual · same sense', 'contextual · different sense'] as const)
    : (['static · unlabelled', 'contextual · unlabelled'] as const);
  const kinds = new Set(entries.map((entry) => entry.kind));
  const usedGroups = groupDomain.filter((group) => kinds.has(group.startsWith('static') ? 'static' : 'contextual'));
  const subtitle = labelled
    ? [
        `${counts.same} same-sense and ${counts.different} different-sense pairs. Bars above the line: share of same-sense pairs per cosine bin; below: different-sense.`,
        'A static target vector is the same wherever the word form is the same, so those pairs pile up at cosine 1.0; contextual vectors spread out.',
      ]
    : [`${split.pairs.length} unlabelled pairs: share of pairs per cosine bin.`];
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    title: { text: `Cosine distributions — ${splitTitle(split)}`, subtitle },
    config: baseConfig,
    data: { values: rows },
    facet: {
      row: {
        field: 'representation',
        type: 'nominal',
        sort: entries.map((entry) => `${keyLabel(entry.model, entry.representation)} (${entry.kind})`),
        header: { title: null, labelAngle: 0, labelOrient: 'top', labelAnchor: 'start', labelFontWeight: 'bold', labelPadding: 2 },
      },
    },
    spacing: 14,
    resolve: { scale: { y: 'independent' } },
    spec: {
      width: 620,
      height: 92,
      layer: [
        {
          mark: { type: 'bar', binSpacing: 0.5, stroke: null },
          encoding: {
            x: {
              field: 'start',
              type: 'quantitative',
              bin: { binned: true, step: binWidth },
              scale: { domain: [low, 1] },
              title: 'cosine similarity of the target word’s two vectors',
            },
            x2: { field: 'end' },
            y: {
              field: 'share',
              type: 'quantitative',
              title: labelled ? 'share (↑same ↓diff.)' : 'share of pairs',
              axis: { labelExpr: "format(abs(datum.value), '.0%')", tickCount: 4, titleFontSize: 11 },
            },
            color: {
              field: 'group',
              type: 'nominal',
              scale: { domain: [...usedGroups], range: usedGroups.map((group) => senseColours[group]) },
              legend: { title: 'pairs', orient: 'top', direction: 'horizontal' },
            },
          },
        },
        { mark: { type: 'rule', color: '#555', strokeWidth: 0.8 }, encoding: { y: { datum: 0 } } },
      ],
    },
  };
}

function rocSpec(result: RunResult, split: SplitResult, colours: ReadonlyMap<RepresentationKey, string>): TopLevelSpec | null {
  const entries: RepresentationEntry[] = [];
  const labels: string[] = [];
  const rows: Record<string, string | number>[] = [];
  const scores = orderedScores(result, split);
  for (const entry of entriesInSplit(result, split)) {
    const scored: { score: number; label: boolean }[] = [];
    for (const pair of split.pairs) {
      const cosine = pair.cosines.get(entry.key);
      if (pair.pair.label === null || cosine === null || cosine === undefined) continue;
      scored.push({ score: cosine, label: pair.pair.label });
    }
    const points = rocPoints(scored);
    if (points === null) continue;
    const reported = scores.find((score) => score.model === entry.model && score.representation === entry.representation)?.auc?.value ?? null;
    const label = `${keyLabel(entry.model, entry.representation)} — AUC ${formatNumber(reported ?? rocArea(points))}, n=${scored.length}`;
    entries.push(entry);
    labels.push(label);
    thinRoc(points).forEach((point, order) => {
      rows.push({ representation: label, kind: entry.kind, fpr: round6(point.fpr), tpr: round6(point.tpr), order });
    });
  }
  if (entries.length === 0) return null;
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    title: {
      text: `ROC curves — ${splitTitle(split)}`,
      subtitle: ['Each curve ranks pairs by cosine: the higher, the more “same sense”.', 'The dotted grey diagonal is chance (AUC 0.5); static representations are drawn dashed.'],
    },
    config: baseConfig,
    width: 380,
    height: 380,
    layer: [
      {
        data: { values: [{ fpr: 0, tpr: 0 }, { fpr: 1, tpr: 1 }] },
        mark: { type: 'line', color: '#999', strokeDash: [2, 3], strokeWidth: 1 },
        encoding: { x: { field: 'fpr', type: 'quantitative' }, y: { field: 'tpr', type: 'quantitative' } },
      },
      {
        data: { values: rows },
        mark: { type: 'line', strokeWidth: 2, interpolate: 'linear' },
        encoding: {
          // Static curves dashed: they often lie on the diagonal together and must stay visible.
          strokeDash: {
            field: 'kind',
            type: 'nominal',
            scale: { domain: ['static', 'contextual'], range: [[6, 3], [1, 0]] },
            legend: null,
          },
          x: { field: 'fpr', type: 'quantitative', title: 'false positive rate (different-sense pairs called same)', scale: { domain: [0, 1] } },
          y: { field: 'tpr', type: 'quantitative', title: 'true positive rate (same-sense pairs called same)', scale: { domain: [0, 1] } },
          order: { field: 'order', type: 'quantitative' },
          color: { field: 'representation', type: 'nominal', scale: colourScale(entries, colours, labels), legend: { title: 'representation', orient: 'bottom', direction: 'vertical', columns: 1 } },
        },
      },
    ],
  };
}

function intervalSpec(
  result: RunResult,
  split: SplitResult,
  colours: ReadonlyMap<RepresentationKey, string>,
  metric: 'auc' | 'spearman',
): TopLevelSpec | null {
  const all = representationEntries(result);
  const entries: RepresentationEntry[] = [];
  const labels: string[] = [];
  const rows: Record<string, string | number | null>[] = [];
  for (const score of orderedScores(result, split)) {
    const estimate = metric === 'auc' ? score.auc : score.spearman;
    if (estimate === null) continue;
    const entry = all.find((candidate) => candidate.model === score.model && candidate.representation === score.representation);
    if (entry === undefined) continue;
    const { value, low, high } = estimate;
    const label = keyLabel(score.model, score.representation);
    entries.push(entry);
    labels.push(label);
    rows.push({
      representation: label,
      value: round6(value),
      low: low === null ? round6(value) : round6(low),
      high: high === null ? round6(value) : round6(high),
      text: `${formatNumber(value)}${low !== null && high !== null ? ` [${formatNumber(low)}, ${formatNumber(high)}]` : ''}  n=${score.nPairs}`,
    });
  }
  if (rows.length === 0) return null;
  const lowest = Math.min(...rows.map((row) => row.low as number));
  const chance = metric === 'auc' ? 0.5 : 0;
  const domainLow = Math.floor(Math.min(chance - 0.1, lowest - 0.05) * 10) / 10;
  const name = metric === 'auc' ? 'AUC' : 'Spearman ρ';
  const representationAxis = { field: 'representation', type: 'nominal', sort: labels, title: null };
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    title: {
      text: `${name} with 95% confidence interval — ${splitTitle(split)}`,
      subtitle: [
        metric === 'auc'
          ? 'How well the cosine separates same-sense from different-sense pairs (0.5 = chance, 1 = perfect).'
          : 'Rank correlation of the cosine with the human similarity ratings (0 = none, 1 = perfect).',
        'Dot: the estimate; bar: its confidence interval; n: pairs it rests on.',
      ],
    },
    config: baseConfig,
    width: 420,
    height: { step: 28 },
    data: { values: rows },
    layer: [
      { mark: { type: 'rule', color: '#888', strokeDash: [4, 4] }, encoding: { x: { datum: chance } } },
      {
        mark: { type: 'rule', strokeWidth: 3 },
        encoding: {
          y: representationAxis,
          x: { field: 'low', type: 'quantitative', scale: { domain: [domainLow, 1] }, title: name },
          x2: { field: 'high' },
          color: { field: 'representation', type: 'nominal', scale: colourScale(entries, colours, labels), legend: null },
        },
      },
      {
        mark: { type: 'point', filled: true, size: 80, opacity: 1 },
        encoding: {
          y: representationAxis,
          x: { field: 'value', type: 'quantitative' },
          color: { field: 'representation', type: 'nominal', scale: colourScale(entries, colours, labels), legend: null },
        },
      },
      {
        // A column of numbers right of the plot, clear of the intervals and the chance line.
        mark: { type: 'text', align: 'left', dx: 10, fontSize: 11, color: '#222' },
        encoding: { y: representationAxis, x: { datum: 1 }, text: { field: 'text' } },
      },
    ],
  } as TopLevelSpec;
}

function lessonSpec(result: RunResult, colours: ReadonlyMap<RepresentationKey, string>): TopLevelSpec | null {
  const found = findLessonPairs(result);
  if (found.length === 0) return null;
  const all = representationEntries(result);
  const entries = all.filter((entry) => found.some(({ result: pair }) => typeof pair.cosines.get(entry.key) === 'number'));
  const labels = entries.map((entry) => keyLabel(entry.model, entry.representation));
  const rows: Record<string, string | number>[] = [];
  const facets: string[] = [];
  for (const { result: pair } of found) {
    const sense = pair.pair.label === true ? 'same sense' : pair.pair.label === false ? 'different senses' : 'unlabelled';
    const facet = `“${pair.pair.word}” — ${sense} (${pair.pair.id})`;
    facets.push(facet);
    for (const entry of entries) {
      const cosine = pair.cosines.get(entry.key);
      if (cosine === null || cosine === undefined) continue;
      rows.push({ pair: facet, representation: keyLabel(entry.model, entry.representation), cosine: round6(cosine), text: formatNumber(cosine) });
    }
  }
  const lowest = Math.min(0, ...rows.map((row) => row.cosine as number));
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    title: {
      text: 'The lesson’s examples: one word, two senses',
      subtitle: ['Cosine between the target word’s vector in the two sentences of each pair.', 'A static vector cannot change with the sentence: its cosine is 1.000 whatever the sense.'],
    },
    config: baseConfig,
    data: { values: rows },
    facet: { column: { field: 'pair', type: 'nominal', sort: facets, header: { title: null, labelFontWeight: 'bold', labelFontSize: 12 } } },
    spacing: 24,
    spec: {
      width: 260,
      height: { step: 24 },
      encoding: { y: { field: 'representation', type: 'nominal', sort: labels, title: null } },
      layer: [
        {
          mark: { type: 'bar' },
          encoding: {
            x: { field: 'cosine', type: 'quantitative', scale: { domain: [lowest, 1] }, title: 'cosine' },
            color: { field: 'representation', type: 'nominal', scale: colourScale(entries, colours, labels), legend: null },
          },
        },
        { mark: { type: 'text', align: 'right', dx: -4, color: 'white', fontWeight: 'bold', fontSize: 11 }, encoding: { x: { field: 'cosine', type: 'quantitative' }, text: { field: 'text' } } },
      ],
    },
  };
}

function throughputSpec(rows: readonly ThroughputRow[]): TopLevelSpec | null {
  const compared = rows.filter((row) => row.ratio !== null && row.ratio > 0);
  if (compared.length === 0) return null;
  // A subject measured in two units (sentences/s and tokens/s) needs the unit to keep its own row.
  const seen = new Map<string, number>();
  for (const row of compared) seen.set(`${row.group}\n${row.subject}`, (seen.get(`${row.group}\n${row.subject}`) ?? 0) + 1);
  const values = compared.map((row) => {
    const ratio = row.ratio!;
    const met = row.goal === null ? '' : ratio >= row.goal ? ' ✓ met' : ' ✗ missed';
    const key = `${row.group}\n${row.subject}`;
    return {
      // Two label lines: the suite, then what was measured.
      subject: (seen.get(key) ?? 0) > 1 ? `${key} [${row.unit}]` : key,
      kind: throughputKind(row) === 'static' ? 'static-embedding work' : 'transformer work',
      ratio: round6(ratio),
      goal: row.goal === null ? null : round6(row.goal),
      // The baseline's name is in the table beside the chart; here only the numbers, to keep it narrow.
      text: `×${formatNumber(ratio, 2)}${row.goal === null ? '' : `  (goal ×${formatNumber(row.goal, 2)}${met})`}`,
    };
  });
  const extremes = values.flatMap((value) => (value.goal === null ? [value.ratio] : [value.ratio, value.goal]));
  // Whole decades, so the right edge (where the labels start) is the domain's end, not a nice-rounded one.
  const domain = [10 ** Math.floor(Math.log10(Math.min(0.5, ...extremes))), 10 ** Math.ceil(Math.log10(Math.max(2, ...extremes) * 1.2))];
  const subjectAxis = {
    field: 'subject',
    type: 'nominal',
    sort: values.map((value) => value.subject),
    title: null,
    axis: { labelExpr: "split(datum.label, '\\n')", labelLimit: 440, labelLineHeight: 14 },
  };
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    title: {
      text: 'Throughput: each measurement as a ratio to its baseline in the same run',
      subtitle: ['Bigger is better (rates: value / baseline; times and memory: baseline / value). Log scale; 1 = parity.', 'Black tick: the goal; ✓ met, ✗ missed.'],
    },
    config: baseConfig,
    width: 380,
    height: { step: 40 },
    data: { values },
    layer: [
      { mark: { type: 'rule', color: '#888', strokeDash: [4, 4] }, encoding: { x: { datum: 1 } } },
      {
        mark: { type: 'point', filled: true, size: 90, opacity: 1 },
        encoding: {
          y: subjectAxis,
          x: { field: 'ratio', type: 'quantitative', scale: { type: 'log', domain, nice: false }, title: 'ratio to baseline (log scale)' },
          color: {
            field: 'kind',
            type: 'nominal',
            scale: { domain: ['static-embedding work', 'transformer work'], range: [kindColours.static, kindColours.contextual] },
            legend: { title: null, orient: 'top' },
          },
        },
      },
      { transform: [{ filter: 'datum.goal != null' }], mark: { type: 'tick', color: 'black', thickness: 2, size: 18 }, encoding: { y: subjectAxis, x: { field: 'goal', type: 'quantitative' } } },
      {
        mark: { type: 'text', align: 'left', dx: 10, fontSize: 11, color: '#222', lineBreak: '\n', lineHeight: 14, limit: 560 },
        encoding: { y: subjectAxis, x: { datum: domain[1] }, text: { field: 'text' } },
      },
    ],
  } as TopLevelSpec;
}

/**
 * Self-similarity of each representation of one dataset (raw vectors): a dot at the mean cosine of a
 * word's occurrences, a bar from the anisotropy baseline (random words of different sentences) up
 * to it. A static target sits at exactly 1: one vector per word.
 */
function contextualitySpec(result: RunResult, dataset: string, colours: ReadonlyMap<RepresentationKey, string>): TopLevelSpec | null {
  const all = representationEntries(result);
  const entries: RepresentationEntry[] = [];
  const labels: string[] = [];
  const rows: Record<string, string | number>[] = [];
  for (const row of result.contextuality) {
    if (row.dataset !== dataset || row.normalization !== 'none' || row.selfSimilarity === null) continue;
    const entry = all.find((candidate) => candidate.model === row.model && candidate.representation === row.representation);
    if (entry === undefined) continue;
    const label = keyLabel(row.model, row.representation);
    entries.push(entry);
    labels.push(label);
    const baseline = row.anisotropyBaseline ?? row.selfSimilarity;
    rows.push({
      representation: label,
      self: round6(row.selfSimilarity),
      baseline: round6(baseline),
      text: `${formatNumber(row.selfSimilarity)} (baseline ${formatNumber(row.anisotropyBaseline)})`,
    });
  }
  if (rows.length === 0) return null;
  const lowest = Math.min(0, ...rows.map((row) => row.baseline as number));
  const axis = { field: 'representation', type: 'nominal', sort: labels, title: null };
  const colour = { field: 'representation', type: 'nominal', scale: colourScale(entries, colours, labels), legend: null };
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    title: {
      text: `Self-similarity per representation — ${dataset}`,
      subtitle: ['Dot: mean cosine between occurrences of the same word (1 = one vector per word).', 'Bar starts at the anisotropy baseline: mean cosine of random words of different sentences.'],
    },
    config: baseConfig,
    width: 420,
    height: { step: 28 },
    data: { values: rows },
    layer: [
      { mark: { type: 'rule', color: '#888', strokeDash: [4, 4] }, encoding: { x: { datum: 1 } } },
      { mark: { type: 'rule', strokeWidth: 3 }, encoding: { y: axis, x: { field: 'baseline', type: 'quantitative', scale: { domain: [Math.floor(lowest * 10) / 10, 1] }, title: 'cosine' }, x2: { field: 'self' }, color: colour } },
      { mark: { type: 'point', filled: true, size: 80, opacity: 1 }, encoding: { y: axis, x: { field: 'self', type: 'quantitative' }, color: colour } },
      { mark: { type: 'text', align: 'left', dx: 10, fontSize: 11, color: '#222' }, encoding: { y: axis, x: { datum: 1 }, text: { field: 'text' } } },
    ],
  } as TopLevelSpec;
}

/**
 * One model's layer curve on one split: its AUC (Spearman for graded data) per layer-like
 * representation in stack order, each with its 95% CI as a vertical bar, joined by a line; every
 * static representation of the run (the model's own input included) as a dashed horizontal
 * reference line labelled at the right; chance as a grey dotted line.
 */
function layerCurveSpec(curve: LayerCurve, colours: ReadonlyMap<RepresentationKey, string>): TopLevelSpec {
  const name = curve.metric === 'auc' ? 'AUC' : 'Spearman ρ';
  const chance = curve.metric === 'auc' ? 0.5 : 0;
  const order = curve.points.map((point) => point.representation);
  const points = curve.points.map((point) => ({
    layer: point.representation,
    value: round6(point.value),
    low: round6(point.low ?? point.value),
    high: round6(point.high ?? point.value),
    text: formatNumber(point.value),
  }));
  const references = curve.references.map((reference) => ({
    label: `${keyLabel(reference.model, reference.representation)} ${formatNumber(reference.value)}`,
    value: round6(reference.value),
    colour: colours.get(`${reference.model}:${reference.representation}`) ?? kindColours.static,
  }));
  const values = [...points.flatMap((point) => [point.low, point.high]), ...references.map((reference) => reference.value), chance];
  const domain = [Math.floor((Math.min(...values) - 0.02) * 20) / 20, Math.min(1, Math.ceil((Math.max(...values) + 0.02) * 20) / 20)];
  const colour = colours.get(`${curve.model}:${curve.points.at(-1)!.representation}`) ?? kindColours.contextual;
  const x = { field: 'layer', type: 'ordinal', sort: order, title: 'representation (input → last layer)', axis: { labelAngle: 0 } };
  const y = { type: 'quantitative', scale: { domain }, title: name };
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    title: {
      text: `${name} per layer — ${curve.model}, ${curve.dataset} ${curve.split}`,
      subtitle: [
        'Dot: the estimate; bar: its 95% confidence interval (raw cosines).',
        'Dashed lines: static representations of the run (legend below); dotted grey: chance.',
      ],
    },
    config: baseConfig,
    width: Math.max(240, 70 * order.length),
    height: 260,
    layer: [
      { data: { values: [{ chance }] }, mark: { type: 'rule', color: '#888', strokeDash: [1, 3] }, encoding: { y: { field: 'chance', ...y } } },
      ...(references.length === 0 ? [] : [{
        // Labels in a legend, not beside the lines: static references often lie within 0.01 of each other.
        data: { values: references },
        mark: { type: 'rule', strokeDash: [6, 4], strokeWidth: 1.5 },
        encoding: {
          y: { field: 'value', ...y },
          color: {
            field: 'label',
            type: 'nominal',
            scale: { domain: references.map((reference) => reference.label), range: references.map((reference) => reference.colour) },
            legend: { title: 'static representations (dashed)', orient: 'bottom', direction: 'vertical', columns: 1 },
          },
        },
      }]),
      {
        data: { values: points },
        layer: [
          { mark: { type: 'rule', strokeWidth: 3, color: colour, opacity: 0.6 }, encoding: { x, y: { field: 'low', ...y }, y2: { field: 'high' } } },
          { mark: { type: 'line', color: colour }, encoding: { x, y: { field: 'value', ...y } } },
          { mark: { type: 'point', filled: true, size: 70, opacity: 1, color: colour }, encoding: { x, y: { field: 'value', ...y } } },
          { mark: { type: 'text', dy: -12, dx: 14, fontSize: 10, color: '#222' }, encoding: { x, y: { field: 'value', ...y }, text: { field: 'text' } } },
        ],
      },
    ],
  } as TopLevelSpec;
}

/** The name of a layer-curve chart and the document section it belongs to. */
export function layerCurvePlace(curve: Pick<LayerCurve, 'model' | 'dataset' | 'split'>): { name: string; section: string } {
  return { name: `layers-${slug(curve.model)}-${slug(curve.dataset)}-${slug(curve.split)}`, section: `layers/${curve.dataset}/${curve.split}` };
}

/** Every chart of the report, rendered, in page order (lesson first, then per split, then throughput). */
export async function renderPlots(result: RunResult, warnings: string[] = []): Promise<RenderedPlot[]> {
  const colours = representationColours(representationEntries(result));
  const plots: RenderedPlot[] = [];
  const add = async (name: string, title: string, section: string, kind: RenderedPlot['kind'], spec: TopLevelSpec | null): Promise<void> => {
    if (spec === null) return;
    plots.push({ name, title, section, kind, svg: await renderSvg(spec, `sb-${name}`, warnings) });
  };
  await add('lesson-examples', 'Cosines of the lesson’s bank and apple pairs per representation', 'lesson', 'lesson', lessonSpec(result, colours));
  for (const split of result.splits) {
    const stem = `${slug(split.dataset)}-${slug(split.split)}`;
    const section = `${split.dataset}/${split.split}`;
    await add(`distribution-${stem}`, `Cosine distributions of same- and different-sense pairs, ${splitTitle(split)}`, section, 'distribution', distributionSpec(result, split));
    await add(`roc-${stem}`, `ROC curves, ${splitTitle(split)}`, section, 'roc', rocSpec(result, split, colours));
    await add(`auc-${stem}`, `AUC with 95% confidence intervals, ${splitTitle(split)}`, section, 'auc', intervalSpec(result, split, colours, 'auc'));
    await add(`spearman-${stem}`, `Spearman correlation with 95% confidence intervals, ${splitTitle(split)}`, section, 'spearman', intervalSpec(result, split, colours, 'spearman'));
  }
  for (const split of evaluationSplits(result)) {
    for (const curve of layerCurves(result, split)) {
      const { name, section } = layerCurvePlace(curve);
      await add(name, `${curve.metric === 'auc' ? 'AUC' : 'Spearman'} per layer of ${curve.model}, ${splitTitle(split)}`, section, 'layers', layerCurveSpec(curve, colours));
    }
  }
  for (const dataset of [...new Set(result.contextuality.map((row) => row.dataset))]) {
    await add(`contextuality-${slug(dataset)}`, `Self-similarity per representation, ${dataset}`, `contextuality/${dataset}`, 'contextuality', contextualitySpec(result, dataset, colours));
  }
  await add('throughput', 'Throughput ratios against their baselines and goals', 'throughput', 'throughput', throughputSpec(result.throughput));
  return plots;
}
