/**
 * The names of the converted encoder's graph outputs and its sentence pooling, shared by the graph
 * builder (./graph.ts) and the conversion (./convert.ts) without importing either: a load that
 * only verifies a cached conversion never parses the ONNX builder.
 */

/** ONNX graph outputs, by what they hold. */
export const ENCODER_OUTPUTS = {
  input: 'input_embeddings',
  hiddenState: (i: number): string => `hidden_states.${i}`,
  last: 'last_hidden_state',
  sentence: 'sentence_embedding',
} as const;

/** How the sentence-transformers model (if any) pools its last layer into a sentence vector. */
export interface SentencePooling {
  readonly mode: 'mean' | 'cls';
  readonly normalize: boolean;
}
