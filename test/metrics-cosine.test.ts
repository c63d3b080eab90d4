import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

import { cosine, cosineWithNorms, squaredNorm } from '../src/metrics/cosine.js';

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
});
