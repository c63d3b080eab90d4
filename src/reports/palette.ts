/**
 * The report's look, shared by the charts and the HTML page: warm colours for static
 * representations, cool ones for contextual ones, one stable colour per model representation across
 * every chart, and the configuration every chart starts from.
 */
import type { RepresentationKey, RepresentationKind } from '../types.js';
import type { RepresentationEntry } from './content.js';

/** Warm colours for static representations, cool colours for contextual ones; cycled when exhausted. */
export const kindPalettes: Readonly<Record<RepresentationKind, readonly string[]>> = {
  static: ['#d95f02', '#8c510a', '#b2182b', '#bf812d', '#c51b7d'],
  contextual: ['#1f78b4', '#1b9e77', '#6a3d9a', '#08306b', '#41b6c4', '#5e81ac', '#238443', '#8073ac'],
};

/** Main colour of each kind, for charts that colour by kind only. */
export const kindColours: Readonly<Record<RepresentationKind, string>> = {
  static: kindPalettes.static[0]!,
  contextual: kindPalettes.contextual[0]!,
};

/** The colour of every model representation, stable across all charts of a run. */
export function representationColours(entries: readonly RepresentationEntry[]): Map<RepresentationKey, string> {
  const colours = new Map<RepresentationKey, string>();
  const used: Record<RepresentationKind, number> = { static: 0, contextual: 0 };
  for (const entry of entries) {
    const palette = kindPalettes[entry.kind];
    colours.set(entry.key, palette[used[entry.kind] % palette.length]!);
    used[entry.kind] += 1;
  }
  return colours;
}

/** The configuration of every chart (fonts, title, axes, legends). */
export const chartConfig = {
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

/** A vega-lite colour scale giving each labelled representation its colour. */
export function colourScale(entries: readonly RepresentationEntry[], colours: ReadonlyMap<RepresentationKey, string>, labels: readonly string[]) {
  return { domain: [...labels], range: entries.map((entry) => colours.get(entry.key)!) };
}
