import { Cause } from '../model';

/**
 * Evidence across logs: PHP-FPM's log says what happened to the pool (full, a worker died) at the
 * time a proxy logged a failure towards a FastCGI upstream. The rules below turn the proxy's view
 * (a timeout, a reset) into the root cause. PHP-FPM logs are read before the proxies' error logs
 * (analyze/reading-order.ts), so the evidence is in place when a proxy entry is diagnosed.
 *
 * The link is by time only: an FPM log does not name the proxy, and a proxy log names the socket,
 * not the pool. Where several pools log into one file, a rule can take evidence from the wrong
 * pool; docs/diagnosis.md lists this limit.
 */

export interface EvidenceRule {
  /** causes the proxy entry must have */
  when: Cause[];
  /** FPM signature ids that count as evidence */
  fpm: string[];
  /** the evidence must lie within [t - before, t + after] of the proxy entry */
  beforeMs: number;
  afterMs: number;
  /** the root cause the evidence proves; absent: the proxy's cause stands, the evidence is attached */
  becomes?: Cause;
  why: string;
}

export const EVIDENCE_RULES: EvidenceRule[] = [
  {
    when: ['upstream-timeout-read'],
    fpm: ['fpm-max-children', 'fpm-process-max'],
    // FPM warns once when the pool fills up and stays quiet while it stays full
    beforeMs: 60_000,
    afterMs: 2_000,
    becomes: 'upstream-overloaded',
    why: 'the request waited for a PHP-FPM worker: the pool was full, not the script slow',
  },
  {
    // The worker process died mid-request: an application crash. The cause stays what the proxy
    // saw (upstream-reset or upstream-closed-early, both category upstream-crash: an RST when
    // request bytes were still unread, a FIN otherwise) and the FPM line is attached as evidence,
    // naming the signal or request_terminate_timeout. The captured fixtures expect exactly this.
    when: ['upstream-reset', 'upstream-closed-early'],
    fpm: ['fpm-child-signal', 'fpm-child-exit-code', 'fpm-execution-timed-out', 'fpm-failed-processes-threshold'],
    beforeMs: 2_000,
    afterMs: 2_000,
    why: 'a PHP-FPM worker died (signal, fatal exit or request_terminate_timeout) while serving the request',
  },
  {
    when: ['upstream-reset', 'upstream-closed-early'],
    fpm: ['fpm-connection-disallowed'],
    beforeMs: 2_000,
    afterMs: 2_000,
    becomes: 'permission-denied',
    why: 'PHP-FPM dropped the connection: listen.allowed_clients does not list the proxy',
  },
];

interface Item {
  ts: number;
  signature: string;
}

export const EVIDENCE_CAPACITY = 100_000;

/** FPM evidence entries in time order, bounded (oldest dropped). */
export class EvidenceStore {
  private items: Item[] = [];
  dropped = 0;

  constructor(private readonly capacity = EVIDENCE_CAPACITY) {}

  add(ts: number, signature: string): void {
    if (Number.isNaN(ts)) return;
    if (!EVIDENCE_RULES.some((r) => r.fpm.includes(signature))) return;
    if (this.items.length >= this.capacity) {
      // drop the oldest half at once: amortised O(1) per add
      const cut = this.capacity >> 1;
      this.items = this.items.slice(cut);
      this.dropped += cut;
    }
    const items = this.items;
    let i = items.length;
    while (i > 0 && items[i - 1].ts > ts) i--; // FPM logs are in time order: usually no step
    items.splice(i, 0, { ts, signature });
  }

  get size(): number {
    return this.items.length;
  }

  /** The rule that applies to a FastCGI failure with `cause` at `ts`, and the evidence it used. */
  refine(cause: Cause, ts: number): { rule: EvidenceRule; signature: string } | null {
    if (this.items.length === 0 || Number.isNaN(ts)) return null;
    for (const rule of EVIDENCE_RULES) {
      if (!rule.when.includes(cause)) continue;
      const lo = ts - rule.beforeMs;
      const hi = ts + rule.afterMs;
      for (let i = this.firstAtOrAfter(lo); i < this.items.length && this.items[i].ts <= hi; i++) {
        if (rule.fpm.includes(this.items[i].signature)) return { rule, signature: this.items[i].signature };
      }
    }
    return null;
  }

  private firstAtOrAfter(ts: number): number {
    let lo = 0;
    let hi = this.items.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.items[mid].ts < ts) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}
