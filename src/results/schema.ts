/**
 * The results schema: every column of summary.csv, words/*.csv and throughput.csv, declared once.
 * The record types, the CSV writers and readers, the rounding, and the report tables all derive
 * from these lists (src/results/table.ts), so a new metric is one entry here plus its computation.
 */
import { NORMALIZATIONS, REPRESENTATION_KINDS, SCORINGS, SPLIT_NAMES, THRESHOLD_SOURCES } from '../vocabulary.js';
import { defineTable, type RecordOf } from './table.js';

/** Decimal places of every metric and cosine in the result CSVs. */
export const METRIC_DECIMALS = 6;

/** Decimal places of throughput numbers. */
export const THROUGHPUT_DECIMALS = 4;

/**
 * The pairs CSV column of a representation's cosines: `<model>:<representation>` for raw cosines
 * (the form compare.csv and the reports use), `<model>:<representation>@<normalization>` for a
 * corrected one.
 */
export function cosineColumn(model: string, representation: string, normalization: (typeof NORMALIZATIONS)[number] = 'none'): `${string}:${string}` {
  return normalization === 'none' ? `${model}:${representation}` : `${model}:${representation}@${normalization}`;
}

/** Suffix of a probe-probability column. */
export const PROBE_SUFFIX = '#probe';

/**
 * The pairs CSV column of a representation's probe probabilities, `<model>:<representation>#probe`:
 * P(same sense) from the logistic probe trained on the dataset's train split (out-of-fold on train).
 */
export function probeColumn(model: string, representation: string): `${string}:${string}` {
  return `${model}:${representation}${PROBE_SUFFIX}`;
}

/** True for a column that must be present in every pairs CSV (the raw cosines); corrections and probes may be absent. */
export function isRequiredColumn(column: string): boolean {
  return !column.includes('@') && !column.endsWith(PROBE_SUFFIX);
}

/**
 * Every score column of a run's pairs CSVs, in their order: model, then representation, then its
 * normalizations, then its probe column.
 */
export function cosineColumns(
  models: readonly { readonly id: string; readonly representations: readonly { readonly name: string }[] }[],
  normalizations: readonly (typeof NORMALIZATIONS)[number][],
): `${string}:${string}`[] {
  return models.flatMap((model) =>
    model.representations.flatMap((representation) => [
      ...normalizations.map((normalization) => cosineColumn(model.id, representation.name, normalization)),
      probeColumn(model.id, representation.name),
    ]),
  );
}

/** Which row a summary record is: dataset split x model representation x normalization. */
export const SUMMARY_IDENTITY = [
  { name: 'dataset', key: 'dataset', type: 'text', description: 'dataset name (unique within a run; also the stem of its pairs/ and words/ files)' },
  { name: 'split', key: 'split', type: 'enum', values: SPLIT_NAMES, description: 'train, dev, test, or all for a dataset without splits' },
  { name: 'model', key: 'model', type: 'text', description: 'model id (`--model`)' },
  { name: 'kind', key: 'kind', type: 'enum', values: REPRESENTATION_KINDS, description: 'static: one vector per word type; contextual: one per occurrence' },
  { name: 'representation', key: 'representation', type: 'text', description: 'which vector of the model (target, context, layer-1, sentence, ...)' },
  {
    name: 'normalization',
    key: 'normalization',
    type: 'enum',
    values: NORMALIZATIONS,
    description: "anisotropy correction before the cosine: none, center, zscore, abtt (fitted on the dataset's train split)",
  },
  {
    name: 'scoring',
    key: 'scoring',
    type: 'enum',
    values: SCORINGS,
    description: "cosine: the cosine of the two vectors; probe: P(same sense) of a logistic probe on [u*v, |u-v|] trained on the dataset's train split (normalization none; train rows are out-of-fold)",
  },
] as const;

/** What the scorer (src/metrics/score.ts) computes for one row. */
export const SUMMARY_METRICS = [
  { name: 'n_pairs', key: 'nPairs', type: 'count', description: 'pairs with both vectors present (the ones scored)' },
  { name: 'n_same', key: 'nSame', type: 'count', description: 'scored pairs labelled same sense' },
  { name: 'n_different', key: 'nDifferent', type: 'count', description: 'scored pairs labelled different sense' },
  {
    name: 'auc',
    key: 'auc',
    type: 'estimate',
    decimals: METRIC_DECIMALS,
    description: 'ROC-AUC of cosine for same vs different sense (ties by average rank), with a seeded stratified percentile-bootstrap 95% CI',
  },
  { name: 'average_precision', key: 'averagePrecision', type: 'number', decimals: METRIC_DECIMALS, optional: true, description: "as scikit-learn's average_precision_score" },
  {
    name: 'accuracy',
    key: 'accuracy',
    type: 'number',
    decimals: METRIC_DECIMALS,
    optional: true,
    description: "accuracy at the cosine threshold learned on the dataset's train split (or by 5-fold CV)",
  },
  { name: 'threshold', key: 'threshold', type: 'number', decimals: METRIC_DECIMALS, optional: true, description: 'the cosine threshold behind `accuracy`' },
  { name: 'threshold_source', key: 'thresholdSource', type: 'enum', values: THRESHOLD_SOURCES, description: 'train, cv (5-fold cross-validation), none (unlabelled), or probe (probability 0.5)' },
  { name: 'mean_cos_same', key: 'meanCosSame', type: 'number', decimals: METRIC_DECIMALS, optional: true, description: 'mean cosine of same-sense pairs' },
  { name: 'mean_cos_different', key: 'meanCosDifferent', type: 'number', decimals: METRIC_DECIMALS, optional: true, description: 'mean cosine of different-sense pairs' },
  { name: 'cohens_d', key: 'cohensD', type: 'number', decimals: METRIC_DECIMALS, optional: true, description: "Cohen's d of the two classes' cosines (pooled n-1 SD; empty when undefined)" },
  { name: 'spearman', key: 'spearman', type: 'estimate', decimals: METRIC_DECIMALS, description: 'Spearman correlation of cosine with the graded score, with a paired-bootstrap 95% CI' },
  { name: 'pearson', key: 'pearson', type: 'estimate', decimals: METRIC_DECIMALS, description: 'Pearson correlation of cosine with the graded score, with a paired-bootstrap 95% CI' },
  { name: 'oov_rate', key: 'oovRate', type: 'number', decimals: METRIC_DECIMALS, description: 'fraction of pairs dropped because a vector was missing' },
] as const;

/** The model representation a row of contextuality.csv, cosimlex.csv or senses.csv is about. */
const REPRESENTATION_COLUMNS = [
  { name: 'model', key: 'model', type: 'text', description: 'model id' },
  { name: 'kind', key: 'kind', type: 'enum', values: REPRESENTATION_KINDS, description: 'static or contextual' },
  { name: 'representation', key: 'representation', type: 'text', description: 'representation name' },
] as const;

/** summary.csv: one row per dataset split, model and representation. */
export const summaryTable = defineTable([...SUMMARY_IDENTITY, ...SUMMARY_METRICS] as const);

/** One row of summary.csv. */
export type SummaryRow = RecordOf<typeof summaryTable.columns>;

/** The part of a summary row the scorer computes. */
export type MetricScores = RecordOf<typeof SUMMARY_METRICS>;

/** words/<dataset>-<split>.csv: how well each representation separates each word's senses. */
export const wordsTable = defineTable([
  { name: 'word', key: 'word', type: 'text', description: 'target word (word/word2 when a pair targets two words)' },
  { name: 'model', key: 'model', type: 'text', description: 'model id' },
  { name: 'representation', key: 'representation', type: 'text', description: 'representation name' },
  { name: 'n_pairs', key: 'nPairs', type: 'count', description: 'scored pairs of the word' },
  { name: 'n_same', key: 'nSame', type: 'count', description: 'scored same-sense pairs' },
  { name: 'n_different', key: 'nDifferent', type: 'count', description: 'scored different-sense pairs' },
  { name: 'auc', key: 'auc', type: 'number', decimals: METRIC_DECIMALS, optional: true, description: "ROC-AUC within the word's pairs; empty with one class" },
  { name: 'mean_cos_same', key: 'meanCosSame', type: 'number', decimals: METRIC_DECIMALS, optional: true, description: 'mean cosine of same-sense pairs' },
  { name: 'mean_cos_different', key: 'meanCosDifferent', type: 'number', decimals: METRIC_DECIMALS, optional: true, description: 'mean cosine of different-sense pairs' },
  {
    name: 'spearman',
    key: 'spearman',
    type: 'number',
    decimals: METRIC_DECIMALS,
    optional: true,
    description: "Spearman of cosine with the graded score over the word's pairs (graded data, at least 3 pairs; DWUG's per-lemma metric)",
  },
] as const);

/** One row of a words CSV. */
export type WordScore = RecordOf<typeof wordsTable.columns>;

/**
 * throughput.csv: every timing, each beside the baseline measured in the same run (absolute numbers
 * on a shared 2-core machine mean little; ratios travel). Timings never enter the metric CSVs.
 */
export const throughputTable = defineTable([
  { name: 'group', key: 'group', type: 'text', description: 'suite, e.g. static-lookup, onnx-batch' },
  { name: 'subject', key: 'subject', type: 'text', description: 'what was measured' },
  { name: 'unit', key: 'unit', type: 'text', description: 'unit of value: ops/s, sentences/s, tokens/s, ms, MB, s' },
  { name: 'value', key: 'value', type: 'number', decimals: THROUGHPUT_DECIMALS, description: 'the measurement' },
  { name: 'baseline', key: 'baseline', type: 'text', description: 'the baseline measured in the same run, or empty' },
  { name: 'baseline_value', key: 'baselineValue', type: 'number', decimals: THROUGHPUT_DECIMALS, optional: true, description: 'the baseline measurement' },
  {
    name: 'ratio',
    key: 'ratio',
    type: 'number',
    decimals: THROUGHPUT_DECIMALS,
    optional: true,
    description: 'value / baseline for rates; baseline / value for times and memory (bigger is better)',
  },
  { name: 'goal', key: 'goal', type: 'number', decimals: THROUGHPUT_DECIMALS, optional: true, description: 'the goal for ratio' },
  { name: 'rme_percent', key: 'rmePercent', type: 'number', decimals: THROUGHPUT_DECIMALS, optional: true, description: 'relative margin of error of value (tinybench rme), when sampled' },
  { name: 'samples', key: 'samples', type: 'count', optional: true, description: 'samples behind value' },
] as const);

/** One throughput measurement (a row of throughput.csv). */
export type ThroughputRow = RecordOf<typeof throughputTable.columns>;

/**
 * contextuality.csv: how much each representation of a word changes with its context, as Ethayarajh
 * (2019) defines it (section 3.3) and adjusts it for anisotropy (section 3.4); src/metrics/contextuality.ts.
 */
export const contextualityTable = defineTable([
  { name: 'dataset', key: 'dataset', type: 'text', description: 'dataset name' },
  ...REPRESENTATION_COLUMNS,
  { name: 'normalization', key: 'normalization', type: 'enum', values: NORMALIZATIONS, description: 'anisotropy correction applied to every vector first' },
  { name: 'occurrences', key: 'occurrences', type: 'count', description: 'distinct target occurrences with a vector' },
  { name: 'words', key: 'words', type: 'count', description: 'distinct target surface forms (text as written) among them' },
  { name: 'measured_words', key: 'measuredWords', type: 'count', description: 'surface forms with at least 5 occurrences: the words self-similarity and explainable variance average' },
  { name: 'sentences', key: 'sentences', type: 'count', description: 'sampled sentences (every word embedded) behind the intra-sentence similarity' },
  { name: 'random_words', key: 'randomWords', type: 'count', description: 'random words (one per sampled sentence) behind the two baselines' },
  {
    name: 'anisotropy_baseline',
    key: 'anisotropyBaseline',
    type: 'number',
    decimals: METRIC_DECIMALS,
    optional: true,
    description: 'mean cosine between random words of different sampled sentences (section 3.4)',
  },
  {
    name: 'variance_baseline',
    key: 'varianceBaseline',
    type: 'number',
    decimals: METRIC_DECIMALS,
    optional: true,
    description: "share of the random words' sum of squares on their first singular direction (section 3.4)",
  },
  {
    name: 'self_similarity',
    key: 'selfSimilarity',
    type: 'number',
    decimals: METRIC_DECIMALS,
    optional: true,
    description: 'mean cosine between the occurrences of a surface form, averaged over measured words (Definition 1)',
  },
  { name: 'self_similarity_adjusted', key: 'selfSimilarityAdjusted', type: 'number', decimals: METRIC_DECIMALS, optional: true, description: 'self_similarity minus anisotropy_baseline' },
  {
    name: 'intra_sentence_similarity',
    key: 'intraSentenceSimilarity',
    type: 'number',
    decimals: METRIC_DECIMALS,
    optional: true,
    description: "mean cosine between each word of a sentence and the mean of the sentence's words, averaged over sentences (Definition 2)",
  },
  {
    name: 'intra_sentence_similarity_adjusted',
    key: 'intraSentenceSimilarityAdjusted',
    type: 'number',
    decimals: METRIC_DECIMALS,
    optional: true,
    description: 'intra_sentence_similarity minus anisotropy_baseline',
  },
  {
    name: 'max_explainable_variance',
    key: 'maxExplainableVariance',
    type: 'number',
    decimals: METRIC_DECIMALS,
    optional: true,
    description: "sigma_1^2 / sum sigma_i^2 of a surface form's (uncentered) occurrence matrix, averaged over measured words (Definition 3); 1 when all occurrences are identical",
  },
  {
    name: 'max_explainable_variance_adjusted',
    key: 'maxExplainableVarianceAdjusted',
    type: 'number',
    decimals: METRIC_DECIMALS,
    optional: true,
    description: 'max_explainable_variance minus variance_baseline',
  },
] as const);

/** One row of contextuality.csv. */
export type ContextualityRow = RecordOf<typeof contextualityTable.columns>;

/** Columns shared by the two comparison tables: which two representations, on which pairs. */
const COMPARISON_IDENTITY = [
  { name: 'dataset', key: 'dataset', type: 'text', description: 'dataset name' },
  { name: 'split', key: 'split', type: 'enum', values: SPLIT_NAMES, description: 'split' },
  { name: 'representation_a', key: 'representationA', type: 'text', description: '<model>:<representation> as in the pairs CSV header' },
  { name: 'representation_b', key: 'representationB', type: 'text', description: '<model>:<representation> as in the pairs CSV header' },
  { name: 'normalization', key: 'normalization', type: 'enum', values: NORMALIZATIONS, description: 'anisotropy correction of both' },
] as const;

/** compare.csv: AUC of representation A minus B on the same pairs, with a paired bootstrap CI and DeLong's test. */
export const compareTable = defineTable([
  ...COMPARISON_IDENTITY,
  { name: 'auc_a', key: 'aucA', type: 'number', decimals: METRIC_DECIMALS, optional: true, description: 'AUC of A on the pairs both score' },
  { name: 'auc_b', key: 'aucB', type: 'number', decimals: METRIC_DECIMALS, optional: true, description: 'AUC of B on the pairs both score' },
  {
    name: 'difference',
    key: 'difference',
    type: 'estimate',
    decimals: METRIC_DECIMALS,
    description: 'auc_a - auc_b with a paired, stratified percentile-bootstrap 95% CI (the same resamples for both)',
  },
  { name: 'delong_z', key: 'delongZ', type: 'number', decimals: METRIC_DECIMALS, optional: true, description: "DeLong's z for two correlated ROC curves (empty when its variance is 0)" },
  { name: 'delong_p', key: 'delongP', type: 'number', decimals: METRIC_DECIMALS, optional: true, description: 'two-sided p of delong_z' },
  { name: 'n_pairs', key: 'nPairs', type: 'count', description: 'labelled pairs both representations score' },
] as const);

/** One row of compare.csv. */
export type ComparisonRow = RecordOf<typeof compareTable.columns>;

/** compare-spearman.csv: for graded data, Spearman of A minus B on the same pairs, with a paired bootstrap CI. */
export const compareSpearmanTable = defineTable([
  ...COMPARISON_IDENTITY,
  { name: 'spearman_a', key: 'spearmanA', type: 'number', decimals: METRIC_DECIMALS, optional: true, description: 'Spearman of A with the gold score' },
  { name: 'spearman_b', key: 'spearmanB', type: 'number', decimals: METRIC_DECIMALS, optional: true, description: 'Spearman of B with the gold score' },
  { name: 'difference', key: 'difference', type: 'estimate', decimals: METRIC_DECIMALS, description: 'spearman_a - spearman_b with a paired percentile-bootstrap 95% CI' },
  { name: 'n_pairs', key: 'nPairs', type: 'count', description: 'graded pairs both representations score' },
] as const);

/** One row of compare-spearman.csv. */
export type SpearmanComparisonRow = RecordOf<typeof compareSpearmanTable.columns>;

/**
 * cosimlex.csv: the two subtasks of CoSimLex (SemEval-2020 Task 3) per representation, on splits
 * whose pairs come from CoSimLex rows (two contexts per word pair).
 */
export const cosimlexTable = defineTable([
  { name: 'dataset', key: 'dataset', type: 'text', description: 'dataset name' },
  { name: 'split', key: 'split', type: 'enum', values: SPLIT_NAMES, description: 'split' },
  ...REPRESENTATION_COLUMNS,
  { name: 'normalization', key: 'normalization', type: 'enum', values: NORMALIZATIONS, description: 'anisotropy correction applied first' },
  { name: 'rows', key: 'rows', type: 'count', description: 'CoSimLex rows with both contexts scored (subtask 1)' },
  {
    name: 'change_correlation',
    key: 'changeCorrelation',
    type: 'number',
    decimals: METRIC_DECIMALS,
    optional: true,
    description: 'subtask 1: uncentered Pearson of the predicted change (cos in context 2 - cos in context 1) with the gold change (sim2 - sim1); empty when the prediction is 0 everywhere',
  },
  {
    name: 'max_abs_predicted_change',
    key: 'maxAbsPredictedChange',
    type: 'number',
    decimals: METRIC_DECIMALS,
    description: 'largest |predicted change|: exactly 0 for a static representation, which cannot see the context',
  },
  { name: 'items', key: 'items', type: 'count', description: 'scored items (word pair in one context) of subtask 2' },
  { name: 'similarity_spearman', key: 'similaritySpearman', type: 'number', decimals: METRIC_DECIMALS, optional: true, description: 'subtask 2: Spearman of the cosines with the ratings over both contexts' },
  { name: 'similarity_pearson', key: 'similarityPearson', type: 'number', decimals: METRIC_DECIMALS, optional: true, description: 'subtask 2: Pearson of the cosines with the ratings' },
] as const);

/** One row of cosimlex.csv. */
export type CosimlexRow = RecordOf<typeof cosimlexTable.columns>;

/**
 * senses.csv: how well each representation groups a word's sense-labelled occurrences by sense,
 * without training (src/metrics/senses.ts defines every value). Keys are the column names, as the
 * sense scorer writes them.
 */
export const sensesTable = defineTable([
  { name: 'dataset', key: 'dataset', type: 'text', description: 'occurrence set: lesson-senses or wordnet-senses' },
  ...REPRESENTATION_COLUMNS,
  { name: 'words', key: 'words', type: 'count', description: 'words scored (two or more occurrences with a vector)' },
  { name: 'occurrences', key: 'occurrences', type: 'count', description: 'occurrences scored' },
  { name: 'missing', key: 'missing', type: 'count', description: 'occurrences left out: no vector, or their word kept fewer than two' },
  { name: 'nn1_accuracy', key: 'nn1_accuracy', type: 'number', decimals: METRIC_DECIMALS, optional: true, description: "leave-one-out 1-nearest-neighbour sense accuracy among the word's occurrences (ties credited fractionally), pooled" },
  { name: 'nn1_ci_low', key: 'nn1_ci_low', type: 'number', decimals: METRIC_DECIMALS, optional: true, description: 'percentile-bootstrap 95% CI of nn1_accuracy over words (low)' },
  { name: 'nn1_ci_high', key: 'nn1_ci_high', type: 'number', decimals: METRIC_DECIMALS, optional: true, description: 'the same (high)' },
  { name: 'mfs_accuracy', key: 'mfs_accuracy', type: 'number', decimals: METRIC_DECIMALS, optional: true, description: "most-frequent-sense baseline (the word's own distribution), pooled" },
  { name: 'nn1_ceiling', key: 'nn1_ceiling', type: 'number', decimals: METRIC_DECIMALS, optional: true, description: 'share of occurrences whose sense occurs again: the best 1-NN accuracy possible' },
  { name: 'silhouette', key: 'silhouette', type: 'number', decimals: METRIC_DECIMALS, optional: true, description: 'mean per-word silhouette of the senses under cosine distance' },
  { name: 'silhouette_ci_low', key: 'silhouette_ci_low', type: 'number', decimals: METRIC_DECIMALS, optional: true, description: 'percentile-bootstrap 95% CI of silhouette over words (low)' },
  { name: 'silhouette_ci_high', key: 'silhouette_ci_high', type: 'number', decimals: METRIC_DECIMALS, optional: true, description: 'the same (high)' },
  { name: 'silhouette_words', key: 'silhouette_words', type: 'count', description: 'words with a defined silhouette (2 <= senses <= occurrences - 1)' },
] as const);

/** One row of senses.csv. */
export type SenseRow = RecordOf<typeof sensesTable.columns>;
