/**
 * The report's sections on why static embeddings fail, measured: raw against anisotropy-corrected
 * scores, how contextual each representation is (Ethayarajh 2019), and which differences between
 * representations are real (paired bootstrap CI, DeLong). Every sentence that states a finding is
 * computed here from the numbers, so when results change the words change with them.
 */
import { NORMALIZATIONS, type Normalization, type RepresentationKey } from '../../types.js';
import type { TopLevelSpec } from 'vega-lite';
import { round6 } from '../../metrics/metric.js';
import { evaluationSplits, formatNumber, keyLabel, orderedScores, representationEntries, signed, slug, splitTitle, type RepresentationEntry } from '../content.js';
import { figure, heading, paragraph, text, type Block, type Cell } from '../document.js';
import { headlineMetric, layerCurves, layerPeakSentence, type LayerCurve } from '../layers.js';
import { chartConfig, colourScale, kindColours, representationColours } from '../palette.js';
import { DEFAULT_MIN_OCCURRENCES } from '../../metrics/contextuality.js';
import { CONTEXTUALITY_SENTENCES } from '../../pipeline/cosines.js';

import type { ComparisonRow, ContextualityRow, SummaryRow } from '../../results/schema.js';
import type { RunResult, SplitResult } from '../../results/run-result.js';
/**
 * Ethayarajh's (2019) definitions as the report states them, one sentence each with the paper's
 * section; the numbers come from the code that applies them.
 */
const CONTEXTUALITY_DEFINITIONS = [
  `A word is a target's surface form, its text exactly as written (identical text gets identical static vectors), and only words with at least ${DEFAULT_MIN_OCCURRENCES} occurrences count (section 3.2).`,
  'Self-similarity is the mean cosine between the occurrences of one word, averaged over words; 1 means one vector per word (section 3.3, Definition 1).',
  `Intra-sentence similarity is the mean cosine between each word of a sentence and the mean of the sentence's words, averaged over up to ${CONTEXTUALITY_SENTENCES.toLocaleString('en-US')} sampled sentences whose every word is embedded (section 3.3, Definition 2).`,
  "Maximum explainable variance is the share of a word's occurrence matrix's sum of squares on its first singular direction, σ₁² / Σσᵢ²: how much of the word's occurrences one static vector can explain (section 3.3, Definition 3).",
  'Each is adjusted for anisotropy by subtracting its baseline from one random word of each sampled sentence: the mean cosine between those words for the two similarities, the same explainable variance of those words for the third (section 3.4).',
].join(' ');

/** A change smaller than this is reported as no change (AUCs are printed to 3 decimals). */
const NOTABLE_CHANGE = 0.01;

function valueOf(score: SummaryRow | undefined, metric: 'auc' | 'spearman'): number | null {
  return score?.[metric]?.value ?? null;
}

/** Raw and corrected headline scores of one split, and the findings they support. */
function splitAnisotropyBlocks(result: RunResult, split: SplitResult): Block[] {
  const metric = headlineMetric(split);
  if (metric === null) return [];
  const corrections = result.context.normalizations.filter((normalization) => normalization !== 'none');
  if (corrections.length === 0) return [];
  const raw = orderedScores(result, split);
  const byNormalization = new Map<Normalization, SummaryRow[]>(result.context.normalizations.map((n) => [n, orderedScores(result, split, n)]));
  const find = (normalization: Normalization, score: SummaryRow): SummaryRow | undefined =>
    byNormalization.get(normalization)?.find((other) => other.model === score.model && other.representation === score.representation);
  const name = metric === 'auc' ? 'AUC' : 'Spearman';
  const gains: { score: SummaryRow; best: Normalization; before: number; after: number }[] = [];
  const rows = raw.map((score): Cell[] => {
    const before = valueOf(score, metric);
    let best: { normalization: Normalization; value: number } | null = null;
    for (const normalization of corrections) {
      const value = valueOf(find(normalization, score), metric);
      if (value !== null && (best === null || value > best.value)) best = { normalization, value };
    }
    if (before !== null && best !== null) gains.push({ score, best: best.normalization, before, after: best.value });
    return [score.model, score.representation, score.kind, ...result.context.normalizations.map((normalization) => formatNumber(valueOf(find(normalization, score), metric)))];
  });
  const findings: string[] = [];
  const ranked = [...gains].sort((a, b) => b.after - b.before - (a.after - a.before));
  const top = ranked[0];
  if (top !== undefined && top.after - top.before >= NOTABLE_CHANGE) {
    findings.push(
      `${keyLabel(top.score.model, top.score.representation)} gains most from a correction: ${name} ${formatNumber(top.before)} raw, ${formatNumber(top.after)} with ${top.best} (${signed(top.after - top.before)}).`,
    );
  }
  const gaining = ranked.filter((gain) => gain.after - gain.before >= NOTABLE_CHANGE);
  for (const gain of gaining.slice(1)) {
    findings.push(`${keyLabel(gain.score.model, gain.score.representation)}: ${formatNumber(gain.before)} → ${formatNumber(gain.after)} with ${gain.best} (${signed(gain.after - gain.before)}).`);
  }
  const flat = gains.filter((gain) => gain.after - gain.before < NOTABLE_CHANGE);
  if (flat.length > 0) {
    findings.push(
      `No correction raises ${name} by ${NOTABLE_CHANGE} or more for ${flat.map((gain) => keyLabel(gain.score.model, gain.score.representation)).join(', ')}${flat.some((gain) => gain.score.kind === 'static' && gain.score.representation === 'target') ? ' (a static target vector is the same for every occurrence of a word: no correction can separate its senses)' : ''}.`,
    );
  }
  return [
    heading(3, `Raw and corrected ${name}, ${splitTitle(split)}`, `anisotropy-${slug(split.dataset)}-${slug(split.split)}`),
    ...(findings.length > 0 ? [{ type: 'list', items: findings.map((finding) => [text(finding)]) } satisfies Block] : []),
    {
      type: 'table',
      id: `corrected-${slug(split.dataset)}-${slug(split.split)}`,
      caption: `${name} of the cosine per representation: raw (none) and after each anisotropy correction, fitted on the train split's occurrences without labels.`,
      header: ['model', 'representation', 'kind', ...result.context.normalizations],
      numeric: result.context.normalizations.map((_, index) => index + 3),
      rows,
      highlight: [],
    },
  ];
}

/** Ethayarajh's measures of one dataset (raw vectors), each with its anisotropy adjustment, and the findings. */
function datasetContextualityBlocks(result: RunResult, dataset: string, colours: ReadonlyMap<RepresentationKey, string>): Block[] {
  const rows = result.contextuality.filter((row) => row.dataset === dataset);
  const raw = rows.filter((row) => row.normalization === 'none');
  if (raw.length === 0) return [];
  const corrected = (row: ContextualityRow, normalization: Normalization): ContextualityRow | undefined =>
    rows.find((other) => other.model === row.model && other.representation === row.representation && other.normalization === normalization);
  const findings: string[] = [];
  const oneVector = raw.filter((row) => row.selfSimilarity === 1 && (row.maxExplainableVariance === null || row.maxExplainableVariance === 1));
  for (const row of oneVector) {
    findings.push(
      `${keyLabel(row.model, row.representation)}: self-similarity ${formatNumber(row.selfSimilarity)}${row.maxExplainableVariance === null ? '' : ` and explainable variance ${formatNumber(row.maxExplainableVariance)}`} over ${row.measuredWords} words — every occurrence of a word is the same vector, whatever the sentence.`,
    );
  }
  const contextual = raw.filter((row) => row.kind === 'contextual');
  // Intra-sentence similarity exactly 1: every word of a sentence has the same vector (a sentence-level representation).
  const sentenceLevel = contextual.filter((row) => row.intraSentenceSimilarity === 1);
  const lowest = (key: 'selfSimilarityAdjusted' | 'intraSentenceSimilarityAdjusted' | 'maxExplainableVarianceAdjusted', direction: 1 | -1): ContextualityRow | undefined =>
    contextual.filter((row) => row[key] !== null && (key !== 'intraSentenceSimilarityAdjusted' || !sentenceLevel.includes(row))).sort((a, b) => direction * (a[key]! - b[key]!))[0];
  const mostContextual = lowest('selfSimilarityAdjusted', 1);
  if (mostContextual !== undefined) {
    findings.push(
      `Most context-dependent: ${keyLabel(mostContextual.model, mostContextual.representation)}, whose occurrences of one word have mean cosine ${formatNumber(mostContextual.selfSimilarity)} against ${formatNumber(mostContextual.anisotropyBaseline)} for random words of different sentences (adjusted self-similarity ${formatNumber(mostContextual.selfSimilarityAdjusted)}).`,
    );
  }
  for (const row of sentenceLevel) {
    findings.push(
      `${keyLabel(row.model, row.representation)}: intra-sentence similarity ${formatNumber(row.intraSentenceSimilarity)} — every word of a sentence gets the same vector, so its self-similarity compares whole sentences.`,
    );
  }
  const [closest, farthest] = [lowest('intraSentenceSimilarityAdjusted', -1), lowest('intraSentenceSimilarityAdjusted', 1)];
  if (closest !== undefined && farthest !== undefined && closest !== farthest) {
    findings.push(
      `Words of one sentence sit closest to their sentence's mean in ${keyLabel(closest.model, closest.representation)} (adjusted intra-sentence similarity ${formatNumber(closest.intraSentenceSimilarityAdjusted)}) and farthest in ${keyLabel(farthest.model, farthest.representation)} (${formatNumber(farthest.intraSentenceSimilarityAdjusted)}).`,
    );
  }
  const mostStatic = lowest('maxExplainableVarianceAdjusted', -1);
  if (mostStatic !== undefined) {
    findings.push(
      `Adjusted for anisotropy, one vector per word explains at most ${formatNumber(mostStatic.maxExplainableVarianceAdjusted)} of the variance of a word's occurrences in a contextual representation (${keyLabel(mostStatic.model, mostStatic.representation)}: ${formatNumber(mostStatic.maxExplainableVariance)} raw, ${formatNumber(mostStatic.varianceBaseline)} for random words).`,
    );
  }
  const anisotropic = [...raw].filter((row) => row.anisotropyBaseline !== null).sort((a, b) => b.anisotropyBaseline! - a.anisotropyBaseline!)[0];
  if (anisotropic !== undefined && anisotropic.anisotropyBaseline! > 0.1) {
    const centred = corrected(anisotropic, 'center');
    findings.push(
      `The most anisotropic space is ${keyLabel(anisotropic.model, anisotropic.representation)}: two random words of different sentences already have mean cosine ${formatNumber(anisotropic.anisotropyBaseline)}${centred?.anisotropyBaseline === null || centred === undefined ? '' : ` (${formatNumber(centred.anisotropyBaseline)} after mean-centering)`}, so its raw cosines start far above 0.`,
    );
  }
  const header = ['model', 'representation', 'kind', 'self-similarity', 'adjusted', 'intra-sentence', 'adjusted', 'explainable variance', 'adjusted', 'anisotropy baseline', 'variance baseline'];
  const table: Block = {
    type: 'table',
    id: `contextuality-${slug(dataset)}`,
    caption: `How contextual each representation is on ${dataset} (Ethayarajh 2019), from the raw vectors; each "adjusted" column is the measure minus its baseline.`,
    header,
    numeric: [3, 4, 5, 6, 7, 8, 9, 10],
    rows: raw.map((row): Cell[] => [
      row.model,
      row.representation,
      row.kind,
      formatNumber(row.selfSimilarity),
      formatNumber(row.selfSimilarityAdjusted),
      formatNumber(row.intraSentenceSimilarity),
      formatNumber(row.intraSentenceSimilarityAdjusted),
      formatNumber(row.maxExplainableVariance),
      formatNumber(row.maxExplainableVarianceAdjusted),
      formatNumber(row.anisotropyBaseline),
      formatNumber(row.varianceBaseline),
    ]),
    highlight: [],
  };
  return [
    heading(3, `How contextual, ${dataset}`, `contextuality-${slug(dataset)}-section`),
    ...(findings.length > 0 ? [{ type: 'list', items: findings.map((finding) => [text(finding)]) } satisfies Block] : []),
    table,
    ...figure(`contextuality-${slug(dataset)}`, `Self-similarity per representation, ${dataset}`, 'contextuality', contextualitySpec(result, dataset, colours)),
  ];
}

/** Each contextual representation against the best static one on a split (raw cosines). */
function splitComparisonBlocks(result: RunResult, split: SplitResult): Block[] {
  if (headlineMetric(split) !== 'auc') return [];
  const raw = orderedScores(result, split);
  const bestStatic = raw.filter((score) => score.kind === 'static' && score.auc !== null).sort((a, b) => b.auc!.value - a.auc!.value)[0];
  if (bestStatic === undefined) return [];
  const staticKey = `${bestStatic.model}:${bestStatic.representation}`;
  const compared: { row: ComparisonRow; contextual: string; difference: number }[] = [];
  for (const entry of representationEntries(result)) {
    if (entry.kind !== 'contextual') continue;
    const key = `${entry.model}:${entry.representation}`;
    const row = result.comparisons.find(
      (candidate) =>
        candidate.dataset === split.dataset &&
        candidate.split === split.split &&
        candidate.normalization === 'none' &&
        ((candidate.representationA === key && candidate.representationB === staticKey) || (candidate.representationA === staticKey && candidate.representationB === key)),
    );
    if (row === undefined || row.difference === null) continue;
    // Oriented as contextual minus static.
    const sign = row.representationA === key ? 1 : -1;
    compared.push({ row, contextual: key, difference: sign * row.difference.value });
  }
  if (compared.length === 0) return [];
  const interval = (item: (typeof compared)[number]): { low: number | null; high: number | null } => {
    const { low, high } = item.row.difference!;
    if (low === null || high === null) return { low: null, high: null };
    return item.row.representationA === item.contextual ? { low, high } : { low: -high, high: -low };
  };
  const excludesZero = (item: (typeof compared)[number]): boolean => {
    const { low, high } = interval(item);
    return low !== null && high !== null && (low > 0 || high < 0);
  };
  const better = compared.filter((item) => excludesZero(item) && item.difference > 0);
  const worse = compared.filter((item) => excludesZero(item) && item.difference < 0);
  const unclear = compared.filter((item) => !excludesZero(item));
  const label = (key: string): string => keyLabel(key.slice(0, key.indexOf(':')), key.slice(key.indexOf(':') + 1));
  const findings = [
    `Against the best static representation, ${label(staticKey)} (AUC ${formatNumber(bestStatic.auc!.value)}): ${better.length} of ${compared.length} contextual representation${compared.length === 1 ? '' : 's'} ${better.length === 1 ? 'is' : 'are'} better with a 95% CI that excludes 0${better.length > 0 ? ` (${better.map((item) => `${label(item.contextual)} ${signed(item.difference)}`).join(', ')})` : ''}${worse.length > 0 ? `; ${worse.length} ${worse.length === 1 ? 'is' : 'are'} worse (${worse.map((item) => `${label(item.contextual)} ${signed(item.difference)}`).join(', ')})` : ''}${unclear.length > 0 ? `; for ${unclear.map((item) => label(item.contextual)).join(', ')} the interval includes 0 (no real difference shown on ${unclear[0]!.row.nPairs} pairs)` : ''}.`,
  ];
  return [
    heading(3, `Contextual vs the best static representation, ${splitTitle(split)}`, `compare-${slug(split.dataset)}-${slug(split.split)}`),
    { type: 'list', items: findings.map((finding) => [text(finding)]) },
    {
      type: 'table',
      id: `comparisons-${slug(split.dataset)}-${slug(split.split)}`,
      caption: `AUC of each contextual representation minus that of ${label(staticKey)} on the same pairs: paired stratified bootstrap 95% CI and DeLong's test (${result.context.comparisons === 'baselines-and-neighbours' ? 'each representation against the best static one, the static targets and its neighbouring layer' : 'every pair of representations'}, every correction: compare.csv).`,
      header: ['contextual representation', 'AUC difference [95% CI]', 'DeLong z', 'p', 'n pairs', 'CI excludes 0'],
      numeric: [1, 2, 3, 4],
      rows: compared.map((item): Cell[] => {
        const { low, high } = interval(item);
        const sign = item.row.representationA === item.contextual ? 1 : -1;
        return [
          label(item.contextual),
          `${signed(item.difference)}${low === null || high === null ? '' : ` [${formatNumber(low)}, ${formatNumber(high)}]`}`,
          item.row.delongZ === null ? '–' : formatNumber(sign * item.row.delongZ, 2),
          item.row.delongP === null ? '–' : item.row.delongP < 0.001 ? '< 0.001' : formatNumber(item.row.delongP),
          String(item.row.nPairs),
          excludesZero(item) ? (item.difference > 0 ? 'yes, better' : 'yes, worse') : 'no',
        ];
      }),
      highlight: compared.map((item, index) => (excludesZero(item) && item.difference > 0 ? index : -1)).filter((index) => index >= 0),
    },
  ];
}

/** CoSimLex's subtasks on one split: a table and what the numbers say. */
function splitCosimlexBlocks(result: RunResult, dataset: string, split: string): Block[] {
  const rows = result.cosimlex.filter((row) => row.dataset === dataset && row.split === split && row.normalization === 'none');
  if (rows.length === 0) return [];
  const findings: string[] = [];
  const frozen = rows.filter((row) => row.rows > 0 && row.maxAbsPredictedChange === 0);
  if (frozen.length > 0) {
    findings.push(
      `${frozen.map((row) => keyLabel(row.model, row.representation)).join(', ')} predict${frozen.length === 1 ? 's' : ''} no change at all between the two contexts (largest |change| 0): one vector per word cannot see a context, so subtask 1 is undefined for ${frozen.length === 1 ? 'it' : 'them'}, not 0.`,
    );
  }
  const best = rows.filter((row) => row.changeCorrelation !== null).sort((a, b) => b.changeCorrelation! - a.changeCorrelation!)[0];
  if (best !== undefined) {
    findings.push(`Best at predicting how context changes similarity: ${keyLabel(best.model, best.representation)}, uncentered Pearson ${formatNumber(best.changeCorrelation)} over ${best.rows} rows.`);
  }
  return [
    heading(3, `CoSimLex subtasks, ${dataset} / ${split}`, `cosimlex-${slug(dataset)}-${slug(split)}`),
    ...(findings.length > 0 ? [{ type: 'list', items: findings.map((finding) => [text(finding)]) } satisfies Block] : []),
    {
      type: 'table',
      id: `cosimlex-${slug(dataset)}-${slug(split)}-table`,
      caption: 'Subtask 1: change in similarity between the two contexts (uncentered Pearson with the gold change). Subtask 2: similarity in context (Spearman with the ratings).',
      header: ['model', 'representation', 'kind', 'change (uncentered r)', 'largest |change|', 'rows', 'similarity (Spearman)', 'items'],
      numeric: [3, 4, 5, 6, 7],
      rows: rows.map((row): Cell[] => [
        row.model,
        row.representation,
        row.kind,
        formatNumber(row.changeCorrelation),
        formatNumber(row.maxAbsPredictedChange),
        String(row.rows),
        formatNumber(row.similaritySpearman),
        String(row.items),
      ]),
      highlight: [],
    },
  ];
}

/** Where sense information peaks along each multi-layer model's stack, per evaluation split. */
function splitLayerBlocks(result: RunResult, split: SplitResult, colours: ReadonlyMap<RepresentationKey, string>): Block[] {
  const curves = layerCurves(result, split);
  if (curves.length === 0) return [];
  return [
    heading(3, `Layer by layer, ${splitTitle(split)}`, `layers-${slug(split.dataset)}-${slug(split.split)}`),
    { type: 'list', items: curves.map((curve) => [text(layerPeakSentence(curve))]) },
    ...curves.flatMap((curve) =>
      figure(`layers-${slug(curve.model)}-${slug(curve.dataset)}-${slug(curve.split)}`, `${curve.metric === 'auc' ? 'AUC' : 'Spearman'} per layer of ${curve.model}, ${splitTitle(split)}`, 'layers', layerCurveSpec(curve, colours)),
    ),
  ];
}

/** Raw against corrected scores per evaluation split, or nothing without corrections or scores. */
export function anisotropyBlocks(result: RunResult): Block[] {
  const anisotropy = evaluationSplits(result).flatMap((split) => splitAnisotropyBlocks(result, split));
  if (anisotropy.length === 0) return [];
  return [
    heading(2, 'Anisotropy: raw and corrected cosines', 'anisotropy'),
    paragraph(
      text(
        `Embedding spaces are anisotropic: vectors crowd into a narrow cone, so even unrelated words have high cosines, and a few dominant dimensions can decide a cosine. The corrections (${NORMALIZATIONS.filter((n) => n !== 'none').join(', ')}) are fitted on each dataset's train split without labels (on all its occurrences when it has none) and applied to every split; abtt removes the top ${result.context.abttComponents} principal component${result.context.abttComponents === 1 ? '' : 's'} after centering.`,
      ),
    ),
    ...anisotropy,
  ];
}

/** How contextual each representation is, per dataset (contextuality.csv), or nothing. */
export function contextualityBlocks(result: RunResult): Block[] {
  const colours = representationColours(representationEntries(result));
  const datasets = [...new Set(result.contextuality.map((row) => row.dataset))];
  const contextuality = datasets.flatMap((dataset) => datasetContextualityBlocks(result, dataset, colours));
  if (contextuality.length === 0) return [];
  return [heading(2, 'How contextual is each representation', 'contextuality'), paragraph(text(CONTEXTUALITY_DEFINITIONS)), ...contextuality];
}

/** CoSimLex's two subtasks per split (cosimlex.csv), or nothing. */
export function cosimlexBlocks(result: RunResult): Block[] {
  const cosimlex = [...new Set(result.cosimlex.map((row) => `${row.dataset}\0${row.split}`))].flatMap((key) => {
    const [dataset, split] = key.split('\0') as [string, string];
    return splitCosimlexBlocks(result, dataset, split);
  });
  return cosimlex.length === 0 ? [] : [heading(2, 'Similarity in context (CoSimLex)', 'cosimlex'), ...cosimlex];
}

/** Where sense information peaks along each multi-layer model, per evaluation split, or nothing. */
export function layersBlocks(result: RunResult): Block[] {
  const colours = representationColours(representationEntries(result));
  const layers = evaluationSplits(result).flatMap((split) => splitLayerBlocks(result, split, colours));
  if (layers.length === 0) return [];
  return [
    heading(2, 'Where sense information peaks, layer by layer', 'layers'),
    paragraph(
      text(
        `For each model with several layer-like representations, its AUC (Spearman for graded data) per layer with the 95% CI, from the input embeddings to the last layer, against every static representation of the run.`,
      ),
    ),
    ...layers,
  ];
}

/** Which differences between representations are real (compare.csv), or nothing. */
export function significanceBlocks(result: RunResult): Block[] {
  const comparisons = evaluationSplits(result).flatMap((split) => splitComparisonBlocks(result, split));
  return comparisons.length === 0 ? [] : [heading(2, 'Which differences are real', 'significance'), ...comparisons];
}

/**
 * Self-similarity of each representation of one dataset (raw vectors): a dot at the mean cosine of a
 * word's occurrences, a bar from the anisotropy baseline (random words of different sentences) up
 * to it. A static target sits at exactly 1: one vector per word.
 */
function contextualitySpec(result: RunResult, dataset: string, colours: ReadonlyMap<RepresentationKey, string>): TopLevelSpec | null {
  const all = representationEntries(result);
  const entries: RepresentationEntry[] = [];
  const labels: string[] = [];
  const rows: Record<string, string | number>[] = [];
  for (const row of result.contextuality) {
    if (row.dataset !== dataset || row.normalization !== 'none' || row.selfSimilarity === null) continue;
    const entry = all.find((candidate) => candidate.model === row.model && candidate.representation === row.representation);
    if (entry === undefined) continue;
    const label = keyLabel(row.model, row.representation);
    entries.push(entry);
    labels.push(label);
    const baseline = row.anisotropyBaseline ?? row.selfSimilarity;
    rows.push({
      representation: label,
      self: round6(row.selfSimilarity),
      baseline: round6(baseline),
      text: `${formatNumber(row.selfSimilarity)} (baseline ${formatNumber(row.anisotropyBaseline)})`,
    });
  }
  if (rows.length === 0) return null;
  const lowest = Math.min(0, ...rows.map((row) => row.baseline as number));
  const axis = { field: 'representation', type: 'nominal', sort: labels, title: null };
  const colour = { field: 'representation', type: 'nominal', scale: colourScale(entries, colours, labels), legend: null };
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    title: {
      text: `Self-similarity per representation — ${dataset}`,
      subtitle: ['Dot: mean cosine between occurrences of the same word (1 = one vector per word).', 'Bar starts at the anisotropy baseline: mean cosine of random words of different sentences.'],
    },
    config: chartConfig,
    width: 420,
    height: { step: 28 },
    data: { values: rows },
    layer: [
      { mark: { type: 'rule', color: '#888', strokeDash: [4, 4] }, encoding: { x: { datum: 1 } } },
      { mark: { type: 'rule', strokeWidth: 3 }, encoding: { y: axis, x: { field: 'baseline', type: 'quantitative', scale: { domain: [Math.floor(lowest * 10) / 10, 1] }, title: 'cosine' }, x2: { field: 'self' }, color: colour } },
      { mark: { type: 'point', filled: true, size: 80, opacity: 1 }, encoding: { y: axis, x: { field: 'self', type: 'quantitative' }, color: colour } },
      { mark: { type: 'text', align: 'left', dx: 10, fontSize: 11, color: '#222' }, encoding: { y: axis, x: { datum: 1 }, text: { field: 'text' } } },
    ],
  } as TopLevelSpec;
}

/**
 * One model's layer curve on one split: its AUC (Spearman for graded data) per layer-like
 * representation in stack order, each with its 95% CI as a vertical bar, joined by a line; every
 * static representation of the run (the model's own input included) as a dashed horizontal
 * reference line labelled at the right; chance as a grey dotted line.
 */
function layerCurveSpec(curve: LayerCurve, colours: ReadonlyMap<RepresentationKey, string>): TopLevelSpec {
  const name = curve.metric === 'auc' ? 'AUC' : 'Spearman ρ';
  const chance = curve.metric === 'auc' ? 0.5 : 0;
  const order = curve.points.map((point) => point.representation);
  const points = curve.points.map((point) => ({
    layer: point.representation,
    value: round6(point.value),
    low: round6(point.low ?? point.value),
    high: round6(point.high ?? point.value),
    text: formatNumber(point.value),
  }));
  const references = curve.references.map((reference) => ({
    label: `${keyLabel(reference.model, reference.representation)} ${formatNumber(reference.value)}`,
    value: round6(reference.value),
    colour: colours.get(`${reference.model}:${reference.representation}`) ?? kindColours.static,
  }));
  const values = [...points.flatMap((point) => [point.low, point.high]), ...references.map((reference) => reference.value), chance];
  const domain = [Math.floor((Math.min(...values) - 0.02) * 20) / 20, Math.min(1, Math.ceil((Math.max(...values) + 0.02) * 20) / 20)];
  const colour = colours.get(`${curve.model}:${curve.points.at(-1)!.representation}`) ?? kindColours.contextual;
  const x = { field: 'layer', type: 'ordinal', sort: order, title: 'representation (input → last layer)', axis: { labelAngle: 0 } };
  const y = { type: 'quantitative', scale: { domain }, title: name };
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    title: {
      text: `${name} per layer — ${curve.model}, ${curve.dataset} ${curve.split}`,
      subtitle: [
        'Dot: the estimate; bar: its 95% confidence interval (raw cosines).',
        'Dashed lines: static representations of the run (legend below); dotted grey: chance.',
      ],
    },
    config: chartConfig,
    width: Math.max(240, 70 * order.length),
    height: 260,
    layer: [
      { data: { values: [{ chance }] }, mark: { type: 'rule', color: '#888', strokeDash: [1, 3] }, encoding: { y: { field: 'chance', ...y } } },
      ...(references.length === 0 ? [] : [{
        // Labels in a legend, not beside the lines: static references often lie within 0.01 of each other.
        data: { values: references },
        mark: { type: 'rule', strokeDash: [6, 4], strokeWidth: 1.5 },
        encoding: {
          y: { field: 'value', ...y },
          color: {
            field: 'label',
            type: 'nominal',
            scale: { domain: references.map((reference) => reference.label), range: references.map((reference) => reference.colour) },
            legend: { title: 'static representations (dashed)', orient: 'bottom', direction: 'vertical', columns: 1 },
          },
        },
      }]),
      {
        data: { values: points },
        layer: [
          { mark: { type: 'rule', strokeWidth: 3, color: colour, opacity: 0.6 }, encoding: { x, y: { field: 'low', ...y }, y2: { field: 'high' } } },
          { mark: { type: 'line', color: colour }, encoding: { x, y: { field: 'value', ...y } } },
          { mark: { type: 'point', filled: true, size: 70, opacity: 1, color: colour }, encoding: { x, y: { field: 'value', ...y } } },
          { mark: { type: 'text', dy: -12, dx: 14, fontSize: 10, color: '#222' }, encoding: { x, y: { field: 'value', ...y }, text: { field: 'text' } } },
        ],
      },
    ],
  } as TopLevelSpec;
}
