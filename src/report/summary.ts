import { Cause, FailureEvent, LogKind, SKIP_REASONS, SkipReason } from '../model';
import { SpaceSaving, TopKTable, topKTable } from '../util/top-k';
import { SmallCounts } from '../util/small-counts';
import { ByteInterner } from '../util/byte-interner';
import { NO_MINUTE } from '../parse/access-scanner';
import { normalizePath, upstreamAddress } from './paths';
import { ownCopy } from '../util/own-string';

/**
 * Everything an analysis run accumulates, in bounded memory: per-file accounting, status counts,
 * cause counts, a time table of minutes (wider buckets past MAX_TIME_BUCKETS; rolled up into the
 * display bucket at the end), and bounded top-K tables for the high-cardinality fields.
 */

export interface FileStats {
  path: string;
  kind: LogKind | null;
  format: string | null;
  envelope: string | null;
  compression: 'gzip' | null;
  lines: number;
  parsed: number;
  skipped: number;
  skippedByReason: Partial<Record<SkipReason, number>>;
  skippedSamples: Partial<Record<SkipReason, { line: number; text: string }[]>>;
  /** An I/O or decompression error that stopped the read part way (what was read is counted). */
  error: string | null;
  /** Virtual hosts the server configuration writes this file for (only when read from a configuration). */
  vhosts?: string[];
}

export function newFileStats(path: string): FileStats {
  return {
    path,
    kind: null,
    format: null,
    envelope: null,
    compression: null,
    lines: 0,
    parsed: 0,
    skipped: 0,
    skippedByReason: {},
    skippedSamples: {},
    error: null,
  };
}

/**
 * How many distinct keys each top-offender table keeps (per cause, per field: upstreams, hosts,
 * paths, clients). Any key with more than 1/200 of a cause's failures is guaranteed to be listed;
 * memory is bounded at causes × 4 × 200 keys whatever the logs hold (docs/reports.md "Bounds").
 */
export const TOP_K_CAPACITY = 200;
/** Failing upstreams remembered per minute, for an incident's top upstream. */
export const MINUTE_UPSTREAMS = 4;
/** Distinct upstream addresses tracked with attempts/failures/retries. */
export const UPSTREAM_TABLE_CAP = 1000;

export const MINUTE = 60_000;

/**
 * The time table holds at most this many buckets (non-empty minutes at first). A month is 43,200
 * minutes and stays at minute resolution; a longer span coarsens the table to the next step of
 * TIME_STEPS, merging buckets, so a year of logs costs what a month does (docs/reports.md "Bounds").
 */
export const MAX_TIME_BUCKETS = 50_000;
/** Bucket widths in minutes the time table steps through as it fills; past the last it grows. */
const TIME_STEPS = [1, 5, 15, 60, 1440];

/** The key of the time bucket of width `step` minutes holding minute `key`. */
export function bucketOf(key: number, step: number): number {
  return step === 1 ? key : Math.floor(key / step) * step;
}

/** Adds minute counts `src` into `dst` (when buckets merge). */
function mergeMinuteInto(dst: MinuteCounts, src: MinuteCounts): void {
  dst.requests += src.requests;
  dst.failures += src.failures;
  for (const [st, n] of src.byStatus) countIn(dst, 'byStatus', st, n);
  for (const [c, n] of src.byCause) countIn(dst, 'byCause', c, n);
  if (src.upstreams) {
    const into = (dst.upstreams ??= topKTable(MINUTE_UPSTREAMS));
    for (const u of src.upstreams.top(src.upstreams.capacity)) into.add(u.key, u.count);
  }
}

/** The shared empty counts of a minute without failures; writing to it is a bug, so it throws. */
class NoCounts<K> extends SmallCounts<K> {
  override add(): void {
    throw new Error('NO_COUNTS is shared and read-only: use countIn()');
  }
}
/**
 * Most minutes of a month have no failure: they share these empty counts instead of two tables
 * each (allocating them was most of the garbage a batch run made).
 */
export const NO_COUNTS: SmallCounts<never> = new NoCounts<never>();

/** Adds n to key in one of a minute's counts, giving the minute counts of its own on first use. */
export function countIn<K>(m: MinuteCounts, field: 'byStatus' | 'byCause', key: K, n: number): void {
  let counts = m[field] as unknown as SmallCounts<K>;
  if (counts === NO_COUNTS) m[field] = counts = new SmallCounts<K>() as never;
  counts.add(key, n);
}

/**
 * A time bucket's counts. Made with `new`, never as an object literal: V8 tracks a literal's
 * allocation site, and once it decides that the site's objects live long (a month's minutes do)
 * it throws away every optimised function that inlined the allocation (the bulk scanner's run,
 * countRequestAt, countFailure, ...), which are then compiled again.
 */
export class MinuteCounts {
  requests = 0;
  failures = 0;
  /** 5xx/499/009 only. NO_COUNTS (shared, read-only) until the minute's first failure: see countIn(). */
  byStatus: SmallCounts<number> = NO_COUNTS;
  byCause: SmallCounts<Cause> = NO_COUNTS;
  /**
   * Failures by upstream in this minute (bounded; created on the first failure with an upstream).
   * Set from the start: a field added later costs each minute a property array.
   */
  upstreams: TopKTable | undefined = undefined;
}

/** What countFailure reads of an event. */
export type CountedEvent = Pick<FailureEvent, 'cause' | 'status' | 'signature' | 'upstream' | 'host' | 'request' | 'client'>;

export interface CauseTotals {
  count: number;
  byStatus: Map<number, number>;
  bySignature: Map<string, number>;
  upstreams: TopKTable;
  hosts: TopKTable;
  paths: TopKTable;
  clients: TopKTable;
  sample: FailureEvent | null;
  /** One raw path per normalised path (bounded), so a hint can name a real URL, not /users/{id}. */
  pathExamples: Map<string, string>;
}

export interface UpstreamStats {
  attempts: number;
  failures: Map<number, number>; // by upstream status
  /** attempts that failed and were retried on the next upstream */
  retried: number;
  /** of those, requests that still succeeded: failures the client never saw */
  hiddenFailures: number;
}

/** Upstream addresses recognised from their bytes without decoding (beyond it, the string path). */
const INTERNED_UPSTREAMS = 2 * UPSTREAM_TABLE_CAP;

export class Summary {
  readonly files: FileStats[] = [];
  /** Requests by HTTP status (0-999; 0 = none): an array, not a Map, as every line counts here. */
  private readonly statusArray = new Float64Array(1000);
  /** The minute the last request fell in: lines come in time order, so most lookups hit it. */
  private lastMinuteKey = NaN;
  private lastMinute: MinuteCounts | null = null;
  /** Upstream table entries by the raw bytes of their address (null: the table was full). */
  private readonly upstreamBytes = new ByteInterner<UpstreamStats | null>(INTERNED_UPSTREAMS);
  /** One string per failing upstream address (bounded), see failureAddress(). */
  private readonly failureAddresses = new Map<string, string>();
  readonly causes = new Map<Cause, CauseTotals>();
  /**
   * Time buckets by key (epoch ms / MINUTE, a multiple of minuteStep): bucket k holds minutes
   * [k, k + minuteStep).
   */
  minutes = new Map<number, MinuteCounts>();
  private step = 1;
  readonly upstreams = new Map<string, UpstreamStats>();
  upstreamOverflow = 0;
  /** Known messages that are not failed requests (markers, PHP-FPM pool lines), by signature. */
  readonly evidence = new Map<string, { cause: Cause; count: number }>();
  start = Infinity;
  end = -Infinity;
  /** 502/504 access failures, and how many of them an error-log entry explains. */
  gatewayFailures = 0;
  gatewayExplained = 0;

  constructor(readonly maxTimeBuckets = MAX_TIME_BUCKETS) {}

  /** Width of the time buckets in minutes: 1 until the table would pass maxTimeBuckets. */
  get minuteStep(): number {
    return this.step;
  }

  seeTime(ts: number): void {
    if (ts < this.start) this.start = ts;
    if (ts > this.end) this.end = ts;
  }

  /** Requests by HTTP status. */
  get statusCounts(): Map<number, number> {
    const m = new Map<number, number>();
    this.statusArray.forEach((n, st) => {
      if (n !== 0) m.set(st, n);
    });
    return m;
  }

  addStatusCount(status: number, n: number): void {
    this.statusArray[status >= 0 && status < 1000 ? status : 0] += n;
  }

  minute(ts: number): MinuteCounts {
    return this.minuteAt(Math.floor(ts / MINUTE));
  }

  /** The counts of the time bucket holding minute number `key` (epoch ms / MINUTE). */
  minuteAt(key: number): MinuteCounts {
    if (key === this.lastMinuteKey) return this.lastMinute!;
    let at = bucketOf(key, this.step);
    let m = this.minutes.get(at);
    if (!m) {
      while (this.minutes.size >= this.maxTimeBuckets && this.coarsen()) at = bucketOf(key, this.step);
      m = this.minutes.get(at);
      if (!m) {
        m = new MinuteCounts();
        this.minutes.set(at, m);
      }
    }
    this.lastMinuteKey = key;
    this.lastMinute = m;
    return m;
  }

  /**
   * Widens the time buckets to the next step of TIME_STEPS (or to `step`, a later one), merging
   * the counts; false when there is no wider step.
   */
  coarsen(step = TIME_STEPS.find((s) => s > this.step)): boolean {
    if (step === undefined || step <= this.step) return false;
    const wide = new Map<number, MinuteCounts>();
    for (const [k, m] of this.minutes) {
      const at = bucketOf(k, step);
      const into = wide.get(at);
      if (into) mergeMinuteInto(into, m);
      else wide.set(at, m);
    }
    this.minutes = wide;
    this.step = step;
    this.lastMinuteKey = NaN;
    this.lastMinute = null;
    return true;
  }

  /** Coarsens until the table fits maxTimeBuckets (after a merge added buckets). */
  fitTimeBuckets(): void {
    while (this.minutes.size > this.maxTimeBuckets && this.coarsen());
  }

  /** Drops the time buckets that end before minute `key` (tail mode keeps a window, not the month). */
  dropMinutesBefore(key: number): void {
    for (const k of this.minutes.keys()) if (k + this.step <= key) this.minutes.delete(k);
    if (this.lastMinuteKey < key) {
      this.lastMinuteKey = NaN;
      this.lastMinute = null;
    }
  }

  /**
   * countRequest(minute * MINUTE + msInMinute, status) for the batch hot path, which keeps times as
   * two small integers (see AccessScanner.minute()); NO_MINUTE for a line without a time.
   */
  countRequestAt(minute: number, msInMinute: number, status: number): void {
    this.statusArray[status >= 0 && status < 1000 ? status : 0]++;
    if (minute === NO_MINUTE) return;
    this.seeTime(minute * MINUTE + msInMinute);
    const m = this.minuteAt(minute);
    m.requests++;
    if (status >= 500 || status === 499 || status === 9) countIn(m, 'byStatus', status, 1);
  }

  /**
   * n requests of minute `minute` whose seconds run from firstSec to lastSec, none a failure, the
   * bulk scanner counted (their statuses come with addStatusCount): what n countRequestAt() calls
   * count of them.
   */
  countRequests(minute: number, n: number, firstSec: number, lastSec: number): void {
    this.seeTime(minute * MINUTE + firstSec * 1000);
    this.seeTime(minute * MINUTE + lastSec * 1000);
    this.minuteAt(minute).requests += n;
  }

  countRequest(ts: number, status: number): void {
    if (Number.isNaN(ts)) return this.countRequestAt(NO_MINUTE, 0, status);
    const minute = Math.floor(ts / MINUTE);
    this.countRequestAt(minute, ts - minute * MINUTE, status);
  }

  private causeTotals(cause: Cause): CauseTotals {
    let c = this.causes.get(cause);
    if (!c) {
      c = {
        count: 0,
        byStatus: new Map(),
        bySignature: new Map(),
        upstreams: new SpaceSaving(TOP_K_CAPACITY),
        hosts: new SpaceSaving(TOP_K_CAPACITY),
        paths: new SpaceSaving(TOP_K_CAPACITY),
        clients: new SpaceSaving(TOP_K_CAPACITY),
        sample: null,
        pathExamples: new Map(),
      };
      this.causes.set(cause, c);
    }
    return c;
  }

  /**
   * Counts one diagnosed failure (n = 1), or takes one back (n = -1) when an error-log entry that
   * was counted on its own turns out to explain an access-log failure counted in its place (the
   * correlation index keeps only the fields a take-back reads).
   */
  countFailure(ev: CountedEvent, epochMs: number, n: 1 | -1, path: string | null): void {
    const c = this.causeTotals(ev.cause);
    c.count += n;
    if (ev.status !== null) c.byStatus.set(ev.status, (c.byStatus.get(ev.status) ?? 0) + n);
    if (ev.signature) c.bySignature.set(ev.signature, (c.bySignature.get(ev.signature) ?? 0) + n);
    // Offender keys are folded once per failure: upstream URLs (nginx's error log writes
    // http://10.0.0.7:8080/api/x) to their address, paths to their endpoint.
    const upstream = ev.upstream ? this.failureAddress(ev.upstream) : null;
    const raw = path ?? (n < 0 && ev.request ? requestPath(ev.request) : null);
    const endpoint = raw ? normalizePath(raw) : null;
    if (n > 0) {
      if (upstream) c.upstreams.add(upstream);
      if (ev.host) c.hosts.add(ev.host);
      // A key the table held already has its example (examples are never dropped), or came when they were full.
      if (endpoint && c.paths.add(endpoint) && raw && c.pathExamples.size < TOP_K_CAPACITY && !c.pathExamples.has(endpoint)) {
        c.pathExamples.set(endpoint, raw.slice(0, 512));
      }
      if (ev.client) c.clients.add(ev.client);
    } else {
      if (upstream) c.upstreams.sub(upstream, -n);
      if (ev.host) c.hosts.sub(ev.host, -n);
      if (endpoint) c.paths.sub(endpoint, -n);
      if (ev.client) c.clients.sub(ev.client, -n);
    }
    if (!Number.isNaN(epochMs)) {
      const m = this.minute(epochMs);
      m.failures += n;
      countIn(m, 'byCause', ev.cause, n);
      if (upstream) {
        if (n > 0) (m.upstreams ??= topKTable(MINUTE_UPSTREAMS)).add(upstream);
        else m.upstreams?.sub(upstream, -n);
      }
      this.seeTime(epochMs);
    }
  }

  /** Keeps the event as its cause's sample if it is the cause's first. */
  offerSample(ev: FailureEvent): void {
    const c = this.causeTotals(ev.cause);
    if (!c.sample) c.sample = ev;
  }

  /**
   * The address of a failure's upstream, as one string per address: upstreamAddress() cuts it out
   * of the log line, and a key kept by every minute's table would keep that whole line alive
   * (30 MiB on a month of nginx errors). Past the bound, addresses are used as they come.
   */
  private failureAddress(upstream: string): string {
    const cut = upstreamAddress(upstream);
    const known = this.failureAddresses.get(cut);
    if (known !== undefined) return known;
    if (this.failureAddresses.size >= INTERNED_UPSTREAMS) return cut;
    const own = ownCopy(cut);
    this.failureAddresses.set(own, own);
    return own;
  }

  countEvidence(signature: string, cause: Cause, n = 1): void {
    const e = this.evidence.get(signature);
    if (e) e.count += n;
    else if (this.evidence.size < TOP_K_CAPACITY) this.evidence.set(signature, { cause, count: n });
  }

  /** The table entry for an address, created while the table has room; null once it is full. */
  private upstreamEntry(addr: string): UpstreamStats | null {
    let u = this.upstreams.get(addr);
    if (!u) {
      if (this.upstreams.size >= UPSTREAM_TABLE_CAP) return null;
      u = { attempts: 0, failures: new Map(), retried: 0, hiddenFailures: 0 };
      this.upstreams.set(addr, u);
    }
    return u;
  }

  /**
   * One attempt on the upstream whose address is the plain bytes [s, e) of buf (hashBytes() = hash): what
   * countUpstreamAttempts([address], [status], …) counts, without making a string per line.
   */
  countSingleAttempt(buf: Buffer, s: number, e: number, hash: number, status: number | null): void {
    let u = this.upstreamBytes.get(hash, buf, s, e);
    if (u === undefined) {
      u = this.upstreamEntry(buf.toString('latin1', s, e));
      // A full table stays full: remembering "no room" for these bytes is as exact as the lookup.
      this.upstreamBytes.set(hash, buf, s, e, u);
    }
    if (u === null) {
      this.upstreamOverflow++;
      return;
    }
    u.attempts++;
    if (status !== null && status >= 500) u.failures.set(status, (u.failures.get(status) ?? 0) + 1);
  }

  /** The table entry countSingleAttempt() found for these address bytes (null: no room), once it has. */
  upstreamHandle(hash: number, buf: Buffer, s: number, e: number): UpstreamStats | null | undefined {
    return this.upstreamBytes.get(hash, buf, s, e);
  }

  /** n more attempts, none failed, on an upstream upstreamHandle() gave. */
  countAttempts(u: UpstreamStats | null, n: number): void {
    if (u === null) this.upstreamOverflow += n;
    else u.attempts += n;
  }

  countUpstreamAttempts(addrs: string[], statuses: (number | null)[], finalStatus: number): void {
    for (let i = 0; i < addrs.length; i++) {
      const u = this.upstreamEntry(addrs[i]);
      if (!u) {
        this.upstreamOverflow++;
        continue;
      }
      u.attempts++;
      const st = statuses[i] ?? null;
      if (st !== null && st >= 500) {
        u.failures.set(st, (u.failures.get(st) ?? 0) + 1);
        if (i < addrs.length - 1) {
          u.retried++;
          if (finalStatus > 0 && finalStatus < 500) u.hiddenFailures++;
        }
      }
    }
  }

  get totals(): { read: number; parsed: number; skipped: number; skippedByReason: Record<string, number> } {
    const byReason: Record<string, number> = {};
    let read = 0;
    let parsed = 0;
    let skipped = 0;
    for (const f of this.files) {
      read += f.lines;
      parsed += f.parsed;
      skipped += f.skipped;
      for (const r of SKIP_REASONS) {
        const n = f.skippedByReason[r];
        if (n) byReason[r] = (byReason[r] ?? 0) + n;
      }
    }
    return { read, parsed, skipped, skippedByReason: byReason };
  }
}

/** The target of a request line (`GET /x?y HTTP/1.1` → `/x?y`). */
export function requestPath(request: string): string | null {
  const a = request.indexOf(' ');
  if (a === -1) return null;
  const z = request.indexOf(' ', a + 1);
  return request.slice(a + 1, z === -1 ? undefined : z);
}
