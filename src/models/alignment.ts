/**
 * Target alignment: which sub-word tokens of a sentence make up the target, read from the
 * character offsets the tokenizer reports, and how to cut a window around them when the sentence
 * is longer than the model allows; then pooling of the chosen tokens' vectors.
 *
 * The rule: a target's tokens are those whose reported offsets overlap any of its spans, special
 * and zero-width tokens excluded. A token that straddles a span boundary (`banks` for a span
 * `bank`, or `'ve` as one whitespace token for a span holding the apostrophe) belongs to the
 * target whole. Everything here is pure (no I/O, no model) so it can be tested against hand-made
 * encodings.
 */
import { InputError, type SourceRef, type Span, type TargetSpans } from '../types.js';
import type { EncodedSentence } from './tokenizer.js';

/** Model input for one occurrence: token ids with special tokens, and the target's positions in them. */
export interface TokenWindow {
  readonly ids: readonly number[];
  /** Per position of `ids`: true for a special token. */
  readonly special: readonly boolean[];
  /** Positions in `ids` of the target's tokens, ascending, non-empty. */
  readonly target: readonly number[];
  /** True when tokens of the sentence were dropped to fit `maxLength`. */
  readonly truncated: boolean;
}

/** How target token vectors become one vector. */
export type TokenPooling = 'mean' | 'first' | 'last';

/** Checks that `span` is a non-empty, non-blank range inside `sentence`. */
export function checkSpan(sentence: string, span: Span, source: SourceRef): void {
  if (!Number.isInteger(span.start) || !Number.isInteger(span.end) || span.start < 0 || span.end > sentence.length || span.start >= span.end) {
    throw new InputError(`target span [${span.start}, ${span.end}) is not a non-empty range inside a sentence of ${sentence.length} characters`, source);
  }
  if (sentence.slice(span.start, span.end).trim() === '') {
    throw new InputError(`target span [${span.start}, ${span.end}) covers only white space`, source);
  }
}

/**
 * Indices (into `encoded`) of the tokens of the target: those whose offsets overlap one of
 * `spans`, special and zero-width tokens excluded. Throws an {@link InputError} naming `source`
 * when a span is bad or no token overlaps the target (never an empty or guessed vector).
 */
export function targetTokens(encoded: EncodedSentence, sentence: string, spans: TargetSpans, source: SourceRef): number[] {
  for (const span of spans) checkSpan(sentence, span, source);
  const chosen: number[] = [];
  encoded.offsets.forEach(([start, end], index) => {
    if (encoded.special[index] === true || end <= start) return;
    if (spans.some((span) => start < span.end && end > span.start)) chosen.push(index);
  });
  if (chosen.length === 0) {
    const text = spans.map((s) => JSON.stringify(sentence.slice(s.start, s.end))).join(' + ');
    const where = spans.map((s) => `[${s.start}, ${s.end})`).join(', ');
    throw new InputError(`cannot align target ${text} at ${where}: no token of the tokenizer overlaps it`, source);
  }
  return chosen;
}

/**
 * The model input for one occurrence. The special tokens at the start and end of `ids` (the
 * template's frame) are always kept. When the whole exceeds `maxLength`, a window of
 * `maxLength - frame` content tokens is kept, centred on the range from the first to the last
 * target token: `left = floor((budget - range) / 2)` tokens before it where available, the rest
 * after, shifted to stay inside the sentence. A range longer than the budget keeps its first
 * `budget` tokens (and the target tokens among them).
 */
export function windowAround(encoded: EncodedSentence, target: readonly number[], maxLength: number): TokenWindow {
  const { ids, special } = encoded;
  let prefix = 0;
  while (prefix < ids.length && special[prefix] === true) prefix++;
  let suffix = 0;
  while (suffix < ids.length - prefix && special[ids.length - 1 - suffix] === true) suffix++;
  const contentLength = ids.length - prefix - suffix;
  const budget = maxLength - prefix - suffix;
  if (budget < 1) throw new RangeError(`max length ${maxLength} leaves no room beside ${prefix + suffix} special tokens`);
  if (contentLength <= budget) return { ids, special, target, truncated: false };
  const first = target[0]! - prefix;
  const last = target[target.length - 1]! - prefix;
  const range = last - first + 1;
  let windowStart: number;
  if (range >= budget) {
    windowStart = first;
  } else {
    const left = Math.floor((budget - range) / 2);
    windowStart = Math.max(0, first - left);
    windowStart = Math.min(contentLength, windowStart + budget) - budget;
  }
  const windowEnd = windowStart + budget;
  const kept = target.map((t) => t - prefix).filter((t) => t >= windowStart && t < windowEnd);
  return {
    ids: [...ids.slice(0, prefix), ...ids.slice(prefix + windowStart, prefix + windowEnd), ...ids.slice(ids.length - suffix)],
    special: [...special.slice(0, prefix), ...special.slice(prefix + windowStart, prefix + windowEnd), ...special.slice(special.length - suffix)],
    target: kept.map((t) => prefix + t - windowStart),
    truncated: true,
  };
}

/** Float64 sums of the pooling functions, reused across calls (grown when a wider output comes). */
let scratch = new Float64Array(1024);

/** The scratch, at least `dim` long (its contents are whatever the last call left). */
function scratchOf(dim: number): Float64Array {
  if (scratch.length < dim) scratch = new Float64Array(dim);
  return scratch;
}

function sums(dim: number): Float64Array {
  const sum = scratchOf(dim);
  sum.fill(0, 0, dim);
  return sum;
}

/**
 * Pools the vectors at token positions `positions` (ascending, non-empty) of row `row` of a
 * `[rows, tokens, dim]` tensor laid out row-major in `data`.
 */
export function poolTokens(data: Float32Array, tokens: number, dim: number, row: number, positions: readonly number[], pooling: TokenPooling): Float32Array {
  const out = new Float32Array(dim);
  poolTokensInto(out, 0, data, tokens, dim, row, positions, pooling);
  return out;
}

/**
 * {@link poolTokens} writing its `dim` values into `out` from `outOffset` (the model fills one
 * block per batch instead of allocating a vector per occurrence and representation).
 */
export function poolTokensInto(out: Float32Array, outOffset: number, data: Float32Array, tokens: number, dim: number, row: number, positions: readonly number[], pooling: TokenPooling): void {
  const count = positions.length;
  if (count === 0) throw new RangeError(`bad token positions [] of ${tokens}`);
  for (let i = 0; i < count; i++) {
    const t = positions[i]!;
    if (!Number.isInteger(t) || t < 0 || t >= tokens) throw new RangeError(`bad token positions [${positions.join(', ')}] of ${tokens}`);
  }
  const rowOffset = row * tokens * dim;
  if (pooling !== 'mean') {
    const t = pooling === 'first' ? positions[0]! : positions[count - 1]!;
    out.set(data.subarray(rowOffset + t * dim, rowOffset + (t + 1) * dim), outOffset);
    return;
  }
  // Summed in float64, in position order, then divided: the same rounding whatever the batch. The
  // sum starts from +0 (`0 + x`, which turns a -0 into +0), so a one-token target is `x + 0`
  // divided by 1: written directly, bit for bit what the general loop gives, in one pass.
  const first = rowOffset + positions[0]! * dim;
  if (count === 1) {
    for (let d = 0; d < dim; d++) out[outOffset + d] = data[first + d]! + 0;
    return;
  }
  const sum = scratchOf(dim);
  for (let d = 0; d < dim; d++) sum[d] = data[first + d]! + 0;
  for (let i = 1; i < count; i++) {
    const base = rowOffset + positions[i]! * dim;
    for (let d = 0; d < dim; d++) sum[d]! += data[base + d]!;
  }
  for (let d = 0; d < dim; d++) out[outOffset + d] = sum[d]! / count;
}

/**
 * Mean of the vectors of row `row` over positions whose mask is 1 (sentence mean pooling). Pass a
 * mask with 0 at special tokens for the mean over the sentence's own tokens.
 */
export function maskedMean(data: Float32Array, tokens: number, dim: number, row: number, mask: ArrayLike<number>): Float32Array {
  const out = new Float32Array(dim);
  maskedMeanInto(out, 0, data, tokens, dim, row, mask);
  return out;
}

/** {@link maskedMean} writing its `dim` values into `out` from `outOffset`. */
export function maskedMeanInto(out: Float32Array, outOffset: number, data: Float32Array, tokens: number, dim: number, row: number, mask: ArrayLike<number>): void {
  const sum = sums(dim);
  let count = 0;
  for (let t = 0; t < tokens; t++) {
    if (mask[t] !== 1) continue;
    count++;
    const base = (row * tokens + t) * dim;
    for (let d = 0; d < dim; d++) sum[d]! += data[base + d]!;
  }
  for (let d = 0; d < dim; d++) out[outOffset + d] = count > 0 ? sum[d]! / count : 0;
}
