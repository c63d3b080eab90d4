/** The report's opening sections: what the run was and what the lesson claims, its warnings, and the input lines it skipped. */
import type { RunResult } from '../../results/run-result.js';
import { code, heading, paragraph, strong, text, type Block } from '../document.js';

/** The run in one line, and the lesson's claim the report measures. */
export function introBlocks(result: RunResult): Block[] {
  const context = result.context;
  return [
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
  ];
}

/** The run's warnings (run.json's `warnings`), or nothing. */
export function warningBlocks(result: RunResult): Block[] {
  const warnings = result.context.warnings;
  return warnings.length === 0 ? [] : [heading(2, 'Warnings', 'warnings'), { type: 'list', items: warnings.map((warning) => [text(warning)]) }];
}

/** Skipped lines listed in the report per dataset (run.json lists them all). */
const SKIPPED_SHOWN = 20;

/** The input lines `--on-invalid skip` dropped, per dataset, or nothing. */
export function skippedBlocks(result: RunResult): Block[] {
  const skipped = result.context.datasets.filter((dataset) => dataset.skipped.length > 0);
  if (skipped.length === 0) return [];
  return [
    heading(2, 'Skipped input lines', 'skipped'),
    ...skipped.flatMap((dataset): Block[] => {
      const shown = dataset.skipped.slice(0, SKIPPED_SHOWN);
      return [
        paragraph(text(`${dataset.name}: ${dataset.skipped.length} of ${dataset.records} records skipped (--on-invalid skip)${dataset.skipped.length > shown.length ? `; the first ${shown.length}, all of them in run.json` : ''}:`)),
        { type: 'list', items: shown.map((line) => [code(line)]) },
      ];
    }),
  ];
}
