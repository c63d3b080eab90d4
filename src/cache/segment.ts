/**
 * The on-disk segment format of the embedding cache: one file holds the target vectors of many
 * occurrences for one model identity, in fixed-size records that each carry their own CRC-32, so
 * that damage to one record costs that record only and a reader never trusts a damaged byte.
 *
 * Segment layout (little-endian, every region a multiple of 4 bytes):
 *   magic "SBEMB001" | uint32 header length | header JSON (space-padded to a multiple of 4)
 *   | uint32 CRC-32 of everything before it
 *   | records x recordBytes
 *
 * Record layout (R representations): key (32 bytes, sha256 of the occurrence, see `occurrenceKey`)
 *   | flags (1 + R bytes, zero-padded to a multiple of 4): byte 0 = truncated, byte 1 + r = 1 when
 *     representation r has no vector (out of vocabulary)
 *   | float32 vectors, representation by representation, `dimensions[r]` values each
 *     (zeros in the place of a missing vector, so that every record has the same size)
 *   | uint32 CRC-32 of the record's bytes before it
 *
 * Vectors are stored in the host's float32 byte order (little-endian on every platform Node
 * supports in practice); a cache directory is a local artefact, not an exchange format.
 */
import { createHash } from 'node:crypto';
import { crc32 } from 'node:zlib';
import type { OccurrenceEmbedding, TargetOccurrence } from '../types.js';

const MAGIC = 'SBEMB001';
/**
 * Bump when the segment layout changes: older segments then read as unusable and are replaced.
 * 3: the per-record sentence means of format 2 are gone (contextuality embeds a sentence's words
 * as occurrences of their own).
 */
export const SEGMENT_FORMAT = 3;
export const KEY_BYTES = 32;
/** Segment files are cut at about this size, so a reader holds at most one such buffer at a time. */
export const MAX_SEGMENT_BYTES = 64 << 20;
export const SEGMENT_EXTENSION = '.sbemb';

/** What a segment's header says. */
export interface SegmentHeader {
  readonly format: number;
  /** The identity hash of the model whose vectors these are (the directory's, checked on read). */
  readonly identity: string;
  /** Vector length of each representation (0 when no record of the segment has a vector for it). */
  readonly dimensions: readonly number[];
  readonly records: number;
  readonly recordBytes: number;
}

/** One cached occurrence. */
export interface CacheEntry {
  /** Hex of the 32-byte occurrence key. */
  readonly key: string;
  readonly embedding: OccurrenceEmbedding;
}

/**
 * The key of an occurrence: sha256 over its exact sentence and all of its spans, in order. The
 * file and line it came from are not part of it: the same sentence in two datasets is one entry.
 */
export function occurrenceKey(occurrence: TargetOccurrence): string {
  const spans = occurrence.spans.map((span) => [span.start, span.end]);
  return createHash('sha256').update(JSON.stringify([occurrence.sentence, spans])).digest('hex');
}

function flagBytes(representations: number): number {
  return Math.ceil((1 + representations) / 4) * 4;
}

function recordBytesFor(dimensions: readonly number[]): number {
  return KEY_BYTES + flagBytes(dimensions.length) + dimensions.reduce((total, d) => total + d, 0) * 4 + 4;
}

/**
 * The vector length of each representation over a batch of embeddings; throws when a model
 * returned vectors of different lengths for one representation (a bug in the model, not input).
 */
export function batchDimensions(entries: readonly CacheEntry[], representations: number): number[] {
  const dimensions: (number | null)[] = new Array<number | null>(representations).fill(null);
  for (const { embedding } of entries) {
    const { vectors } = embedding;
    if (vectors.length !== representations) {
      throw new Error(`embedding cache: an embedding has ${vectors.length} vectors, the model has ${representations} representations`);
    }
    vectors.forEach((vector, r) => {
      if (vector === null) return;
      const known = dimensions[r];
      if (known === null || known === undefined) dimensions[r] = vector.length;
      else if (known !== vector.length) throw new Error(`embedding cache: representation ${r} has vectors of ${known} and ${vector.length} values`);
    });
  }
  return dimensions.map((d) => d ?? 0);
}

/** Splits entries into runs that each fit in one segment of at most {@link MAX_SEGMENT_BYTES}. */
export function segmentRuns(entries: readonly CacheEntry[], dimensions: readonly number[]): CacheEntry[][] {
  const perSegment = Math.max(1, Math.floor(MAX_SEGMENT_BYTES / recordBytesFor(dimensions)));
  const runs: CacheEntry[][] = [];
  for (let start = 0; start < entries.length; start += perSegment) runs.push(entries.slice(start, start + perSegment));
  return runs;
}

function encodeHeader(header: SegmentHeader): Buffer {
  const json = JSON.stringify(header);
  const padded = json + ' '.repeat((4 - (Buffer.byteLength(json) % 4)) % 4);
  const body = Buffer.alloc(12 + Buffer.byteLength(padded));
  body.write(MAGIC, 0, 'latin1');
  body.writeUInt32LE(Buffer.byteLength(padded), 8);
  body.write(padded, 12, 'utf8');
  const crc = Buffer.alloc(4);
  crc.writeUInt32LE(crc32(body));
  return Buffer.concat([body, crc]);
}

/** Encodes one segment (all entries share `dimensions`, see {@link batchDimensions}). */
export function encodeSegment(identity: string, dimensions: readonly number[], entries: readonly CacheEntry[]): Buffer {
  const recordBytes = recordBytesFor(dimensions);
  const header = encodeHeader({ format: SEGMENT_FORMAT, identity, dimensions, records: entries.length, recordBytes });
  const records = Buffer.alloc(entries.length * recordBytes);
  const flags = flagBytes(dimensions.length);
  entries.forEach(({ key, embedding }, index) => {
    const start = index * recordBytes;
    if (records.write(key, start, 'hex') !== KEY_BYTES) throw new Error(`embedding cache: bad key ${key}`);
    records[start + KEY_BYTES] = embedding.truncated ? 1 : 0;
    let offset = start + KEY_BYTES + flags;
    embedding.vectors.forEach((vector, r) => {
      const length = dimensions[r]!;
      if (vector === null) records[start + KEY_BYTES + 1 + r] = 1;
      else records.set(new Uint8Array(vector.buffer, vector.byteOffset, length * 4), offset);
      offset += length * 4;
    });
    records.writeUInt32LE(crc32(records.subarray(start, offset)), offset);
  });
  return Buffer.concat([header, records]);
}

/** Why a segment or a record is unusable. */
export class SegmentDamage extends Error {}

/** A parsed segment header and where its records start. */
export interface SegmentLayout {
  readonly header: SegmentHeader;
  readonly recordsStart: number;
}

/**
 * Parses and verifies a segment's header from (at least) its first bytes. Throws
 * {@link SegmentDamage} when the header is damaged or belongs to another model identity.
 */
export function decodeSegmentHeader(bytes: Buffer, identity: string | null): SegmentLayout {
  if (bytes.length < 16 || bytes.toString('latin1', 0, 8) !== MAGIC) throw new SegmentDamage('not a sensebench embedding segment (bad magic)');
  const length = bytes.readUInt32LE(8);
  if (16 + length > bytes.length) throw new SegmentDamage('truncated header');
  if (bytes.readUInt32LE(12 + length) !== crc32(bytes.subarray(0, 12 + length))) throw new SegmentDamage('header checksum mismatch');
  let header: SegmentHeader;
  try {
    header = JSON.parse(bytes.toString('utf8', 12, 12 + length)) as SegmentHeader;
  } catch {
    throw new SegmentDamage('header is not JSON');
  }
  if (header.format !== SEGMENT_FORMAT) throw new SegmentDamage(`segment format ${header.format}, expected ${SEGMENT_FORMAT}`);
  if (identity !== null && header.identity !== identity) throw new SegmentDamage(`belongs to model identity ${header.identity}, not ${identity}`);
  if (
    !Array.isArray(header.dimensions) ||
    header.recordBytes !== recordBytesFor(header.dimensions) ||
    !Number.isSafeInteger(header.records)
  ) {
    throw new SegmentDamage('inconsistent header');
  }
  return { header, recordsStart: 16 + length };
}

/** What reading one segment found. */
export interface SegmentScan {
  /** Records whose checksum failed or that are missing from a cut-off file. */
  readonly damagedRecords: number;
  /** Byte ranges of the sound records (for rewriting a damaged segment without its bad records). */
  readonly soundRecords: readonly { readonly start: number; readonly end: number }[];
}

/** Where record `index` of a segment starts in its file. */
export function recordOffset({ header, recordsStart }: SegmentLayout, index: number): number {
  return recordsStart + index * header.recordBytes;
}

/** The size of a segment file exactly as written: any other size is damage (cut off, or bytes added). */
export function segmentBytes(layout: SegmentLayout): number {
  return recordOffset(layout, layout.header.records);
}

/** The hex key of the record at `start` of `bytes` (not verified: see {@link recordIsSound}). */
export function recordKey(bytes: Buffer, start: number): string {
  return bytes.toString('hex', start, start + KEY_BYTES);
}

/** Whether the record at `start` of `bytes` is as written: its CRC-32 matches and its flags are 0 or 1. */
export function recordIsSound(bytes: Buffer, start: number, { recordBytes, dimensions }: SegmentHeader): boolean {
  const crcAt = start + recordBytes - 4;
  if (bytes.readUInt32LE(crcAt) !== crc32(bytes.subarray(start, crcAt))) return false;
  for (let flag = 0; flag <= dimensions.length; flag++) if (bytes[start + KEY_BYTES + flag]! > 1) return false;
  return true;
}

/** The size of one {@link RecordBlocks} block. */
export const RECORD_BLOCK_BYTES = 4 << 20;

/**
 * Room for decoded records' values: blocks of about {@link RECORD_BLOCK_BYTES}, each filled by
 * the records of one lookup in turn (a record longer than that gets a block of its own). A fresh
 * allocation per record (tens of thousands per run) cost more than the copy itself; a block of a
 * few MB is recycled by the allocator once its records are gone, where a larger one would be
 * mapped afresh (and page-faulted in) each time. Every record gets its own range, never reused:
 * a vector stays valid, and unchanged, as long as it is referenced (it keeps its block alive).
 */
export class RecordBlocks {
  private block: Float32Array = new Float32Array(0);
  private used = 0;
  private records = 0;

  /**
   * `expectedRecords`: how many records at most will be taken (a lookup's keys), so that a small
   * lookup gets a block of its size, not {@link RECORD_BLOCK_BYTES}.
   */
  constructor(
    private readonly expectedRecords: number = Number.POSITIVE_INFINITY,
    private readonly blockValues: number = RECORD_BLOCK_BYTES / 4,
    /**
     * Blocks of shared memory (SharedArrayBuffer), which a worker thread can read in place. (Not
     * for a lookup's records: a freed SharedArrayBuffer's memory is not recycled, every new one is
     * page-faulted in afresh, measured at about twice the cost of an ArrayBuffer of 4 MB.)
     */
    private readonly shared: boolean = false,
  ) {}

  /** A fresh range of `count` values (zeros) for one record, that no other call is given. */
  take(count: number): Float32Array {
    if (this.used + count > this.block.length) {
      const remaining = Math.max(1, this.expectedRecords - this.records);
      const values = Math.max(count, Math.min(this.blockValues, count * remaining));
      this.block = this.shared ? new Float32Array(new SharedArrayBuffer(values * 4)) : new Float32Array(values);
      this.used = 0;
    }
    const range = this.block.subarray(this.used, this.used + count);
    this.used += count;
    this.records++;
    return range;
  }
}

/**
 * Decodes the sound record at `start` of `bytes` into a range of `blocks` (independent of the
 * buffer read, which can then be reused or freed); each representation's vector is a view into it.
 */
export function decodeRecord(bytes: Buffer, start: number, { recordBytes, dimensions }: SegmentHeader, blocks: RecordBlocks): CacheEntry {
  const valuesStart = start + KEY_BYTES + flagBytes(dimensions.length);
  const count = (start + recordBytes - 4 - valuesStart) / 4;
  const values = blocks.take(count);
  // Byte for byte (the record's values need not be 4-byte aligned in the buffer read).
  new Uint8Array(values.buffer, values.byteOffset, count * 4).set(bytes.subarray(valuesStart, valuesStart + count * 4));
  let offset = 0;
  const vectors = dimensions.map((length, r) => {
    const from = offset;
    offset += length;
    return bytes[start + KEY_BYTES + 1 + r] === 1 ? null : values.subarray(from, offset);
  });
  return { key: recordKey(bytes, start), embedding: { vectors, truncated: bytes[start + KEY_BYTES] === 1 } };
}

/**
 * Reads every record of a verified segment, handing each sound one whose key `wanted` accepts to
 * `take` (decoded into `blocks`); damaged records are counted, never decoded.
 */
export function scanSegment(
  bytes: Buffer,
  layout: SegmentLayout,
  wanted: (key: string) => boolean,
  take: (entry: CacheEntry) => void,
  blocks: RecordBlocks = new RecordBlocks(),
): SegmentScan {
  const { header, recordsStart } = layout;
  const { recordBytes } = header;
  const present = Math.min(header.records, Math.floor((bytes.length - recordsStart) / recordBytes));
  // Records cut off the end are damaged; bytes beyond the declared records are damage too (the
  // file is not what was written), counted once so that the segment gets rewritten clean.
  let damagedRecords = header.records - present + (bytes.length > segmentBytes(layout) ? 1 : 0);
  const soundRecords: { start: number; end: number }[] = [];
  for (let index = 0; index < present; index++) {
    const start = recordOffset(layout, index);
    if (!recordIsSound(bytes, start, header)) {
      damagedRecords++;
      continue;
    }
    soundRecords.push({ start, end: start + recordBytes });
    if (wanted(recordKey(bytes, start))) take(decodeRecord(bytes, start, header, blocks));
  }
  return { damagedRecords, soundRecords };
}

/** Re-encodes the sound records of a damaged segment as a new, clean segment. */
export function rebuildSegment(bytes: Buffer, { header }: SegmentLayout, sound: SegmentScan['soundRecords']): Buffer {
  const fresh = encodeHeader({ ...header, records: sound.length });
  return Buffer.concat([fresh, ...sound.map(({ start, end }) => bytes.subarray(start, end))]);
}
