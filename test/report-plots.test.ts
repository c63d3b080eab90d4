import type { TopLevelSpec } from 'vega-lite';
import { describe, expect, it } from 'vitest';

import { mulberry32 } from '../src/random.js';
import { rocArea, rocPoints, thinRoc } from '../src/metrics/roc.js';
import { normaliseSvgIds, renderCharts, renderSvg, roundSvgCoordinates } from '../src/reports/charts.js';
import { buildReportDocument } from '../src/reports/report.js';
import { bruteForceAuc, fixtureRun, fixtureThroughput } from './report-fixture.js';

describe('rocPoints', () => {
  it('walks a hand-worked example', () => {
    // Ranked by score: T F T F -> after each threshold (tp/2, fp/2).
    const points = rocPoints([
      { score: 0.9, label: true },
      { score: 0.8, label: false },
      { score: 0.7, label: true },
      { score: 0.6, label: false },
    ]);
    expect(points).toEqual([
      { fpr: 0, tpr: 0 },
      { fpr: 0, tpr: 0.5 },
      { fpr: 0.5, tpr: 0.5 },
      { fpr: 0.5, tpr: 1 },
      { fpr: 1, tpr: 1 },
    ]);
    // Pairs (positive beats negative): 0.9>0.8, 0.9>0.6, 0.7>0.6 -> 3 of 4.
    expect(rocArea(points!)).toBe(0.75);
  });

  it('has the Mann-Whitney AUC as its area, ties counted half (checked by brute force over all pairs)', () => {
    const next = mulberry32(12345).next;
    for (let trial = 0; trial < 20; trial += 1) {
      // One decimal makes many ties.
      const items = Array.from({ length: 40 + trial * 7 }, () => {
        const label = next() < 0.45;
        return { label, score: Math.round((next() + (label ? 0.15 : 0)) * 10) / 10 };
      });
      const points = rocPoints(items);
      expect(points).not.toBeNull();
      expect(rocArea(points!)).toBeCloseTo(bruteForceAuc(items)!, 12);
    }
  });

  it('gives the static spike (every cosine 1.0) the chance diagonal, and no curve for one class', () => {
    const points = rocPoints([true, false, true, false, false].map((label) => ({ score: 1, label })));
    expect(points).toEqual([
      { fpr: 0, tpr: 0 },
      { fpr: 1, tpr: 1 },
    ]);
    expect(rocArea(points!)).toBe(0.5);
    expect(rocPoints([{ score: 0.3, label: true }])).toBeNull();
  });

  it('thins long curves without moving the area', () => {
    const items = Array.from({ length: 5000 }, (_, index) => ({ score: Math.sin(index * 12.9898) * 0.5 + (index % 3 === 0 ? 0.2 : 0), label: index % 3 === 0 }));
    const points = rocPoints(items)!;
    const thin = thinRoc(points);
    expect(thin.length).toBeLessThan(points.length / 3);
    expect(thin[0]).toEqual({ fpr: 0, tpr: 0 });
    expect(thin[thin.length - 1]).toEqual({ fpr: 1, tpr: 1 });
    expect(Math.abs(rocArea(thin) - rocArea(points))).toBeLessThan(0.002);
  });
});

describe('renderCharts', () => {
  it('renders every chart, byte-identical on a second render, with ids unique across the page', async () => {
    const warnings: string[] = [];
    const first = await renderCharts(buildReportDocument(fixtureRun(fixtureThroughput())), warnings);
    expect(warnings).toEqual([]);
    expect(first.map((plot) => plot.name)).toEqual([
      'lesson-examples',
      'distribution-lesson-all',
      'roc-lesson-all',
      'auc-lesson-all',
      'distribution-wic-like-dev',
      'roc-wic-like-dev',
      'auc-wic-like-dev',
      'throughput',
    ]);
    // vega's clip-path counter has moved on by now; the ids must not depend on it.
    const second = await renderCharts(buildReportDocument(fixtureRun(fixtureThroughput())));
    expect(second.map((plot) => plot.svg)).toEqual(first.map((plot) => plot.svg));
    const ids = first.flatMap((plot) => [...plot.svg.matchAll(/\bid="([^"]+)"/g)].map((match) => match[1]));
    expect(new Set(ids).size).toBe(ids.length);
    for (const plot of first) {
      expect(plot.svg.startsWith('<svg')).toBe(true);
      expect(plot.svg).not.toMatch(/NaN|undefined|Infinity/);
    }
    // The static representation is drawn in the static colour, the contextual ones in cool colours.
    const roc = first.find((plot) => plot.name === 'roc-wic-like-dev')!.svg;
    expect(roc).toContain('stroke="#d95f02"');
    expect(roc).toContain('stroke="#1f78b4"');
    expect(roc).toContain('glove-100d · target — AUC 0.500, n=240');
  });

  it('gives clip paths chart-specific ids that do not depend on what was rendered before', async () => {
    const spec: TopLevelSpec = {
      data: { values: [{ x: 0.2, y: 0.1 }, { x: 1.4, y: 0.9 }] },
      mark: { type: 'line', clip: true },
      encoding: { x: { field: 'x', type: 'quantitative', scale: { domain: [0, 1] } }, y: { field: 'y', type: 'quantitative' } },
    };
    const first = await renderSvg(spec, 'chart-a');
    const second = await renderSvg(spec, 'chart-a');
    expect(first).toContain('<clipPath id="chart-a-1">');
    expect(first).toContain('clip-path="url(#chart-a-1)"');
    expect(second).toBe(first);
  });

  it('rounds geometry to hundredths of a pixel and leaves text alone', () => {
    const svg = '<path d="M299.67857142857144,45.910253999999995h10.571428571428555v-0.0001Z"/><g transform="translate(12.5,3.0049999)"><text x="1.23456">0.500 [0.380, 0.620]</text></g>';
    expect(roundSvgCoordinates(svg)).toBe('<path d="M299.68,45.91h10.57v0Z"/><g transform="translate(12.5,3)"><text x="1.23">0.500 [0.380, 0.620]</text></g>');
  });

  it('renumbers ids and every reference to them', () => {
    const svg = '<svg><clipPath id="clip7"><rect/></clipPath><g clip-path="url(#clip7)"/><clipPath id="clip70"/><use href="#clip70"/></svg>';
    expect(normaliseSvgIds(svg, 'p')).toBe('<svg><clipPath id="p-1"><rect/></clipPath><g clip-path="url(#p-1)"/><clipPath id="p-2"/><use href="#p-2"/></svg>');
  });
});
