import { CAUSE_INFO } from '../diagnose/causes';
import { Category, Cause } from '../model';
import { MINUTE, Summary, bucketOf } from '../report/summary';
import { TopKTable, topKTable } from '../util/top-k';

/**
 * Rolling views over the last minutes of log time, for the live screen and the alerts. They
 * read the Summary's per-minute counts (so a failure is counted once even when its error-log
 * entry and its access line both arrive), weighting the oldest, partly covered minute by how much
 * of it lies inside the window. Everything kept here is bounded by the window length.
 */

export interface WindowCounts {
  requests: number;
  failures: number;
  byCause: Map<Cause, number>;
  byCategory: Map<Category, number>;
  byStatus: Map<number, number>;
}

function add<K>(m: Map<K, number>, k: K, n: number): void {
  m.set(k, (m.get(k) ?? 0) + n);
}

export function windowCounts(summary: Summary, now: number, ms: number): WindowCounts {
  const w: WindowCounts = { requests: 0, failures: 0, byCause: new Map(), byCategory: new Map(), byStatus: new Map() };
  const from = now - ms;
  const step = summary.minuteStep;
  const first = bucketOf(Math.floor(from / MINUTE), step);
  const last = Math.floor(now / MINUTE) + 1; // a little clock skew between writer and reader
  for (let k = first; k <= last; k += step) {
    const m = summary.minutes.get(k);
    if (!m) continue;
    // the oldest bucket counts by the share of it inside the window
    const weight = k === first ? ((k + step) * MINUTE - from) / (step * MINUTE) : 1;
    w.requests += m.requests * weight;
    w.failures += m.failures * weight;
    for (const [c, n] of m.byCause) {
      add(w.byCause, c, n * weight);
      add(w.byCategory, CAUSE_INFO[c].category, n * weight);
    }
    for (const [s, n] of m.byStatus) add(w.byStatus, s, n * weight);
  }
  return w;
}

/** Drops per-minute counts older than `keepMs`, so a tail that runs for months stays the same size. */
export function pruneMinutes(summary: Summary, now: number, keepMs: number): void {
  summary.dropMinutesBefore(Math.floor((now - keepMs) / MINUTE));
}

/** Upstreams failing per minute (top-K per minute), for "failing now". */
export class UpstreamWindows {
  private readonly minutes = new Map<number, TopKTable>();

  constructor(
    private readonly keepMinutes = 16,
    private readonly perMinute = 50,
  ) {}

  add(ts: number, upstream: string): void {
    const k = Math.floor(ts / MINUTE);
    let s = this.minutes.get(k);
    if (!s) {
      s = topKTable(this.perMinute);
      this.minutes.set(k, s);
      for (const old of this.minutes.keys()) if (old < k - this.keepMinutes) this.minutes.delete(old);
    }
    s.add(upstream);
  }

  top(now: number, ms: number, n: number): { upstream: string; count: number }[] {
    const total = new Map<string, number>();
    const first = Math.floor((now - ms) / MINUTE);
    for (const [k, s] of this.minutes) {
      if (k < first) continue;
      for (const it of s.top(s.capacity)) add(total, it.key, it.count);
    }
    return [...total.entries()]
      .map(([upstream, count]) => ({ upstream, count }))
      .sort((a, b) => b.count - a.count || (a.upstream < b.upstream ? -1 : 1))
      .slice(0, n);
  }
}

/** The last `capacity` items, oldest first. */
export class Recent<T> {
  private readonly items: T[] = [];
  constructor(private readonly capacity: number) {}
  push(x: T): void {
    this.items.push(x);
    if (this.items.length > this.capacity) this.items.shift();
  }
  get all(): readonly T[] {
    return this.items;
  }
}

export type Trend = 'rising' | 'falling' | 'steady' | 'quiet';

/** The last minute's failure rate against the 15-minute average. */
export function trendOf(last1m: number, last15m: number): Trend {
  const avg = last15m / 15;
  if (last1m < 0.5 && avg < 0.5) return 'quiet';
  if (last1m > avg * 1.5 + 1) return 'rising';
  if (last1m < avg * 0.5) return 'falling';
  return 'steady';
}
