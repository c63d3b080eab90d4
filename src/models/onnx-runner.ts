/**
 * The ONNX session side of a transformer model, shared by {@link OnnxEmbeddingModel} and the
 * benchmarks (which compare the harness with a bare `session.run` loop over the very batches the
 * runner builds): opening the session, padding token sequences into the feeds the graph declares,
 * grouping sequences into batches, and running a batch for the outputs the representations read.
 */
import * as ort from 'onnxruntime-node';
import { InputError } from '../types.js';

/** A padded batch of token id sequences ready for `session.run`. */
export interface PreparedBatch {
  readonly feeds: Record<string, ort.Tensor>;
  readonly rows: number;
  readonly tokens: number;
  /** Attention mask per row (1 = token, 0 = padding). */
  readonly masks: readonly Uint8Array[];
}

/** Options of {@link OnnxRunner.open}. */
export interface OnnxRunnerOptions {
  /** Model id for error messages. */
  readonly id: string;
  /** Graph outputs to fetch. */
  readonly fetches: readonly string[];
  /** Token id used for padding. */
  readonly padId: number;
  /** Sequences per `session.run` (at least 1). */
  readonly batchSize: number;
  /** onnxruntime intra-op threads (0 or absent: onnxruntime's choice). */
  readonly threads?: number;
  /**
   * Position ids of a graph that takes them: `padding_idx + 1 + i` for RoBERTa-family models
   * (their position table reserves the rows up to the padding index), else `i`.
   */
  readonly positionOffset?: number;
  /** The model's longest sequence (special tokens included): a longer one is never handed to onnxruntime. */
  readonly maxLength?: number;
}

/**
 * Opens an onnxruntime session with sensebench's settings; throws {@link InputError} naming the
 * file. `prepackWeights`: see ModelOptions.prepackWeights (src/types.ts).
 */
export async function openSession(onnxPath: string, threads: number | undefined, prepackWeights = true): Promise<ort.InferenceSession> {
  try {
    return await ort.InferenceSession.create(onnxPath, {
      intraOpNumThreads: threads ?? 0,
      interOpNumThreads: 1,
      executionMode: 'sequential',
      graphOptimizationLevel: 'all',
      ...(prepackWeights ? {} : { extra: { session: { disable_prepacking: '1' } } }),
    });
  } catch (error) {
    throw new InputError(`onnxruntime cannot load the model: ${(error as Error).message}`, { file: onnxPath, line: 1 });
  }
}

/** True when the platform stores integers low byte first (every platform onnxruntime-node ships for). */
const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/**
 * `values` (token ids, masks, positions) as int64: on a little-endian platform each value is the
 * low word of its int64 and the high word its sign, written through an int32 view of the int64
 * buffer without a BigInt per value.
 */
function widen(values: Int32Array | Uint8Array): BigInt64Array {
  const wide = new BigInt64Array(values.length);
  if (LITTLE_ENDIAN) {
    const words = new Int32Array(wide.buffer);
    for (let i = 0; i < values.length; i++) {
      const value = values[i]!;
      words[2 * i] = value;
      if (value < 0) words[2 * i + 1] = -1;
    }
  } else {
    for (let i = 0; i < values.length; i++) wide[i] = BigInt(values[i]!);
  }
  return wide;
}

/** See the file comment. */
export class OnnxRunner {
  /** Number of `session.run` calls so far (tests and benchmarks read it). */
  sessionRuns = 0;
  /** Number of token sequences sent through the model so far. */
  sequencesEncoded = 0;

  private readonly inputNames: readonly string[];
  /** Inputs the graph declares as int32 (the rest are fed as int64). */
  private readonly int32Inputs: ReadonlySet<string>;
  readonly hasAttentionMask: boolean;

  constructor(
    readonly session: ort.InferenceSession,
    readonly options: OnnxRunnerOptions,
  ) {
    // Read once: the session's metadata getters cross into native code on every access, and the
    // batch loop would otherwise pay that per batch (it showed at batch size 1).
    this.inputNames = [...session.inputNames];
    this.hasAttentionMask = this.inputNames.includes('attention_mask');
    this.int32Inputs = new Set(session.inputMetadata.filter((m) => m.isTensor && m.type === 'int32').map((m) => m.name));
    if (!this.inputNames.includes('input_ids')) throw new InputError(`${options.id}: the graph has no input_ids input (inputs: ${this.inputNames.join(', ')})`);
    for (const name of this.inputNames) {
      if (!['input_ids', 'attention_mask', 'token_type_ids', 'position_ids'].includes(name)) {
        throw new InputError(`${options.id}: the graph needs an input ${JSON.stringify(name)} that sensebench cannot feed (supported: input_ids, attention_mask, token_type_ids, position_ids)`);
      }
    }
  }

  /** Opens `onnxPath` and wraps it. */
  static async open(onnxPath: string, options: OnnxRunnerOptions): Promise<OnnxRunner> {
    const session = await openSession(onnxPath, options.threads);
    try {
      return new OnnxRunner(session, options);
    } catch (error) {
      await session.release();
      throw error;
    }
  }

  get outputNames(): readonly string[] {
    return this.session.outputNames;
  }

  /** Pads `sequences` to one length and builds the feeds the graph declares. */
  prepareBatch(sequences: readonly (readonly number[])[]): PreparedBatch {
    const rows = sequences.length;
    let tokens = 0;
    for (const sequence of sequences) tokens = Math.max(tokens, sequence.length);
    // Callers window long sentences (alignment.ts windowAround); a longer sequence here is a bug, stopped before native code sees it.
    if (this.options.maxLength !== undefined && tokens > this.options.maxLength) {
      throw new Error(`${this.options.id}: a sequence of ${tokens} tokens is longer than the model's limit of ${this.options.maxLength}; it was not windowed`);
    }
    const size = rows * tokens;
    // Ids and mask are written as int32 and widened once to the int64 the graph usually takes (a
    // BigInt per token cost more than the rest of the batch's preparation).
    const ids = new Int32Array(size).fill(this.options.padId);
    const mask = new Uint8Array(size);
    sequences.forEach((sequence, row) => {
      ids.set(sequence, row * tokens);
      mask.fill(1, row * tokens, row * tokens + sequence.length);
    });
    const masks = sequences.map((_, row) => mask.subarray(row * tokens, (row + 1) * tokens));
    const feeds: Record<string, ort.Tensor> = {};
    const tensor = (name: string, data: Int32Array | Uint8Array): ort.Tensor => {
      if (this.int32Inputs.has(name)) return new ort.Tensor('int32', data instanceof Int32Array ? data : Int32Array.from(data), [rows, tokens]);
      return new ort.Tensor('int64', widen(data), [rows, tokens]);
    };
    for (const name of this.inputNames) {
      if (name === 'input_ids') feeds[name] = tensor(name, ids);
      else if (name === 'attention_mask') feeds[name] = tensor(name, mask);
      else if (name === 'token_type_ids') feeds[name] = tensor(name, new Int32Array(size));
      else feeds[name] = tensor(name, Int32Array.from({ length: size }, (_, i) => (this.options.positionOffset ?? 0) + (i % tokens)));
    }
    return { feeds, rows, tokens, masks };
  }

  /** Runs one prepared batch, fetching only the configured outputs. */
  async run(batch: PreparedBatch): Promise<ort.InferenceSession.OnnxValueMapType> {
    this.sessionRuns++;
    this.sequencesEncoded += batch.rows;
    return this.session.run(batch.feeds, this.options.fetches as string[]);
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
      if (current && current.length < this.options.batchSize && (this.hasAttentionMask || lengths[current[0]!] === lengths[index])) current.push(index);
      else batches.push([index]);
    }
    return batches;
  }

  async release(): Promise<void> {
    await this.session.release();
  }
}
