/**
 * The generic ONNX transformer backend: any local model directory in the transformers.js layout
 * (`config.json`, `tokenizer.json`, optional `tokenizer_config.json`, `onnx/model.onnx` or
 * `onnx/model_quantized.onnx`), tokenized with @huggingface/tokenizers and run with
 * onnxruntime-node.
 *
 * Representations come from the graph outputs. A `sensebench` block in config.json names them
 * exactly:
 *
 * ```json
 * "sensebench": {
 *   "max_length": 128,
 *   "outputs": [
 *     { "name": "layer_0", "representation": "layer-0", "kind": "contextual", "pooling": "target", "description": "..." },
 *     { "name": "sentence_embedding", "representation": "sentence", "kind": "contextual", "pooling": "sentence", "description": "..." }
 *   ]
 * }
 * ```
 *
 * Without it they are inferred from output names: `input_embeddings` / `inputs_embeds` /
 * `hidden_states.0` -> `input` (static: no attention has mixed in context), `hidden_states.N` or
 * `hidden_states_N` -> `layer-N`, `last_hidden_state` -> `last`, `sentence_embedding` -> `sentence`.
 *
 * Inputs: `input_ids`, and `attention_mask`, `token_type_ids` (zeros) and `position_ids`
 * (0..n-1; padding sits at the end) only when the graph declares them.
 *
 * `target` pooling takes a `[batch, tokens, dim]` output and pools the target's tokens
 * (options.pooling: mean by default); `sentence` pooling takes a `[batch, dim]` output as is, or
 * mean-pools a `[batch, tokens, dim]` output over the attention mask.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import * as ort from 'onnxruntime-node';
import * as hfTokenizers from '@huggingface/tokenizers';
import { z } from 'zod';
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
import { alignSpan, maskedMean, poolTokens, specialFrame, windowAround, type SpecialFrame, type TokenEncoder, type TokenPooling } from './alignment.js';
import { pathExists } from '../io/paths.js';

/** Options of {@link loadOnnxModel}. */
export interface OnnxModelOptions extends ModelOptions {
  /** Model id for reports (e.g. `onnx:models/bert`, `use-lite`). */
  readonly id: string;
  /** ONNX file relative to the directory; default `onnx/model.onnx`, then `onnx/model_quantized.onnx`, then `model.onnx`. */
  readonly onnxFile?: string;
}

/** How one graph output becomes one representation. */
export interface OutputBinding {
  /** Graph output name. */
  readonly output: string;
  readonly representation: Representation;
  readonly pooling: 'target' | 'sentence';
}

const outputSpecSchema = z.object({
  name: z.string().min(1),
  representation: z.string().min(1),
  kind: z.enum(['static', 'contextual']),
  pooling: z.enum(['target', 'sentence']),
  description: z.string().optional(),
});

const configSchema = z
  .object({
    model_type: z.string().optional(),
    hidden_size: z.number().optional(),
    num_hidden_layers: z.number().optional(),
    max_position_embeddings: z.number().int().positive().optional(),
    pad_token_id: z.number().int().nonnegative().nullable().optional(),
    sensebench: z
      .object({
        max_length: z.number().int().positive().optional(),
        outputs: z.array(outputSpecSchema).min(1).optional(),
      })
      .optional(),
  })
  .loose();

type ModelConfig = z.infer<typeof configSchema>;

/**
 * The part of @huggingface/tokenizers' `Tokenizer` used here. Declared locally because the
 * package's type declarations use extensionless relative imports that NodeNext cannot resolve.
 */
interface HfTokenizer {
  encode(text: string, options: { add_special_tokens: boolean }): { ids: number[] };
  token_to_id(token: string): number | undefined;
  get_vocab(withAddedTokens?: boolean): Map<string, number>;
}
const TokenizerClass = (hfTokenizers as unknown as { Tokenizer: new (tokenizerJson: object, tokenizerConfig: object) => HfTokenizer }).Tokenizer;

const DEFAULT_MAX_LENGTH = 512;
const DEFAULT_BATCH_SIZE = 32;

async function readJson(path: string): Promise<unknown> {
  const text = await readFile(path, 'utf8');
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new InputError(`not valid JSON: ${(error as Error).message}`, { file: path, line: 1 });
  }
}

async function sha256Files(paths: readonly string[]): Promise<string> {
  const hash = createHash('sha256');
  for (const path of paths) {
    for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  }
  return hash.digest('hex');
}

/** Infers representations from output names (see the file comment). */
export function inferOutputBindings(outputNames: readonly string[]): OutputBinding[] {
  const inputs: OutputBinding[] = [];
  const layers: { n: number; binding: OutputBinding }[] = [];
  const rest: OutputBinding[] = [];
  for (const output of outputNames) {
    const layer = /^hidden_states[._](\d+)$/.exec(output);
    if (output === 'input_embeddings' || output === 'inputs_embeds' || (layer && Number(layer[1]) === 0)) {
      inputs.push({
        output,
        pooling: 'target',
        representation: { name: 'input', kind: 'static', description: `input embeddings of the target's tokens (graph output ${output}; no context)` },
      });
    } else if (layer) {
      const n = Number(layer[1]);
      layers.push({
        n,
        binding: { output, pooling: 'target', representation: { name: `layer-${n}`, kind: 'contextual', description: `hidden state after transformer layer ${n}, pooled over the target's tokens` } },
      });
    } else if (output === 'last_hidden_state') {
      rest.push({ output, pooling: 'target', representation: { name: 'last', kind: 'contextual', description: "last hidden state, pooled over the target's tokens" } });
    } else if (output === 'sentence_embedding') {
      rest.push({ output, pooling: 'sentence', representation: { name: 'sentence', kind: 'contextual', description: 'the sentence embedding the model outputs' } });
    }
  }
  layers.sort((a, b) => a.n - b.n);
  return [...inputs.slice(0, 1), ...layers.map((l) => l.binding), ...rest];
}

function configuredBindings(config: ModelConfig, outputNames: readonly string[], configPath: string): OutputBinding[] | undefined {
  const specs = config.sensebench?.outputs;
  if (!specs) return undefined;
  const seen = new Set<string>();
  return specs.map((spec, index) => {
    const source: SourceRef = { file: configPath, line: 1 };
    if (!outputNames.includes(spec.name)) {
      throw new InputError(`sensebench.outputs[${index}]: the graph has no output ${JSON.stringify(spec.name)} (outputs: ${outputNames.join(', ')})`, source);
    }
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

/** A sentence's tokens: without special tokens, and the special tokens the template adds around them. */
export interface SentenceTokens {
  readonly content: readonly number[];
  readonly frame: SpecialFrame;
}

/** The tokenizer side of a model: ids with special tokens, and the alignment encoder. */
export class ModelTokenizer implements TokenEncoder {
  /** The special tokens around every single sentence, when the template adds the same ones to any text. */
  private readonly fixedFrame: SpecialFrame | undefined;

  constructor(private readonly tokenizer: HfTokenizer) {
    const probe = (text: string): SpecialFrame | undefined => {
      try {
        return specialFrame(this.encode(text, true), this.encode(text, false), { file: '<tokenizer probe>', line: 1 });
      } catch {
        return undefined;
      }
    };
    const a = probe('a');
    const b = probe('The two words.');
    const same = (x: readonly number[], y: readonly number[]): boolean => x.length === y.length && x.every((v, i) => v === y[i]);
    this.fixedFrame = a && b && same(a.prefix, b.prefix) && same(a.suffix, b.suffix) ? a : undefined;
  }

  encode(text: string, addSpecialTokens: boolean): readonly number[] {
    return this.tokenizer.encode(text, { add_special_tokens: addSpecialTokens }).ids;
  }

  /**
   * Tokens of `sentence`. Encodes once when the template's special tokens are known (the common
   * case), else twice (with and without special tokens) and locates the content in between.
   */
  sentenceTokens(sentence: string, source: SourceRef): SentenceTokens {
    const withSpecial = this.encode(sentence, true);
    const frame = this.fixedFrame;
    if (frame && withSpecial.length >= frame.prefix.length + frame.suffix.length) {
      const head = withSpecial.slice(0, frame.prefix.length);
      const tail = withSpecial.slice(withSpecial.length - frame.suffix.length);
      if (head.every((v, i) => v === frame.prefix[i]) && tail.every((v, i) => v === frame.suffix[i])) {
        return { content: withSpecial.slice(frame.prefix.length, withSpecial.length - frame.suffix.length), frame };
      }
    }
    const content = this.encode(sentence, false);
    return { content, frame: specialFrame(withSpecial, content, source) };
  }

  tokenId(token: string): number | undefined {
    return this.tokenizer.token_to_id(token);
  }

  get vocabularySize(): number {
    return this.tokenizer.get_vocab(true).size;
  }
}

/** One model input sequence after de-duplication, plus the occurrences that read from it. */
interface EncodingUnit {
  readonly ids: readonly number[];
  readonly readers: { readonly occurrence: number; readonly targetStart: number; readonly targetEnd: number }[];
}

/** A padded batch of token id sequences ready for `session.run`. */
export interface PreparedBatch {
  readonly feeds: Record<string, ort.Tensor>;
  readonly rows: number;
  readonly tokens: number;
  /** Attention mask per row (1 = token, 0 = padding). */
  readonly masks: readonly (readonly number[])[];
}

/** The generic ONNX model; see the file comment. */
export class OnnxEmbeddingModel implements EmbeddingModel {
  readonly representations: readonly Representation[];
  /** Number of `session.run` calls so far (tests and benchmarks read it). */
  sessionRuns = 0;
  /** Number of token sequences sent through the model so far. */
  sequencesEncoded = 0;

  constructor(
    readonly id: string,
    readonly sha256: string,
    readonly info: Readonly<Record<string, string | number>>,
    /** The onnxruntime session (exposed for benchmarks that compare with a bare `session.run` loop). */
    readonly session: ort.InferenceSession,
    readonly tokenizer: ModelTokenizer,
    readonly bindings: readonly OutputBinding[],
    readonly maxLength: number,
    private readonly padId: number,
    private readonly batchSize: number,
    private readonly pooling: TokenPooling,
  ) {
    this.representations = bindings.map((b) => b.representation);
    // Read once: the session's metadata getters cross into native code on every access, and the
    // batch loop would otherwise pay that per batch (it showed at batch size 1).
    this.inputNames = [...session.inputNames];
    this.hasAttentionMask = this.inputNames.includes('attention_mask');
    this.int32Inputs = new Set(session.inputMetadata.filter((m) => m.isTensor && m.type === 'int32').map((m) => m.name));
    this.fetches = [...new Set(bindings.map((b) => b.output))];
  }

  private readonly inputNames: readonly string[];
  private readonly hasAttentionMask: boolean;
  /** Inputs the graph declares as int32 (the rest are fed as int64). */
  private readonly int32Inputs: ReadonlySet<string>;
  /** Graph outputs the representations read. */
  private readonly fetches: readonly string[];

  /** Token ids (with special tokens) of `sentence`, cut to `maxLength` from the end when too long. */
  tokenize(sentence: string): number[] {
    const { content, frame } = this.tokenizer.sentenceTokens(sentence, { file: '<sentence>', line: 1 });
    return windowAround({ content, start: 0, end: Math.min(1, content.length), method: 'pieces' }, frame, this.maxLength).ids as number[];
  }

  /** Pads `sequences` to one length and builds the feeds the graph declares. */
  prepareBatch(sequences: readonly (readonly number[])[]): PreparedBatch {
    const rows = sequences.length;
    const tokens = Math.max(...sequences.map((s) => s.length));
    const ids = new BigInt64Array(rows * tokens).fill(BigInt(this.padId));
    const mask = new BigInt64Array(rows * tokens);
    const masks: number[][] = [];
    sequences.forEach((sequence, row) => {
      const rowMask = new Array<number>(tokens).fill(0);
      sequence.forEach((id, t) => {
        ids[row * tokens + t] = BigInt(id);
        mask[row * tokens + t] = 1n;
        rowMask[t] = 1;
      });
      masks.push(rowMask);
    });
    const feeds: Record<string, ort.Tensor> = {};
    const tensor = (name: string, data: BigInt64Array): ort.Tensor => {
      if (this.int32Inputs.has(name)) return new ort.Tensor('int32', Int32Array.from(data, (v) => Number(v)), [rows, tokens]);
      return new ort.Tensor('int64', data, [rows, tokens]);
    };
    for (const name of this.inputNames) {
      if (name === 'input_ids') feeds[name] = tensor(name, ids);
      else if (name === 'attention_mask') feeds[name] = tensor(name, mask);
      else if (name === 'token_type_ids') feeds[name] = tensor(name, new BigInt64Array(rows * tokens));
      else if (name === 'position_ids') feeds[name] = tensor(name, BigInt64Array.from({ length: rows * tokens }, (_, i) => BigInt(i % tokens)));
      else throw new InputError(`${this.id}: the graph needs an input ${JSON.stringify(name)} that sensebench cannot feed (supported: input_ids, attention_mask, token_type_ids, position_ids)`);
    }
    return { feeds, rows, tokens, masks };
  }

  /** Runs one prepared batch, fetching only the outputs the representations use. */
  async run(batch: PreparedBatch): Promise<ort.InferenceSession.OnnxValueMapType> {
    this.sessionRuns++;
    this.sequencesEncoded += batch.rows;
    return this.session.run(batch.feeds, this.fetches as string[]);
  }

  /**
   * Groups sequences (given by their lengths) into batches: sorted by length so that padding stays
   * small (stable, so equal lengths keep input order), at most `batchSize` per batch, and, when
   * the graph takes no attention mask (padding would then change the result), equal lengths only.
   */
  batchPlan(lengths: readonly number[]): number[][] {
    const order = lengths.map((_, i) => i).sort((a, b) => lengths[a]! - lengths[b]!);
    const batches: number[][] = [];
    for (const index of order) {
      const current = batches.at(-1);
      if (current && current.length < this.batchSize && (this.hasAttentionMask || lengths[current[0]!] === lengths[index])) current.push(index);
      else batches.push([index]);
    }
    return batches;
  }

  async embed(occurrences: readonly TargetOccurrence[], onProgress?: ProgressFn): Promise<OccurrenceEmbedding[]> {
    const units: EncodingUnit[] = [];
    const unitByKey = new Map<string, EncodingUnit>();
    const tokensBySentence = new Map<string, SentenceTokens>();
    const truncated = new Array<boolean>(occurrences.length).fill(false);
    occurrences.forEach((occurrence, index) => {
      const { sentence, spans, source } = occurrence;
      if (spans.length > 1) throw new InputError(`${this.id}: a discontinuous target (${spans.length} spans) cannot be aligned by this model's tokenizer yet`, source);
      const span = spans[0];
      let tokens = tokensBySentence.get(sentence);
      if (!tokens) {
        tokens = this.tokenizer.sentenceTokens(sentence, source);
        tokensBySentence.set(sentence, tokens);
      }
      const alignment = alignSpan(this.tokenizer, sentence, span, source, tokens.content);
      const window = windowAround(alignment, tokens.frame, this.maxLength);
      truncated[index] = window.truncated;
      const key = window.ids.join(',');
      let unit = unitByKey.get(key);
      if (!unit) {
        unit = { ids: window.ids, readers: [] };
        unitByKey.set(key, unit);
        units.push(unit);
      }
      unit.readers.push({ occurrence: index, targetStart: window.targetStart, targetEnd: window.targetEnd });
    });

    const vectors: (Float32Array | null)[][] = occurrences.map(() => new Array<Float32Array | null>(this.bindings.length).fill(null));
    let done = 0;
    onProgress?.(0, units.length);
    for (const batchIndices of this.batchPlan(units.map((u) => u.ids.length))) {
      const batchUnits = batchIndices.map((i) => units[i]!);
      const batch = this.prepareBatch(batchUnits.map((u) => u.ids));
      const outputs = await this.run(batch);
      this.bindings.forEach((binding, b) => {
        const value = outputs[binding.output];
        if (!value) throw new Error(`${this.id}: session returned no ${binding.output}`);
        const data = value.data as Float32Array;
        const dims = value.dims;
        batchUnits.forEach((unit, row) => {
          for (const reader of unit.readers) {
            let vector: Float32Array;
            if (binding.pooling === 'sentence' && dims.length === 2) {
              const dim = dims[1]!;
              vector = data.slice(row * dim, (row + 1) * dim);
            } else if (dims.length === 3) {
              const [, tokens, dim] = dims as [number, number, number];
              vector =
                binding.pooling === 'sentence'
                  ? maskedMean(data, tokens, dim, row, batch.masks[row]!)
                  : poolTokens(data, tokens, dim, row, reader.targetStart, reader.targetEnd, this.pooling);
            } else {
              throw new InputError(`${this.id}: graph output ${binding.output} has shape [${dims.join(', ')}], expected [batch, tokens, dim]${binding.pooling === 'sentence' ? ' or [batch, dim]' : ''}`);
            }
            vectors[reader.occurrence]![b] = vector;
          }
        });
      });
      done += batchUnits.length;
      onProgress?.(done, units.length);
    }
    return vectors.map((v, i) => ({ vectors: v, truncated: truncated[i]! }));
  }

  async dispose(): Promise<void> {
    await this.session.release();
  }
}

/** The ONNX file to load from `dir`. */
async function locateOnnxFile(dir: string, requested: string | undefined): Promise<string> {
  const candidates = requested !== undefined ? [requested] : ['onnx/model.onnx', 'onnx/model_quantized.onnx', 'model.onnx'];
  for (const candidate of candidates) {
    const path = join(dir, candidate);
    if (await pathExists(path)) return path;
  }
  throw new InputError(`${dir}: no ONNX model found (looked for ${candidates.join(', ')})`);
}

/**
 * Loads a local transformers.js-layout model directory as an {@link EmbeddingModel}. Throws
 * {@link InputError} for a missing or malformed directory. `sha256` covers the ONNX file,
 * tokenizer.json and config.json (everything that changes the vectors).
 */
export async function loadOnnxModel(dir: string, options: OnnxModelOptions): Promise<OnnxEmbeddingModel> {
  const configPath = join(dir, 'config.json');
  const tokenizerPath = join(dir, 'tokenizer.json');
  const tokenizerConfigPath = join(dir, 'tokenizer_config.json');
  for (const path of [configPath, tokenizerPath]) {
    if (!(await pathExists(path))) throw new InputError(`${dir}: not a model directory (missing ${relative(dir, path)}; expected config.json, tokenizer.json and onnx/model.onnx)`);
  }
  const onnxPath = await locateOnnxFile(dir, options.onnxFile);
  const parsed = configSchema.safeParse(await readJson(configPath));
  if (!parsed.success) throw new InputError(`bad config: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`, { file: configPath, line: 1 });
  const config = parsed.data;
  const tokenizerConfig = (await pathExists(tokenizerConfigPath)) ? ((await readJson(tokenizerConfigPath)) as Record<string, unknown>) : {};
  let tokenizer: ModelTokenizer;
  try {
    tokenizer = new ModelTokenizer(new TokenizerClass((await readJson(tokenizerPath)) as object, tokenizerConfig));
  } catch (error) {
    if (error instanceof InputError) throw error;
    throw new InputError(`cannot build the tokenizer: ${(error as Error).message}`, { file: tokenizerPath, line: 1 });
  }

  options.onProgress?.(`loading ${relative(process.cwd(), onnxPath) || onnxPath}`);
  let session: ort.InferenceSession;
  try {
    session = await ort.InferenceSession.create(onnxPath, {
      intraOpNumThreads: options.threads ?? 0,
      interOpNumThreads: 1,
      executionMode: 'sequential',
      graphOptimizationLevel: 'all',
    });
  } catch (error) {
    throw new InputError(`onnxruntime cannot load the model: ${(error as Error).message}`, { file: onnxPath, line: 1 });
  }
  try {
    const bindings = configuredBindings(config, session.outputNames, configPath) ?? inferOutputBindings(session.outputNames);
    if (bindings.length === 0) {
      throw new InputError(`no usable outputs (graph outputs: ${session.outputNames.join(', ')}); name them in a "sensebench": { "outputs": [...] } block of config.json`, { file: configPath, line: 1 });
    }
    if (!session.inputNames.includes('input_ids')) throw new InputError(`the graph has no input_ids input (inputs: ${session.inputNames.join(', ')})`, { file: onnxPath, line: 1 });

    const tokenizerMax = typeof tokenizerConfig.model_max_length === 'number' && tokenizerConfig.model_max_length < 1e6 ? tokenizerConfig.model_max_length : undefined;
    const limits = [config.sensebench?.max_length, config.max_position_embeddings, tokenizerMax].filter((v): v is number => v !== undefined);
    const maxLength = config.sensebench?.max_length ?? (limits.length > 0 ? Math.min(...limits) : DEFAULT_MAX_LENGTH);

    const padToken = typeof tokenizerConfig.pad_token === 'string' ? tokenizerConfig.pad_token : undefined;
    const padId = (padToken !== undefined ? tokenizer.tokenId(padToken) : undefined) ?? config.pad_token_id ?? 0;
    const sha256 = await sha256Files([onnxPath, tokenizerPath, configPath]);
    const info: Record<string, string | number> = {
      backend: 'onnxruntime-node',
      directory: dir,
      onnxFile: relative(dir, onnxPath),
      maxLength,
      vocabularySize: tokenizer.vocabularySize,
      outputs: bindings.map((b) => `${b.output}->${b.representation.name}`).join(', '),
      pooling: options.pooling ?? 'mean',
    };
    if (config.model_type !== undefined) info.modelType = config.model_type;
    if (config.hidden_size !== undefined) info.hiddenSize = config.hidden_size;
    if (config.num_hidden_layers !== undefined) info.layers = config.num_hidden_layers;
    return new OnnxEmbeddingModel(
      options.id,
      sha256,
      info,
      session,
      tokenizer,
      bindings,
      maxLength,
      padId,
      Math.max(1, options.batchSize ?? DEFAULT_BATCH_SIZE),
      options.pooling ?? 'mean',
    );
  } catch (error) {
    await session.release();
    throw error;
  }
}
