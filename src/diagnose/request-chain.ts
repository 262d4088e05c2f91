import { ErrorEntry, LogKind, Signature } from '../model';

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
const APACHE_GAP_MS = 2_000;
/** nginx: attempts of one request can be minutes apart (timeouts × proxy_next_upstream tries). */
const NGINX_HORIZON_MS = 10 * 60_000;
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

function chainKey(kind: LogKind, group: string, e: ErrorEntry): string | null {
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
function continues(c: Chain, m: ChainMember): boolean {
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

export class RequestChains {
  private readonly open = new Map<string, Chain>();
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

  add(kind: LogKind, file: string, group: string, m: ChainMember): void {
    this.closeStale(m.e.ts);
    const key = chainKey(kind, group, m.e);
    if (key === null) {
      this.onClose({ kind, file, group, members: [m], first: m.e.ts, last: m.e.ts });
      return;
    }
    const c = this.open.get(key);
    if (c && continues(c, m)) {
      c.members.push(m);
      c.last = Math.max(c.last, m.e.ts);
      return;
    }
    if (c) {
      this.open.delete(key);
      this.staleAfter = -Infinity; // it may have been the oldest
      this.onClose(c);
    }
    if (this.open.size >= MAX_OPEN_CHAINS) this.closeOldest();
    this.open.set(key, { kind, file, group, members: [m], first: m.e.ts, last: m.e.ts });
  }

  /** Closes every open chain (end of a file, or before access logs are joined). */
  flush(): void {
    for (const c of this.open.values()) this.onClose(c);
    this.open.clear();
    this.staleAfter = -Infinity;
  }

  private closeOldest(): void {
    const [key, c] = this.open.entries().next().value as [string, Chain];
    this.open.delete(key);
    this.staleAfter = -Infinity;
    this.onClose(c);
  }

  /** Closes chains at the head of the map (oldest opened) that no later entry can continue. */
  private closeStale(now: number): void {
    if (now <= this.staleAfter) return;
    // One iterator for the whole walk (a Map iterator moves on past the entry deleted under it),
    // not an iterator and its result for every chain closed.
    for (const [key, c] of this.open) {
      const horizon = c.kind === 'nginx-error' ? NGINX_HORIZON_MS : APACHE_GAP_MS;
      if (!(now - c.last > horizon)) {
        this.staleAfter = c.last + horizon;
        return;
      }
      this.open.delete(key);
      this.onClose(c);
    }
    this.staleAfter = -Infinity;
  }
}
