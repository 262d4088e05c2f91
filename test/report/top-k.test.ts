import * as fc from 'fast-check';
import { SpaceSaving } from '../../src/util/top-k';
import { fuzzParams } from '../helpers/fuzz';

/**
 * Space-Saving's guarantees, checked against exact counts on random streams (skewed, so that
 * there are heavy hitters and a long tail that keeps evicting): every key above total/capacity
 * is present, each count is an upper bound whose error bound holds, and the table never grows
 * past its capacity.
 */

const stream = fc.array(
  fc.oneof(
    { weight: 3, arbitrary: fc.constantFrom('a', 'b', 'c') },
    { weight: 5, arbitrary: fc.integer({ min: 0, max: 500 }).map((n) => `k${n}`) },
  ),
  { minLength: 1, maxLength: 2000 },
);

test('heavy hitters are kept and counts bound the truth, with evictions on every tail key', () => {
  fc.assert(
    fc.property(stream, fc.integer({ min: 1, max: 20 }), (keys, capacity) => {
      const s = new SpaceSaving(capacity);
      const exact = new Map<string, number>();
      for (const k of keys) {
        s.add(k);
        exact.set(k, (exact.get(k) ?? 0) + 1);
      }
      expect(s.size).toBeLessThanOrEqual(capacity);
      expect(s.totalCount).toBe(keys.length);
      const kept = new Map(s.top(capacity).map((i) => [i.key, i]));
      for (const [k, n] of exact) {
        if (n > keys.length / capacity) expect(kept.has(k)).toBe(true);
      }
      for (const item of kept.values()) {
        const truth = exact.get(item.key) ?? 0;
        expect(item.count).toBeGreaterThanOrEqual(truth);
        expect(item.count - item.error).toBeLessThanOrEqual(truth);
      }
    }),
    fuzzParams(),
  );
});

test('top() lists by count, then key; sub() re-sorts a key it lowers', () => {
  const s = new SpaceSaving(4);
  for (const [k, n] of [['x', 5], ['y', 3], ['z', 3], ['w', 1]] as const) s.add(k, n);
  expect(s.top(4).map((i) => i.key)).toEqual(['x', 'y', 'z', 'w']);
  s.sub('x', 4);
  expect(s.top(4).map((i) => `${i.key}${i.count}`)).toEqual(['y3', 'z3', 'w1', 'x1']);
  // The new key evicts a minimum (w or x, both 1) and inherits its count as error.
  s.add('v');
  const v = s.top(4).find((i) => i.key === 'v')!;
  expect(v).toEqual({ key: 'v', count: 2, error: 1 });
  expect(s.size).toBe(4);
});
