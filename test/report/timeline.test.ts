import { Summary } from '../../src/report/summary';
import { execFileSync } from 'child_process';
import * as path from 'path';
import { TZDate } from '@date-fns/tz';
import { format } from 'date-fns/format';
import { AUTO_MAX_BUCKETS, BUCKETS, LABEL_PATTERN, MAX_BUCKETS, UTC_NAMES, autoBucket, bucketStarts, buildTimeline, formatInZone, localZone, timeBucketIndex } from '../../src/report/timeline';
import { parseRange, parseTimeArg, UsageError } from '../../src/cli/options';

const MIN = 60_000;
const H = 60 * MIN;
const iso = (t: number) => new Date(t).toISOString();

describe('auto bucket choice', () => {
  test.each([
    [30 * MIN, '1m'],
    [119 * MIN, '1m'],
    [121 * MIN, '2m'],
    [6 * H, '5m'],
    [24 * H, '15m'],
    [3 * 24 * H, '1h'],
    [7 * 24 * H, '2h'],
    [29 * 24 * H, '6h'],
    [30 * 24 * H, '12h'],
    [90 * 24 * H, '1d'],
  ])('%d ms → %s', (span, want) => {
    expect(autoBucket(0, span)).toBe(want);
  });

  test('any range from 1 hour to 100 days gets between 30 and 120 buckets', () => {
    for (let span = H; span <= 100 * 24 * H; span = Math.round(span * 1.37)) {
      const n = Math.floor(span / BUCKETS[autoBucket(0, span)]) + 1;
      expect(n).toBeLessThanOrEqual(AUTO_MAX_BUCKETS);
      expect(n).toBeGreaterThanOrEqual(30);
    }
  });
});

describe('bucket layout in a zone', () => {
  test('Europe/Paris 2024-03-31: the daily bucket is 23 hours, starting at local midnight', () => {
    const start = Date.parse('2024-03-30T12:00:00Z');
    const end = Date.parse('2024-04-01T12:00:00Z');
    expect(bucketStarts(start, end, '1d', 'Europe/Paris').map(iso)).toEqual([
      '2024-03-29T23:00:00.000Z', // Mar 30 00:00 +01:00
      '2024-03-30T23:00:00.000Z', // Mar 31 00:00 +01:00
      '2024-03-31T22:00:00.000Z', // Apr 1 00:00 +02:00: 23 hours later
    ]);
  });

  test('Europe/Paris 2024-10-27: the daily bucket is 25 hours', () => {
    const s = bucketStarts(Date.parse('2024-10-26T23:00:00Z'), Date.parse('2024-10-28T01:00:00Z'), '1d', 'Europe/Paris');
    expect(s.map(iso)).toEqual(['2024-10-26T22:00:00.000Z', '2024-10-27T23:00:00.000Z']);
    expect(s[1] - s[0]).toBe(25 * H);
  });

  test('hourly buckets across the Paris fall-back hour stay one real hour each, labels show 02:00 twice', () => {
    const s = new Summary();
    const t0 = Date.parse('2024-10-27T00:00:00Z'); // 02:00 +02:00
    for (let h = 0; h < 3; h++) s.countRequest(t0 + h * H + 5 * MIN, 200);
    const tl = buildTimeline(s, { bucket: '1h', zone: 'Europe/Paris' });
    expect(tl.buckets.map((b) => b.label)).toEqual([
      '2024-10-27 02:00 +02:00',
      '2024-10-27 02:00 +01:00',
      '2024-10-27 03:00 +01:00',
    ]);
    expect(tl.buckets.map((b) => b.requests)).toEqual([1, 1, 1]);
  });

  test('6h buckets follow local midnight over the New York spring-forward (2024-03-10)', () => {
    const s = bucketStarts(Date.parse('2024-03-10T05:00:00Z'), Date.parse('2024-03-10T20:00:00Z'), '6h', 'America/New_York');
    // 00:00 EST, 06:00 EDT (5 real hours later), 12:00 EDT
    expect(s.map(iso)).toEqual(['2024-03-10T05:00:00.000Z', '2024-03-10T10:00:00.000Z', '2024-03-10T16:00:00.000Z']);
  });

  test('hourly buckets in a half-hour zone start at :30 UTC', () => {
    const s = bucketStarts(Date.parse('2024-01-01T00:10:00Z'), Date.parse('2024-01-01T02:00:00Z'), '1h', 'Asia/Kolkata');
    expect(s.map(iso)).toEqual(['2023-12-31T23:30:00.000Z', '2024-01-01T00:30:00.000Z', '2024-01-01T01:30:00.000Z']);
  });

  test('empty buckets are zeros, not skipped', () => {
    const s = new Summary();
    s.countRequest(Date.parse('2024-11-16T10:00:30Z'), 200);
    s.countRequest(Date.parse('2024-11-16T10:09:30Z'), 502);
    const tl = buildTimeline(s, { bucket: '1m', zone: 'UTC' });
    expect(tl.buckets).toHaveLength(10);
    expect(tl.buckets.map((b) => b.requests)).toEqual([1, 0, 0, 0, 0, 0, 0, 0, 0, 1]);
  });

  test('times millennia apart (a line dated 9999 beside one of 1970): the last MAX_BUCKETS days, and what was left out', () => {
    const s = new Summary();
    s.countRequest(Date.parse('1970-11-16T14:15:25Z'), 502);
    s.countRequest(Date.parse('9999-11-16T14:15:25Z'), 502);
    s.countRequest(Date.parse('9999-11-16T15:00:00Z'), 200);
    const tl = buildTimeline(s, { bucket: 'auto', zone: 'UTC' });
    expect(tl.bucket).toBe('1d');
    expect(tl.buckets.length).toBeLessThanOrEqual(MAX_BUCKETS);
    expect(tl.buckets.length).toBeGreaterThan(MAX_BUCKETS - 3);
    expect(tl.buckets[tl.buckets.length - 1].start).toBe('9999-11-16T00:00:00.000Z');
    expect(tl.omittedBefore).toBe(tl.buckets[0].start);
    // the last day's counts are there, the 1970 one is in no bucket
    expect(tl.buckets.reduce((n, b) => n + b.requests, 0)).toBe(2);
    // a range that fits says nothing was left out
    expect(buildTimeline(s, { bucket: 'auto', zone: 'UTC', start: Date.parse('9999-01-01T00:00:00Z') }).omittedBefore).toBeUndefined();
  });

  test('a requested range wider than the data is laid out in full', () => {
    const s = new Summary();
    s.countRequest(Date.parse('2024-11-16T10:30:00Z'), 200);
    const tl = buildTimeline(s, {
      bucket: '1h',
      zone: 'UTC',
      start: Date.parse('2024-11-16T08:00:00Z'),
      end: Date.parse('2024-11-16T12:59:59Z'),
    });
    expect(tl.buckets.map((b) => b.requests)).toEqual([0, 0, 1, 0, 0]);
  });
});

describe('bucket labels and counts', () => {
  // Zones with DST, half- and quarter-hour offsets, and a 30-minute DST shift (Lord Howe).
  const ZONES = ['UTC', 'Europe/Paris', 'America/New_York', 'Asia/Kolkata', 'Asia/Kathmandu', 'America/St_Johns', 'Australia/Lord_Howe', 'Pacific/Chatham'];

  const dateFns = (t: number, zone: string, pattern: string) => format(new TZDate(t, zone), pattern);
  const label = (t: number, zone: string) => formatInZone(t, zone, LABEL_PATTERN);

  test('the reports\' patterns are written as date-fns writes them, across DST changes', () => {
    const from = Date.parse('2023-01-01T00:00:00Z');
    const to = Date.parse('2025-01-01T00:00:00Z');
    let checked = 0;
    const same = (t: number, zone: string) => {
      expect(label(t, zone)).toBe(dateFns(t, zone, LABEL_PATTERN));
      checked++;
    };
    const STEP = 331 * MIN; // 331 and 60 are coprime: every minute of the clock comes up
    for (const zone of ZONES) {
      for (let t = from; t < to; t += STEP) {
        same(t, zone);
        // around a change of offset, every 5 minutes of the step
        if (label(t, zone).slice(-6) !== label(t + STEP, zone).slice(-6)) for (let u = t + 5 * MIN; u < t + STEP; u += 5 * MIN) same(u, zone);
      }
    }
    expect(checked).toBeGreaterThan(25_000);
    // the other patterns are cuts of the same clock: fewer times
    for (const pattern of ['yyyy-MM-dd', 'HH:mm', 'yyyy-MM-dd HH:mm', 'dd MMM yyyy']) {
      for (const zone of ZONES) for (let t = from; t < to; t += 40 * STEP) expect(formatInZone(t, zone, pattern)).toBe(dateFns(t, zone, pattern));
    }
    // years written with six digits by toISOString
    for (const t of [0, Date.parse('9999-12-31T23:59:00Z'), Date.parse('+010000-01-01T00:00:00Z'), Date.parse('-000001-06-01T00:00:00Z')]) {
      for (const zone of ZONES) expect(label(t, zone)).toBe(dateFns(t, zone, LABEL_PATTERN));
    }
    expect(() => formatInZone(NaN, 'UTC', LABEL_PATTERN)).toThrow(RangeError);
  });

  test('each bucket counts the minutes a search puts in it, whatever order the minutes came in', () => {
    let seed = 7;
    const rand = () => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32);
    const t0 = Date.parse('2024-10-20T00:00:00Z');
    for (const bucket of ['1m', '15m', '1h', '6h', '1d']) {
      const s = new Summary();
      const times: number[] = [];
      let t = t0;
      for (let k = 0; k < 3000; k++) {
        // mostly forward, sometimes back (files read out of order), sometimes far ahead
        const r = rand();
        t += r < 0.1 ? -Math.floor(rand() * 600) * MIN : r < 0.15 ? Math.floor(rand() * 2000) * MIN : Math.floor(rand() * 20) * MIN;
        times.push(t);
        s.countRequest(t + 1000, 200);
      }
      const tl = buildTimeline(s, { bucket, zone: 'Europe/Paris' });
      const starts = tl.buckets.map((b) => Date.parse(b.start));
      const want = new Array<number>(starts.length).fill(0);
      for (const m of s.minutes.keys()) want[timeBucketIndex(starts, m * MIN, s.minuteStep * MIN)] += s.minutes.get(m)!.requests;
      expect(tl.buckets.map((b) => b.requests)).toEqual(want);
      expect(want.reduce((a, b) => a + b, 0)).toBe(times.length);
    }
  });
});

describe('the machine zone, and UTC without zone data', () => {
  const TIMELINE = path.join(__dirname, '../../dist/report/timeline.js');
  /** What a node started with TZ=tz says: Intl's zone, and localZone() given `args` (JSON). */
  const inChild = (tz: string, args: string) =>
    JSON.parse(
      execFileSync(process.execPath, ['-e', `const t = require(${JSON.stringify(TIMELINE)}); console.log(JSON.stringify([Intl.DateTimeFormat().resolvedOptions().timeZone, t.localZone(...${args})]))`], {
        env: { ...process.env, TZ: tz },
        encoding: 'utf8',
      }),
    ) as [string, string];

  test('every name taken for UTC without Intl is one Intl itself reports as UTC', () => {
    // one child: node resets ICU's zone when TZ is assigned
    const names = [...UTC_NAMES].flatMap((n) => [n, ':' + n]);
    const said = JSON.parse(
      execFileSync(process.execPath, ['-e', `const t = require(${JSON.stringify(TIMELINE)}); console.log(JSON.stringify(${JSON.stringify(names)}.map((n) => { process.env.TZ = n; return [n, Intl.DateTimeFormat().resolvedOptions().timeZone, t.localZone()]; })))`], {
        encoding: 'utf8',
      }),
    ) as string[][];
    expect(said).toEqual(names.map((n) => [n, 'UTC', 'UTC']));
    expect(said.length).toBe(36);
  });

  test('any other zone, from TZ or the /etc/localtime link, is Intl\'s', () => {
    expect(inChild('Europe/Paris', '[]')).toEqual(['Europe/Paris', 'Europe/Paris']);
    expect(inChild('Africa/Abidjan', '[]')).toEqual(['Africa/Abidjan', 'Africa/Abidjan']);
    // TZ absent (the env given), the link naming the zone: Intl's answer, here Paris (the child's TZ)
    expect(inChild('Europe/Paris', `[{}, () => '/usr/share/zoneinfo/Europe/Paris']`)[1]).toBe('Europe/Paris');
    expect(inChild('Europe/Paris', `[{}, () => null]`)[1]).toBe('Europe/Paris');
    expect(inChild('Europe/Paris', `[{}, () => '/etc/UTC']`)[1]).toBe('Europe/Paris');
    // and a link to a UTC zone is UTC
    expect(inChild('Europe/Paris', `[{}, () => '../usr/share/zoneinfo/Etc/UTC']`)[1]).toBe('UTC');
    expect(localZone({ TZ: 'Etc/Zulu' }, () => null)).toBe('UTC');
  });

  test('UTC buckets, starts and labels are those of Etc/UTC, which goes through the zone data', () => {
    const from = Date.parse('2024-02-27T13:17:00Z');
    for (const bucket of Object.keys(BUCKETS)) {
      const end = from + 40 * BUCKETS[bucket];
      const utc = bucketStarts(from, end, bucket, 'UTC');
      expect(utc).toEqual(bucketStarts(from, end, bucket, 'Etc/UTC'));
      expect(utc.length).toBeGreaterThan(30);
      for (const t of utc) expect(formatInZone(t, 'UTC', LABEL_PATTERN)).toBe(formatInZone(t, 'Etc/UTC', LABEL_PATTERN));
    }
  });
});

describe('--since / --until', () => {
  const now = Date.parse('2024-11-16T12:00:00Z');
  test.each([
    ['2h', '2024-11-16T10:00:00.000Z'],
    ['90s', '2024-11-16T11:58:30.000Z'],
    ['30m', '2024-11-16T11:30:00.000Z'],
    ['7d', '2024-11-09T12:00:00.000Z'],
    ['1.5h', '2024-11-16T10:30:00.000Z'],
    ['1w', '2024-11-09T12:00:00.000Z'],
    ['now', '2024-11-16T12:00:00.000Z'],
    ['2024-11-16T09:15:00Z', '2024-11-16T09:15:00.000Z'],
    ['2024-11-16T09:15:00+02:00', '2024-11-16T07:15:00.000Z'],
  ])('%s', (arg, want) => {
    expect(iso(parseTimeArg('since', arg, now)!)).toBe(want);
  });

  test('zone-less ISO times are read in the --tz zone', () => {
    expect(iso(parseTimeArg('since', '2024-03-31', now, 'Europe/Paris')!)).toBe('2024-03-30T23:00:00.000Z');
    expect(iso(parseTimeArg('since', '2024-07-01 08:00', now, 'America/New_York')!)).toBe('2024-07-01T12:00:00.000Z');
    expect(iso(parseTimeArg('since', '2024-07-01T08:00', now, 'UTC')!)).toBe('2024-07-01T08:00:00.000Z');
  });

  test.each(['1', 'yesterday', '2024-02-31', '2024-13-01', '5 hours', '-2h', '2024/11/16', ''])('rejects %j', (arg) => {
    expect(() => parseTimeArg('since', arg, now)).toThrow(UsageError);
  });

  test('absent is undefined', () => {
    expect(parseTimeArg('since', undefined, now)).toBeUndefined();
  });

  test('since must come before until', () => {
    expect(() => parseRange('1h', '2h', now)).toThrow(/must be before/);
    expect(parseRange('2h', '1h', now)).toEqual({ since: now - 2 * H, until: now - H });
  });
});
