import * as fc from 'fast-check';
import { ChurnMap } from '../src/util/churn-map';
import { fuzzParams } from './helpers/fuzz';

/**
 * ChurnMap keeps its entries as the properties of an object: against a Map fed the same calls,
 * with keys an object treats specially (`__proto__`, `constructor`, array indexes, the empty key)
 * among log-like ones.
 */

const SPECIAL = ['__proto__', 'constructor', 'toString', 'hasOwnProperty', '', '0', '4294967294', '4294967295', '-1', '1e3', 'length'];
const key = fc.oneof(fc.constantFrom(...SPECIAL), fc.string({ maxLength: 6 }), fc.constantFrom('n|nginx:/a|1|7|GET / HTTP/1.1', '10.0.0.1'));

const op = fc.oneof(
  fc.record({ op: fc.constant('set' as const), key, value: fc.integer() }),
  fc.record({ op: fc.constant('delete' as const), key }),
  fc.record({ op: fc.constant('get' as const), key }),
  fc.record({ op: fc.constant('clear' as const) }),
);

test('ChurnMap answers as a Map does, special keys included', () => {
  fc.assert(
    fc.property(fc.array(op, { maxLength: 200 }), (ops) => {
      const m = new ChurnMap<number>();
      const model = new Map<string, number>();
      for (const o of ops) {
        if (o.op === 'set') {
          m.set(o.key, o.value);
          model.set(o.key, o.value);
        } else if (o.op === 'delete') {
          expect(m.delete(o.key)).toBe(model.delete(o.key));
        } else if (o.op === 'clear') {
          m.clear();
          model.clear();
        } else {
          expect(m.get(o.key)).toBe(model.get(o.key));
          expect(m.has(o.key)).toBe(model.has(o.key));
        }
        expect(m.size).toBe(model.size);
      }
      for (const k of SPECIAL) expect(m.get(k)).toBe(model.get(k));
    }),
    fuzzParams(),
  );
});
