/**
 * Bounded heavy-hitter counting (Metwally et al., "Space-Saving"). Holds at most `capacity`
 * keys whatever the input's cardinality: when a new key arrives and the table is full, it takes
 * over the slot of the smallest counter and inherits its count as an over-estimate (`error`).
 * Any key with a true count above total/capacity is guaranteed to be present.
 *
 * The counters sit in a binary min-heap, so the smallest is found in O(1) and an eviction costs
 * O(log capacity): with millions of distinct URLs every new one evicts, and the linear scan for
 * the minimum this replaced was the hottest line of the `distinct` benchmark.
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

export class SpaceSaving {
  private readonly byKey = new Map<string, Counter>();
  private readonly heap: Counter[] = [];
  private total = 0;

  constructor(readonly capacity: number) {
    if (capacity < 1) throw new RangeError('capacity must be >= 1');
  }

  add(key: string, n = 1): void {
    this.total += n;
    const hit = this.byKey.get(key);
    if (hit) {
      hit.count += n;
      this.down(hit.at);
      return;
    }
    if (this.heap.length < this.capacity) {
      const c: Counter = { key, count: n, error: 0, at: this.heap.length };
      this.heap.push(c);
      this.byKey.set(key, c);
      this.up(c.at);
      return;
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
    return this.heap
      .map(({ key, count, error }) => ({ key, count, error }))
      .sort((a, b) => b.count - a.count || (a.key < b.key ? -1 : 1))
      .slice(0, k);
  }

  /** Folds another summary in (for worker-thread partial results). */
  merge(other: SpaceSaving): void {
    for (const item of other.top(other.capacity)) this.add(item.key, item.count);
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
