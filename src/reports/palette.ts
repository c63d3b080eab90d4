/**
 * The report's colours, shared by the charts and the HTML page: warm for static representations,
 * cool for contextual ones, and one stable colour per model representation across every chart.
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
