import * as fc from 'fast-check';
import { ByteInterner, MAX_KEY_BYTES, hashBytes } from '../src/util/byte-interner';
import { AccessScanner } from '../src/parse/access-scanner';
import { allPresetPlans } from '../src/parse/format/presets';
import { fuzzParams, interestingByte } from './helpers/fuzz';

/**
 * The byte-keyed map behind per-upstream counting: against a Map of the same keys as strings, on
 * random byte keys at random offsets (equal keys at different places, keys that share a hash
 * bucket, a capacity that fills up); and the scanner's one-pass hash of an upstream address is
 * the hash the map is keyed by.
 */

// Keys are compared four bytes at a time, then byte by byte: address-like keys of a few lengths
// (a `unix:` socket path is ~30), with a byte or two changed anywhere, differ from each other in
// a few places, wherever those fall; and random bytes of any length up to 40.
const TEMPLATES = ['', 'a', '10.0.0.1:80', '127.0.0.1:8080', 'unix:/run/php/php8.2-fpm.sock'].map((t) => Buffer.from(t));
const edited = fc
  .tuple(fc.constantFrom(...TEMPLATES), fc.array(fc.tuple(fc.nat(40), fc.constantFrom(0x30, 0x31)), { maxLength: 2 }))
  .map(([t, edits]) => {
    const k = Uint8Array.from(t);
    for (const [at, v] of edits) if (k.length > 0) k[at % k.length] = v;
    return k;
  });
const key = fc.oneof(edited, fc.uint8Array({ maxLength: 40 }));

test('ByteInterner finds what a Map of the same keys finds, and stops growing at its capacity', () => {
  fc.assert(
    // with one hash for every key (collide), the byte comparison alone tells keys apart
    fc.property(fc.array(fc.tuple(key, fc.nat(7)), { maxLength: 300 }), fc.integer({ min: 1, max: 40 }), fc.boolean(), (ops, capacity, collide) => {
      const m = new ByteInterner<number>(capacity);
      const model = new Map<string, number>();
      ops.forEach(([bytes, pad], i) => {
        // the key at an offset inside a larger buffer, as a field inside a log line
        const buf = Buffer.concat([Buffer.alloc(pad, 0x20), Buffer.from(bytes), Buffer.alloc(3, 0x20)]);
        const s = pad;
        const e = pad + bytes.length;
        const h = collide ? 7 : hashBytes(buf, s, e);
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

test('a key longer than MAX_KEY_BYTES is not stored: a hostile line cannot grow the table', () => {
  const m = new ByteInterner<string>(4);
  const long = Buffer.alloc(MAX_KEY_BYTES + 1, 0x61);
  m.set(hashBytes(long, 0, long.length), long, 0, long.length, 'long');
  expect(m.size).toBe(0);
  expect(m.get(hashBytes(long, 0, long.length), long, 0, long.length)).toBeUndefined();
  const edge = long.subarray(0, MAX_KEY_BYTES);
  m.set(hashBytes(edge, 0, edge.length), edge, 0, edge.length, 'edge');
  expect(m.get(hashBytes(edge, 0, edge.length), edge, 0, edge.length)).toBe('edge');
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

/**
 * The scanner checks and hashes $upstream_addr while it finds the field's end, for the next line
 * and the one after: a line whose flag or hash were left from an earlier line would count its
 * attempt under the wrong upstream. Against the string path, which is what the byte path stands
 * in for: a line takes the byte path exactly when the string path reads one address of printable
 * ASCII without a backslash, and one status at most.
 */
test("the scanner's one-pass address check agrees with the string path, line after line", () => {
  const plan = allPresetPlans().find((p) => p.server === 'nginx' && p.name === 'upstream')!;
  const plain = fc.constantFrom('127.0.0.1:18101', '[::1]:8080', 'unix:/run/php/php8.2-fpm.sock', '10.0.0.7:80', 'ab');
  const odd = fc.array(fc.oneof(interestingByte, fc.constantFrom(0x61, 0x3a)), { minLength: 1, maxLength: 12 }).map((a) => Buffer.from(a).toString('latin1'));
  const addr = fc.oneof(
    plain,
    fc.constant('-'),
    fc.tuple(plain, fc.constantFrom(', ', ' : ', ','), plain).map((t) => t.join('')),
    fc.tuple(plain, odd).map((t) => t.join('')),
  );
  const status = fc.constantFrom('200', '502', '-', '502, 200', '504 : 200');
  fc.assert(
    fc.property(fc.array(fc.tuple(addr, status), { minLength: 1, maxLength: 8 }), (attempts) => {
      const sc = new AccessScanner(plan);
      for (const [a, st] of attempts) {
        const line = `127.0.0.1 - - [24/Nov/2026:07:16:38 +0000] "GET / HTTP/1.1" 200 13 "-" "ua" 0.021 ${a} ${st} 0.020`;
        const buf = Buffer.from(line, 'latin1');
        if (!sc.scan(buf, 0, buf.length)) continue;
        const { addrs, statuses } = sc.upstreamLists();
        const raw = sc.text('upstream-addr') ?? '';
        const printable = raw.length >= 2 && /^[\x21-\x7e]+$/.test(raw) && !/[,\\]/.test(raw);
        const expected = addrs.length === 1 && addrs[0] === raw && printable && statuses.length <= 1;
        expect(sc.singleAttempt()).toBe(expected);
        if (!expected) continue;
        expect(buf.toString('latin1', sc.attemptStart, sc.attemptEnd)).toBe(addrs[0]);
        expect(sc.attemptHash).toBe(hashBytes(buf, sc.attemptStart, sc.attemptEnd));
        expect(sc.attemptStatus).toBe(statuses[0] ?? null);
      }
    }),
    fuzzParams(),
  );
});
