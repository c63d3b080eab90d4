/**
 * The embedding cache is keyed by the model and the occurrence, never by where the cache lives
 * (issue 21 item 10): a model converted into the cache reports its directory, which used to enter
 * the key, so a copied or moved cache re-embedded everything and `cache info` listed
 * identical-looking duplicates. Such old caches are of an older cache format, never read: `cache
 * info` says so.
 */
import { cpSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { EMBEDDING_CACHE_FORMAT, EmbeddingCache, withEmbeddingCache, type EmbeddingCacheStats } from '../src/cache/embedding-cache.js';
import { cacheInfo, formatCacheInfo } from '../src/cache/info.js';
import type { TargetOccurrence } from '../src/types.js';
import { HashingModel } from './helpers/hashing-model.js';
import { tempDirs } from './helpers/temp-dirs.js';

const newDir = tempDirs('cache-location');

/** The hashing test model as use-lite reports itself: its files inside the cache directory it is used with. */
class ConvertedModel extends HashingModel {
  override readonly info: { dimensions: number; directory: string };
  constructor(cacheDir: string) {
    super('converted');
    this.info = { dimensions: 8, directory: join(cacheDir, 'converted') };
  }
}

const occurrences: TargetOccurrence[] = Array.from({ length: 12 }, (_, i) => {
  const sentence = `The bank number ${i} is near the river.`;
  return { sentence, spans: [{ start: 4, end: 8 }], source: { file: 'mem', line: i + 1 } };
});

async function embedWith(cacheDir: string): Promise<{ stats: EmbeddingCacheStats[]; model: ConvertedModel }> {
  const model = new ConvertedModel(cacheDir);
  const stats: EmbeddingCacheStats[] = [];
  await withEmbeddingCache(model, new EmbeddingCache(cacheDir), (s) => stats.push(s)).embed(occurrences);
  return { stats, model };
}

describe('the embedding cache key does not depend on where the cache lives', () => {
  it('a copied cache (and a moved one) is reused as is: nothing embedded again, one directory per model', async () => {
    const first = join(await newDir(), 'cache');
    expect((await embedWith(first)).stats[0]!.embedded).toBe(12);
    const copy = join(await newDir(), 'elsewhere', 'cache');
    mkdirSync(join(copy, '..'), { recursive: true });
    cpSync(first, copy, { recursive: true });
    const { stats, model } = await embedWith(copy);
    expect(stats[0]).toMatchObject({ hits: 12, embedded: 0 });
    expect(model.embedCalls).toBe(0);
    expect(readdirSync(join(copy, 'embeddings'))).toHaveLength(1);
  });

  it('merging two caches of one model gives one directory, reused whole', async () => {
    const a = join(await newDir(), 'cache');
    const b = join(await newDir(), 'cache');
    await embedWith(a);
    await embedWith(b);
    cpSync(join(b, 'embeddings'), join(a, 'embeddings'), { recursive: true });
    expect(readdirSync(join(a, 'embeddings'))).toHaveLength(1);
    const info = formatCacheInfo(await cacheInfo(a));
    expect(info.match(/converted \(weights sha256/g)).toHaveLength(1);
    expect((await embedWith(a)).stats[0]).toMatchObject({ hits: 12, embedded: 0 });
  });

  it('marks directories of an older cache format in cache info (they are never read)', async () => {
    const cacheDir = join(await newDir(), 'cache');
    await embedWith(cacheDir);
    const [current] = readdirSync(join(cacheDir, 'embeddings'));
    const old = join(cacheDir, 'embeddings', 'converted-0123456789abcdef');
    mkdirSync(old, { recursive: true });
    const identity = { hash: '0'.repeat(64), format: EMBEDDING_CACHE_FORMAT - 1, modelId: 'converted', sha256: 'f'.repeat(64), info: { dimensions: 8, directory: '/home/someone/.cache/converted' }, representations: ['a', 'b'] };
    writeFileSync(join(old, 'identity.json'), `${JSON.stringify(identity, null, 2)}\n`);
    const lines = formatCacheInfo(await cacheInfo(cacheDir)).split('\n');
    expect(lines.filter((line) => line.includes(`older cache format ${EMBEDDING_CACHE_FORMAT - 1}: never read`))).toHaveLength(1);
    expect(lines.filter((line) => line.includes('older cache format'))).toHaveLength(1);
    expect((await embedWith(cacheDir)).stats[0]).toMatchObject({ hits: 12, embedded: 0 });
    expect(readdirSync(join(cacheDir, 'embeddings')).sort()).toEqual([current, 'converted-0123456789abcdef'].sort());
  });
});
