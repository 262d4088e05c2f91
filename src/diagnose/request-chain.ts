import { ErrorEntry, LogKind, Signature } from '../model';
import { ChurnMap } from '../util/churn-map';

/**
 * Groups the error-log entries that one request wrote, so that a request is diagnosed (and
 * counted) once however many lines it logged:
 *   nginx   same worker and `*CID` and request line: one line per upstream attempt;
 *           the last attempt decides the status, so the last entry's cause wins.
 *   Apache  same `[pid N:tid T]` within a short gap: a thread serves one request at a time.
 *           AH00957 (server-level, no client, errno) is followed by AH01114 [client]; AH01102 by
 *           AH00898; AH02276/AH02003 by AH01084 and AH00898. The first entry that is not a
 *           follow-up decides the cause (it carries the errno); follow-ups add the client.
 * Chains stay open for a bounded time and count; `flush()` closes all of them.
 */

export interface ChainMember {
  sig: Signature | null; // null: upstream-related but not in the catalogue
  e: ErrorEntry;
  line: number;
}

export interface Chain {
  kind: LogKind;
  file: string;
  group: string;
  members: ChainMember[];
  first: number;
  last: number;
}

/** Apache: entries of one request follow each other within microseconds; 2 s is generous. */
export const APACHE_GAP_MS = 2_000;
/** nginx: attempts of one request can be minutes apart (timeouts × proxy_next_upstream tries). */
export const NGINX_HORIZON_MS = 10 * 60_000;
export const MAX_OPEN_CHAINS = 10_000;

/** The member whose cause and signature the chain reports. */
export function decisive(c: Chain): ChainMember {
  // Loops, not filter(): this runs for every failed request, and the array was garbage.
  const nginx = c.kind === 'nginx-error';
  let primary: ChainMember | null = null;
  let known: ChainMember | null = null;
  for (const m of c.members) {
    if (m.sig === null) continue;
    known ??= m;
    if (m.sig.followUp) continue;
    primary = m;
    if (!nginx) break; // Apache: the first primary; nginx: the last
  }
  return primary ?? known ?? c.members[0];
}

/** Does anything tie the entry to other entries of its request (nginx: a `*CID`; Apache: a pid)? */
function hasIdentity(kind: LogKind, e: ErrorEntry): boolean {
  return kind === 'nginx-error' ? e.cid !== null : kind === 'apache-error' && e.pid !== null;
}

/** The key an entry's chain is found under, null without hasIdentity() (exported for the tests' reference model). */
export function chainKey(kind: LogKind, group: string, e: ErrorEntry): string | null {
  if (!hasIdentity(kind, e)) return null;
  return kind === 'nginx-error' ? `n|${group}|${e.pid}|${e.cid}|${e.request ?? ''}` : `a|${group}|${e.pid}|${e.tid}`;
}

function clientOf(c: Chain): ErrorEntry | null {
  for (const m of c.members) if (m.e.client !== null) return m.e;
  return null;
}

/** Does entry `m` continue chain `c`, or start the next request of the same thread? */
export function continues(c: Chain, m: ChainMember): boolean {
  if (c.kind === 'nginx-error') return m.e.ts - c.last <= NGINX_HORIZON_MS;
  if (m.e.ts - c.last > APACHE_GAP_MS) return false;
  const known = clientOf(c);
  if (known !== null && m.e.client !== null) {
    return known.client === m.e.client && known.clientPort === m.e.clientPort;
  }
  // A new connect attempt (AH00957 …) after the request-level line (which has the client):
  // a failover to the next balancer member, or the thread's next request.
  if (known !== null && m.e.client === null && m.sig !== null && !m.sig.followUp) return false;
  return true;
}

/** A chain as RequestChains keeps it: how it is found, and its place in the opening order. */
interface OpenChain extends Chain {
  /** Its entries' small number (numberOf), or -1. */
  number: number;
  /** Its chainKey() when OpenChains keeps it by key (no number, or its number's bucket full), else ''. */
  key: string;
  slot: number;
}

/** Largest connection number or pid used as a property index; past it, chainKey()'s string. */
const MAX_INDEX = 0x3fffffff;
/**
 * Chains kept under one number, at most; the next ones go by chainKey()'s string. One HTTP/2
 * connection (one `*CID`) can carry thousands of failing requests at once, and a client chooses
 * them: a longer bucket would make each entry a scan of them all.
 */
export const BUCKET_MAX = 8;

/** The number an entry's chain is found under: the nginx connection, the Apache process; -1 for none that fits. */
function numberOf(kind: LogKind, e: ErrorEntry): number {
  const n = kind === 'nginx-error' ? e.cid : e.pid;
  return n !== null && Number.isInteger(n) && n >= 0 && n <= MAX_INDEX ? n : -1;
}

/** Is `c` the chain of the request that entry `e` belongs to (the same chainKey)? */
function sameRequest(c: Chain, kind: LogKind, group: string, e: ErrorEntry): boolean {
  const f = c.members[0].e;
  if (c.kind !== kind || c.group !== group || f.pid !== e.pid) return false;
  return kind === 'nginx-error' ? f.cid === e.cid && (f.request ?? '') === (e.request ?? '') : f.tid === e.tid;
}

/**
 * The open chains by their request's identity, mostly without making a key: the entry's
 * connection number (nginx) or process id (Apache) indexes a prototype-less object (dictionary
 * elements, which V8 hashes without a string and copies without a link as they grow: see
 * util/churn-map.ts for what a Map's tables do), whose value is the chain, or the chains, under
 * that number (BUCKET_MAX at most); sameRequest() tells them apart. A number that does not fit an
 * index, and a bucket's overflow, fall back to chainKey()'s string in a ChurnMap. Finding a fresh
 * key string there (V8 looks its interned twin up in C++) was 5.9% of a profile of the bench's
 * nginx error log when every chain went by key.
 */
class OpenChains {
  private byNumber = Object.create(null) as Record<number, OpenChain | OpenChain[]>;
  /** Chains past their number's BUCKET_MAX, and chains without a number, by chainKey(). */
  private readonly byKey = new ChurnMap<OpenChain>();
  /** How many chains of each number are in byKey (spilled): only those numbers look there. */
  private spilled = Object.create(null) as Record<number, number>;
  size = 0;

  find(kind: LogKind, group: string, e: ErrorEntry): OpenChain | undefined {
    const n = numberOf(kind, e);
    if (n < 0) return this.byKey.get(chainKey(kind, group, e)!);
    const at = this.byNumber[n];
    if (at !== undefined) {
      if (!Array.isArray(at)) {
        if (sameRequest(at, kind, group, e)) return at;
      } else {
        for (const c of at) if (sameRequest(c, kind, group, e)) return c;
      }
    }
    return this.spilled[n] === undefined ? undefined : this.byKey.get(chainKey(kind, group, e)!);
  }

  /** Adds a chain opened for its first member's request (c.key and c.number are set here). */
  add(c: OpenChain): void {
    this.size++;
    const n = (c.number = numberOf(c.kind, c.members[0].e));
    const at = n < 0 ? undefined : this.byNumber[n];
    if (n < 0 || (Array.isArray(at) && at.length >= BUCKET_MAX)) {
      c.key = chainKey(c.kind, c.group, c.members[0].e)!;
      this.byKey.set(c.key, c);
      if (n >= 0) this.spilled[n] = (this.spilled[n] ?? 0) + 1;
      return;
    }
    c.key = '';
    if (at === undefined) this.byNumber[n] = c;
    else if (Array.isArray(at)) at.push(c);
    else this.byNumber[n] = [at, c];
  }

  remove(c: OpenChain): void {
    this.size--;
    const n = c.number;
    if (c.key !== '') {
      this.byKey.delete(c.key);
      if (n >= 0 && --this.spilled[n] === 0) delete this.spilled[n];
      return;
    }
    const at = this.byNumber[n];
    if (at === c) delete this.byNumber[n];
    else if (Array.isArray(at)) {
      at.splice(at.indexOf(c), 1);
      if (at.length === 1) this.byNumber[n] = at[0];
    }
  }

  clear(): void {
    this.byNumber = Object.create(null) as Record<number, OpenChain | OpenChain[]>;
    this.spilled = Object.create(null) as Record<number, number>;
    this.byKey.clear();
    this.size = 0;
  }
}

export class RequestChains {
  private readonly open = new OpenChains();
  /**
   * Open chains in the order they were opened, from `head` (closed ones are null; a chain's `slot`
   * is its index): the order in which the stale walk, the cap and flush() close them.
   */
  private queue: (OpenChain | null)[] = [];
  private head = 0;
  /**
   * Until this time no open chain can be stale: the oldest chain's horizon when it was last looked
   * at (a chain's `last` only grows). Looking at the oldest chain took an iterator and its result
   * for every entry.
   */
  private staleAfter = -Infinity;

  constructor(private readonly onClose: (c: Chain) => void) {}

  get size(): number {
    return this.open.size;
  }

  /** Slots the opening order holds, closed chains' included (for tests: it stays bounded). */
  get queued(): number {
    return this.queue.length - this.head;
  }

  add(kind: LogKind, file: string, group: string, m: ChainMember): void {
    this.closeStale(m.e.ts);
    const e = m.e;
    if (!hasIdentity(kind, e)) {
      // nothing ties it to other entries: a chain of its own, closed now;
      // the same shape as the open ones all the same, for closeChain's sake
      const single: OpenChain = { kind, file, group, members: [m], first: e.ts, last: e.ts, number: -1, key: '', slot: -1 };
      this.onClose(single);
      return;
    }
    const c = this.open.find(kind, group, e);
    if (c && continues(c, m)) {
      c.members.push(m);
      c.last = Math.max(c.last, e.ts);
      return;
    }
    if (c) {
      this.remove(c);
      this.staleAfter = -Infinity; // it may have been the oldest
      this.onClose(c);
    }
    if (this.open.size >= MAX_OPEN_CHAINS) this.closeOldest();
    const opened: OpenChain = { kind, file, group, members: [m], first: e.ts, last: e.ts, number: -1, key: '', slot: this.queue.length };
    this.open.add(opened);
    this.queue.push(opened);
    if (this.queue.length > 2 * this.open.size + 1024) this.compact();
  }

  /** Closes every open chain (end of a file, or before access logs are joined). */
  flush(): void {
    const q = this.queue;
    const from = this.head;
    this.queue = [];
    this.head = 0;
    this.open.clear();
    this.staleAfter = -Infinity;
    for (let i = from; i < q.length; i++) {
      const c = q[i];
      if (c !== null) this.onClose(c);
    }
  }

  /** Takes an open chain out (the caller closes it). */
  private remove(c: OpenChain): void {
    this.open.remove(c);
    this.queue[c.slot] = null;
  }

  /** The oldest open chain (null slots at the head skipped), or null. */
  private oldest(): OpenChain | null {
    const q = this.queue;
    while (this.head < q.length && q[this.head] === null) this.head++;
    return this.head < q.length ? q[this.head] : null;
  }

  /**
   * Drops the closed chains' slots, wherever they are: an old chain that keeps continuing (an
   * Apache thread serving one client, a health check on one connection) holds the head while the
   * chains behind it close by key, so cutting the head alone let the queue grow without bound.
   * Called once closed slots outnumber open chains (and 1,024): O(1) a chain, amortised.
   */
  private compact(): void {
    const kept: OpenChain[] = [];
    for (let i = this.head; i < this.queue.length; i++) {
      const c = this.queue[i];
      if (c === null) continue;
      c.slot = kept.length;
      kept.push(c);
    }
    this.queue = kept;
    this.head = 0;
  }

  private closeOldest(): void {
    const c = this.oldest()!;
    this.remove(c);
    this.staleAfter = -Infinity;
    this.onClose(c);
  }

  /** Closes chains at the head of the opening order that no later entry can continue. */
  private closeStale(now: number): void {
    if (now <= this.staleAfter) return;
    for (let c = this.oldest(); c !== null; c = this.oldest()) {
      const horizon = c.kind === 'nginx-error' ? NGINX_HORIZON_MS : APACHE_GAP_MS;
      if (!(now - c.last > horizon)) {
        this.staleAfter = c.last + horizon;
        return;
      }
      this.remove(c);
      this.onClose(c);
    }
    this.staleAfter = -Infinity;
  }
}
