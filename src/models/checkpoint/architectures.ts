/**
 * The BERT-family encoders sensebench builds from a Hugging Face checkpoint, described from
 * `config.json` and the checkpoint's tensor names as transformers defines them:
 *
 * | architecture | model_type | tensors | positions | token types |
 * | --- | --- | --- | --- | --- |
 * | `BertModel` (BERT, MiniLM, BGE, E5, GTE) | `bert` | `embeddings.*`, `encoder.layer.N.*` | 0, 1, 2, ... | `token_type_ids` input |
 * | `RobertaModel` | `roberta` | as BERT | `padding_idx + 1 + ` the count of non-padding tokens so far; `padding_idx` at padding | row 0 |
 * | `XLMRobertaModel` | `xlm-roberta` | as BERT | as RoBERTa | row 0 |
 * | `DistilBertModel` | `distilbert` | `embeddings.*`, `transformer.layer.N.*` | 0, 1, 2, ... (learned, or sinusoidal when `sinusoidal_pos_embds`) | none |
 *
 * Checkpoints with a head (`BertForMaskedLM`, `RobertaForSequenceClassification`, ...) carry the
 * encoder under `bert.`, `roberta.` or `distilbert.`; that prefix is accepted and the head's
 * tensors are ignored. Any other architecture is refused, naming it. {@link readEncoderWeights}
 * reads exactly the tensors the encoder needs, each checked for presence, shape and a float dtype.
 */
import { z } from 'zod';
import { InputError, type SourceRef } from '../../types.js';
import type { Checkpoint } from './checkpoint.js';

/** The architectures sensebench converts. */
export const ENCODER_ARCHITECTURES = ['BertModel', 'RobertaModel', 'XLMRobertaModel', 'DistilBertModel'] as const;
export type EncoderArchitecture = (typeof ENCODER_ARCHITECTURES)[number];

/**
 * Activations by their config.json name, as transformers' ACT2FN defines them: `gelu` is the exact
 * erf form; `gelu_new`, `gelu_pytorch_tanh` and `gelu_fast` the tanh approximation; `quick_gelu`
 * x·sigmoid(1.702x); `silu` = `swish` x·sigmoid(x).
 */
export const ACTIVATIONS = ['gelu', 'gelu_new', 'gelu_pytorch_tanh', 'gelu_fast', 'quick_gelu', 'relu', 'silu', 'swish', 'tanh'] as const;
export type Activation = (typeof ACTIVATIONS)[number];

/** Everything the graph builder needs to know about the encoder, whatever its family. */
export interface EncoderSpec {
  readonly architecture: EncoderArchitecture;
  readonly modelType: string;
  readonly hidden: number;
  readonly layers: number;
  readonly heads: number;
  readonly intermediate: number;
  readonly vocabSize: number;
  /** Rows of the position table. */
  readonly maxPositions: number;
  readonly layerNormEps: number;
  readonly activation: Activation;
  /** `absolute`: position i is row i; `padding-offset`: RoBERTa's ids from the padding index (see the file comment). */
  readonly positions: { readonly kind: 'absolute' } | { readonly kind: 'padding-offset'; readonly paddingIdx: number };
  /** `input`: a token_type_ids input over the table; `first-row`: row 0 added everywhere; `none`. */
  readonly tokenTypes: 'input' | 'first-row' | 'none';
  /** Rows of the token-type table (0 without one). */
  readonly typeVocabSize: number;
  /** DistilBERT with `sinusoidal_pos_embds`: the table is computed when the checkpoint lacks it. */
  readonly sinusoidalPositions: boolean;
  readonly padTokenId: number;
  /** Tokens the positions allow (RoBERTa-family tables reserve the rows up to the padding index). */
  readonly maxTokens: number;
}

/** A Linear layer as PyTorch stores it: weight `[out, in]`, bias `[out]`. */
export interface LinearWeights {
  readonly weight: Float32Array;
  readonly bias: Float32Array;
}

/** A LayerNorm's scale and shift. */
export interface NormWeights {
  readonly weight: Float32Array;
  readonly bias: Float32Array;
}

/** One post-norm transformer layer. */
export interface EncoderLayerWeights {
  readonly query: LinearWeights;
  readonly key: LinearWeights;
  readonly value: LinearWeights;
  readonly attentionOutput: LinearWeights;
  readonly attentionNorm: NormWeights;
  readonly intermediate: LinearWeights;
  readonly output: LinearWeights;
  readonly outputNorm: NormWeights;
}

/** The encoder's weights, in PyTorch's layout. */
export interface EncoderWeights {
  readonly wordEmbeddings: Float32Array;
  readonly positionEmbeddings: Float32Array;
  /** `[type_vocab_size, hidden]`; absent for DistilBERT. */
  readonly tokenTypeEmbeddings: Float32Array | undefined;
  readonly embeddingNorm: NormWeights;
  readonly layers: readonly EncoderLayerWeights[];
}

interface Family {
  readonly architecture: EncoderArchitecture;
  readonly modelType: string;
  /** Class-name prefix of every architecture of the family (`BertForMaskedLM`). */
  readonly classPrefix: string;
  /** Prefix of the encoder's tensors in checkpoints with a head. */
  readonly headPrefix: string;
}

const FAMILIES: readonly Family[] = [
  { architecture: 'BertModel', modelType: 'bert', classPrefix: 'Bert', headPrefix: 'bert.' },
  { architecture: 'RobertaModel', modelType: 'roberta', classPrefix: 'Roberta', headPrefix: 'roberta.' },
  { architecture: 'XLMRobertaModel', modelType: 'xlm-roberta', classPrefix: 'XLMRoberta', headPrefix: 'roberta.' },
  { architecture: 'DistilBertModel', modelType: 'distilbert', classPrefix: 'DistilBert', headPrefix: 'distilbert.' },
];

const positive = z.number().int().positive();

/** BertConfig / RobertaConfig / XLMRobertaConfig fields, with transformers' defaults. */
const bertConfigSchema = z
  .object({
    vocab_size: positive,
    hidden_size: positive.default(768),
    num_hidden_layers: positive.default(12),
    num_attention_heads: positive.default(12),
    intermediate_size: positive.default(3072),
    hidden_act: z.string().default('gelu'),
    max_position_embeddings: positive.default(512),
    type_vocab_size: positive.default(2),
    layer_norm_eps: z.number().positive().default(1e-12),
    pad_token_id: z.number().int().nonnegative().nullable().optional(),
    position_embedding_type: z.string().default('absolute'),
    is_decoder: z.boolean().default(false),
    add_cross_attention: z.boolean().default(false),
  })
  .loose();

/** DistilBertConfig fields, with transformers' defaults (its LayerNorms use eps 1e-12). */
const distilbertConfigSchema = z
  .object({
    vocab_size: positive,
    dim: positive.default(768),
    n_layers: positive.default(6),
    n_heads: positive.default(12),
    hidden_dim: positive.default(3072),
    activation: z.string().default('gelu'),
    max_position_embeddings: positive.default(512),
    sinusoidal_pos_embds: z.boolean().default(false),
    pad_token_id: z.number().int().nonnegative().nullable().optional(),
  })
  .loose();

const baseConfigSchema = z.object({ model_type: z.string().optional(), architectures: z.array(z.string()).optional() }).loose();

/** Where the encoder's tensors are and what config.json says about them; see {@link describeEncoder}. */
export interface EncoderDescription {
  readonly spec: EncoderSpec;
  /** The encoder's tensor-name prefix in the checkpoint (`''`, `bert.`, ...). */
  readonly prefix: string;
  /** Architectures config.json names (e.g. `BertForMaskedLM`). */
  readonly declaredArchitectures: readonly string[];
}

function refuse(what: string, source: SourceRef): InputError {
  return new InputError(
    `${what}: sensebench converts ${ENCODER_ARCHITECTURES.join(', ')} (and their *For... heads) from safetensors; ` +
      'export any other model to ONNX (e.g. optimum-cli export onnx --model DIR OUT) and run it with --model onnx:OUT',
    source,
  );
}

function issues(error: z.ZodError): string {
  return error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
}

/** The family config.json declares, or an {@link InputError} naming the architecture it has. */
function familyOf(config: unknown, source: SourceRef): Family {
  const parsed = baseConfigSchema.safeParse(config);
  if (!parsed.success) throw new InputError(`bad config.json: ${issues(parsed.error)}`, source);
  const { model_type: modelType, architectures = [] } = parsed.data;
  const named = `architecture ${architectures.join(', ') || '(none named)'} (model_type ${modelType ?? 'missing'})`;
  const family = FAMILIES.find((f) => f.modelType === modelType);
  if (family === undefined) throw refuse(`${named} is not one sensebench converts`, source);
  // XLMRoberta... also starts with neither Roberta nor Bert, and DistilBert... not with Bert: prefixes are unambiguous.
  const foreign = architectures.find((a) => !a.startsWith(family.classPrefix));
  if (foreign !== undefined) throw refuse(`${named}: ${foreign} is not a ${family.architecture} architecture`, source);
  return family;
}

function activationOf(name: string, key: string, source: SourceRef): Activation {
  if ((ACTIVATIONS as readonly string[]).includes(name)) return name as Activation;
  throw new InputError(`${key} ${JSON.stringify(name)} is not an activation sensebench builds (${ACTIVATIONS.join(', ')})`, source);
}

/**
 * Reads config.json (parsed) and the checkpoint's tensor names into an {@link EncoderDescription};
 * throws {@link InputError} for an architecture or configuration sensebench does not build.
 */
export function describeEncoder(config: unknown, tensorNames: ReadonlySet<string>, configPath: string, listing: string): EncoderDescription {
  const source: SourceRef = { file: configPath, line: 1 };
  const family = familyOf(config, source);
  const declaredArchitectures = baseConfigSchema.parse(config).architectures ?? [];
  const prefix = ['', family.headPrefix].find((p) => tensorNames.has(`${p}embeddings.word_embeddings.weight`));
  if (prefix === undefined) {
    throw new InputError(`${listing}: tensor "embeddings.word_embeddings.weight" is missing (nor under ${family.headPrefix}): not a ${family.architecture} checkpoint`);
  }
  if (family.architecture === 'DistilBertModel') {
    const parsed = distilbertConfigSchema.safeParse(config);
    if (!parsed.success) throw new InputError(`bad DistilBERT config.json: ${issues(parsed.error)}`, source);
    const c = parsed.data;
    if (c.dim % c.n_heads !== 0) throw new InputError(`dim ${c.dim} is not a multiple of n_heads ${c.n_heads}`, source);
    const spec: EncoderSpec = {
      architecture: family.architecture,
      modelType: family.modelType,
      hidden: c.dim,
      layers: c.n_layers,
      heads: c.n_heads,
      intermediate: c.hidden_dim,
      vocabSize: c.vocab_size,
      maxPositions: c.max_position_embeddings,
      layerNormEps: 1e-12,
      activation: activationOf(c.activation, 'activation', source),
      positions: { kind: 'absolute' },
      tokenTypes: 'none',
      typeVocabSize: 0,
      sinusoidalPositions: c.sinusoidal_pos_embds,
      padTokenId: c.pad_token_id ?? 0,
      maxTokens: c.max_position_embeddings,
    };
    return { spec, prefix, declaredArchitectures };
  }
  const parsed = bertConfigSchema.safeParse(config);
  if (!parsed.success) throw new InputError(`bad ${family.architecture} config.json: ${issues(parsed.error)}`, source);
  const c = parsed.data;
  if (c.hidden_size % c.num_attention_heads !== 0) throw new InputError(`hidden_size ${c.hidden_size} is not a multiple of num_attention_heads ${c.num_attention_heads}`, source);
  if (c.position_embedding_type !== 'absolute') throw refuse(`position_embedding_type ${JSON.stringify(c.position_embedding_type)} (relative attention) is not built`, source);
  if (c.is_decoder || c.add_cross_attention) throw refuse(`a decoder configuration (is_decoder / add_cross_attention) is not built`, source);
  const roberta = family.architecture !== 'BertModel';
  const paddingIdx = c.pad_token_id ?? (roberta ? 1 : 0);
  const spec: EncoderSpec = {
    architecture: family.architecture,
    modelType: family.modelType,
    hidden: c.hidden_size,
    layers: c.num_hidden_layers,
    heads: c.num_attention_heads,
    intermediate: c.intermediate_size,
    vocabSize: c.vocab_size,
    maxPositions: c.max_position_embeddings,
    layerNormEps: c.layer_norm_eps,
    activation: activationOf(c.hidden_act, 'hidden_act', source),
    positions: roberta ? { kind: 'padding-offset', paddingIdx } : { kind: 'absolute' },
    tokenTypes: roberta ? 'first-row' : 'input',
    typeVocabSize: c.type_vocab_size,
    sinusoidalPositions: false,
    padTokenId: paddingIdx,
    maxTokens: roberta ? c.max_position_embeddings - paddingIdx - 1 : c.max_position_embeddings,
  };
  if (spec.maxTokens < 3) throw new InputError(`max_position_embeddings ${c.max_position_embeddings} leaves ${spec.maxTokens} positions after the padding index ${paddingIdx}`, source);
  return { spec, prefix, declaredArchitectures };
}

/** DistilBERT's sinusoidal table as transformers computes it (float64, then float32): sin on even columns, cos on odd. */
export function sinusoidalPositions(positions: number, dim: number): Float32Array {
  const table = new Float32Array(positions * dim);
  for (let pos = 0; pos < positions; pos++) {
    for (let j = 0; j < dim; j++) {
      const angle = pos / 10000 ** ((2 * Math.floor(j / 2)) / dim);
      table[pos * dim + j] = j % 2 === 0 ? Math.sin(angle) : Math.cos(angle);
    }
  }
  return table;
}

/** Per-layer tensor stems of each family, relative to the encoder prefix. */
function layerNames(architecture: EncoderArchitecture, n: number): Record<keyof EncoderLayerWeights, string> {
  if (architecture === 'DistilBertModel') {
    const l = `transformer.layer.${n}`;
    return {
      query: `${l}.attention.q_lin`, key: `${l}.attention.k_lin`, value: `${l}.attention.v_lin`, attentionOutput: `${l}.attention.out_lin`,
      attentionNorm: `${l}.sa_layer_norm`, intermediate: `${l}.ffn.lin1`, output: `${l}.ffn.lin2`, outputNorm: `${l}.output_layer_norm`,
    };
  }
  const l = `encoder.layer.${n}`;
  return {
    query: `${l}.attention.self.query`, key: `${l}.attention.self.key`, value: `${l}.attention.self.value`, attentionOutput: `${l}.attention.output.dense`,
    attentionNorm: `${l}.attention.output.LayerNorm`, intermediate: `${l}.intermediate.dense`, output: `${l}.output.dense`, outputNorm: `${l}.output.LayerNorm`,
  };
}

/** The encoder's weights and the checkpoint tensors they were read from. */
export interface ReadEncoder {
  readonly weights: EncoderWeights;
  /** Names (with the prefix) of the tensors read; every other tensor of the checkpoint was ignored (heads, position_ids). */
  readonly read: readonly string[];
}

/**
 * Reads the encoder's weights from `checkpoint`, each tensor checked for presence, shape and a
 * float dtype ({@link Checkpoint.float32}); DistilBERT's sinusoidal table is computed when absent.
 */
export async function readEncoderWeights(description: EncoderDescription, checkpoint: Checkpoint): Promise<ReadEncoder> {
  const { spec, prefix } = description;
  const available = new Set(checkpoint.tensors.keys());
  const names: string[] = [];
  const { hidden: h, intermediate: f } = spec;
  const read = (name: string, shape: readonly number[]): Promise<Float32Array> => {
    names.push(`${prefix}${name}`);
    return checkpoint.float32(`${prefix}${name}`, shape, spec.architecture);
  };
  const norm = async (stem: string): Promise<NormWeights> => {
    // Old TF-converted checkpoints name LayerNorm parameters gamma/beta (transformers renames them on load).
    const legacy = !available.has(`${prefix}${stem}.weight`) && available.has(`${prefix}${stem}.gamma`);
    return { weight: await read(`${stem}.${legacy ? 'gamma' : 'weight'}`, [h]), bias: await read(`${stem}.${legacy ? 'beta' : 'bias'}`, [h]) };
  };
  const linear = async (stem: string, out: number, inp: number): Promise<LinearWeights> => ({ weight: await read(`${stem}.weight`, [out, inp]), bias: await read(`${stem}.bias`, [out]) });
  const wordEmbeddings = await read('embeddings.word_embeddings.weight', [spec.vocabSize, h]);
  const positionName = 'embeddings.position_embeddings.weight';
  const positionEmbeddings = spec.sinusoidalPositions && !available.has(`${prefix}${positionName}`) ? sinusoidalPositions(spec.maxPositions, h) : await read(positionName, [spec.maxPositions, h]);
  const tokenTypeEmbeddings = spec.tokenTypes === 'none' ? undefined : await read('embeddings.token_type_embeddings.weight', [spec.typeVocabSize, h]);
  const embeddingNorm = await norm('embeddings.LayerNorm');
  const layers: EncoderLayerWeights[] = [];
  for (let n = 0; n < spec.layers; n++) {
    const s = layerNames(spec.architecture, n);
    layers.push({
      query: await linear(s.query, h, h),
      key: await linear(s.key, h, h),
      value: await linear(s.value, h, h),
      attentionOutput: await linear(s.attentionOutput, h, h),
      attentionNorm: await norm(s.attentionNorm),
      intermediate: await linear(s.intermediate, f, h),
      output: await linear(s.output, h, f),
      outputNorm: await norm(s.outputNorm),
    });
  }
  return { weights: { wordEmbeddings, positionEmbeddings, tokenTypeEmbeddings, embeddingNorm, layers }, read: names };
}
