/**
 * Layer curves in the report: which models get one (more than one layer-like representation), the
 * points in stack order with the scores and CIs of summary rows set by hand here, the sentence
 * saying where sense information peaks (checked against those numbers, and again after moving the
 * peak and the intervals), and the chart: rendered for every evaluation split, placed in the
 * report, byte-identical when rendered twice.
 */
import { describe, expect, it } from 'vitest';
import { buildReportDocument, sectionBlocks } from '../src/reports/report.js';
import { layerCurves, layerDepth, layerPeakSentence } from '../src/reports/layers.js';
import { renderMarkdown } from '../src/reports/markdown.js';
import { chartsOf, renderCharts } from '../src/reports/charts.js';

import { fixtureRun } from './report-fixture.js';

import type { RunResult } from '../src/results/run-result.js';
import type { SummaryRow } from '../src/results/schema.js';
type Interval = readonly [value: number, low: number, high: number];

/** The fixture run plus a four-layer model `tiny-bert` whose AUC per layer is `aucs` on every split. */
function withLayers(aucs: Readonly<Record<string, Interval>>): RunResult {
  const base = fixtureRun();
  const names = Object.keys(aucs);
  const model = {
    id: 'tiny-bert',
    sha256: 'e'.repeat(64),
    description: 'A tiny BERT (test input).',
    info: {},
    representations: names.map((name) => ({ name, kind: name === 'input' || name === 'embeddings' ? ('static' as const) : ('contextual' as const), description: name })),
  };
  return {
    ...base,
    context: { ...base.context, models: [...base.context.models, model] },
    splits: base.splits.map((split) => {
      const template = split.scores.find((score) => score.model === 'glove-100d' && score.normalization === 'none')!;
      const rows: SummaryRow[] = names.map((name) => {
        const [value, low, high] = aucs[name]!;
        return { ...template, model: 'tiny-bert', kind: model.representations.find((r) => r.name === name)!.kind, representation: name, auc: { value, low, high } };
      });
      return { ...split, scores: [...split.scores, ...rows] };
    }),
  };
}

const PEAK_AT_LAYER_1: Record<string, Interval> = {
  input: [0.55, 0.5, 0.6],
  embeddings: [0.58, 0.53, 0.63],
  'layer-1': [0.74, 0.7, 0.78],
  'layer-2': [0.71, 0.66, 0.75],
};

describe('layer curves', () => {
  it('orders representations input, embeddings, layer-0, layer-1, ... and ignores the rest', () => {
    expect(['layer-2', 'input', 'sentence', 'layer-10', 'embeddings', 'layer-0', 'target'].map(layerDepth)).toEqual([2, -2, null, 10, -1, 0, null]);
  });

  it('one curve per model with more than one layer-like representation, points and references from the summary rows', () => {
    const result = withLayers(PEAK_AT_LAYER_1);
    const split = result.splits.find((s) => s.dataset === 'wic-like')!;
    const curves = layerCurves(result, split);
    // use-lite of the fixture has a single layer (layer-1): no curve.
    expect(curves.map((curve) => curve.model)).toEqual(['tiny-bert']);
    const [curve] = curves;
    expect(curve!.metric).toBe('auc');
    expect(curve!.points.map((p) => [p.representation, p.value, p.low, p.high])).toEqual([
      ['input', 0.55, 0.5, 0.6],
      ['embeddings', 0.58, 0.53, 0.63],
      ['layer-1', 0.74, 0.7, 0.78],
      ['layer-2', 0.71, 0.66, 0.75],
    ]);
    const glove = split.scores.find((s) => s.model === 'glove-100d' && s.normalization === 'none')!;
    expect(curve!.references).toEqual([
      { model: 'glove-100d', representation: 'target', value: glove.auc!.value },
      { model: 'tiny-bert', representation: 'input', value: 0.55 },
      { model: 'tiny-bert', representation: 'embeddings', value: 0.58 },
    ]);
  });

  it('the peak sentence states the best layer, its AUC and CI, the gain, the overlapping layers, from the numbers', () => {
    const result = withLayers(PEAK_AT_LAYER_1);
    const split = result.splits.find((s) => s.dataset === 'wic-like')!;
    const sentence = layerPeakSentence(layerCurves(result, split)[0]!);
    expect(sentence).toContain('tiny-bert: sense information peaks at layer-1 (AUC 0.740 [95% CI 0.700, 0.780]');
    expect(sentence).toContain('+0.190 over its input (0.550)');
    expect(sentence).toContain("the intervals of layer-2 overlap the peak's");
    expect(sentence).toContain('glove-100d · target');

    // Move the peak to layer-2 and separate the intervals: the words follow.
    const moved = withLayers({ ...PEAK_AT_LAYER_1, 'layer-1': [0.62, 0.6, 0.64], 'layer-2': [0.81, 0.79, 0.83] });
    const movedSentence = layerPeakSentence(layerCurves(moved, moved.splits.find((s) => s.dataset === 'wic-like')!)[0]!);
    expect(movedSentence).toContain('peaks at layer-2 (AUC 0.810 [95% CI 0.790, 0.830]');
    expect(movedSentence).toContain('+0.260 over its input (0.550)');
    expect(movedSentence).toContain("no other layer's interval overlaps the peak's");

    // The input best of all: no later layer is above it.
    const flat = withLayers({ input: [0.7, 0.65, 0.75], 'layer-1': [0.6, 0.55, 0.66] });
    const flatSentence = layerPeakSentence(layerCurves(flat, flat.splits.find((s) => s.dataset === 'wic-like')!)[0]!);
    expect(flatSentence).toContain('peaks at input (AUC 0.700');
    expect(flatSentence).toContain('no later layer scores above its input');
  });

  it('renders a chart per evaluation split, places it with the sentence in the report, byte-identical twice', async () => {
    const result = withLayers(PEAK_AT_LAYER_1);
    const first = await renderCharts(buildReportDocument(result));
    const second = await renderCharts(buildReportDocument(result));
    const layers = first.filter((plot) => plot.kind === 'layers');
    expect(layers.map((plot) => plot.name)).toEqual(['layers-tiny-bert-lesson-all', 'layers-tiny-bert-wic-like-dev']);
    // Both stand in the layers section, each after the sentence of its split.
    expect(chartsOf({ title: '', blocks: sectionBlocks(result, ['layers']) }).map((chart) => chart.name)).toEqual(['layers-tiny-bert-lesson-all', 'layers-tiny-bert-wic-like-dev']);
    for (const plot of layers) {
      expect(plot.svg.startsWith('<svg')).toBe(true);
      for (const label of ['input', 'embeddings', 'layer-1', 'layer-2', '0.740', 'glove-100d · target']) expect(plot.svg).toContain(label);
    }
    expect(second.map((plot) => plot.svg)).toEqual(first.map((plot) => plot.svg));

    const markdown = renderMarkdown(buildReportDocument(result));
    expect(markdown).toContain('Where sense information peaks, layer by layer');
    expect(markdown).toContain('tiny-bert: sense information peaks at layer-1 (AUC 0.740 [95% CI 0.700, 0.780]');
    expect(markdown).toContain('plots/layers-tiny-bert-wic-like-dev.svg');
  });

  it('no chart and no section when no model has several layers', () => {
    const result = fixtureRun();
    expect(chartsOf(buildReportDocument(result)).filter((chart) => chart.kind === 'layers')).toEqual([]);
    expect(renderMarkdown(buildReportDocument(result))).not.toContain('layer by layer');
  });
});
