import type { CosineLookup, RepresentationKey } from '../types.js';

/**
 * One pair's cosines, read from its dataset's columns ({@link CosineLookup}). `has` answers for
 * every column of the run (the pairs CSVs and the scorers list a column once any dataset has it);
 * `get` gives null for a column the pair's dataset lacks or where a vector was missing.
 */
export class CosineRow implements CosineLookup {
  constructor(
    private readonly columns: ReadonlyMap<RepresentationKey, Float64Array>,
    private readonly runColumns: ReadonlySet<RepresentationKey>,
    private readonly index: number,
  ) {}

  get(key: RepresentationKey): number | null | undefined {
    if (!this.runColumns.has(key)) return undefined;
    const value = this.columns.get(key)?.[this.index];
    return value === undefined || Number.isNaN(value) ? null : value;
  }

  has(key: RepresentationKey): boolean {
    return this.runColumns.has(key);
  }
}
