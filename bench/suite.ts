/**
 * One throughput suite on its own, as `npm run bench` runs it, printing its rows: for measuring a
 * change without the whole job. The suites are called with the main job's arguments (the lesson
 * dataset's sentences and tokens, the cache directory).
 *
 * Usage: `node dist/bench/suite.js SUITE...` with SUITE one of the names below
 * (SENSEBENCH_CACHE as for sensebench; the caches are built when missing).
 */
import { cacheDir as defaultCacheDir } from '../src/config.js';
import { loadDataset } from '../src/datasets/index.js';
import { loadGlove100d } from '../src/models/glove-cache.js';
import { prepareMinilm } from '../src/models/minilm/index.js';
import { prepareUseLite } from '../src/models/use-lite/convert.js';
import type { ThroughputRow } from '../src/results/schema.js';
import { benchColdStartFromLeanProcess } from './cold-start.js';
import { runContextualBench } from './contextual.js';
import { benchStaticLoad, benchStaticLookups } from './static.js';

const log = (message: string): void => {
  process.stderr.write(`${message}\n`);
};

async function lessonPairs() {
  return [...(await loadDataset('lesson')).splits.values()].flat();
}

async function lessonSentences(): Promise<string[]> {
  return (await lessonPairs()).flatMap((pair) => [pair.sentence1, pair.sentence2]);
}

/** Each suite with the arguments bench/main.ts gives it. */
const SUITES: Readonly<Record<string, (cacheDir: string) => Promise<readonly ThroughputRow[]>>> = {
  'static-lookup': async (cacheDir) => benchStaticLookups((await loadGlove100d(cacheDir, log)).model.vectors, await lessonPairs()),
  'static-load': (cacheDir) => benchStaticLoad(cacheDir),
  'onnx-batch-use-lite': async (cacheDir) =>
    runContextualBench({ cacheDir, modelDir: (await prepareUseLite(cacheDir)).dir, modelId: 'use-lite', sentences: await lessonSentences(), rounds: 3, timeMs: 700 }),
  'onnx-batch-minilm': async (cacheDir) =>
    runContextualBench({ cacheDir, modelDir: (await prepareMinilm(cacheDir)).dir, modelId: 'minilm', sentences: await lessonSentences(), rounds: 3, timeMs: 700 }),
  'cold-start': (cacheDir) => benchColdStartFromLeanProcess({ cacheDir, log, requireRounds: 0 }),
};

if (import.meta.url === `file://${process.argv[1] ?? ''}`) {
  const names = process.argv.slice(2);
  const unknown = names.filter((name) => !(name in SUITES));
  if (names.length === 0 || unknown.length > 0) {
    log(`usage: node dist/bench/suite.js SUITE... (suites: ${Object.keys(SUITES).join(', ')})`);
    process.exit(2);
  }
  const cacheDir = defaultCacheDir();
  for (const name of names) {
    log(`bench: ${name}`);
    for (const row of await SUITES[name]!(cacheDir)) {
      const ratio = row.ratio === null ? '' : ` ratio ${row.ratio.toFixed(3)}${row.goal === null ? '' : ` (goal ${row.goal})`}`;
      process.stdout.write(`${row.group}\t${row.subject}\t${row.value.toFixed(1)} ${row.unit}\tvs ${row.baseline} ${row.baselineValue?.toFixed(1) ?? ''}\t${ratio}\n`);
    }
  }
}
