import * as fc from 'fast-check';
import * as v8 from 'v8';
import * as vm from 'vm';
import { FailureEvent } from '../src/model';
import { ErrorIndex, IndexedError, RECENT_CAPACITY, clientPortKey, connectionKey, pack, requestKey } from '../src/diagnose/correlate';
import { ownCopy } from '../src/util/own-string';
import { fuzzParams } from './helpers/fuzz';

/**
 * The correlation index in isolation: a packed entry gives back the fields a join reads, exactly;
 * the index stays within its byte budget by evicting the oldest entries whole (counted), and
 * still joins what it holds.
 */

const text = fc.oneof(fc.string({ maxLength: 80 }), fc.string({ unit: 'binary', maxLength: 80 }));
const event = fc.record(
  {
    ts: fc.constant('2026-11-24T07:05:10.000Z'),
    file: fc.constant('/var/log/nginx/error.log'),
    line: fc.nat(),
    source: fc.constant('nginx-error' as const),
    cause: fc.constantFrom('upstream-refused' as const, 'unclassified' as const),
    category: fc.constant('upstream-down' as const),
    signature: fc.option(text),
    status: fc.option(fc.integer({ min: 0, max: 999 })),
    upstream: fc.option(text),
    client: fc.option(text),
    request: fc.option(text),
    host: fc.option(text),
    message: text,
    clientPort: fc.integer({ min: 0, max: 65535 }),
    evidence: fc.array(text, { maxLength: 3 }),
  },
  { requiredKeys: ['ts', 'file', 'line', 'source', 'cause', 'category', 'signature', 'status', 'upstream', 'client', 'request', 'host', 'message'] },
) as fc.Arbitrary<FailureEvent>;

describe('correlation index', () => {
  test('a packed entry gives back every field a join reads, code unit for code unit', () => {
    fc.assert(
      fc.property(event, (ev) => {
        const item = new IndexedError(ev, 1, ev.status);
        item.pack();
        const got = item.event;
        const { cause, signature, status, upstream, client, request, host, message, clientPort, evidence } = ev;
        expect(got).toStrictEqual({ cause, signature, status, upstream, client, request, host, message, ...(clientPort === undefined ? {} : { clientPort }), ...(evidence === undefined ? {} : { evidence }) });
      }),
      fuzzParams(1000),
    );
  });

  test('fields of any length pack and come back: lengths at each length-code boundary, empty and absent', () => {
    const base: FailureEvent = {
      ts: '2026-11-24T07:05:10.000Z', file: 'e', line: 1, source: 'apache-error', cause: 'upstream-refused', category: 'upstream-down',
      signature: null, status: null, upstream: null, client: null, request: null, host: null, message: '',
    };
    // length codes (length + 1) of 1, 2 and 3 units, each side of a boundary
    for (const n of [0, 1, 125, 126, 127, 128, 254, 255, 256, 16382, 16383, 16384, 0x1ffffe, 0x1fffff]) {
      // code units the length codes use, at both ends
      const long = '\u0000' + '\u0080\u00ff\uffff'.repeat(Math.ceil(n / 3)) + '\ud800';
      const value = long.slice(0, n);
      const ev: FailureEvent = { ...base, message: value, request: value, evidence: [value, '', value], clientPort: 0 };
      const item = new IndexedError(ev, 1, null);
      item.pack();
      const got = item.event;
      expect(got.message).toBe(value);
      expect(got.request).toBe(value);
      expect(got.evidence).toStrictEqual([value, '', value]);
      expect(got.clientPort).toBe(0);
      expect(got.status).toBeNull();
      expect(got.upstream).toBeNull();
    }
  });

  test('a Latin-1 event packs into Latin-1 code units whatever its lengths (a one-byte string in V8)', () => {
    for (const n of [0, 126, 127, 128, 254, 255, 256, 1000, 20000]) {
      let t = '';
      for (let i = 0; i < n; i++) t += String.fromCharCode((i * 37) & 0xff);
      const ev = { cause: 'upstream-refused' as const, signature: t, status: 502, upstream: t, client: t, request: t + t, host: null, message: t, clientPort: 8080, evidence: [t] };
      const p = pack(ev);
      let highest = 0;
      for (let i = 0; i < p.length; i++) highest = Math.max(highest, p.charCodeAt(i));
      expect(highest).toBeLessThan(0x100);
    }
  });

  test('packed entries keep none of the log line their fields were cut from', () => {
    v8.setFlagsFromString('--expose-gc');
    const gc = vm.runInNewContext('gc') as () => void;
    const keys: number[] = [];
    const items: IndexedError[] = [];
    gc();
    const before = process.memoryUsage().heapUsed;
    for (let i = 0; i < 200; i++) {
      // a 100 kB line of its own each time, with the fields as slices of it, as a parser cuts them
      const line = `${'x'.repeat(100_000)} ${i} client: 10.0.0.${i}, request: "GET /${i} HTTP/1.1"`;
      const c = line.indexOf('client: ') + 8;
      const r = line.indexOf('request: "') + 10;
      const client = line.slice(c, line.indexOf(',', c));
      const request = line.slice(r, line.length - 1);
      keys.push(requestKey('g', client, request), clientPortKey('g', client, 40000 + i), connectionKey('g', i));
      const item = new IndexedError({ ...ev(i), client, request }, 1, 502);
      item.pack();
      items.push(item);
    }
    gc();
    // 200 lines held would be 20 MB
    expect(process.memoryUsage().heapUsed - before).toBeLessThan(4_000_000);
    // keys are small integers (held unboxed by the Map), one for each request and kind
    expect(keys.every((k) => Number.isInteger(k) && k >= 0 && k < 2 ** 30)).toBe(true);
    expect(new Set(keys).size).toBe(keys.length);
    expect(items[7].event.request).toBe('GET /7 HTTP/1.1');
  });

  test('entries under one key (a hash) join only the access lines whose fields they have', () => {
    const index = new ErrorIndex(64 * 1024 * 1024); // room for all of them
    // two groups of the same connection numbers
    const n = 40_000;
    const groups = ['nginx:/a', 'nginx:/b'];
    for (let i = 0; i < n; i++) {
      const g = groups[i % 2];
      // no typical status: found by its key only, not by the time join
      index.addEntry(g, new IndexedError({ ...ev(i), client: `10.${i >> 16}.${(i >> 8) & 255}.${i & 255}` }, 1_000_000, null, i), () => [connectionKey(g, i)]);
    }
    for (let i = 0; i < n; i += 997) {
      const client = `10.${i >> 16}.${(i >> 8) & 255}.${i & 255}`;
      const keys = { ...at(i), epoch: 1_000_000, client, request: null, group: groups[i % 2] };
      expect(index.find(keys)?.event.request).toBe(`GET /${i} HTTP/1.1`);
      // the same connection number in the other group, or another number: no join
      expect(index.find({ ...keys, group: groups[(i + 1) % 2] })).toBeNull();
      expect(index.find({ ...keys, connection: n + i })).toBeNull();
    }
    // a collision: two different request keys that hash alike still tell their entries apart
    const seen = new Map<number, string>();
    let pair: [string, string] | null = null;
    for (let i = 0; pair === null; i++) {
      const k = requestKey('g', '10.0.0.1', `GET /c/${i} HTTP/1.1`);
      const other = seen.get(k);
      if (other !== undefined) pair = [other, `GET /c/${i} HTTP/1.1`];
      else seen.set(k, `GET /c/${i} HTTP/1.1`);
    }
    const both = new ErrorIndex();
    for (const [j, request] of pair.entries()) {
      both.addEntry('g', new IndexedError({ ...ev(j), client: '10.0.0.1', request }, 1_000_000, 502), () => [requestKey('g', '10.0.0.1', request)]);
    }
    expect(both.keyCount).toBe(1);
    for (const request of pair) {
      const found = both.join({ ...at(0), epoch: 1_000_000, connection: null, client: '10.0.0.1', request });
      expect(found?.twin.event.request).toBe(request);
      expect(found?.same.map((it) => it.event.request)).toEqual([request]);
    }
  });

  test('ownCopy is the same string', () => {
    fc.assert(fc.property(text, (s) => expect(ownCopy(s)).toBe(s)), fuzzParams(1000));
  });

  const ev = (i: number): FailureEvent => ({
    ts: '2026-11-24T07:05:10.000Z', file: 'error.log', line: i, source: 'nginx-error', cause: 'upstream-refused', category: 'upstream-down',
    signature: 'nginx-connect-refused', status: 502, upstream: 'http://10.0.0.1:80/a', client: '127.0.0.1', request: `GET /${i} HTTP/1.1`,
    host: 'example.test', message: 'connect() failed (111: Connection refused) while connecting to upstream',
  });
  const at = (i: number) => ({ epoch: 1_000_000 + i, duration: 0, status: 502, connection: i, client: '127.0.0.1', clientPort: null, request: `GET /${i} HTTP/1.1`, group: 'g' });

  test('stays within its byte budget, evicting the oldest entries with all their keys', () => {
    const index = new ErrorIndex(50_000);
    const n = 1000;
    for (let i = 0; i < n; i++) {
      index.add('g', [connectionKey('g', i), requestKey('g', '127.0.0.1', `GET /${i} HTTP/1.1`)], new IndexedError(ev(i), 1_000_000 + i, 502, i));
      expect(index.bytes).toBeLessThanOrEqual(50_000);
    }
    expect(index.evicted).toBeGreaterThan(0);
    expect(index.size + index.evicted).toBe(n);
    expect(index.keyCount).toBe(2 * index.size);
    const oldest = n - index.size;
    // evicted: neither key finds it; held: found by its connection
    expect(index.find({ ...at(oldest - 1), connection: oldest - 1 })).toBeNull();
    expect(index.find({ ...at(oldest - 1), connection: null })).toBeNull();
    expect(index.find(at(oldest))?.event.request).toBe(`GET /${oldest} HTTP/1.1`);
    expect(index.find(at(n - 1))?.event).not.toHaveProperty('line'); // only what a join reads is kept
    expect(index.find(at(n - 1))?.event.request).toBe(`GET /${n - 1} HTTP/1.1`);
  });

  test('an entry of one, two or three keys is evicted with all of them', () => {
    const index = new ErrorIndex(20_000);
    const n = 300;
    const keysOf = (i: number) =>
      [connectionKey('g', i), requestKey('g', '127.0.0.1', `GET /${i} HTTP/1.1`), clientPortKey('g', '127.0.0.1', 40000 + i)].slice(0, 1 + (i % 3));
    for (let i = 0; i < n; i++) index.add('g', keysOf(i), new IndexedError(ev(i), 1_000_000 + i, 502, i));
    expect(index.evicted).toBeGreaterThan(0);
    let held = 0;
    for (let i = n - index.size; i < n; i++) held += keysOf(i).length;
    expect(index.keyCount).toBe(held);
    index.settle();
    expect(index.keyCount).toBe(0);
  });

  test('deferred: only the latest entries wait, unpacked, and a join finds them (the older ones counted as evicted)', () => {
    const index = new ErrorIndex();
    index.deferUntilJoin(1 << 20, 5);
    for (let i = 0; i < 12; i++) index.addEntry('g', new IndexedError(ev(i), 1_000_000 + i, 502, i), () => [connectionKey('g', i)]);
    // nothing is indexed until a join asks
    expect([index.size, index.keyCount, index.evicted]).toEqual([0, 0, 7]);
    expect(index.find({ ...at(6), status: 504 })).toBeNull(); // 504: the time join would take entry 7
    expect(index.find({ ...at(7), status: 504 })?.event.request).toBe('GET /7 HTTP/1.1');
    expect(index.find(at(7))?.event.request).toBe('GET /7 HTTP/1.1');
    expect(index.find(at(11))?.event.request).toBe('GET /11 HTTP/1.1');
    expect([index.size, index.keyCount]).toEqual([5, 5]);
    // later entries wait again; the time join (no connection) sees them too
    index.addEntry('g', new IndexedError(ev(12), 1_000_012, 502, 12), () => []);
    expect(index.find({ ...at(12), connection: null, request: null })?.event.request).toBe('GET /12 HTTP/1.1');
  });

  test('deferred: the byte budget bounds the waiting entries too', () => {
    const index = new ErrorIndex();
    index.deferUntilJoin(2_000, 1000);
    for (let i = 0; i < 100; i++) index.addEntry('g', new IndexedError(ev(i), 1_000_000 + i, 502, i), () => [connectionKey('g', i)]);
    expect(index.evicted).toBeGreaterThan(90);
    expect(index.find(at(99))).not.toBeNull();
    expect(index.size).toBe(100 - index.evicted);
  });

  /** An index that records the entries it reports as leaving unclaimed (the analyzer counts them). */
  function reporting(budget?: number): { index: ErrorIndex; left: number[] } {
    const index = new ErrorIndex(budget);
    const left: number[] = [];
    index.onUnclaimed = (it) => {
      it.counted = true;
      left.push(it.epoch - 1_000_000);
    };
    return { index, left };
  }

  test('entries leaving unclaimed are reported once, oldest first; claimed ones never; settle reports the rest and empties the index', () => {
    const { index, left } = reporting(50_000);
    const n = 1000;
    for (let i = 0; i < n; i++) {
      index.addEntry('g', new IndexedError(ev(i), 1_000_000 + i, 502, i), () => [connectionKey('g', i)]);
      // every third entry is claimed by its access line while still held
      if (i % 3 === 0) index.join(at(i))!.same.forEach((it) => (it.claimed = true));
    }
    const evicted = index.evicted;
    expect(evicted).toBeGreaterThan(0);
    const unclaimed = Array.from({ length: n }, (_, i) => i).filter((i) => i % 3 !== 0);
    // the evicted ones, as they left
    expect(left).toEqual(unclaimed.filter((i) => i < evicted));
    index.settle();
    expect(left).toEqual(unclaimed);
    expect([index.size, index.keyCount, index.bytes]).toEqual([0, 0, 0]);
    expect(index.find(at(n - 1))).toBeNull();
    index.settle(); // nothing is reported twice
    expect(left).toHaveLength(unclaimed.length);
  });

  test('an entry without keys leaves when the time join\'s list drops it; a keyed one only when the queue does', () => {
    const { index, left } = reporting();
    const total = RECENT_CAPACITY + 10;
    // even entries have a key, odd ones none (server-level lines: found by time only)
    for (let i = 0; i < total; i++) index.addEntry('g', new IndexedError(ev(i), 1_000_000 + i, 502, i), () => (i % 2 === 0 ? [connectionKey('g', i)] : []));
    // the list dropped its older half once it was full: only its keyless entries left
    expect(left).toEqual(Array.from({ length: RECENT_CAPACITY / 2 }, (_, i) => i).filter((i) => i % 2 === 1));
    expect(index.find(at(0))?.event.request).toBe('GET /0 HTTP/1.1');
  });

  test('the time join finds the entry nearest in time whatever order the entries came in', () => {
    const index = new ErrorIndex();
    // keyless entries 10 s apart, added out of order
    const order = [5, 1, 9, 0, 7, 3, 8, 2, 6, 4];
    for (const i of order) index.addEntry('g', new IndexedError(ev(i), 1_000_000 + i * 10_000, 502), () => []);
    const byTime = (t: number, status = 502) => ({ ...at(0), epoch: t, status, connection: null, request: null });
    for (const i of order) expect(index.find(byTime(1_000_000 + i * 10_000 + 1_000))?.event.request).toBe(`GET /${i} HTTP/1.1`);
    expect(index.find(byTime(1_000_000 + 4 * 10_000 + 1_000, 504))).toBeNull(); // another status
    expect(index.find(byTime(1_000_000 + 100 * 10_000))).toBeNull(); // no entry in the window
  });

  test('an entry without keys that the time join cannot use (no typical status or no time) leaves at once', () => {
    const { index, left } = reporting();
    index.addEntry('g', new IndexedError(ev(1), 1_000_001, null), () => []);
    index.addEntry('g', new IndexedError(ev(2), NaN, 502), () => []);
    index.addEntry('g', new IndexedError(ev(3), 1_000_003, null, 3), () => [connectionKey('g', 3)]); // found by its key
    expect(left).toEqual([1, NaN - 1_000_000]);
    expect(index.find(at(3))?.event.request).toBe('GET /3 HTTP/1.1');
  });

  test('a deferred entry pushed out unclaimed is reported; the waiting ones at settle', () => {
    const { index, left } = reporting();
    index.deferUntilJoin(1 << 20, 5);
    for (let i = 0; i < 12; i++) index.addEntry('g', new IndexedError(ev(i), 1_000_000 + i, 502, i), () => [connectionKey('g', i)]);
    expect(left).toEqual([0, 1, 2, 3, 4, 5, 6]);
    index.settle();
    expect(left).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
  });

  test('a long run of deferred entries (the stage dropping the slots left behind many times) reports each once, in order', () => {
    const { index, left } = reporting();
    index.deferUntilJoin(1 << 20, 5);
    const n = 1000;
    for (let i = 0; i < n; i++) index.addEntry('g', new IndexedError(ev(i), 1_000_000 + i, 502, i), () => [connectionKey('g', i)]);
    expect(left).toEqual(Array.from({ length: n - 5 }, (_, i) => i));
    expect(index.evicted).toBe(n - 5);
    // the five waiting are the latest, and a join finds them
    expect(index.find(at(n - 5))?.event.request).toBe(`GET /${n - 5} HTTP/1.1`);
    expect(index.find({ ...at(n - 6), status: 504 })).toBeNull(); // 504: the time join would take entry n - 5
    index.settle();
    expect(left).toEqual(Array.from({ length: n }, (_, i) => i));
  });

  test('an entry larger than the budget is still held until the next one', () => {
    const index = new ErrorIndex(10);
    index.add('g', [connectionKey('g', 1)], new IndexedError(ev(1), 1_000_001, 502, 1));
    expect(index.size).toBe(1);
    index.add('g', [connectionKey('g', 2)], new IndexedError(ev(2), 1_000_002, 502, 2));
    expect([index.size, index.evicted]).toEqual([1, 1]);
    expect(index.find(at(2))).not.toBeNull();
  });
});
