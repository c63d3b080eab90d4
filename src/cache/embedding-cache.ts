/**
 * The embedding cache: embed each occurrence once per model, reuse it across runs. A second
 * `sensebench run` over the same datasets and models embeds nothing; adding a dataset embeds only
 * its new occurrences. It stores the per-representation vectors (not cosines), so new metrics and
 * normalisations reuse them too.
 *
 * Key: the model identity and the occurrence.
 * - Model identity = sha256 of the stable JSON of { format, model id, weights sha256
 *   (`model.sha256`), `model.info` with its keys sorted (tokenizer, max length, pooling, ... as
 *   the model reports them) less the facts that say where its files are ({@link LOCATION_FACTS}:
 *   a cache copied to another machine, moved, or merged from several is reused as is),
 *   representation names in order }. Anything that changes the vectors
 *   must therefore show in `model.sha256` or `model.info`; a change to sensebench's own embedding
 *   code (pooling, tokenisation) must bump {@link EMBEDDING_CACHE_FORMAT}.
 * - Occurrence = sha256 of its exact sentence and all of its target spans (`occurrenceKey`).
 *
 * Storage: `<cacheDir>/embeddings/<safe model id>-<first 16 hex of the identity>/` holds
 * `identity.json` (what the hash was computed from, for `sensebench cache info`) and segment files
 * (src/cache/segment.ts), each written atomically (temp + rename) and never modified: new vectors
 * go into new segments, so two runs at once never overwrite each other. Every segment header and
 * every record carries a CRC-32, checked on read; a damaged record or segment is ignored (its
 * occurrences are re-embedded), counted in the stats, and the segment is rewritten without it.
 *
 * Reading: a cache object (one per run) indexes each segment file once, then every lookup reads
 * just the records it asks for, each verified by its CRC-32 as it is read (segment-index.ts). Memory:
 * reads of a few MB at a time (a whole segment only to repair it), and only the vectors asked for
 * are kept.
 *
 * Entries of an older {@link EMBEDDING_CACHE_FORMAT} (including every cache written while the key
 * still held the cache's own location) are never read: `cache info` marks them and `cache clear`
 * removes them.
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, open, readFile, rm, type FileHandle } from 'node:fs/promises';
import { listDirectory } from '../io/paths.js';
import { join } from 'node:path';
import { writeFileAtomic } from '../io/atomic.js';
import type { EmbeddingModel, EmbedOptions, OccurrenceEmbedding, ProgressFn, TargetOccurrence } from '../types.js';
import {
  batchDimensions,
  encodeSegment,
  occurrenceKey,
  rebuildSegment,
  scanSegment,
  SEGMENT_EXTENSION,
  segmentRuns,
  SegmentDamage,
  RecordBlocks,
  type CacheEntry,
} from './segment.js';
import { SegmentIndex, type SegmentRead } from './segment-index.js';

/**
 * Bump when sensebench's own embedding code changes what a model returns: old entries are then never
 * read. 3: embeddings no longer carry sentence means.
 */
export const EMBEDDING_CACHE_FORMAT = 3;

/** Subdirectory of the cache directory that holds the embedding cache. */
export const EMBEDDINGS_DIR = 'embeddings';

/** What the model identity hash is computed from (written to `identity.json`). */
export interface ModelIdentity {
  readonly format: number;
  readonly modelId: string;
  readonly sha256: string;
  readonly info: Readonly<Record<string, string | number>>;
  readonly representations: readonly string[];
}

/** The model-identity material of a model, with its hash and its directory name. */
export interface ModelCacheKey {
  readonly identity: ModelIdentity;
  /** sha256 (hex) of the stable JSON of `identity`. */
  readonly hash: string;
  /** `<safe model id>-<first 16 hex of hash>`. */
  readonly directoryName: string;
}

/**
 * Facts of `model.info` that say where a model's files are, not what the model is: the converted
 * use-lite and downloaded `hf:` models live inside the cache directory, so their `directory` is the
 * cache's own path. Left out of the key.
 */
export const LOCATION_FACTS: ReadonlySet<string> = new Set(['directory']);

/** Keys sorted, so that the JSON does not depend on the order a model filled in its info. */
function sortedRecord(record: Readonly<Record<string, string | number>>): Record<string, string | number> {
  return Object.fromEntries(Object.entries(record).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

/** The cache key of a model (see the file comment). */
export function modelCacheKey(model: Pick<EmbeddingModel, 'id' | 'sha256' | 'info' | 'representations'>): ModelCacheKey {
  return keyOfIdentity({
    format: EMBEDDING_CACHE_FORMAT,
    modelId: model.id,
    sha256: model.sha256,
    info: model.info,
    representations: model.representations.map((r) => r.name),
  });
}

/** The key of an identity, its location facts left out. */
function keyOfIdentity(raw: ModelIdentity): ModelCacheKey {
  const identity: ModelIdentity = { ...raw, info: sortedRecord(Object.fromEntries(Object.entries(raw.info).filter(([name]) => !LOCATION_FACTS.has(name)))) };
  const hash = createHash('sha256').update(JSON.stringify(identity)).digest('hex');
  const safeId = identity.modelId.replace(/[^A-Za-z0-9._-]+/g, '_').replace(/^[._]+/, '').slice(0, 64) || 'model';
  return { identity, hash, directoryName: `${safeId}-${hash.slice(0, 16)}` };
}


/** What one cached `embed()` call did. */
export interface EmbeddingCacheStats {
  readonly model: string;
  /** Occurrences asked for (with repeats). */
  readonly occurrences: number;
  /** Occurrences answered from the cache. */
  readonly hits: number;
  /** Occurrences not in the cache (with repeats); their distinct ones went to the model. */
  readonly misses: number;
  /** Distinct occurrences the wrapped model embedded. */
  readonly embedded: number;
  /** Damaged records (or unreadable segments) found, ignored and cleaned away. */
  readonly damaged: number;
  /** One line per problem: damaged segments, failed writes (`file: reason`). */
  readonly problems: readonly string[];
}

/** Result of looking up keys in one model's cache directory. */
export interface CacheLookup {
  readonly found: ReadonlyMap<string, OccurrenceEmbedding>;
  readonly damaged: number;
  readonly problems: readonly string[];
}

/** The embedding cache under one cache directory. */
export class EmbeddingCache {
  /** `<cacheDir>/embeddings`. */
  readonly root: string;
  /** What this cache object has learnt of the segment files it read (one per run, so once per process). */
  private readonly segments = new SegmentIndex();

  constructor(readonly cacheDir: string) {
    this.root = join(cacheDir, EMBEDDINGS_DIR);
  }

  /** Directory of one model's entries. */
  modelDirectory(key: ModelCacheKey): string {
    return join(this.root, key.directoryName);
  }

  /**
   * Finds the entries of `keys` stored for a model. Segments are read one at a time, oldest
   * first; a key found twice (two runs that embedded it at once) takes the first sound copy. Only
   * the records asked for are read, each verified as it is read (src/cache/segment-index.ts); a
   * segment found damaged is scanned whole, counted and repaired.
   */
  async lookup(model: ModelCacheKey, keys: ReadonlySet<string>, { sharedMemory = false }: EmbedOptions = {}): Promise<CacheLookup> {
    const directory = this.modelDirectory(model);
    const found = new Map<string, OccurrenceEmbedding>();
    const problems: string[] = [];
    let damaged = 0;
    let names: string[];
    try {
      names = await segmentNames(directory);
    } catch (error) {
      // An unreadable cache (a file where the directory should be, no permission) costs the
      // reuse, never the run.
      return { found, damaged, problems: [`${directory}: cannot read the embedding cache: ${(error as Error).message}`] };
    }
    const take = ({ key, embedding }: CacheEntry): void => {
      found.set(key, embedding);
    };
    // The vectors found are decoded into blocks shared by this lookup's records (see RecordBlocks),
    // of shared memory when the caller asks for it.
    const blocks = new RecordBlocks(keys.size, undefined, sharedMemory);
    for (const name of names) {
      if (found.size === keys.size) break;
      const path = join(directory, name);
      let handle: FileHandle;
      try {
        handle = await open(path, 'r');
      } catch (error) {
        // Removed by a concurrent `cache clear` or repair: nothing to use, nothing damaged.
        if ((error as NodeJS.ErrnoException).code !== 'ENOENT') problems.push(`${path}: cannot read: ${(error as Error).message}`);
        continue;
      }
      const wanted = (key: string): boolean => keys.has(key) && !found.has(key);
      let read: SegmentRead;
      try {
        // Synchronous reads: a later lookup reads many small ranges, each a thread-pool round trip if async.
        read = this.segments.read(path, handle.fd, model.hash, wanted, take, blocks);
      } catch (error) {
        this.segments.forget(path);
        if (error instanceof SegmentDamage) {
          damaged++;
          problems.push(`${path}: ${error.message}; removed`);
          await repair(() => rm(path, { force: true }), path, problems);
        } else problems.push(`${path}: cannot read: ${(error as Error).message}`);
        continue;
      } finally {
        await handle.close();
      }
      const { layout, clean } = read;
      if (clean) continue;
      // Damage (or a file that is not what the index says): the whole segment, verified record by
      // record, gives what is still wanted from it, and is rewritten without its damaged records.
      this.segments.forget(path);
      let bytes: Buffer;
      try {
        bytes = await readFile(path);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'ENOENT') problems.push(`${path}: cannot read: ${(error as Error).message}`);
        continue;
      }
      const scan = scanSegment(bytes, layout, wanted, take, blocks);
      if (scan.damagedRecords > 0) {
        damaged += scan.damagedRecords;
        problems.push(`${path}: ${scan.damagedRecords} damaged record(s) ignored; segment rewritten without them`);
        await repair(() => (scan.soundRecords.length === 0 ? rm(path, { force: true }) : writeFileAtomic(path, rebuildSegment(bytes, layout, scan.soundRecords))), path, problems);
      }
    }
    return { found, damaged, problems };
  }

  /** Stores new entries for a model, in new segment files (atomically written). */
  async store(model: ModelCacheKey, entries: readonly CacheEntry[]): Promise<void> {
    if (entries.length === 0) return;
    const directory = this.modelDirectory(model);
    await mkdir(directory, { recursive: true });
    const identityPath = join(directory, 'identity.json');
    await writeFileAtomic(identityPath, `${JSON.stringify({ hash: model.hash, ...model.identity }, null, 2)}\n`);
    const dimensions = batchDimensions(entries, model.identity.representations.length);
    // Names sort by creation time, so lookups read older segments first.
    const stamp = `${Date.now().toString().padStart(14, '0')}-${process.pid}-${randomBytes(4).toString('hex')}`;
    const runs = segmentRuns(entries, dimensions);
    for (const [index, run] of runs.entries()) {
      await writeFileAtomic(join(directory, `segment-${stamp}-${String(index).padStart(4, '0')}${SEGMENT_EXTENSION}`), encodeSegment(model.hash, dimensions, run));
    }
  }
}

/** Cleans a damaged segment; a failure to clean is reported (the damage is never used either way). */
async function repair(clean: () => Promise<void>, path: string, problems: string[]): Promise<void> {
  try {
    await clean();
  } catch (error) {
    problems.push(`${path}: could not clean the damaged segment: ${(error as Error).message}`);
  }
}

/** Segment file names of a model directory, sorted (oldest first); none when it does not exist. */
export async function segmentNames(directory: string): Promise<string[]> {
  return (await listDirectory(directory)).map((entry) => entry.name).filter((name) => name.endsWith(SEGMENT_EXTENSION)).sort();
}

/**
 * Whether caching a model's embeddings pays: true when any of its representations is contextual.
 * A static model's embed() is a few table lookups per occurrence, which is faster than reading and
 * verifying its stored vectors (bench/embedding-cache.ts measured glove-100d at 3 ms unwrapped vs
 * 8 ms from a warm cache for 680 occurrences, while use-lite went from 1.9 s to 7 ms), and a
 * 200k-pair GloVe run would write ~300 MB of vectors it never needs to read back.
 */
export function worthCaching(model: Pick<EmbeddingModel, 'representations'>): boolean {
  return model.representations.some((representation) => representation.kind === 'contextual');
}

/**
 * Wraps a model so that `embed()` answers from the cache what it can: it looks up every
 * occurrence, calls the wrapped model once with the distinct misses only (not at all when there
 * are none), stores what it embedded and returns results index-aligned with the input. `report`
 * receives the stats of each call. Not wrapping is the bypass (`--no-embedding-cache`).
 */
export function withEmbeddingCache(model: EmbeddingModel, cache: EmbeddingCache, report?: (stats: EmbeddingCacheStats) => void): EmbeddingModel {
  const key = modelCacheKey(model);
  return {
    id: model.id,
    sha256: model.sha256,
    representations: model.representations,
    info: model.info,
    dispose: () => model.dispose(),
    ...(model.prepare ? { prepare: (occurrences: readonly TargetOccurrence[]) => model.prepare!(occurrences) } : {}),
    async embed(occurrences: readonly TargetOccurrence[], onProgress?: ProgressFn, options?: EmbedOptions): Promise<OccurrenceEmbedding[]> {
      // Distinct occurrences: `first[i]` is the index of the first occurrence with i's key.
      const firstByKey = new Map<string, number>();
      const keys: string[] = new Array<string>(occurrences.length);
      const first = new Int32Array(occurrences.length);
      occurrences.forEach((occurrence, index) => {
        const occurrenceKeyHex = occurrenceKey(occurrence);
        keys[index] = occurrenceKeyHex;
        const seen = firstByKey.get(occurrenceKeyHex);
        if (seen === undefined) firstByKey.set(occurrenceKeyHex, index);
        first[index] = seen ?? index;
      });
      const lookup = await cache.lookup(key, new Set(firstByKey.keys()), options);
      const missing = [...firstByKey].filter(([hex]) => !lookup.found.has(hex)).map(([, index]) => index);
      const distinctHits = firstByKey.size - missing.length;
      const embedded = new Map<number, OccurrenceEmbedding>();
      const problems = [...lookup.problems];
      if (missing.length > 0) {
        const fresh = await model.embed(
          missing.map((index) => occurrences[index]!),
          onProgress ? (done) => { onProgress(distinctHits + done, firstByKey.size); } : undefined,
        );
        if (fresh.length !== missing.length) throw new Error(`${model.id}: embed() returned ${fresh.length} results for ${missing.length} occurrences`);
        missing.forEach((index, i) => embedded.set(index, fresh[i]!));
        try {
          await cache.store(key, missing.map((index, i) => ({ key: keys[index]!, embedding: fresh[i]! })));
        } catch (error) {
          // A cache that cannot be written (read-only, disk full) costs speed, never the run.
          problems.push(`${cache.modelDirectory(key)}: could not store ${missing.length} embeddings: ${(error as Error).message}`);
        }
      } else onProgress?.(firstByKey.size, firstByKey.size);
      const results = occurrences.map((_, index) => {
        const source = first[index]!;
        return embedded.get(source) ?? lookup.found.get(keys[source]!)!;
      });
      const misses = occurrences.reduce((count, _, index) => count + (embedded.has(first[index]!) ? 1 : 0), 0);
      report?.({
        model: model.id,
        occurrences: occurrences.length,
        hits: occurrences.length - misses,
        misses,
        embedded: missing.length,
        damaged: lookup.damaged,
        problems,
      });
      return results;
    },
  };
}

/** One log line (plus one per problem) for a cached `embed()` call, for the CLI's stderr. */
export function formatCacheStats(stats: EmbeddingCacheStats): string {
  const count = (n: number): string => n.toLocaleString('en-US');
  const damaged = stats.damaged > 0 ? `, ${count(stats.damaged)} damaged entries ignored and re-embedded` : '';
  const head = `${stats.model}: embedding cache: ${count(stats.hits)} of ${count(stats.occurrences)} occurrences reused, ${count(stats.embedded)} embedded${damaged}`;
  return [head, ...stats.problems.map((problem) => `  ${problem}`)].join('\n');
}
