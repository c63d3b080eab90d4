/**
 * The report's answer to the lesson's follow-up question — can we do better than one static vector
 * per word? — from the results alone: contextual representations (the layers), sense-aware static
 * vectors (multi-prototype) and a trained probe, each against the static `target` cosine on every
 * evaluation split (AUC with its 95% CI, the AUC difference with its paired-bootstrap CI from
 * compare.csv), the multi-prototype fallbacks, senses.csv's 1-NN accuracies, and the sense pictures.
 * Every sentence that states a finding is computed here from the numbers (as src/reports/sections/analysis.ts).
 */

import { heading, paragraph, text, type Block, type Cell } from '../document.js';
import { evaluationSplits, formatNumber, keyLabel, signed, slug, splitTitle } from '../content.js';
import { sensePanelChart } from '../sense-panels.js';

import type { ComparisonRow, SenseRow, SummaryRow } from '../../results/schema.js';
import type { RunResult, SplitResult } from '../../results/run-result.js';
/** The name of the multi-prototype representation (src/models/multi-prototype.ts). */
const MULTI_PROTOTYPE = 'multi-prototype';

/** One approach's best row on a split, with its difference from the static target. */
interface Candidate {
  readonly approach: string;
  readonly row: SummaryRow;
  /** Its column label as compare.csv names it. */
  readonly column: string;
  readonly difference: { readonly value: number; readonly low: number | null; readonly high: number | null } | null;
}

function columnOf(row: SummaryRow): string {
  return row.scoring === 'probe' ? `${row.model}:${row.representation}#probe` : `${row.model}:${row.representation}`;
}

/** AUC of `a` minus `b` on the same pairs with its CI, from compare.csv in either orientation. */
function aucDifference(comparisons: readonly ComparisonRow[], split: SplitResult, a: string, b: string): Candidate['difference'] {
  const row = comparisons.find(
    (candidate) =>
      candidate.dataset === split.dataset &&
      candidate.split === split.split &&
      candidate.normalization === 'none' &&
      ((candidate.representationA === a && candidate.representationB === b) || (candidate.representationA === b && candidate.representationB === a)),
  );
  if (row?.difference === undefined || row.difference === null) return null;
  const { value, low, high } = row.difference;
  if (row.representationA === a) return { value, low, high };
  return { value: -value, low: high === null ? null : -high, high: low === null ? null : -low };
}

function interval(difference: NonNullable<Candidate['difference']>): string {
  return difference.low === null || difference.high === null ? '' : ` [${formatNumber(difference.low)}, ${formatNumber(difference.high)}]`;
}

function aucText(row: SummaryRow): string {
  const auc = row.auc!;
  return `${formatNumber(auc.value)}${auc.low === null || auc.high === null ? '' : ` [${formatNumber(auc.low)}, ${formatNumber(auc.high)}]`}`;
}

function verdict(difference: Candidate['difference']): string {
  if (difference === null || difference.low === null || difference.high === null) return 'no CI';
  if (difference.low > 0) return 'yes, better';
  if (difference.high < 0) return 'yes, worse';
  return 'no';
}

function best(rows: readonly SummaryRow[]): SummaryRow | undefined {
  return [...rows].filter((row) => row.auc !== null).sort((a, b) => b.auc!.value - a.auc!.value)[0];
}

/** The three approaches against the static target on one split, or nothing without a target row. */
function splitBlocks(result: RunResult, split: SplitResult): Block[] {
  const raw = split.scores.filter((row) => row.normalization === 'none' && row.auc !== null);
  const cosine = raw.filter((row) => row.scoring === 'cosine');
  const target = cosine.find((row) => row.kind === 'static' && row.representation === 'target');
  if (target === undefined) return [];
  const targetColumn = columnOf(target);
  const candidates: Candidate[] = [];
  const add = (approach: string, row: SummaryRow | undefined): void => {
    if (row === undefined) return;
    candidates.push({ approach, row, column: columnOf(row), difference: aucDifference(result.comparisons, split, columnOf(row), targetColumn) });
  };
  for (const row of cosine.filter((candidate) => candidate.kind === 'contextual')) add('contextual', row);
  add('sense-aware static (multi-prototype)', cosine.find((row) => row.representation === MULTI_PROTOTYPE && row.model === target.model));
  for (const row of raw.filter((candidate) => candidate.scoring === 'probe')) add('trained probe', row);
  if (candidates.length === 0) return [];

  const findings: string[] = [];
  const describe = (candidate: Candidate): string => {
    const difference = candidate.difference;
    const label = candidate.row.scoring === 'probe' ? `a probe on ${keyLabel(candidate.row.model, candidate.row.representation)}` : keyLabel(candidate.row.model, candidate.row.representation);
    const by =
      difference === null
        ? ''
        : `, ${signed(difference.value)}${interval(difference)} against the static target (${verdict(difference) === 'yes, better' ? 'a real gain: the 95% CI excludes 0' : verdict(difference) === 'yes, worse' ? 'a real loss: the 95% CI excludes 0' : 'the 95% CI includes 0: no real difference shown'})`;
    return `${label}: AUC ${aucText(candidate.row)}${by}`;
  };
  findings.push(`Baseline, one vector per word (${keyLabel(target.model, target.representation)}): AUC ${aucText(target)}${target.accuracy === null ? '' : `, accuracy ${formatNumber(target.accuracy)}`}.`);
  const bestContextual = best(candidates.filter((c) => c.approach === 'contextual').map((c) => c.row));
  if (bestContextual !== undefined) findings.push(`Contextual embeddings, best representation: ${describe(candidates.find((c) => c.row === bestContextual)!)}.`);
  const multi = candidates.find((c) => c.approach.startsWith('sense-aware'));
  if (multi !== undefined) findings.push(`Sense-aware static vectors, ${describe(multi)}.`);
  const bestProbe = best(candidates.filter((c) => c.approach === 'trained probe').map((c) => c.row));
  if (bestProbe !== undefined) {
    const probe = candidates.find((c) => c.row === bestProbe)!;
    findings.push(`A trained probe, the best being ${describe(probe)}; accuracy at probability 0.5: ${formatNumber(bestProbe.accuracy)}${target.accuracy === null || bestProbe.accuracy === null ? '' : ` (${signed(bestProbe.accuracy - target.accuracy)} against the target's thresholded cosine)`}.`);
  }
  const ranked = [bestContextual, multi?.row, bestProbe].filter((row): row is SummaryRow => row !== undefined).sort((a, b) => b.auc!.value - a.auc!.value);
  const top = ranked[0];
  if (top !== undefined) {
    const name = top === bestProbe ? 'the trained probe answers' : top === multi?.row ? 'the multi-prototype vectors answer' : 'the contextual embeddings answer';
    findings.push(`On ${splitTitle(split)}, ${name} best (AUC ${formatNumber(top.auc!.value)} against ${formatNumber(target.auc!.value)} for one vector per word).`);
  }
  return [
    heading(3, `Three answers, ${splitTitle(split)}`, `followup-${slug(split.dataset)}-${slug(split.split)}`),
    { type: 'list', items: findings.map((finding) => [text(finding)]) },
    {
      type: 'table',
      id: `followup-table-${slug(split.dataset)}-${slug(split.split)}`,
      caption: `Each approach against ${keyLabel(target.model, target.representation)} on the same pairs: AUC with its stratified bootstrap 95% CI; the AUC difference with its paired bootstrap 95% CI (compare.csv). Probe rows score P(same sense), accuracy at 0.5.`,
      header: ['approach', 'representation', 'AUC [95% CI]', 'accuracy', 'AUC − target [95% CI]', 'CI excludes 0'],
      numeric: [2, 3, 4],
      rows: [
        ['one vector per word (baseline)', keyLabel(target.model, target.representation), aucText(target), formatNumber(target.accuracy), '–', '–'],
        ...candidates.map((candidate): Cell[] => [
          candidate.approach,
          keyLabel(candidate.row.model, candidate.row.representation),
          aucText(candidate.row),
          formatNumber(candidate.row.accuracy),
          candidate.difference === null ? '–' : `${signed(candidate.difference.value)}${interval(candidate.difference)}`,
          verdict(candidate.difference),
        ]),
      ],
      highlight: candidates.map((candidate, index) => (verdict(candidate.difference) === 'yes, better' ? index + 1 : -1)).filter((index) => index >= 0),
    },
  ];
}

/** What the multi-prototype construction could not do: words absent from its background corpus. */
function fallbackBlocks(result: RunResult): Block[] {
  const items: string[] = [];
  for (const model of result.context.models) {
    const fallbacks = model.info.multiPrototypeFallbackWords;
    const clustered = model.info.multiPrototypeWords;
    if (typeof fallbacks !== 'number' || typeof clustered !== 'number') continue;
    const total = fallbacks + clustered;
    items.push(
      `${model.id}: ${fallbacks} of the ${total} evaluated word forms (${formatNumber(total === 0 ? 0 : (100 * fallbacks) / total, 1)}%) are absent from the background corpus (${String(model.info.multiPrototypeCorpus ?? '?')}) and keep their single GloVe vector; the other ${clustered} got ${formatNumber(Number(model.info.multiPrototypeMeanK ?? 0), 2)} prototypes on average.`,
    );
  }
  return items.length === 0 ? [] : [{ type: 'list', items: items.map((item) => [text(item)]) }];
}

/** senses.csv at a glance: 1-NN sense accuracy per representation against the most frequent sense. */
function sensesBlocks(rows: readonly SenseRow[]): Block[] {
  const blocks: Block[] = [];
  for (const dataset of [...new Set(rows.map((row) => row.dataset))]) {
    const own = rows.filter((row) => row.dataset === dataset && row.nn1_accuracy !== null);
    if (own.length === 0) continue;
    const top = [...own].sort((a, b) => b.nn1_accuracy! - a.nn1_accuracy!)[0]!;
    const target = own.find((row) => row.kind === 'static' && row.representation === 'target');
    const findings = [
      `Best 1-NN sense accuracy on ${dataset}: ${keyLabel(top.model, top.representation)}, ${formatNumber(top.nn1_accuracy)} [${formatNumber(top.nn1_ci_low)}, ${formatNumber(top.nn1_ci_high)}] over ${top.words} words, against ${formatNumber(top.mfs_accuracy)} for always guessing the most frequent sense${top.nn1_ceiling === null ? '' : ` (the best any representation can reach: ${formatNumber(top.nn1_ceiling)})`}${target === undefined ? '' : `; one vector per word (${keyLabel(target.model, target.representation)}) scores ${formatNumber(target.nn1_accuracy)}, chance among a word's occurrences`}.`,
    ];
    blocks.push(
      heading(3, `Senses of single occurrences, ${dataset}`, `followup-senses-${slug(dataset)}`),
      { type: 'list', items: findings.map((finding) => [text(finding)]) },
      {
        type: 'table',
        id: `senses-${slug(dataset)}`,
        caption: `senses.csv: leave-one-out 1-nearest-neighbour sense accuracy among each word's occurrences (95% CI over words), the most-frequent-sense baseline and the mean silhouette of the senses.`,
        header: ['model', 'representation', 'kind', 'words', '1-NN [95% CI]', 'most frequent sense', 'silhouette'],
        numeric: [3, 4, 5, 6],
        rows: own.map((row): Cell[] => [
          row.model,
          row.representation,
          row.kind,
          String(row.words),
          `${formatNumber(row.nn1_accuracy)} [${formatNumber(row.nn1_ci_low)}, ${formatNumber(row.nn1_ci_high)}]`,
          formatNumber(row.mfs_accuracy),
          formatNumber(row.silhouette),
        ]),
        highlight: own.map((row, index) => (row === top ? index : -1)).filter((index) => index >= 0),
      },
    );
  }
  return blocks;
}

/** The follow-up section, or nothing when the run has none of its data. */
export function followupBlocks(result: RunResult): Block[] {
  const perSplit = evaluationSplits(result).flatMap((split) => splitBlocks(result, split));
  const senses = sensesBlocks(result.senses ?? []);
  // The sense pictures are drawn from the run's 2-D points (no vectors), as plots/senses-<word>-<model>-<rep>.svg.
  const pictures = (result.senseProjections ?? []).map((projection): Block => ({ type: 'figure', chart: sensePanelChart(projection) }));
  if (perSplit.length === 0 && senses.length === 0 && pictures.length === 0) return [];
  const words = [...new Set((result.senseProjections ?? []).map((projection) => projection.word))];
  return [
    heading(2, 'Answering the follow-up question', 'followup'),
    paragraph(
      text(
        'Can we do better than one vector per word? Three answers, each scored on the same pairs as the static target vector: contextual embeddings (a vector per occurrence, from each layer), sense-aware static vectors (multi-prototype: up to four vectors per word from clusters of its contexts in WordNet glosses, the one nearest the occurrence’s context chosen), and a trained probe (a logistic regression on [u·v, |u−v|] of the two target vectors, trained on the train split; its train rows are out-of-fold predictions).',
      ),
    ),
    ...perSplit,
    ...fallbackBlocks(result),
    ...senses,
    ...(pictures.length > 0
      ? [
          heading(3, 'Sense pictures', 'followup-pictures'),
          paragraph(
            text(
              `Each occurrence of ${words.join(', ')} in the lesson's sense set, projected to two dimensions by PCA of one representation's unit vectors and coloured by sense: a static target vector puts every occurrence on one point.`,
            ),
          ),
          ...pictures,
        ]
      : []),
  ];
}
