import * as fc from 'fast-check';
import {
  APACHE_GAP_MS, BUCKET_MAX, Chain, ChainMember, MAX_OPEN_CHAINS, NGINX_HORIZON_MS, RequestChains, chainKey, continues, decisive,
} from '../src/diagnose/request-chain';
import { fuzzParams } from './helpers/fuzz';
import { ErrorEntry, Signature } from '../src/model';

/** The request chains close a chain when no later entry can continue it: these pin when. */

const MIN = 60_000;
function entry(ts: number, cid: number, request = 'GET / HTTP/1.1'): ErrorEntry {
  return {
    ts, level: 'error', module: null, pid: 1, tid: 0, cid, errno: '111', code: null, message: 'connect() failed',
    client: '127.0.0.1', clientPort: null, server: null, request, upstream: null, host: null, referrer: null, pool: null,
  };
}

function chains() {
  const closed: { cid: number | null; members: number; closedAt: number }[] = [];
  let now = 0;
  let added = 0;
  const c = new RequestChains((ch: Chain) => {
    // a chain closed twice would loop: fail fast instead
    if (closed.length >= added) throw new Error(`more chains closed than entries added (${added})`);
    closed.push({ cid: ch.members[0].e.cid, members: ch.members.length, closedAt: now });
  });
  const add = (e: ErrorEntry) => {
    now = e.ts;
    added++;
    c.add('nginx-error', '/var/log/nginx/error.log', 'nginx:/var/log/nginx', { sig: null, e, line: 1 });
  };
  return { c, closed, add };
}

describe('request chains (nginx)', () => {
  test('attempts of one request within ten minutes form one chain, closed once a later entry is past its horizon', () => {
    const { closed, add } = chains();
    add(entry(0, 7));
    add(entry(4 * MIN, 7)); // the next upstream attempt of the same request
    add(entry(13 * MIN, 8)); // 9 minutes after the last attempt: chain 7 may still continue
    expect(closed).toEqual([]);
    add(entry(14 * MIN + 1, 9)); // more than 10 minutes after chain 7's last entry
    expect(closed).toEqual([{ cid: 7, members: 2, closedAt: 14 * MIN + 1 }]);
  });

  test('chains close oldest first: one that is still open holds back the younger ones', () => {
    const { closed, add } = chains();
    add(entry(0, 1));
    add(entry(1 * MIN, 2));
    add(entry(9 * MIN, 1)); // chain 1 continues: stale only after minute 19
    add(entry(15 * MIN, 3)); // chain 2 is past its horizon, but chain 1 (older) is not
    expect(closed.map((x) => x.cid)).toEqual([]);
    add(entry(19 * MIN + 1, 4));
    expect(closed.map((x) => x.cid)).toEqual([1, 2]);
  });

  test('when the oldest chain is pushed out by the bound, the next oldest is closed on its own horizon', () => {
    const { c, closed, add } = chains();
    add(entry(0, 1));
    add(entry(1 * MIN, 2));
    for (let i = 0; i < MAX_OPEN_CHAINS - 2; i++) add(entry(1 * MIN, 1000 + i));
    add(entry(5 * MIN, 1)); // chain 1 continues
    add(entry(10 * MIN + 1, 3)); // chain 1 is looked at (open until minute 15), then pushed out: too many open
    expect(closed.map((x) => x.cid)).toEqual([1]);
    add(entry(12 * MIN, 4)); // chain 2 (last entry at minute 1) is past its horizon
    expect(closed[1]).toEqual({ cid: 2, members: 1, closedAt: 12 * MIN });
    expect(closed).toHaveLength(MAX_OPEN_CHAINS);
    expect(c.size).toBe(2);
  });

  test('after a flush, chains of the next file are closed on their own horizon', () => {
    const { c, closed, add } = chains();
    add(entry(60 * MIN, 1));
    add(entry(61 * MIN, 2));
    c.flush();
    expect(closed.map((x) => x.cid)).toEqual([1, 2]);
    // an older file of the rotation set: earlier times
    add(entry(0, 3));
    add(entry(10 * MIN + 1, 4));
    expect(closed.map((x) => x.cid)).toEqual([1, 2, 3]);
    expect(c.size).toBe(1);
  });
});

/**
 * The chains kept in a Map, whose insertion order is the opening order: the layout RequestChains
 * had before its own map and queue (see util/churn-map.ts for why), as the model of which chain
 * closes when, and in what order.
 */
class MapChains {
  private readonly open = new Map<string, Chain>();
  constructor(private readonly onClose: (c: Chain) => void) {}
  add(kind: Chain['kind'], file: string, group: string, m: ChainMember): void {
    for (const [k, c] of this.open) {
      if (!(m.e.ts - c.last > (c.kind === 'nginx-error' ? NGINX_HORIZON_MS : APACHE_GAP_MS))) break;
      this.open.delete(k);
      this.onClose(c);
    }
    const key = chainKey(kind, group, m.e);
    if (key === null) return this.onClose({ kind, file, group, members: [m], first: m.e.ts, last: m.e.ts });
    const c = this.open.get(key);
    if (c && continues(c, m)) {
      c.members.push(m);
      c.last = Math.max(c.last, m.e.ts);
      return;
    }
    if (c) {
      this.open.delete(key);
      this.onClose(c);
    }
    if (this.open.size >= MAX_OPEN_CHAINS) {
      const [k, oldest] = this.open.entries().next().value as [string, Chain];
      this.open.delete(k);
      this.onClose(oldest);
    }
    this.open.set(key, { kind, file, group, members: [m], first: m.e.ts, last: m.e.ts });
  }
  flush(): void {
    for (const c of this.open.values()) this.onClose(c);
    this.open.clear();
  }
}

describe('request chains against a model', () => {
  // Entries of a few workers and connections, nginx and Apache, seconds to minutes apart, times
  // that sometimes go back (the next file of a rotation set), a flush now and then.
  const step = fc.record({
    kind: fc.constantFrom<Chain['kind']>('nginx-error', 'apache-error'),
    gap: fc.oneof(fc.nat(3_000), fc.nat(15 * MIN), fc.integer({ min: -20 * MIN, max: 0 })),
    // small numbers index the open chains; these past the index limit take the key-string path
    cid: fc.option(fc.oneof(fc.nat(5), fc.constant(7), fc.constant(7), fc.constantFrom(0x40000000, 2 ** 40)), { nil: null }),
    pid: fc.option(fc.oneof(fc.nat(2), fc.constant(2 ** 33)), { nil: null }),
    client: fc.option(fc.constantFrom('127.0.0.1', '10.0.0.9'), { nil: null }),
    // many requests on one connection (HTTP/2 streams): more chains under one number than a bucket holds
    request: fc.oneof(fc.constantFrom('GET / HTTP/1.1', 'GET /x HTTP/1.1'), fc.nat(23).map((i) => `GET /stream/${i} HTTP/2.0`)),
    group: fc.constantFrom('nginx:/a', 'nginx:/b'),
    followUp: fc.boolean(),
    flush: fc.nat(40).map((n) => n === 0),
  });
  test('closes the same chains, with the same members, in the same order as chains kept in a Map', () => {
    fc.assert(
      fc.property(fc.array(step, { maxLength: 200 }), (steps) => {
        const got: string[] = [];
        const want: string[] = [];
        const describe = (c: Chain) => c.members.map((m) => m.line).join(',');
        let added = 0;
        const chains = new RequestChains((c) => {
          // a chain closed twice would loop: fail fast instead
          if (got.length >= added) throw new Error(`more chains closed than entries added (${added})`);
          got.push(describe(c));
        });
        const model = new MapChains((c) => want.push(describe(c)));
        let ts = 10 * 60 * MIN;
        steps.forEach((s, line) => {
          if (s.flush) {
            chains.flush();
            model.flush();
          }
          ts += s.gap;
          const e = { ...entry(ts, s.cid ?? 0, s.request), cid: s.cid, pid: s.pid, tid: s.pid, client: s.client };
          const m = (): ChainMember => ({ sig: { id: 'x', followUp: s.followUp } as unknown as Signature, e, line });
          added++;
          chains.add(s.kind, 'f', s.group, m());
          model.add(s.kind, 'f', s.group, m());
          expect(chains.size).toBeLessThanOrEqual(MAX_OPEN_CHAINS);
        });
        chains.flush();
        model.flush();
        expect(got).toEqual(want);
      }),
      fuzzParams(),
    );
  });

  test('an old chain that keeps continuing holds the head: the opening order stays bounded, closes as in the model', () => {
    const got: string[] = [];
    const want: string[] = [];
    const describe = (c: Chain) => c.members.map((m) => m.line).join(',');
    const chains = new RequestChains((c) => got.push(describe(c)));
    const model = new MapChains((c) => want.push(describe(c)));
    const apache = (ts: number, tid: number, client: string): ErrorEntry => ({ ...entry(ts, 0), cid: null, pid: 1, tid, client });
    let most = 0;
    for (let i = 0; i < 6000; i++) {
      // thread 1 serves one client, a failure a second: its chain never goes stale
      // thread 2 serves a new client each time: each entry closes the chain before it
      const steps: ErrorEntry[] = [apache(i * 1000, 1, '10.0.0.1'), apache(i * 1000 + 500, 2, `10.0.1.${i % 2}`)];
      steps.forEach((e, k) => {
        const m = { sig: null, e, line: 2 * i + k };
        chains.add('apache-error', 'f', 'apache:/a', m);
        model.add('apache-error', 'f', 'apache:/a', { ...m });
      });
      most = Math.max(most, chains.queued);
    }
    expect(most).toBeLessThanOrEqual(2 * 2 + 1024 + 1);
    chains.flush();
    model.flush();
    expect(got).toEqual(want);
    expect(got).toHaveLength(6000 + 1);
  });

  test('one connection with more requests than a bucket holds: each request keeps its own chain', () => {
    const { closed, add, c } = chains();
    const n = 3 * BUCKET_MAX;
    for (let i = 0; i < n; i++) add(entry(i, 7, `GET /stream/${i} HTTP/2.0`));
    for (let i = n - 1; i >= 0; i--) add(entry(n + i, 7, `GET /stream/${i} HTTP/2.0`)); // each one's next attempt
    expect(c.size).toBe(n);
    c.flush();
    expect(closed.map((x) => x.members)).toEqual(Array(n).fill(2));
  });
});

describe('the member that decides a chain', () => {
  const sig = (id: string, followUp = false) => ({ id, followUp }) as unknown as Signature;
  const member = (s: Signature | null, line: number): ChainMember => ({ sig: s, e: entry(line, 1), line });
  const chain = (kind: Chain['kind'], members: ChainMember[]): Chain => ({ kind, file: 'f', group: 'g', members, first: 0, last: 0 });
  const lines = [member(null, 1), member(sig('follow', true), 2), member(sig('first'), 3), member(sig('second'), 4), member(sig('follow-2', true), 5)];

  test('nginx: the last entry that is not a follow-up (the last attempt gives the status)', () => {
    expect(decisive(chain('nginx-error', lines)).line).toBe(4);
  });
  test('Apache: the first entry that is not a follow-up (it carries the errno)', () => {
    expect(decisive(chain('apache-error', lines)).line).toBe(3);
  });
  test('only follow-ups: the first known entry; nothing known: the first entry', () => {
    expect(decisive(chain('apache-error', [lines[0], lines[1], lines[4]])).line).toBe(2);
    expect(decisive(chain('nginx-error', [lines[0], lines[1], lines[4]])).line).toBe(2);
    expect(decisive(chain('nginx-error', [lines[0]])).line).toBe(1);
  });
});
