/**
 * The schema of a model directory's config.json as sensebench reads it (Hugging Face fields plus
 * the `sensebench` block, see ./onnx-model.ts), and its validation.
 *
 * In a module of its own because zod takes ~100 ms to import: a directory sensebench converted
 * itself (use-lite, minilm, `hf:` checkpoints) is validated here once, by its converter, before
 * it is written, and every later load trusts the bytes its manifest's checksums vouch for; only
 * other directories (`onnx:DIR`, Hub exports) are validated on every load.
 */
import { z } from 'zod';
import { InputError } from '../types.js';
import type { TokenizerFileDescription } from './tokenizer.js';

const outputSpecSchema = z.object({
  name: z.string().min(1),
  representation: z.string().min(1),
  kind: z.enum(['static', 'contextual']),
  pooling: z.enum(['target', 'sentence']),
  description: z.string().optional(),
});

/** What a converter recorded about tokenizer.json (./tokenizer.ts TokenizerDescription, but the probe). */
const tokenizerSpecSchema = z.object({
  model: z.string(),
  pre_tokenizer: z.string(),
  normalizer: z.string(),
  ignored_settings: z.array(z.string()),
});

const configSchema = z
  .object({
    model_type: z.string().optional(),
    hidden_size: z.number().optional(),
    num_hidden_layers: z.number().optional(),
    max_position_embeddings: z.number().int().positive().optional(),
    pad_token_id: z.number().int().nonnegative().nullable().optional(),
    sensebench: z
      .object({
        max_length: z.number().int().positive().optional(),
        outputs: z.array(outputSpecSchema).min(1).optional(),
        tokenizer: tokenizerSpecSchema.optional(),
      })
      .optional(),
  })
  .loose();

export type ModelConfig = z.infer<typeof configSchema>;

/** The `sensebench.tokenizer` block a converter writes. */
export type StoredTokenizerSpec = z.infer<typeof tokenizerSpecSchema>;

/** Validates a parsed config.json; throws {@link InputError} naming the file and every problem. */
export function parseModelConfig(json: unknown, configPath: string): ModelConfig {
  const parsed = configSchema.safeParse(json);
  if (!parsed.success) throw new InputError(`bad config: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`, { file: configPath, line: 1 });
  return parsed.data;
}

/** The `sensebench.tokenizer` block a converter writes for a tokenizer.json it described. */
export function storedTokenizerSpec(description: TokenizerFileDescription): StoredTokenizerSpec {
  return { model: description.model, pre_tokenizer: description.preTokenizer, normalizer: description.normalizer, ignored_settings: [...description.ignoredSettings] };
}
