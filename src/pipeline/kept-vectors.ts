/**
 * Where a dataset's analysis keeps the embeddings it needs past their chunk (the fit and probe
 * samples, the occurrences contextuality measures): in shared memory (SharedArrayBuffer), so that
 * the probes and contextuality measures in the analysis pool read the vectors where they are
 * (`packVectors`, analysis-tasks.ts, hands a worker the shared blocks and where each vector sits
 * instead of copying every vector into a buffer of the task's own: tens of MB per representation,
 * allocated afresh each time). Vectors a model (or the embedding cache) already returned in shared
 * memory are kept as they are when the caller says so; the others are copied into shared blocks
 * of a few MB, so that a kept vector never holds a model's larger block alive.
 */
import { RecordBlocks } from '../cache/segment.js';
import type { OccurrenceEmbedding } from '../types.js';

export class KeptVectors {
  private readonly blocks = new RecordBlocks(Number.POSITIVE_INFINITY, undefined, true);

  /**
   * `embeddings` with vectors in shared memory. With `adopt`, a vector already in shared memory is
   * kept as it is (the caller keeps the whole batch, so the blocks it holds alive are kept anyway);
   * every other vector is copied, the same object once per call (a static model hands one object to
   * every occurrence of a word, and its copies stay one shared object as well).
   */
  keep(embeddings: readonly OccurrenceEmbedding[], { adopt = false }: { readonly adopt?: boolean } = {}): OccurrenceEmbedding[] {
    const copies = new Map<Float32Array, Float32Array>();
    return embeddings.map(({ vectors, truncated }) => ({
      vectors: vectors.map((vector) => {
        if (vector === null || (adopt && vector.buffer instanceof SharedArrayBuffer)) return vector;
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
