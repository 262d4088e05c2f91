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

interface Counter {
  key: string;
  count: number;
  error: number;
  /** Index in the heap array. */
  at: number;
}

/**
 * Up to this capacity keys are found by scanning the heap instead of a Map: a table per minute
 * (MINUTE_UPSTREAMS) then costs a few hundred bytes less, times every minute of a month.
 */
const SCAN_CAPACITY = 8;

export class SpaceSaving {
  private readonly byKey: Map<string, Counter> | null;
  private readonly heap: Counter[] = [];
  private total = 0;
  /** Whether a key was ever evicted: until then every count is exact. */
  private evictedAny = false;

  constructor(readonly capacity: number) {
    if (capacity < 1) throw new RangeError('capacity must be >= 1');
    this.byKey = capacity > SCAN_CAPACITY ? new Map() : null;
  }

  /** The keys held, in the order they came (heap order for a table without a Map). */
  private keys(): Iterable<string> {
    return this.byKey ? this.byKey.keys() : this.heap.map((c) => c.key);
  }

  private find(key: string): Counter | undefined {
    if (this.byKey) return this.byKey.get(key);
    for (const c of this.heap) if (c.key === key) return c;
    return undefined;
  }

  add(key: string, n = 1): void {
    this.total += n;
    const hit = this.find(key);
    if (hit) {
      hit.count += n;
      this.down(hit.at);
      return;
    }
    if (this.heap.length < this.capacity) {
      const c: Counter = { key, count: n, error: 0, at: this.heap.length };
      this.heap.push(c);
      this.byKey?.set(key, c);
      this.up(c.at);
      return;
    }
    // Evict the minimum: the new key takes its slot and its count as an over-estimate.
    const min = this.heap[0];
    this.byKey?.delete(min.key);
    const inherited = min.count;
    min.key = key;
    min.error = inherited;
    min.count = inherited + n;
    this.byKey?.set(key, min);
    this.down(0);
    this.evictedAny = true;
  }

  /**
   * Takes back n of a key counted earlier (a failure re-attributed to another event). A key
   * already evicted stays evicted; its count went into the over-estimate of whoever replaced it.
   */
  sub(key: string, n = 1): void {
    const hit = this.find(key);
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
    return this.heap
      .map(({ key, count, error }) => ({ key, count, error }))
      .sort((a, b) => b.count - a.count || (a.key < b.key ? -1 : 1))
      .slice(0, k);
  }

  /** Plain data for a worker thread's message (restore with SpaceSaving.restore). */
  save(): SavedSpaceSaving {
    return { capacity: this.capacity, total: this.total, evicted: this.evictedAny, items: this.heap.map((c) => [c.key, c.count, c.error]) };
  }

  static restore(s: SavedSpaceSaving): SpaceSaving {
    const t = new SpaceSaving(s.capacity);
    t.total = s.total;
    t.evictedAny = s.evicted;
    t.fill(s.items.map(([key, count, error]) => ({ key, count, error })));
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
  static mergeAll(parts: SpaceSaving[], capacity: number): SpaceSaving {
    const out = new SpaceSaving(capacity);
    const floors = parts.map((p) => (p.evictedAny && p.heap.length > 0 ? p.heap[0].count : 0));
    const merged = new Map<string, { key: string; count: number; error: number }>();
    for (const p of parts) {
      out.total += p.total;
      if (p.evictedAny) out.evictedAny = true;
      for (const k of p.keys()) if (!merged.has(k)) merged.set(k, { key: k, count: 0, error: 0 });
    }
    for (const m of merged.values()) {
      parts.forEach((p, i) => {
        const hit = p.find(m.key);
        m.count += hit ? hit.count : floors[i];
        m.error += hit ? hit.error : floors[i];
      });
    }
    let items = [...merged.values()];
    if (items.length > capacity) {
      items = items.sort((a, b) => b.count - a.count || (a.key < b.key ? -1 : 1)).slice(0, capacity);
      out.evictedAny = true;
    }
    out.fill(items);
    return out;
  }

  /** Sets the counters of an empty table (at most `capacity`) and restores the heap order. */
  private fill(items: { key: string; count: number; error: number }[]): void {
    for (const { key, count, error } of items) {
      const c: Counter = { key, count, error, at: this.heap.length };
      this.heap.push(c);
      this.byKey?.set(key, c);
    }
    for (let i = (this.heap.length >> 1) - 1; i >= 0; i--) this.down(i);
  }

  private remove(c: Counter): void {
    this.byKey?.delete(c.key);
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

export interface SavedSpaceSaving {
  capacity: number;
  total: number;
  evicted: boolean;
  /** key, count, error */
  items: [string, number, number][];
}
