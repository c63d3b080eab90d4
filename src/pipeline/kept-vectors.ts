/**
 * Where a dataset's analysis keeps the embeddings it needs past their chunk (the fit and probe
 * samples, the occurrences contextuality measures): copied into shared memory (SharedArrayBuffer
 * blocks of a few MB), so that the probes and contextuality measures in the analysis pool read the
 * vectors where they are (`packVectors`, analysis-tasks.ts, hands a worker the shared blocks and
 * where each vector sits instead of copying every vector into a buffer of the task's own: tens of
 * MB per representation and task, allocated afresh each time). A kept vector never holds a model's
 * (or the embedding cache's) larger block alive either.
 */
import { RecordBlocks } from '../cache/segment.js';
import type { OccurrenceEmbedding } from '../types.js';

export class KeptVectors {
  private readonly blocks = new RecordBlocks(Number.POSITIVE_INFINITY, undefined, true);

  /**
   * Copies of `embeddings` whose vectors are in shared memory: the same object is copied once per
   * call (a static model hands one object to every occurrence of a word, and its copies stay one
   * shared object as well); a vector already in shared memory is kept as it is.
   */
  keep(embeddings: readonly OccurrenceEmbedding[]): OccurrenceEmbedding[] {
    const copies = new Map<Float32Array, Float32Array>();
    return embeddings.map(({ vectors, truncated }) => ({
      vectors: vectors.map((vector) => {
        if (vector === null || vector.buffer instanceof SharedArrayBuffer) return vector;
        let copy = copies.get(vector);
        if (copy === undefined) {
          copy = this.blocks.take(vector.length);
          copy.set(vector);
          copies.set(vector, copy);
        }
        return copy;
      }),
      truncated,
    }));
  }
}
