/**
 * A reader of the safetensors format (https://huggingface.co/docs/safetensors), the weights file of
 * most Hugging Face Hub models: an 8-byte little-endian header length N, N bytes of JSON
 * (`{"name": {"dtype": "F16", "shape": [384], "data_offsets": [begin, end]}, ...,
 * "__metadata__": {...}}`, offsets relative to the byte after the header), then the raw
 * little-endian tensor data, row-major.
 *
 * The header is validated as the format's reference implementation (the Rust `safetensors` crate)
 * validates it: known dtypes, offsets inside the data, each tensor's byte length equal to its shape
 * times its dtype's size, and tensors tiling the data without gaps or overlaps. Any failure is an
 * {@link InputError} naming the file and the tensor. A tensor is read on request, its bytes alone
 * (never the whole file), and F32, F16 and BF16 are returned as float32 (every F16 and BF16 value
 * is exactly representable); other dtypes exist in real files (`embeddings.position_ids` is I64)
 * and are listed, but are not floats.
 */
import { open, stat, type FileHandle } from 'node:fs/promises';
import { endianness } from 'node:os';
import { InputError } from '../../types.js';

/** Bytes per element of every dtype the format defines. */
export const SAFETENSORS_DTYPE_BYTES: Readonly<Record<string, number>> = {
  BOOL: 1, U8: 1, I8: 1, F8_E4M3: 1, F8_E5M2: 1, F8_E8M0: 1,
  I16: 2, U16: 2, F16: 2, BF16: 2,
  I32: 4, U32: 4, F32: 4,
  I64: 8, U64: 8, F64: 8,
};

/** The dtypes {@link SafetensorsFile.readFloat32} converts. */
export const FLOAT_DTYPES: readonly string[] = ['F32', 'F16', 'BF16'];

/** The format caps the header at 100 MB (the Rust crate refuses larger ones). */
const MAX_HEADER_BYTES = 100_000_000;

/** One tensor of a safetensors file, as its header describes it. */
export interface SafetensorsTensor {
  readonly name: string;
  readonly dtype: string;
  readonly shape: readonly number[];
  /** Absolute byte offset of the tensor's data in the file. */
  readonly offset: number;
  readonly byteLength: number;
}

/** Thrown as {@link InputError}: `<file>: [tensor "<name>": ]<reason>`. */
function fileError(path: string, reason: string, tensor?: string): InputError {
  return new InputError(`${path}: ${tensor !== undefined ? `tensor ${JSON.stringify(tensor)}: ` : ''}${reason}`);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isNonNegativeInteger(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}

/** Validates a parsed header against a data section of `dataBytes` bytes; returns its tensors in file order. */
function parseHeader(path: string, header: unknown, headerEnd: number, dataBytes: number): { tensors: SafetensorsTensor[]; metadata: Record<string, string> } {
  if (!isRecord(header)) throw fileError(path, 'the header is not a JSON object');
  const metadata: Record<string, string> = {};
  const tensors: SafetensorsTensor[] = [];
  const spans: { name: string; begin: number; end: number }[] = [];
  for (const [name, value] of Object.entries(header)) {
    if (name === '__metadata__') {
      if (!isRecord(value) || Object.values(value).some((v) => typeof v !== 'string')) throw fileError(path, '__metadata__ is not a map of strings to strings');
      Object.assign(metadata, value);
      continue;
    }
    if (!isRecord(value)) throw fileError(path, 'its header entry is not an object', name);
    const { dtype, shape, data_offsets: offsets } = value;
    if (typeof dtype !== 'string') throw fileError(path, 'no dtype', name);
    const width = SAFETENSORS_DTYPE_BYTES[dtype];
    if (width === undefined) throw fileError(path, `unknown dtype ${JSON.stringify(dtype)} (known: ${Object.keys(SAFETENSORS_DTYPE_BYTES).join(', ')})`, name);
    if (!Array.isArray(shape) || !shape.every(isNonNegativeInteger)) throw fileError(path, `shape ${JSON.stringify(shape)} is not a list of non-negative integers`, name);
    if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every(isNonNegativeInteger) || offsets[0]! > offsets[1]!) {
      throw fileError(path, `data_offsets ${JSON.stringify(offsets)} is not a pair [begin, end] with begin <= end`, name);
    }
    const [begin, end] = offsets as [number, number];
    if (end > dataBytes) throw fileError(path, `data_offsets [${begin}, ${end}] lie outside the data (${dataBytes} bytes after the header): the file is truncated or damaged`, name);
    const elements = shape.reduce((a, b) => a * b, 1);
    if (end - begin !== elements * width) {
      throw fileError(path, `data_offsets [${begin}, ${end}] hold ${end - begin} bytes, but shape [${shape.join(', ')}] of ${dtype} needs ${elements * width}`, name);
    }
    tensors.push({ name, dtype, shape, offset: headerEnd + begin, byteLength: end - begin });
    spans.push({ name, begin, end });
  }
  // As the reference implementation: the tensors tile the data, no gap, no overlap, nothing after.
  spans.sort((a, b) => a.begin - b.begin || a.end - b.end);
  let expected = 0;
  for (const span of spans) {
    if (span.begin !== expected) throw fileError(path, `its data starts at byte ${span.begin} of the data, expected ${expected} (tensors must tile the data without gaps or overlaps)`, span.name);
    expected = span.end;
  }
  if (expected !== dataBytes) throw fileError(path, `the data holds ${dataBytes} bytes after the header, but its tensors end at ${expected}`);
  return { tensors, metadata };
}

/** float32 value of every F16 bit pattern (built once; F16 -> F32 is exact). */
let halfTable: Float32Array | undefined;

function halfToFloatTable(): Float32Array {
  if (halfTable) return halfTable;
  const table = new Float32Array(65536);
  for (let bits = 0; bits < 65536; bits++) {
    const sign = bits & 0x8000 ? -1 : 1;
    const exponent = (bits >> 10) & 0x1f;
    const fraction = bits & 0x3ff;
    if (exponent === 0) table[bits] = sign * 2 ** -14 * (fraction / 1024);
    else if (exponent === 31) table[bits] = fraction === 0 ? sign * Infinity : NaN;
    else table[bits] = sign * 2 ** (exponent - 15) * (1 + fraction / 1024);
  }
  halfTable = table;
  return table;
}

const LITTLE_ENDIAN_HOST = endianness() === 'LE';

/** Little-endian F32/F16/BF16 bytes as float32 values. */
export function decodeFloat32(bytes: Uint8Array, dtype: string): Float32Array {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (dtype === 'F32') {
    if (LITTLE_ENDIAN_HOST && bytes.byteOffset % 4 === 0) return new Float32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 4);
    return Float32Array.from({ length: bytes.byteLength / 4 }, (_, i) => view.getFloat32(i * 4, true));
  }
  const n = bytes.byteLength / 2;
  const bits = LITTLE_ENDIAN_HOST && bytes.byteOffset % 2 === 0 ? new Uint16Array(bytes.buffer, bytes.byteOffset, n) : Uint16Array.from({ length: n }, (_, i) => view.getUint16(i * 2, true));
  const out = new Float32Array(n);
  if (dtype === 'F16') {
    const table = halfToFloatTable();
    for (let i = 0; i < n; i++) out[i] = table[bits[i]!]!;
    return out;
  }
  if (dtype === 'BF16') {
    // bfloat16 is the upper half of a float32.
    const words = new Uint32Array(out.buffer);
    for (let i = 0; i < n; i++) words[i] = bits[i]! << 16;
    return out;
  }
  throw new RangeError(`not a float dtype: ${dtype}`);
}

/** One opened safetensors file: its validated header, and its tensors read on request. */
export class SafetensorsFile {
  private constructor(
    readonly path: string,
    private readonly handle: FileHandle,
    /** Every tensor, by name, in header order. */
    readonly tensors: ReadonlyMap<string, SafetensorsTensor>,
    /** The header's `__metadata__` (e.g. `{"format": "pt"}`). */
    readonly metadata: Readonly<Record<string, string>>,
    /** File size in bytes. */
    readonly size: number,
  ) {}

  /** Opens and validates `path` (see the file comment); throws {@link InputError} naming the file and tensor. */
  static async open(path: string): Promise<SafetensorsFile> {
    let size: number;
    try {
      size = (await stat(path)).size;
    } catch (error) {
      throw fileError(path, `cannot read it: ${(error as Error).message}`);
    }
    const handle = await open(path, 'r');
    try {
      if (size < 8) throw fileError(path, `${size} bytes: truncated (a safetensors file starts with an 8-byte header length)`);
      const lengthBytes = Buffer.alloc(8);
      await handle.read(lengthBytes, 0, 8, 0);
      const headerLength = lengthBytes.readBigUInt64LE(0);
      if (headerLength > BigInt(size - 8)) throw fileError(path, `header length ${headerLength} runs past the end of the file (${size} bytes): truncated, or not a safetensors file`);
      if (headerLength > BigInt(MAX_HEADER_BYTES)) throw fileError(path, `header length ${headerLength} exceeds the format's limit of ${MAX_HEADER_BYTES} bytes`);
      const headerBytes = Buffer.alloc(Number(headerLength));
      await handle.read(headerBytes, 0, headerBytes.length, 8);
      let header: unknown;
      try {
        header = JSON.parse(headerBytes.toString('utf8'));
      } catch (error) {
        throw fileError(path, `the header is not JSON (${(error as Error).message}): not a safetensors file`);
      }
      const headerEnd = 8 + headerBytes.length;
      const { tensors, metadata } = parseHeader(path, header, headerEnd, size - headerEnd);
      return new SafetensorsFile(path, handle, new Map(tensors.map((t) => [t.name, t])), metadata, size);
    } catch (error) {
      await handle.close();
      throw error;
    }
  }

  /** The tensor's raw little-endian bytes (only its own range of the file is read). */
  async readBytes(name: string): Promise<Uint8Array> {
    const tensor = this.tensors.get(name);
    if (tensor === undefined) throw fileError(this.path, 'not in the file', name);
    const bytes = new Uint8Array(tensor.byteLength);
    let done = 0;
    while (done < bytes.length) {
      const { bytesRead } = await this.handle.read(bytes, done, bytes.length - done, tensor.offset + done);
      if (bytesRead === 0) throw fileError(this.path, 'the file ended while reading it (changed on disk?)', name);
      done += bytesRead;
    }
    return bytes;
  }

  /** The tensor as float32 (F32, F16 and BF16; any other dtype is an {@link InputError}). */
  async readFloat32(name: string): Promise<Float32Array> {
    const tensor = this.tensors.get(name);
    if (tensor === undefined) throw fileError(this.path, 'not in the file', name);
    if (!FLOAT_DTYPES.includes(tensor.dtype)) throw fileError(this.path, `dtype ${tensor.dtype}, expected a float tensor (${FLOAT_DTYPES.join(', ')})`, name);
    return decodeFloat32(await this.readBytes(name), tensor.dtype);
  }

  async close(): Promise<void> {
    await this.handle.close();
  }
}
