import * as fc from 'fast-check';
import { isoTime } from '../src/util/iso-time';
import { fuzzParams } from './helpers/fuzz';

/** isoTime caches the text of the last minute: in any order of calls it must equal Date's own. */
describe('isoTime', () => {
  const epoch = fc.integer({ min: -62_135_596_800_000, max: 253_402_300_799_999 }); // years 1 to 9999

  test('equals toISOString, in order and out of order, across minute boundaries', () => {
    fc.assert(
      fc.property(fc.array(fc.oneof(epoch, fc.integer({ min: 1_700_000_000_000, max: 1_700_000_200_000 })), { minLength: 1, maxLength: 50 }), (times) => {
        for (const t of [...times, ...times.sort((a, b) => a - b)]) expect(isoTime(t)).toBe(new Date(t).toISOString());
      }),
      fuzzParams(500),
    );
  });

  test('milliseconds and seconds keep their zeros; a missing time is empty', () => {
    expect(isoTime(Date.UTC(2024, 10, 1, 0, 0, 5, 7))).toBe('2024-11-01T00:00:05.007Z');
    expect(isoTime(Date.UTC(2024, 10, 1, 0, 0, 59, 999))).toBe('2024-11-01T00:00:59.999Z');
    expect(isoTime(Date.UTC(2024, 10, 1, 0, 1, 0, 40))).toBe('2024-11-01T00:01:00.040Z');
    expect(isoTime(-1)).toBe('1969-12-31T23:59:59.999Z');
    expect(isoTime(NaN)).toBe('');
  });
});
