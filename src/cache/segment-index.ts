/**
 * Reading only what a lookup needs from a segment file (src/cache/segment.ts). A run asks its cache
 * several times per model (first pass, pair chunks, contextuality's words); every lookup used to
 * read and checksum every segment of the model whole (about 280 MB for minilm on a WiC-sized run,
 * three times). Now a process reads each segment through once, at the first lookup that opens it,
 * noting which record holds which key (its index) and taking what that lookup wants on the way;
 * later lookups read just the records they want, through the index.
 *
 * What is trusted and what is not:
 * - Every record handed out was read from the file for this lookup and passed its own CRC-32 (which
 *   covers its key) just now: a byte damaged on disk after an earlier read, by this process or
 *   another, is caught the first time that record is used again. Records a lookup does not want
 *   are not verified (their damage is found when one is wanted).
 * - The index (which record holds which key) is remembered per file with the file's device,
 *   inode, size, mtime and ctime, and rebuilt when any of them differs (segments are written by
 *   rename and never modified in place, so a new or repaired segment is a new file). The keys it
 *   holds were not verified: a record whose key bytes are damaged is never found under its own
 *   key (its occurrence is a miss and embedded again, never answered with a wrong vector), and a
 *   record that does not carry the key the index promised is reported as unclean, like damage.
 */
import { fstatSync, type Stats } from 'node:fs';
import { readExactlySync } from '../io/checked-regions.js';
import { decodeRecord, decodeSegmentHeader, recordIsSound, recordKey, recordOffset, segmentBytes, type CacheEntry, type RecordBlocks, type SegmentLayout } from './segment.js';

/** What identifies one version of a file: replacing it (rename) or writing to it changes one of these. */
type FileVersion = Pick<Stats, 'dev' | 'ino' | 'size' | 'mtimeMs' | 'ctimeMs'>;

function sameVersion(a: FileVersion, b: FileVersion): boolean {
  return a.dev === b.dev && a.ino === b.ino && a.size === b.size && a.mtimeMs === b.mtimeMs && a.ctimeMs === b.ctimeMs;
}

/** One segment file as a process indexed it. */
interface IndexedSegment {
  readonly version: FileVersion;
  readonly identity: string;
  readonly layout: SegmentLayout;
  /** The record index of each key (the first record when a segment holds a key twice). */
  readonly records: ReadonlyMap<string, number>;
}

/** What reading one segment for a lookup gave. */
export interface SegmentRead {
  readonly layout: SegmentLayout;
  /**
   * False when a wanted record was damaged or not the one the index promised, or the file does not
   * have the size its header declares: the caller then scans the segment whole and repairs it.
   */
  readonly clean: boolean;
}

/** The header bytes read first; a longer header (none is written so long) is then read whole. */
const HEAD_BYTES = 4096;
/**
 * Reads are at most this long (rounded to whole records): a first read-through goes a few MB at a
 * time through one reused buffer. Later lookups read their wanted records in ranges of up to this
 * length, reading through a gap of up to {@link MAX_GAP_BYTES} of unwanted records between two
 * wanted ones (copying it costs less than another read).
 */
const MAX_READ_BYTES = 8 << 20;
const MAX_GAP_BYTES = 256 << 10;

/** Reads and verifies a segment's header; throws `SegmentDamage`. */
function readLayout(fd: number, size: number, identity: string): SegmentLayout {
  let head = Buffer.alloc(Math.min(size, HEAD_BYTES));
  head = head.subarray(0, readExactlySync(fd, head, 0));
  const declared = head.length >= 12 ? 16 + head.readUInt32LE(8) : 0;
  if (declared > head.length && declared <= size) {
    head = Buffer.alloc(declared);
    head = head.subarray(0, readExactlySync(fd, head, 0));
  }
  return decodeSegmentHeader(head, identity);
}

/**
 * Checks a record read for a lookup and hands it to `take` when it is sound and carries `key`
 * (when given); returns whether it was.
 */
function takeRecord(bytes: Buffer, start: number, layout: SegmentLayout, key: string | null, take: (entry: CacheEntry) => void, blocks: RecordBlocks): boolean {
  if (!recordIsSound(bytes, start, layout.header) || (key !== null && recordKey(bytes, start) !== key)) return false;
  take(decodeRecord(bytes, start, layout.header, blocks));
  return true;
}

/**
 * The segments a process has read, by path, each with its index; an entry is used only while the
 * file at the path is the version it was read from (see the file comment).
 */
export class SegmentIndex {
  private readonly segments = new Map<string, IndexedSegment>();
  /** One buffer for every read (records are copied out of it), grown to at most {@link MAX_READ_BYTES} or one record. */
  private buffer = Buffer.alloc(0);

  /**
   * Hands to `take` the sound records of the segment open as `fd` at `path` whose keys `wanted`
   * accepts (checked just before each record is taken, so a key is taken once), decoded into
   * `blocks`. Throws `SegmentDamage` when the header is damaged or of another model identity.
   */
  read(path: string, fd: number, identity: string, wanted: (key: string) => boolean, take: (entry: CacheEntry) => void, blocks: RecordBlocks): SegmentRead {
    const version = fstatSync(fd);
    const known = this.segments.get(path);
    if (known !== undefined && known.identity === identity && sameVersion(known.version, version)) {
      return { layout: known.layout, clean: this.readIndexed(fd, known, wanted, take, blocks) };
    }
    this.segments.delete(path);
    const layout = readLayout(fd, version.size, identity);
    const { clean, records } = this.readThrough(fd, layout, version.size, wanted, take, blocks);
    if (version.size !== segmentBytes(layout)) return { layout, clean: false };
    this.segments.set(path, { version, identity, layout, records });
    return { layout, clean };
  }

  /** Forgets a path (its file was rewritten or removed). */
  forget(path: string): void {
    this.segments.delete(path);
  }

  private bufferOf(length: number): Buffer {
    if (this.buffer.length < length) this.buffer = Buffer.allocUnsafeSlow(length);
    return this.buffer;
  }

  /** The first read of a segment: every record present, a few MB at a time, indexing every key. */
  private readThrough(fd: number, layout: SegmentLayout, size: number, wanted: (key: string) => boolean, take: (entry: CacheEntry) => void, blocks: RecordBlocks): { clean: boolean; records: Map<string, number> } {
    const { recordBytes } = layout.header;
    const present = Math.max(0, Math.min(layout.header.records, Math.floor((size - layout.recordsStart) / recordBytes)));
    const records = new Map<string, number>();
    const perRead = Math.max(1, Math.floor(MAX_READ_BYTES / recordBytes));
    let clean = true;
    for (let first = 0; first < present; first += perRead) {
      const count = Math.min(perRead, present - first);
      const buffer = this.bufferOf(count * recordBytes);
      const read = readExactlySync(fd, buffer.subarray(0, count * recordBytes), recordOffset(layout, first));
      for (let k = 0; (k + 1) * recordBytes <= read; k++) {
        const start = k * recordBytes;
        const key = recordKey(buffer, start);
        if (!records.has(key)) records.set(key, first + k);
        if (wanted(key) && !takeRecord(buffer, start, layout, null, take, blocks)) clean = false;
      }
      if (read < count * recordBytes) clean = false;
    }
    return { clean, records };
  }

  /** A later read: only the wanted records, in file order, in ranges across small gaps. */
  private readIndexed(fd: number, { layout, records }: IndexedSegment, wanted: (key: string) => boolean, take: (entry: CacheEntry) => void, blocks: RecordBlocks): boolean {
    const { recordBytes } = layout.header;
    const want: { index: number; key: string }[] = [];
    for (const [key, index] of records) if (wanted(key)) want.push({ index, key });
    want.sort((a, b) => a.index - b.index);
    let clean = true;
    for (let from = 0; from < want.length; ) {
      const rangeStart = recordOffset(layout, want[from]!.index);
      let to = from + 1;
      while (to < want.length) {
        const start = recordOffset(layout, want[to]!.index);
        if (start + recordBytes - rangeStart > MAX_READ_BYTES || start - (recordOffset(layout, want[to - 1]!.index) + recordBytes) > MAX_GAP_BYTES) break;
        to++;
      }
      const length = recordOffset(layout, want[to - 1]!.index) + recordBytes - rangeStart;
      const buffer = this.bufferOf(length);
      const read = readExactlySync(fd, buffer.subarray(0, length), rangeStart);
      for (let k = from; k < to; k++) {
        const start = recordOffset(layout, want[k]!.index) - rangeStart;
        if (start + recordBytes > read || !takeRecord(buffer, start, layout, want[k]!.key, take, blocks)) clean = false;
      }
      from = to;
    }
    return clean;
  }
}
