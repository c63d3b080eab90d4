/**
 * The argsort (radix, or insertion below a few dozen values) against the comparator sort it replaced (the reference: a plain stable sort
 * by value, then index), on arbitrary finite values with many ties, signed zeros and infinities.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { argsortAscending, averageRanks, denseRanks } from '../src/metrics/rank.js';

function referenceArgsort(values: readonly number[]): number[] {
  return values.map((_, i) => i).sort((a, b) => values[a]! - values[b]! || a - b);
}

/** Values with ties: drawn from a small pool half of the time. */
const values = fc.array(
  fc.oneof(
    fc.double({ noNaN: true }),
    fc.constantFrom(0, -0, 1, -1, 0.5, -0.5, Number.MIN_VALUE, -Number.MIN_VALUE, Number.MAX_VALUE, -Number.MAX_VALUE, Infinity, -Infinity),
    fc.integer({ min: -3, max: 3 }).map((k) => k / 4),
  ),
  { maxLength: 300 },
);

describe('argsortAscending', () => {
  it('orders exactly as a stable comparator sort by value, then index', () => {
    fc.assert(
      fc.property(values, (list) => {
        expect([...argsortAscending(list)]).toEqual(referenceArgsort(list));
      }),
      { numRuns: 1000 },
    );
  });

  it('orders short lists (insertion sort) and longer ones (radix sort) alike, around the switch', () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom(0, -0, 1, -1, 0.5, Infinity, -Infinity, 1e-300), { minLength: 40, maxLength: 60 }), (list) => {
        expect([...argsortAscending(list)]).toEqual(referenceArgsort(list));
      }),
      { numRuns: 300 },
    );
  });

  it('ties -0 with +0 and keeps index order among ties', () => {
    expect([...argsortAscending([0, -0, -1, 0, -0])]).toEqual([2, 0, 1, 3, 4]);
    expect([...argsortAscending([])]).toEqual([]);
    expect([...argsortAscending(Float64Array.from([3, 1, 2]))]).toEqual([1, 2, 0]);
  });

  it('sorts 200k cosines rounded to six decimals as the reference does', () => {
    let state = 1;
    const cosines = Array.from({ length: 200_000 }, () => {
      state = (state * 48271) % 2147483647;
      return Math.round(((state / 2147483647) * 2 - 1) * 1e6) / 1e6;
    });
    expect([...argsortAscending(cosines)]).toEqual(referenceArgsort(cosines));
  });

  it('gives average and dense ranks that agree with the order', () => {
    expect([...averageRanks([10, 20, 10, 30])]).toEqual([1.5, 3, 1.5, 4]);
    expect(denseRanks([0.3, -0, 0, 0.3])).toEqual({ ids: Uint32Array.from([1, 0, 0, 1]), groups: 2 });
  });
});
