/**
 * The part of a chunk a scanning module can see: bytes are copied into a window of its memory,
 * and addresses convert between the chunk and the module. Shared by the bulk scanners
 * (bulk-scanner.ts, quiet-scanner.ts), which call the module again where it stopped.
 */
export class ModuleWindow {
  /** The chunk whose bytes [start, end) are in the window, or null. */
  private chunk: Buffer | null = null;
  start = 0;
  end = 0;

  constructor(
    private readonly mem: Buffer,
    /** the window's address in the module's memory */
    private readonly at: number,
    private readonly bytes: number,
  ) {}

  /** The bytes of the chunk last shown are about to change. */
  invalidate(): void {
    this.chunk = null;
  }

  /**
   * Makes chunk[pos, …) visible (up to the window's size, copied only when the window does not
   * hold pos of this chunk already); returns the module address of the chunk's byte 0, `base`:
   * chunk byte i is at base + i, for i in [start, end).
   */
  show(chunk: Buffer, pos: number, len: number): number {
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
