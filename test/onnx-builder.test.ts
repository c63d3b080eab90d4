import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import * as ort from 'onnxruntime-node';
import onnxProto from 'onnx-proto';
import { EXTERNAL_DATA_ALIGNMENT, GraphBuilder, attr, decodeModel, tensor } from '../src/onnx/builder.js';
import { tempDirs } from './helpers/temp-dirs.js';

const tempDir = tempDirs('onnx-builder');

async function run(bytes: Uint8Array, feeds: Record<string, ort.Tensor>): Promise<ort.InferenceSession.OnnxValueMapType> {
  const session = await ort.InferenceSession.create(bytes);
  try {
    return await session.run(feeds);
  } finally {
    await session.release();
  }
}

function tinyGraph(): GraphBuilder {
  const g = new GraphBuilder('tiny');
  const x = g.input('x', 'float32', ['batch', 2]);
  const w = g.initializer('w', new Float32Array([1, 2, 3, 4, 5, 6]), [2, 3]);
  const b = g.constant(new Float32Array([0.5, -1, 0]), [3]);
  const logits = g.node('Add', [g.node('MatMul', [x, w]), b]);
  g.output(g.node('Softmax', [logits], { axis: -1 }), 'probs', 'float32', ['batch', 3]);
  g.output(logits, 'logits', 'float32', ['batch', 3]);
  return g;
}

describe('GraphBuilder', () => {
  it('builds MatMul + Add + Softmax that onnxruntime runs to hand-computed values', async () => {
    const out = await run(tinyGraph().toBytes({ opset: 17, producer: 'sensebench' }), {
      x: new ort.Tensor('float32', new Float32Array([1, 0, 1, -1]), [2, 2]),
    });
    // Row 1: [1,0]·w = [1,2,3] + b = [1.5, 1, 3]; row 2: [1,-1]·w = [-3,-3,-3] + b = [-2.5, -4, -3].
    const expectedLogits = [1.5, 1, 3, -2.5, -4, -3];
    expect([...(out.logits!.data as Float32Array)]).toEqual(expectedLogits);
    const softmax = (row: number[]): number[] => {
      const e = row.map(Math.exp);
      const s = e.reduce((a, v) => a + v, 0);
      return e.map((v) => v / s);
    };
    const expected = [...softmax(expectedLogits.slice(0, 3)), ...softmax(expectedLogits.slice(3))];
    const probs = out.probs!.data as Float32Array;
    expected.forEach((v, i) => {
      expect(probs[i]).toBeCloseTo(v, 6);
    });
    expect(out.probs!.dims).toEqual([2, 3]);
  });

  it('serializes deterministically and records opset, producer and metadata', () => {
    const a = tinyGraph().toBytes({ opset: 17, producer: 'sensebench', metadata: { source: 'x' } });
    const b = tinyGraph().toBytes({ opset: 17, producer: 'sensebench', metadata: { source: 'x' } });
    expect(Buffer.from(a).equals(Buffer.from(b))).toBe(true);
    const model = decodeModel(a);
    expect(model.opsetImport.map((o) => [o.domain, Number(o.version)])).toEqual([['', 17]]);
    expect(model.producerName).toBe('sensebench');
    expect(model.metadataProps.map((p) => [p.key, p.value])).toEqual([['source', 'x']]);
    const initializers = model.graph?.initializer ?? [];
    expect(initializers.map((t) => t.name)).toEqual(['w', 'const']);
    // raw_data is little-endian float32: 1.0f = 00 00 80 3f.
    expect([...(initializers[0]?.rawData ?? new Uint8Array()).subarray(0, 4)]).toEqual([0, 0, 0x80, 0x3f]);
  });

  it('supports int, float, ints, string and tensor attributes and int64/int32 initializers', async () => {
    const g = new GraphBuilder('attrs');
    const x = g.input('x', 'float32', [2, 3]);
    // Gemm: alpha must be a FLOAT attribute even though 2.0 is integral; transB is an INT.
    const w = g.initializer('w', new Float32Array([1, 0, 0, 1, 1, 1]), [2, 3]);
    const gemm = g.node('Gemm', [x, w], { alpha: attr.float(2), transB: 1 });
    // Transpose (INTS) then Reshape with an int64 initializer.
    const t = g.node('Transpose', [gemm], { perm: [1, 0] });
    const shape = g.constant(new BigInt64Array([4n]), [1]);
    const flat = g.node('Reshape', [t, shape]);
    // Pad with a STRING mode attribute and int64 pads.
    const pads = g.constant([1, 1], [2], 'int64');
    const padded = g.node('Pad', [flat, pads], { mode: 'reflect' });
    g.output(padded, 'padded', 'float32', [6]);
    // Constant with a TENSOR attribute; Gather with an int32 index initializer.
    const c = g.node('Constant', [], { value: tensor(new Float32Array([10, 20, 30]), [3]) });
    const idx = g.initializer('idx', new Int32Array([2, 0]), [2]);
    g.output(g.node('Gather', [c, idx], { axis: 0 }), 'gathered', 'float32', [2]);
    // LeakyRelu with a non-integral FLOAT.
    g.output(g.node('LeakyRelu', [flat], { alpha: 0.25 }), 'leaky', 'float32', [4]);
    const out = await run(g.toBytes(), { x: new ort.Tensor('float32', new Float32Array([1, 2, 3, -1, -2, -3]), [2, 3]) });
    // x·wᵀ = [[1+2... ]]: rows of w are [1,0,0] and [1,1,1]; x row1 [1,2,3] -> [1, 6]; row2 -> [-1, -6]; ×2.
    // gemm = [[2, 12], [-2, -12]]; transpose -> [[2, -2], [12, -12]]; flat = [2, -2, 12, -12].
    expect([...(out.padded!.data as Float32Array)]).toEqual([-2, 2, -2, 12, -12, 12]);
    expect([...(out.gathered!.data as Float32Array)]).toEqual([30, 10]);
    expect([...(out.leaky!.data as Float32Array)]).toEqual([2, -0.5, 12, -3]);
  });

  it('generates unique names and rejects duplicates and undefined inputs', () => {
    const g = new GraphBuilder('names');
    const x = g.input('x', 'float32', [1]);
    expect(g.uniqueName('x')).toBe('x_1');
    const a = g.node('Relu', [x]);
    const b = g.node('Relu', [a]);
    expect(a).not.toBe(b);
    expect(() => g.input('x', 'float32', [1])).toThrow(/duplicate/);
    expect(() => g.node('Relu', ['nope'])).toThrow(/not defined/);
    expect(() => tensor(new Float32Array(3), [2, 2])).toThrow(/need 4/);
  });

  it('writes large initializers as ONNX external data, page-aligned, that onnxruntime runs to the same bits as the embedded form', async () => {
    // Two weights of 2 KB and 1.25 KB (external: 1 KB or more) and a 12-byte bias (inline)..
    const build = (): GraphBuilder => {
      const g = new GraphBuilder('external');
      const x = g.input('x', 'float32', ['batch', 16]);
      const w1 = g.initializer('w1', Float32Array.from({ length: 16 * 32 }, (_, i) => Math.sin(i) / 3), [16, 32]);
      const w2 = g.initializer('w2', Float32Array.from({ length: 32 * 10 }, (_, i) => Math.cos(i) / 7), [32, 10]);
      const b = g.initializer('b', new Float32Array([0.1, -0.2, 0.3]), [3]);
      const h = g.node('Tanh', [g.node('MatMul', [x, w1])]);
      const y = g.node('MatMul', [h, w2]);
      g.output(y, 'y', 'float32', ['batch', 10]);
      g.output(g.node('Add', [g.node('Slice', [y, g.constant([0], [1], 'int64'), g.constant([3], [1], 'int64'), g.constant([1], [1], 'int64')]), b]), 'z', 'float32', ['batch', 3]);
      return g;
    };
    const external = build().toExternalData('model.onnx_data', { opset: 17 });
    const again = build().toExternalData('model.onnx_data', { opset: 17 });
    expect(Buffer.from(external.model).equals(Buffer.from(again.model))).toBe(true);
    expect(Buffer.from(external.data).equals(Buffer.from(again.data))).toBe(true);

    const embedded = decodeModel(build().toBytes({ opset: 17 }));
    const model = decodeModel(external.model);
    const byName = new Map((embedded.graph?.initializer ?? []).map((t) => [t.name, t]));
    const placed = (model.graph?.initializer ?? []).map((t) => {
      const entries = new Map((t.externalData ?? []).map((e) => [e.key, e.value]));
      return { name: t.name ?? '', external: t.dataLocation === onnxProto.onnx.TensorProto.DataLocation.EXTERNAL, file: entries.get('location'), offset: Number(entries.get('offset')), length: Number(entries.get('length')), inline: t.rawData?.length ?? 0 };
    });
    expect(placed.filter((t) => t.external).map((t) => [t.name, t.file, t.offset, t.length])).toEqual([
      ['w1', 'model.onnx_data', 0, 16 * 32 * 4],
      ['w2', 'model.onnx_data', EXTERNAL_DATA_ALIGNMENT, 32 * 10 * 4],
    ]);
    expect(placed.find((t) => t.name === 'b')).toMatchObject({ external: false, inline: 12 });
    for (const t of placed.filter((p) => p.external)) {
      expect(Buffer.from(external.data.subarray(t.offset, t.offset + t.length)).equals(Buffer.from(byName.get(t.name)!.rawData!)), t.name).toBe(true);
    }
    expect(external.data.length).toBe(EXTERNAL_DATA_ALIGNMENT + 32 * 10 * 4);

    const dir = await tempDir();
    await writeFile(join(dir, 'model.onnx'), external.model);
    await writeFile(join(dir, 'model.onnx_data'), external.data);
    const feeds = { x: new ort.Tensor('float32', Float32Array.from({ length: 3 * 16 }, (_, i) => (i % 7) - 3.5), [3, 16]) };
    const session = await ort.InferenceSession.create(join(dir, 'model.onnx'));
    const fromFile = await session.run(feeds);
    await session.release();
    const inMemory = await run(build().toBytes({ opset: 17 }), feeds);
    expect(Buffer.from((fromFile.y!.data as Float32Array).buffer).equals(Buffer.from((inMemory.y!.data as Float32Array).buffer))).toBe(true);
    expect(Buffer.from((fromFile.z!.data as Float32Array).buffer).equals(Buffer.from((inMemory.z!.data as Float32Array).buffer))).toBe(true);
  });
});
