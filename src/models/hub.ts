/**
 * `hf:ORG/NAME` models: a Hugging Face Hub model with ONNX weights in the transformers.js layout
 * (e.g. the `Xenova/...` and `onnx-community/...` repositories). The files live under
 * `<cacheDir>/hf/ORG/NAME/` (transformers.js' own file-cache layout). Nothing is downloaded unless
 * the user passes `--allow-download` (`ModelOptions.allowDownload`); once downloaded, the
 * directory is loaded like any `onnx:PATH` directory.
 */
import { join } from 'node:path';
import { InputError, type EmbeddingModel, type ModelOptions } from '../types.js';
import { loadOnnxModel, locateOnnxFile } from './onnx-model.js';
import { pathExists } from '../io/paths.js';

const HUB_ID = /^[A-Za-z0-9][A-Za-z0-9._-]*\/[A-Za-z0-9][A-Za-z0-9._-]*$/;

/** Checks a Hub id (`ORG/NAME`) and returns it; throws {@link InputError} otherwise. */
export function parseHubId(modelId: string): string {
  if (!HUB_ID.test(modelId) || modelId.includes('..')) {
    throw new InputError(`--model hf:${modelId}: expected a Hugging Face model id of the form ORG/NAME (e.g. hf:Xenova/bert-base-uncased)`);
  }
  return modelId;
}

/** Where the files of Hub model `modelId` are (or will be) cached. */
export function hubModelDir(cacheDir: string, modelId: string): string {
  return join(cacheDir, 'hf', ...parseHubId(modelId).split('/'));
}

/** True when the model's config, tokenizer and an ONNX file (any of onnx-model.ts' ONNX_FILE_CANDIDATES) are already in the cache. */
export async function isHubModelCached(cacheDir: string, modelId: string): Promise<boolean> {
  const dir = hubModelDir(cacheDir, modelId);
  const required = await Promise.all([pathExists(join(dir, 'config.json')), pathExists(join(dir, 'tokenizer.json'))]);
  return required.every(Boolean) && (await locateOnnxFile(dir)) !== undefined;
}

/** Downloads config, tokenizer and fp32 ONNX weights into the cache through transformers.js. */
async function downloadHubModel(cacheDir: string, modelId: string, options: ModelOptions): Promise<void> {
  const transformers = await import('@huggingface/transformers');
  const cache_dir = join(cacheDir, 'hf');
  transformers.env.allowRemoteModels = true;
  transformers.env.cacheDir = cache_dir;
  options.onProgress?.(`downloading ${modelId} into ${hubModelDir(cacheDir, modelId)}`);
  try {
    await transformers.AutoConfig.from_pretrained(modelId, { cache_dir });
    await transformers.AutoTokenizer.from_pretrained(modelId, { cache_dir });
    // Loading the model is what makes transformers.js fetch onnx/model.onnx; the session it opens is released at once.
    const model = await transformers.AutoModel.from_pretrained(modelId, { cache_dir, dtype: 'fp32' });
    await model.dispose();
  } catch (error) {
    throw new InputError(`could not download ${modelId} from the Hugging Face Hub: ${(error as Error).message}`);
  }
}

/**
 * Loads `hf:ORG/NAME`. Uses the cached copy when present; otherwise downloads it only when
 * `options.allowDownload` is true, and else throws an {@link InputError} telling the user how to
 * proceed.
 */
export async function loadHubModel(modelId: string, options: ModelOptions): Promise<EmbeddingModel> {
  const dir = hubModelDir(options.cacheDir, modelId);
  if (!(await isHubModelCached(options.cacheDir, modelId))) {
    if (options.allowDownload !== true) {
      throw new InputError(
        `model hf:${modelId} is not in the cache (${dir}); this machine must download ${modelId} from the Hugging Face Hub. ` +
          `Pass --allow-download to fetch it, or use onnx:PATH with a local model directory (config.json, tokenizer.json, onnx/model.onnx).`,
      );
    }
    await downloadHubModel(options.cacheDir, modelId, options);
    if (!(await isHubModelCached(options.cacheDir, modelId))) {
      throw new InputError(`downloaded ${modelId}, but ${dir} lacks config.json, tokenizer.json or onnx/model.onnx (does the repository have ONNX weights?)`);
    }
  }
  return loadOnnxModel(dir, { ...options, id: `hf:${modelId}` });
}
