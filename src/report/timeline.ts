import { Cause } from '../model';
import { MINUTE, Summary } from './summary';

/**
 * Rolls the minute counts up into display buckets. Empty buckets are kept as zeros: a gap is
 * information (the proxy was quiet, or not logging).
 */

export const BUCKETS: Record<string, number> = {
  '1m': MINUTE,
  '5m': 5 * MINUTE,
  '15m': 15 * MINUTE,
  '1h': 60 * MINUTE,
  '6h': 360 * MINUTE,
  '1d': 1440 * MINUTE,
};

/** The smallest bucket that keeps the range within `maxBuckets` buckets. */
export function autoBucket(start: number, end: number, maxBuckets = 120): string {
  const span = Math.max(0, end - start);
  for (const [name, ms] of Object.entries(BUCKETS)) {
    if (Math.floor(span / ms) + 1 <= maxBuckets) return name;
  }
  return '1d';
}

export interface TimelineBucket {
  start: string;
  requests: number;
  failures: number;
  causes: Partial<Record<Cause, number>>;
}

export interface Timeline {
  bucket: string;
  buckets: TimelineBucket[];
}

/** Hard cap so a stray timestamp years away cannot make a million empty buckets. */
const MAX_BUCKETS = 5000;

export function buildTimeline(summary: Summary, bucket: string): Timeline {
  if (!Number.isFinite(summary.start)) return { bucket, buckets: [] };
  let size = BUCKETS[bucket];
  let name = bucket;
  if (Math.floor((summary.end - summary.start) / size) + 1 > MAX_BUCKETS) {
    name = autoBucket(summary.start, summary.end, MAX_BUCKETS);
    size = BUCKETS[name];
  }
  const first = Math.floor(summary.start / size) * size;
  const n = Math.floor((summary.end - first) / size) + 1;
  const buckets: TimelineBucket[] = [];
  for (let i = 0; i < n; i++) {
    buckets.push({ start: new Date(first + i * size).toISOString(), requests: 0, failures: 0, causes: {} });
  }
  for (const [minute, m] of summary.minutes) {
    const i = Math.floor((minute * MINUTE - first) / size);
    if (i < 0 || i >= n) continue;
    const b = buckets[i];
    b.requests += m.requests;
    b.failures += m.failures;
    for (const [cause, c] of m.byCause) if (c !== 0) b.causes[cause] = (b.causes[cause] ?? 0) + c;
  }
  return { bucket: name, buckets };
}
