/**
 * A plain float64 forward pass of Hugging Face's BertModel, RobertaModel, XLMRobertaModel and
 * DistilBertModel for one unpadded sequence, written from transformers' modeling code (not from
 * sensebench's graph builder): it reads config.json as transformers does and the tensors by their
 * PyTorch names (Linear weights `[out, in]`, y = x·Wᵀ + b), and returns every hidden state.
 */

/** Tensors by PyTorch name (with the checkpoint's prefix), values as stored. */
export type TensorMap = ReadonlyMap<string, ArrayLike<number>>;

/** The output of {@link hfForward}. */
export interface ReferenceStates {
  /** Word-embedding rows of the ids: `inputs_embeds`. */
  readonly input: number[][];
  /** `hidden_states[0..N]`, each `[tokens][hidden]`. */
  readonly hiddenStates: number[][][];
}

/** erf(x) to ~1e-12: its Maclaurin series below 3, the asymptotic expansion of erfc above. */
export function erf(x: number): number {
  const t = Math.abs(x);
  if (t < 3) {
    let sum = t;
    let term = t;
    for (let k = 1; k < 80; k++) {
      term *= (-t * t) / k;
      sum += term / (2 * k + 1);
    }
    return Math.sign(x) * (2 / Math.sqrt(Math.PI)) * sum;
  }
  let series = 1;
  let term = 1;
  for (let k = 1; k < 6; k++) {
    term *= -(2 * k - 1) / (2 * t * t);
    series += term;
  }
  return Math.sign(x) * (1 - (Math.exp(-t * t) / (t * Math.sqrt(Math.PI))) * series);
}

/** transformers' ACT2FN, for the names the tests use. */
export function act(name: string, x: number): number {
  switch (name) {
    case 'gelu':
      return 0.5 * x * (1 + erf(x / Math.SQRT2));
    case 'gelu_new':
    case 'gelu_pytorch_tanh':
      return 0.5 * x * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (x + 0.044715 * x ** 3)));
    case 'gelu_fast':
      return 0.5 * x * (1 + Math.tanh(x * 0.7978845608 * (1 + 0.044715 * x * x)));
    case 'relu':
      return Math.max(0, x);
    case 'tanh':
      return Math.tanh(x);
    case 'silu':
    case 'swish':
      return x / (1 + Math.exp(-x));
    case 'quick_gelu':
      return x / (1 + Math.exp(-1.702 * x));
    default:
      throw new Error(`reference: no activation ${name}`);
  }
}

function layerNorm(x: readonly number[], weight: ArrayLike<number>, bias: ArrayLike<number>, eps: number): number[] {
  const mean = x.reduce((a, v) => a + v, 0) / x.length;
  const variance = x.reduce((a, v) => a + (v - mean) ** 2, 0) / x.length;
  return x.map((v, i) => ((v - mean) / Math.sqrt(variance + eps)) * weight[i]! + bias[i]!);
}

/** nn.Linear: weight [out, in]. */
function linear(x: readonly number[], weight: ArrayLike<number>, bias: ArrayLike<number>): number[] {
  const out = bias.length;
  const inp = x.length;
  return Array.from({ length: out }, (_, o) => {
    let sum = bias[o]!;
    for (let i = 0; i < inp; i++) sum += x[i]! * weight[o * inp + i]!;
    return sum;
  });
}

function row(table: ArrayLike<number>, index: number, width: number): number[] {
  return Array.from({ length: width }, (_, d) => table[index * width + d]!);
}

/** DistilBERT's create_sinusoidal_embeddings: angle pos / 10000^(2·(j//2)/dim), sin on even j, cos on odd j. */
function sinusoid(position: number, dim: number): number[] {
  return Array.from({ length: dim }, (_, j) => {
    const angle = position / Math.pow(10000, (2 * Math.floor(j / 2)) / dim);
    return j % 2 === 0 ? Math.sin(angle) : Math.cos(angle);
  });
}

/** Multi-head self-attention over an unpadded sequence: softmax(QKᵀ/√d)·V per head. */
function selfAttention(q: number[][], k: number[][], v: number[][], heads: number): number[][] {
  const n = q.length;
  const width = q[0]!.length;
  const dh = width / heads;
  const context = q.map(() => new Array<number>(width).fill(0));
  for (let head = 0; head < heads; head++) {
    for (let i = 0; i < n; i++) {
      const scores = Array.from({ length: n }, (_, j) => {
        let s = 0;
        for (let d = 0; d < dh; d++) s += q[i]![head * dh + d]! * k[j]![head * dh + d]!;
        return s / Math.sqrt(dh);
      });
      const max = Math.max(...scores);
      const exps = scores.map((s) => Math.exp(s - max));
      const total = exps.reduce((a, b) => a + b, 0);
      for (let j = 0; j < n; j++) {
        for (let d = 0; d < dh; d++) context[i]![head * dh + d]! += (exps[j]! / total) * v[j]![head * dh + d]!;
      }
    }
  }
  return context;
}

/**
 * Every hidden state of `ids` (one sequence, no padding) under `config` (config.json as parsed)
 * and `tensors` (with `prefix`, e.g. `bert.` for a checkpoint with a head).
 */
export function hfForward(config: Readonly<Record<string, unknown>>, tensors: TensorMap, ids: readonly number[], prefix = ''): ReferenceStates {
  const t = (name: string): ArrayLike<number> => {
    const value = tensors.get(prefix + name);
    if (value === undefined) throw new Error(`reference: no tensor ${prefix}${name}`);
    return value;
  };
  const modelType = String(config.model_type);
  const distil = modelType === 'distilbert';
  const hidden = Number(distil ? config.dim : config.hidden_size);
  const layers = Number(distil ? config.n_layers : config.num_hidden_layers);
  const heads = Number(distil ? config.n_heads : config.num_attention_heads);
  const activation = (distil ? config.activation : config.hidden_act) as string | undefined ?? 'gelu';
  const eps = distil ? 1e-12 : Number(config.layer_norm_eps ?? 1e-12);

  // Embeddings.
  const input = ids.map((id) => row(t('embeddings.word_embeddings.weight'), id, hidden));
  let positionIds: number[];
  if (modelType === 'roberta' || modelType === 'xlm-roberta') {
    // create_position_ids_from_input_ids: cumsum(mask) * mask + padding_idx, mask = ids != padding_idx.
    const pad = Number(config.pad_token_id ?? 1);
    let count = 0;
    positionIds = ids.map((id) => {
      const mask = id !== pad ? 1 : 0;
      count += mask;
      return count * mask + pad;
    });
  } else {
    positionIds = ids.map((_, i) => i);
  }
  const sinusoidal = distil && config.sinusoidal_pos_embds === true && !tensors.has(`${prefix}embeddings.position_embeddings.weight`);
  let states = input.map((word, i) => {
    const position = sinusoidal ? sinusoid(positionIds[i]!, hidden) : row(t('embeddings.position_embeddings.weight'), positionIds[i]!, hidden);
    const type = distil ? new Array<number>(hidden).fill(0) : row(t('embeddings.token_type_embeddings.weight'), 0, hidden);
    return layerNorm(word.map((w, d) => w + type[d]! + position[d]!), t('embeddings.LayerNorm.weight'), t('embeddings.LayerNorm.bias'), eps);
  });
  const hiddenStates = [states];

  for (let n = 0; n < layers; n++) {
    const p = distil
      ? { q: `transformer.layer.${n}.attention.q_lin`, k: `transformer.layer.${n}.attention.k_lin`, v: `transformer.layer.${n}.attention.v_lin`, o: `transformer.layer.${n}.attention.out_lin`, n1: `transformer.layer.${n}.sa_layer_norm`, f1: `transformer.layer.${n}.ffn.lin1`, f2: `transformer.layer.${n}.ffn.lin2`, n2: `transformer.layer.${n}.output_layer_norm` }
      : { q: `encoder.layer.${n}.attention.self.query`, k: `encoder.layer.${n}.attention.self.key`, v: `encoder.layer.${n}.attention.self.value`, o: `encoder.layer.${n}.attention.output.dense`, n1: `encoder.layer.${n}.attention.output.LayerNorm`, f1: `encoder.layer.${n}.intermediate.dense`, f2: `encoder.layer.${n}.output.dense`, n2: `encoder.layer.${n}.output.LayerNorm` };
    const lin = (x: number[], stem: string): number[] => linear(x, t(`${stem}.weight`), t(`${stem}.bias`));
    const context = selfAttention(states.map((x) => lin(x, p.q)), states.map((x) => lin(x, p.k)), states.map((x) => lin(x, p.v)), heads);
    const attended = states.map((x, i) => layerNorm(lin(context[i]!, p.o).map((o, d) => o + x[d]!), t(`${p.n1}.weight`), t(`${p.n1}.bias`), eps));
    states = attended.map((a) => {
      const intermediate = lin(a, p.f1).map((v) => act(activation, v));
      return layerNorm(lin(intermediate, p.f2).map((o, d) => o + a[d]!), t(`${p.n2}.weight`), t(`${p.n2}.bias`), eps);
    });
    hiddenStates.push(states);
  }
  return { input, hiddenStates };
}

/** sentence-transformers' mean pooling over every token, then F.normalize. */
export function meanPoolNormalized(states: readonly (readonly number[])[]): number[] {
  const mean = states[0]!.map((_, d) => states.reduce((a, s) => a + s[d]!, 0) / states.length);
  const length = Math.sqrt(mean.reduce((a, v) => a + v * v, 0));
  return mean.map((v) => v / Math.max(length, 1e-12));
}
