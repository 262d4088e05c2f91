/**
 * Bounded heavy-hitter counting (Metwally et al., "Space-Saving"). Holds at most `capacity`
 * keys whatever the input's cardinality: when a new key arrives and the table is full, it takes
 * over the slot of the smallest counter and inherits its count as an over-estimate (`error`).
 * Any key with a true count above total/capacity is guaranteed to be present.
 *
 * The counters sit in a binary min-heap, so the smallest is found in O(1) and an eviction costs
 * O(log capacity): with millions of distinct URLs every new one evicts, and the linear scan for
 * the minimum this replaced took 6.6% of an nginx error-log profile.
 */

export interface TopKItem {
  key: string;
  count: number;
  /** Upper bound of the over-count for this key (0 = exact). */
  error: number;
}

/** A class, not an object literal: see MinuteCounts (report/summary.ts) on allocation sites. */
class Counter {
  constructor(
    public key: string,
    public count: number,
    /** Upper bound of the over-count for this key (0 = exact). */
    public error: number,
    /** Index in the heap array. */
    public at: number,
  ) {}
}

/** What the summary and the reports use of a top-K table, whichever layout holds it. */
export interface TopKTable {
  readonly capacity: number;
  readonly size: number;
  readonly totalCount: number;
  /** Counts n (1) more of key; true when the key was not in the table before. */
  add(key: string, n?: number): boolean;
  sub(key: string, n?: number): void;
  /** The k largest counts, by count then key. */
  top(k: number): TopKItem[];
  /** Plain data for a worker thread's message: the counters in heap order. */
  save(): SavedSpaceSaving;
}

/**
 * Up to this capacity a table is a SmallSpaceSaving: its counters in one flat array, found by
 * scanning it. A table per failing minute of a month (MINUTE_UPSTREAMS = 4) then costs 129-201
 * bytes with 1-4 keys, where a heap of counter objects cost 314-475 (Node 20, measured).
 */
export const SMALL_CAPACITY = 8;

/** A table of `capacity` keys in the layout that suits that size. */
export function topKTable(capacity: number): TopKTable {
  return capacity <= SMALL_CAPACITY ? new SmallSpaceSaving(capacity) : new SpaceSaving(capacity);
}

export class SpaceSaving implements TopKTable {
  private readonly byKey = new Map<string, Counter>();
  private readonly heap: Counter[] = [];
  private total = 0;
  /** Whether a key was ever evicted: until then every count is exact. */
  private evictedAny = false;

  constructor(readonly capacity: number) {
    if (capacity < 1) throw new RangeError('capacity must be >= 1');
  }

  add(key: string, n = 1): boolean {
    this.total += n;
    const hit = this.byKey.get(key);
    if (hit) {
      hit.count += n;
      this.down(hit.at);
      return false;
    }
    if (this.heap.length < this.capacity) {
      const c = new Counter(key, n, 0, this.heap.length);
      this.heap.push(c);
      this.byKey.set(key, c);
      this.up(c.at);
      return true;
    }
    // Evict the minimum: the new key takes its slot and its count as an over-estimate.
    const min = this.heap[0];
    this.byKey.delete(min.key);
    const inherited = min.count;
    min.key = key;
    min.error = inherited;
    min.count = inherited + n;
    this.byKey.set(key, min);
    this.down(0);
    this.evictedAny = true;
    return true;
  }

  /**
   * Takes back n of a key counted earlier (a failure re-attributed to another event). A key
   * already evicted stays evicted; its count went into the over-estimate of whoever replaced it.
   */
  sub(key: string, n = 1): void {
    const hit = this.byKey.get(key);
    if (!hit) return;
    const k = Math.min(n, hit.count);
    hit.count -= k;
    this.total -= k;
    if (hit.count <= 0) this.remove(hit);
    else this.up(hit.at);
  }

  get size(): number {
    return this.heap.length;
  }

  get totalCount(): number {
    return this.total;
  }

  top(k: number): TopKItem[] {
    return byCountThenKey(this.heap.map(({ key, count, error }) => ({ key, count, error }))).slice(0, k);
  }

  save(): SavedSpaceSaving {
    return { capacity: this.capacity, total: this.total, evicted: this.evictedAny, items: this.heap.map((c) => [c.key, c.count, c.error]) };
  }

  /** A table as saved, in the layout its capacity calls for. */
  static restore(s: SavedSpaceSaving): TopKTable {
    const t = topKTable(s.capacity) as SpaceSaving | SmallSpaceSaving;
    t.load(s.total, s.evicted, s.items);
    return t;
  }

  /**
   * Merges summaries of disjoint parts of one stream (worker-thread partial results) into one of
   * `capacity` keys, as in Cafaro et al., "A parallel space saving algorithm" (2016): a key's count
   * is the sum of its counts, where a part that does not hold it adds that part's minimum (the
   * bound of any key it evicted; 0 for a part that never evicted); the `capacity` largest are kept.
   * Guarantee, as for one Space-Saving run over the whole stream of N = sum of the parts' totals
   * (for additions; take-backs with sub() weaken it as they weaken one run): every count is at or
   * above the true count and at most N/capacity above it (`error` bounds the excess), and every key
   * whose true count is above N/capacity is kept. When no part evicted and the keys fit, the
   * counts are exact: the same as one run over the whole stream.
   */
  static mergeAll(parts: TopKTable[], capacity: number): TopKTable {
    return SpaceSaving.mergeSaved(parts.map((p) => p.save()), capacity);
  }

  /** mergeAll over saved tables. */
  static mergeSaved(parts: SavedSpaceSaving[], capacity: number): TopKTable {
    // The heap's first counter is its minimum.
    const floors = parts.map((p) => (p.evicted && p.items.length > 0 ? p.items[0][1] : 0));
    const held = parts.map((p) => new Map(p.items.map(([key, count, error]) => [key, { count, error }])));
    const merged = new Map<string, [string, number, number]>();
    let total = 0;
    let evicted = false;
    for (const p of parts) {
      total += p.total;
      if (p.evicted) evicted = true;
      for (const [k] of p.items) if (!merged.has(k)) merged.set(k, [k, 0, 0]);
    }
    for (const m of merged.values()) {
      held.forEach((h, i) => {
        const hit = h.get(m[0]);
        m[1] += hit ? hit.count : floors[i];
        m[2] += hit ? hit.error : floors[i];
      });
    }
    let items = [...merged.values()];
    if (items.length > capacity) {
      items = items.sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).slice(0, capacity);
      evicted = true;
    }
    const out = topKTable(capacity) as SpaceSaving | SmallSpaceSaving;
    out.load(total, evicted, items);
    return out;
  }

  /** Sets the counters of an empty table (at most `capacity`) and restores the heap order. */
  load(total: number, evicted: boolean, items: [string, number, number][]): void {
    this.total = total;
    this.evictedAny = evicted;
    for (const [key, count, error] of items) {
      const c = new Counter(key, count, error, this.heap.length);
      this.heap.push(c);
      this.byKey.set(key, c);
    }
    for (let i = (this.heap.length >> 1) - 1; i >= 0; i--) this.down(i);
  }

  private remove(c: Counter): void {
    this.byKey.delete(c.key);
    const last = this.heap.pop()!;
    if (last === c) return;
    this.heap[c.at] = last;
    last.at = c.at;
    this.down(last.at);
    this.up(last.at);
  }

  private swap(i: number, j: number): void {
    const h = this.heap;
    const a = h[i];
    h[i] = h[j];
    h[j] = a;
    h[i].at = i;
    h[j].at = j;
  }

  private up(i: number): void {
    const h = this.heap;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (h[parent].count <= h[i].count) return;
      this.swap(i, parent);
      i = parent;
    }
  }

  private down(i: number): void {
    const h = this.heap;
    const n = h.length;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < n && h[l].count < h[m].count) m = l;
      if (r < n && h[r].count < h[m].count) m = r;
      if (m === i) return;
      this.swap(i, m);
      i = m;
    }
  }
}

/**
 * The same table for a few keys (at most SMALL_CAPACITY): each counter is three cells of one
 * array (key, count, error), kept in the same min-heap order by the same moves as SpaceSaving's,
 * so both give the same counts, evictions and saved data for the same calls. A key is found by
 * scanning the few cells; the array is exactly as long as the counters it holds.
 */
export class SmallSpaceSaving implements TopKTable {
  private cells: (string | number)[] = EMPTY;
  private total = 0;
  private evictedAny = false;

  constructor(readonly capacity: number) {
    if (capacity < 1 || capacity > SMALL_CAPACITY) throw new RangeError(`capacity must be 1-${SMALL_CAPACITY}`);
  }

  get size(): number {
    return this.cells.length / 3;
  }

  get totalCount(): number {
    return this.total;
  }

  add(key: string, n = 1): boolean {
    this.total += n;
    const c = this.cells;
    const at = this.find(key);
    if (at >= 0) {
      (c[3 * at + 1] as number) += n;
      this.down(at);
      return false;
    }
    if (c.length < 3 * this.capacity) {
      this.cells = grown(c, key, n, 0);
      this.up(c.length / 3);
      return true;
    }
    // Evict the minimum (the first counter): the new key takes its count as an over-estimate.
    const inherited = c[1] as number;
    c[0] = key;
    c[1] = inherited + n;
    c[2] = inherited;
    this.down(0);
    this.evictedAny = true;
    return true;
  }

  sub(key: string, n = 1): void {
    const at = this.find(key);
    if (at < 0) return;
    const c = this.cells;
    const k = Math.min(n, c[3 * at + 1] as number);
    (c[3 * at + 1] as number) -= k;
    this.total -= k;
    if ((c[3 * at + 1] as number) <= 0) this.remove(at);
    else this.up(at);
  }

  top(k: number): TopKItem[] {
    const c = this.cells;
    const items: TopKItem[] = [];
    for (let i = 0; i < c.length; i += 3) items.push({ key: c[i] as string, count: c[i + 1] as number, error: c[i + 2] as number });
    return byCountThenKey(items).slice(0, k);
  }

  save(): SavedSpaceSaving {
    const c = this.cells;
    const items: [string, number, number][] = [];
    for (let i = 0; i < c.length; i += 3) items.push([c[i] as string, c[i + 1] as number, c[i + 2] as number]);
    return { capacity: this.capacity, total: this.total, evicted: this.evictedAny, items };
  }

  /** As SpaceSaving.load. */
  load(total: number, evicted: boolean, items: [string, number, number][]): void {
    this.total = total;
    this.evictedAny = evicted;
    this.cells = items.flat();
    for (let i = (items.length >> 1) - 1; i >= 0; i--) this.down(i);
  }

  private find(key: string): number {
    const c = this.cells;
    for (let i = 0; i < c.length; i += 3) if (c[i] === key) return i / 3;
    return -1;
  }

  private remove(at: number): void {
    const c = this.cells;
    const last = c.length / 3 - 1;
    const next = c.slice(0, 3 * last);
    this.cells = next;
    if (last === at) return;
    next[3 * at] = c[3 * last];
    next[3 * at + 1] = c[3 * last + 1];
    next[3 * at + 2] = c[3 * last + 2];
    this.down(at);
    this.up(at);
  }

  private count(i: number): number {
    return this.cells[3 * i + 1] as number;
  }

  private swap(i: number, j: number): void {
    const c = this.cells;
    for (let k = 0; k < 3; k++) {
      const a = c[3 * i + k];
      c[3 * i + k] = c[3 * j + k];
      c[3 * j + k] = a;
    }
  }

  private up(i: number): void {
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (this.count(parent) <= this.count(i)) return;
      this.swap(i, parent);
      i = parent;
    }
  }

  private down(i: number): void {
    const n = this.cells.length / 3;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < n && this.count(l) < this.count(m)) m = l;
      if (r < n && this.count(r) < this.count(m)) m = r;
      if (m === i) return;
      this.swap(i, m);
      i = m;
    }
  }
}

/** The shared empty cells of a SmallSpaceSaving with no counter (never written: add() copies). */
const EMPTY: (string | number)[] = [];

/** cells plus one counter, in an array exactly that long (push would leave room for 16 more). */
function grown(cells: (string | number)[], key: string, count: number, error: number): (string | number)[] {
  const out = new Array<string | number>(cells.length + 3);
  for (let i = 0; i < cells.length; i++) out[i] = cells[i];
  out[cells.length] = key;
  out[cells.length + 1] = count;
  out[cells.length + 2] = error;
  return out;
}

function byCountThenKey(items: TopKItem[]): TopKItem[] {
  return items.sort((a, b) => b.count - a.count || (a.key < b.key ? -1 : 1));
}

export interface SavedSpaceSaving {
  capacity: number;
  total: number;
  evicted: boolean;
  /** key, count, error */
  items: [string, number, number][];
}
