import * as fs from 'fs';
import { TZDate } from '@date-fns/tz';
import { Cause } from '../model';
import { MINUTE, Summary } from './summary';

/**
 * Rolls the minute counts up into display buckets laid out in the display zone: hourly and
 * finer buckets start on the zone's own clock marks (Asia/Kolkata's hours start at :30 UTC),
 * multi-hour and daily buckets on local midnight, so a DST day is a 23- or 25-hour bucket.
 * Empty buckets are kept as zeros: a gap is information (the proxy was quiet, or not logging).
 */

const HOUR = 60 * MINUTE;

/** Nominal sizes; 1d and the multi-hour ones follow the zone's calendar, not this length. */
export const BUCKETS: Record<string, number> = {
  '1m': MINUTE,
  '2m': 2 * MINUTE,
  '5m': 5 * MINUTE,
  '10m': 10 * MINUTE,
  '15m': 15 * MINUTE,
  '30m': 30 * MINUTE,
  '1h': HOUR,
  '2h': 2 * HOUR,
  '3h': 3 * HOUR,
  '6h': 6 * HOUR,
  '12h': 12 * HOUR,
  '1d': 24 * HOUR,
};

/** auto aims for at most this many buckets; consecutive sizes differ by at most 4x (2.5x above 1m), so it gets >= 30 when the range allows. */
export const AUTO_MAX_BUCKETS = 120;

/**
 * The smallest bucket that keeps the range within `maxBuckets` buckets; ranges longer than
 * maxBuckets days get 1d buckets anyway (the display caps the count, see MAX_BUCKETS).
 */
export function autoBucket(start: number, end: number, maxBuckets = AUTO_MAX_BUCKETS): string {
  const span = Math.max(0, end - start);
  for (const [name, ms] of Object.entries(BUCKETS)) {
    if (Math.floor(span / ms) + 1 <= maxBuckets) return name;
  }
  return '1d';
}

/** Zone names ICU reads as UTC, which Intl then reports as `UTC` (checked in test/report/timeline.test.ts). */
export const UTC_NAMES: ReadonlySet<string> = new Set([
  'UTC', 'Etc/UTC', 'Universal', 'Etc/Universal', 'Zulu', 'Etc/Zulu', 'UCT', 'Etc/UCT',
  'GMT', 'Etc/GMT', 'GMT0', 'Etc/GMT0', 'GMT+0', 'Etc/GMT+0', 'GMT-0', 'Etc/GMT-0', 'Greenwich', 'Etc/Greenwich',
]);

function localtimeLink(): string | null {
  try {
    return fs.readlinkSync('/etc/localtime');
  } catch {
    return null; // absent, or a copied file rather than a link: Intl decides
  }
}

/**
 * The machine's zone, the default for display (and for reading error-log times). A machine on UTC,
 * as most servers and CI runners are, is told by TZ or the /etc/localtime link, as ICU tells it,
 * without Intl: its first use loads ICU's data, 12 ms of a run's start-up. Any other zone is Intl's.
 */
export function localZone(env: NodeJS.ProcessEnv = process.env, link: () => string | null = localtimeLink): string {
  let name: string | null = null;
  if (env.TZ !== undefined) name = env.TZ.replace(/^:/, '');
  else {
    const target = link();
    const at = target === null ? -1 : target.lastIndexOf('zoneinfo/');
    if (at >= 0) name = target!.slice(at + 'zoneinfo/'.length);
  }
  if (name !== null && UTC_NAMES.has(name)) return 'UTC';
  return Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
}

/** UTC needs no zone data: its times are Date.UTC's (TZDate would load ICU's, see localZone()). */
function offsetMs(t: number, zone: string): number {
  if (zone === 'UTC') return 0;
  // getTimezoneOffset() is minutes west of UTC, as on Date.
  return -new TZDate(t, zone).getTimezoneOffset() * MINUTE;
}

/** Epoch ms of an hour of the zone's calendar (day and month may run over, as in Date.UTC). */
function zoneHour(y: number, m: number, d: number, h: number, zone: string): number {
  return zone === 'UTC' ? Date.UTC(y, m, d, h) : new TZDate(y, m, d, h, 0, 0, zone).getTime();
}

/**
 * Start times of the buckets covering [start, end] (both epoch ms, inclusive), first <= start.
 * Throws nothing; the caller bounds the count through the bucket choice.
 */
export function bucketStarts(start: number, end: number, bucket: string, zone: string): number[] {
  const size = BUCKETS[bucket];
  const out: number[] = [];
  if (size <= HOUR) {
    // Sub-hour marks do not move with whole-hour DST shifts: align once, then step in real time.
    const off = offsetMs(start, zone);
    let t = Math.floor((start + off) / size) * size - off;
    if (t > start) t -= size;
    for (; t <= end; t += size) out.push(t);
    return out;
  }
  const stepHours = size / HOUR;
  // the zone's calendar day of start, read off its wall clock
  const first = new Date(start + offsetMs(start, zone));
  const y = first.getUTCFullYear();
  const m = first.getUTCMonth();
  const d = first.getUTCDate();
  for (let day = 0; ; day++) {
    const midnight = zoneHour(y, m, d + day, 0, zone);
    if (midnight > end) break;
    for (let h = 0; h < 24; h += stepHours) {
      const t = h === 0 ? midnight : zoneHour(y, m, d + day, h, zone);
      if (t > end) break;
      if (out.length > 0 && t <= out[out.length - 1]) continue; // a local hour that DST skipped
      out.push(t);
    }
  }
  // Drop leading buckets that end at or before start.
  let i = 0;
  while (i + 1 < out.length && out[i + 1] <= start) i++;
  return out.slice(i);
}

export interface TimelineBucket {
  start: string;
  requests: number;
  failures: number;
  causes: Partial<Record<Cause, number>>;
  /** Added in v1: bucket end (exclusive), ISO UTC. */
  end?: string;
  /** Added in v1: the bucket start on the display zone's clock, with its UTC offset. */
  label?: string;
}

export interface Timeline {
  bucket: string;
  buckets: TimelineBucket[];
  /** Added in v1: the IANA zone the buckets are aligned to and labelled in. */
  zone?: string;
  /**
   * Added in v1: present when the counts were kept in buckets wider than a minute (a span of more
   * than MAX_TIME_BUCKETS minutes): their width in minutes. Each is counted in the display bucket
   * holding its start.
   */
  stepMinutes?: number;
  /**
   * Added in v1: present when the range needs more than MAX_BUCKETS buckets of a day (log times
   * that span millennia: a hostile or broken line can write any year): the timeline lays out the
   * last MAX_BUCKETS days, and what came before this time is in the totals but in no bucket.
   */
  omittedBefore?: string;
}

/** Hard cap so a stray timestamp years away cannot make a million empty buckets. */
export const MAX_BUCKETS = 5000;

export interface TimelineOptions {
  bucket: string; // a BUCKETS key or 'auto'
  zone: string;
  /** The range to lay out; default: the first and last timestamp seen. */
  start?: number;
  end?: number;
}

/**
 * Resolves `auto`, the size cap for a range, and the summary's time step: a display bucket is
 * never finer than the buckets the counts were kept in (`stepMinutes`, see Summary.minuteStep).
 */
export function chooseBucket(bucket: string, start: number, end: number, stepMinutes = 1): string {
  let name = bucket === 'auto' || !(bucket in BUCKETS) ? autoBucket(start, end) : bucket;
  if (Math.floor((end - start) / BUCKETS[name]) + 1 > MAX_BUCKETS) name = autoBucket(start, end, MAX_BUCKETS);
  if (BUCKETS[name] < stepMinutes * MINUTE) name = Object.keys(BUCKETS).find((b) => BUCKETS[b] >= stepMinutes * MINUTE) ?? '1d';
  return name;
}

/** date-fns' format, loaded for a pattern formatInZone does not cut from the wall clock itself. */
let format: typeof import('date-fns/format').format | null = null;

const pad2 = (n: number): string => (n < 10 ? '0' : '') + n;

/** `+05:30`: an offset in whole minutes, as date-fns' `xxx` writes it. */
function isoOffset(off: number): string {
  const m = Math.abs(off) / MINUTE;
  return `${off < 0 ? '-' : '+'}${pad2(Math.floor(m / 60))}:${pad2(m % 60)}`;
}

/** The patterns the reports use, cut from the zone's wall clock written as ISO (`yyyy-MM-ddTHH:mm...`). */
const WALL_CUTS = new Map<string, (wall: string, off: number) => string>([
  ['yyyy-MM-dd', (w) => w.slice(0, 10)],
  ['HH:mm', (w) => w.slice(11, 16)],
  ['yyyy-MM-dd HH:mm', (w) => `${w.slice(0, 10)} ${w.slice(11, 16)}`],
  ['yyyy-MM-dd HH:mm xxx', (w, off) => `${w.slice(0, 10)} ${w.slice(11, 16)} ${isoOffset(off)}`],
]);

/** The bucket labels' pattern. */
export const LABEL_PATTERN = 'yyyy-MM-dd HH:mm xxx';

/**
 * date-fns' format(new TZDate(t, zone), pattern). The reports' own patterns are cut from the zone's
 * wall clock (the UTC clock of t + the zone's offset, whole minutes as TZDate has them): loading
 * date-fns' format took 14 ms of every run's start-up, 2% of a 1 M-line one. Other patterns, and
 * years toISOString writes with six digits, go to date-fns.
 */
export function formatInZone(t: number, zone: string, pattern: string): string {
  const cut = WALL_CUTS.get(pattern);
  if (cut !== undefined) {
    const off = offsetMs(t, zone);
    const wall = Number.isFinite(t + off) ? new Date(t + off).toISOString() : '';
    if (wall.length === 24) return cut(wall, off);
  }
  format ??= (require('date-fns/format') as typeof import('date-fns/format')).format;
  return format(new TZDate(t, zone), pattern);
}

export function buildTimeline(summary: Summary, opts: TimelineOptions): Timeline {
  let start = opts.start ?? summary.start;
  const end = opts.end ?? summary.end;
  if (!Number.isFinite(start) || !Number.isFinite(end) || end < start) {
    return { bucket: opts.bucket === 'auto' ? '1h' : opts.bucket, buckets: [], zone: opts.zone };
  }
  // Even daily buckets would pass MAX_BUCKETS (and, for a line dated 9999 beside one of today,
  // millions of zero buckets): the last MAX_BUCKETS days are laid out.
  const days = Math.floor((end - start) / BUCKETS['1d']) + 1;
  const omitted = days > MAX_BUCKETS ? end - (MAX_BUCKETS - 2) * BUCKETS['1d'] : null;
  if (omitted !== null) start = omitted;
  const step = summary.minuteStep;
  const name = chooseBucket(opts.bucket, start, end, step);
  const starts = bucketStarts(start, end, name, opts.zone);
  const n = starts.length;
  const buckets: TimelineBucket[] = starts.map((t, i) => ({
    start: new Date(t).toISOString(),
    end: new Date(i + 1 < n ? starts[i + 1] : nextStart(t, name, opts.zone)).toISOString(),
    label: formatInZone(t, opts.zone, LABEL_PATTERN),
    requests: 0,
    failures: 0,
    causes: {},
  }));
  // A month is 43,200 minutes, run through once, mostly before V8 optimises this loop: the
  // interpreter's cost per step decides (a Map iterator's entry arrays, the search, an iterator
  // for each minute's empty counts: 11 of buildTimeline's 26 ms).
  let i = -1;
  summary.minutes.forEach((m, minute) => {
    const t = minute * MINUTE;
    if (t > end) return;
    // minutes come mostly in time order: the last one's bucket, else a search
    if (!(i >= 0 && starts[i] <= t && (i + 1 === n || t < starts[i + 1]))) i = timeBucketIndex(starts, t, step * MINUTE);
    if (i < 0) return;
    const b = buckets[i];
    b.requests += m.requests;
    b.failures += m.failures;
    if (m.byCause.size > 0) for (const [cause, c] of m.byCause) if (c !== 0) b.causes[cause] = (b.causes[cause] ?? 0) + c;
  });
  // Most frequent first (ties by name): the same order however the counts were gathered or merged.
  for (const b of buckets) b.causes = Object.fromEntries(Object.entries(b.causes).sort((x, y) => y[1]! - x[1]! || (x[0] < y[0] ? -1 : 1)));
  const t: Timeline = step > 1 ? { bucket: name, buckets, zone: opts.zone, stepMinutes: step } : { bucket: name, buckets, zone: opts.zone };
  if (omitted !== null && n > 0) t.omittedBefore = buckets[0].start;
  return t;
}

function nextStart(t: number, bucket: string, zone: string): number {
  const after = bucketStarts(t, t + BUCKETS[bucket] + 2 * HOUR, bucket, zone);
  return after.length > 1 ? after[1] : t + BUCKETS[bucket];
}

/**
 * The display bucket a time bucket [t, t + stepMs) is counted in: the one holding its start; a
 * bucket that starts before the first display bucket but reaches into it goes to the first (the
 * range starts at the first timestamp seen, which may fall inside a coarse bucket).
 */
export function timeBucketIndex(starts: number[], t: number, stepMs: number): number {
  const i = bucketIndex(starts, t);
  return i < 0 && starts.length > 0 && t + stepMs > starts[0] ? 0 : i;
}

/** Index of the bucket holding t (the last start <= t), or -1 before the first. */
export function bucketIndex(starts: number[], t: number): number {
  let lo = 0;
  let hi = starts.length - 1;
  if (hi < 0 || t < starts[0]) return -1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (starts[mid] <= t) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}
