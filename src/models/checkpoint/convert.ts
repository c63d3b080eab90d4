/**
 * Converts a Hugging Face checkpoint directory (config.json, tokenizer.json, safetensors weights)
 * into a model directory in the transformers.js layout that the generic ONNX backend
 * (../onnx-model.ts) loads like any other, so its embedding, windowing, pooling and caching are
 * the same code:
 *
 * ```
 * <outDir>/
 *   onnx/model.onnx            every hidden state as an output (./graph.ts), weights in:
 *   onnx/model.onnx_data       its external data (initializers of 1 KB or more, 4 KB-aligned)
 *   tokenizer.json             copied as is (its padding and truncation are ignored at load)
 *   tokenizer_config.json      copied when the checkpoint has one
 *   config.json                the checkpoint's, plus a `sensebench` block naming the outputs
 *   sensebench-manifest.json   size, CRC-32 and sha256 of every file, source and converter (written last)
 * ```
 *
 * As use-lite's conversion: deterministic (same checkpoint, same bytes), converted once, and on
 * every use the manifest is verified; a damaged converted file, a changed source or another
 * converter version triggers a rebuild. Verification compares sizes and CRC-32s (a 90 MB model
 * in tens of milliseconds; ../converted-files.ts); the sha256 listing computed at conversion is the
 * model's identity. The weights are written as ONNX external data (`onnx/model.onnx_data`, each
 * tensor page-aligned), which onnxruntime maps instead of copying: a session opens several times
 * faster. Verifying imports none of the converter's modules (reader, architectures, ONNX builder)
 * and no zod unless the source has a sentence-transformers modules.json.
 * Every input is read and validated before anything is written: a broken checkpoint leaves the
 * cache as it was.
 */
import { createHash } from 'node:crypto';
import { readFile, rm } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { writeFileAtomic } from '../../io/atomic.js';
import { parseJsonAt } from '../../io/json.js';
import { pathExists } from '../../io/paths.js';
import { InputError, type RepresentationKind } from '../../types.js';
import { checkConvertedFiles, checkFingerprints, fingerprintFiles, listingDigest, manifestJson, readManifest, writeFingerprinted, type FileFingerprint } from '../converted-files.js';
import type { EncoderSpec } from './architectures.js';
import { SAFETENSORS_FILE, SAFETENSORS_INDEX } from './files.js';
import { ENCODER_OUTPUTS, type SentencePooling } from './outputs.js';
import { readSentenceTransformers } from './sentence-transformers.js';

/** Bumped whenever the converter's output changes; a different version in a manifest means stale. */
export const CHECKPOINT_CONVERTER_VERSION = '2';
const CONVERTER_NAME = 'sensebench checkpoint converter';

/**
 * The converter builds every weight in memory, as float32, before it writes them (the graph and
 * the external data file): beyond 2 GiB it refuses rather than exhaust memory.
 */
const MAX_ONNX_BYTES = 2 ** 31 - 2 ** 24;

/** The manifest file; written last, so its presence means a complete conversion. */
export const CHECKPOINT_MANIFEST = 'sensebench-manifest.json';

/** A checkpoint to convert. */
export interface CheckpointSource {
  /** Directory with config.json, tokenizer.json, optional tokenizer_config.json and the weights. */
  readonly dir: string;
  /** A single safetensors file relative to `dir` (default model.safetensors, else the shard index). */
  readonly weightsFile?: string;
  /** Provenance, written into config.json's `sensebench.source` and the manifest (e.g. package, version, license). */
  readonly origin: Readonly<Record<string, string>>;
  /** The sentence embedding when the directory's sentence-transformers files do not say (minilm's package ships none). */
  readonly sentencePooling?: SentencePooling;
  /** Maximum tokens per sequence instead of the smallest limit the files give, and why. */
  readonly maxLength?: { readonly tokens: number; readonly reason: string };
}

/** Options of {@link prepareCheckpoint}. */
export interface PrepareCheckpointOptions {
  /** Rebuild even when the directory verifies. */
  readonly force?: boolean;
  readonly onProgress?: (message: string) => void;
}

export type { FileFingerprint };
export { listingDigest };

/** What the manifest records about the source checkpoint. */
export interface CheckpointSourceRecord {
  readonly origin: Readonly<Record<string, string>>;
  readonly architecture: string;
  /** The architectures config.json names (e.g. `BertForMaskedLM`). */
  readonly declaredArchitectures: readonly string[];
  readonly layers: number;
  readonly hidden: number;
  readonly heads: number;
  readonly activation: string;
  /** Tensors per dtype in the checkpoint (e.g. `{"F16": 103, "I64": 1}`). */
  readonly dtypes: Readonly<Record<string, number>>;
  /** Safetensors files the weights are split over. */
  readonly shards: number;
  readonly tensorsRead: number;
  /** Checkpoint tensors the encoder does not use (heads, position_ids buffers). */
  readonly tensorsIgnored: readonly string[];
  /** The padding and truncation tokenizer.json declares, which sensebench ignores. */
  readonly tokenizerSettingsIgnored: readonly string[];
  readonly maxLength: number;
  readonly maxLengthReason: string;
  readonly sentencePooling: string;
  /** Fingerprint of each source file, by path relative to the source directory. */
  readonly files: Readonly<Record<string, FileFingerprint>>;
}

/** The manifest's JSON shape. */
export interface CheckpointManifest {
  readonly format: 1;
  readonly converter: string;
  readonly converterVersion: string;
  readonly source: CheckpointSourceRecord;
  /** Fingerprint of each converted file, by path relative to the model directory. */
  readonly files: Readonly<Record<string, FileFingerprint>>;
  /** sha256 over the `<sha256>  <path>` lines of the converted files: the model's identity. */
  readonly sha256: string;
}

/** Result of {@link prepareCheckpoint}. */
export interface PreparedCheckpoint {
  readonly dir: string;
  readonly manifest: CheckpointManifest;
  /** True when this call converted (false: the cached conversion verified). */
  readonly converted: boolean;
  /** Wall time of this call in seconds (conversion time when `converted`). */
  readonly seconds: number;
}

/** Where `hf:PATH` conversions of `sourceDir` are cached: one directory per source path. */
export function checkpointCacheDir(cacheDir: string, sourceDir: string): string {
  const path = resolve(sourceDir);
  const slug = basename(path).replace(/[^A-Za-z0-9._-]/g, '_').slice(0, 40) || 'checkpoint';
  return join(cacheDir, 'checkpoints', `${slug}-${createHash('sha256').update(path).digest('hex').slice(0, 16)}`);
}

/** The source files a conversion reads (relative to the source directory), in a fixed order. */
async function sourceFiles(source: CheckpointSource): Promise<string[]> {
  const { dir } = source;
  const files = ['config.json', 'tokenizer.json'];
  if (await pathExists(join(dir, 'tokenizer_config.json'))) files.push('tokenizer_config.json');
  files.push(...(await readSentenceTransformers(dir)).files);
  if (source.weightsFile !== undefined) files.push(source.weightsFile);
  else if (await pathExists(join(dir, SAFETENSORS_FILE))) files.push(SAFETENSORS_FILE);
  else if (await pathExists(join(dir, SAFETENSORS_INDEX))) {
    files.push(SAFETENSORS_INDEX);
    try {
      const index = JSON.parse(await readFile(join(dir, SAFETENSORS_INDEX), 'utf8')) as { weight_map?: Record<string, unknown> };
      files.push(...[...new Set(Object.values(index.weight_map ?? {}).map(String))].sort());
    } catch {
      // A broken index is reported by the conversion (Checkpoint.open), with its reason.
    }
  }
  return files;
}

/**
 * Checks a converted directory against its manifest and the source checkpoint (sizes and CRC-32s).
 * Returns the manifest when everything verifies, else the problems.
 */
export async function verifyCheckpointConversion(outDir: string, source: CheckpointSource): Promise<{ ok: true; manifest: CheckpointManifest } | { ok: false; problems: string[] }> {
  const manifest = await readManifest<CheckpointManifest>(outDir, CHECKPOINT_MANIFEST, 1, (m) => typeof m.converter === 'string');
  if (manifest === undefined) return { ok: false, problems: [`${CHECKPOINT_MANIFEST} is missing or unreadable`] };
  const problems: string[] = [];
  if (manifest.converterVersion !== CHECKPOINT_CONVERTER_VERSION) problems.push(`converted by converter version ${JSON.stringify(manifest.converterVersion)}, current is ${CHECKPOINT_CONVERTER_VERSION}`);
  const current = await sourceFiles(source);
  const recorded = Object.keys(manifest.source.files);
  if (current.join('\n') !== recorded.join('\n')) problems.push(`the source files changed (now ${current.join(', ')})`);
  if (problems.length === 0) problems.push(...(await checkFingerprints(source.dir, manifest.source.files, 'source')));
  if (problems.length === 0) problems.push(...(await checkConvertedFiles(outDir, manifest, CHECKPOINT_MANIFEST, 'converted')));
  return problems.length === 0 ? { ok: true, manifest } : { ok: false, problems };
}

const layerDescription = (n: number, of: number): string => `hidden state after transformer layer ${n} of ${of} (hidden_states[${n}]), pooled over the target's tokens`;

/** The `sensebench.outputs` block: every hidden state, and the sentence embedding (see the file comment of ./graph.ts). */
export function encoderOutputs(spec: EncoderSpec, pooling: SentencePooling | undefined): { name: string; representation: string; kind: RepresentationKind; pooling: 'target' | 'sentence'; description: string }[] {
  const outputs: ReturnType<typeof encoderOutputs> = [
    { name: ENCODER_OUTPUTS.input, representation: 'input', kind: 'static', pooling: 'target', description: "word-embedding rows of the target's tokens, before positions are added: the model's own static baseline" },
    { name: ENCODER_OUTPUTS.hiddenState(0), representation: 'embeddings', kind: 'static', pooling: 'target', description: 'embedding layer output (hidden_states[0]): words plus positions, no attention yet' },
  ];
  for (let n = 1; n <= spec.layers; n++) outputs.push({ name: ENCODER_OUTPUTS.hiddenState(n), representation: `layer-${n}`, kind: 'contextual', pooling: 'target', description: layerDescription(n, spec.layers) });
  if (pooling !== undefined) {
    const how = pooling.mode === 'mean' ? "mean of the last layer over every token under the attention mask ([CLS] and [SEP] included)" : 'the last layer at the first token ([CLS])';
    outputs.push({ name: ENCODER_OUTPUTS.sentence, representation: 'sentence', kind: 'contextual', pooling: 'sentence', description: `the model's sentence-transformers embedding: ${how}${pooling.normalize ? ', L2-normalised' : ''}; the same for every word of the sentence` });
  }
  // The last layer's mean: only when it is not already the sentence embedding (L2 normalisation leaves every cosine as it is).
  if (pooling?.mode !== 'mean') {
    outputs.push({ name: ENCODER_OUTPUTS.hiddenState(spec.layers), representation: 'sentence-mean', kind: 'contextual', pooling: 'sentence', description: `layer-${spec.layers} mean-pooled over the sentence's tokens (special tokens included; the same for every word of the sentence)` });
  }
  return outputs;
}

function describePooling(pooling: SentencePooling | undefined): string {
  if (pooling === undefined) return 'none';
  return `${pooling.mode}${pooling.normalize ? ' + L2 normalisation' : ''}`;
}

/** Converts `source` into `outDir` (see the file comment); returns the manifest. */
export async function convertCheckpoint(source: CheckpointSource, outDir: string, onProgress?: (message: string) => void): Promise<CheckpointManifest> {
  // The reader, the architectures and the ONNX builder are loaded only to convert (a verified cache needs none of them).
  const [{ ModelTokenizer }, { describeEncoder, readEncoderWeights }, { Checkpoint }, { buildEncoderOnnx }, { parseModelConfig, storedTokenizerSpec }] = await Promise.all([
    import('../tokenizer.js'),
    import('./architectures.js'),
    import('./checkpoint.js'),
    import('./graph.js'),
    import('../model-config.js'),
  ]);
  const { dir } = source;
  const configPath = join(dir, 'config.json');
  const tokenizerPath = join(dir, 'tokenizer.json');
  for (const path of [configPath, tokenizerPath]) {
    if (!(await pathExists(path))) throw new InputError(`${dir}: not a Hugging Face checkpoint directory (missing ${basename(path)}; expected config.json, tokenizer.json and model.safetensors)`);
  }
  const configText = await readFile(configPath, 'utf8');
  const config = parseJsonAt(configText, { file: configPath, line: 1 });
  if (typeof config !== 'object' || config === null || Array.isArray(config)) throw new InputError('config.json is not a JSON object', { file: configPath, line: 1 });
  const tokenizer = await ModelTokenizer.load(tokenizerPath);
  const tokenizerConfigPath = join(dir, 'tokenizer_config.json');
  const tokenizerConfigText = (await pathExists(tokenizerConfigPath)) ? await readFile(tokenizerConfigPath, 'utf8') : undefined;
  const tokenizerConfig = tokenizerConfigText === undefined ? {} : (parseJsonAt(tokenizerConfigText, { file: tokenizerConfigPath, line: 1 }) as Record<string, unknown>);
  const sentenceTransformers = await readSentenceTransformers(dir);

  const started = performance.now();
  const checkpoint = await Checkpoint.open(dir, source.weightsFile);
  let read: Awaited<ReturnType<typeof readEncoderWeights>>;
  let description: ReturnType<typeof describeEncoder>;
  try {
    description = describeEncoder(config, new Set(checkpoint.tensors.keys()), configPath, checkpoint.listing);
    const { hidden: h, intermediate: f, vocabSize, maxPositions, layers } = description.spec;
    const weightBytes = 4 * (vocabSize * h + maxPositions * h + layers * (4 * h * h + 2 * h * f));
    if (weightBytes > MAX_ONNX_BYTES) {
      throw new InputError(`${checkpoint.listing}: ${(weightBytes / 2 ** 30).toFixed(1)} GiB of float32 weights exceed the 2 GiB this converter builds in memory; export the model to ONNX (optimum-cli export onnx) and use --model onnx:DIR`);
    }
    onProgress?.(`converting ${description.spec.architecture} (${description.spec.layers} layers, hidden ${description.spec.hidden}) from ${checkpoint.sharded ? `${checkpoint.files.length} safetensors shards` : basename(checkpoint.listing)} to ONNX`);
    read = await readEncoderWeights(description, checkpoint);
  } finally {
    await checkpoint.close();
  }
  const { spec } = description;
  if (tokenizer.vocabularySize > spec.vocabSize) {
    throw new InputError(`the tokenizer has ${tokenizer.vocabularySize} tokens but the word embeddings only ${spec.vocabSize} rows (vocab_size): not this checkpoint's tokenizer`, { file: tokenizerPath, line: 1 });
  }
  const pooling = source.sentencePooling ?? sentenceTransformers.pooling;
  const tokenizerMax = typeof tokenizerConfig.model_max_length === 'number' && tokenizerConfig.model_max_length < 1e6 ? tokenizerConfig.model_max_length : undefined;
  const limits: [number, string][] = [[spec.maxTokens, `${spec.maxPositions} position embeddings${spec.maxTokens !== spec.maxPositions ? ` less the ${spec.maxPositions - spec.maxTokens} up to the padding index` : ''}`]];
  if (tokenizerMax !== undefined) limits.push([tokenizerMax, 'tokenizer_config.json model_max_length']);
  if (sentenceTransformers.maxSeqLength !== undefined) limits.push([sentenceTransformers.maxSeqLength, 'sentence_bert_config.json max_seq_length']);
  const [maxLength, maxLengthReason] = source.maxLength !== undefined ? [source.maxLength.tokens, source.maxLength.reason] : limits.reduce((a, b) => (b[0] < a[0] ? b : a));
  if (maxLength > spec.maxTokens || maxLength < 3) throw new InputError(`max length ${maxLength} is outside 3..${spec.maxTokens} tokens the positions allow`, { file: configPath, line: 1 });

  const sourceRecordFiles = await fingerprintFiles(dir, await sourceFiles(source));
  const converterInfo = { name: CONVERTER_NAME, version: CHECKPOINT_CONVERTER_VERSION };
  const onnx = buildEncoderOnnx(spec, read.weights, {
    ...(pooling !== undefined ? { sentencePooling: pooling } : {}),
    metadata: { ...source.origin, architecture: spec.architecture, converter: `${CONVERTER_NAME} ${CHECKPOINT_CONVERTER_VERSION}`, weights_sha256: listingDigest(sourceRecordFiles) },
  });
  const readSet = new Set(read.read);
  const sourceRecord: CheckpointSourceRecord = {
    origin: source.origin,
    architecture: spec.architecture,
    declaredArchitectures: description.declaredArchitectures,
    layers: spec.layers,
    hidden: spec.hidden,
    heads: spec.heads,
    activation: spec.activation,
    dtypes: checkpoint.dtypeCounts(),
    shards: checkpoint.files.length,
    tensorsRead: read.read.length,
    tensorsIgnored: [...checkpoint.tensors.keys()].filter((name) => !readSet.has(name)).sort(),
    tokenizerSettingsIgnored: tokenizer.description.ignoredSettings,
    maxLength,
    maxLengthReason,
    sentencePooling: describePooling(pooling) + (sentenceTransformers.note !== undefined ? ` (${sentenceTransformers.note})` : ''),
    files: sourceRecordFiles,
  };
  const convertedConfig = {
    ...(config as Record<string, unknown>),
    sensebench: {
      max_length: maxLength,
      max_length_reason: maxLengthReason,
      outputs: encoderOutputs(spec, pooling),
      tokenizer: storedTokenizerSpec(tokenizer.description),
      source: { ...source.origin, architecture: spec.architecture },
      converter: converterInfo,
    },
  };
  // Validated here, once: loads of the verified directory trust it (../model-config.ts).
  parseModelConfig(convertedConfig, join(outDir, 'config.json'));
  const contents: Record<string, Uint8Array | string> = {
    'onnx/model.onnx': onnx.model,
    [`onnx/${onnx.location}`]: onnx.data,
    'tokenizer.json': await readFile(tokenizerPath),
    ...(tokenizerConfigText !== undefined ? { 'tokenizer_config.json': tokenizerConfigText } : {}),
    'config.json': manifestJson(convertedConfig),
  };
  onProgress?.(`converted in ${((performance.now() - started) / 1000).toFixed(1)} s; writing ${outDir}`);
  // Without a manifest a half-rebuilt directory can never pass for a complete one.
  await rm(join(outDir, CHECKPOINT_MANIFEST), { force: true });
  const files = await writeFingerprinted(outDir, contents);
  const manifest: CheckpointManifest = { format: 1, converter: CONVERTER_NAME, converterVersion: CHECKPOINT_CONVERTER_VERSION, source: sourceRecord, files, sha256: listingDigest(files) };
  await writeFileAtomic(join(outDir, CHECKPOINT_MANIFEST), manifestJson(manifest));
  return manifest;
}

/**
 * Makes sure `outDir` holds a verified conversion of `source`, converting when it is missing,
 * damaged or stale (see the file comment).
 */
export async function prepareCheckpoint(source: CheckpointSource, outDir: string, options: PrepareCheckpointOptions = {}): Promise<PreparedCheckpoint> {
  const started = performance.now();
  if (options.force !== true) {
    const verified = await verifyCheckpointConversion(outDir, source);
    if (verified.ok) return { dir: outDir, manifest: verified.manifest, converted: false, seconds: (performance.now() - started) / 1000 };
    if (verified.problems[0] !== `${CHECKPOINT_MANIFEST} is missing or unreadable`) options.onProgress?.(`${outDir}: rebuilding (${verified.problems.join('; ')})`);
  }
  const manifest = await convertCheckpoint(source, outDir, options.onProgress);
  return { dir: outDir, manifest, converted: true, seconds: (performance.now() - started) / 1000 };
}
