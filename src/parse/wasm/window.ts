import { READ_CHUNK } from '../../input/open';

/**
 * The part of a chunk a scanning module can see, and the module's own read buffers. Shared by
 * the bulk scanners (bulk-scanner.ts, quiet-scanner.ts), which call the module again where it
 * stopped.
 *
 * A chunk read into one of the module's two read buffers (readBuffers(): a plain file's reader
 * reads into them once the scanner exists, analyze/run.ts) is scanned where it lies. Any other
 * chunk (gzip output, a pipe, the chunk read before the scanner was made) is copied into the
 * window first: that copy was ~4.5% of a 4 M-line `upstream` run's main thread (perf), a memmove
 * of every byte of the file.
 */

/**
 * Bytes between the read buffers and after the second: page-aligned starts (a read(2) into a
 * buffer off a page boundary is slower: input/open.ts) and room for the SIMD loads' overrun.
 */
const READ_GAP = 65536;
/** The window's pad: SIMD loads read up to 31 bytes past the last position scanned (findFar, bulk-compiler.ts). */
const WINDOW_PAD = 64;
/** Bytes of a module's memory from readBuffersAt() on. */
const READ_BUFFERS_BYTES = 2 * (READ_CHUNK + READ_GAP);

/** Where the read buffers of a module whose window ends at `windowEnd` start: the first 64 KiB boundary past its pad. */
function readBuffersAt(windowEnd: number): number {
  return Math.ceil((windowEnd + WINDOW_PAD) / 65536) * 65536;
}

/** The 64 KiB pages of a module whose window ends at `windowEnd`: its read buffers included. */
export function modulePages(windowEnd: number): number {
  return (readBuffersAt(windowEnd) + READ_BUFFERS_BYTES) / 65536;
}

export class ModuleWindow {
  /** The chunk whose bytes [start, end) are in the window, or null. */
  private chunk: Buffer | null = null;
  start = 0;
  end = 0;
  private readonly reads: number;

  constructor(
    private readonly mem: Buffer,
    /** the window's address in the module's memory */
    private readonly at: number,
    private readonly bytes: number,
  ) {
    this.reads = readBuffersAt(at + bytes);
    if (this.reads + READ_BUFFERS_BYTES > mem.length) throw new RangeError('the module has no room for its read buffers');
  }

  /** Two buffers of READ_CHUNK bytes in the module's memory, whose chunks show() never copies. */
  readBuffers(): [Buffer, Buffer] {
    const n = READ_CHUNK;
    return [this.mem.subarray(this.reads, this.reads + n), this.mem.subarray(this.reads + n + READ_GAP, this.reads + 2 * n + READ_GAP)];
  }

  /** The bytes of the chunk last shown are about to change. */
  invalidate(): void {
    this.chunk = null;
  }

  /**
   * Makes chunk[pos, …) visible (up to the window's size, copied only when the window does not
   * hold pos of this chunk already, never for a chunk of the read buffers); returns the module
   * address of the chunk's byte 0, negated, `base`: chunk byte i is at i - base, for i in
   * [start, end).
   */
  show(chunk: Buffer, pos: number, len: number): number {
    if (chunk.buffer === this.mem.buffer && chunk.byteOffset >= this.reads) {
      this.chunk = chunk;
      this.start = 0;
      this.end = len;
      return -chunk.byteOffset;
    }
    if (chunk !== this.chunk || pos < this.start || pos >= this.end) {
      const n = Math.min(len - pos, this.bytes);
      chunk.copy(this.mem, this.at, pos, pos + n);
      this.chunk = chunk;
      this.start = pos;
      this.end = pos + n;
    }
    return this.start - this.at;
  }

  /**
   * After a module ran out of whole lines at chunk position `at`: true when the window ended
   * inside the chunk and a window starting at `at` shows more (a line longer than a whole window
   * is the caller's); the next show() then copies from there.
   */
  slides(at: number, len: number): boolean {
    if (this.end < len && at > this.start) {
      this.chunk = null;
      return true;
    }
    return false;
  }
}
