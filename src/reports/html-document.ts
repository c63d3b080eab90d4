/**
 * The report as a small document model (headings, paragraphs, tables, figures, example pairs),
 * built once from a RunResult and rendered twice: to markdown (`summary.md`) and to HTML
 * (`index.html`). Both files therefore say exactly the same things.
 */
import type { PairResult } from '../types.js';
import {
  describeModel,
  findLessonPairs,
  formatNumber,
  formatPercent,
  formatWithCi,
  keyLabel,
  labelCounts,
  lessonWords,
  orderedScores,
  regenerateCommands,
  representationEntries,
  slug,
  splitFindings,
  splitTitle,
  type RepresentationEntry,
} from './content.js';
import type { RenderedPlot } from './plots.js';
import { analysisBlocks } from './analysis.js';
import { followupBlocks } from './followup.js';
import { code, heading, paragraph, strong, text, type Block, type Cell, type ReportDocument } from './document.js';

import type { RunResult, SplitResult } from '../results/run-result.js';
import type { ThroughputRow, WordScore } from '../results/schema.js';
export type { Block, Cell, Inline, ReportDocument } from './document.js';

/** How a pair's label reads in prose. */
export function senseText(label: boolean | null): string {
  return label === true ? 'same sense' : label === false ? 'different senses' : 'unlabelled';
}

function exampleBlock(result: RunResult, pair: PairResult, split: SplitResult): Block {
  const rows = representationEntries(result)
    .filter((entry) => pair.cosines.has(entry.key))
    .map((entry): Cell[] => [entry.model, entry.representation, entry.kind, formatNumber(pair.cosines.get(entry.key) ?? null)]);
  return { type: 'example', pair, dataset: split.dataset, split: split.split, rows };
}

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

function throughputTable(rows: readonly ThroughputRow[]): Block {
  return {
    type: 'table',
    id: 'throughput-table',
    caption: 'Every throughput measurement beside its baseline measured in the same run. Ratio: bigger is better; goal met when ratio ≥ goal.',
    header: ['group', 'subject', 'value', 'baseline', 'baseline value', 'ratio', 'goal', 'met', '± rme', 'samples'],
    numeric: [2, 4, 5, 6, 8, 9],
    rows: rows.map((row): Cell[] => [
      row.group,
      row.subject,
      `${formatMeasure(row.value)} ${row.unit}`,
      row.baseline === '' ? '–' : row.baseline,
      row.baselineValue === null ? '–' : `${formatMeasure(row.baselineValue)} ${row.unit}`,
      row.ratio === null ? '–' : `×${formatNumber(row.ratio, 2)}`,
      row.goal === null ? '–' : `×${formatNumber(row.goal, 2)}`,
      row.goal === null || row.ratio === null ? '–' : row.ratio >= row.goal ? 'yes' : 'no',
      row.rmePercent === null ? '–' : `${formatNumber(row.rmePercent, 1)}%`,
      row.samples === null ? '–' : String(row.samples),
    ]),
    highlight: [],
  };
}

/**
 * AUC (or Spearman for graded splits) of every representation on every split in one table:
 * representations down, splits across, each cell with its interval and the pairs it rests on.
 */
function glanceTable(result: RunResult): Block | null {
  const columns = result.splits
    .map((split) => {
      const scores = orderedScores(result, split);
      const metric = scores.some((score) => score.auc !== null) ? ('auc' as const) : scores.some((score) => score.spearman !== null) ? ('spearman' as const) : null;
      return { split, scores, metric };
    })
    .filter((column) => column.metric !== null);
  if (columns.length === 0) return null;
  const entries = representationEntries(result);
  const rows = entries.map((entry): Cell[] => [
    entry.model,
    entry.representation,
    entry.kind,
    ...columns.map(({ split, scores, metric }) => {
      const score = scores.find((candidate) => candidate.model === entry.model && candidate.representation === entry.representation);
      if (score === undefined) return '–';
      const estimate = metric === 'auc' ? score.auc : score.spearman;
      if (estimate === null) return `–\nn=${score.nPairs}`;
      const { value, low, high } = estimate;
      // Two lines (HTML shows the second smaller; markdown joins them): keeps the table narrow.
      const interval = low === null || high === null ? '' : `[${formatNumber(low)}, ${formatNumber(high)}] `;
      const corrected = orderedScores(result, split, 'abtt').find((candidate) => candidate.model === entry.model && candidate.representation === entry.representation);
      const correctedValue = (metric === 'auc' ? corrected?.auc : corrected?.spearman)?.value;
      return `${formatNumber(value)}\n${interval}n=${score.nPairs}${correctedValue === undefined ? '' : ` · abtt ${formatNumber(correctedValue)}`}`;
    }),
  ]);
  return {
    type: 'table',
    id: 'glance',
    caption:
      'AUC [95% CI] of the cosine for telling same-sense from different-sense pairs (Spearman ρ for graded data), with the pairs each number rests on, and the same after all-but-the-top (abtt). 0.5 is chance.',
    header: ['model', 'representation', 'kind', ...columns.map(({ split, metric }) => `${splitTitle(split)}${metric === 'spearman' ? ' (Spearman)' : ''}`)],
    numeric: columns.map((_, index) => index + 3),
    rows,
    highlight: [],
  };
}

/** Three significant digits for measurements spanning ms to millions of ops/s. */
function formatMeasure(value: number): string {
  if (!Number.isFinite(value)) return '–';
  const magnitude = Math.abs(value);
  if (magnitude >= 1000) return Math.round(value).toLocaleString('en-US');
  if (magnitude >= 100) return value.toFixed(0);
  if (magnitude >= 10) return value.toFixed(1);
  return value.toFixed(2);
}

/**
 * Builds the report from a run: the lesson's examples, what the models and representations are,
 * per dataset split the scores, charts and per-word table, throughput, how to read the numbers,
 * how to regenerate, and the run's context.
 */
/** Skipped lines listed in the report per dataset (run.json lists them all). */
const SKIPPED_SHOWN = 20;

export function buildReportDocument(result: RunResult, plots: readonly RenderedPlot[]): ReportDocument {
  const throughput = result.throughput;
  const blocks: Block[] = [];
  const entries = representationEntries(result);
  const context = result.context;
  const plotsOf = (section: string): Block[] => plots.filter((plot) => plot.section === section).map((plot): Block => ({ type: 'figure', plot }));

  blocks.push(
    paragraph(
      text(
        `Run of ${context.date} · sensebench ${context.sensebenchVersion} · seed ${context.seed} · Node ${context.node} on ${context.platform}, ${context.cpu} (${context.cores} cores).`,
      ),
    ),
    paragraph(
      text('The lesson: a static word embedding gives each word '),
      strong('one vector, whatever the sentence'),
      text(
        ', so it cannot tell "bank" (river) from "bank" (money) or "apple" (fruit) from "Apple" (company). A contextual transformer computes a vector for each occurrence from the whole sentence. This report measures that on pairs of sentences sharing a target word, labelled same sense or different sense: for each pair, the cosine similarity of the target word’s two vectors. A representation that understands senses gives same-sense pairs higher cosines than different-sense pairs.',
      ),
    ),
  );

  if (context.warnings.length > 0) {
    blocks.push(heading(2, 'Warnings', 'warnings'));
    blocks.push({ type: 'list', items: context.warnings.map((warning) => [text(warning)]) });
  }
  const skipped = context.datasets.filter((dataset) => dataset.skipped.length > 0);
  if (skipped.length > 0) {
    blocks.push(heading(2, 'Skipped input lines', 'skipped'));
    for (const dataset of skipped) {
      const shown = dataset.skipped.slice(0, SKIPPED_SHOWN);
      blocks.push(
        paragraph(text(`${dataset.name}: ${dataset.skipped.length} of ${dataset.records} records skipped (--on-invalid skip)${dataset.skipped.length > shown.length ? `; the first ${shown.length}, all of them in run.json` : ''}:`)),
        { type: 'list', items: shown.map((line) => [code(line)]) },
      );
    }
  }

  const lesson = findLessonPairs(result);
  if (lesson.length > 0) {
    blocks.push(heading(2, 'The lesson’s examples', 'lesson-examples'));
    blocks.push(paragraph(text('The two examples of the lesson, as pairs of the lesson set, with the cosine of the target word’s vectors in the two sentences for every representation.')));
    for (const { result: pair, split } of lesson) blocks.push(exampleBlock(result, pair, split));
    blocks.push(...plotsOf('lesson'));
  }

  const glance = glanceTable(result);
  if (glance !== null) {
    blocks.push(heading(2, 'At a glance', 'glance'));
    blocks.push(glance);
  }

  blocks.push(heading(2, 'What was compared', 'models'));
  blocks.push({
    type: 'list',
    items: result.context.models.map((model) => [strong(model.id), text(` — ${describeModel(result, model.id)}`)]),
  });
  blocks.push({
    type: 'table',
    id: 'representations',
    caption: 'Representations: each is one way of turning an occurrence of the target word into a vector.',
    header: ['model', 'representation', 'kind', 'what the vector is'],
    numeric: [],
    rows: entries.map((entry): Cell[] => [entry.model, [code(entry.representation)], entry.kind, entry.description]),
    highlight: [],
  });

  blocks.push(heading(2, 'Results per dataset', 'results'));
  for (const split of result.splits) {
    const id = `split-${slug(split.dataset)}-${slug(split.split)}`;
    const counts = labelCounts(split);
    const info = result.context.datasets.find((dataset) => dataset.name === split.dataset);
    blocks.push(heading(3, splitTitle(split), id));
    const facts = [
      `${split.pairs.length} pairs`,
      ...(counts.same + counts.different > 0 ? [`${counts.same} same sense, ${counts.different} different sense`] : []),
      ...(counts.unlabelled > 0 ? [`${counts.unlabelled} unlabelled`] : []),
      ...(split.graded ? ['graded similarity ratings'] : []),
      ...(counts.truncated > 0 ? [`${counts.truncated} with a sentence cut to fit a model`] : []),
    ];
    blocks.push(paragraph(...(info?.description ? [text(`${info.description} `)] : []), text(`${facts.join(', ')}.`), ...(info ? [text(' Format '), code(info.format), text(', files '), ...info.files.flatMap((file, index) => [...(index > 0 ? [text(', ')] : []), code(file)]), text('.')] : [])));
    const findings = splitFindings(result, split);
    if (findings.length > 0) blocks.push({ type: 'list', items: findings.map((finding) => [text(finding)]) });
    blocks.push(summaryTable(result, split));
    blocks.push(...plotsOf(`${split.dataset}/${split.split}`));
    const words = wordTable(result, split, entries);
    if (words !== null) blocks.push(words);
  }

  blocks.push(...analysisBlocks(result, plotsOf));
  blocks.push(...followupBlocks(result, plotsOf));

  if (throughput.length > 0) {
    blocks.push(heading(2, 'Throughput', 'throughput'));
    blocks.push(
      paragraph(
        text(
          'Timings on a shared machine vary from run to run, so every measurement is reported beside a baseline measured in the same run, and judged by the ratio. Timings are kept out of the metric CSVs, which are byte-identical between runs.',
        ),
      ),
    );
    blocks.push(throughputTable(throughput));
    blocks.push(...plotsOf('throughput'));
  }

  blocks.push(heading(2, 'How to read the numbers', 'reading'));
  blocks.push({
    type: 'list',
    items: [
      [strong('cosine'), text(': the cosine similarity of the target word’s vectors in the two sentences of a pair (1 = same direction).')],
      [strong('AUC'), text(': the probability that a random same-sense pair gets a higher cosine than a random different-sense pair (ties count half). 0.5 is chance, 1 is perfect separation.')],
      [
        strong('95% CI'),
        text(
          ': percentile bootstrap interval (1000 resamples unless the run chose otherwise, seeded from the run’s seed; AUC resamples keep the class balance). Narrow intervals need many pairs: each row says how many pairs (n) it rests on.',
        ),
      ],
      [strong('AP'), text(': average precision, with same-sense pairs as the positive class.')],
      [strong('accuracy'), text(': share of pairs classified right by one cosine threshold, chosen on the training split (train) or by cross-validation (CV).')],
      [strong('Cohen’s d'), text(': difference of the mean cosines of same- and different-sense pairs in pooled standard deviations.')],
      [strong('Spearman / Pearson'), text(': correlation of the cosine with graded human similarity ratings, where a dataset has them.')],
      [strong('OOV'), text(': share of pairs left out because a model had no vector for the word; n counts only the pairs scored.')],
    ],
  });

  blocks.push(heading(2, 'Regenerate', 'regenerate'));
  blocks.push({ type: 'code', lines: regenerateCommands });

  blocks.push(heading(2, 'Run context', 'context'));
  blocks.push({
    type: 'table',
    id: 'datasets',
    caption: 'Datasets read (sha256 over the bytes of every file).',
    header: ['dataset', 'format', 'license', 'pairs per split', 'files', 'input notes', 'sha256'],
    numeric: [],
    rows: context.datasets.map((dataset): Cell[] => [
      dataset.name,
      dataset.format,
      dataset.license === '' ? '–' : dataset.license,
      Object.entries(dataset.pairs)
        .map(([split, count]) => `${split}: ${count}`)
        .join(', '),
      dataset.files.join(', '),
      [
        ...(dataset.unmatchedSpans > 0 ? [`${dataset.unmatchedSpans} spans given by offsets hold another form than the word`] : []),
        ...(dataset.repairedSpans > 0 ? [`${dataset.repairedSpans} spans repaired`] : []),
        ...(dataset.skipped.length > 0 ? [`${dataset.skipped.length} records skipped`] : []),
        ...dataset.notes,
      ].join('; ') || '–',
      [code(dataset.sha256.slice(0, 16))],
    ]),
    highlight: [],
  });
  blocks.push({
    type: 'table',
    id: 'model-facts',
    caption: 'Models (sha256 of the weights).',
    header: ['model', 'facts', 'sha256'],
    numeric: [],
    rows: context.models.map((model): Cell[] => [
      model.id,
      Object.entries(model.info)
        .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
        .map(([name, value]) => `${name}: ${value}`)
        .join('; '),
      [code(model.sha256.slice(0, 16))],
    ]),
    highlight: [],
  });
  const packages = Object.entries(context.packages).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  if (packages.length > 0) blocks.push(paragraph(text('Packages: '), ...packages.flatMap(([name, version], index) => [...(index > 0 ? [text(', ')] : []), code(`${name}@${version}`)]), text('.')));

  return { title: 'sensebench: what static word embeddings cannot do', blocks };
}
