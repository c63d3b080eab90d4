/**
 * Starts worker threads on sensebench's own modules (the analysis pool, the second onnxruntime
 * session of a transformer): the compiled file (`dist/`) when sensebench runs compiled, or the
 * TypeScript source through tsx when it runs from the sources, as the tests do. Their errors cross
 * back as plain {@link ThreadError}s (an Error does not survive postMessage as itself).
 */
import { fileURLToPath } from 'node:url';
import { Worker, type WorkerOptions } from 'node:worker_threads';

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
