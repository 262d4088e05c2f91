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

/** The key an entry's chain is found under (exported for the tests' reference model). */
export function chainKey(kind: LogKind, group: string, e: ErrorEntry): string | null {
  if (kind === 'nginx-error') {
    return e.cid === null ? null : `n|${group}|${e.pid}|${e.cid}|${e.request ?? ''}`;
  }
  if (kind === 'apache-error') return e.pid === null ? null : `a|${group}|${e.pid}|${e.tid}`;
  return null;
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

/** A chain as RequestChains keeps it: its key and its place in the opening order. */
interface OpenChain extends Chain {
  key: string;
  slot: number;
}

export class RequestChains {
  /** Open chains by key (a ChurnMap: keys come and go with every failed request). */
  private readonly byKey = new ChurnMap<OpenChain>();
  /**
   * Open chains in the order they were opened, from `head` (closed ones are null): the order in
   * which the stale walk, the cap and flush() close them. `base` is the opening number of queue[0].
   */
  private queue: (OpenChain | null)[] = [];
  private head = 0;
  private base = 0;
  /**
   * Until this time no open chain can be stale: the oldest chain's horizon when it was last looked
   * at (a chain's `last` only grows). Looking at the oldest chain took an iterator and its result
   * for every entry.
   */
  private staleAfter = -Infinity;

  constructor(private readonly onClose: (c: Chain) => void) {}

  get size(): number {
    return this.byKey.size;
  }

  add(kind: LogKind, file: string, group: string, m: ChainMember): void {
    this.closeStale(m.e.ts);
    const key = chainKey(kind, group, m.e);
    if (key === null) {
      // never open: the same shape as the open ones all the same, for closeChain's sake
      const single: OpenChain = { kind, file, group, members: [m], first: m.e.ts, last: m.e.ts, key: '', slot: -1 };
      this.onClose(single);
      return;
    }
    const c = this.byKey.get(key);
    if (c && continues(c, m)) {
      c.members.push(m);
      c.last = Math.max(c.last, m.e.ts);
      return;
    }
    if (c) {
      this.remove(c);
      this.staleAfter = -Infinity; // it may have been the oldest
      this.onClose(c);
    }
    if (this.byKey.size >= MAX_OPEN_CHAINS) this.closeOldest();
    const slot = this.base + this.queue.length;
    const opened: OpenChain = { kind, file, group, members: [m], first: m.e.ts, last: m.e.ts, key, slot };
    this.byKey.set(key, opened);
    this.queue.push(opened);
  }

  /** Closes every open chain (end of a file, or before access logs are joined). */
  flush(): void {
    const q = this.queue;
    const from = this.head;
    this.queue = [];
    this.head = 0;
    this.base += q.length;
    this.byKey.clear();
    this.staleAfter = -Infinity;
    for (let i = from; i < q.length; i++) {
      const c = q[i];
      if (c !== null) this.onClose(c);
    }
  }

  /** Takes an open chain out (the caller closes it). */
  private remove(c: OpenChain): void {
    this.byKey.delete(c.key);
    this.queue[c.slot - this.base] = null;
  }

  /** The oldest open chain (null slots at the head skipped and cut off now and then), or null. */
  private oldest(): OpenChain | null {
    const q = this.queue;
    while (this.head < q.length && q[this.head] === null) this.head++;
    if (this.head >= 1024 && this.head * 2 > q.length) {
      this.queue = q.slice(this.head);
      this.base += this.head;
      this.head = 0;
    }
    return this.head < this.queue.length ? this.queue[this.head] : null;
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
