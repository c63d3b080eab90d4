/**
 * What a sentence-transformers model directory says about its sentence embedding: `modules.json`
 * (Transformer, Pooling, optionally Normalize), the Pooling module's `config.json` and
 * `sentence_bert_config.json` (`max_seq_length`). Only what the encoder graph can reproduce is
 * accepted: mean or CLS pooling, then optionally L2 normalisation; a model with any other module
 * (Dense, ...) or pooling (max, mean of sqrt length, weighted) gets no `sentence` representation,
 * and the reason is given.
 *
 * zod is imported only for a directory that has a modules.json: verifying a cached conversion of
 * a checkpoint without one (minilm's package) lists the files without loading it.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pathExists } from '../../io/paths.js';
import type { SentencePooling } from './outputs.js';

/** What {@link readSentenceTransformers} found. */
export interface SentenceTransformersSetup {
  /** The pooling the graph reproduces; undefined when the directory is not a sentence-transformers model or uses another. */
  readonly pooling: SentencePooling | undefined;
  /** `max_seq_length` of sentence_bert_config.json. */
  readonly maxSeqLength: number | undefined;
  /** Files read (relative to the directory), for the conversion's checksums. */
  readonly files: readonly string[];
  /** Why no pooling was taken, when modules.json exists but is not reproduced. */
  readonly note: string | undefined;
}

/** The schemas of modules.json and the Pooling config (built on first use, see the file comment). */
async function schemas() {
  const { z } = await import('zod');
  return {
    modules: z.array(z.object({ path: z.string(), type: z.string() }).loose()),
    pooling: z
      .object({
        pooling_mode: z.string().optional(),
        pooling_mode_cls_token: z.boolean().optional(),
        pooling_mode_mean_tokens: z.boolean().optional(),
        pooling_mode_max_tokens: z.boolean().optional(),
        pooling_mode_mean_sqrt_len_tokens: z.boolean().optional(),
        pooling_mode_weightedmean_tokens: z.boolean().optional(),
        pooling_mode_lasttoken: z.boolean().optional(),
      })
      .loose(),
  };
}

/** Pooling modes the graph reproduces, by their names in `pooling_mode` and in the `pooling_mode_*` flags. */
const POOLING_MODES: Readonly<Record<string, SentencePooling['mode']>> = { mean: 'mean', mean_tokens: 'mean', cls: 'cls', cls_token: 'cls' };

async function readJson(path: string): Promise<unknown> {
  try {
    return JSON.parse(await readFile(path, 'utf8')) as unknown;
  } catch {
    return undefined;
  }
}

/** Reads the sentence-transformers setup of `dir` (see the file comment). */
export async function readSentenceTransformers(dir: string): Promise<SentenceTransformersSetup> {
  const files: string[] = [];
  let maxSeqLength: number | undefined;
  if (await pathExists(join(dir, 'sentence_bert_config.json'))) {
    files.push('sentence_bert_config.json');
    const config = (await readJson(join(dir, 'sentence_bert_config.json'))) as { max_seq_length?: unknown } | undefined;
    if (typeof config?.max_seq_length === 'number' && Number.isInteger(config.max_seq_length) && config.max_seq_length > 0) maxSeqLength = config.max_seq_length;
  }
  if (!(await pathExists(join(dir, 'modules.json')))) return { pooling: undefined, maxSeqLength, files, note: undefined };
  files.push('modules.json');
  const none = (note: string): SentenceTransformersSetup => ({ pooling: undefined, maxSeqLength, files, note });
  const { modules: modulesSchema, pooling: poolingSchema } = await schemas();
  const modules = modulesSchema.safeParse(await readJson(join(dir, 'modules.json')));
  if (!modules.success) return none('modules.json is not a list of modules');
  const kinds = modules.data.map((m) => m.type.split('.').at(-1) ?? m.type);
  if (kinds[0] !== 'Transformer' || kinds[1] !== 'Pooling' || kinds.length > 3 || (kinds.length === 3 && kinds[2] !== 'Normalize')) {
    return none(`modules ${kinds.join(' -> ')}: only Transformer -> Pooling (-> Normalize) is reproduced`);
  }
  const poolingPath = join(modules.data[1]!.path, 'config.json');
  if (!(await pathExists(join(dir, poolingPath)))) return none(`no ${poolingPath}`);
  files.push(poolingPath);
  const config = poolingSchema.safeParse(await readJson(join(dir, poolingPath)));
  if (!config.success) return none(`${poolingPath} is not a Pooling config`);
  const c = config.data;
  const modes = c.pooling_mode !== undefined ? [c.pooling_mode] : Object.entries(c).filter(([key, on]) => key.startsWith('pooling_mode_') && on === true).map(([key]) => key.slice('pooling_mode_'.length));
  const mode = modes.length === 1 ? POOLING_MODES[modes[0]!] : undefined;
  if (mode === undefined) return none(`pooling ${modes.join(' + ') || '(none)'}: only mean or CLS pooling is reproduced`);
  return { pooling: { mode, normalize: kinds[2] === 'Normalize' }, maxSeqLength, files, note: undefined };
}
