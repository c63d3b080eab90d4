/**
 * `sensebench models prepare`: the default transformers sensebench converts itself (use-lite
 * from TF.js weights, minilm from safetensors), converted into the cache ahead of a run.
 */
import { InputError } from '../types.js';

/** Default models that are converted on first use, in preparation order. */
export const CONVERTED_MODELS = ['use-lite', 'minilm'] as const;

/** What a preparation did. */
export interface PreparedModel {
  readonly dir: string;
  /** The converted directory's checksum (its identity). */
  readonly sha256: string;
  readonly converted: boolean;
  readonly seconds: number;
}

/** Converts (or verifies) the named model into `cacheDir`; throws {@link InputError} for another name. */
export async function prepareConvertedModel(name: string, cacheDir: string, options: { readonly force?: boolean; readonly onProgress?: (message: string) => void }): Promise<PreparedModel> {
  if (name === 'use-lite') return (await import('./use-lite/convert.js')).prepareUseLite(cacheDir, options);
  if (name === 'minilm') {
    const prepared = await (await import('./minilm/index.js')).prepareMinilm(cacheDir, options);
    return { dir: prepared.dir, sha256: prepared.manifest.sha256, converted: prepared.converted, seconds: prepared.seconds };
  }
  throw new InputError(`cannot prepare "${name}": the converted models are ${CONVERTED_MODELS.join(' and ')}`);
}
