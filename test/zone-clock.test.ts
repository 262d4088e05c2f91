import * as fc from 'fast-check';
import { TZDate } from '@date-fns/tz';
import { ZoneClock } from '../src/parse/time';
import { fuzzParams } from './helpers/fuzz';

/**
 * ZoneClock caches the start of the hour and adds minutes, seconds and ms to it. In any order of
 * calls, across DST changes, it must give what the zone's wall clock means.
 */
describe('ZoneClock', () => {
  const wall = fc.record({
    y: fc.integer({ min: 2000, max: 2030 }),
    mo: fc.integer({ min: 0, max: 11 }),
    d: fc.integer({ min: 1, max: 28 }),
    h: fc.integer({ min: 0, max: 23 }),
    mi: fc.integer({ min: 0, max: 59 }),
    s: fc.integer({ min: 0, max: 60 }), // 60: a leap second runs into the next minute
    ms: fc.integer({ min: 0, max: 999 }),
  });
  const zones = ['UTC', 'Europe/Paris', 'America/New_York', 'Asia/Kolkata', 'Australia/Lord_Howe'];

  test.each(zones)('%s: the hour of the zone plus minutes, seconds, ms, in any order of calls', (zone) => {
    const clock = new ZoneClock(zone);
    fc.assert(
      fc.property(fc.array(wall, { minLength: 1, maxLength: 30 }), (times) => {
        for (const t of times) {
          const hour = new TZDate(t.y, t.mo, t.d, t.h, 0, 0, zone).getTime();
          expect(clock.toEpoch(t.y, t.mo, t.d, t.h, t.mi, t.s, t.ms)).toBe(hour + (t.mi * 60 + t.s) * 1000 + t.ms);
        }
      }),
      fuzzParams(300),
    );
  });

  test('away from DST changes, the instant the zone names for that wall time', () => {
    const clock = new ZoneClock('Europe/Paris');
    expect(clock.toEpoch(2024, 6, 14, 12, 30, 5, 250)).toBe(Date.parse('2024-07-14T10:30:05.250Z'));
    expect(clock.toEpoch(2024, 0, 14, 12, 30, 5, 250)).toBe(Date.parse('2024-01-14T11:30:05.250Z'));
    expect(clock.toEpoch(2024, 6, 14, 12, 59, 59, 999)).toBe(Date.parse('2024-07-14T10:59:59.999Z'));
    expect(new ZoneClock('Asia/Kolkata').toEpoch(2024, 10, 16, 14, 15, 25, 0)).toBe(Date.parse('2024-11-16T08:45:25Z'));
  });
});
