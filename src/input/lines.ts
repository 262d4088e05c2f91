/**
 * Cuts a stream of Buffer chunks into lines without making a string per line: the parsers read
 * the bytes in place. A line longer than the limit is never buffered whole; it is reported once
 * as too long and its bytes are dropped until the next newline.
 */

/** nginx cuts error lines at 2 KiB and Apache at 8 KiB, but access lines carry whole URLs and headers. */
export const DEFAULT_MAX_LINE = 64 * 1024;

export interface LineSink {
  /** A complete line: bytes [start, end) of buf, without the newline or a trailing CR. */
  line(buf: Buffer, start: number, end: number): void;
  /** A line over the limit: counted, never seen. */
  tooLong(): void;
}

const NL = 10;
const CR = 13;

export class LineSplitter {
  private carry: Buffer | null = null;
  private discarding = false;
  /**
   * Takes whole lines of chunk[pos, len) at once, from pos on, and returns where the first line
   * it leaves starts (len: none left); those lines never reach the sink. (analyze/read-file.ts
   * sets it to the bulk scanner once a file is known to be an access log.)
   */
  bulk: ((chunk: Buffer, pos: number, len: number) => number) | null = null;

  constructor(
    private readonly sink: LineSink,
    private readonly maxLine: number = DEFAULT_MAX_LINE,
  ) {}

  push(chunk: Buffer): void {
    let pos = 0;
    const len = chunk.length;
    // `discarding` first: after `carry`, it was read only when a chunk had ended on a newline,
    // so it had no type feedback when push() was optimised and the first such chunk deoptimised it.
    if (this.discarding || this.carry !== null) {
      const nl = chunk.indexOf(NL);
      if (nl === -1) {
        this.extendCarry(chunk, 0, len);
        return;
      }
      this.extendCarry(chunk, 0, nl);
      this.finishCarry();
      pos = nl + 1;
    }
    const sink = this.sink;
    const max = this.maxLine;
    while (pos < len) {
      if (this.bulk !== null) {
        pos = this.bulk(chunk, pos, len);
        if (pos >= len) return;
      }
      const nl = chunk.indexOf(NL, pos);
      if (nl === -1) {
        this.extendCarry(chunk, pos, len);
        return;
      }
      let end = nl;
      if (end > pos && chunk[end - 1] === CR) end--;
      if (end - pos > max) sink.tooLong();
      else sink.line(chunk, pos, end);
      pos = nl + 1;
    }
  }

  /** End of input: a final line without a newline still counts. */
  end(): void {
    if (this.carry !== null || this.discarding) this.finishCarry();
  }

  /** Drops an unfinished line (the input broke off in the middle of it). */
  discardPending(): void {
    this.carry = null;
    this.discarding = false;
  }

  /** True while an unfinished line is held (used to report a file that ended mid-line). */
  get pending(): boolean {
    return this.carry !== null || this.discarding;
  }

  private extendCarry(chunk: Buffer, from: number, to: number): void {
    if (this.discarding) return;
    const have = this.carry ? this.carry.length : 0;
    if (have + (to - from) > this.maxLine + 1) {
      this.carry = null;
      this.discarding = true;
      return;
    }
    const part = chunk.subarray(from, to);
    // Copy: the chunk's memory is reused by the stream once we return.
    this.carry = this.carry ? Buffer.concat([this.carry, part]) : Buffer.from(part);
  }

  private finishCarry(): void {
    if (this.discarding) {
      this.discarding = false;
      this.carry = null;
      this.sink.tooLong();
      return;
    }
    const buf = this.carry!;
    this.carry = null;
    let end = buf.length;
    if (end > 0 && buf[end - 1] === CR) end--;
    if (end > this.maxLine) this.sink.tooLong();
    else this.sink.line(buf, 0, end);
  }
}
