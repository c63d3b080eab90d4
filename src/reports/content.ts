/**
 * Content shared by the markdown and HTML reports: which representations exist and in what order,
 * how models and numbers are described in words, and where the lesson's bank/apple pairs are.
 * Both reports say the same things; only the markup differs.
 */
import { fileStem } from '../io/names.js';

import { DEFAULT_MODELS } from '../models/index.js';
import type { SummaryRow, ThroughputRow } from '../results/schema.js';
import type { Normalization, PairResult, RepresentationKey, RepresentationKind, Estimate } from '../types.js';

import type { RunResult, SplitResult } from '../results/run-result.js';
/** One model representation as the reports list it, in run.json order. */
export interface RepresentationEntry {
  readonly key: RepresentationKey;
  readonly model: string;
  readonly representation: string;
  readonly kind: RepresentationKind;
  readonly description: string;
}

/** Every model representation of the run, models in run order, representations in model order. */
export function representationEntries(result: RunResult): RepresentationEntry[] {
  return result.context.models.flatMap((model) =>
    model.representations.map((representation) => ({
      key: `${model.id}:${representation.name}`,
      model: model.id,
      representation: representation.name,
      kind: representation.kind,
      description: representation.description,
    })),
  );
}

/** Short label used in charts and table headers: `glove-100d · target`. */
export function keyLabel(model: string, representation: string): string {
  return `${model} · ${representation}`;
}

/** A plain-words statement of what model `id` is (from the model registry, recorded in run.json). */
export function describeModel(result: RunResult, id: string): string {
  return result.context.models.find((model) => model.id === id)?.description ?? `Model ${id}.`;
}

/** A lesson example pair found in the results, with the split it was scored in. */
export interface LessonPair {
  readonly split: SplitResult;
  readonly result: PairResult;
}

/**
 * The worked-example pairs the dataset registry names (`highlightPairs`: the lesson's bank and apple
 * pairs), in registry order, each from whichever split holds it.
 */
export function findLessonPairs(result: RunResult): LessonPair[] {
  const found: LessonPair[] = [];
  for (const dataset of result.context.datasets) {
    for (const id of dataset.highlightPairs) {
      const split = result.splits.find((candidate) => candidate.dataset === dataset.name && candidate.pairs.some((pair) => pair.pair.id === id));
      const pair = split?.pairs.find((candidate) => candidate.pair.id === id);
      if (split !== undefined && pair !== undefined) found.push({ split, result: pair });
    }
  }
  return found;
}

/**
 * The words the per-word tables show: the words of the worked-example pairs first (bank, apple), then
 * every other word of the datasets that have worked examples (the lesson set), alphabetically.
 */
export function lessonWords(result: RunResult): string[] {
  const featured = findLessonPairs(result).map(({ result: pair }) => pair.pair.word.toLowerCase());
  const datasets = new Set(result.context.datasets.filter((dataset) => dataset.highlightPairs.length > 0).map((dataset) => dataset.name));
  const words = new Set<string>();
  for (const split of result.splits) {
    if (!datasets.has(split.dataset)) continue;
    for (const { pair } of split.pairs) words.add(pair.word.toLowerCase());
  }
  const rest = [...words].filter((word) => !featured.includes(word)).sort();
  return [...new Set(featured), ...rest];
}

/** Fixed-point number, or an en dash for a missing value. */
export function formatNumber(value: number | null | undefined, digits = 3): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return '–';
  const text = value.toFixed(digits);
  // -0.000 reads as a sign error; it is zero at this precision.
  return /^-0\.?0*$/.test(text) ? text.slice(1) : text;
}

/** A difference with its sign: `+0.123`, `−0.045` (a true minus). */
export function signed(value: number): string {
  return `${value >= 0 ? '+' : '−'}${formatNumber(Math.abs(value))}`;
}

/** `0.712 [0.671, 0.751]`, or the bare value when no interval exists. */
export function formatWithCi(estimate: Estimate | null): string {
  if (estimate === null) return '–';
  const { value, low, high } = estimate;
  if (low === null || high === null) return formatNumber(value);
  return `${formatNumber(value)} [${formatNumber(low)}, ${formatNumber(high)}]`;
}

/** Percentages for rates such as the out-of-vocabulary rate. */
export function formatPercent(value: number | null): string {
  if (value === null || !Number.isFinite(value)) return '–';
  return `${(value * 100).toFixed(1)}%`;
}

/** Label of a split for headings: `lesson / all`. */
export function splitTitle(split: SplitResult): string {
  return `${split.dataset} / ${split.split}`;
}

/**
 * Slug used in file names and HTML ids: the text's file stem (src/io/names.ts), so a dataset's
 * charts carry its name exactly as its pairs/ and words/ files do (case and every script kept:
 * `Mine` and `mine`, `банк` and `日本` never share a chart).
 */
export function slug(text: string): string {
  return fileStem(text);
}

/** The splits the analysis sections discuss: every split but train, unless a dataset has nothing else. */
export function evaluationSplits(result: RunResult): SplitResult[] {
  return result.splits.filter((split) => split.split !== 'train' || !result.splits.some((other) => other.dataset === split.dataset && other.split !== 'train'));
}

/** How a pair's label reads in prose. */
export function senseText(label: boolean | null): string {
  return label === true ? 'same sense' : label === false ? 'different senses' : 'unlabelled';
}

/** Label counts of a split's pairs. */
export function labelCounts(split: SplitResult): { same: number; different: number; unlabelled: number; truncated: number } {
  let same = 0;
  let different = 0;
  let unlabelled = 0;
  let truncated = 0;
  for (const pair of split.pairs) {
    if (pair.pair.label === true) same += 1;
    else if (pair.pair.label === false) different += 1;
    else unlabelled += 1;
    if (pair.truncated) truncated += 1;
  }
  return { same, different, unlabelled, truncated };
}

/** The cosine score rows of a split under one normalization (raw by default; probe rows are the follow-up section's), in run order (models, then representations). */
export function orderedScores(result: RunResult, split: SplitResult, normalization: Normalization = 'none'): SummaryRow[] {
  const order = representationEntries(result).map((entry) => entry.key as string);
  const rank = (score: SummaryRow): number => {
    const index = order.indexOf(`${score.model}:${score.representation}`);
    return index < 0 ? order.length : index;
  };
  return split.scores.filter((score) => score.normalization === normalization && score.scoring === 'cosine').sort((a, b) => rank(a) - rank(b));
}

/**
 * Plain-words findings for one split, computed from its scores: the best static and best contextual
 * representation by AUC (or Spearman for graded data), with the pairs they rest on, and whether the
 * static `target` cosines are all identical (the lesson's point: one vector per word type).
 */
export function splitFindings(result: RunResult, split: SplitResult): string[] {
  const scores = orderedScores(result, split);
  const findings: string[] = [];
  const metric = scores.some((score) => score.auc !== null) ? 'auc' : scores.some((score) => score.spearman !== null) ? 'spearman' : null;
  if (metric !== null) {
    for (const kind of ['static', 'contextual'] as const) {
      let best: SummaryRow | null = null;
      for (const score of scores) {
        if (score.kind !== kind || score[metric] === null) continue;
        if (best === null || (score[metric]?.value ?? -Infinity) > (best[metric]?.value ?? -Infinity)) best = score;
      }
      if (best === null) continue;
      const value =
        metric === 'auc'
          ? `AUC ${formatWithCi(best.auc)}`
          : `Spearman ${formatWithCi(best.spearman)}`;
      findings.push(`Best ${kind} representation: ${keyLabel(best.model, best.representation)}, ${value} on ${best.nPairs} pairs.`);
    }
  }
  for (const entry of representationEntries(result)) {
    if (entry.kind !== 'static') continue;
    const cosines = split.pairs
      .filter((pair) => pair.pair.word2 === undefined || pair.pair.word2 === pair.pair.word)
      .map((pair) => pair.cosines.get(entry.key))
      .filter((cosine): cosine is number => cosine !== null && cosine !== undefined);
    if (cosines.length === 0) continue;
    const first = cosines[0]!;
    if (cosines.every((cosine) => Math.abs(cosine - first) < 1e-6)) {
      findings.push(
        `${keyLabel(entry.model, entry.representation)} gives every one of the ${cosines.length} same-word pairs the cosine ${formatNumber(first)}, same sense or not: one vector per word type cannot tell senses apart.`,
      );
    }
  }
  return findings;
}

/** Whether a throughput group measures the static or the contextual side (for chart colours). */
export function throughputKind(row: ThroughputRow): RepresentationKind {
  return row.group.startsWith('static') ? 'static' : 'contextual';
}

/** The commands that regenerate every file of the report. */
export const regenerateCommands: readonly { readonly command: string; readonly purpose: string }[] = [
  { command: 'npm run bench', purpose: `the whole benchmark: every dataset, every default model (${DEFAULT_MODELS.join(', ')}), throughput, and these reports, into results/` },
  { command: 'npx sensebench run --model onnx:PATH', purpose: 'add a local ONNX transformer directory (model.onnx + tokenizer files) as a contextual model' },
  { command: 'npx sensebench run --model hf:PATH', purpose: 'add a local Hugging Face model directory: a BERT, RoBERTa, XLM-R or DistilBERT safetensors checkpoint (converted once) or an ONNX export' },
  {
    command: 'npx sensebench run --model hf:ORG/NAME --allow-download',
    purpose: 'fetch a Hugging Face Hub model (its ONNX export, else its safetensors checkpoint), where the network allows (nothing downloads without the flag)',
  },
  { command: 'npx sensebench report --out results', purpose: 're-render summary.md, index.html and plots/ from the CSVs and run.json without recomputing' },
  {
    command: 'npx sensebench similarity "The bank near the river is very calm." "I need to deposit money at the bank." --word bank',
    purpose: 'the lesson’s example for any two sentences: the cosine of the word in both, per model and representation',
  },
];

/** A piece of a sentence for highlighting: the target's text or the text around it. */
export interface SentenceSegment {
  readonly text: string;
  readonly target: boolean;
}

/**
 * Splits a sentence around its target for highlighting: by the spans when they are valid (several
 * for a discontinuous target), else by the first whole-word match of `word` (re-loaded results
 * carry no spans), else no target.
 */
export function targetSegments(sentence: string, spans: readonly { readonly start: number; readonly end: number }[], word: string): SentenceSegment[] {
  const valid = spans.length > 0 && spans.every((span, i) => span.end > span.start && span.end <= sentence.length && (i === 0 || span.start >= spans[i - 1]!.end));
  let ranges: { start: number; end: number }[];
  if (valid) ranges = spans.map(({ start, end }) => ({ start, end }));
  else {
    const escaped = word.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    const match = new RegExp(`\\b${escaped}\\b`, 'i').exec(sentence);
    ranges = match === null ? [] : [{ start: match.index, end: match.index + match[0].length }];
  }
  const segments: SentenceSegment[] = [];
  let at = 0;
  for (const { start, end } of ranges) {
    if (start > at) segments.push({ text: sentence.slice(at, start), target: false });
    segments.push({ text: sentence.slice(start, end), target: true });
    at = end;
  }
  if (at < sentence.length) segments.push({ text: sentence.slice(at), target: false });
  return segments;
}
