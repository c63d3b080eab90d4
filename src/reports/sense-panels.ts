/**
 * Senses as pictures: for one word and one representation, its occurrences projected to 2-D
 * (src/metrics/sense-projection.ts) and coloured by sense, as a chart (drawn by ./charts.ts, as the
 * report's other charts), and a terminal summary of every representation.
 *
 * Occurrences with identical vectors land on one point: each (point, sense) is drawn once, the
 * point labelled `×n` with its total; senses sharing
 * a point are drawn as concentric rings whose areas are proportional to their counts. A representation
 * that gives every occurrence the same vector (a static `target`) is one marker labelled with the
 * count and said so in the subtitle: it cannot separate senses.
 */
import type { TopLevelSpec } from 'vega-lite';
import type { SenseProjection } from '../results/json-schemas.js';
import type { SenseOccurrence } from '../types.js';
import type { Chart } from './document.js';

/** Categorical colours for senses (ColorBrewer Dark2, then Set1). */
export const SENSE_COLOURS: readonly string[] = ['#1b9e77', '#d95f02', '#7570b3', '#e7298a', '#66a61e', '#e6ab02', '#a6761d', '#e41a1c', '#377eb8', '#4daf4a', '#984ea3', '#ff7f00'];

/** Short legend text of a sense: `tag — gloss`, the gloss cut at 56 characters. */
function senseLabel(sense: string, gloss: string): string {
  const short = gloss.length > 56 ? `${gloss.slice(0, 55)}…` : gloss;
  return short === '' || short === sense ? sense : `${sense} — ${short}`;
}

/** The chart of one sense picture: `plots/senses-<word>-<model>-<representation>.svg` in the report, the same file from `sensebench senses --out`. */
export function sensePanelChart(projection: SenseProjection): Chart {
  const name = projection.fileName.replace(/\.svg$/, '');
  return {
    name,
    title: `${projection.word}: ${projection.model} · ${projection.representation} (${projection.kind}), occurrences by sense`,
    kind: 'senses',
    spec: panelSpec(projection),
    idPrefix: name,
  };
}

function panelSubtitle(panel: SenseProjection): string[] {
  const lines: string[] = [];
  if (panel.occurrences === 0) return ['no occurrence has a vector (out of vocabulary)'];
  if (panel.distinctVectors === 1) {
    lines.push(`all ${panel.occurrences} occurrences share one vector: one point, whatever the sense`);
  } else {
    const [pc1, pc2] = panel.explained ?? [0, 0];
    lines.push(`${panel.occurrences} occurrences, ${panel.distinctVectors} distinct vectors; PCA of the unit vectors: PC1 ${(100 * pc1).toFixed(0)}%, PC2 ${(100 * pc2).toFixed(0)}% of the variance`);
  }
  if (panel.score) {
    const accuracy = panel.score.nn1Correct / panel.score.occurrences;
    const mfs = panel.score.mfsCorrect / panel.score.occurrences;
    const silhouette = panel.score.silhouette === null ? 'n/a' : panel.score.silhouette.toFixed(2);
    lines.push(`1-NN sense accuracy ${accuracy.toFixed(2)} (most frequent sense ${mfs.toFixed(2)}), silhouette ${silhouette}`);
  }
  if (panel.missing > 0) lines.push(`${panel.missing} occurrences without a vector are not drawn`);
  return lines;
}

function panelSpec(panel: SenseProjection): TopLevelSpec {
  const senseOrder = panel.senses.map((s) => s.sense);
  const glossOf = new Map(panel.senses.map((s) => [s.sense, s.gloss]));
  const labels = senseOrder.map((sense) => senseLabel(sense, glossOf.get(sense) ?? ''));
  // At a point shared by several senses, each sense's circle has an area proportional to its count
  // plus the counts of the smaller senses drawn on top of it, so every visible ring (and the
  // innermost disc) has an area proportional to its own count.
  const drawnAbove = new Map<string, number>();
  const rows = [...panel.points]
    .sort((a, b) => a.count - b.count || senseOrder.indexOf(b.sense) - senseOrder.indexOf(a.sense))
    .map((point) => {
      const position = `${point.x},${point.y}`;
      const area = (drawnAbove.get(position) ?? 0) + point.count;
      drawnAbove.set(position, area);
      return { ...point, area, senseLabel: labels[senseOrder.indexOf(point.sense)]! };
    })
    .reverse();
  const totals = new Map<string, { x: number; y: number; count: number }>();
  for (const point of panel.points) {
    const key = `${point.x},${point.y}`;
    const total = totals.get(key) ?? { x: point.x, y: point.y, count: 0 };
    total.count += point.count;
    totals.set(key, total);
  }
  // One `×n` label per point position, with the total count there.
  const labelRows = [...totals.values()].filter((total) => total.count > 1).map((total) => ({ ...total, text: `×${total.count}` }));
  const collapsed = panel.distinctVectors <= 1;
  const axis = (index: 0 | 1) => ({
    title: collapsed ? `PC${index + 1} (no variance)` : `PC${index + 1} (${(100 * (panel.explained?.[index] ?? 0)).toFixed(0)}% of variance)`,
    grid: true,
    tickCount: 5,
  });
  const domain = collapsed ? { domain: [-1, 1] } : { zero: false, nice: true };
  const maxArea = Math.max(1, ...rows.map((row) => row.area));
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    title: { text: `${panel.word} · ${panel.model}:${panel.representation} (${panel.kind})`, subtitle: panelSubtitle(panel) },
    config: {
      font: 'Liberation Sans, Arial, Helvetica, sans-serif',
      background: 'white',
      padding: 8,
      title: { fontSize: 14, fontWeight: 'bold', anchor: 'start', subtitleFontSize: 11, subtitleColor: '#444', offset: 8 },
      axis: { labelFontSize: 10, titleFontSize: 11, titleFontWeight: 'normal' },
      legend: { labelFontSize: 11, titleFontSize: 11, labelLimit: 420, symbolSize: 120 },
      view: { stroke: '#ccc' },
      mark: { aria: false },
    },
    width: 360,
    height: 300,
    layer: [
      {
        data: { values: rows },
        mark: { type: 'point', filled: true, opacity: 1, stroke: 'white', strokeWidth: 1 },
        encoding: {
          x: { field: 'x', type: 'quantitative', scale: domain, axis: axis(0) },
          y: { field: 'y', type: 'quantitative', scale: domain, axis: axis(1) },
          color: { field: 'senseLabel', type: 'nominal', scale: { domain: labels, range: labels.map((_l, i) => SENSE_COLOURS[i % SENSE_COLOURS.length]!) }, legend: { title: 'sense', orient: 'bottom', direction: 'vertical' } },
          // Area proportional to `area` (zero-based), 70 px² per occurrence up to 900 px² for the largest.
          size: { field: 'area', type: 'quantitative', scale: { type: 'linear', domain: [0, maxArea], range: [0, Math.min(900, 70 * maxArea)] }, legend: null },
          order: { field: 'area', sort: 'descending' },
        },
      },
      {
        data: { values: labelRows },
        mark: { type: 'text', dx: 12, dy: -10, fontSize: 11, fontWeight: 'bold', color: '#222', align: 'left' },
        encoding: { x: { field: 'x', type: 'quantitative' }, y: { field: 'y', type: 'quantitative' }, text: { field: 'text', type: 'nominal' } },
      },
    ],
  };
}

/** One line per panel for the terminal. */
export function panelSummaryLine(panel: SenseProjection): string {
  const key = `${panel.model}:${panel.representation} (${panel.kind})`;
  if (panel.occurrences === 0) return `${key.padEnd(40)} no vectors`;
  const score = panel.score;
  const accuracy = score ? (score.nn1Correct / score.occurrences).toFixed(3) : '  -  ';
  const silhouette = score?.silhouette === null || !score ? '   -  ' : score.silhouette.toFixed(3).padStart(6);
  const picture = panel.distinctVectors === 1 ? `one point for all ${panel.occurrences}` : `${panel.distinctVectors} points, PC1+2 ${(100 * ((panel.explained?.[0] ?? 0) + (panel.explained?.[1] ?? 0))).toFixed(0)}%`;
  return `${key.padEnd(40)} ${accuracy.padStart(6)} ${silhouette.padStart(10)}   ${picture}`;
}

/** The text summary of a word's panels. */
export function sensesSummaryText(word: string, occurrences: readonly Pick<SenseOccurrence, 'sense' | 'gloss'>[], panels: readonly SenseProjection[], datasetName: string): string {
  const counts = new Map<string, number>();
  for (const o of occurrences) counts.set(o.sense, (counts.get(o.sense) ?? 0) + 1);
  const glossOf = new Map(occurrences.map((o) => [o.sense, o.gloss]));
  const mfs = Math.max(...counts.values()) / occurrences.length;
  const lines = [
    `${word}: ${occurrences.length} occurrences in ${datasetName}, ${counts.size} senses (most frequent sense baseline ${mfs.toFixed(3)})`,
    ...[...counts].map(([sense, count]) => `  ${String(count).padStart(4)}  ${senseLabel(sense, glossOf.get(sense) ?? '')}`),
    '',
    `${'representation'.padEnd(40)} ${'1-NN'.padStart(6)} ${'silhouette'.padStart(10)}   picture`,
    ...panels.map(panelSummaryLine),
  ];
  return `${lines.join('\n')}\n`;
}
