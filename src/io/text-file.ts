/**
 * Text files as datasets arrive: UTF-8 (a BOM allowed), anything else refused with where and why.
 * A UTF-16 file (Windows' "Unicode" text) is named as such instead of failing later as a field
 * count or a JSON syntax error; invalid UTF-8 and NUL bytes are refused at their line instead of
 * becoming U+FFFD or a NUL inside a sentence.
 */
import { isUtf8 } from 'node:buffer';
import { InputError } from '../errors.js';

/** The encoding a byte-order mark or the pattern of NUL bytes shows, when it is not UTF-8. */
export function utf16Encoding(bytes: Uint8Array): string | null {
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return bytes[2] === 0 && bytes[3] === 0 ? 'UTF-32 LE' : 'UTF-16 LE';
  if (bytes[0] === 0xfe && bytes[1] === 0xff) return 'UTF-16 BE';
  // Without a mark: ASCII text in UTF-16 has a NUL in every other byte.
  const sample = Math.min(bytes.length, 4096) & ~1;
  if (sample < 4) return null;
  let evenNuls = 0;
  let oddNuls = 0;
  for (let i = 0; i < sample; i += 2) {
    if (bytes[i] === 0) evenNuls++;
    if (bytes[i + 1] === 0) oddNuls++;
  }
  const half = sample / 2;
  if (oddNuls > 0.4 * half && evenNuls < 0.05 * half) return 'UTF-16 LE (no byte-order mark)';
  if (evenNuls > 0.4 * half && oddNuls < 0.05 * half) return 'UTF-16 BE (no byte-order mark)';
  return null;
}

/** Line (1-based) and column (1-based, in bytes) of byte `offset`. */
function position(bytes: Uint8Array, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < offset; i++) {
    if (bytes[i] === 0x0a) {
      line++;
      lineStart = i + 1;
    }
  }
  return { line, column: offset - lineStart + 1 };
}

/** Offset of the first byte that is not part of a valid UTF-8 sequence (the file is known to be invalid). */
function firstInvalidUtf8(bytes: Uint8Array): number {
  let i = 0;
  while (i < bytes.length) {
    const b = bytes[i]!;
    const length = b < 0x80 ? 1 : b >= 0xc2 && b <= 0xdf ? 2 : b >= 0xe0 && b <= 0xef ? 3 : b >= 0xf0 && b <= 0xf4 ? 4 : 0;
    if (length === 0) return i;
    if (length > 1 && !isUtf8(bytes.subarray(i, i + length))) return i;
    i += length;
  }
  return bytes.length;
}

/**
 * The text of a file's bytes, its UTF-8 BOM removed. Throws an {@link InputError} naming `file`
 * (and the line) for a UTF-16 or UTF-32 file, a NUL byte, or bytes that are not UTF-8.
 */
export function decodeUtf8(bytes: Uint8Array, file: string): string {
  const encoding = utf16Encoding(bytes);
  if (encoding !== null) throw new InputError(`the file is ${encoding} encoded; save it as UTF-8`, { file, line: 1 });
  const nul = bytes.indexOf(0);
  if (nul >= 0) {
    const { line, column } = position(bytes, nul);
    throw new InputError(`a NUL byte at column ${column}: not a text file (or not UTF-8)`, { file, line });
  }
  if (!isUtf8(bytes)) {
    const offset = firstInvalidUtf8(bytes);
    const { line, column } = position(bytes, offset);
    throw new InputError(`invalid UTF-8 (byte 0x${bytes[offset]!.toString(16).padStart(2, '0')} at column ${column}); save the file as UTF-8`, { file, line });
  }
  const text = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8');
  return text.startsWith('\uFEFF') ? text.slice(1) : text;
}
