/**
 * Regions of a file, each protected by its own CRC-32 and verified when it is read, so that a
 * reader that needs a few regions of a large file reads and checks only those, and damage is
 * detected where it is read. The glove-100d cache (../models/glove-cache.ts) is laid out this way.
 *
 * CRC-32 detects every burst of up to 32 flipped bits in a region, so every single flipped byte.
 */
import { readSync } from 'node:fs';
import { crc32 } from 'node:zlib';

/** A byte range of a file and the CRC-32 its bytes must have. */
export interface CheckedRegion {
  readonly offset: number;
  readonly length: number;
  readonly crc: number;
  /** What the region holds, for messages (`rows 0-255`). */
  readonly what: string;
}

/** A region whose bytes do not match their checksum, or that the file no longer holds whole. */
export class DamagedRegionError extends Error {
  constructor(
    readonly file: string,
    readonly region: CheckedRegion,
    reason: string,
  ) {
    super(`${reason} in ${region.what} (bytes ${region.offset}-${region.offset + region.length - 1})`);
    this.name = 'DamagedRegionError';
  }
}

/** Reads `into.length` bytes at `position` (fewer only where the file ends); returns how many were read. */
export function readExactlySync(fd: number, into: Uint8Array, position: number): number {
  let done = 0;
  while (done < into.length) {
    const bytesRead = readSync(fd, into, done, into.length - done, position + done);
    if (bytesRead === 0) break;
    done += bytesRead;
  }
  return done;
}

/**
 * Reads `region` synchronously into `into` (exactly `region.length` bytes, e.g. a view of a
 * matrix) and verifies it; throws {@link DamagedRegionError}, leaving `into` holding bytes that must
 * not be used.
 */
export function readRegionSync(fd: number, file: string, region: CheckedRegion, into: Uint8Array): void {
  if (into.length !== region.length) throw new RangeError(`buffer of ${into.length} bytes for a region of ${region.length}`);
  const done = readExactlySync(fd, into, region.offset);
  if (done !== region.length) throw new DamagedRegionError(file, region, `file ends after ${done} of ${region.length} bytes`);
  verifyRegion(file, region, into);
}

/** Checks the bytes of `region` (already read) against its checksum; throws {@link DamagedRegionError}. */
export function verifyRegion(file: string, region: CheckedRegion, bytes: Uint8Array): void {
  if (crc32(bytes) !== region.crc) throw new DamagedRegionError(file, region, 'checksum mismatch');
}
