import * as fc from 'fast-check';
import { SMALL_CAPACITY, SmallSpaceSaving, SpaceSaving, TopKTable, topKTable } from '../../src/util/top-k';
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
      const s = topKTable(capacity);
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

/** add/sub calls on few keys, so that counts tie, keys come back after eviction and reach zero. */
const calls = fc.array(
  fc.record({ sub: fc.boolean(), key: fc.integer({ min: 0, max: 12 }).map((n) => `u${n}`), n: fc.integer({ min: 1, max: 3 }) }),
  { maxLength: 300 },
);

test('the flat table for few keys makes the same moves as the heap of counters: same counts, evictions and saved order', () => {
  fc.assert(
    fc.property(calls, fc.integer({ min: 1, max: SMALL_CAPACITY }), (cs, capacity) => {
      const small = new SmallSpaceSaving(capacity);
      const big = new SpaceSaving(capacity);
      for (const c of cs) {
        for (const t of [small, big] as TopKTable[]) (c.sub ? t.sub(c.key, c.n) : t.add(c.key, c.n));
        expect(small.size).toBe(big.size);
      }
      expect(small.save()).toEqual(big.save());
      expect(small.top(capacity)).toEqual(big.top(capacity));
      expect(small.totalCount).toBe(big.totalCount);
      // A round trip through the saved data keeps the table, whichever layout restores it.
      const back = SpaceSaving.restore(small.save());
      expect(back).toBeInstanceOf(SmallSpaceSaving);
      expect(back.save()).toEqual(small.save());
    }),
    fuzzParams(),
  );
});

test('add() answers whether the key was new to the table (not held before it), in both layouts', () => {
  fc.assert(
    fc.property(calls, fc.integer({ min: 1, max: SMALL_CAPACITY }), (cs, capacity) => {
      for (const t of [new SmallSpaceSaving(capacity), new SpaceSaving(capacity)] as TopKTable[]) {
        for (const c of cs) {
          if (c.sub) {
            t.sub(c.key, c.n);
            continue;
          }
          const held = new Set(t.save().items.map(([k]) => k));
          expect(t.add(c.key, c.n)).toBe(!held.has(c.key));
        }
      }
    }),
    fuzzParams(),
  );
});

test('topKTable picks the flat layout up to SMALL_CAPACITY keys, and SmallSpaceSaving refuses more', () => {
  expect(topKTable(SMALL_CAPACITY)).toBeInstanceOf(SmallSpaceSaving);
  expect(topKTable(SMALL_CAPACITY + 1)).toBeInstanceOf(SpaceSaving);
  expect(() => new SmallSpaceSaving(SMALL_CAPACITY + 1)).toThrow(RangeError);
  expect(() => new SmallSpaceSaving(0)).toThrow(RangeError);
});
