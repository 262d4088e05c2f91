/**
 * A map keyed by byte ranges of a Buffer, so a value that repeats on every line (an upstream
 * address) is found without decoding a string per line. Holds at most `capacity` keys; past that,
 * `set` is ignored and `get` keeps missing, so the caller's string path takes over.
 *
 * Open addressing over an Int32Array, keyed by the FNV-1a hash of the bytes (which the caller
 * may compute while it reads them anyway, see hashBytes): a lookup is one probe and one compare
 * in the common case, with no Map and no allocation.
 */

export class ByteInterner<V> {
  private readonly table: Int32Array; // slot index + 1; 0 = empty
  private readonly mask: number;
  private readonly keys: Buffer[] = [];
  private readonly hashes: number[] = [];
  private readonly values: V[] = [];

  constructor(readonly capacity: number) {
    let n = 16;
    while (n < capacity * 2) n *= 2;
    this.table = new Int32Array(n);
    this.mask = n - 1;
  }

  get size(): number {
    return this.keys.length;
  }

  /** The value stored for the bytes [s, e) of buf, whose hashBytes() is h; undefined when absent. */
  get(h: number, buf: Buffer, s: number, e: number): V | undefined {
    const len = e - s;
    for (let i = h & this.mask; ; i = (i + 1) & this.mask) {
      const at = this.table[i];
      if (at === 0) return undefined;
      const slot = at - 1;
      if (this.hashes[slot] !== h) continue;
      const k = this.keys[slot];
      if (k.length !== len) continue;
      let j = 0;
      while (j < len && k[j] === buf[s + j]) j++;
      if (j === len) return this.values[slot];
    }
  }

  /** Stores a value for the bytes [s, e) (copied) unless they are present or the map is full. */
  set(h: number, buf: Buffer, s: number, e: number, value: V): void {
    if (this.keys.length >= this.capacity || this.get(h, buf, s, e) !== undefined) return;
    let i = h & this.mask;
    while (this.table[i] !== 0) i = (i + 1) & this.mask;
    this.keys.push(Buffer.from(buf.subarray(s, e)));
    this.hashes.push(h);
    this.values.push(value);
    this.table[i] = this.keys.length;
  }
}

export const FNV_OFFSET = 0x811c9dc5;

/** One step of FNV-1a: cheap, and a collision only costs a comparison. */
export function fnvStep(h: number, byte: number): number {
  return Math.imul(h ^ byte, 16777619);
}

export function hashBytes(buf: Buffer, s: number, e: number): number {
  let h = FNV_OFFSET;
  for (let i = s; i < e; i++) h = fnvStep(h, buf[i]);
  return h;
}
