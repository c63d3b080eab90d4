/**
 * Worker threads for the per-representation analyses (src/pipeline/analysis-tasks.ts): a model's
 * representations are independent, so their probes and contextuality measures run side by side,
 * one per core, while the main thread goes on with the corrections and cosines. Each task is the
 * same pure function on the same values wherever it runs, so results do not depend on the number
 * of threads (test/analysis-pool.test.ts compares a pooled run with an inline one, byte for byte).
 *
 * Workers start on the first task (or at {@link AnalysisPool.start}) and end with {@link AnalysisPool.close}; a pool of size 0 runs
 * every task inline, on the calling thread.
 */
import { availableParallelism } from 'node:os';
import type { Worker } from 'node:worker_threads';
import { closeWorker, rebuiltError, startModuleWorker, type ThreadError } from '../worker-threads.js';
import { runAnalysisTask, type AnalysisOutcome, type AnalysisTask } from './analysis-tasks.js';

/** What a worker sends back for one task. */
export type WorkerReply = { readonly id: number; readonly outcome: unknown } | { readonly id: number; readonly error: ThreadError };

interface Pending {
  readonly resolve: (outcome: unknown) => void;
  readonly reject: (error: Error) => void;
}

/** The buffers of arrays made for one task, to list in {@link AnalysisPool.run}'s `transfer` (each once). */
export function buffersOf(...arrays: readonly ArrayBufferView[]): ArrayBuffer[] {
  const buffers = new Set<ArrayBuffer>();
  for (const array of arrays) if (array.buffer instanceof ArrayBuffer) buffers.add(array.buffer);
  return [...buffers];
}

export class AnalysisPool {
  private readonly workers: Worker[] = [];
  private readonly idle: Worker[] = [];
  private readonly queue: { readonly task: AnalysisTask; readonly transfer: readonly ArrayBuffer[]; readonly pending: Pending; readonly urgent: boolean }[] = [];
  private readonly running = new Map<Worker, Pending>();
  private nextId = 0;
  private closed = false;

  /** `size` worker threads (default: one per core, at least one; 0: run every task inline). */
  constructor(readonly size: number = Math.max(1, availableParallelism())) {
    if (!Number.isSafeInteger(size) || size < 0) throw new RangeError(`AnalysisPool: size must be a non-negative integer, got ${size}`);
  }

  /**
   * Runs a task and resolves with its outcome. The task is copied to the worker, never changed,
   * except for the buffers listed in `transfer`: those move to the worker (no copy) and are
   * unusable here afterwards, so list only buffers made for this task (packed vectors, sliced
   * columns). Run inline, nothing moves. An `urgent` task goes ahead of every task that is not
   * (after the urgent ones already waiting): one whose inputs the main thread holds in memory
   * until it is done, or whose outcome other tasks wait for.
   */
  run<T extends AnalysisTask>(task: T, transfer: readonly ArrayBuffer[] = [], { urgent = false }: { readonly urgent?: boolean } = {}): Promise<AnalysisOutcome<T>> {
    if (this.closed) return Promise.reject(new Error('AnalysisPool: closed'));
    if (this.size === 0) {
      try {
        return Promise.resolve(runAnalysisTask(task));
      } catch (error) {
        return Promise.reject(error instanceof Error ? error : new Error(String(error)));
      }
    }
    return new Promise<AnalysisOutcome<T>>((resolve, reject) => {
      const entry = { task, transfer, pending: { resolve: resolve as (outcome: unknown) => void, reject }, urgent };
      const firstOrdinary = urgent ? this.queue.findIndex((waiting) => !waiting.urgent) : -1;
      if (firstOrdinary < 0) this.queue.push(entry);
      else this.queue.splice(firstOrdinary, 0, entry);
      this.dispatch();
    });
  }

  /**
   * Starts every worker now, idle, so that each loads its modules while the caller goes on (a run
   * loads and embeds its first model meanwhile), rather than when the first tasks arrive.
   */
  start(): void {
    while (!this.closed && this.workers.length < this.size) {
      const worker = this.spawn();
      // An idle worker does not keep the process alive.
      worker.unref();
      this.idle.push(worker);
    }
  }

  private dispatch(): void {
    while (this.queue.length > 0) {
      let worker = this.idle.pop();
      if (worker === undefined && this.workers.length < this.size) worker = this.spawn();
      if (worker === undefined) return;
      const { task, transfer, pending } = this.queue.shift()!;
      try {
        // Copied but for the buffers the caller made for this task alone (a model may hand out
        // views into blocks it still holds, which must stay usable).
        worker.postMessage({ id: this.nextId++, task }, [...transfer]);
      } catch (error) {
        // A task that cannot be sent fails alone; the worker stays free.
        this.idle.push(worker);
        pending.reject(error instanceof Error ? error : new Error(String(error)));
        continue;
      }
      this.running.set(worker, pending);
      worker.ref();
    }
  }

  private spawn(): Worker {
    const worker = startModuleWorker(new URL('./analysis-worker.js', import.meta.url));
    this.workers.push(worker);
    worker.on('message', (reply: WorkerReply) => {
      const pending = this.running.get(worker);
      this.running.delete(worker);
      // An idle worker does not keep the process alive.
      worker.unref();
      this.idle.push(worker);
      if (pending !== undefined) {
        if ('error' in reply) pending.reject(rebuiltError(reply.error));
        else pending.resolve(reply.outcome);
      }
      this.dispatch();
    });
    worker.on('error', (error) => {
      this.fail(worker, error);
    });
    worker.on('messageerror', (error) => {
      this.fail(worker, error);
    });
    worker.on('exit', (code) => {
      if (!this.closed) this.fail(worker, new Error(`analysis worker exited with code ${code}`));
    });
    return worker;
  }

  /** A worker that died takes its task with it; the others go on. */
  private fail(worker: Worker, error: Error): void {
    const pending = this.running.get(worker);
    this.running.delete(worker);
    const index = this.workers.indexOf(worker);
    if (index >= 0) this.workers.splice(index, 1);
    const idle = this.idle.indexOf(worker);
    if (idle >= 0) this.idle.splice(idle, 1);
    pending?.reject(error);
    this.dispatch();
  }

  /**
   * Ends every worker (an idle one finishes on its own, see closeWorker; one still running a task
   * is terminated); tasks still queued are refused.
   */
  async close(): Promise<void> {
    this.closed = true;
    for (const { pending } of this.queue.splice(0)) pending.reject(new Error('AnalysisPool: closed'));
    await Promise.all(this.workers.map((worker) => closeWorker(worker, this.running.has(worker))));
    this.workers.length = 0;
    this.idle.length = 0;
  }
}
