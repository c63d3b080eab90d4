/**
 * Where a dataset's analysis keeps the embeddings it needs past their chunk (the fit and probe
 * samples, the occurrences contextuality measures): each representation's vectors in one block of
 * shared memory, filled as embeddings are kept. The probes and contextuality measures in the
 * analysis pool then read the vectors where they are: `packVectors` (analysis-tasks.ts) hands a
 * worker the shared block and the slots it wants instead of copying every vector into a buffer
 * of the task's own (tens of MB per representation, allocated afresh each time). A kept vector
 * is a copy of its own, so it never holds a model's larger block alive either.
 */
import type { OccurrenceEmbedding } from '../types.js';

/** Kept vectors of one representation: `count` slots of `dims` values in one shared block. */
interface Store {
  readonly dims: number;
  readonly block: Float32Array;
  count: number;
}

export class KeptVectors {
  private readonly stores: (Store | null)[];

  /**
   * `capacity`: how many embeddings will be kept at most (each representation's block has room
   * for that many vectors, allocated when its first vector is kept).
   */
  constructor(
    private readonly capacity: number,
    representations: number,
  ) {
    this.stores = new Array<Store | null>(representations).fill(null);
  }

  /**
   * Copies of `embeddings` whose vectors live in the shared blocks. Within one call, the same
   * vector object is copied once (a static model hands one object to every occurrence of a
   * word), so its copies stay one shared object as well. A vector the blocks cannot take (over
   * capacity, or of another length than the representation's first) gets a copy of its own.
   */
  keep(embeddings: readonly OccurrenceEmbedding[]): OccurrenceEmbedding[] {
    const copies = new Map<Float32Array, Float32Array>();
    return embeddings.map(({ vectors, truncated }) => ({
      vectors: vectors.map((vector, r) => {
        if (vector === null) return null;
        let copy = copies.get(vector);
        if (copy === undefined) {
          copy = this.copy(r, vector);
          copies.set(vector, copy);
        }
        return copy;
      }),
      truncated,
    }));
  }

  private copy(r: number, vector: Float32Array): Float32Array {
    let store = this.stores[r] ?? null;
    if (store === null && r < this.stores.length && vector.length > 0) {
      store = { dims: vector.length, block: new Float32Array(new SharedArrayBuffer(this.capacity * vector.length * 4)), count: 0 };
      this.stores[r] = store;
    }
    if (store === null || store.dims !== vector.length || (store.count + 1) * store.dims > store.block.length) return vector.slice();
    const slot = store.block.subarray(store.count * store.dims, (store.count + 1) * store.dims);
    slot.set(vector);
    store.count++;
    return slot;
  }
}
