/**
 * `hf:` models, in the Hugging Face layout:
 *
 * - `hf:PATH`, a local directory: a transformers.js / Optimum ONNX export (config.json,
 *   tokenizer.json, an ONNX file of ONNX_FILE_CANDIDATES), or a checkpoint as the Hub stores it
 *   (config.json, tokenizer.json, model.safetensors or sharded safetensors), which sensebench
 *   converts once into `<cacheDir>/checkpoints/` (./checkpoint/). An ONNX export is preferred when
 *   the directory has both.
 * - `hf:ORG/NAME`, a Hub model, cached under `<cacheDir>/hf/ORG/NAME/` (transformers.js' own
 *   file-cache layout). Nothing is downloaded unless the user passes `--allow-download`: then the
 *   ONNX export through transformers.js, and when the repository has none, its safetensors
 *   checkpoint (config, tokenizer, weights, sentence-transformers pooling files). Either way the
 *   cached directory is then loaded exactly as a local `hf:PATH`.
 *
 * A PATH is an absolute path, one starting with `./` or `../`, or any other argument without `..`
 * that names an existing directory (as transformers' from_pretrained prefers a local directory);
 * anything else must be an `ORG/NAME` id, which never contains `..` (it becomes a path inside the
 * cache).
 */
import { randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, readFile, rename, rm } from 'node:fs/promises';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { InputError, type EmbeddingModel, type ModelOptions } from '../types.js';
import { isDirectory, pathExists } from '../io/paths.js';
import { SAFETENSORS_FILE, SAFETENSORS_INDEX, hasSafetensors } from './checkpoint/checkpoint.js';
import { checkpointCacheDir, prepareCheckpoint, type CheckpointSource, type PreparedCheckpoint } from './checkpoint/convert.js';
import { loadPreparedCheckpoint } from './checkpoint/index.js';
import { loadOnnxModel, locateOnnxFile } from './onnx-model.js';

const HUB_ID = /^[A-Za-z0-9][A-Za-z0-9._-]*\/[A-Za-z0-9][A-Za-z0-9._-]*$/;

/** Checks a Hub id (`ORG/NAME`) and returns it; throws {@link InputError} otherwise. */
export function parseHubId(modelId: string): string {
  if (!HUB_ID.test(modelId) || modelId.includes('..')) {
    throw new InputError(`--model hf:${modelId}: expected a Hugging Face model id of the form ORG/NAME (e.g. hf:Xenova/bert-base-uncased) or a local model directory`);
  }
  return modelId;
}

/** Where the files of Hub model `modelId` are (or will be) cached. */
export function hubModelDir(cacheDir: string, modelId: string): string {
  return join(cacheDir, 'hf', ...parseHubId(modelId).split('/'));
}

/** What an `hf:` argument names: a local directory, or a Hub id. */
export type HfTarget = { readonly kind: 'local'; readonly dir: string } | { readonly kind: 'hub'; readonly id: string };

/** Resolves an `hf:` argument (see the file comment); throws {@link InputError} for a missing path or a bad id. */
export async function resolveHfTarget(argument: string): Promise<HfTarget> {
  const explicitPath = isAbsolute(argument) || /^\.\.?([\\/]|$)/.test(argument);
  const traverses = argument.split(/[\\/]/).includes('..');
  if (explicitPath || (!traverses && (await isDirectory(resolve(argument))))) {
    if (!(await isDirectory(resolve(argument)))) throw new InputError(`--model hf:${argument}: no such directory (${resolve(argument)})`);
    return { kind: 'local', dir: resolve(argument) };
  }
  return { kind: 'hub', id: parseHubId(argument) };
}

/** What a directory in the Hugging Face layout holds, for loading it. */
export type HfLayout = 'onnx' | 'safetensors';

/** `onnx` for an ONNX export, `safetensors` for a checkpoint, undefined when the directory is neither (or lacks config.json or tokenizer.json). */
export async function hfLayout(dir: string): Promise<HfLayout | undefined> {
  const required = await Promise.all([pathExists(join(dir, 'config.json')), pathExists(join(dir, 'tokenizer.json'))]);
  if (!required.every(Boolean)) return undefined;
  if ((await locateOnnxFile(dir)) !== undefined) return 'onnx';
  return (await hasSafetensors(dir)) ? 'safetensors' : undefined;
}

/** True when the Hub model's config, tokenizer and weights (an ONNX export or safetensors) are already in the cache. */
export async function isHubModelCached(cacheDir: string, modelId: string): Promise<boolean> {
  return (await hfLayout(hubModelDir(cacheDir, modelId))) !== undefined;
}

/** The checkpoint of a safetensors directory, as the converter reads it. */
function checkpointSource(dir: string): CheckpointSource {
  return { dir, origin: { path: dir } };
}

/** Converts (or verifies the cached conversion of) the safetensors checkpoint in `dir`. */
export async function prepareHfCheckpoint(dir: string, cacheDir: string, onProgress?: (message: string) => void): Promise<PreparedCheckpoint> {
  return prepareCheckpoint(checkpointSource(dir), checkpointCacheDir(cacheDir, dir), onProgress ? { onProgress } : {});
}

/**
 * Loads a directory in the Hugging Face layout as model `id`: an ONNX export directly, a
 * safetensors checkpoint through its cached conversion. Throws {@link InputError} naming what is
 * missing (a pickle-only directory is told to convert to safetensors).
 */
export async function loadHfDirectory(dir: string, id: string, options: ModelOptions): Promise<EmbeddingModel> {
  const layout = await hfLayout(dir);
  if (layout === 'onnx') return loadOnnxModel(dir, { ...options, id });
  if (layout === 'safetensors' || ((await pathExists(join(dir, 'config.json'))) && (await pathExists(join(dir, 'tokenizer.json'))))) {
    // Without safetensors, the conversion refuses with what the directory has instead (pytorch_model.bin, ...).
    return loadPreparedCheckpoint(await prepareHfCheckpoint(dir, options.cacheDir, options.onProgress), { ...options, id });
  }
  throw new InputError(`${dir}: not a Hugging Face model directory (expected config.json, tokenizer.json and either an ONNX export such as onnx/model.onnx or safetensors weights such as model.safetensors)`);
}

/** Downloads config, tokenizer and fp32 ONNX weights into the cache through transformers.js. */
async function downloadHubOnnx(cacheDir: string, modelId: string): Promise<void> {
  const transformers = await import('@huggingface/transformers');
  const cache_dir = join(cacheDir, 'hf');
  transformers.env.allowRemoteModels = true;
  transformers.env.cacheDir = cache_dir;
  await transformers.AutoConfig.from_pretrained(modelId, { cache_dir });
  await transformers.AutoTokenizer.from_pretrained(modelId, { cache_dir });
  // Loading the model is what makes transformers.js fetch onnx/model.onnx; the session it opens is released at once.
  const model = await transformers.AutoModel.from_pretrained(modelId, { cache_dir, dtype: 'fp32' });
  await model.dispose();
}

/** Fetches one file of a Hub repository into `dir` (atomically); false when the repository has no such file. */
async function downloadHubFile(modelId: string, file: string, dir: string): Promise<boolean> {
  const { env } = await import('@huggingface/transformers');
  const url = `${env.remoteHost.replace(/\/?$/, '/')}${modelId}/resolve/main/${file}`;
  const response = await fetch(url);
  if (response.status === 404) return false;
  if (!response.ok || response.body === null) throw new Error(`${url}: HTTP ${response.status}`);
  const target = join(dir, file);
  if (!resolve(target).startsWith(resolve(dir))) throw new InputError(`${modelId}: file name ${file} leaves the model directory`);
  await mkdir(dirname(target), { recursive: true });
  const temp = `${target}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  try {
    await pipeline(Readable.fromWeb(response.body as import('node:stream/web').ReadableStream<Uint8Array>), createWriteStream(temp));
    await rename(temp, target);
  } catch (error) {
    await rm(temp, { force: true });
    throw error;
  }
  return true;
}

/**
 * Downloads the safetensors checkpoint of a Hub repository (config.json, tokenizer.json,
 * tokenizer_config.json, model.safetensors or the shard index and its shards, and the
 * sentence-transformers files that define its sentence embedding) into `dir`.
 */
async function downloadHubCheckpoint(modelId: string, dir: string): Promise<void> {
  for (const file of ['config.json', 'tokenizer.json']) {
    if (!(await downloadHubFile(modelId, file, dir))) throw new InputError(`${modelId}: the repository has no ${file}`);
  }
  for (const file of ['tokenizer_config.json', 'modules.json', 'sentence_bert_config.json']) await downloadHubFile(modelId, file, dir);
  if (!(await downloadHubFile(modelId, SAFETENSORS_FILE, dir))) {
    if (!(await downloadHubFile(modelId, SAFETENSORS_INDEX, dir))) throw new InputError(`${modelId}: the repository has neither an ONNX export nor ${SAFETENSORS_FILE} (sensebench never loads pytorch_model.bin)`);
    const index = JSON.parse(await readFile(join(dir, SAFETENSORS_INDEX), 'utf8')) as { weight_map?: Record<string, string> };
    for (const shard of [...new Set(Object.values(index.weight_map ?? {}))].sort()) await downloadHubFile(modelId, shard, dir);
  }
  if (await pathExists(join(dir, 'modules.json'))) {
    const modules = JSON.parse(await readFile(join(dir, 'modules.json'), 'utf8')) as { path?: string; type?: string }[];
    const pooling = modules.find((m) => m.type?.endsWith('.Pooling') === true && typeof m.path === 'string' && m.path !== '');
    if (pooling?.path !== undefined) await downloadHubFile(modelId, `${pooling.path}/config.json`, dir);
  }
}

/**
 * Loads `hf:PATH` or `hf:ORG/NAME` (see the file comment). A Hub model not in the cache is
 * downloaded only when `options.allowDownload` is true; otherwise an {@link InputError} says how
 * to proceed.
 */
export async function loadHubModel(argument: string, options: ModelOptions): Promise<EmbeddingModel> {
  const target = await resolveHfTarget(argument);
  if (target.kind === 'local') return loadHfDirectory(target.dir, `hf:${argument}`, options);
  const modelId = target.id;
  const dir = hubModelDir(options.cacheDir, modelId);
  if (!(await isHubModelCached(options.cacheDir, modelId))) {
    if (options.allowDownload !== true) {
      throw new InputError(
        `model hf:${modelId} is not in the cache (${dir}); this machine must download ${modelId} from the Hugging Face Hub. ` +
          `Pass --allow-download to fetch it, or use hf:PATH with a local model directory (config.json, tokenizer.json and onnx/model.onnx or model.safetensors) or onnx:PATH.`,
      );
    }
    options.onProgress?.(`downloading ${modelId} into ${dir}`);
    try {
      await downloadHubOnnx(options.cacheDir, modelId);
    } catch (error) {
      options.onProgress?.(`${modelId}: no ONNX export (${(error as Error).message}); downloading its safetensors checkpoint`);
    }
    if ((await hfLayout(dir)) !== 'onnx') {
      try {
        await downloadHubCheckpoint(modelId, dir);
      } catch (error) {
        if (error instanceof InputError) throw error;
        throw new InputError(`could not download ${modelId} from the Hugging Face Hub: ${(error as Error).message}`);
      }
    }
    if (!(await isHubModelCached(options.cacheDir, modelId))) {
      throw new InputError(`downloaded ${modelId}, but ${dir} lacks config.json, tokenizer.json or weights (an ONNX export or model.safetensors)`);
    }
  }
  return loadHfDirectory(dir, `hf:${modelId}`, options);
}
