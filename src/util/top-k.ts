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

  /** Folds another summary in (for worker-thread partial results). */
  merge(other: SpaceSaving): void {
    for (const item of other.top(other.capacity)) this.add(item.key, item.count);
  }
}
