/**
 * Graph surgery: makes a Hugging Face ONNX export output every layer. A standard export outputs
 * only `last_hidden_state` (or only `logits`); the layer curve needs `hidden_states[0..N]`. This
 * module reads the graph with the project's ONNX code (onnx-proto), finds the tensor that ends
 * each transformer layer, and writes a derived model that also outputs them, cached under
 * `<cacheDir>/onnx-derived/<sha256 of the original>/` (the user's files are never touched).
 *
 * Layers are found from the weight initializers, which keep Hugging Face parameter names in every
 * export (node names do not: `/encoder/layer.3/output/LayerNorm/Add_1`, `LayerNormalization`,
 * `Add_160` and `..._DequantizeLinear` all occur). For a post-norm layer (BERT family) the layer
 * ends in its output LayerNorm: the node consuming `<...>.output.LayerNorm.weight` and, when the
 * norm is decomposed (opset < 17: Mul by the weight, then Add of the bias), the node consuming
 * `.bias` after it. Quantized exports reach a weight through DequantizeLinear (or Cast /
 * Identity), which is followed. ALBERT's one shared layer is consumed once per unrolled layer: the
 * consumers in graph order are layers 1..N.
 *
 * | family (parameter names)                                   | hidden_states[0]               | hidden_states[i]                 |
 * | ---------------------------------------------------------- | ------------------------------ | -------------------------------- |
 * | BERT, RoBERTa, XLM-R, ELECTRA, MPNet, DeBERTa, MiniLM, ... | `embeddings.LayerNorm`         | `encoder.layer.{i-1}.output.LayerNorm` |
 * | ELECTRA with `embeddings_project`                          | `embeddings_project` output    | as BERT                          |
 * | DistilBERT                                                 | `embeddings.LayerNorm`         | `transformer.layer.{i-1}.output_layer_norm` |
 * | ALBERT                                                     | `encoder.embedding_hidden_mapping_in` output | i-th use of `...albert_layers.0.full_layer_layer_norm` |
 * | T5 encoder (pre-norm, `encoder_model.onnx`)                | = `input` (no positions)        | input of `encoder.block.i` (i < N); `encoder.final_layer_norm` output (i = N) |
 *
 * `input` is the output of the Gather that reads `embeddings.word_embeddings.weight` (or
 * `shared.weight`) with the input ids: the word-embedding rows before positions are added.
 * A pre-norm T5 block is found from its first RMS norm (the tensor it normalizes is the block's
 * input, which must be the previous block's residual Add). Anything else (unknown names, a layer
 * whose chain does not end where expected) is reported as not understood, with what was found; the caller then scores only the
 * graph's own outputs, never a guessed layer.
 */
import { createHash } from 'node:crypto';
import { copyFile, link, mkdir, readFile, rm, stat } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import onnxProto from 'onnx-proto';
import { z } from 'zod';
import { writeFileAtomic } from '../io/atomic.js';
import { pathExists } from '../io/paths.js';

const { onnx } = onnxProto;

/** Bump when the derived models change, so that old cache entries are rebuilt. */
export const GRAPH_SURGERY_VERSION = 1;

/** One tensor the derived model outputs. */
export interface LayerTensor {
  /** `input`, `embeddings`, `layer-1`, ... */
  readonly representation: string;
  /** The derived model's output name. */
  readonly output: string;
  /** The tensor inside the original graph. */
  readonly tensor: string;
  /** The initializer the tensor was found from. */
  readonly parameter: string;
  /** How the tensor was found, e.g. `LayerNormalization`, `Mul -> Add (decomposed LayerNorm)`. */
  readonly via: string;
}

/** What the analysis found in a graph. */
export interface GraphAnalysis {
  /** `bert`, `distilbert`, `albert`, ... (from the parameter names), or `unknown`. */
  readonly layout: string;
  /** True when every layer and the embeddings were found. */
  readonly understood: boolean;
  /** The tensors to output, in `input`, `embeddings`, `layer-1` ... order (empty when not understood). */
  readonly tensors: readonly LayerTensor[];
  /** Hidden size, from the LayerNorm weight's length. */
  readonly hiddenSize: number | undefined;
  /** The graph's own outputs. */
  readonly graphOutputs: readonly string[];
  /** Graph outputs that are the last layer's tensor (through Identity nodes). */
  readonly outputsEqualToLastLayer: readonly string[];
  /** Element type of the hidden states (`float32`, `float16`). */
  readonly elementType: 'float32' | 'float16';
  /** What was found, one line each (for `models inspect` and errors). */
  readonly notes: readonly string[];
}

type Node = onnxProto.onnx.INodeProto;
type Graph = onnxProto.onnx.IGraphProto;

/** Ops that pass a weight through unchanged in meaning (quantization, casts). */
const PASS_THROUGH = new Set(['DequantizeLinear', 'Cast', 'Identity']);

interface GraphIndex {
  readonly nodes: readonly Node[];
  readonly consumers: ReadonlyMap<string, readonly number[]>;
  readonly producer: ReadonlyMap<string, number>;
  readonly initializers: ReadonlyMap<string, onnxProto.onnx.ITensorProto>;
}

function indexGraph(graph: Graph): GraphIndex {
  const nodes = graph.node ?? [];
  const consumers = new Map<string, number[]>();
  const producer = new Map<string, number>();
  nodes.forEach((node, index) => {
    for (const input of node.input ?? []) {
      if (input === '') continue;
      const list = consumers.get(input) ?? [];
      list.push(index);
      consumers.set(input, list);
    }
    for (const output of node.output ?? []) producer.set(output, index);
  });
  const initializers = new Map((graph.initializer ?? []).map((t) => [t.name ?? '', t]));
  return { nodes, consumers, producer, initializers };
}

/** Nodes that use `tensor`, looking through pass-through ops (DequantizeLinear, Cast, Identity); in graph order. */
function realConsumers(index: GraphIndex, tensor: string): number[] {
  const found = new Set<number>();
  const queue = [tensor];
  const seen = new Set<string>();
  while (queue.length > 0) {
    const name = queue.shift()!;
    if (seen.has(name)) continue;
    seen.add(name);
    for (const n of index.consumers.get(name) ?? []) {
      const node = index.nodes[n]!;
      if (PASS_THROUGH.has(node.opType ?? '') && node.input?.[0] === name) queue.push(...(node.output ?? []));
      else found.add(n);
    }
  }
  return [...found].sort((a, b) => a - b);
}

/** The initializer for parameter `name`, allowing the suffixes quantizers add (`_quantized`). */
function findParameter(index: GraphIndex, name: string): string | undefined {
  if (index.initializers.has(name)) return name;
  for (const suffix of ['_quantized', '_fp16', '_dequantized']) if (index.initializers.has(name + suffix)) return name + suffix;
  return undefined;
}

function tensorLength(tensor: onnxProto.onnx.ITensorProto | undefined): number | undefined {
  if (!tensor?.dims || tensor.dims.length !== 1) return undefined;
  return Number(tensor.dims[0]);
}

/**
 * The tensor ending the LayerNorm whose weight is consumed by node `start` (see the file comment):
 * a LayerNormalization's first output, or for a decomposed norm the output of the node that
 * consumes the bias, at most four single-consumer steps after the weight's Mul.
 */
function layerNormEnd(index: GraphIndex, start: number, bias: string | undefined): { tensor: string; via: string } | string {
  const node = index.nodes[start]!;
  const op = node.opType ?? '';
  if (['LayerNormalization', 'SkipLayerNormalization', 'EmbedLayerNormalization', 'SimplifiedLayerNormalization', 'SkipSimplifiedLayerNormalization'].includes(op)) {
    return { tensor: node.output![0]!, via: op };
  }
  if (op !== 'Mul') return `its weight is consumed by ${op} (${node.name ?? ''}), not a LayerNormalization or Mul`;
  if (bias === undefined) return { tensor: node.output![0]!, via: 'Mul (decomposed LayerNorm without bias)' };
  const biasUsers = new Set(realConsumers(index, bias));
  let current = start;
  const path = ['Mul'];
  for (let step = 0; step < 4; step++) {
    const next = index.consumers.get(index.nodes[current]!.output![0]!) ?? [];
    if (next.length !== 1) break;
    current = next[0]!;
    path.push(index.nodes[current]!.opType ?? '?');
    if (biasUsers.has(current)) return { tensor: index.nodes[current]!.output![0]!, via: `${path.join(' -> ')} (decomposed LayerNorm)` };
  }
  return `after its weight's Mul, no node within four steps adds the bias ${bias} (path ${path.join(' -> ')})`;
}

interface LayoutMatch {
  readonly layout: string;
  readonly prefix: string;
  /** `layer` parameter stem per layer index, or one shared stem (ALBERT). */
  readonly layers: { readonly stems: readonly string[] } | { readonly shared: string };
}

/** Recognises the layout from LayerNorm weight names. */
function matchLayout(names: readonly string[]): LayoutMatch | undefined {
  const patterns: { layout: string; regex: RegExp; stem: (prefix: string, n: number) => string }[] = [
    { layout: 'bert-family', regex: /^(.*?)encoder\.layer\.(\d+)\.output\.LayerNorm\.(weight|gamma)(_quantized)?$/, stem: (p, n) => `${p}encoder.layer.${n}.output.LayerNorm` },
    { layout: 'distilbert', regex: /^(.*?)transformer\.layer\.(\d+)\.output_layer_norm\.weight(_quantized)?$/, stem: (p, n) => `${p}transformer.layer.${n}.output_layer_norm` },
  ];
  for (const pattern of patterns) {
    const found = new Map<number, string>();
    let prefix: string | undefined;
    for (const name of names) {
      const m = pattern.regex.exec(name);
      if (!m) continue;
      prefix ??= m[1]!;
      if (m[1] === prefix) found.set(Number(m[2]), pattern.stem(prefix, Number(m[2])));
    }
    if (prefix !== undefined) {
      const count = Math.max(...found.keys()) + 1;
      const stems = Array.from({ length: count }, (_, i) => found.get(i) ?? '');
      return { layout: pattern.layout, prefix, layers: { stems } };
    }
  }
  for (const name of names) {
    const m = /^(.*?)encoder\.albert_layer_groups\.0\.albert_layers\.0\.full_layer_layer_norm\.(weight|gamma)(_quantized)?$/.exec(name);
    if (m) return { layout: 'albert', prefix: m[1]!, layers: { shared: `${m[1]!}encoder.albert_layer_groups.0.albert_layers.0.full_layer_layer_norm` } };
  }
  return undefined;
}

function weightOf(index: GraphIndex, stem: string): string | undefined {
  return findParameter(index, `${stem}.weight`) ?? findParameter(index, `${stem}.gamma`);
}

function biasOf(index: GraphIndex, stem: string): string | undefined {
  return findParameter(index, `${stem}.bias`) ?? findParameter(index, `${stem}.beta`);
}

/** Follows Identity nodes back from a graph output to the tensor it copies. */
function throughIdentity(index: GraphIndex, tensor: string): string {
  let current = tensor;
  for (let i = 0; i < 16; i++) {
    const p = index.producer.get(current);
    if (p === undefined || index.nodes[p]!.opType !== 'Identity') return current;
    current = index.nodes[p]!.input![0]!;
  }
  return current;
}

/** True when `tensor` is `source`, or made from it by shape and type ops only (Cast, Reshape, Unsqueeze, ...). */
function derivesFrom(index: GraphIndex, tensor: string, source: string): boolean {
  let current = tensor;
  for (let step = 0; step < 6; step++) {
    if (current === source) return true;
    const p = index.producer.get(current);
    if (p === undefined || !['Cast', 'Identity', 'Reshape', 'Unsqueeze', 'Squeeze', 'Flatten'].includes(index.nodes[p]!.opType ?? '')) return false;
    current = index.nodes[p]!.input![0]!;
  }
  return false;
}

/** Analyses a decoded model; see the file comment. */
export function analyseGraph(model: onnxProto.onnx.IModelProto): GraphAnalysis {
  const graph = model.graph ?? {};
  const index = indexGraph(graph);
  const graphOutputs = (graph.output ?? []).map((o) => o.name ?? '');
  const notes: string[] = [];
  const names = [...index.initializers.keys()];
  const notUnderstood = (reason: string, layout = 'unknown'): GraphAnalysis => {
    notes.push(reason);
    return { layout, understood: false, tensors: [], hiddenSize: undefined, graphOutputs, outputsEqualToLastLayer: [], elementType: 'float32', notes };
  };
  const match = matchLayout(names);
  if (!match) {
    if (names.some((n) => /(^|\.)encoder\.block\.\d+\.layer\.0\.layer_norm\.weight/.test(n))) return analyseT5(index, names, graphOutputs);
    return notUnderstood(
      `no layer parameters of a known layout (encoder.layer.N.output.LayerNorm, transformer.layer.N.output_layer_norm, albert_layer_groups, encoder.block.N) among ${names.length} initializers`,
    );
  }
  const { prefix, layout } = match;
  const tensors: LayerTensor[] = [];

  // input: the Gather over the word embeddings with the token ids.
  const wordName = findParameter(index, `${prefix}embeddings.word_embeddings.weight`);
  if (wordName === undefined) return notUnderstood(`found ${layout} layers but no ${prefix}embeddings.word_embeddings.weight`, layout);
  const gather = realConsumers(index, wordName).find((n) => index.nodes[n]!.opType === 'Gather' && derivesFrom(index, index.nodes[n]!.input?.[1] ?? '', 'input_ids'));
  if (gather === undefined) notes.push(`${wordName}: no Gather of it with input_ids (no input representation)`);
  else {
    let tensor = index.nodes[gather]!.output![0]!;
    const after = index.consumers.get(tensor) ?? [];
    if (after.length === 1 && index.nodes[after[0]!]!.opType === 'DequantizeLinear') tensor = index.nodes[after[0]!]!.output![0]!;
    tensors.push({ representation: 'input', output: 'sensebench_input', tensor, parameter: wordName, via: 'Gather (word-embedding rows)' });
  }

  // embeddings: the embedding LayerNorm, or the projection after it (ALBERT, ELECTRA-small).
  const projection = [`${prefix}encoder.embedding_hidden_mapping_in.bias`, `${prefix}embeddings_project.bias`].map((n) => findParameter(index, n)).find((n) => n !== undefined);
  if (projection !== undefined) {
    const users = realConsumers(index, projection);
    if (users.length !== 1) return notUnderstood(`${projection} is used by ${users.length} nodes, expected 1`, layout);
    tensors.push({ representation: 'embeddings', output: 'sensebench_embeddings', tensor: index.nodes[users[0]!]!.output![0]!, parameter: projection, via: `${index.nodes[users[0]!]!.opType ?? '?'} (embedding projection)` });
  } else {
    const stem = `${prefix}embeddings.LayerNorm`;
    const weight = weightOf(index, stem);
    if (weight === undefined) return notUnderstood(`found ${layout} layers but no ${stem}.weight`, layout);
    const users = realConsumers(index, weight);
    if (users.length !== 1) return notUnderstood(`${weight} is used by ${users.length} nodes, expected 1`, layout);
    const end = layerNormEnd(index, users[0]!, biasOf(index, stem));
    if (typeof end === 'string') return notUnderstood(`${weight}: ${end}`, layout);
    tensors.push({ representation: 'embeddings', output: 'sensebench_embeddings', tensor: end.tensor, parameter: weight, via: end.via });
  }

  let hiddenSize: number | undefined;
  const layerEnds: { weight: string; start: number; bias: string | undefined }[] = [];
  if ('shared' in match.layers) {
    const weight = weightOf(index, match.layers.shared)!;
    hiddenSize = tensorLength(index.initializers.get(weight));
    const users = realConsumers(index, weight);
    for (const start of users) layerEnds.push({ weight, start, bias: biasOf(index, match.layers.shared) });
    notes.push(`${weight}: shared by ${users.length} unrolled layers (graph order = layer order)`);
  } else {
    for (const [i, stem] of match.layers.stems.entries()) {
      const weight = stem === '' ? undefined : weightOf(index, stem);
      if (weight === undefined) return notUnderstood(`layer ${i}: no LayerNorm weight (found layers ${match.layers.stems.filter((s) => s !== '').length} of ${match.layers.stems.length})`, layout);
      hiddenSize ??= tensorLength(index.initializers.get(weight));
      const users = realConsumers(index, weight);
      if (users.length !== 1) return notUnderstood(`${weight} is used by ${users.length} nodes, expected 1`, layout);
      layerEnds.push({ weight, start: users[0]!, bias: biasOf(index, stem) });
    }
  }
  if (layerEnds.length === 0) return notUnderstood(`found ${layout} parameters but no node uses them`, layout);
  for (const [i, layer] of layerEnds.entries()) {
    const end = layerNormEnd(index, layer.start, layer.bias);
    if (typeof end === 'string') return notUnderstood(`layer ${i + 1}: ${layer.weight}: ${end}`, layout);
    tensors.push({ representation: `layer-${i + 1}`, output: `sensebench_layer_${i + 1}`, tensor: end.tensor, parameter: layer.weight, via: end.via });
  }
  // Layers must come in graph order (each consumes the one before); a violation means a misreading.
  const order = tensors.filter((t) => t.representation.startsWith('layer-')).map((t) => index.producer.get(t.tensor) ?? -1);
  if (order.some((p, i) => i > 0 && p <= order[i - 1]!)) return notUnderstood('the layer ends found are not in graph order', layout);

  const last = tensors.at(-1)!.tensor;
  const outputsEqualToLastLayer = graphOutputs.filter((o) => throughIdentity(index, o) === last);
  const gamma = index.initializers.get(layerEnds[0]!.weight);
  const elementType = gamma?.dataType === onnx.TensorProto.DataType.FLOAT16 ? 'float16' : 'float32';
  notes.unshift(`${layout} layout${prefix !== '' ? ` (parameters under ${prefix})` : ''}: ${layerEnds.length} layers, hidden size ${hiddenSize ?? '?'}`);
  return { layout, understood: true, tensors, hiddenSize, graphOutputs, outputsEqualToLastLayer, elementType, notes };
}

/**
 * The tensor an RMS norm (T5LayerNorm) normalizes, given the node that consumes its weight: the
 * input of a fused SimplifiedLayerNormalization / RMSNormalization, or, decomposed
 * (`w * (x * 1/sqrt(mean(x^2) + eps))`), the operand of the inner Mul that is also squared.
 */
function rmsNormInput(index: GraphIndex, start: number): { tensor: string; via: string } | string {
  const node = index.nodes[start]!;
  const op = node.opType ?? '';
  if (op === 'SimplifiedLayerNormalization' || op === 'RMSNormalization') return { tensor: node.input![0]!, via: op };
  if (op !== 'Mul') return `its weight is consumed by ${op}, not an RMS norm`;
  const isSquared = (tensor: string): boolean =>
    (index.consumers.get(tensor) ?? []).some((c) => {
      const user = index.nodes[c]!;
      return user.opType === 'Pow' || (user.opType === 'Mul' && user.input?.[0] === tensor && user.input[1] === tensor);
    });
  const skipCasts = (tensor: string): string => {
    let current = tensor;
    for (let i = 0; i < 4; i++) {
      const p = index.producer.get(current);
      if (p === undefined || index.nodes[p]!.opType !== 'Cast') break;
      current = index.nodes[p]!.input![0]!;
    }
    return current;
  };
  for (const operand of node.input ?? []) {
    const inner = index.producer.get(skipCasts(operand));
    if (inner === undefined || index.nodes[inner]!.opType !== 'Mul') continue;
    for (const x of index.nodes[inner]!.input ?? []) {
      if (isSquared(x)) return { tensor: skipCasts(x), via: 'Mul (decomposed RMS norm)' };
    }
  }
  return "no squared operand behind its weight's Mul (not a decomposed RMS norm)";
}

/**
 * T5 encoders (pre-norm): block N starts with the RMS norm `encoder.block.N.layer.0.layer_norm`,
 * so the tensor that norm reads is the block's input, the previous block's output (a residual
 * Add). Hugging Face's hidden_states are the block inputs, then the final norm's output:
 * `[x_0, x_1, ..., x_{N-1}, final_layer_norm(x_N)]`. There are no position embeddings, so
 * `embeddings` (x_0) is the word-embedding rows themselves and is reported once, as `input`.
 */
function analyseT5(index: GraphIndex, names: readonly string[], graphOutputs: readonly string[]): GraphAnalysis {
  const notes: string[] = [];
  const fail = (reason: string): GraphAnalysis => {
    notes.push(reason);
    return { layout: 't5', understood: false, tensors: [], hiddenSize: undefined, graphOutputs, outputsEqualToLastLayer: [], elementType: 'float32', notes };
  };
  const blocks = new Map<number, string>();
  let prefix = '';
  for (const name of names) {
    const m = /^(.*?)encoder\.block\.(\d+)\.layer\.0\.layer_norm\.weight(_quantized)?$/.exec(name);
    if (m) {
      prefix = m[1]!;
      blocks.set(Number(m[2]), name);
    }
  }
  const count = Math.max(...blocks.keys()) + 1;
  const finalWeight = findParameter(index, `${prefix}encoder.final_layer_norm.weight`);
  if (finalWeight === undefined) return fail(`found ${count} T5 blocks but no ${prefix}encoder.final_layer_norm.weight`);
  const blockInputs: string[] = [];
  for (let n = 0; n < count; n++) {
    const weight = blocks.get(n);
    if (weight === undefined) return fail(`T5 block ${n}: no layer.0.layer_norm.weight`);
    const users = realConsumers(index, weight);
    if (users.length !== 1) return fail(`${weight} is used by ${users.length} nodes, expected 1`);
    const x = rmsNormInput(index, users[0]!);
    if (typeof x === 'string') return fail(`${weight}: ${x}`);
    blockInputs.push(x.tensor);
  }
  const finalUsers = realConsumers(index, finalWeight);
  if (finalUsers.length !== 1) return fail(`${finalWeight} is used by ${finalUsers.length} nodes, expected 1`);
  const lastInput = rmsNormInput(index, finalUsers[0]!);
  if (typeof lastInput === 'string') return fail(`${finalWeight}: ${lastInput}`);
  // Every block ends with its residual Add: the next block's input must be one.
  for (const [i, tensor] of [...blockInputs.slice(1), lastInput.tensor].entries()) {
    const p = index.producer.get(tensor);
    if (p === undefined || index.nodes[p]!.opType !== 'Add') return fail(`T5 block ${i}: its output ${tensor} is not a residual Add (${p === undefined ? 'no producer' : index.nodes[p]!.opType ?? '?'})`);
  }
  const finalOut = index.nodes[finalUsers[0]!]!.output![0]!;
  const embedding = [`${prefix}shared.weight`, `${prefix}encoder.embed_tokens.weight`].map((n) => findParameter(index, n)).find((n) => n !== undefined);
  const tensors: LayerTensor[] = [];
  const gather = embedding === undefined ? undefined : realConsumers(index, embedding).find((n) => index.nodes[n]!.opType === 'Gather');
  if (embedding === undefined || gather === undefined || index.nodes[gather]!.output![0] !== blockInputs[0]) {
    notes.push(`the first block's input ${blockInputs[0]!} is not a Gather of shared.weight: reported as embeddings`);
    tensors.push({ representation: 'embeddings', output: 'sensebench_embeddings', tensor: blockInputs[0]!, parameter: blocks.get(0)!, via: 'input of block 0' });
  } else {
    tensors.push({ representation: 'input', output: 'sensebench_input', tensor: blockInputs[0]!, parameter: embedding, via: 'Gather (word-embedding rows; = hidden_states[0], T5 adds no positions)' });
  }
  for (let n = 1; n < count; n++) tensors.push({ representation: `layer-${n}`, output: `sensebench_layer_${n}`, tensor: blockInputs[n]!, parameter: blocks.get(n)!, via: `residual Add read by block ${n}'s first norm` });
  tensors.push({ representation: `layer-${count}`, output: `sensebench_layer_${count}`, tensor: finalOut, parameter: finalWeight, via: `${lastInput.via === 'Mul (decomposed RMS norm)' ? 'Mul (decomposed RMS norm)' : lastInput.via}: final_layer_norm output` });
  const outputsEqualToLastLayer = graphOutputs.filter((o) => throughIdentity(index, o) === finalOut);
  const hiddenSize = tensorLength(index.initializers.get(finalWeight));
  notes.unshift(`t5 layout (pre-norm)${prefix !== '' ? ` (parameters under ${prefix})` : ''}: ${count} blocks, hidden size ${hiddenSize ?? '?'}`);
  const elementType = index.initializers.get(finalWeight)?.dataType === onnx.TensorProto.DataType.FLOAT16 ? 'float16' : 'float32';
  return { layout: 't5', understood: true, tensors, hiddenSize, graphOutputs, outputsEqualToLastLayer, elementType, notes };
}

/** A copy of `model` that also outputs `tensors` (through Identity nodes named by `output`). */
export function addOutputs(model: onnxProto.onnx.IModelProto, tensors: readonly LayerTensor[], elementType: 'float32' | 'float16'): Uint8Array {
  const graph = model.graph ?? {};
  const elemType = elementType === 'float16' ? onnx.TensorProto.DataType.FLOAT16 : onnx.TensorProto.DataType.FLOAT;
  const identities: Node[] = tensors.map((t) => ({ name: `sensebench/${t.output}`, opType: 'Identity', domain: '', input: [t.tensor], output: [t.output], attribute: [] }));
  const outputs = tensors.map((t) => ({
    name: t.output,
    type: { tensorType: { elemType, shape: { dim: [{ dimParam: 'batch_size' }, { dimParam: 'sequence_length' }, { dimParam: 'hidden_size' }] } } },
  }));
  const derived = onnx.ModelProto.create({
    ...model,
    graph: { ...graph, node: [...(graph.node ?? []), ...identities], output: [...(graph.output ?? []), ...outputs] },
  });
  return onnx.ModelProto.encode(derived).finish();
}

/** The external-data files the ONNX graph in `bytes` refers to (locations relative to its directory, sorted). */
export function externalDataLocations(bytes: Uint8Array): string[] {
  return externalLocations(onnx.ModelProto.decode(bytes));
}

/** The external-data files a model refers to (relative locations). */
function externalLocations(model: onnxProto.onnx.IModelProto): string[] {
  const locations = new Set<string>();
  for (const tensor of model.graph?.initializer ?? []) {
    if (tensor.dataLocation !== onnx.TensorProto.DataLocation.EXTERNAL) continue;
    const location = tensor.externalData?.find((e) => e.key === 'location')?.value;
    if (location) locations.add(location);
  }
  return [...locations].sort();
}

const manifestSchema = z.object({
  version: z.literal(GRAPH_SURGERY_VERSION),
  sourceSha256: z.string(),
  derivedSha256: z.string(),
  analysis: z.unknown(),
});

/** Result of {@link prepareLayerGraph}. */
export interface PreparedGraph {
  /** The ONNX file to run: the derived model, or the original when nothing was added. */
  readonly path: string;
  readonly analysis: GraphAnalysis;
  /** True when the derived model came from the cache. */
  readonly cached: boolean;
}

async function linkOrCopy(from: string, to: string): Promise<void> {
  try {
    await link(from, to);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EXDEV') throw error;
    await copyFile(from, to);
  }
}

async function sha256OfFile(path: string): Promise<string> {
  return createHash('sha256').update(await readFile(path)).digest('hex');
}

/**
 * Analyses `onnxPath` and, when its layers are understood, returns a derived model that outputs
 * them, built once and cached under `<cacheDir>/onnx-derived/<sha256>/` with a manifest; a cache
 * entry whose model bytes no longer match the manifest is rebuilt. External-data files are linked
 * beside the derived model (hard-linked, or copied across file systems; never modified).
 */
export async function prepareLayerGraph(onnxPath: string, cacheDir: string, sourceSha256?: string): Promise<PreparedGraph> {
  const sha = sourceSha256 ?? (await sha256OfFile(onnxPath));
  const dir = join(cacheDir, 'onnx-derived', sha);
  const derivedPath = join(dir, 'model.onnx');
  const manifestPath = join(dir, 'sensebench-derived.json');
  if ((await pathExists(manifestPath)) && (await pathExists(derivedPath))) {
    try {
      const manifest = manifestSchema.parse(JSON.parse(await readFile(manifestPath, 'utf8')) as unknown);
      if (manifest.sourceSha256 === sha && manifest.derivedSha256 === (await sha256OfFile(derivedPath))) {
        return { path: derivedPath, analysis: manifest.analysis as GraphAnalysis, cached: true };
      }
    } catch {
      // A damaged manifest is rebuilt below like a missing one.
    }
  }
  const model = onnx.ModelProto.decode(await readFile(onnxPath));
  const analysis = analyseGraph(model);
  if (!analysis.understood) return { path: onnxPath, analysis, cached: false };
  const derived = addOutputs(model, analysis.tensors, analysis.elementType);
  await mkdir(dir, { recursive: true });
  for (const location of externalLocations(model)) {
    const target = resolve(dirname(onnxPath), location);
    const linkPath = join(dir, location);
    if (!resolve(linkPath).startsWith(resolve(dir))) throw new Error(`external data location ${location} leaves the model directory`);
    // onnxruntime refuses external data that resolves outside the model's directory, so a
    // symbolic link will not do: a hard link (same file system), else a copy.
    const [source, existing] = await Promise.all([stat(target), stat(linkPath).catch(() => undefined)]);
    if (existing?.ino !== source.ino || existing.dev !== source.dev) {
      await rm(linkPath, { force: true });
      await mkdir(dirname(linkPath), { recursive: true });
      await linkOrCopy(target, linkPath);
    }
  }
  await writeFileAtomic(derivedPath, derived);
  const derivedSha256 = createHash('sha256').update(derived).digest('hex');
  await writeFileAtomic(manifestPath, `${JSON.stringify({ version: GRAPH_SURGERY_VERSION, sourceSha256: sha, derivedSha256, analysis }, null, 2)}\n`);
  return { path: derivedPath, analysis, cached: false };
}
