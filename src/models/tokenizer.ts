/**
 * The tokenizer of every tokenizer.json model (Hub exports and use-lite), through the official
 * Hugging Face Rust tokenizers binding (npm `tokenizers`, prebuilt native binaries inside the
 * package). It exists because that binding reports, for every token, the character range of the
 * original text it came from: target alignment reads those offsets instead of guessing them.
 *
 * The binding counts offsets in Unicode code points; JavaScript strings (and dataset spans) count
 * UTF-16 code units. {@link ModelTokenizer.encode} converts, so every offset it returns indexes the
 * sentence as `String.slice` does.
 *
 * The `padding` and `truncation` a tokenizer.json may declare are switched off at load: sensebench
 * pads each batch itself (with an attention mask that marks the padding) and cuts a long sentence
 * to a window around the target (./alignment.ts). Kept, a sentence-transformers tokenizer.json
 * (`"padding": {"strategy": {"Fixed": 128}}`, `"truncation": {"max_length": 128}`, as
 * all-MiniLM-L6-v2 ships it) would turn every sentence into 128 ids whose [PAD] tokens the runner
 * counts as real tokens, and would cut long sentences at their end whatever the target.
 */
import { readFile } from 'node:fs/promises';
import { Tokenizer, type Encoding } from 'tokenizers';
import { parseJsonAt } from '../io/json.js';
import { InputError } from '../types.js';

/** One sentence as the model sees it: ids with the template's special tokens, and where each came from. */
export interface EncodedSentence {
  readonly ids: readonly number[];
  /** Per token: `[start, end)` in UTF-16 code units of the sentence; `[0, 0]` for special tokens. */
  readonly offsets: readonly (readonly [number, number])[];
  /** Per token: true for tokens the template (or an added special token) put there. */
  readonly special: readonly boolean[];
}

/** What kind of tokenizer a tokenizer.json describes (for `models inspect` and the README). */
export interface TokenizerDescription {
  /** The model type: `WordPiece`, `BPE`, `Unigram`, `WordLevel`. */
  readonly model: string;
  /** Pre-tokenizer type(s), e.g. `BertPreTokenizer`, `ByteLevel`, `Metaspace`; empty when none. */
  readonly preTokenizer: string;
  /** Normalizer type(s), e.g. `BertNormalizer`, `Sequence(NFKC, Replace)`; empty when none. */
  readonly normalizer: string;
  /** True when the post-processor adds special tokens around a sentence. */
  readonly addsSpecialTokens: boolean;
  /**
   * The padding and truncation the tokenizer.json declares, which sensebench switches off (see the
   * file comment), e.g. `padding Fixed(128)`, `truncation max_length 128`; empty when it declares none.
   */
  readonly ignoredSettings: readonly string[];
}

/** What {@link describeTokenizerJson} reads from the file (the rest comes from the loaded tokenizer). */
export type TokenizerFileDescription = Omit<TokenizerDescription, 'addsSpecialTokens'>;

interface Component {
  readonly type: string;
  readonly normalizers?: readonly { readonly type: string }[] | undefined;
  readonly pretokenizers?: readonly { readonly type: string }[] | undefined;
}

/** The parts of tokenizer.json the description reads, with zod (imported when a file is described: ~100 ms, which a converted model's load skips). */
async function tokenizerJsonSchema() {
  const { z } = await import('zod');
  const componentSchema = z
    .object({ type: z.string(), normalizers: z.array(z.object({ type: z.string() }).loose()).optional(), pretokenizers: z.array(z.object({ type: z.string() }).loose()).optional() })
    .loose()
    .nullable()
    .optional();
  return z
    .object({
      model: z.object({ type: z.string().optional() }).loose(),
      normalizer: componentSchema,
      pre_tokenizer: componentSchema,
      post_processor: z.object({ type: z.string() }).loose().nullable().optional(),
      padding: z.object({ strategy: z.unknown() }).loose().nullable().optional(),
      truncation: z.object({ max_length: z.unknown() }).loose().nullable().optional(),
    })
    .loose();
}

/** The padding and truncation a parsed tokenizer.json declares, in words (see {@link TokenizerDescription.ignoredSettings}). */
function declaredSettings(json: { padding?: { strategy?: unknown } | null | undefined; truncation?: { max_length?: unknown } | null | undefined }): string[] {
  const settings: string[] = [];
  if (json.padding) {
    // `{"Fixed": 128}` or `"BatchLongest"`, as the Rust library serializes its PaddingStrategy.
    const strategy = json.padding.strategy;
    const fixed = typeof strategy === 'object' && strategy !== null && 'Fixed' in strategy ? strategy.Fixed : undefined;
    settings.push(`padding ${fixed !== undefined ? `Fixed(${JSON.stringify(fixed)})` : JSON.stringify(strategy)}`);
  }
  if (json.truncation) settings.push(`truncation max_length ${JSON.stringify(json.truncation.max_length)}`);
  return settings;
}

function componentName(component: Component | null | undefined): string {
  if (!component) return '';
  const parts = component.normalizers ?? component.pretokenizers;
  return parts ? `${component.type}(${parts.map((p) => p.type).join(', ')})` : component.type;
}

/** Describes a tokenizer.json from its text; throws {@link InputError} naming `path` when it is not one. */
export async function describeTokenizerJson(text: string, path: string): Promise<TokenizerFileDescription> {
  const json = parseJsonAt(text, { file: path, line: 1 });
  const parsed = (await tokenizerJsonSchema()).safeParse(json);
  if (!parsed.success) throw new InputError(`not a tokenizer.json: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`, { file: path, line: 1 });
  return {
    model: parsed.data.model.type ?? 'unknown',
    preTokenizer: componentName(parsed.data.pre_tokenizer),
    normalizer: componentName(parsed.data.normalizer),
    ignoredSettings: declaredSettings(parsed.data),
  };
}

/** UTF-16 index of every code point index of `text` (plus one past the end). */
function codePointToUtf16(text: string): number[] | undefined {
  // Fast path: no surrogate pairs, the two counts agree.
  if (!/[\uD800-\uDBFF]/.test(text)) return undefined;
  const map: number[] = [];
  let unit = 0;
  for (const char of text) {
    map.push(unit);
    unit += char.length;
  }
  map.push(unit);
  return map;
}

function toEncodedSentence(sentence: string, encoding: Encoding): EncodedSentence {
  const map = codePointToUtf16(sentence);
  const special = encoding.getSpecialTokensMask().map((m) => m === 1);
  const offsets = encoding.getOffsets().map(([start = 0, end = 0]): [number, number] => (map ? [map[start] ?? sentence.length, map[end] ?? sentence.length] : [start, end]));
  return { ids: encoding.getIds(), offsets, special };
}

/** Below twice this many sentences, {@link ModelTokenizer.encodeAll} makes one native call. */
const MIN_CHUNK = 16;

/** A loaded tokenizer.json; see the file comment. */
export class ModelTokenizer {
  private constructor(
    private readonly tokenizer: Tokenizer,
    readonly description: TokenizerDescription,
  ) {}

  /**
   * Loads `path` (a tokenizer.json). Throws {@link InputError} naming the file when it cannot.
   * `described`: what a converter recorded about this very file ({@link describeTokenizerJson}, in
   * a config.json its manifest vouches for); the file is then handed to the Rust library as is,
   * without parsing it in JavaScript too.
   */
  static async load(path: string, described?: TokenizerFileDescription): Promise<ModelTokenizer> {
    let tokenizer: Tokenizer;
    let file: TokenizerFileDescription;
    if (described !== undefined) {
      file = described;
      try {
        tokenizer = Tokenizer.fromFile(path);
      } catch (error) {
        throw new InputError(`the tokenizers library cannot load it: ${(error as Error).message}`, { file: path, line: 1 });
      }
    } else {
      let text: string;
      try {
        text = await readFile(path, 'utf8');
      } catch (error) {
        throw new InputError(`cannot read the tokenizer: ${(error as Error).message}`, { file: path, line: 1 });
      }
      file = await describeTokenizerJson(text, path);
      try {
        tokenizer = Tokenizer.fromString(text);
      } catch (error) {
        throw new InputError(`the tokenizers library cannot load it: ${(error as Error).message}`, { file: path, line: 1 });
      }
    }
    // sensebench pads and windows itself (see the file comment).
    tokenizer.disablePadding();
    tokenizer.disableTruncation();
    const probe = await tokenizer.encode('a');
    const description: TokenizerDescription = {
      model: file.model,
      preTokenizer: file.preTokenizer,
      normalizer: file.normalizer,
      addsSpecialTokens: probe.getSpecialTokensMask().some((m) => m === 1),
      ignoredSettings: file.ignoredSettings,
    };
    return new ModelTokenizer(tokenizer, description);
  }

  /** Encodes one sentence with the template's special tokens; offsets in UTF-16 units (see the file comment). */
  async encode(sentence: string): Promise<EncodedSentence> {
    return toEncodedSentence(sentence, await this.tokenizer.encode(sentence));
  }

  /**
   * Encodes many sentences in two native calls made at once (the binding runs each on a libuv
   * thread and spreads its sentences over its own thread pool): the first half's encodings are read
   * into JavaScript while the second half is still being tokenized. (64 sentences: about 15% less
   * wall time than one call, measured with onnxruntime's threads busy in the same process.)
   */
  async encodeAll(sentences: readonly string[]): Promise<EncodedSentence[]> {
    if (sentences.length === 0) return [];
    const half = sentences.length < 2 * MIN_CHUNK ? sentences.length : Math.ceil(sentences.length / 2);
    const pending = [sentences.slice(0, half), sentences.slice(half)].filter((chunk) => chunk.length > 0).map((chunk) => {
      const encodings = this.tokenizer.encodeBatch(chunk);
      // Awaited in order below; a failure of a later chunk while an earlier one is awaited must not go unhandled.
      void encodings.catch(() => undefined);
      return { chunk, encodings };
    });
    const encoded: EncodedSentence[] = [];
    for (const { chunk, encodings } of pending) {
      (await encodings).forEach((encoding, i) => encoded.push(toEncodedSentence(chunk[i]!, encoding)));
    }
    return encoded;
  }

  /** Token ids only, special tokens included or not (tests and benchmarks). */
  async ids(sentence: string, addSpecialTokens = true): Promise<number[]> {
    return (await this.tokenizer.encode(sentence, null, { addSpecialTokens })).getIds();
  }

  /** Token strings, special tokens included (tests and `models inspect`). */
  async tokens(sentence: string): Promise<string[]> {
    return (await this.tokenizer.encode(sentence)).getTokens();
  }

  tokenId(token: string): number | undefined {
    return this.tokenizer.tokenToId(token) ?? undefined;
  }

  get vocabularySize(): number {
    return this.tokenizer.getVocabSize(true);
  }
}
