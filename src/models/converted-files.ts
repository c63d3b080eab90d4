/**
 * Fingerprints of the files of a converted model directory (use-lite's and the checkpoint
 * converter's) and of the source files it was converted from: size, CRC-32 and sha256, computed
 * once when the conversion is written. Every use checks sizes and CRC-32s (all of the bytes, a few
 * hundred MB/s at worst); the sha256 listing is the model's identity (embedding cache key,
 * run.json) and is not recomputed, the CRCs vouch for the bytes it was computed from.
 *
 * No dependencies beyond Node: loading a converted model imports this, not the converters.
 */
import { createHash } from 'node:crypto';
import { open, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { crc32 } from 'node:zlib';
import { writeFileAtomic } from '../io/atomic.js';

/** Size, CRC-32 and sha256 of one file. */
export interface FileFingerprint {
  readonly size: number;
  readonly crc32: number;
  readonly sha256: string;
}

/** Bytes per read when fingerprinting: one buffer per call, reused for every file of it. */
const READ_BYTES = 1 << 20;

/** Size, CRC-32 and (when `withSha256`) sha256 of a file, read through `buffer`. */
async function fingerprintWith(path: string, withSha256: boolean, buffer: Buffer): Promise<FileFingerprint> {
  const hash = withSha256 ? createHash('sha256') : undefined;
  const file = await open(path, 'r');
  let crc = 0;
  let size = 0;
  try {
    for (;;) {
      const { bytesRead } = await file.read(buffer, 0, buffer.length, size);
      if (bytesRead === 0) break;
      const chunk = buffer.subarray(0, bytesRead);
      crc = crc32(chunk, crc);
      hash?.update(chunk);
      size += bytesRead;
    }
  } finally {
    await file.close();
  }
  return { size, crc32: crc, sha256: hash?.digest('hex') ?? '' };
}

/** Fingerprints of files (paths relative to `base`), size, CRC-32 and sha256 (at conversion). */
export async function fingerprintFiles(base: string, paths: readonly string[]): Promise<Record<string, FileFingerprint>> {
  const buffer = Buffer.allocUnsafe(READ_BYTES);
  const files: Record<string, FileFingerprint> = {};
  for (const path of paths) files[path] = await fingerprintWith(join(base, path), true, buffer);
  return files;
}

/** Size, CRC-32 and sha256 of bytes about to be written. */
export function fingerprintBytes(bytes: Uint8Array | string): FileFingerprint {
  const buffer = typeof bytes === 'string' ? Buffer.from(bytes, 'utf8') : bytes;
  return { size: buffer.length, crc32: crc32(buffer), sha256: createHash('sha256').update(buffer).digest('hex') };
}

/** sha256 over `<sha256>  <path>\n` lines in path order (as `sha256sum` lists them): one checksum for a directory. */
export function listingDigest(files: Readonly<Record<string, FileFingerprint>>): string {
  return createHash('sha256')
    .update(
      Object.keys(files)
        .sort()
        .map((path) => `${files[path]!.sha256}  ${path}\n`)
        .join(''),
    )
    .digest('hex');
}

/** Writes each file atomically (paths relative to `dir`) and returns their fingerprints. */
export async function writeFingerprinted(dir: string, contents: Readonly<Record<string, Uint8Array | string>>): Promise<Record<string, FileFingerprint>> {
  const files: Record<string, FileFingerprint> = {};
  for (const [path, bytes] of Object.entries(contents)) {
    await writeFileAtomic(join(dir, path), bytes);
    files[path] = fingerprintBytes(bytes);
  }
  return files;
}

/**
 * Checks files (paths relative to `base`) against their recorded sizes and CRC-32s; returns the
 * problems (`<what> <path> is missing`, `<what> <path> does not match its checksum`; without a
 * `what`, the path alone), empty when every file matches.
 */
export async function checkFingerprints(base: string, files: Readonly<Record<string, FileFingerprint>>, what = ''): Promise<string[]> {
  const named = (path: string): string => (what === '' ? path : `${what} ${path}`);
  const buffer = Buffer.allocUnsafe(READ_BYTES);
  const problems: string[] = [];
  for (const [path, expected] of Object.entries(files)) {
    let actual: FileFingerprint;
    try {
      actual = await fingerprintWith(join(base, path), false, buffer);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      problems.push(`${named(path)} is missing`);
      continue;
    }
    if (actual.size !== expected.size || actual.crc32 !== expected.crc32) problems.push(`${named(path)} does not match its checksum`);
  }
  return problems;
}

/** A fingerprint record read from a manifest, checked by shape (a manifest is sensebench's own file, but may be damaged). */
export function isFingerprintRecord(value: unknown): value is Record<string, FileFingerprint> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  return Object.values(value).every((entry: unknown) => {
    if (typeof entry !== 'object' || entry === null) return false;
    const { size, crc32: crc, sha256 } = entry as Record<string, unknown>;
    return typeof size === 'number' && typeof crc === 'number' && typeof sha256 === 'string';
  });
}

/** A manifest's bytes as the converters write them: indented JSON with a final newline, the same bytes for the same value. */
export function manifestJson(value: unknown): string {
  return `${JSON.stringify(value, null, 2)}\n`;
}

/** What every converted directory's manifest holds, whichever converter wrote it. */
export interface ConvertedManifest {
  readonly converterVersion: string;
  readonly source: { readonly files: Record<string, FileFingerprint> };
  readonly files: Record<string, FileFingerprint>;
  /** {@link listingDigest} of `files`: the converted model's identity. */
  readonly sha256: string;
}

/**
 * Reads `dir/name` as a converter's manifest of format `format`, checked by shape (it is
 * sensebench's own file, but may be damaged or of another version): undefined when missing,
 * unreadable or of another shape. `accept` checks what one converter adds to the common fields.
 */
export async function readManifest<M extends ConvertedManifest>(dir: string, name: string, format: number, accept: (manifest: Record<string, unknown>, source: Record<string, unknown>) => boolean): Promise<M | undefined> {
  let value: unknown;
  try {
    value = JSON.parse(await readFile(join(dir, name), 'utf8'));
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  const m = value as Record<string, unknown>;
  const source = m.source as Record<string, unknown> | null | undefined;
  const ok =
    m.format === format &&
    typeof m.converterVersion === 'string' &&
    typeof source === 'object' &&
    source !== null &&
    isFingerprintRecord(source.files) &&
    isFingerprintRecord(m.files) &&
    typeof m.sha256 === 'string' &&
    accept(m, source);
  return ok ? (value as M) : undefined;
}

/**
 * The last checks of a converted directory, once its manifest and sources are accepted: every file
 * by size and CRC-32 (problems named `<what> <path> ...`), then the manifest's own checksum.
 */
export async function checkConvertedFiles(dir: string, manifest: ConvertedManifest, manifestName: string, what = ''): Promise<string[]> {
  const problems = await checkFingerprints(dir, manifest.files, what);
  if (problems.length === 0 && manifest.sha256 !== listingDigest(manifest.files)) problems.push(`${manifestName} checksum does not match its file list`);
  return problems;
}
