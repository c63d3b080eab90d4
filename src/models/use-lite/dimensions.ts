/**
 * USE-lite's sizes, apart from the graph builder (./graph.ts) so that writing or reading its
 * config.json needs no ONNX code.
 */

/** Longest token sequence the original model reads (`ClipToMaxLength/Less/y`). */
export const USE_LITE_MAX_LENGTH = 128;

/** Widths of the graph, for config.json. */
export const USE_LITE_DIMENSIONS = { embedding: 256, hidden: 512, ffn: 1536, heads: 4, layers: 2 } as const;
