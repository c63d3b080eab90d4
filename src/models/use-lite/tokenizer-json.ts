/**
 * Builds a Hugging Face `tokenizer.json` (Unigram / SentencePiece) that reproduces the tokenizer of
 * `@energetic-ai/embeddings`, the tokenizer the USE-lite weights were published with.
 *
 * The original tokenizer (a Viterbi search over a trie of the 8,000 pieces) has quirks, each of
 * which the JSON reproduces as follows:
 *
 * - NFKC, then every ASCII space becomes `▁`, then one `▁` is prepended when the text is non-empty:
 *   normalizer `NFKC` -> `Replace(" ", "▁")` -> `Replace(regex start-of-non-empty-text, "▁")`.
 *   (The `Prepend` normalizer of tokenizers.js would also prefix the empty string.)
 * - The first 6 entries are reserved and never matched. Entry 0 (`�`) is also the unknown id, so
 *   matching a literal U+FFFD still yields id 0, as the original does. Entries 1-5 (`<s>`, `</s>`,
 *   `extra_token_id_1..3`) are renamed to `<s> (reserved)` etc.: a space can never survive the
 *   normalizer, so the renamed pieces can never match.
 * - Seven pieces store a `null` score; JavaScript arithmetic turns `null + x` into `x`, so the
 *   original scores them 0. They are written as 0.
 * - An unknown character becomes id 0 and runs of unknowns merge into one id 0 (Unigram `fuse_unk`).
 *   Every character that occurs in any piece is also a single-character piece, so an unknown
 *   character is covered by the unknown node alone and its score (0 in the original, min - 10 in
 *   Hugging Face's Unigram) shifts every candidate path equally: it cannot change the argmax.
 * - The original keeps a path score of exactly 0 as "not yet set" (`best[end] === 0 || ...`). A
 *   path score is 0 only for a path made of 0-scored pieces from the very start, i.e. one of the
 *   0-scored pieces `▁:`, `▁:)`, `▁:(`, `▁:-)` at position 0 (text starting with `:`); such a
 *   candidate is always overwritten by the next candidate ending at the same position, so the
 *   original never uses a `▁:`-piece at position 0. All pieces that start with `▁:` are 0-scored,
 *   so this is exactly "a token boundary after the leading `▁` when the text starts with `:`":
 *   the pre-tokenizer `Split` isolates that leading `▁`.
 *
 * What cannot be reproduced: ties. The original lets a later candidate win an exact tie of path
 * scores (`>=`, i.e. the candidate with the later start position), Hugging Face's Viterbi keeps the
 * first (`>`). Exact float ties arise mostly in periodic text (`.....`, `hahaha`), where the same
 * pieces in a different order cover the same span. The parity test detects ties independently and
 * reports them; see test/use-lite-parity.test.ts.
 */
import type { VocabEntry } from './source.js';

/** Number of leading vocabulary entries the original tokenizer never matches. */
export const RESERVED_PIECES = 6;

/** The separator SentencePiece uses for spaces. */
export const SPACE_PIECE = '\u2581';

/** JSON of a Unigram `tokenizer.json` object for the given vocabulary. */
export interface TokenizerJson {
  readonly version: string;
  readonly truncation: null;
  readonly padding: null;
  readonly added_tokens: readonly never[];
  readonly normalizer: unknown;
  readonly pre_tokenizer: unknown;
  readonly post_processor: null;
  readonly decoder: unknown;
  readonly model: { readonly type: 'Unigram'; readonly unk_id: number; readonly vocab: readonly (readonly [string, number])[]; readonly byte_fallback: boolean };
}

/** Builds the tokenizer.json object (see the file comment for each choice). */
export function buildTokenizerJson(vocab: readonly VocabEntry[]): TokenizerJson {
  if (vocab.length <= RESERVED_PIECES) throw new Error(`vocabulary has only ${vocab.length} entries`);
  const pieces = vocab.map(([piece, score], id): readonly [string, number] => {
    if (typeof piece !== 'string' || piece.length === 0) throw new Error(`vocabulary entry ${id} has no piece`);
    if (piece.includes(' ')) throw new Error(`vocabulary piece ${id} contains a space`);
    const renamed = id > 0 && id < RESERVED_PIECES ? `${piece} (reserved)` : piece;
    return [renamed, score ?? 0];
  });
  // The leading-`▁` split is only exact when every `▁:` piece is 0-scored (see file comment).
  for (const [id, [piece, score]] of vocab.entries()) {
    if (id >= RESERVED_PIECES && piece.startsWith(`${SPACE_PIECE}:`) && (score ?? 0) !== 0) {
      throw new Error(`piece ${id} ${JSON.stringify(piece)} starts with ▁: but has a non-zero score; the position-0 rule no longer holds`);
    }
  }
  return {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: [],
    normalizer: {
      type: 'Sequence',
      normalizers: [
        { type: 'NFKC' },
        { type: 'Replace', pattern: { String: ' ' }, content: SPACE_PIECE },
        // An empty match at the start of a non-empty text: prepend one `▁` unless the text is empty.
        // `\A`, not `^`: Oniguruma (and tokenizers.js, which emulates it) read `^` as line start.
        { type: 'Replace', pattern: { Regex: '\\A(?=[\\s\\S])' }, content: SPACE_PIECE },
      ],
    },
    pre_tokenizer: {
      type: 'Split',
      pattern: { Regex: `\\A${SPACE_PIECE}(?=:)` },
      behavior: 'Isolated',
      invert: false,
    },
    post_processor: null,
    decoder: { type: 'Metaspace', replacement: SPACE_PIECE, prepend_scheme: 'always', split: true },
    model: { type: 'Unigram', unk_id: 0, vocab: pieces, byte_fallback: false },
  };
}

/** `tokenizer_config.json` for @huggingface/transformers' AutoTokenizer. */
export function buildTokenizerConfig(maxLength: number): Record<string, unknown> {
  return {
    tokenizer_class: 'PreTrainedTokenizer',
    model_max_length: maxLength,
    unk_token: '\uFFFD',
    clean_up_tokenization_spaces: false,
    add_bos_token: false,
    add_eos_token: false,
  };
}
