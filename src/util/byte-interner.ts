/**
 * A map keyed by byte ranges of a Buffer, so a value that repeats on every line (an upstream
 * address) is found without decoding a string per line. Holds at most `capacity` keys; past that,
 * `set` is ignored and `get` keeps missing, so the caller's string path takes over.
 */

interface Slot<V> {
  bytes: Buffer;
  value: V;
}

export class ByteInterner<V> {
  private readonly byHash = new Map<number, Slot<V>[]>();
  private count = 0;

  constructor(readonly capacity: number) {}

  get size(): number {
    return this.count;
  }

  /** The value stored for the bytes [s, e) of buf, or undefined. */
  get(buf: Buffer, s: number, e: number): V | undefined {
    const list = this.byHash.get(hashBytes(buf, s, e));
    if (list === undefined) return undefined;
    const len = e - s;
    for (let j = 0; j < list.length; j++) {
      const slot = list[j];
      const k = slot.bytes;
      if (k.length !== len) continue;
      let i = 0;
      while (i < len && k[i] === buf[s + i]) i++;
      if (i === len) return slot.value;
    }
    return undefined;
  }

  /** Stores a value for the bytes [s, e) (copied), unless the bytes are present or the map is full. */
  set(buf: Buffer, s: number, e: number, value: V): void {
    if (this.count >= this.capacity || this.get(buf, s, e) !== undefined) return;
    const h = hashBytes(buf, s, e);
    let list = this.byHash.get(h);
    if (list === undefined) this.byHash.set(h, (list = []));
    list.push({ bytes: Buffer.from(buf.subarray(s, e)), value });
    this.count++;
  }
}

/** FNV-1a over the bytes: cheap, and collisions only cost a comparison. */
function hashBytes(buf: Buffer, s: number, e: number): number {
  let h = 0x811c9dc5;
  for (let i = s; i < e; i++) h = Math.imul(h ^ buf[i], 16777619);
  return h;
}
