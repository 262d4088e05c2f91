import * as fc from 'fast-check';
import { SmallCounts } from '../src/util/small-counts';
import { MinuteCounts, NO_COUNTS, countIn } from '../src/report/summary';
import { fuzzParams } from './helpers/fuzz';

/** A minute's counts read as the Map they replace: checked against a Map fed the same calls. */

test('SmallCounts counts as a Map does: size, get, and iteration in first-seen order, keys at zero kept', () => {
  fc.assert(
    fc.property(fc.array(fc.tuple(fc.constantFrom(502, 504, 499, 500, 503, 9), fc.integer({ min: -2, max: 3 })), { maxLength: 60 }), (ops) => {
      const small = new SmallCounts<number>();
      const map = new Map<number, number>();
      for (const [k, n] of ops) {
        small.add(k, n);
        map.set(k, (map.get(k) ?? 0) + n);
      }
      expect(small.size).toBe(map.size);
      expect([...small]).toEqual([...map]);
      for (const k of [502, 504, 499, 500, 503, 9, 404]) expect(small.get(k)).toBe(map.get(k));
    }),
    fuzzParams(),
  );
});

test('a minute without failures shares NO_COUNTS, which refuses writes; countIn gives the minute its own', () => {
  const quiet: MinuteCounts = { requests: 3, failures: 0, byStatus: NO_COUNTS, byCause: NO_COUNTS, upstreams: undefined };
  const other: MinuteCounts = { requests: 1, failures: 0, byStatus: NO_COUNTS, byCause: NO_COUNTS, upstreams: undefined };
  expect(() => (NO_COUNTS as SmallCounts<number>).add(502, 1)).toThrow(/read-only/);
  countIn(quiet, 'byStatus', 502, 1);
  countIn(quiet, 'byStatus', 502, 1);
  countIn(quiet, 'byCause', 'upstream-refused', 1);
  expect([...quiet.byStatus]).toEqual([[502, 2]]);
  expect([...quiet.byCause]).toEqual([['upstream-refused', 1]]);
  expect(other.byStatus).toBe(NO_COUNTS);
  expect(NO_COUNTS.size).toBe(0);
});
