/**
 * The ONNX session side of a transformer model, shared by {@link OnnxEmbeddingModel} and the
 * benchmarks (which compare the harness with a bare `session.run` loop over the very batches the
 * runner builds): opening the session, padding token sequences into the feeds the graph declares,
 * grouping sequences into batches, and running a batch for the outputs the representations read.
 */
import { availableParallelism } from 'node:os';
import type { Worker } from 'node:worker_threads';
import * as ort from 'onnxruntime-node';
import { InputError } from '../types.js';
import { closeWorker, rebuiltError, startModuleWorker, threadError, type ThreadError } from '../worker-threads.js';

/** A padded batch of token id sequences ready for `session.run`. */
export interface PreparedBatch {
  readonly feeds: Record<string, ort.Tensor>;
  readonly rows: number;
  readonly tokens: number;
  /** Attention mask per row (1 = token, 0 = padding). */
  readonly masks: readonly Uint8Array[];
}

/** Options of an {@link OnnxRunner}. */
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
  /**
   * Throws when an open session's graph does not fit the model's description (the outputs its
   * config.json names); run on the first session as it opens, before the runner's own checks.
   */
  readonly checkGraph?: (session: ort.InferenceSession) => void;
  /** The model's longest sequence (special tokens included): a longer one is never handed to onnxruntime. */
  readonly maxLength?: number;
  /**
   * onnxruntime sessions that run batches side by side (default 1): the first on the calling
   * thread, each further one in a worker thread of its own ({@link SessionLane}), opened on
   * `onnxPath` when a call first has batches for it. Each session computes a batch exactly as
   * the first does: the vectors do not depend on which session ran them.
   */
  readonly sessions?: number;
  /** The graph the further sessions open, and the first when the runner opens it (required then and when `sessions` > 1). */
  readonly onnxPath?: string;
  /** Weight prepacking of the sessions the runner opens (see {@link openSession}); default true. */
  readonly prepackWeights?: boolean;
}

/** A tensor as it crosses to and from a {@link SessionLane}'s thread. */
export interface PlainTensor {
  readonly type: string;
  readonly data: ArrayBufferView;
  readonly dims: readonly number[];
}

/** Tensors by name as postMessage copies (or moves) them; each side of a lane sends with this. */
export function plainTensors(tensors: Readonly<Record<string, ort.Tensor>>): Record<string, PlainTensor> {
  const plain: Record<string, PlainTensor> = {};
  for (const [name, { type, data, dims }] of Object.entries(tensors)) plain[name] = { type, data: data as ArrayBufferView, dims };
  return plain;
}

/** The tensors again, on the receiving side of a lane. */
export function ortTensors(plain: Readonly<Record<string, PlainTensor>>): Record<string, ort.Tensor> {
  const tensors: Record<string, ort.Tensor> = {};
  for (const [name, { type, data, dims }] of Object.entries(plain)) tensors[name] = new ort.Tensor(type as ort.Tensor.Type, data as ort.Tensor.DataType, dims);
  return tensors;
}

/** What a {@link SessionLane}'s worker (src/models/onnx-session-worker.ts) is started with. */
export interface LaneStart {
  readonly onnxPath: string;
  readonly threads: number | undefined;
  readonly prepackWeights: boolean;
  readonly fetches: readonly string[];
}

/** One batch for a {@link SessionLane}. */
export interface LaneRequest {
  readonly id: number;
  readonly feeds: Readonly<Record<string, PlainTensor>>;
}

/** A {@link SessionLane}'s worker's messages: whether its session opened, then one reply per batch. */
export type LaneReply =
  | { readonly ready: true }
  | { readonly ready: false; readonly error: ThreadError }
  | { readonly id: number; readonly outputs: Readonly<Record<string, PlainTensor>> }
  | { readonly id: number; readonly error: ThreadError };

/**
 * A further onnxruntime session of a model, in a worker thread of its own: `session.run` blocks
 * the thread that calls it, so two batches run at once only on two threads (on 2 cores, two
 * single-threaded sessions embedded minilm's batches 1.9-2.0x as fast as one; one session with two
 * intra-op threads was slower than with one, see the README). Batches are queued in the worker, so
 * it starts the next as soon as one ends; the outputs' buffers come back moved, not copied.
 */
class SessionLane {
  private readonly worker: Worker;
  private readonly pending = new Map<number, { resolve: (outputs: ort.InferenceSession.OnnxValueMapType) => void; reject: (error: Error) => void }>();
  private nextId = 0;
  private failure: Error | null = null;
  /** Resolves once the session is open; rejects when it cannot be. */
  readonly ready: Promise<void>;
  /** What every error of this lane starts with. */
  private readonly prefix: string;

  constructor(
    private readonly id: string,
    start: LaneStart,
  ) {
    this.prefix = `${id}: onnxruntime session in a worker thread: `;
    this.worker = startModuleWorker(new URL('./onnx-session-worker.js', import.meta.url), { workerData: start });
    // An idle lane does not keep the process alive; a batch in flight does (see run).
    this.worker.unref();
    let opened: () => void = () => undefined;
    let refused: (error: Error) => void = () => undefined;
    this.ready = new Promise<void>((resolve, reject) => {
      opened = resolve;
      refused = reject;
    });
    this.ready.catch(() => undefined);
    // The run fails rather than going on with fewer sessions than asked: a machine that cannot open
    // a second session is told how to run with one. The worker reports a failed opening and then
    // throws it, and either may arrive first: both say the same.
    let isOpen = false;
    const failure = (error: ThreadError): Error =>
      rebuiltError(isOpen ? error : { ...error, message: `${error.message} (--sessions 1 runs with the first session alone)` }, this.prefix);
    this.worker.on('message', (reply: LaneReply) => {
      if ('ready' in reply) {
        if (reply.ready) {
          isOpen = true;
          opened();
        } else this.fail(failure(reply.error), refused);
        return;
      }
      const waiting = this.pending.get(reply.id);
      this.pending.delete(reply.id);
      if (this.pending.size === 0) this.worker.unref();
      if (waiting === undefined) return;
      if ('error' in reply) waiting.reject(rebuiltError(reply.error, this.prefix));
      else waiting.resolve(ortTensors(reply.outputs));
    });
    this.worker.on('error', (error) => {
      this.fail(failure(threadError(error)), refused);
    });
    this.worker.on('exit', (code) => {
      this.fail(failure({ name: 'Error', message: `the worker exited with code ${code}` }), refused);
    });
  }

  /** Every batch in flight (and the opening, if pending) fails with `error`; later runs too. */
  private fail(error: Error, refused: (error: Error) => void): void {
    this.failure ??= error;
    refused(error);
    for (const waiting of this.pending.values()) waiting.reject(error);
    this.pending.clear();
  }

  run(batch: PreparedBatch): Promise<ort.InferenceSession.OnnxValueMapType> {
    if (this.failure !== null) return Promise.reject(this.failure);
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.worker.ref();
      this.worker.postMessage({ id, feeds: plainTensors(batch.feeds) } satisfies LaneRequest);
    });
  }

  /** Releases the session and ends the worker (on its own when no batch is in flight: see closeWorker). */
  async release(): Promise<void> {
    this.failure ??= new Error(`${this.id}: onnxruntime session released`);
    await closeWorker(this.worker, this.pending.size > 0);
  }
}

/**
 * Sessions per model and intra-op threads per session: by default one session per core, at most
 * two, each with an equal share of the cores (on 2 cores, two single-threaded sessions embedded
 * minilm's batches 1.9-2.0x as fast as one; one session with two intra-op threads was slower than
 * with one). An explicit `threads` is taken as given; one session alone keeps onnxruntime's choice.
 * The vectors are the same whatever the settings (the same bits at 0, 1 and 2 threads, checked on
 * minilm and use-lite).
 */
export function sessionSettings(sessions: number | undefined, threads: number | undefined): { readonly sessions: number; readonly threads: number | undefined } {
  const cores = availableParallelism();
  const count = sessions ?? Math.min(2, cores);
  if (!Number.isSafeInteger(count) || count < 1) throw new RangeError(`sessions must be a positive integer, got ${count}`);
  return { sessions: count, threads: threads ?? (count > 1 ? Math.max(1, Math.floor(cores / count)) : undefined) };
}

/**
 * Opens an onnxruntime session with sensebench's settings; throws {@link InputError} naming the
 * file (and the model `id`, when given). `prepackWeights`: see ModelOptions.prepackWeights (src/types.ts).
 */
export async function openSession(onnxPath: string, threads: number | undefined, prepackWeights = true, id?: string): Promise<ort.InferenceSession> {
  try {
    return await ort.InferenceSession.create(onnxPath, {
      intraOpNumThreads: threads ?? 0,
      interOpNumThreads: 1,
      executionMode: 'sequential',
      graphOptimizationLevel: 'all',
      ...(prepackWeights ? {} : { extra: { session: { disable_prepacking: '1' } } }),
    });
  } catch (error) {
    throw new InputError(`onnxruntime cannot load the model${id === undefined ? '' : ` ${id}`}: ${(error as Error).message}`, { file: onnxPath, line: 1 });
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

/** What the runner reads from its first session once it is open. */
interface OpenGraph {
  readonly session: ort.InferenceSession;
  readonly inputNames: readonly string[];
  /** Inputs the graph declares as int32 (the rest are fed as int64). */
  readonly int32Inputs: ReadonlySet<string>;
  readonly hasAttentionMask: boolean;
}

/**
 * Checks an open session against what the runner feeds (input_ids and the inputs it can build)
 * and against `options.checkGraph`, and reads what the batch loop needs. Read once: the session's
 * metadata getters cross into native code on every access, and the batch loop would otherwise pay
 * that per batch (it showed at batch size 1).
 */
function adoptSession(session: ort.InferenceSession, options: OnnxRunnerOptions): OpenGraph {
  options.checkGraph?.(session);
  const inputNames = [...session.inputNames];
  if (!inputNames.includes('input_ids')) throw new InputError(`${options.id}: the graph has no input_ids input (inputs: ${inputNames.join(', ')})`);
  for (const name of inputNames) {
    if (!['input_ids', 'attention_mask', 'token_type_ids', 'position_ids'].includes(name)) {
      throw new InputError(`${options.id}: the graph needs an input ${JSON.stringify(name)} that sensebench cannot feed (supported: input_ids, attention_mask, token_type_ids, position_ids)`);
    }
  }
  return {
    session,
    inputNames,
    int32Inputs: new Set(session.inputMetadata.filter((m) => m.isTensor && m.type === 'int32').map((m) => m.name)),
    hasAttentionMask: inputNames.includes('attention_mask'),
  };
}

/**
 * See the file comment. The first session is either handed over open (checked at once, so a
 * user's model directory is reported at load) or opened from `options.onnxPath` on first need
 * ({@link open}: the first `runBatches`, `openSessions`, or a caller that needs the graph), so a
 * run that finds every embedding in the cache never opens it. What needs the open graph
 * ({@link session}, {@link prepareBatch}, {@link batchPlan}) is called after {@link open}.
 */
export class OnnxRunner {
  /** Number of `session.run` calls so far (tests and benchmarks read it). */
  sessionRuns = 0;
  /** Number of token sequences sent through the model so far. */
  sequencesEncoded = 0;
  /** Of {@link sessionRuns}, those run by the further sessions in worker threads. */
  furtherSessionRuns = 0;
  /** The further sessions ({@link OnnxRunnerOptions.sessions}), opened on first use. */
  private lanes: SessionLane[] | null = null;
  /** The first session's opening, once asked for (memoised: every caller awaits the same one). */
  private opening: Promise<OpenGraph> | null = null;
  /** The first session, once open and checked. */
  private graph: OpenGraph | null = null;
  private released = false;

  /** `session`: the first session, already open; undefined: open `options.onnxPath` on first need. */
  constructor(
    session: ort.InferenceSession | undefined,
    readonly options: OnnxRunnerOptions,
  ) {
    if (session !== undefined) {
      this.graph = adoptSession(session, options);
      this.opening = Promise.resolve(this.graph);
    } else if (options.onnxPath === undefined) throw new Error(`${options.id}: a runner without an open session needs the graph's path`);
  }

  /** Whether the first session was opened or asked to open (a run answered from the cache leaves it false). */
  get sessionOpened(): boolean {
    return this.opening !== null;
  }

  /**
   * The first session, opened and checked on the first call; rejects with an {@link InputError}
   * naming the model and the graph file when onnxruntime cannot open it or the graph does not fit.
   */
  async open(): Promise<ort.InferenceSession> {
    this.opening ??= this.openFirst();
    return (await this.opening).session;
  }

  private async openFirst(): Promise<OpenGraph> {
    if (this.released) throw new Error(`${this.options.id}: onnxruntime session released`);
    const session = await openSession(this.options.onnxPath!, this.options.threads, this.options.prepackWeights ?? true, this.options.id);
    try {
      this.graph = adoptSession(session, this.options);
      return this.graph;
    } catch (error) {
      await session.release();
      throw error;
    }
  }

  /** The open graph; a caller that did not await {@link open} first is a bug. */
  private get opened(): OpenGraph {
    if (this.graph === null) throw new Error(`${this.options.id}: the onnxruntime session is not open (await runner.open() first)`);
    return this.graph;
  }

  /** The first session (after {@link open}). */
  get session(): ort.InferenceSession {
    return this.opened.session;
  }

  /** Whether the graph takes an attention mask (after {@link open}). */
  get hasAttentionMask(): boolean {
    return this.opened.hasAttentionMask;
  }

  get outputNames(): readonly string[] {
    return this.opened.session.outputNames;
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
    const { inputNames, int32Inputs } = this.opened;
    const feeds: Record<string, ort.Tensor> = {};
    const tensor = (name: string, data: Int32Array | Uint8Array): ort.Tensor => {
      if (int32Inputs.has(name)) return new ort.Tensor('int32', data instanceof Int32Array ? data : Int32Array.from(data), [rows, tokens]);
      return new ort.Tensor('int64', widen(data), [rows, tokens]);
    };
    for (const name of inputNames) {
      if (name === 'input_ids') feeds[name] = tensor(name, ids);
      else if (name === 'attention_mask') feeds[name] = tensor(name, mask);
      else if (name === 'token_type_ids') feeds[name] = tensor(name, new Int32Array(size));
      else feeds[name] = tensor(name, Int32Array.from({ length: size }, (_, i) => (this.options.positionOffset ?? 0) + (i % tokens)));
    }
    return { feeds, rows, tokens, masks };
  }

  /**
   * Runs every batch and hands each one's outputs to `use` with its index, as soon as they are
   * there: on the calling thread's session and, with more than one batch, on the further sessions
   * ({@link OnnxRunnerOptions.sessions}) side by side. Batches go to whichever session is free, so
   * `use` sees them in no fixed order; what it makes of a batch must depend on the batch alone.
   */
  async runBatches(batches: readonly PreparedBatch[], use: (index: number, outputs: ort.InferenceSession.OnnxValueMapType) => void): Promise<void> {
    // The first session opens before the further ones.
    const session = await this.open();
    let next = 0;
    // The next batch not yet taken by a session, counted as run.
    const take = (): { index: number; batch: PreparedBatch } => {
      const index = next++;
      const batch = batches[index]!;
      this.sessionRuns++;
      this.sequencesEncoded += batch.rows;
      return { index, batch };
    };
    const here = async (): Promise<void> => {
      while (next < batches.length) {
        const { index, batch } = take();
        use(index, await session.run(batch.feeds, this.options.fetches as string[]));
      }
    };
    const lanes = batches.length > 1 ? this.sessionLanes() : [];
    const hereDone = here();
    // A lane keeps two batches queued in its worker, so that it never waits for this thread
    // (busy with its own session.run) to send the next. A lane still opening when this thread has
    // taken every batch is not waited for: its session serves the next call (or that call reports
    // why it could not open).
    const laneLoop = async (lane: SessionLane): Promise<void> => {
      await Promise.race([lane.ready, hereDone]);
      const inFlight: Promise<void>[] = [];
      const send = (): void => {
        const { index, batch } = take();
        this.furtherSessionRuns++;
        const done = lane.run(batch).then((outputs) => {
          use(index, outputs);
        });
        // Awaited in turn below; a second failure while the first is thrown stays handled.
        done.catch(() => undefined);
        inFlight.push(done);
      };
      while (inFlight.length < 2 && next < batches.length) send();
      while (inFlight.length > 0) {
        await inFlight.shift();
        if (next < batches.length) send();
      }
    };
    await Promise.all([hereDone, ...lanes.map(laneLoop)]);
  }

  /**
   * Opens the first session and then the further ones now (a call of several batches opens them
   * on first use) and resolves once they are open; rejects, naming the model, when one cannot be.
   */
  async openSessions(): Promise<void> {
    await this.open();
    await Promise.all(this.sessionLanes().map((lane) => lane.ready));
  }

  private sessionLanes(): SessionLane[] {
    if (this.lanes !== null) return this.lanes;
    const further = (this.options.sessions ?? 1) - 1;
    if (further > 0 && this.options.onnxPath === undefined) throw new Error(`${this.options.id}: ${further + 1} sessions need the graph's path`);
    this.lanes = Array.from({ length: Math.max(0, further) }, () => new SessionLane(this.options.id, { onnxPath: this.options.onnxPath!, threads: this.options.threads, prepackWeights: this.options.prepackWeights ?? true, fetches: this.options.fetches }));
    return this.lanes;
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

  /** Releases every session (once; later calls do nothing): a first session never opened stays unopened, one still opening is released once open. */
  async release(): Promise<void> {
    if (this.released) return;
    this.released = true;
    await Promise.all((this.lanes ?? []).map((lane) => lane.release()));
    // A failed opening was reported to the call that needed it and left nothing to release.
    const graph = await this.opening?.catch(() => null);
    await graph?.session.release();
  }
}
