/**
 * Tiny Hugging Face checkpoints as the Hub has them: config.json, tokenizer.json,
 * tokenizer_config.json and safetensors weights (F32, F16 or BF16; one file or shards) with the
 * real tensor names of BertModel, RobertaModel, XLMRobertaModel and DistilBertModel, seeded random
 * weights, optionally under a head's prefix with the head's own tensors (which a converter must
 * ignore) and the I64 `position_ids` buffer older checkpoints carry.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { mulberry32 } from '../../src/random.js';
import { CONTINUATIONS, WORDS, familyTokenizer } from './bert-fixture.js';
import { storedValue, writeSafetensors, writeShardedSafetensors, type TensorToWrite, type WritableDtype } from './safetensors-writer.js';

export type CheckpointFamily = 'bert' | 'roberta' | 'xlm-roberta' | 'distilbert';

export interface CheckpointFixtureOptions {
  readonly family: CheckpointFamily;
  readonly dtype: Exclude<WritableDtype, 'I64'>;
  /** Split the weights over this many files with model.safetensors.index.json. */
  readonly shards?: number;
  /** Save as the *ForMaskedLM model: encoder tensors under `bert.`/`roberta.`/`distilbert.`, plus head tensors. */
  readonly head?: boolean;
  /** config.json's activation (default gelu). */
  readonly activation?: string;
  /** DistilBERT: `sinusoidal_pos_embds` true and no position table in the file. */
  readonly sinusoidal?: boolean;
  /** sentence-transformers files (modules.json, 1_Pooling/config.json). */
  readonly sentenceTransformers?: { readonly mode: 'mean' | 'cls'; readonly normalize: boolean };
  readonly seed?: number;
  readonly layers?: number;
}

export interface CheckpointFixture {
  readonly dir: string;
  readonly config: Record<string, unknown>;
  /** Every tensor written, by name, with the values as stored (after F16/BF16 rounding). */
  readonly tensors: Map<string, number[]>;
  /** The encoder's tensor-name prefix (`''` or the head model's). */
  readonly prefix: string;
}

const HIDDEN = 32;
const HEADS = 4;
const INTERMEDIATE = 64;
const POSITIONS = 64;

/** An XLM-R style SentencePiece tokenizer: `<s> <pad> </s> <unk>`, Metaspace + Unigram, `<s> A </s>`. */
function xlmrTokenizer(): { json: unknown; vocab: readonly string[]; pad: string } {
  const specials = ['<s>', '<pad>', '</s>', '<unk>'];
  const pieces: [string, number][] = [...specials.map((t): [string, number] => [t, 0]), ['▁', -4]];
  for (const w of WORDS) pieces.push([`▁${w}`, -2 - w.length / 10]);
  for (const c of CONTINUATIONS) pieces.push([c, -3]);
  for (const p of ['.', ',', '!', '?', "'"]) pieces.push([p, -3]);
  for (const l of 'abcdefghijklmnopqrstuvwxyz0123456789') pieces.push([l, -6], [`▁${l}`, -7]);
  const unique = [...new Map(pieces.map((p) => [p[0], p])).values()];
  const vocab = unique.map((p) => p[0]);
  const id = (t: string): number => vocab.indexOf(t);
  const metaspace = { type: 'Metaspace', replacement: '▁', prepend_scheme: 'always', split: true };
  return {
    vocab,
    pad: '<pad>',
    json: {
      version: '1.0', truncation: null, padding: null,
      added_tokens: specials.map((content) => ({ id: id(content), content, single_word: false, lstrip: false, rstrip: false, normalized: false, special: true })),
      normalizer: { type: 'Sequence', normalizers: [{ type: 'NFKC' }, { type: 'Lowercase' }] },
      pre_tokenizer: metaspace,
      post_processor: {
        type: 'TemplateProcessing',
        single: [{ SpecialToken: { id: '<s>', type_id: 0 } }, { Sequence: { id: 'A', type_id: 0 } }, { SpecialToken: { id: '</s>', type_id: 0 } }],
        pair: [{ SpecialToken: { id: '<s>', type_id: 0 } }, { Sequence: { id: 'A', type_id: 0 } }, { SpecialToken: { id: '</s>', type_id: 0 } }, { SpecialToken: { id: '</s>', type_id: 0 } }, { Sequence: { id: 'B', type_id: 0 } }, { SpecialToken: { id: '</s>', type_id: 0 } }],
        special_tokens: { '<s>': { id: '<s>', ids: [id('<s>')], tokens: ['<s>'] }, '</s>': { id: '</s>', ids: [id('</s>')], tokens: ['</s>'] } },
      },
      decoder: metaspace,
      model: { type: 'Unigram', unk_id: id('<unk>'), vocab: unique, byte_fallback: false },
    },
  };
}

function tokenizerOf(family: CheckpointFamily): { json: unknown; vocab: readonly string[]; pad: string } {
  if (family === 'xlm-roberta') return xlmrTokenizer();
  return familyTokenizer(family === 'roberta' ? 'roberta' : 'bert');
}

const ARCHITECTURE: Record<CheckpointFamily, [string, string]> = {
  bert: ['BertModel', 'BertForMaskedLM'],
  roberta: ['RobertaModel', 'RobertaForMaskedLM'],
  'xlm-roberta': ['XLMRobertaModel', 'XLMRobertaForMaskedLM'],
  distilbert: ['DistilBertModel', 'DistilBertForMaskedLM'],
};
const HEAD_PREFIX: Record<CheckpointFamily, string> = { bert: 'bert.', roberta: 'roberta.', 'xlm-roberta': 'roberta.', distilbert: 'distilbert.' };

/** Writes the checkpoint into `dir`; see the file comment. */
export async function writeCheckpointFixture(dir: string, options: CheckpointFixtureOptions): Promise<CheckpointFixture> {
  const { family, dtype } = options;
  const random = mulberry32(options.seed ?? 11).next;
  const tokenizer = tokenizerOf(family);
  const vocabSize = tokenizer.vocab.length;
  const padId = tokenizer.vocab.indexOf(tokenizer.pad);
  const layers = options.layers ?? 2;
  const roberta = family === 'roberta' || family === 'xlm-roberta';
  const distil = family === 'distilbert';
  const positions = roberta ? POSITIONS + padId + 1 : POSITIONS;
  const prefix = options.head === true ? HEAD_PREFIX[family] : '';
  const activation = options.activation ?? 'gelu';

  const tensors: TensorToWrite[] = [];
  const add = (name: string, shape: number[], scale: number, offset = 0): void => {
    const n = shape.reduce((a, b) => a * b, 1);
    tensors.push({ name, dtype, shape, values: Array.from({ length: n }, () => offset + (random() * 2 - 1) * scale) });
  };
  const linear = (stem: string, out: number, inp: number, scale: number): void => {
    add(`${stem}.weight`, [out, inp], scale);
    add(`${stem}.bias`, [out], 0.1);
  };
  const norm = (stem: string): void => {
    add(`${stem}.weight`, [HIDDEN], 0.2, 1);
    add(`${stem}.bias`, [HIDDEN], 0.1);
  };
  const p = prefix;
  add(`${p}embeddings.word_embeddings.weight`, [vocabSize, HIDDEN], 1);
  if (!(distil && options.sinusoidal === true)) add(`${p}embeddings.position_embeddings.weight`, [positions, HIDDEN], 0.5);
  if (!distil) add(`${p}embeddings.token_type_embeddings.weight`, [roberta ? 1 : 2, HIDDEN], 0.5);
  norm(`${p}embeddings.LayerNorm`);
  for (let n = 0; n < layers; n++) {
    if (distil) {
      const l = `${p}transformer.layer.${n}`;
      linear(`${l}.attention.q_lin`, HIDDEN, HIDDEN, 0.5);
      linear(`${l}.attention.k_lin`, HIDDEN, HIDDEN, 0.5);
      linear(`${l}.attention.v_lin`, HIDDEN, HIDDEN, 0.3);
      linear(`${l}.attention.out_lin`, HIDDEN, HIDDEN, 0.3);
      norm(`${l}.sa_layer_norm`);
      linear(`${l}.ffn.lin1`, INTERMEDIATE, HIDDEN, 0.3);
      linear(`${l}.ffn.lin2`, HIDDEN, INTERMEDIATE, 0.3);
      norm(`${l}.output_layer_norm`);
    } else {
      const l = `${p}encoder.layer.${n}`;
      linear(`${l}.attention.self.query`, HIDDEN, HIDDEN, 0.5);
      linear(`${l}.attention.self.key`, HIDDEN, HIDDEN, 0.5);
      linear(`${l}.attention.self.value`, HIDDEN, HIDDEN, 0.3);
      linear(`${l}.attention.output.dense`, HIDDEN, HIDDEN, 0.3);
      norm(`${l}.attention.output.LayerNorm`);
      linear(`${l}.intermediate.dense`, INTERMEDIATE, HIDDEN, 0.3);
      linear(`${l}.output.dense`, HIDDEN, INTERMEDIATE, 0.3);
      norm(`${l}.output.LayerNorm`);
    }
  }
  if (options.head === true) {
    // The masked-LM heads transformers saves (the converter must ignore them) and the position_ids buffer.
    if (family === 'bert') {
      linear('cls.predictions.transform.dense', HIDDEN, HIDDEN, 0.3);
      norm('cls.predictions.transform.LayerNorm');
      add('cls.predictions.bias', [vocabSize], 0.1);
      tensors.push({ name: `${p}embeddings.position_ids`, dtype: 'I64', shape: [1, positions], values: Array.from({ length: positions }, (_, i) => i) });
    } else if (roberta) {
      linear('lm_head.dense', HIDDEN, HIDDEN, 0.3);
      norm('lm_head.layer_norm');
      add('lm_head.bias', [vocabSize], 0.1);
    } else {
      linear('vocab_transform', HIDDEN, HIDDEN, 0.3);
      norm('vocab_layer_norm');
      add('vocab_projector.bias', [vocabSize], 0.1);
    }
  }
  tensors.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));

  await mkdir(dir, { recursive: true });
  if (options.shards !== undefined) await writeShardedSafetensors(dir, tensors, options.shards);
  else await writeSafetensors(join(dir, 'model.safetensors'), tensors);

  const architecture = ARCHITECTURE[family][options.head === true ? 1 : 0];
  const config: Record<string, unknown> = distil
    ? {
        architectures: [architecture], model_type: 'distilbert', dim: HIDDEN, n_layers: layers, n_heads: HEADS, hidden_dim: INTERMEDIATE, activation,
        max_position_embeddings: positions, sinusoidal_pos_embds: options.sinusoidal === true, vocab_size: vocabSize, pad_token_id: padId, dropout: 0.1,
      }
    : {
        architectures: [architecture], model_type: family, hidden_size: HIDDEN, num_hidden_layers: layers, num_attention_heads: HEADS, intermediate_size: INTERMEDIATE,
        hidden_act: activation, max_position_embeddings: positions, type_vocab_size: roberta ? 1 : 2, vocab_size: vocabSize, layer_norm_eps: roberta ? 1e-5 : 1e-12,
        pad_token_id: padId, position_embedding_type: 'absolute', ...(roberta ? { bos_token_id: 0, eos_token_id: 2 } : {}),
      };
  await writeFile(join(dir, 'config.json'), JSON.stringify(config, null, 2));
  await writeFile(join(dir, 'tokenizer.json'), JSON.stringify(tokenizer.json));
  await writeFile(join(dir, 'tokenizer_config.json'), JSON.stringify({ model_max_length: 512, pad_token: tokenizer.pad }));
  if (options.sentenceTransformers !== undefined) {
    const { mode, normalize } = options.sentenceTransformers;
    const modules = [
      { idx: 0, name: '0', path: '', type: 'sentence_transformers.models.Transformer' },
      { idx: 1, name: '1', path: '1_Pooling', type: 'sentence_transformers.models.Pooling' },
      ...(normalize ? [{ idx: 2, name: '2', path: '2_Normalize', type: 'sentence_transformers.models.Normalize' }] : []),
    ];
    await writeFile(join(dir, 'modules.json'), JSON.stringify(modules, null, 2));
    await mkdir(join(dir, '1_Pooling'), { recursive: true });
    await writeFile(join(dir, '1_Pooling', 'config.json'), JSON.stringify({ word_embedding_dimension: HIDDEN, pooling_mode_cls_token: mode === 'cls', pooling_mode_mean_tokens: mode === 'mean', pooling_mode_max_tokens: false, pooling_mode_mean_sqrt_len_tokens: false }));
    await writeFile(join(dir, 'sentence_bert_config.json'), JSON.stringify({ max_seq_length: 48, do_lower_case: false }));
  }
  const stored = new Map(tensors.map((t) => [t.name, Array.from(t.values, (v) => storedValue(v, t.dtype))]));
  return { dir, config, tensors: stored, prefix };
}
