/**
 * Counts by key for a handful of keys (a minute's statuses or causes: one to five of them), read
 * like a Map (size, get, iteration in insertion order) and held as one flat array of key, count,
 * key, count... exactly as long as its keys. Every failing minute of a month has two of these;
 * measured on Node 20 with one or two keys: a Map 184-194 bytes, a SmallCounts 117-126.
 */
export class SmallCounts<K> implements Iterable<[K, number]> {
  /** Shared while empty: add() writes only into an array of its own. */
  private cells: (K | number)[] = EMPTY as never;

  get size(): number {
    return this.cells.length >> 1;
  }

  get(key: K): number | undefined {
    const c = this.cells;
    for (let i = 0; i < c.length; i += 2) if (c[i] === key) return c[i + 1] as number;
    return undefined;
  }

  /** Adds n (negative: takes back; a key at zero stays, as in a Map the caller decrements). */
  add(key: K, n: number): void {
    const c = this.cells;
    for (let i = 0; i < c.length; i += 2) {
      if (c[i] === key) {
        c[i + 1] = (c[i + 1] as number) + n;
        return;
      }
    }
    // A new array of the exact length: push would leave room for 16 more cells.
    const out = new Array<K | number>(c.length + 2);
    for (let i = 0; i < c.length; i++) out[i] = c[i];
    out[c.length] = key;
    out[c.length + 1] = n;
    this.cells = out;
  }

  *[Symbol.iterator](): IterableIterator<[K, number]> {
    const c = this.cells;
    for (let i = 0; i < c.length; i += 2) yield [c[i] as K, c[i + 1] as number];
  }
}

const EMPTY: unknown[] = [];
