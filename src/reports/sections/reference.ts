/** The report's reference sections: how to read the numbers, the commands that regenerate it, and the run's context (datasets, models, packages). */
import type { RunResult } from '../../results/run-result.js';
import { regenerateCommands } from '../content.js';
import { code, heading, paragraph, strong, text, type Block, type Cell } from '../document.js';

/** What each number of the report means. */
export function readingBlocks(): Block[] {
  return [
    heading(2, 'How to read the numbers', 'reading'),
    {
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
    },
  ];
}

/** The commands that regenerate every file of the report. */
export function regenerateBlocks(): Block[] {
  return [heading(2, 'Regenerate', 'regenerate'), { type: 'code', lines: regenerateCommands }];
}

/** The datasets read, the models with their facts, and the packages behind the numbers. */
export function contextBlocks(result: RunResult): Block[] {
  const context = result.context;
  const packages = Object.entries(context.packages).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return [
    heading(2, 'Run context', 'context'),
    {
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
    },
    {
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
    },
    ...(packages.length > 0 ? [paragraph(text('Packages: '), ...packages.flatMap(([name, version], index) => [...(index > 0 ? [text(', ')] : []), code(`${name}@${version}`)]), text('.'))] : []),
  ];
}
