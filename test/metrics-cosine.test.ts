import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

import { cosine, cosineInBlock, cosineWithNorms, squaredNorm } from '../src/metrics/cosine.js';
import { fitNormalization, normalizeIntoBlock, normalizeVector } from '../src/metrics/normalization.js';

const vector = (length: number) => fc.float32Array({ minLength: length, maxLength: length, noNaN: true, noDefaultInfinity: true, min: -1e6, max: 1e6 });

describe('cosine with known norms', () => {
  it('gives exactly the double cosine gives, for any two float32 vectors', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 40 }).chain((length) => fc.tuple(vector(length), vector(length))),
        ([a, b]) => {
          expect(Object.is(cosineWithNorms(a, b, squaredNorm(a), squaredNorm(b)), cosine(a, b))).toBe(true);
        },
      ),
      { numRuns: 2000 },
    );
  });

  it('keeps the exact 1 of a vector with itself and of equal copies, and null for a zero vector', () => {
    const a = Float32Array.from([0.1, -0.7, 0.3333]);
    expect(cosineWithNorms(a, a, squaredNorm(a), squaredNorm(a))).toBe(1);
    expect(cosineWithNorms(a, a.slice(), squaredNorm(a), squaredNorm(a))).toBe(1);
    const zero = new Float32Array(3);
    expect(cosineWithNorms(a, zero, squaredNorm(a), squaredNorm(zero))).toBeNull();
  });

  it('in one block (vectors at offsets) gives exactly the double of cosine, 1 for one offset twice', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 40 }).chain((length) => fc.tuple(vector(length), vector(length))),
        ([a, b]) => {
          const block = new Float32Array(3 + 2 * a.length);
          block.set(a, 3);
          block.set(b, 3 + a.length);
          expect(Object.is(cosineInBlock(block, 3, 3 + a.length, a.length, squaredNorm(a), squaredNorm(b)), cosine(a, b))).toBe(true);
        },
      ),
      { numRuns: 2000 },
    );
    const a = Float32Array.from([0.1, -0.7, 0.3333]);
    expect(cosineInBlock(a, 0, 0, 3, squaredNorm(a), squaredNorm(a))).toBe(1);
    expect(cosineInBlock(new Float32Array(6), 0, 3, 3, 0, 0)).toBeNull();
  });

  it('corrected into a block, each vector and its squared norm are exactly those of normalizeVector and squaredNorm', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 12 }).chain((length) => fc.array(vector(length), { minLength: 3, maxLength: 8 })),
        (vectors) => {
          const dims = vectors[0]!.length;
          const stats = fitNormalization(vectors);
          const block = new Float32Array(vectors.length * dims);
          for (const normalization of ['center', 'zscore', 'abtt'] as const) {
            vectors.forEach((v, i) => {
              const norm = normalizeIntoBlock(stats, normalization, v, new Float64Array(dims), block, i * dims);
              const expected = normalizeVector(stats, normalization, v)!;
              expect([...block.subarray(i * dims, (i + 1) * dims)]).toEqual([...expected]);
              expect(Object.is(norm, squaredNorm(expected))).toBe(true);
            });
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});
