import { Cause } from '../model';
import { SpaceSaving } from '../util/top-k';
import { MINUTE, Summary } from './summary';
import { Timeline, timeBucketIndex } from './timeline';
import { upstreamAddress } from './paths';

/**
 * Incidents: maximal runs of consecutive timeline buckets whose failure count is well above the
 * range's usual level. With m = the median failures per bucket over every bucket of the range
 * (empty buckets count as 0), a bucket is hot when
 *
 *     failures >= max(FACTOR × m, m + MIN_EXCESS)
 *
 * FACTOR makes "well above" relative for busy ranges; MIN_EXCESS keeps a handful of failures in
 * an otherwise clean range from being called an incident. A steady failure rate is no incident
 * (it is the baseline; the cause table shows it). Since m is a median, at most half the buckets
 * can be hot. Start/end are narrowed to the first and last failing minute inside the run (time
 * bucket, when the summary keeps buckets wider than a minute).
 * A range of fewer than MIN_BUCKETS buckets has no meaningful median: no detection there.
 */

export const INCIDENT_FACTOR = 3;
export const INCIDENT_MIN_EXCESS = 5;
export const INCIDENT_MIN_BUCKETS = 5;

export interface Incident {
  start: string; // ISO UTC, first failing minute
  end: string; // ISO UTC, exclusive (last failing minute + 1m; + peakMinutes when wider)
  buckets: number;
  failures: number;
  /**
   * Highest failures in one minute inside the incident; past MAX_TIME_BUCKETS minutes the counts
   * are kept per peakMinutes, and this is the busiest such bucket's failures per minute.
   */
  peakPerMinute: number;
  peakAt: string;
  /** Width in minutes of the time buckets the peak was found in (1 unless the span was long). */
  peakMinutes: number;
  cause: Cause;
  causeCount: number;
  causeShare: number;
  /** The most frequent failure status (5xx, 499) in the incident's access lines, if any. */
  status: number | null;
  statusShare: number | null;
  /** The upstream address failing most in the incident (approximate: bounded per-minute counts). */
  upstream: string | null;
}

export interface IncidentRule {
  medianPerBucket: number;
  thresholdPerBucket: number;
  factor: number;
  minExcess: number;
  minBuckets: number;
  /** False when the range is too short to have a baseline (then there are no incidents). */
  applied: boolean;
}

export function median(xs: number[]): number {
  if (xs.length === 0) return 0;
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 === 1 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

export function incidentRule(timeline: Timeline): IncidentRule {
  const m = median(timeline.buckets.map((b) => b.failures));
  return {
    medianPerBucket: m,
    thresholdPerBucket: Math.max(INCIDENT_FACTOR * m, m + INCIDENT_MIN_EXCESS),
    factor: INCIDENT_FACTOR,
    minExcess: INCIDENT_MIN_EXCESS,
    minBuckets: INCIDENT_MIN_BUCKETS,
    applied: timeline.buckets.length >= INCIDENT_MIN_BUCKETS,
  };
}

function argmax<K>(m: Map<K, number>): [K, number] | null {
  let best: [K, number] | null = null;
  for (const [k, v] of m) if (v > 0 && (best === null || v > best[1])) best = [k, v];
  return best;
}

export function findIncidents(summary: Summary, timeline: Timeline, rule = incidentRule(timeline)): Incident[] {
  const b = timeline.buckets;
  if (!rule.applied) return [];
  const hot = b.map((x) => x.failures > 0 && x.failures >= rule.thresholdPerBucket);
  const out: Incident[] = [];
  const starts = b.map((x) => Date.parse(x.start));
  for (let i = 0; i < b.length; i++) {
    if (!hot[i]) continue;
    let j = i;
    while (j + 1 < b.length && hot[j + 1]) j++;
    out.push(describe(summary, timeline, starts, i, j));
    i = j;
  }
  return out;
}

function describe(summary: Summary, timeline: Timeline, starts: number[], i: number, j: number): Incident {
  const b = timeline.buckets;
  const from = starts[i];
  const to = b[j].end ? Date.parse(b[j].end) : starts[j] + MINUTE;
  const step = summary.minuteStep * MINUTE;
  const causes = new Map<Cause, number>();
  let failures = 0;
  for (let k = i; k <= j; k++) {
    failures += b[k].failures;
    for (const [c, n] of Object.entries(b[k].causes)) causes.set(c as Cause, (causes.get(c as Cause) ?? 0) + (n ?? 0));
  }
  const statuses = new Map<number, number>();
  const upstreams = new SpaceSaving(64);
  let first = Infinity;
  let last = -Infinity;
  let peak = 0;
  let peakAt = from;
  for (const [minute, m] of summary.minutes) {
    const t = minute * MINUTE;
    if (m.failures <= 0) continue;
    // the time buckets the timeline counted in display buckets i..j
    const at = timeBucketIndex(starts, t, step);
    if (at < i || at > j || t >= to) continue;
    if (t < first) first = t;
    if (t > last) last = t;
    if (m.failures > peak || (m.failures === peak && t < peakAt)) {
      peak = m.failures;
      peakAt = t;
    }
    for (const [s, n] of m.byStatus) statuses.set(s, (statuses.get(s) ?? 0) + n);
    if (m.upstreams) for (const u of m.upstreams.top(m.upstreams.capacity)) upstreams.add(upstreamAddress(u.key), u.count);
  }
  if (!Number.isFinite(first)) {
    first = from;
    last = to - step;
  }
  const cause = argmax(causes) ?? (['unexplained', 0] as [Cause, number]);
  const status = argmax(statuses);
  let statusTotal = 0;
  for (const n of statuses.values()) statusTotal += n;
  const up = upstreams.top(1)[0];
  return {
    start: new Date(first).toISOString(),
    end: new Date(last + step).toISOString(),
    buckets: j - i + 1,
    failures,
    peakPerMinute: peak / summary.minuteStep,
    peakAt: new Date(peakAt).toISOString(),
    peakMinutes: summary.minuteStep,
    cause: cause[0],
    causeCount: cause[1],
    causeShare: failures > 0 ? cause[1] / failures : 0,
    status: status ? status[0] : null,
    statusShare: status && statusTotal > 0 ? status[1] / statusTotal : null,
    upstream: up ? up.key : null,
  };
}
