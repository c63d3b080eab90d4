/**
 * Starts worker threads on sensebench's own modules (the analysis pool, the second onnxruntime
 * session of a transformer): the compiled file (`dist/`) when sensebench runs compiled, or the
 * TypeScript source through tsx when it runs from the sources, as the tests do.
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
