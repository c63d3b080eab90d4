/** The lesson's worked examples (the bank and apple pairs), with every representation's cosine and a chart of them. */
import type { TopLevelSpec } from 'vega-lite';
import { round6 } from '../../metrics/metric.js';
import type { RunResult, SplitResult } from '../../results/run-result.js';
import type { PairResult, RepresentationKey } from '../../types.js';
import { findLessonPairs, formatNumber, keyLabel, representationEntries } from '../content.js';
import { figure, heading, paragraph, text, type Block, type Cell } from '../document.js';
import { chartConfig, colourScale, representationColours } from '../palette.js';

function exampleBlock(result: RunResult, pair: PairResult, split: SplitResult): Block {
  const rows = representationEntries(result)
    .filter((entry) => pair.cosines.has(entry.key))
    .map((entry): Cell[] => [entry.model, entry.representation, entry.kind, formatNumber(pair.cosines.get(entry.key) ?? null)]);
  return { type: 'example', pair, dataset: split.dataset, split: split.split, rows };
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
    config: chartConfig,
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

/** The section, or nothing when the run has no worked-example pair. */
export function lessonBlocks(result: RunResult): Block[] {
  const lesson = findLessonPairs(result);
  if (lesson.length === 0) return [];
  const colours = representationColours(representationEntries(result));
  return [
    heading(2, 'The lesson’s examples', 'lesson-examples'),
    paragraph(text('The two examples of the lesson, as pairs of the lesson set, with the cosine of the target word’s vectors in the two sentences for every representation.')),
    ...lesson.map(({ result: pair, split }) => exampleBlock(result, pair, split)),
    ...figure('lesson-examples', 'Cosines of the lesson’s bank and apple pairs per representation', 'lesson', lessonSpec(result, colours)),
  ];
}
