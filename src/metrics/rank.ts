/**
 * Ranking with ties by average rank (the "fractional" ranking of Mann-Whitney U and Spearman's rho,
 * scipy.stats.rankdata(method='average')).
 */

/** Which 32-bit half of a float64 holds its sign and exponent: the second on little-endian machines. */
const HIGH_WORD = new Uint8Array(new Float64Array([-1]).buffer)[7] === 0xbf ? 1 : 0;

/**
 * Indices of `values` sorted ascending by value; ties (including -0 and +0) keep index order
 * (stable). Values must not be NaN.
 *
 * A stable least-significant-digit radix sort over the bits of each float64, mapped so that
 * unsigned order is numeric order: eight passes of one byte each. It gives exactly the order of
 * `sort((a, b) => values[a] - values[b] || a - b)`, in linear time and without the comparator's
 * cost, which on 200k cosines was millions of calls each allocating a boxed difference.
 */
export function argsortAscending(values: ArrayLike<number>): Uint32Array {
  const n = values.length;
  if (n <= INSERTION_SORT_SIZE) return insertionArgsort(values);
  // Keys as two 32-bit halves: a positive float flips its sign bit, a negative flips every bit.
  const bits = new Float64Array(1);
  const words = new Uint32Array(bits.buffer);
  const high = new Uint32Array(n);
  const low = new Uint32Array(n);
  for (let i = 0; i < n; i++) {
    const value = values[i]!;
    bits[0] = value === 0 ? 0 : value; // -0 ties with +0
    const h = words[HIGH_WORD]!;
    const l = words[1 - HIGH_WORD]!;
    if (h >>> 31 === 1) {
      high[i] = ~h >>> 0;
      low[i] = ~l >>> 0;
    } else {
      high[i] = (h | 0x80000000) >>> 0;
      low[i] = l;
    }
  }
  let order = new Uint32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  let next = new Uint32Array(n);
  const counts = new Uint32Array(257);
  for (let pass = 0; pass < 8; pass++) {
    const keys = pass < 4 ? low : high;
    const shift = (pass % 4) * 8;
    counts.fill(0);
    for (let i = 0; i < n; i++) counts[((keys[i]! >>> shift) & 0xff) + 1]!++;
    // A pass where every key has the same byte leaves the order as it is.
    if (counts.some((count) => count === n)) continue;
    for (let b = 0; b < 256; b++) counts[b + 1]! += counts[b]!;
    for (let i = 0; i < n; i++) {
      const index = order[i]!;
      next[counts[(keys[index]! >>> shift) & 0xff]!++] = index;
    }
    [order, next] = [next, order];
  }
  return order;
}

/**
 * Below this many values the radix sort's eight passes over 256 buckets cost more than comparing
 * (per-word AUCs sort a handful of cosines, tens of thousands of times a run).
 */
const INSERTION_SORT_SIZE = 48;

/**
 * The order {@link argsortAscending} gives, by insertion sort: a value moves before another only
 * when strictly smaller, so ties (-0 and +0 among them) keep index order.
 */
function insertionArgsort(values: ArrayLike<number>): Uint32Array {
  const n = values.length;
  const order = new Uint32Array(n);
  for (let i = 0; i < n; i++) {
    const value = values[i]!;
    let j = i;
    while (j > 0 && values[order[j - 1]!]! > value) {
      order[j] = order[j - 1]!;
      j--;
    }
    order[j] = i;
  }
  return order;
}

/** 1-based ranks; tied values all get the mean of the ranks they span. */
export function averageRanks(values: ArrayLike<number>): Float64Array {
  const order = argsortAscending(values);
  const ranks = new Float64Array(values.length);
  let start = 0;
  while (start < order.length) {
    let end = start + 1;
    const value = values[order[start]!]!;
    while (end < order.length && values[order[end]!]! === value) end++;
    // Ranks start+1 .. end averaged: (start + 1 + end) / 2.
    const rank = (start + 1 + end) / 2;
    for (let k = start; k < end; k++) ranks[order[k]!] = rank;
    start = end;
  }
  return ranks;
}

/** Dense group ids of values (see {@link denseRanks}). */
export interface DenseRanks {
  readonly ids: Uint32Array;
  readonly groups: number;
}

/**
 * Dense group ids: equal values share an id, ids increase with value (0 .. groups-1).
 * Lets a bootstrap re-score a resample in linear time by counting per group.
 */
export function denseRanks(values: ArrayLike<number>): DenseRanks {
  const order = argsortAscending(values);
  const ids = new Uint32Array(values.length);
  let group = -1;
  let previous = Number.NaN;
  for (const index of order) {
    const value = values[index]!;
    if (group < 0 || value !== previous) {
      group++;
      previous = value;
    }
    ids[index] = group;
  }
  return { ids, groups: group + 1 };
}

/** Throws on NaN or infinite values, which would make every rank meaningless. */
export function assertFinite(values: ArrayLike<number>, what: string): void {
  for (let i = 0; i < values.length; i++) {
    if (!Number.isFinite(values[i]!)) {
      throw new RangeError(`${what}: value at index ${i} is not finite (${values[i]})`);
    }
  }
}
