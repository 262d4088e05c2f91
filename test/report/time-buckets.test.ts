import { FailureEvent } from '../../src/model';
import { MAX_TIME_BUCKETS, Summary } from '../../src/report/summary';
import { PartialRecorder, mergeSummaries } from '../../src/report/summary-merge';
import { buildTimeline, chooseBucket } from '../../src/report/timeline';
import { findIncidents } from '../../src/report/incidents';
import { buildDocument } from '../../src/report/json';
import { incidentLine } from '../../src/report/view';
import { renderTable } from '../../src/report/table';
import { windowCounts } from '../../src/live/windows';

/**
 * The time table is bounded (Summary.maxTimeBuckets): past it the buckets widen (1 → 5 → 15 → 60
 * → 1440 minutes), merging counts, so a year of logs costs what a month does. What is counted
 * must not change, only how finely it is placed in time.
 */

const MIN = 60_000;
const T0 = Date.parse('2024-11-16T00:00:00Z');

function failure(s: Summary, t: number, cause: FailureEvent['cause'], upstream: string, status = 502): void {
  s.countRequest(t, status);
  const ev: FailureEvent = {
    ts: new Date(t).toISOString(), file: 'access.log', line: 1, source: 'nginx-access', cause,
    category: 'upstream-down', signature: null, status, upstream, client: '203.0.113.5',
    request: 'GET /x HTTP/1.1', host: 'shop.example', message: 'x',
  };
  s.countFailure(ev, t, 1, '/x');
}

/** Minutes offset … offset + minutes of T0: 3 requests each, a refused failure every 7th minute, a timeout every 11th. */
function fill(s: Summary, minutes: number, offset = 0): Summary {
  for (let m = 0; m < minutes; m++) {
    const t = T0 + (offset + m) * MIN;
    for (let k = 0; k < 3; k++) s.countRequest(t + k * 1000, 200);
    if ((offset + m) % 7 === 0) failure(s, t + 5000, 'upstream-refused', '10.0.0.7:8080');
    if ((offset + m) % 11 === 0) failure(s, t + 9000, 'upstream-timeout-read', '10.0.0.8:8080', 504);
  }
  return s;
}

function totals(s: Summary) {
  let requests = 0;
  let failures = 0;
  const byCause: Record<string, number> = {};
  const byStatus: Record<string, number> = {};
  for (const m of s.minutes.values()) {
    requests += m.requests;
    failures += m.failures;
    for (const [c, n] of m.byCause) byCause[c] = (byCause[c] ?? 0) + n;
    for (const [st, n] of m.byStatus) byStatus[st] = (byStatus[st] ?? 0) + n;
  }
  return { requests, failures, byCause, byStatus };
}

test('a month stays at minute resolution under the default bound', () => {
  expect(MAX_TIME_BUCKETS).toBeGreaterThanOrEqual(31 * 24 * 60);
  const s = new Summary();
  for (let m = 0; m < 31 * 24 * 60; m += 1) s.countRequest(T0 + m * MIN, 200);
  expect(s.minuteStep).toBe(1);
  expect(s.minutes.size).toBe(31 * 24 * 60);
});

test('past the bound the table widens step by step, keeps every count, and stays within the bound', () => {
  const wide = fill(new Summary(100), 1000);
  const exact = fill(new Summary(), 1000);
  // 100 minutes fill it: 5-minute buckets; 500 minutes fill those: 15-minute buckets
  expect(wide.minuteStep).toBe(15);
  expect(wide.minutes.size).toBeLessThanOrEqual(100);
  expect(wide.minutes.size).toBe(Math.ceil(1000 / 15));
  for (const k of wide.minutes.keys()) expect(k % 15).toBe(0);
  expect(totals(wide)).toEqual(totals(exact));
  expect(totals(wide).requests).toBe(1000 * 3 + Math.ceil(1000 / 7) + Math.ceil(1000 / 11));
  // the per-bucket upstream tables were merged too
  const ups = new Map<string, number>();
  for (const m of wide.minutes.values()) for (const u of m.upstreams?.top(4) ?? []) ups.set(u.key, (ups.get(u.key) ?? 0) + u.count);
  expect(Object.fromEntries(ups)).toEqual({ '10.0.0.7:8080': Math.ceil(1000 / 7), '10.0.0.8:8080': Math.ceil(1000 / 11) });
});

test('the timeline of the wide table is the exact one at any bucket no finer than its step', () => {
  const wide = fill(new Summary(100), 1000);
  const exact = fill(new Summary(), 1000);
  for (const bucket of ['15m', '1h', '6h']) {
    const a = buildTimeline(wide, { bucket, zone: 'UTC' });
    const b = buildTimeline(exact, { bucket, zone: 'UTC' });
    expect(a.bucket).toBe(bucket);
    expect(a.buckets).toEqual(b.buckets);
    expect(a.stepMinutes).toBe(15);
    expect(b.stepMinutes).toBeUndefined();
  }
  // a finer request is raised to the step: buckets narrower than the counts would be guesses
  expect(buildTimeline(wide, { bucket: '1m', zone: 'UTC' }).bucket).toBe('15m');
  expect(chooseBucket('2m', T0, T0 + 60 * MIN, 5)).toBe('5m');
  expect(chooseBucket('auto', T0, T0 + 60 * MIN, 60)).toBe('1h');
  expect(chooseBucket('auto', T0, T0 + 60 * MIN, 1440)).toBe('1d');
  expect(chooseBucket('auto', T0, T0 + 60 * MIN)).toBe('1m');
});

test('a zone whose hours start at :30 UTC: a wide bucket counts in the display bucket holding its start, none is lost', () => {
  const wide = fill(new Summary(100), 1000);
  wide.coarsen(60);
  const tl = buildTimeline(wide, { bucket: '1h', zone: 'Asia/Kolkata' });
  const sum = tl.buckets.reduce((n, b) => n + b.requests, 0);
  expect(sum).toBe(totals(wide).requests);
  // the range starts at 00:00 UTC, inside the first display hour 23:30–00:30 UTC; the wide
  // bucket 01:00–02:00 UTC counts in 00:30–01:30
  expect(tl.buckets[0].start).toBe('2024-11-15T23:30:00.000Z');
  expect(tl.buckets[0].requests).toBe(wide.minutes.get(T0 / MIN)!.requests);
  expect(tl.buckets[1].requests).toBe(wide.minutes.get(T0 / MIN + 60)!.requests);
  // logs from 00:40 UTC: the range (and its first display hour, from 00:30) starts after the
  // wide bucket 00:00–01:00 holding the first lines; they count in that first display hour,
  // with the wide bucket 01:00–02:00
  const late = fill(new Summary(100), 1000, 40);
  late.coarsen(60);
  const lt = buildTimeline(late, { bucket: '1h', zone: 'Asia/Kolkata' });
  expect(lt.buckets[0].start).toBe('2024-11-16T00:30:00.000Z');
  expect(lt.buckets[0].requests).toBe(late.minutes.get(T0 / MIN)!.requests + late.minutes.get(T0 / MIN + 60)!.requests);
  expect(lt.buckets.reduce((n, b) => n + b.requests, 0)).toBe(totals(late).requests);
});

/** 4 hours, 1 request a minute; 01:02–01:19 a refused burst of 70/min. */
function burst(s: Summary): Summary {
  for (let m = 0; m < 240; m++) {
    s.countRequest(T0 + m * MIN, 200);
    if (m >= 62 && m < 80) for (let k = 0; k < 70; k++) failure(s, T0 + m * MIN + k * 500, 'upstream-refused', '10.0.0.7:8080');
  }
  return s;
}

test('an incident in a wide table: bucket-aligned start and end, the peak per minute of its busiest bucket', () => {
  const s = burst(new Summary(50));
  expect(s.minuteStep).toBe(5);
  const doc = buildDocument(s, { bucket: '5m', zone: 'UTC' });
  expect(doc.incidents).toHaveLength(1);
  const i = doc.incidents![0];
  expect([i.start, i.end]).toEqual(['2024-11-16T01:00:00.000Z', '2024-11-16T01:20:00.000Z']);
  expect(i.failures).toBe(18 * 70);
  // 01:05–01:10 holds 5 burst minutes of 70
  expect(i.peakMinutes).toBe(5);
  expect(i.peakPerMinute).toBe(70);
  expect(i.peakAt).toBe('2024-11-16T01:05:00.000Z');
  expect(incidentLine(doc, i).what).toBe('1,260 × 502, 100% upstream-refused on 10.0.0.7:8080; peak 350/5 min');
  // the table says why its buckets may be wider than asked
  const table = renderTable(doc, { boxes: false, color: false, width: 160 });
  expect(table).toMatch(/each row scaled to its own peak; counts kept per 5 min \(more than 50 minutes of logs\)/);
  // at minute resolution the same data has the burst's real edges and its peak minute
  const exact = buildDocument(burst(new Summary()), { bucket: '5m', zone: 'UTC' });
  const e = exact.incidents![0];
  expect([e.start, e.end, e.peakMinutes, e.peakPerMinute]).toEqual(['2024-11-16T01:02:00.000Z', '2024-11-16T01:20:00.000Z', 1, 70]);
  expect(incidentLine(exact, e).what).toMatch(/; peak 70\/min$/);
});

test('tail mode: dropping old buckets and the rolling window read wide buckets', () => {
  const s = fill(new Summary(100), 1000);
  const now = T0 + 1000 * MIN;
  const at = (minute: number) => s.minutes.get(T0 / MIN + minute)!.requests;
  // a window starting on a bucket boundary counts its buckets whole, the one holding `now` too
  const w = windowCounts(s, T0 + 990 * MIN, 150 * MIN);
  let requests = 0;
  for (let k = 840; k <= 990; k += 15) requests += at(k);
  expect(w.requests).toBe(requests);
  // a bucket half inside the window counts half
  const half = windowCounts(s, T0 + 990 * MIN, 7.5 * MIN);
  expect(half.requests).toBeCloseTo(at(975) / 2 + at(990), 6);
  s.dropMinutesBefore(T0 / MIN + 995);
  // the bucket 975–990 ends before 995: dropped; 990–1005 reaches past it: kept
  expect([...s.minutes.keys()].map((k) => k - T0 / MIN)).toEqual([990]);
  expect(windowCounts(s, now, 10 * MIN).requests).toBe(s.minutes.get(T0 / MIN + 990)!.requests);
});

test('merging parts that widened at different steps gives the sequential counts and stays within the bound', () => {
  // part A: 1000 minutes (15-minute buckets under a bound of 100); part B: 500 later minutes
  // (5-minute buckets); together 101 buckets of 15 minutes, so the merge widens them to an hour
  const a = new Summary(100);
  const ra = new PartialRecorder(a);
  fill(a, 400);
  ra.fileDone(0);
  fill(a, 600, 400);
  ra.fileDone(1);
  const b = new Summary(100);
  const rb = new PartialRecorder(b);
  fill(b, 500, 5000);
  rb.fileDone(2);
  expect([a.minuteStep, b.minuteStep]).toEqual([15, 5]);
  // one part alone keeps its step and its buckets
  const alone = mergeSummaries([ra.toPartial(0)], 100).summary;
  expect(alone.minuteStep).toBe(15);
  expect(buildTimeline(alone, { bucket: '1h', zone: 'UTC' })).toEqual(buildTimeline(a, { bucket: '1h', zone: 'UTC' }));
  const merged = mergeSummaries([ra.toPartial(0), rb.toPartial(0)], 100).summary;
  const seq = fill(fill(new Summary(100), 1000), 500, 5000);
  expect(merged.minuteStep).toBe(60);
  expect(seq.minuteStep).toBe(60);
  expect(merged.minutes.size).toBeLessThanOrEqual(100);
  expect(totals(merged)).toEqual(totals(seq));
  expect(buildTimeline(merged, { bucket: '1h', zone: 'UTC' })).toEqual(buildTimeline(seq, { bucket: '1h', zone: 'UTC' }));
});
