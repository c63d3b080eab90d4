import { mkdtempSync } from 'node:fs';
import { rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { hubModelDir, isHubModelCached, loadHubModel, parseHubId } from '../src/models/hub.js';
import { ONNX_FILE_CANDIDATES, locateOnnxFile } from '../src/models/onnx-model.js';
import { InputError } from '../src/types.js';
import { writeBertFixture } from './helpers/bert-fixture.js';
import { writeT5Fixture } from './helpers/t5-fixture.js';

const cacheDir = mkdtempSync(join(tmpdir(), 'sensebench-hub-'));

afterAll(async () => {
  await rm(cacheDir, { recursive: true, force: true });
});

describe('hf: models', () => {
  it('refuses to download without --allow-download and says what to do', async () => {
    const attempt = loadHubModel('Xenova/bert-base-uncased', { cacheDir });
    await expect(attempt).rejects.toThrow(InputError);
    await expect(loadHubModel('Xenova/bert-base-uncased', { cacheDir, allowDownload: false })).rejects.toThrow(
      /must download Xenova\/bert-base-uncased .*--allow-download.*onnx:PATH/,
    );
  });

  it('rejects ids that are not ORG/NAME', () => {
    for (const bad of ['bert-base-uncased', 'a/b/c', '../x', 'org/..', '']) {
      expect(() => parseHubId(bad)).toThrow(InputError);
    }
    expect(parseHubId('onnx-community/all-MiniLM-L6-v2-ONNX')).toBe('onnx-community/all-MiniLM-L6-v2-ONNX');
  });

  it('loads a model already in the cache without the flag', async () => {
    await writeBertFixture(hubModelDir(cacheDir, 'test-org/tiny-bert'));
    const model = await loadHubModel('test-org/tiny-bert', { cacheDir });
    try {
      expect(model.id).toBe('hf:test-org/tiny-bert');
      expect(model.representations.map((r) => r.name)).toEqual(['input', 'embeddings', 'layer-1', 'layer-2', 'sentence-mean']);
    } finally {
      await model.dispose();
    }
  });

  it('recognises every ONNX file of the one candidate list, preferring the fp32 export', async () => {
    const dir = hubModelDir(cacheDir, 'test-org/t5-like');
    await writeT5Fixture(dir);
    expect(await isHubModelCached(cacheDir, 'test-org/t5-like')).toBe(true);
    expect(await locateOnnxFile(dir)).toBe(join(dir, 'onnx', 'encoder_model.onnx'));
    await writeFile(join(dir, 'onnx', 'model_quantized.onnx'), 'not read');
    expect(await locateOnnxFile(dir)).toBe(join(dir, 'onnx', 'encoder_model.onnx'));
    expect(ONNX_FILE_CANDIDATES.indexOf('onnx/model.onnx')).toBe(0);
    expect(await isHubModelCached(cacheDir, 'test-org/absent')).toBe(false);
  });
});

