/**
 * Contextual-model throughput: the harness (`EmbeddingModel.embed`: tokenization, target
 * alignment, de-duplication, batching, pooling) against a bare `session.run` loop over the same
 * pre-tokenized, pre-padded batches, measured interleaved in the same run, at several batch sizes.
 * The harness is measured twice: as a run uses it (its sessions side by side, two on 2 cores) and
 * with its one session alone, like for like with the bare loop (what the harness adds around
 * `session.run`).
 */
import { targetTokens, windowAround } from '../src/models/alignment.js';
import { OnnxEmbeddingModel, loadOnnxParts, type OnnxModelParts } from '../src/models/onnx-model.js';
import { OnnxRunner, type PreparedBatch } from '../src/models/onnx-runner.js';
import type { TargetOccurrence } from '../src/types.js';
import { measureRate, rateRow, type Rate } from './measure.js';

import type { ThroughputRow } from '../src/results/schema.js';
/** Goal (issues 18 and 20): harness throughput at least this fraction of the bare `session.run` loop. */
export const CONTEXTUAL_GOAL = 0.95;

/** Options of {@link runContextualBench}. */
export interface ContextualBenchOptions {
  /** Cache directory (passed to the model loader). */
  readonly cacheDir: string;
  /** A model directory in the transformers.js layout (e.g. `<cache>/use-lite/`). */
  readonly modelDir: string;
  /** Model id for the row subjects (default: the directory's base name). */
  readonly modelId?: string;
  /** Sentences to embed; de-duplicated, the first `maxSentences` used. Each op embeds all of them. */
  readonly sentences: readonly string[];
  /** Default 64. */
  readonly maxSentences?: number;
  /** Default [1, 8, 32]. */
  readonly batchSizes?: readonly number[];
  /** onnxruntime intra-op threads per session (default: the model loader's). */
  readonly threads?: number;
  /** onnxruntime sessions of the harness as a run uses it (default: the model loader's, two on 2 cores). */
  readonly sessions?: number;
  /** tinybench time budget per side and round, ms, split over its two measurements (default 1000). */
  readonly timeMs?: number;
  /** Interleaved rounds per batch size (each: harness, bare, one-session harness twice, bare, harness, for half of `timeMs` each); each side's fastest measurement is kept (default 3). */
  readonly rounds?: number;
}

/** One target per sentence: its first word of letters (the harness needs a span to align). */
export function occurrencesOf(sentences: readonly string[]): TargetOccurrence[] {
  return sentences.map((sentence, index) => {
    const match = /\p{L}+/u.exec(sentence);
    const start = match?.index ?? 0;
    const end = match ? start + match[0].length : Math.max(1, sentence.length);
    return { sentence, spans: [{ start, end }], source: { file: '<benchmark sentences>', line: index + 1 } };
  });
}

/**
 * The model input of `occurrences` as the harness builds it (tokens, windows, length-sorted padded
 * batches), made ahead of time for a bare `session.run` loop.
 */
export async function bareBatches(parts: OnnxModelParts, occurrences: readonly TargetOccurrence[]): Promise<{ sequences: (readonly number[])[]; batches: PreparedBatch[] }> {
  // The batches are built for the graph's inputs.
  await parts.runner.open();
  const encoded = await parts.tokenizer.encodeAll(occurrences.map((o) => o.sentence));
  const sequences = occurrences.map((o, i) => windowAround(encoded[i]!, targetTokens(encoded[i]!, o.sentence, o.spans, o.source), parts.maxLength).ids);
  const batches = parts.runner.batchPlan(sequences.map((s) => s.length)).map((indices) => parts.runner.prepareBatch(indices.map((i) => sequences[i]!)));
  return { sequences, batches };
}

/**
 * For each batch size: sentences/s and tokens/s of `embed` through the harness, each beside the
 * bare `session.run` loop over the same batches (same padding, same fetched outputs) with
 * tokenization and tensor building done before timing. Rows: group `onnx-batch`, goal
 * {@link CONTEXTUAL_GOAL} on the ratio harness / bare.
 */
export async function runContextualBench(options: ContextualBenchOptions): Promise<ThroughputRow[]> {
  const sentences = [...new Set(options.sentences)].slice(0, options.maxSentences ?? 64);
  if (sentences.length === 0) throw new Error('runContextualBench needs at least one sentence');
  const occurrences = occurrencesOf(sentences);
  const timeMs = options.timeMs ?? 1000;
  const rounds = options.rounds ?? 3;
  // One op embeds every sentence and can take a while: few iterations, a short warm-up. Each round
  // measures each side twice for half its time, in the order harness, bare, one-session harness twice,
  // bare, harness: no side always runs after another, and a load that builds or fades within the
  // round hits them alike.
  const halfRound = { timeMs: timeMs / 2, iterations: 3, warmupIterations: 1 };
  const rows: ThroughputRow[] = [];
  for (const batchSize of options.batchSizes ?? [1, 8, 32]) {
    const parts = await loadOnnxParts(options.modelDir, {
      cacheDir: options.cacheDir,
      id: options.modelId ?? options.modelDir,
      batchSize,
      ...(options.threads !== undefined ? { threads: options.threads } : {}),
      ...(options.sessions !== undefined ? { sessions: options.sessions } : {}),
    });
    // The harness and the bare loop share one session (the same batches and fetches); the harness
    // as a run uses it adds its further sessions, the one-session harness does not.
    const model = new OnnxEmbeddingModel(parts);
    const session = await parts.runner.open();
    const oneSession = new OnnxEmbeddingModel({ ...parts, runner: new OnnxRunner(session, { ...parts.runner.options, sessions: 1 }) });
    const sessions = parts.runner.options.sessions ?? 1;
    // Opened before timing, as a run's first call of several batches opens them.
    await parts.runner.openSessions();
    try {
      const id = options.modelId ?? model.id;
      // The baseline gets the work the harness does per call for free: tokens, windows, padding, tensors.
      const { sequences, batches } = await bareBatches(parts, occurrences);
      const tokens = sequences.reduce((sum, s) => sum + s.length, 0);
      const fetches = [...new Set(parts.bindings.map((b) => b.output))];
      const harness = async (): Promise<void> => {
        await model.embed(occurrences);
      };
      const single = async (): Promise<void> => {
        await oneSession.embed(occurrences);
      };
      const bare = async (): Promise<void> => {
        for (const batch of batches) await session.run(batch.feeds, fetches);
      };
      const sides = {
        harness: { name: `harness batch ${batchSize}`, fn: harness },
        single: { name: `harness, one session, batch ${batchSize}`, fn: single },
        bare: { name: `bare session.run batch ${batchSize}`, fn: bare },
      };
      const best: { harness: Rate | null; single: Rate | null; bare: Rate | null } = { harness: null, single: null, bare: null };
      for (let round = 0; round < rounds; round++) {
        for (const side of ['harness', 'bare', 'single', 'single', 'bare', 'harness'] as const) {
          const rate = await measureRate(sides[side].name, sides[side].fn, halfRound);
          // Noise on a shared machine only slows a run down: keep each side's fastest measurement.
          if (best[side] === null || rate.opsPerSecond > best[side].opsPerSecond) best[side] = rate;
        }
      }
      const scale = (rate: Rate, units: number): Rate => ({ ...rate, opsPerSecond: rate.opsPerSecond * units });
      const harnessName = `harness embed ${id} batch ${batchSize}, ${sessions === 1 ? 'one session' : `${sessions} sessions side by side`} as a run uses it (${sentences.length} sentences, ${tokens} tokens)`;
      const singleName = `harness embed ${id} batch ${batchSize}, one session like the bare loop (${sentences.length} sentences, ${tokens} tokens)`;
      const bareName = `bare session.run ${id} batch ${batchSize} (one session; pre-tokenized, pre-padded)`;
      for (const [name, side] of [[harnessName, 'harness'], [singleName, 'single']] as const) {
        for (const [unit, units] of [['sentences/s', sentences.length], ['tokens/s', tokens]] as const) {
          rows.push(rateRow('onnx-batch', unit, name, scale(best[side]!, units), bareName, scale(best.bare!, units), CONTEXTUAL_GOAL));
        }
      }
    } finally {
      await model.dispose();
    }
  }
  return rows;
}
