/**
 * Results per dataset: for every split its facts, the findings its scores support, the summary
 * table, the charts of its cosines (distributions, ROC curves, AUC and Spearman with their
 * intervals) and the lesson's words in it.
 */
import type { TopLevelSpec } from 'vega-lite';
import { round6 } from '../../metrics/metric.js';
import { rocArea, rocPoints, thinRoc } from '../../metrics/roc.js';
import type { RunResult, SplitResult } from '../../results/run-result.js';
import type { WordScore } from '../../results/schema.js';
import type { RepresentationKey } from '../../types.js';
import {
  formatNumber,
  formatPercent,
  formatWithCi,
  keyLabel,
  labelCounts,
  lessonWords,
  orderedScores,
  representationEntries,
  slug,
  splitFindings,
  splitTitle,
  type RepresentationEntry,
} from '../content.js';
import { code, figure, findingList, heading, paragraph, strong, text, type Block, type Cell } from '../document.js';
import { chartConfig, colourScale, representationColours } from '../palette.js';

function summaryTable(result: RunResult, split: SplitResult): Block {
  const graded = split.scores.some((score) => score.spearman !== null);
  const header = [
    'model',
    'kind',
    'representation',
    'n pairs',
    'AUC [95% CI]',
    'AP',
    'accuracy',
    'mean cos same',
    'mean cos different',
    'Cohen’s d',
    ...(graded ? ['Spearman [95% CI]', 'Pearson [95% CI]'] : []),
    'OOV',
  ];
  const rows = orderedScores(result, split).map((score): Cell[] => [
    score.model,
    score.kind,
    score.representation,
    score.nPairs === 0 && split.pairs.length > 0 ? '0\nno pair embedded (out of vocabulary)' : String(score.nPairs),
    formatWithCi(score.auc),
    formatNumber(score.averagePrecision),
    score.accuracy === null ? '–' : `${formatNumber(score.accuracy)} (${score.thresholdSource === 'train' ? 'train threshold' : score.thresholdSource === 'cv' ? 'CV threshold' : 'no threshold'})`,
    formatNumber(score.meanCosSame),
    formatNumber(score.meanCosDifferent),
    formatNumber(score.cohensD, 2),
    ...(graded ? [formatWithCi(score.spearman), formatWithCi(score.pearson)] : []),
    formatPercent(score.oovRate),
  ]);
  const numeric = header.map((_, index) => index).filter((index) => index >= 3);
  return {
    type: 'table',
    id: `summary-${slug(split.dataset)}-${slug(split.split)}`,
    caption: `Scores on ${splitTitle(split)}, one row per model representation.`,
    header,
    numeric,
    rows,
    highlight: [],
  };
}

function wordCell(score: WordScore | undefined): string {
  if (score === undefined || score.nPairs === 0) return '–';
  return `${formatNumber(score.auc, 2)} (${formatNumber(score.meanCosSame, 2)} / ${formatNumber(score.meanCosDifferent, 2)})`;
}

function wordTable(result: RunResult, split: SplitResult, entries: readonly RepresentationEntry[]): Block | null {
  const wanted = split.dataset === 'lesson' ? null : new Set(lessonWords(result));
  const byWord = new Map<string, WordScore[]>();
  for (const score of split.words) {
    const word = score.word.toLowerCase();
    if (wanted !== null && !wanted.has(word)) continue;
    const list = byWord.get(word) ?? [];
    list.push(score);
    byWord.set(word, list);
  }
  if (byWord.size === 0) return null;
  const order = lessonWords(result);
  const words = [...byWord.keys()].sort((a, b) => {
    const rankA = order.indexOf(a);
    const rankB = order.indexOf(b);
    if (rankA !== rankB) return (rankA < 0 ? Infinity : rankA) - (rankB < 0 ? Infinity : rankB);
    return a < b ? -1 : a > b ? 1 : 0;
  });
  const shown = entries.filter((entry) => split.words.some((score) => score.model === entry.model && score.representation === entry.representation));
  const rows: Cell[][] = [];
  const highlight: number[] = [];
  for (const word of words) {
    const scores = byWord.get(word)!;
    const first = scores.find((score) => score.nPairs > 0) ?? scores[0]!;
    if (word === 'bank' || word === 'apple') highlight.push(rows.length);
    rows.push([
      [strong(word)],
      `${first.nPairs} (${first.nSame} / ${first.nDifferent})`,
      ...shown.map((entry) => wordCell(scores.find((score) => score.model === entry.model && score.representation === entry.representation))),
    ]);
  }
  return {
    type: 'table',
    id: `words-${slug(split.dataset)}-${slug(split.split)}`,
    caption:
      split.dataset === 'lesson'
        ? `Per word on ${splitTitle(split)}: AUC (mean cosine of same-sense / different-sense pairs). Pair counts are the pairs scored by the first representation.`
        : `The lesson’s words as they occur in ${splitTitle(split)}: AUC (mean cosine of same-sense / different-sense pairs). Pair counts are the pairs scored by the first representation.`,
    header: ['word', 'pairs (same / different)', ...shown.map((entry) => keyLabel(entry.model, entry.representation))],
    numeric: shown.map((_, index) => index + 2).concat([1]),
    rows,
    highlight,
  };
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


/** Width of a histogram bin of cosines. */
const binWidth = 0.025;


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
    config: chartConfig,
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
    config: chartConfig,
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
    config: chartConfig,
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


/** One split: its heading, facts, findings, summary table, charts and the lesson's words in it. */
function splitBlocks(result: RunResult, split: SplitResult, entries: readonly RepresentationEntry[], colours: ReadonlyMap<RepresentationKey, string>): Block[] {
  const counts = labelCounts(split);
  const info = result.context.datasets.find((dataset) => dataset.name === split.dataset);
  const facts = [
    `${split.pairs.length} pairs`,
    ...(counts.same + counts.different > 0 ? [`${counts.same} same sense, ${counts.different} different sense`] : []),
    ...(counts.unlabelled > 0 ? [`${counts.unlabelled} unlabelled`] : []),
    ...(split.graded ? ['graded similarity ratings'] : []),
    ...(counts.truncated > 0 ? [`${counts.truncated} with a sentence cut to fit a model`] : []),
  ];
  const stem = `${slug(split.dataset)}-${slug(split.split)}`;
  const words = wordTable(result, split, entries);
  return [
    heading(3, splitTitle(split), `split-${stem}`),
    paragraph(...(info?.description ? [text(`${info.description} `)] : []), text(`${facts.join(', ')}.`), ...(info ? [text(' Format '), code(info.format), text(', files '), ...info.files.flatMap((file, index) => [...(index > 0 ? [text(', ')] : []), code(file)]), text('.')] : [])),
    ...findingList(splitFindings(result, split)),
    summaryTable(result, split),
    ...figure(`distribution-${stem}`, `Cosine distributions of same- and different-sense pairs, ${splitTitle(split)}`, 'distribution', distributionSpec(result, split)),
    ...figure(`roc-${stem}`, `ROC curves, ${splitTitle(split)}`, 'roc', rocSpec(result, split, colours)),
    ...figure(`auc-${stem}`, `AUC with 95% confidence intervals, ${splitTitle(split)}`, 'auc', intervalSpec(result, split, colours, 'auc')),
    ...figure(`spearman-${stem}`, `Spearman correlation with 95% confidence intervals, ${splitTitle(split)}`, 'spearman', intervalSpec(result, split, colours, 'spearman')),
    ...(words === null ? [] : [words]),
  ];
}

/** The section: every split of the run in run order. */
export function splitsBlocks(result: RunResult): Block[] {
  const entries = representationEntries(result);
  const colours = representationColours(entries);
  return [heading(2, 'Results per dataset', 'results'), ...result.splits.flatMap((split) => splitBlocks(result, split, entries, colours))];
}
