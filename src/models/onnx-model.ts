/**
 * The generic ONNX transformer backend: any local model directory in the transformers.js layout
 * (`config.json`, `tokenizer.json`, optional `tokenizer_config.json`, an ONNX file from
 * {@link ONNX_FILE_CANDIDATES}), tokenized with the Hugging Face Rust tokenizers (./tokenizer.ts)
 * and run with onnxruntime-node (./onnx-runner.ts).
 *
 * Representations, in Hugging Face's `hidden_states` numbering:
 * - A `sensebench` block in config.json names graph outputs exactly (use-lite uses it):
 *   ```json
 *   "sensebench": { "max_length": 128, "outputs": [
 *     { "name": "layer_0", "representation": "layer-0", "kind": "contextual", "pooling": "target" },
 *     { "name": "sentence_embedding", "representation": "sentence", "kind": "contextual", "pooling": "sentence" } ] }
 *   ```
 * - Otherwise graph surgery (./graph-surgery.ts) finds every layer of a Hub export and derives a
 *   model that outputs them: `input` (word-embedding rows, static), `embeddings`
 *   (`hidden_states[0]`), `layer-1` ... `layer-N`; then from the graph's own outputs `last` (only
 *   when it is not the last layer) and `sentence` (a `sentence_embedding` output); and
 *   `sentence-mean`, the last layer mean-pooled over the attention mask.
 * - When the graph is not understood, representations come from the output names alone:
 *   `input_embeddings` / `inputs_embeds` -> `input`, `hidden_states.0` -> `embeddings`,
 *   `hidden_states.N` -> `layer-N`, `last_hidden_state` -> `last`, `sentence_embedding` ->
 *   `sentence`, and the reason is recorded in `info.layers`.
 *
 * `target` pooling takes a `[batch, tokens, dim]` output and pools the target's tokens (chosen from
 * the tokenizer's offsets, ./alignment.ts; every span of a discontinuous target) with
 * options.pooling (mean by default); `sentence` pooling takes a `[batch, dim]` output as is, or
 * mean-pools a `[batch, tokens, dim]` output over the attention mask.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, join, relative } from 'node:path';
import type * as ort from 'onnxruntime-node';
import {
  InputError,
  type EmbeddingModel,
  type ModelOptions,
  type OccurrenceEmbedding,
  type ProgressFn,
  type Representation,
  type RepresentationKind,
  type SourceRef,
  type TargetOccurrence,
} from '../types.js';
import { maskedMeanInto, poolTokensInto, targetTokens, windowAround, type TokenPooling } from './alignment.js';
import type { GraphAnalysis } from './graph-surgery.js';
import type { ModelConfig } from './model-config.js';
import { OnnxRunner, openSession, sessionSettings } from './onnx-runner.js';
import { ModelTokenizer, type EncodedSentence } from './tokenizer.js';
import { parseJsonAt } from '../io/json.js';
import { pathExists } from '../io/paths.js';

/**
 * Where a transformers.js-layout directory keeps its ONNX graph, in the order tried: the fp32
 * export, the encoder of an encoder-decoder export (T5), the quantized and fp16 variants, and a
 * bare `model.onnx`. The one list `hf:` downloads and `onnx:` directories both use.
 */
export const ONNX_FILE_CANDIDATES: readonly string[] = [
  'onnx/model.onnx',
  'onnx/encoder_model.onnx',
  'onnx/model_quantized.onnx',
  'onnx/model_int8.onnx',
  'onnx/encoder_model_quantized.onnx',
  'onnx/model_fp16.onnx',
  'onnx/encoder_model_fp16.onnx',
  'model.onnx',
];

/** Options of {@link loadOnnxModel}. */
export interface OnnxModelOptions extends ModelOptions {
  /** Model id for reports (e.g. `onnx:models/bert`, `use-lite`). */
  readonly id: string;
  /** ONNX file relative to the directory; default the first of {@link ONNX_FILE_CANDIDATES} present. */
  readonly onnxFile?: string;
  /**
   * The directory's content checksum, when the caller has just verified its files against the
   * manifest of the sensebench converter that wrote them: a directory whose config.json names its
   * outputs is then not hashed again, its config.json is not validated again
   * ({@link readModelDirectory}), and its session opens on first need, not at load (see
   * {@link loadOnnxParts}).
   */
  readonly sha256?: string;
}

/** How one graph output becomes one representation. */
export interface OutputBinding {
  /** Graph output name. */
  readonly output: string;
  readonly representation: Representation;
  readonly pooling: 'target' | 'sentence';
}

export type { ModelConfig };

const DEFAULT_MAX_LENGTH = 512;
const DEFAULT_BATCH_SIZE = 32;
/** RoBERTa-family position tables reserve the rows up to the padding index. */
const PADDING_OFFSET_POSITIONS = new Set(['roberta', 'xlm-roberta', 'camembert', 'longformer', 'mpnet']);

async function readJson(path: string): Promise<unknown> {
  return parseJsonAt(await readFile(path, 'utf8'), { file: path, line: 1 });
}

/** The key of an external-data entry as protobuf writes it (field 1, length 8, "location"): its absence rules external data out without decoding the graph. */
const LOCATION_KEY = Buffer.from('\x0a\x08location', 'latin1');

/**
 * The two checksums a load needs, from one read of the graph (for a BERT-sized model, hashing it
 * twice costs a second of every load): the graph's own sha256 (the key of its every-layer
 * derivative) and the sha256 over the graph, the tokenizer and the config (the model's identity).
 * A graph whose weights live in external-data files (`model.onnx_data`, as Hub exports over 2 GB
 * and sensebench's own conversions have them) brings those files into both checksums: new weights
 * beside an unchanged graph are a new model, never vectors from the embedding cache of the old one.
 */
async function modelChecksums(onnxPath: string, tokenizerPath: string, configPath: string): Promise<{ onnx: string; model: string }> {
  const onnx = createHash('sha256');
  const model = createHash('sha256');
  let mayHaveExternalData = false;
  let tail = Buffer.alloc(0);
  for await (const chunk of createReadStream(onnxPath)) {
    const bytes = chunk as Buffer;
    onnx.update(bytes);
    model.update(bytes);
    // The key may straddle two chunks: search the end of the previous one with this one.
    mayHaveExternalData ||= Buffer.concat([tail, bytes.subarray(0, LOCATION_KEY.length)]).includes(LOCATION_KEY) || bytes.includes(LOCATION_KEY);
    tail = Buffer.from(bytes.subarray(Math.max(0, bytes.length - LOCATION_KEY.length + 1)));
  }
  if (mayHaveExternalData) {
    const { externalDataLocations } = await import('./graph-surgery.js');
    for (const location of externalDataLocations(await readFile(onnxPath))) {
      const path = join(dirname(onnxPath), location);
      if (!(await pathExists(path))) throw new InputError(`the graph's external data file ${location} is missing`, { file: onnxPath, line: 1 });
      for (const hash of [onnx, model]) hash.update(`\0external data ${location}\0`);
      for await (const chunk of createReadStream(path)) {
        onnx.update(chunk as Buffer);
        model.update(chunk as Buffer);
      }
    }
  }
  for (const path of [tokenizerPath, configPath]) {
    for await (const chunk of createReadStream(path)) model.update(chunk as Buffer);
  }
  return { onnx: onnx.digest('hex'), model: model.digest('hex') };
}

const layerDescription = (n: number): string => `hidden state after transformer layer ${n} (hidden_states[${n}]), pooled over the target's tokens`;

/** Infers representations from output names alone (see the file comment). */
export function inferOutputBindings(outputNames: readonly string[]): OutputBinding[] {
  const inputs: OutputBinding[] = [];
  const layers: { n: number; binding: OutputBinding }[] = [];
  const rest: OutputBinding[] = [];
  for (const output of outputNames) {
    const layer = /^hidden_states[._](\d+)$/.exec(output);
    if (output === 'input_embeddings' || output === 'inputs_embeds') {
      inputs.push({ output, pooling: 'target', representation: { name: 'input', kind: 'static', description: `input embeddings of the target's tokens (graph output ${output}; no context)` } });
    } else if (layer) {
      const n = Number(layer[1]);
      const representation: Representation =
        n === 0
          ? { name: 'embeddings', kind: 'static', description: `embedding layer output (hidden_states[0], graph output ${output}): no attention yet` }
          : { name: `layer-${n}`, kind: 'contextual', description: layerDescription(n) };
      layers.push({ n, binding: { output, pooling: 'target', representation } });
    } else if (output === 'last_hidden_state') {
      rest.push({ output, pooling: 'target', representation: { name: 'last', kind: 'contextual', description: "last hidden state, pooled over the target's tokens" } });
    } else if (output === 'sentence_embedding') {
      rest.push({ output, pooling: 'sentence', representation: { name: 'sentence', kind: 'contextual', description: 'the sentence embedding the model outputs' } });
    }
  }
  layers.sort((a, b) => a.n - b.n);
  return [...inputs.slice(0, 1), ...layers.map((l) => l.binding), ...rest];
}

/** Representations of a graph whose layers graph surgery found (see the file comment). */
export function surgeryBindings(analysis: GraphAnalysis): OutputBinding[] {
  const bindings: OutputBinding[] = analysis.tensors.map((t) => {
    if (t.representation === 'input') {
      return { output: t.output, pooling: 'target', representation: { name: 'input', kind: 'static', description: "word-embedding rows of the target's tokens, before positions are added: the model's own static baseline" } };
    }
    if (t.representation === 'embeddings') {
      return { output: t.output, pooling: 'target', representation: { name: 'embeddings', kind: 'static', description: 'embedding layer output (hidden_states[0]): words plus positions, no attention yet' } };
    }
    const n = Number(t.representation.slice('layer-'.length));
    return { output: t.output, pooling: 'target', representation: { name: t.representation, kind: 'contextual', description: layerDescription(n) } };
  });
  if (analysis.graphOutputs.includes('last_hidden_state') && !analysis.outputsEqualToLastLayer.includes('last_hidden_state')) {
    bindings.push({ output: 'last_hidden_state', pooling: 'target', representation: { name: 'last', kind: 'contextual', description: "the graph's last_hidden_state (not one of its layers), pooled over the target's tokens" } });
  }
  if (analysis.graphOutputs.includes('sentence_embedding')) {
    bindings.push({ output: 'sentence_embedding', pooling: 'sentence', representation: { name: 'sentence', kind: 'contextual', description: 'the sentence embedding the model outputs' } });
  }
  const last = analysis.tensors.at(-1);
  if (last?.representation.startsWith('layer-') === true) {
    bindings.push({ output: last.output, pooling: 'sentence', representation: { name: 'sentence-mean', kind: 'contextual', description: `${last.representation} mean-pooled over the sentence's tokens (the same for every word of the sentence)` } });
  }
  return bindings;
}

/** The representations config.json's `sensebench.outputs` names; the graph is checked against them by {@link checkConfiguredOutputs}. */
function configuredBindings(config: ModelConfig, configPath: string): OutputBinding[] | undefined {
  const specs = config.sensebench?.outputs;
  if (!specs) return undefined;
  const seen = new Set<string>();
  return specs.map((spec, index) => {
    const source: SourceRef = { file: configPath, line: 1 };
    if (seen.has(spec.representation)) throw new InputError(`sensebench.outputs[${index}]: duplicate representation ${spec.representation}`, source);
    seen.add(spec.representation);
    const kind: RepresentationKind = spec.kind;
    return {
      output: spec.name,
      pooling: spec.pooling,
      representation: { name: spec.representation, kind, description: spec.description ?? `graph output ${spec.name} (${spec.pooling}-pooled)` },
    };
  });
}

/** Throws, naming config.json, when the graph lacks an output its `sensebench.outputs` names. */
function checkConfiguredOutputs(config: ModelConfig, outputNames: readonly string[], configPath: string): void {
  (config.sensebench?.outputs ?? []).forEach((spec, index) => {
    if (!outputNames.includes(spec.name)) {
      throw new InputError(`sensebench.outputs[${index}]: the graph has no output ${JSON.stringify(spec.name)} (outputs: ${outputNames.join(', ')})`, { file: configPath, line: 1 });
    }
  });
}

/** One model input sequence after de-duplication, plus the occurrences that read from it. */
interface EncodingUnit {
  readonly ids: readonly number[];
  readonly readers: { readonly occurrence: number; readonly target: readonly number[] }[];
}

/** Half-precision bits to a number (fp16 exports). */
function halfToFloat(bits: number): number {
  const sign = bits & 0x8000 ? -1 : 1;
  const exponent = (bits >> 10) & 0x1f;
  const fraction = bits & 0x3ff;
  if (exponent === 0) return sign * 2 ** -14 * (fraction / 1024);
  if (exponent === 31) return fraction === 0 ? sign * Infinity : NaN;
  return sign * 2 ** (exponent - 15) * (1 + fraction / 1024);
}

/** An output tensor's data as float32 (fp16 outputs are widened). */
function floatData(value: ort.Tensor, id: string, output: string): Float32Array {
  if (value.type === 'float32') return value.data as Float32Array;
  if (value.type === 'float16') {
    const data = value.data as ArrayLike<number>;
    if (data instanceof Uint16Array) return Float32Array.from(data, halfToFloat);
    return Float32Array.from(data);
  }
  throw new InputError(`${id}: graph output ${output} has element type ${value.type}, expected float32 or float16`);
}

/** Everything a loaded ONNX model consists of; {@link loadOnnxParts} builds it, the model and the benchmarks share it. */
export interface OnnxModelParts {
  readonly id: string;
  readonly sha256: string;
  readonly info: Readonly<Record<string, string | number>>;
  readonly runner: OnnxRunner;
  readonly tokenizer: ModelTokenizer;
  readonly bindings: readonly OutputBinding[];
  readonly maxLength: number;
  readonly pooling: TokenPooling;
  /** What graph surgery found (undefined when config.json names the outputs). */
  readonly analysis: GraphAnalysis | undefined;
}

/** The generic ONNX model; see the file comment. It owns `parts.runner` and releases it in {@link dispose}. */
export class OnnxEmbeddingModel implements EmbeddingModel {
  readonly id: string;
  readonly sha256: string;
  readonly info: Readonly<Record<string, string | number>>;
  readonly representations: readonly Representation[];

  constructor(private readonly parts: OnnxModelParts) {
    this.id = parts.id;
    this.sha256 = parts.sha256;
    this.info = parts.info;
    this.representations = parts.bindings.map((b) => b.representation);
  }

  async embed(occurrences: readonly TargetOccurrence[], onProgress?: ProgressFn): Promise<OccurrenceEmbedding[]> {
    const { runner, tokenizer, bindings, maxLength, pooling } = this.parts;
    const distinct = [...new Set(occurrences.map((o) => o.sentence))];
    const encodedList = await tokenizer.encodeAll(distinct);
    const encodedBySentence = new Map<string, EncodedSentence>(distinct.map((s, i) => [s, encodedList[i]!]));
    const units: EncodingUnit[] = [];
    const unitByKey = new Map<string, EncodingUnit>();
    const truncated = new Array<boolean>(occurrences.length).fill(false);
    occurrences.forEach((occurrence, index) => {
      const { sentence, spans, source } = occurrence;
      const encoded = encodedBySentence.get(sentence)!;
      const window = windowAround(encoded, targetTokens(encoded, sentence, spans, source), maxLength);
      truncated[index] = window.truncated;
      const key = window.ids.join(',');
      let unit = unitByKey.get(key);
      if (!unit) {
        unit = { ids: window.ids, readers: [] };
        unitByKey.set(key, unit);
        units.push(unit);
      }
      unit.readers.push({ occurrence: index, target: window.target });
    });

    const vectors: (Float32Array | null)[][] = occurrences.map(() => new Array<Float32Array | null>(bindings.length).fill(null));
    let done = 0;
    onProgress?.(0, units.length);
    // The batches are built for the graph's inputs: the first embedding opens the session.
    await runner.open();
    const plan = runner.batchPlan(units.map((u) => u.ids.length));
    const batches = plan.map((batchIndices) => runner.prepareBatch(batchIndices.map((i) => units[i]!.ids)));
    // Each batch's vectors depend on that batch alone, so the order the sessions finish in does not matter.
    await runner.runBatches(batches, (batchIndex, outputs) => {
      const batchUnits = plan[batchIndex]!.map((i) => units[i]!);
      const batch = batches[batchIndex]!;
      const readers = batchUnits.reduce((count, unit) => count + unit.readers.length, 0);
      const fetched = bindings.map((binding) => {
        const value = outputs[binding.output];
        if (!value) throw new Error(`${this.id}: session returned no ${binding.output}`);
        const dims = value.dims;
        if (dims.length !== 3 && !(binding.pooling === 'sentence' && dims.length === 2)) {
          throw new InputError(`${this.id}: graph output ${binding.output} has shape [${dims.join(', ')}], expected [batch, tokens, dim]${binding.pooling === 'sentence' ? ' or [batch, dim]' : ''}`);
        }
        return { data: floatData(value, this.id, binding.output), dims, dim: dims.at(-1)! };
      });
      // One block holds every vector of the batch, handed out as views (as static models do; the
      // pipeline copies the few it keeps past a chunk): one allocation per batch instead of one per
      // occurrence and representation. A sentence-pooled vector is shared by its sentence's readers.
      const block = new Float32Array(bindings.reduce((sum, binding, b) => sum + fetched[b]!.dim * (binding.pooling === 'sentence' ? batchUnits.length : readers), 0));
      let offset = 0;
      const take = (dim: number): Float32Array => block.subarray(offset, (offset += dim));
      bindings.forEach((binding, b) => {
        const { data, dims, dim } = fetched[b]!;
        const tokens = dims.length === 3 ? dims[1]! : 1;
        batchUnits.forEach((unit, row) => {
          if (binding.pooling === 'sentence') {
            if (dims.length === 2) block.set(data.subarray(row * dim, (row + 1) * dim), offset);
            else maskedMeanInto(block, offset, data, tokens, dim, row, batch.masks[row]!);
            const vector = take(dim);
            for (const reader of unit.readers) vectors[reader.occurrence]![b] = vector;
          } else {
            for (const reader of unit.readers) {
              poolTokensInto(block, offset, data, tokens, dim, row, reader.target, pooling);
              vectors[reader.occurrence]![b] = take(dim);
            }
          }
        });
      });
      done += batchUnits.length;
      onProgress?.(done, units.length);
    });
    return vectors.map((v, i) => ({ vectors: v, truncated: truncated[i]! }));
  }

  async dispose(): Promise<void> {
    await this.parts.runner.release();
  }
}

/** The ONNX file to load from `dir`: `requested`, else the first of {@link ONNX_FILE_CANDIDATES} present. */
export async function locateOnnxFile(dir: string, requested?: string): Promise<string | undefined> {
  for (const candidate of requested !== undefined ? [requested] : ONNX_FILE_CANDIDATES) {
    const path = join(dir, candidate);
    if (await pathExists(path)) return path;
  }
  return undefined;
}

/** The parts of a model directory that need no session: config, tokenizer, limits. */
export interface ModelDirectory {
  readonly dir: string;
  readonly configPath: string;
  readonly tokenizerPath: string;
  readonly onnxPath: string;
  readonly config: ModelConfig;
  readonly tokenizerConfig: Readonly<Record<string, unknown>>;
  readonly tokenizer: ModelTokenizer;
  readonly maxLength: number;
  readonly padId: number;
}

/**
 * Reads config.json, tokenizer.json and tokenizer_config.json of `dir` and locates its ONNX file.
 * `verified`: the directory was just checked against the manifest of the sensebench converter that
 * wrote it (which validated its config.json and described its tokenizer.json before writing), so
 * config.json is read without validating it again and the tokenizer's description comes from it
 * (./model-config.ts says why).
 */
export async function readModelDirectory(dir: string, onnxFile?: string, verified = false): Promise<ModelDirectory> {
  const configPath = join(dir, 'config.json');
  const tokenizerPath = join(dir, 'tokenizer.json');
  const tokenizerConfigPath = join(dir, 'tokenizer_config.json');
  for (const path of [configPath, tokenizerPath]) {
    if (!(await pathExists(path))) throw new InputError(`${dir}: not a model directory (missing ${relative(dir, path)}; expected config.json, tokenizer.json and onnx/model.onnx)`);
  }
  const onnxPath = await locateOnnxFile(dir, onnxFile);
  if (onnxPath === undefined) throw new InputError(`${dir}: no ONNX model found (looked for ${(onnxFile !== undefined ? [onnxFile] : ONNX_FILE_CANDIDATES).join(', ')})`);
  const json = await readJson(configPath);
  const config = verified ? (json as ModelConfig) : (await import('./model-config.js')).parseModelConfig(json, configPath);
  const tokenizerConfig = (await pathExists(tokenizerConfigPath)) ? ((await readJson(tokenizerConfigPath)) as Record<string, unknown>) : {};
  const stored = verified ? config.sensebench?.tokenizer : undefined;
  const tokenizer = await ModelTokenizer.load(
    tokenizerPath,
    stored === undefined ? undefined : { model: stored.model, preTokenizer: stored.pre_tokenizer, normalizer: stored.normalizer, ignoredSettings: stored.ignored_settings },
  );
  const tokenizerMax = typeof tokenizerConfig.model_max_length === 'number' && tokenizerConfig.model_max_length < 1e6 ? tokenizerConfig.model_max_length : undefined;
  // RoBERTa-family tables hold max_position_embeddings rows of which padding_idx + 1 are reserved.
  const reserved = config.model_type !== undefined && PADDING_OFFSET_POSITIONS.has(config.model_type) ? (config.pad_token_id ?? 1) + 1 : 0;
  const positions = config.max_position_embeddings !== undefined ? config.max_position_embeddings - reserved : undefined;
  const limits = [positions, tokenizerMax].filter((v): v is number => v !== undefined);
  const maxLength = config.sensebench?.max_length ?? (limits.length > 0 ? Math.min(...limits) : DEFAULT_MAX_LENGTH);
  const padToken = typeof tokenizerConfig.pad_token === 'string' ? tokenizerConfig.pad_token : undefined;
  const padId = (padToken !== undefined ? tokenizer.tokenId(padToken) : undefined) ?? config.pad_token_id ?? 0;
  return { dir, configPath, tokenizerPath, onnxPath, config, tokenizerConfig, tokenizer, maxLength, padId };
}

/**
 * Loads everything of a model directory (see {@link OnnxModelParts}). Throws {@link InputError}
 * for a missing or malformed directory. `sha256` covers the ONNX file, tokenizer.json and
 * config.json (everything that changes the vectors).
 */
export async function loadOnnxParts(dir: string, options: OnnxModelOptions): Promise<OnnxModelParts> {
  const model = await readModelDirectory(dir, options.onnxFile, options.sha256 !== undefined);
  const { config, configPath, onnxPath, tokenizer } = model;
  const configured = config.sensebench?.outputs !== undefined;
  // Graph surgery keys its cache by the graph's own sha256: only a configured directory can skip hashing.
  const checksums = options.sha256 !== undefined && configured ? { onnx: '', model: options.sha256 } : await modelChecksums(onnxPath, model.tokenizerPath, configPath);
  const onnxSha256 = checksums.onnx;
  let prepared: Awaited<ReturnType<typeof import('./graph-surgery.js').prepareLayerGraph>> | undefined;
  try {
    // Graph surgery (and the ONNX protobuf schema it reads graphs with) only for a directory whose config.json does not name its outputs.
    prepared = configured ? undefined : await (await import('./graph-surgery.js')).prepareLayerGraph(onnxPath, options.cacheDir, onnxSha256);
  } catch (error) {
    if (error instanceof InputError) throw error;
    throw new InputError(`cannot derive the every-layer model (cache ${options.cacheDir}): ${(error as Error).message}`, { file: onnxPath, line: 1 });
  }
  const runPath = prepared?.path ?? onnxPath;
  if (prepared?.analysis.understood === false) options.onProgress?.(`${options.id}: layers not found (${prepared.analysis.notes.join('; ')}); scoring the graph's own outputs`);
  options.onProgress?.(`loading ${relative(process.cwd(), onnxPath) || onnxPath}${runPath !== onnxPath ? ' (with every layer as an output)' : ''}`);
  const { sessions, threads } = sessionSettings(options.sessions, options.threads);
  const prepackWeights = options.prepackWeights ?? true;
  const runnerOptions = {
    id: options.id,
    padId: model.padId,
    batchSize: Math.max(1, options.batchSize ?? DEFAULT_BATCH_SIZE),
    maxLength: model.maxLength,
    sessions,
    onnxPath: runPath,
    prepackWeights,
    ...(threads !== undefined ? { threads } : {}),
    ...(config.model_type !== undefined && PADDING_OFFSET_POSITIONS.has(config.model_type) ? { positionOffset: (config.pad_token_id ?? 1) + 1 } : {}),
  };
  const configuredOutputs = configuredBindings(config, configPath);
  // A directory sensebench prepared and just verified, whose config.json names its outputs, has
  // everything a load reports in config.json: its session opens on first need (a run answered from
  // the embedding cache never opens it) and is checked then. Any other directory is opened and
  // checked now, so that a user's mistakes are reported at load.
  const opensOnNeed = options.sha256 !== undefined && configuredOutputs !== undefined && configuredOutputs.length > 0;
  const session = opensOnNeed ? undefined : await openSession(runPath, threads, prepackWeights, options.id);
  try {
    const analysis = prepared?.analysis;
    const bindings = configuredOutputs ?? (analysis?.understood === true ? surgeryBindings(analysis) : inferOutputBindings(session!.outputNames));
    if (bindings.length === 0) {
      throw new InputError(
        `no usable outputs (graph outputs: ${session!.outputNames.join(', ')}; layers not found: ${analysis?.notes.join('; ') ?? ''}); name them in a "sensebench": { "outputs": [...] } block of config.json`,
        { file: configPath, line: 1 },
      );
    }
    const checkGraph = configuredOutputs === undefined ? {} : { checkGraph: (opened: ort.InferenceSession) => { checkConfiguredOutputs(config, opened.outputNames, configPath); } };
    const runner = new OnnxRunner(session, { ...runnerOptions, ...checkGraph, fetches: [...new Set(bindings.map((b) => b.output))] });
    const sha256 = checksums.model;
    const info: Record<string, string | number> = {
      backend: 'onnxruntime-node',
      directory: dir,
      onnxFile: relative(dir, onnxPath),
      maxLength: model.maxLength,
      vocabularySize: tokenizer.vocabularySize,
      tokenizer: tokenizer.description.model,
      outputs: bindings.map((b) => `${b.output}->${b.representation.name}`).join(', '),
      pooling: options.pooling ?? 'mean',
    };
    // Also keys the embedding cache: vectors cached while these settings were obeyed are not reused.
    if (tokenizer.description.ignoredSettings.length > 0) info.tokenizerSettingsIgnored = tokenizer.description.ignoredSettings.join(', ');
    if (analysis !== undefined) info.layers = analysis.understood ? `${analysis.layout}: ${analysis.tensors.filter((t) => t.representation.startsWith('layer-')).length} layers found by graph surgery` : `not found (${analysis.notes.join('; ')}); scoring the graph's outputs`;
    if (config.model_type !== undefined) info.modelType = config.model_type;
    if (config.hidden_size !== undefined) info.hiddenSize = config.hidden_size;
    if (config.num_hidden_layers !== undefined) info.numHiddenLayers = config.num_hidden_layers;
    return { id: options.id, sha256, info, runner, tokenizer, bindings, maxLength: model.maxLength, pooling: options.pooling ?? 'mean', analysis };
  } catch (error) {
    await session?.release();
    throw error;
  }
}

/** Loads a local transformers.js-layout model directory as an {@link EmbeddingModel}. */
export async function loadOnnxModel(dir: string, options: OnnxModelOptions): Promise<EmbeddingModel> {
  return new OnnxEmbeddingModel(await loadOnnxParts(dir, options));
}
