/** The run at a glance (every representation's headline score on every split) and what was compared (models and representations). */
import type { RunResult } from '../../results/run-result.js';
import { describeModel, formatNumber, orderedScores, representationEntries, splitTitle } from '../content.js';
import { code, heading, strong, text, type Block, type Cell } from '../document.js';

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

/** The glance table, or nothing when no split has a headline score. */
export function glanceBlocks(result: RunResult): Block[] {
  const glance = glanceTable(result);
  return glance === null ? [] : [heading(2, 'At a glance', 'glance'), glance];
}

/** Every model in plain words, and every representation with what its vector is. */
export function modelsBlocks(result: RunResult): Block[] {
  return [
    heading(2, 'What was compared', 'models'),
    {
      type: 'list',
      items: result.context.models.map((model) => [strong(model.id), text(` — ${describeModel(result, model.id)}`)]),
    },
    {
      type: 'table',
      id: 'representations',
      caption: 'Representations: each is one way of turning an occurrence of the target word into a vector.',
      header: ['model', 'representation', 'kind', 'what the vector is'],
      numeric: [],
      rows: representationEntries(result).map((entry): Cell[] => [entry.model, [code(entry.representation)], entry.kind, entry.description]),
      highlight: [],
    },
  ];
}
