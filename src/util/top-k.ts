/**
 * Bounded heavy-hitter counting (Metwally et al., "Space-Saving"). Holds at most `capacity`
 * keys whatever the input's cardinality: when a new key arrives and the table is full, it takes
 * over the slot of the smallest counter and inherits its count as an over-estimate (`error`).
 * Any key with a true count above total/capacity is guaranteed to be present.
 */

export interface TopKItem {
  key: string;
  count: number;
  /** Upper bound of the over-count for this key (0 = exact). */
  error: number;
}

export class SpaceSaving {
  private readonly counts = new Map<string, { count: number; error: number }>();
  private total = 0;
  /** Whether a key was ever evicted: until then every count is exact. */
  private evictedAny = false;

  constructor(readonly capacity: number) {
    if (capacity < 1) throw new RangeError('capacity must be >= 1');
  }

  add(key: string, n = 1): void {
    this.total += n;
    const hit = this.counts.get(key);
    if (hit) {
      hit.count += n;
      return;
    }
    if (this.counts.size < this.capacity) {
      this.counts.set(key, { count: n, error: 0 });
      return;
    }
    // Evict the minimum. A linear scan keeps the code small; the table is small (capacity <= a few hundred)
    // and evictions happen only for keys outside the current top.
    let minKey = '';
    let min = Infinity;
    for (const [k, v] of this.counts) {
      if (v.count < min) {
        min = v.count;
        minKey = k;
      }
    }
    this.counts.delete(minKey);
    this.counts.set(key, { count: min + n, error: min });
    this.evictedAny = true;
  }

  /**
   * Takes back n of a key counted earlier (a failure re-attributed to another event). A key
   * already evicted stays evicted; its count went into the over-estimate of whoever replaced it.
   */
  sub(key: string, n = 1): void {
    const hit = this.counts.get(key);
    if (!hit) return;
    const k = Math.min(n, hit.count);
    hit.count -= k;
    this.total -= k;
    if (hit.count <= 0) this.counts.delete(key);
  }

  get size(): number {
    return this.counts.size;
  }

  get totalCount(): number {
    return this.total;
  }

  top(k: number): TopKItem[] {
    return [...this.counts.entries()]
      .map(([key, v]) => ({ key, count: v.count, error: v.error }))
      .sort((a, b) => b.count - a.count || (a.key < b.key ? -1 : 1))
      .slice(0, k);
  }

  /** Plain data for a worker thread's message (restore with SpaceSaving.restore). */
  save(): SavedSpaceSaving {
    return { capacity: this.capacity, total: this.total, evicted: this.evictedAny, items: [...this.counts].map(([k, v]) => [k, v.count, v.error]) };
  }

  static restore(s: SavedSpaceSaving): SpaceSaving {
    const t = new SpaceSaving(s.capacity);
    t.total = s.total;
    t.evictedAny = s.evicted;
    for (const [key, count, error] of s.items) t.counts.set(key, { count, error });
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
    const floors = parts.map((p) => (p.evictedAny && p.counts.size > 0 ? Math.min(...[...p.counts.values()].map((v) => v.count)) : 0));
    const merged = new Map<string, { count: number; error: number }>();
    for (const p of parts) {
      out.total += p.total;
      if (p.evictedAny) out.evictedAny = true;
      for (const k of p.counts.keys()) if (!merged.has(k)) merged.set(k, { count: 0, error: 0 });
    }
    for (const [k, m] of merged) {
      parts.forEach((p, i) => {
        const hit = p.counts.get(k);
        m.count += hit ? hit.count : floors[i];
        m.error += hit ? hit.error : floors[i];
      });
    }
    let items = [...merged];
    if (items.length > capacity) {
      items = items.sort((a, b) => b[1].count - a[1].count || (a[0] < b[0] ? -1 : 1)).slice(0, capacity);
      out.evictedAny = true;
    }
    for (const [k, v] of items) out.counts.set(k, v);
    return out;
  }
}

export interface SavedSpaceSaving {
  capacity: number;
  total: number;
  evicted: boolean;
  /** key, count, error */
  items: [string, number, number][];
}
