/**
 * Target alignment: which sub-word tokens of a sentence make up the target's character span, and
 * how to cut a window around them when the sentence is longer than the model allows.
 *
 * The JavaScript tokenizers expose no character offsets, so they are derived from tokenizations
 * of pieces of the sentence. Everything here is pure (no I/O, no model) so it can be tested
 * against hand-made tokenizers.
 */
import { InputError, type SourceRef, type Span } from '../types.js';

/** The one tokenizer capability alignment needs. */
export interface TokenEncoder {
  /** Token ids of `text`, with or without the special tokens the tokenizer's template adds. */
  encode(text: string, addSpecialTokens: boolean): readonly number[];
}

/** Special tokens the tokenizer puts around a single sequence (e.g. `[CLS]` ... `[SEP]`). */
export interface SpecialFrame {
  readonly prefix: readonly number[];
  readonly suffix: readonly number[];
}

/** Where the target sits in a sentence's tokens (without special tokens). */
export interface Alignment {
  /** Token ids of the whole sentence, without special tokens. */
  readonly content: readonly number[];
  /** First target token in `content`. */
  readonly start: number;
  /** One past the last target token in `content`. */
  readonly end: number;
  /**
   * `pieces`: the text before, at and after the span tokenize to exactly the whole sentence's
   * tokens (exact). `prefix`: the span boundaries fall inside a token (the tokenizer merged across
   * them); the tokens that straddle a boundary are included in the target.
   */
  readonly method: 'pieces' | 'prefix';
}

/** Model input for one occurrence: token ids with special tokens, and the target's token range in them. */
export interface TokenWindow {
  readonly ids: readonly number[];
  readonly targetStart: number;
  readonly targetEnd: number;
  /** True when tokens of the sentence were dropped to fit `maxLength`. */
  readonly truncated: boolean;
}

/** How target token vectors become one vector. */
export type TokenPooling = 'mean' | 'first' | 'last';

function sameIds(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i]);
}

function commonPrefixLength(a: readonly number[], b: readonly number[]): number {
  const n = Math.min(a.length, b.length);
  let i = 0;
  while (i < n && a[i] === b[i]) i++;
  return i;
}

/**
 * Finds the special tokens around `content` in `withSpecial` (the same text encoded with special
 * tokens). Throws when the content tokens do not appear contiguously, which would mean the
 * tokenizer's template does more than wrap the sequence.
 */
export function specialFrame(withSpecial: readonly number[], content: readonly number[], source: SourceRef): SpecialFrame {
  for (let offset = 0; offset + content.length <= withSpecial.length; offset++) {
    if (content.every((v, i) => withSpecial[offset + i] === v)) {
      return { prefix: withSpecial.slice(0, offset), suffix: withSpecial.slice(offset + content.length) };
    }
  }
  throw new InputError('the tokenizer does not simply wrap the sentence in special tokens; cannot locate the sentence tokens', source);
}

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
 * Maps the character span of the target to its token range.
 *
 * First the exact method: tokenize the text before, at and after the span separately; if the
 * three token lists concatenate to the whole sentence's tokens, the middle list is the target.
 * Otherwise (the span cuts a word, or the tokenizer merges across the boundary) the prefix
 * method: the tokens of `sentence[0:start]` and `sentence[0:end]` are compared with the whole
 * sentence's tokens; the first token where they differ straddles the boundary and is counted as
 * part of the target. When neither method yields a non-empty range, an {@link InputError} naming
 * `source` is thrown rather than returning a wrong vector.
 */
export function alignSpan(encoder: TokenEncoder, sentence: string, span: Span, source: SourceRef, content: readonly number[] = encoder.encode(sentence, false)): Alignment {
  checkSpan(sentence, span, source);
  const target = sentence.slice(span.start, span.end);
  const before = encoder.encode(sentence.slice(0, span.start), false);
  const at = encoder.encode(target, false);
  const after = encoder.encode(sentence.slice(span.end), false);
  if (at.length > 0 && sameIds([...before, ...at, ...after], content)) {
    return { content, start: before.length, end: before.length + at.length, method: 'pieces' };
  }
  const throughEnd = encoder.encode(sentence.slice(0, span.end), false);
  const start = commonPrefixLength(before, content);
  const agreed = commonPrefixLength(throughEnd, content);
  // A token of the full sentence that continues past `end` shows up as a difference at `agreed`.
  const end = agreed < throughEnd.length ? agreed + 1 : agreed;
  if (end <= start || end > content.length) {
    throw new InputError(`cannot align target ${JSON.stringify(target)} at [${span.start}, ${span.end}) to the tokenizer's tokens`, source);
  }
  return { content, start, end, method: 'prefix' };
}

/**
 * The model input for an aligned occurrence. When the sentence plus special tokens exceeds
 * `maxLength`, a window of `maxLength - specials` content tokens centred on the target is kept:
 * `left = floor((budget - targetLength) / 2)` tokens before the target where available, the rest
 * after, shifted to stay inside the sentence. A target longer than the budget keeps its first
 * `budget` tokens.
 */
export function windowAround(alignment: Alignment, frame: SpecialFrame, maxLength: number): TokenWindow {
  const { content, start, end } = alignment;
  const budget = maxLength - frame.prefix.length - frame.suffix.length;
  if (budget < 1) throw new RangeError(`max length ${maxLength} leaves no room beside ${frame.prefix.length + frame.suffix.length} special tokens`);
  let windowStart = 0;
  let windowEnd = content.length;
  let targetEnd = end;
  if (content.length > budget) {
    if (end - start >= budget) {
      windowStart = start;
      windowEnd = start + budget;
      targetEnd = windowEnd;
    } else {
      const left = Math.floor((budget - (end - start)) / 2);
      windowStart = Math.max(0, start - left);
      windowEnd = Math.min(content.length, windowStart + budget);
      windowStart = windowEnd - budget;
    }
  }
  return {
    ids: [...frame.prefix, ...content.slice(windowStart, windowEnd), ...frame.suffix],
    targetStart: frame.prefix.length + start - windowStart,
    targetEnd: frame.prefix.length + targetEnd - windowStart,
    truncated: windowStart > 0 || windowEnd < content.length,
  };
}

/**
 * Pools token vectors `[from, to)` of row `row` of a `[rows, tokens, dim]` tensor laid out
 * row-major in `data`.
 */
export function poolTokens(data: Float32Array, tokens: number, dim: number, row: number, from: number, to: number, pooling: TokenPooling): Float32Array {
  if (from < 0 || to > tokens || from >= to) throw new RangeError(`bad token range [${from}, ${to}) of ${tokens}`);
  const rowOffset = row * tokens * dim;
  if (pooling !== 'mean') {
    const t = pooling === 'first' ? from : to - 1;
    return data.slice(rowOffset + t * dim, rowOffset + (t + 1) * dim);
  }
  const sum = new Float64Array(dim);
  for (let t = from; t < to; t++) {
    const base = rowOffset + t * dim;
    for (let d = 0; d < dim; d++) sum[d]! += data[base + d]!;
  }
  const out = new Float32Array(dim);
  const count = to - from;
  for (let d = 0; d < dim; d++) out[d] = sum[d]! / count;
  return out;
}

/** Mean of the vectors of row `row` over positions whose mask is 1 (sentence mean pooling). */
export function maskedMean(data: Float32Array, tokens: number, dim: number, row: number, mask: readonly number[]): Float32Array {
  const sum = new Float64Array(dim);
  let count = 0;
  for (let t = 0; t < tokens; t++) {
    if (mask[t] !== 1) continue;
    count++;
    const base = (row * tokens + t) * dim;
    for (let d = 0; d < dim; d++) sum[d]! += data[base + d]!;
  }
  const out = new Float32Array(dim);
  for (let d = 0; d < dim; d++) out[d] = count > 0 ? sum[d]! / count : 0;
  return out;
}
