/**
 * Writes safetensors files as the published format describes them (8-byte little-endian header
 * length, JSON header padded with spaces to a multiple of 8, raw little-endian data), for tests.
 * Its own float encoders (round to nearest, ties to even) are written from the IEEE 754 definitions,
 * independently of the reader in src/models/checkpoint/safetensors.ts.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';

export type WritableDtype = 'F32' | 'F16' | 'BF16' | 'I64';

/** One tensor to write: values in row-major order. */
export interface TensorToWrite {
  readonly name: string;
  readonly dtype: WritableDtype;
  readonly shape: readonly number[];
  readonly values: ArrayLike<number>;
}

function roundHalfEven(v: number): number {
  const floor = Math.floor(v);
  const d = v - floor;
  if (d > 0.5) return floor + 1;
  if (d < 0.5) return floor;
  return floor % 2 === 0 ? floor : floor + 1;
}

/** IEEE 754 binary16 bits of `x`, rounded to nearest, ties to even (from float64, no double rounding). */
export function f16Bits(x: number): number {
  if (Number.isNaN(x)) return 0x7e00;
  const sign = x < 0 || Object.is(x, -0) ? 0x8000 : 0;
  const a = Math.abs(x);
  if (a === 0) return sign;
  let e = Math.floor(Math.log2(a));
  if (2 ** e > a) e--;
  if (2 ** (e + 1) <= a) e++;
  if (e < -14) return sign | roundHalfEven(a / 2 ** -24); // subnormal (1024 carries into the smallest normal)
  let exponent = e + 15;
  let mantissa = roundHalfEven((a / 2 ** e - 1) * 1024);
  if (mantissa === 1024) {
    mantissa = 0;
    exponent++;
  }
  if (exponent >= 31) return sign | 0x7c00;
  return sign | (exponent << 10) | mantissa;
}

/** The value binary16 bits stand for (the definition: subnormals, infinities, NaN). */
export function f16Value(bits: number): number {
  const sign = bits & 0x8000 ? -1 : 1;
  const exponent = (bits >> 10) & 0x1f;
  const mantissa = bits & 0x3ff;
  if (exponent === 0) return sign * mantissa * 2 ** -24;
  if (exponent === 31) return mantissa === 0 ? sign * Infinity : NaN;
  return sign * (1024 + mantissa) * 2 ** (exponent - 25);
}

/** bfloat16 bits of float32(`x`), rounded to nearest, ties to even (as PyTorch's float32 -> bfloat16). */
export function bf16Bits(x: number): number {
  const view = new DataView(new ArrayBuffer(4));
  view.setFloat32(0, x);
  const bits = view.getUint32(0);
  return ((bits + 0x7fff + ((bits >>> 16) & 1)) >>> 16) & 0xffff;
}

export function bf16Value(bits: number): number {
  const view = new DataView(new ArrayBuffer(4));
  view.setUint32(0, bits << 16);
  return view.getFloat32(0);
}

/** The value a tensor element holds once stored as `dtype` (what a reader must give back). */
export function storedValue(x: number, dtype: WritableDtype): number {
  if (dtype === 'F16') return f16Value(f16Bits(x));
  if (dtype === 'BF16') return bf16Value(bf16Bits(x));
  if (dtype === 'F32') return Math.fround(x);
  return x;
}

const WIDTH: Record<WritableDtype, number> = { F32: 4, F16: 2, BF16: 2, I64: 8 };

function encode(tensor: TensorToWrite): Uint8Array {
  const n = tensor.values.length;
  const expected = tensor.shape.reduce((a, b) => a * b, 1);
  if (expected !== n) throw new RangeError(`${tensor.name}: shape [${tensor.shape.join(', ')}] needs ${expected} values, got ${n}`);
  const bytes = new Uint8Array(n * WIDTH[tensor.dtype]);
  const view = new DataView(bytes.buffer);
  for (let i = 0; i < n; i++) {
    const v = tensor.values[i]!;
    if (tensor.dtype === 'F32') view.setFloat32(i * 4, v, true);
    else if (tensor.dtype === 'F16') view.setUint16(i * 2, f16Bits(v), true);
    else if (tensor.dtype === 'BF16') view.setUint16(i * 2, bf16Bits(v), true);
    else view.setBigInt64(i * 8, BigInt(v), true);
  }
  return bytes;
}

/** The bytes of a safetensors file holding `tensors` in the given order. */
export function safetensorsBytes(tensors: readonly TensorToWrite[], metadata: Record<string, string> = { format: 'pt' }): Uint8Array {
  const header: Record<string, unknown> = { __metadata__: metadata };
  const chunks: Uint8Array[] = [];
  let offset = 0;
  for (const tensor of tensors) {
    const data = encode(tensor);
    header[tensor.name] = { dtype: tensor.dtype, shape: tensor.shape, data_offsets: [offset, offset + data.length] };
    chunks.push(data);
    offset += data.length;
  }
  let json = JSON.stringify(header);
  json += ' '.repeat((8 - (json.length % 8)) % 8);
  const headerBytes = new TextEncoder().encode(json);
  const out = new Uint8Array(8 + headerBytes.length + offset);
  new DataView(out.buffer).setBigUint64(0, BigInt(headerBytes.length), true);
  out.set(headerBytes, 8);
  let at = 8 + headerBytes.length;
  for (const chunk of chunks) {
    out.set(chunk, at);
    at += chunk.length;
  }
  return out;
}

export async function writeSafetensors(path: string, tensors: readonly TensorToWrite[], metadata?: Record<string, string>): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, safetensorsBytes(tensors, metadata));
}

/**
 * Writes `tensors` as a sharded checkpoint in `dir`: `model-0000i-of-0000n.safetensors` files of
 * about equal tensor counts and `model.safetensors.index.json`, as transformers' save_pretrained does.
 */
export async function writeShardedSafetensors(dir: string, tensors: readonly TensorToWrite[], shards: number): Promise<string[]> {
  const pad = (i: number): string => String(i).padStart(5, '0');
  const names = Array.from({ length: shards }, (_, i) => `model-${pad(i + 1)}-of-${pad(shards)}.safetensors`);
  const per = Math.ceil(tensors.length / shards);
  const weightMap: Record<string, string> = {};
  let totalSize = 0;
  for (const [i, name] of names.entries()) {
    const part = tensors.slice(i * per, (i + 1) * per);
    for (const t of part) {
      weightMap[t.name] = name;
      totalSize += t.values.length * WIDTH[t.dtype];
    }
    await writeSafetensors(join(dir, name), part);
  }
  await writeFile(join(dir, 'model.safetensors.index.json'), JSON.stringify({ metadata: { total_size: totalSize }, weight_map: weightMap }, null, 2));
  return names;
}
