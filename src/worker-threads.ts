/**
 * Starts worker threads on sensebench's own modules (the analysis pool, the second onnxruntime
 * session of a transformer): the compiled file (`dist/`) when sensebench runs compiled, or the
 * TypeScript source through tsx when it runs from the sources, as the tests do. Their errors cross
 * back as plain {@link ThreadError}s (an Error does not survive postMessage as itself).
 */
import { once } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { Worker, type MessagePort, type WorkerOptions } from 'node:worker_threads';

/** A worker on `compiled` (a `.js` URL beside the caller), or on its `.ts` source through tsx. */
export function startModuleWorker(compiled: URL, options: WorkerOptions = {}): Worker {
  if (fileURLToPath(import.meta.url).endsWith('.js')) return new Worker(compiled, options);
  const source = fileURLToPath(compiled).replace(/\.js$/, '.ts');
  const code = `import('tsx/esm/api').then(({ tsImport }) => tsImport(${JSON.stringify(source)}, ${JSON.stringify(import.meta.url)}))`;
  return new Worker(code, { ...options, eval: true });
}

/** An error as it crosses from a worker thread: what postMessage can copy. */
export interface ThreadError {
  readonly name: string;
  readonly message: string;
  readonly stack?: string;
}

/** `error` (anything thrown) as a {@link ThreadError}, in the worker. */
export function threadError(error: unknown): ThreadError {
  const failure = error instanceof Error ? error : new Error(String(error));
  return { name: failure.name, message: failure.message, ...(failure.stack === undefined ? {} : { stack: failure.stack }) };
}

/** The error again, on the thread that receives it: its kind kept where it is a RangeError or TypeError, its message after `prefix`. */
export function rebuiltError(error: ThreadError, prefix = ''): Error {
  const Kind = error.name === 'RangeError' ? RangeError : error.name === 'TypeError' ? TypeError : Error;
  const rebuilt = new Kind(`${prefix}${error.message}`);
  if (Kind === Error && error.name !== 'Error') rebuilt.name = error.name;
  if (error.stack !== undefined) rebuilt.stack = error.stack;
  return rebuilt;
}

/** The message that asks a worker of sensebench's to finish ({@link closeWorker}, {@link finishOnRequest}). */
export interface CloseRequest {
  readonly close: true;
}

export function isCloseRequest(message: unknown): message is CloseRequest {
  return typeof message === 'object' && message !== null && (message as Partial<CloseRequest>).close === true;
}

/** How long {@link closeWorker} lets an idle worker finish on its own before terminating it. */
export const CLOSE_GRACE_MS = 10_000;

/**
 * Ends a worker by letting it finish on its own: it is sent a {@link CloseRequest}, tidies up and
 * closes its port ({@link finishOnRequest}), and its event loop ends. Node then drains the thread's
 * background tasks, V8's concurrent compile jobs among them, before it tears the isolate down;
 * `terminate()` does not wait for them, and a compile job that outlived its isolate aborted two
 * bench jobs (Node 20: "Assertion failed: (data.first) != nullptr" in NodePlatform::ForIsolate, from
 * a TurboFan job on a background thread). A worker still running a task (`busy`), or not gone
 * after {@link CLOSE_GRACE_MS}, is terminated.
 */
export async function closeWorker(worker: Worker, busy = false): Promise<void> {
  if (worker.threadId < 0) return;
  const exited = once(worker, 'exit').then(() => true, () => true);
  if (!busy) {
    try {
      worker.postMessage({ close: true } satisfies CloseRequest);
    } catch {
      busy = true;
    }
  }
  if (!busy) {
    const timer = new AbortController();
    const gone = await Promise.race([exited, sleep(CLOSE_GRACE_MS, false, { signal: timer.signal }).catch(() => false)]);
    timer.abort();
    if (gone) return;
  }
  await worker.terminate();
}

/**
 * The worker's side of {@link closeWorker}: `handle` gets every other message; a close request runs
 * `tidy` (say, releasing a session), then closes the port, so that nothing keeps the thread alive.
 */
export function finishOnRequest(port: MessagePort, handle: (message: never) => void, tidy: () => Promise<void> | void = () => undefined): void {
  port.on('message', (message: unknown) => {
    if (!isCloseRequest(message)) {
      handle(message as never);
      return;
    }
    void (async () => {
      try {
        await tidy();
      } finally {
        port.close();
      }
    })();
  });
}
