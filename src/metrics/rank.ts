/**
 * Ranking with ties by average rank (the "fractional" ranking of Mann-Whitney U and Spearman's rho,
 * scipy.stats.rankdata(method='average')).
 */

/** Indices of `values` sorted ascending by value; ties keep index order (stable). */
export function argsortAscending(values: ArrayLike<number>): Uint32Array {
  const order = new Uint32Array(values.length);
  for (let i = 0; i < order.length; i++) order[i] = i;
  order.sort((a, b) => values[a]! - values[b]! || a - b);
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

/**
 * Dense group ids: equal values share an id, ids increase with value (0 .. groups-1).
 * Lets a bootstrap re-score a resample in linear time by counting per group.
 */
export function denseRanks(values: ArrayLike<number>): { readonly ids: Uint32Array; readonly groups: number } {
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
