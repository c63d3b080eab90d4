/**
 * The names of a checkpoint's weight files, without the reader: verifying a cached conversion
 * (./convert.ts) lists the source files by these names and needs nothing else of ./checkpoint.ts.
 */

/** The single-file weights name. */
export const SAFETENSORS_FILE = 'model.safetensors';
/** The index of a sharded checkpoint. */
export const SAFETENSORS_INDEX = 'model.safetensors.index.json';
