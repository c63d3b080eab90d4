/**
 * `sensebench cache info|clear`: what the cache directory holds (the embedding cache per model,
 * and the other caches beside it: the glove-100d binary cache, converted models) and clearing
 * the embedding cache. Each returns data (for tests and scripts) and has a text formatter.
 */
import { open, readdir, readFile, rm, stat } from 'node:fs/promises';
import { listDirectory } from '../io/paths.js';
import { join } from 'node:path';
import { EMBEDDING_CACHE_FORMAT, EMBEDDINGS_DIR, segmentNames, type ModelIdentity } from './embedding-cache.js';
import { decodeSegmentHeader, SegmentDamage } from './segment.js';

/** One model's entries in the embedding cache. */
export interface ModelCacheInfo {
  /** Directory name under `<cacheDir>/embeddings`. */
  readonly directory: string;
  /** From `identity.json`; null when it is missing or unreadable. */
  readonly identity: (ModelIdentity & { readonly hash: string }) | null;
  readonly segments: number;
  /** Records as the segment headers declare them (a key embedded by two runs at once counts twice). */
  readonly records: number;
  /** Segments whose header is damaged (they are removed at the next lookup). */
  readonly damagedSegments: number;
  readonly bytes: number;
}

/** What the cache directory holds. */
export interface CacheInfo {
  readonly cacheDir: string;
  readonly embeddings: readonly ModelCacheInfo[];
  readonly embeddingBytes: number;
  /** Other top-level entries of the cache directory (not touched by `cache clear`). */
  readonly others: readonly { readonly name: string; readonly bytes: number }[];
}

async function sizeOf(path: string): Promise<number> {
  const info = await stat(path);
  if (!info.isDirectory()) return info.size;
  let total = 0;
  for (const name of await readdir(path)) total += await sizeOf(join(path, name));
  return total;
}

/** Reads the first bytes of a file (a segment's header fits in them). */
async function head(path: string, bytes: number): Promise<Buffer> {
  const file = await open(path, 'r');
  try {
    const buffer = Buffer.alloc(bytes);
    const { bytesRead } = await file.read(buffer, 0, bytes, 0);
    return buffer.subarray(0, bytesRead);
  } finally {
    await file.close();
  }
}

async function directoryNames(path: string): Promise<string[]> {
  return (await listDirectory(path)).filter((entry) => entry.isDirectory()).map((entry) => entry.name).sort();
}

async function modelInfo(root: string, directory: string): Promise<ModelCacheInfo> {
  const path = join(root, directory);
  let identity: ModelCacheInfo['identity'] = null;
  try {
    identity = JSON.parse(await readFile(join(path, 'identity.json'), 'utf8')) as ModelIdentity & { hash: string };
  } catch {
    identity = null;
  }
  let records = 0;
  let damagedSegments = 0;
  const names = await segmentNames(path);
  for (const name of names) {
    try {
      records += decodeSegmentHeader(await head(join(path, name), 64 << 10), identity?.hash ?? null).header.records;
    } catch (error) {
      if (!(error instanceof SegmentDamage)) throw error;
      damagedSegments++;
    }
  }
  return { directory, identity, segments: names.length, records, damagedSegments, bytes: await sizeOf(path) };
}

/** What `<cacheDir>` holds (reads segment headers only, not the vectors). */
export async function cacheInfo(cacheDir: string): Promise<CacheInfo> {
  const root = join(cacheDir, EMBEDDINGS_DIR);
  const embeddings: ModelCacheInfo[] = [];
  for (const directory of await directoryNames(root)) embeddings.push(await modelInfo(root, directory));
  const others: { name: string; bytes: number }[] = [];
  const names = (await listDirectory(cacheDir)).map((entry) => entry.name).sort();
  for (const name of names) if (name !== EMBEDDINGS_DIR) others.push({ name, bytes: await sizeOf(join(cacheDir, name)) });
  return { cacheDir, embeddings, embeddingBytes: embeddings.reduce((sum, m) => sum + m.bytes, 0), others };
}

function megabytes(bytes: number): string {
  return `${(bytes / (1 << 20)).toFixed(1)} MB`;
}

/** `sensebench cache info` output. */
export function formatCacheInfo(info: CacheInfo): string {
  const lines = [`cache directory: ${info.cacheDir}`, `embedding cache (${join(info.cacheDir, EMBEDDINGS_DIR)}): ${megabytes(info.embeddingBytes)}`];
  if (info.embeddings.length === 0) lines.push('  empty');
  for (const model of info.embeddings) {
    const name = model.identity ? `${model.identity.modelId} (weights sha256 ${model.identity.sha256.slice(0, 12)}…)` : `${model.directory} (identity.json missing)`;
    const damage = model.damagedSegments > 0 ? `, ${model.damagedSegments} damaged segment(s)` : '';
    const stale = model.identity !== null && model.identity.format !== EMBEDDING_CACHE_FORMAT ? ` (older cache format ${String(model.identity.format)}: never read; \`cache clear\` removes it)` : '';
    lines.push(`  ${name}: ${model.records} embeddings in ${model.segments} segment(s), ${megabytes(model.bytes)}${damage}${stale}`);
  }
  if (info.others.length > 0) {
    lines.push('other caches (kept by `cache clear`):');
    for (const other of info.others) lines.push(`  ${other.name}: ${megabytes(other.bytes)}`);
  }
  return `${lines.join('\n')}\n`;
}

/** What `cache clear` removed. */
export interface CacheClearResult {
  readonly directory: string;
  readonly models: number;
  readonly records: number;
  readonly bytes: number;
}

/**
 * Removes the embedding cache (`<cacheDir>/embeddings`) and nothing else: the glove-100d binary
 * cache and converted models are rebuilt only at a cost, and are checked on every load anyway.
 */
export async function cacheClear(cacheDir: string): Promise<CacheClearResult> {
  const info = await cacheInfo(cacheDir);
  const directory = join(cacheDir, EMBEDDINGS_DIR);
  await rm(directory, { recursive: true, force: true });
  return { directory, models: info.embeddings.length, records: info.embeddings.reduce((sum, m) => sum + m.records, 0), bytes: info.embeddingBytes };
}

/** `sensebench cache clear` output. */
export function formatCacheClear(result: CacheClearResult): string {
  return `removed ${result.records} embeddings of ${result.models} model(s), ${megabytes(result.bytes)}, from ${result.directory}\n`;
}
