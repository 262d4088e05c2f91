import { FailureEvent } from '../../src/model';
import { Summary } from '../../src/report/summary';
import { buildDocument } from '../../src/report/json';
import { findIncidents, incidentRule, median } from '../../src/report/incidents';
import { buildTimeline } from '../../src/report/timeline';
import { incidentLine } from '../../src/report/view';

const MIN = 60_000;
const T0 = Date.parse('2024-11-16T13:00:00Z');

function failure(s: Summary, t: number, cause: FailureEvent['cause'], upstream: string, status = 502, path = '/api/users/7'): void {
  s.countRequest(t, status);
  const ev: FailureEvent = {
    ts: new Date(t).toISOString(), file: 'access.log', line: 1, source: 'nginx-access', cause,
    category: 'upstream-down', signature: null, status, upstream, client: '203.0.113.5',
    request: `GET ${path} HTTP/1.1`, host: 'shop.example', message: 'x',
  };
  s.countFailure(ev, t, 1, path);
}

/** 2 hours: 1 timeout every 10 min as background, and 14:02–14:19 a refused burst of 70/min on 10.0.0.7:8080 with a few 504s mixed in. */
function burst(): Summary {
  const s = new Summary();
  for (let m = 0; m < 120; m++) {
    const t = T0 + m * MIN;
    for (let k = 0; k < 10; k++) s.countRequest(t + k * 1000, 200);
    if (m % 10 === 0) failure(s, t + 30_000, 'upstream-timeout-read', '10.0.0.8:8080', 504);
    if (m >= 62 && m < 80) {
      for (let k = 0; k < 70; k++) failure(s, t + k * 500, 'upstream-refused', k % 10 === 0 ? '10.0.0.9:8080' : '10.0.0.7:8080');
      if (m === 70) for (let k = 0; k < 20; k++) failure(s, t + 40_000, 'upstream-timeout-read', '10.0.0.8:8080', 504);
    }
  }
  return s;
}

test("an endpoint's example is the first raw path of it, kept while the endpoint leaves the top-K table and comes back", () => {
  const s = new Summary();
  const examples = () => s.causes.get('upstream-refused')!.pathExamples;
  failure(s, T0, 'upstream-refused', '10.0.0.7:8080', 502, '/api/users/7');
  // 250 other endpoints, each twice: /api/users/{id} (count 1) is evicted from the 200-key table
  for (let i = 0; i < 250; i++) for (let k = 0; k < 2; k++) failure(s, T0 + 1000, 'upstream-refused', '10.0.0.7:8080', 502, `/e${i}x/a`);
  expect(s.causes.get('upstream-refused')!.paths.top(300).some((t) => t.key === '/api/users/{id}')).toBe(false);
  failure(s, T0 + 2000, 'upstream-refused', '10.0.0.7:8080', 502, '/api/users/8');
  expect(examples().get('/api/users/{id}')).toBe('/api/users/7');
  // the examples are full (200): an endpoint first seen now has none
  expect(examples().size).toBe(200);
  failure(s, T0 + 3000, 'upstream-refused', '10.0.0.7:8080', 502, '/fresh/1');
  expect(examples().has('/fresh/{id}')).toBe(false);
});

test('median of even and odd counts, zeros included', () => {
  expect(median([0, 0, 9])).toBe(0);
  expect(median([1, 2, 3, 4])).toBe(2.5);
  expect(median([])).toBe(0);
});

test('a synthetic burst is one incident with its real start, end, peak, cause and upstream', () => {
  const s = burst();
  const tl = buildTimeline(s, { bucket: '1m', zone: 'UTC' });
  const rule = incidentRule(tl);
  expect(rule.medianPerBucket).toBe(0);
  expect(rule.thresholdPerBucket).toBe(5);
  const inc = findIncidents(s, tl, rule);
  expect(inc).toHaveLength(1);
  const i = inc[0];
  expect(i.start).toBe('2024-11-16T14:02:00.000Z');
  expect(i.end).toBe('2024-11-16T14:20:00.000Z');
  expect(i.failures).toBe(18 * 70 + 20 + 1); // the burst, the 20 extra 504s and the background timeout at 14:10
  expect(i.peakPerMinute).toBe(70 + 20 + 1);
  expect(i.peakAt).toBe('2024-11-16T14:10:00.000Z');
  expect(i.cause).toBe('upstream-refused');
  expect(i.causeShare).toBeCloseTo(1260 / i.failures, 5);
  expect(i.upstream).toBe('10.0.0.7:8080');
  expect(i.status).toBe(502);
  const doc = buildDocument(s, { bucket: '5m', zone: 'UTC' });
  expect(incidentLine(doc, doc.incidents![0])).toEqual({
    when: '14:00–14:20',
    // 5m buckets: the 14:00 bucket is hot too, and its background timeout at 14:00 now counts
    what: `1,282 × 502, 98% upstream-refused on 10.0.0.7:8080; peak 91/min`,
  });
});

test('a steady failure rate is the baseline, not an incident', () => {
  const s = new Summary();
  for (let m = 0; m < 60; m++) for (let k = 0; k < 30; k++) failure(s, T0 + m * MIN + k * 1000, 'upstream-reset', '10.0.0.7:8080');
  const tl = buildTimeline(s, { bucket: '1m', zone: 'UTC' });
  expect(incidentRule(tl).medianPerBucket).toBe(30);
  expect(findIncidents(s, tl)).toEqual([]);
});

test('a handful of failures in a clean range is below the minimum excess', () => {
  const s = new Summary();
  for (let m = 0; m < 60; m++) s.countRequest(T0 + m * MIN, 200);
  for (let k = 0; k < 4; k++) failure(s, T0 + 30 * MIN + k * 1000, 'upstream-refused', '10.0.0.7:8080');
  expect(findIncidents(s, buildTimeline(s, { bucket: '1m', zone: 'UTC' }))).toEqual([]);
});

test('two bursts separated by a quiet bucket are two incidents', () => {
  const s = new Summary();
  for (let m = 0; m < 60; m++) s.countRequest(T0 + m * MIN, 200);
  for (const m of [10, 11, 13]) for (let k = 0; k < 8; k++) failure(s, T0 + m * MIN + k * 1000, 'upstream-refused', '10.0.0.7:8080');
  const inc = findIncidents(s, buildTimeline(s, { bucket: '1m', zone: 'UTC' }));
  expect(inc.map((i) => [i.start.slice(11, 16), i.end.slice(11, 16), i.failures])).toEqual([
    ['13:10', '13:12', 16],
    ['13:13', '13:14', 8],
  ]);
});

test('in a multi-day range, the end repeats the date only when the incident crosses midnight', () => {
  const s = new Summary();
  const day0 = Date.parse('2024-11-16T00:00:00Z');
  for (let h = 0; h < 48; h++) s.countRequest(day0 + h * 60 * MIN, 200);
  const burstAt = (from: number, minutes: number) => {
    for (let m = 0; m < minutes; m++) for (let k = 0; k < 20; k++) failure(s, from + m * MIN + k * 1000, 'upstream-refused', '10.0.0.7:8080');
  };
  burstAt(Date.parse('2024-11-16T15:00:00Z'), 30);
  burstAt(Date.parse('2024-11-16T23:50:00Z'), 20);
  const doc = buildDocument(s, { bucket: '10m', zone: 'UTC' });
  expect(doc.incidents!.map((i) => incidentLine(doc, i).when)).toEqual([
    '2024-11-16 15:00–15:30',
    '2024-11-16 23:50–2024-11-17 00:10',
  ]);
});

test('a range too short for a baseline is not assessed', () => {
  const s = new Summary();
  for (let k = 0; k < 50; k++) failure(s, T0 + k * 1000, 'upstream-refused', '10.0.0.7:8080');
  failure(s, T0 + 3 * MIN, 'upstream-refused', '10.0.0.7:8080');
  const tl = buildTimeline(s, { bucket: '1m', zone: 'UTC' });
  expect(tl.buckets).toHaveLength(4);
  const rule = incidentRule(tl);
  expect(rule.applied).toBe(false);
  expect(findIncidents(s, tl, rule)).toEqual([]);
});
