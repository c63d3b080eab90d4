/**
 * The embedding cache is keyed by the model and the occurrence, never by where the cache lives
 * (issue 21 item 10): a model converted into the cache reports its directory, which used to enter
 * the key, so a copied or moved cache re-embedded everything and `cache info` listed
 * identical-looking duplicates. A cache written under the old key is migrated on first use.
 */
import { createHash } from 'node:crypto';
import { cpSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { EMBEDDING_CACHE_FORMAT, EmbeddingCache, withEmbeddingCache, type EmbeddingCacheStats } from '../src/cache/embedding-cache.js';
import { cacheInfo, formatCacheInfo } from '../src/cache/info.js';
import { batchDimensions, batchMeanDimensions, encodeSegment, occurrenceKey } from '../src/cache/segment.js';
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

  it('migrates a cache written under the old, location-dependent key, and says so', async () => {
    const cacheDir = join(await newDir(), 'cache');
    // What sensebench 0.1 wrote: the identity with the model's directory (then on another machine) in it.
    const model = new ConvertedModel('/home/someone/old-checkout/.cache');
    const identity = { format: EMBEDDING_CACHE_FORMAT, modelId: model.id, sha256: model.sha256, info: { dimensions: 8, directory: model.info.directory }, representations: model.representations.map((r) => r.name) };
    const hash = createHash('sha256').update(JSON.stringify(identity)).digest('hex');
    const legacy = join(cacheDir, 'embeddings', `converted-${hash.slice(0, 16)}`);
    mkdirSync(legacy, { recursive: true });
    writeFileSync(join(legacy, 'identity.json'), `${JSON.stringify({ hash, ...identity }, null, 2)}\n`);
    const embedded = await model.embed(occurrences);
    const entries = occurrences.map((occurrence, i) => ({ key: occurrenceKey(occurrence), embedding: embedded[i]! }));
    writeFileSync(join(legacy, 'segment-00000000000001-1-aaaaaaaa-0000.sbemb'), encodeSegment(hash, batchDimensions(entries, 2), entries, batchMeanDimensions(entries, 2)));
    expect(formatCacheInfo(await cacheInfo(cacheDir))).toMatch(/older key that named the cache location: moved over on the model's next use/);
    const { stats, model: fresh } = await embedWith(cacheDir);
    expect(stats[0]).toMatchObject({ hits: 12, embedded: 0 });
    expect(stats[0]!.problems.join('\n')).toMatch(/12 embeddings moved over from an older cache key/);
    expect(fresh.embedCalls).toBe(0);
    const after = readdirSync(join(cacheDir, 'embeddings'));
    expect(after).toHaveLength(1);
    expect(after[0]).not.toBe(`converted-${hash.slice(0, 16)}`);
    expect(formatCacheInfo(await cacheInfo(cacheDir))).not.toMatch(/older key/);
  });
});
