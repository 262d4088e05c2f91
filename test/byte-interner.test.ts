import * as fc from 'fast-check';
import { ByteInterner, hashBytes } from '../src/util/byte-interner';
import { AccessScanner } from '../src/parse/access-scanner';
import { allPresetPlans } from '../src/parse/format/presets';
import { fuzzParams } from './helpers/fuzz';

/**
 * The byte-keyed map behind per-upstream counting: against a Map of the same keys as strings, on
 * random byte keys at random offsets (equal keys at different places, keys that share a hash
 * bucket, a capacity that fills up); and the scanner's one-pass hash of an upstream address is
 * the hash the map is keyed by.
 */

const key = fc.uint8Array({ minLength: 0, maxLength: 12 });

test('ByteInterner finds what a Map of the same keys finds, and stops growing at its capacity', () => {
  fc.assert(
    fc.property(fc.array(fc.tuple(key, fc.nat(7)), { maxLength: 300 }), fc.integer({ min: 1, max: 40 }), (ops, capacity) => {
      const m = new ByteInterner<number>(capacity);
      const model = new Map<string, number>();
      ops.forEach(([bytes, pad], i) => {
        // the key at an offset inside a larger buffer, as a field inside a log line
        const buf = Buffer.concat([Buffer.alloc(pad, 0x20), Buffer.from(bytes), Buffer.alloc(3, 0x20)]);
        const s = pad;
        const e = pad + bytes.length;
        const h = hashBytes(buf, s, e);
        const k = Buffer.from(bytes).toString('latin1');
        expect(m.get(h, buf, s, e)).toBe(model.get(k));
        if (!model.has(k) && model.size < capacity) model.set(k, i);
        m.set(h, buf, s, e, i);
        expect(m.get(h, buf, s, e)).toBe(model.get(k));
        expect(m.size).toBe(model.size);
      });
    }),
    fuzzParams(),
  );
});

test('keys that collide in the table stay apart', () => {
  const m = new ByteInterner<string>(4);
  // a hash forced equal for two different keys: the bytes decide
  const a = Buffer.from('10.0.0.1:80');
  const b = Buffer.from('10.0.0.2:80');
  m.set(7, a, 0, a.length, 'a');
  m.set(7, b, 0, b.length, 'b');
  expect(m.get(7, a, 0, a.length)).toBe('a');
  expect(m.get(7, b, 0, b.length)).toBe('b');
  expect(m.get(7, a, 0, a.length - 1)).toBeUndefined();
});

test("the scanner's attempt hash is hashBytes of the address it reports", () => {
  const plan = allPresetPlans().find((p) => p.server === 'nginx' && p.name === 'upstream')!;
  const sc = new AccessScanner(plan);
  const lines = [
    '127.0.0.1 - - [24/Nov/2026:07:16:38 +0000] "GET / HTTP/1.1" 200 13 "-" "ua" 0.021 127.0.0.1:18101 200 0.020',
    '::1 - - [24/Nov/2026:07:16:39 +0000] "GET /x HTTP/1.1" 502 0 "-" "ua" 0.001 unix:/run/php/php8.2-fpm.sock 502 0.001',
  ];
  for (const line of lines) {
    const buf = Buffer.from(line, 'latin1');
    expect(sc.scan(buf, 0, buf.length)).toBe(true);
    expect(sc.singleAttempt()).toBe(true);
    const addr = buf.toString('latin1', sc.attemptStart, sc.attemptEnd);
    expect(line.includes(` ${addr} `)).toBe(true);
    expect(sc.attemptHash).toBe(hashBytes(buf, sc.attemptStart, sc.attemptEnd));
  }
});
