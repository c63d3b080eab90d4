/**
 * Readers for user-supplied static vectors (`--model static:PATH`), in the formats gensim and the
 * original tools write:
 *
 * - GloVe text: `word v1 ... vd` per line, no header;
 * - word2vec text and fastText `.vec`: a first line `count dimensions`, then as GloVe;
 * - word2vec binary (`.bin`): a header line `count dimensions`, then per word the word's UTF-8 bytes,
 *   a space, `dimensions` little-endian float32 values, and an optional newline.
 *
 * Every malformed line is an {@link InputError} with `file:line`.
 */
import { createHash } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import { basename } from 'node:path';
import { InputError } from '../types.js';
import { StaticModel, StaticVectors } from './static.js';

export type VectorFormat = 'glove' | 'word2vec-text' | 'word2vec-binary';

function parseHeader(line: string): { count: number; dimensions: number } | null {
  const match = /^\s*(\d+)\s+(\d+)\s*$/.exec(line);
  return match ? { count: Number(match[1]), dimensions: Number(match[2]) } : null;
}

/** Reads text vectors; a `count dimensions` first line (word2vec/fastText) is detected and checked. */
export function parseTextVectors(text: string, file: string): { vectors: StaticVectors; format: VectorFormat } {
  const lines = text.split(/\r?\n/);
  if (lines.at(-1) === '') lines.pop();
  const header = lines.length > 0 ? parseHeader(lines[0]!) : null;
  const first = header ? 1 : 0;
  const words: string[] = [];
  const values: number[] = [];
  let dimensions = header?.dimensions ?? 0;
  for (let index = first; index < lines.length; index++) {
    const source = { file, line: index + 1 };
    const fields = lines[index]!.trimEnd().split(' ');
    if (fields.length < 2) throw new InputError('expected a word followed by its vector values', source);
    if (dimensions === 0) dimensions = fields.length - 1;
    if (fields.length - 1 !== dimensions) {
      throw new InputError(`expected ${dimensions} values after the word, found ${fields.length - 1}`, source);
    }
    words.push(fields[0]!);
    for (let i = 1; i < fields.length; i++) {
      const value = Number(fields[i]);
      if (!Number.isFinite(value)) throw new InputError(`value ${i} ("${fields[i]}") is not a number`, source);
      values.push(value);
    }
  }
  if (words.length === 0) throw new InputError(`${file}: no vectors found`);
  if (header && header.count !== words.length) {
    throw new InputError(`header announces ${header.count} words but the file has ${words.length}`, { file, line: 1 });
  }
  return {
    vectors: StaticVectors.fromWords(words, Float32Array.from(values), dimensions),
    format: header ? 'word2vec-text' : 'glove',
  };
}

/** Reads word2vec binary vectors. */
export function parseBinaryVectors(bytes: Buffer, file: string): StaticVectors {
  const newline = bytes.indexOf(0x0a);
  const header = newline > 0 ? parseHeader(bytes.toString('utf8', 0, newline)) : null;
  if (!header) throw new InputError('expected a header line "count dimensions"', { file, line: 1 });
  const { count, dimensions } = header;
  // Checked before the matrix is allocated: a header that promises more than the file holds is not believed.
  const least = newline + 1 + count * (2 + dimensions * 4);
  if (bytes.length < least) {
    throw new InputError(`the header announces ${count.toLocaleString('en-US')} words of ${dimensions} dimensions (at least ${least.toLocaleString('en-US')} bytes), but the file has ${bytes.length.toLocaleString('en-US')} bytes`, { file, line: 1 });
  }
  const words: string[] = [];
  const matrix = new Float32Array(count * dimensions);
  let position = newline + 1;
  for (let row = 0; row < count; row++) {
    // Records have no line structure; report the 1-based record number after the header line.
    const source = { file, line: row + 2 };
    while (position < bytes.length && bytes[position] === 0x0a) position++; // optional newline
    const space = bytes.indexOf(0x20, position);
    if (space < 0) throw new InputError(`truncated file: word ${row + 1} of ${count} is missing`, source);
    const word = bytes.toString('utf8', position, space);
    if (word === '') throw new InputError(`empty word in record ${row + 1}`, source);
    position = space + 1;
    const end = position + dimensions * 4;
    if (end > bytes.length) throw new InputError(`truncated vector for "${word}" (record ${row + 1} of ${count})`, source);
    for (let i = 0; i < dimensions; i++) matrix[row * dimensions + i] = bytes.readFloatLE(position + i * 4);
    words.push(word);
    position = end;
  }
  return StaticVectors.fromWords(words, matrix, dimensions);
}

/** Loads `static:PATH`; the format is chosen by extension (`.bin` binary, else text). */
export async function loadStaticFile(path: string): Promise<StaticModel> {
  let bytes: Buffer;
  try {
    // Only a regular file: a device (/dev/zero) never ends, a FIFO blocks until someone writes.
    const info = await stat(path);
    if (!info.isFile()) throw new InputError(`${path}: not a regular file (${info.isDirectory() ? 'a directory' : info.isFIFO() ? 'a named pipe' : info.isCharacterDevice() || info.isBlockDevice() ? 'a device' : 'a special file'}); static:PATH reads a vectors file`);
    bytes = await readFile(path);
  } catch (error) {
    if (error instanceof InputError) throw error;
    throw new InputError(`${path}: cannot read vectors (${(error as NodeJS.ErrnoException).code ?? String(error)})`);
  }
  const binary = path.toLowerCase().endsWith('.bin');
  const { vectors, format } = binary
    ? { vectors: parseBinaryVectors(bytes, path), format: 'word2vec-binary' as const }
    : parseTextVectors(bytes.toString('utf8'), path);
  return new StaticModel(`static:${basename(path)}`, vectors, createHash('sha256').update(bytes).digest('hex'), {
    source: path,
    format,
    vocabulary: vectors.size,
    dimensions: vectors.dimensions,
  });
}
