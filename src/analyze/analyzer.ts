import * as path from 'path';
import { AccessFailure, Cause, ErrorEntry, FailureEvent, LogKind, Signature } from '../model';
import { AccessScanner } from '../parse/access-scanner';
import { BulkSink } from '../parse/bulk-scanner';
import { CAUSE_INFO } from '../diagnose/causes';
import { SignatureMatcher, isUpstreamRelated } from '../diagnose/matcher';
import { ErrorIndex, IndexedError, JoinKey, MIXED_ONLY_BUDGET, MIXED_ONLY_ENTRIES, clientPortKey, connectionKey, requestKey } from '../diagnose/correlate';
import { Chain, RequestChains, decisive } from '../diagnose/request-chain';
import { EvidenceStore } from '../diagnose/evidence';
import { ErrorLineFilter, errorLineFilter, knownLines } from '../diagnose/prefilter';
import { Summary, requestPath } from '../report/summary';
import { EntrySink } from './read-file';
import { isoTime } from '../util/iso-time';

/**
 * The diagnosis stage: tags error-log entries with a signature, groups the entries of one request
 * (diagnose/request-chain.ts), refines FastCGI failures with PHP-FPM evidence
 * (diagnose/evidence.ts), joins access-log failures with them, and counts each failed request
 * once in the summary. Failure events also go to `onEvent` (NDJSON output, tail mode) as they are
 * decided; error-log events when their request's chain closes (at the latest on `flush()`).
 *
 * Counting invariant: each failed request is counted once. An access-log failure is counted when
 * it is read, and carries the error-log requests it joins. An error-log request no access line
 * joins is counted on its own when it leaves the correlation index unclaimed (evicted, or at
 * settle()): counting it when its chain closed, then taking it back when its access line claimed
 * it, counted every joined failure three times (a sixth of the time of ten days of rotated logs).
 * Where counts must be live (tail, `countOnClose`), it is counted when its chain closes and a
 * claim takes it back.
 */

export interface AnalyzerOptions {
  since?: number;
  until?: number;
  onEvent?: (ev: FailureEvent) => void;
  matcher?: SignatureMatcher;
  /** The correlation index's budget in estimated bytes (INDEX_BUDGET when not given). */
  indexBudget?: number;
  /** Count each error-log request when its chain closes (see the counting invariant above). */
  countOnClose?: boolean;
}

/** Statuses that make an access-log line a failure event (009: nginx relayed an HTTP/0.9 reply). */
export function isFailureStatus(status: number): boolean {
  return status >= 500 || status === 499 || status === 9;
}

/** Causes an access line proves by itself, without an error-log twin. */
function causeFromStatus(status: number): Cause | null {
  if (status === 499) return 'client-closed';
  if (status === 9) return 'invalid-response';
  return null;
}

export function fileGroup(file: string, kind: LogKind): string {
  const server = kind.startsWith('nginx') ? 'nginx' : kind.startsWith('apache') ? 'apache' : 'php-fpm';
  return `${server}:${file === '-' ? '-' : path.dirname(file)}`;
}

export class Analyzer implements EntrySink {
  readonly summary = new Summary();
  readonly index: ErrorIndex;
  readonly evidence = new EvidenceStore();
  /**
   * Built at the first error-log line (a run of access logs alone never needs it): indexing the
   * catalogue costs ~5 ms of every run's start-up.
   */
  private builtMatcher: SignatureMatcher | null;
  private get matcher(): SignatureMatcher {
    return (this.builtMatcher ??= new SignatureMatcher());
  }
  private readonly chains = new RequestChains((c) => this.closeChain(c));

  /** --since or --until is set (otherwise no entry is out of range). */
  private readonly ranged: boolean;
  private readonly lineFilters = new Map<LogKind, ErrorLineFilter | null>();

  constructor(private readonly opts: AnalyzerOptions = {}) {
    this.builtMatcher = opts.matcher ?? null;
    this.index = new ErrorIndex(opts.indexBudget);
    if (!opts.countOnClose) this.index.onUnclaimed = (it) => this.countAlone(it);
    this.ranged = opts.since !== undefined || opts.until !== undefined;
  }

  /** False for entries outside --since/--until. */
  inRange(ts: number): boolean {
    if (Number.isNaN(ts)) return true;
    return !((this.opts.since !== undefined && ts < this.opts.since) || (this.opts.until !== undefined && ts >= this.opts.until));
  }

  /** Error lines that cannot change what error() does: no row's literal, not about an upstream. */
  errorLineFilter(kind: LogKind): ErrorLineFilter | null {
    // Built once per kind for the run, not per file (a literal table of 64 KiB each).
    let f = this.lineFilters.get(kind);
    if (f === undefined) {
      f = errorLineFilter(this.matcher, kind, this.ranged ? (ts) => this.inRange(ts) : null);
      if (f) f.needsContext = (e) => this.needsContext(kind, e);
      // What error() does with an evidence entry, but for PHP-FPM's, which it also keeps by time.
      const known = f && kind !== 'php-fpm' ? knownLines(this.matcher, kind, (sig, n) => this.summary.countEvidence(sig.id, sig.cause, n)) : null;
      if (known) f!.known = known;
      this.lineFilters.set(kind, f);
    }
    return f;
  }

  /**
   * The catalogue row of an entry whose context is not decoded yet (the row depends on its code,
   * message and errno only): a row that makes it evidence only needs no more. The row is kept for
   * error(), which gets this entry next, so no entry is matched twice.
   */
  private needsContext(kind: LogKind, e: ErrorEntry): boolean {
    const sig = this.matcher.match(kind, e);
    this.matchedEntry = e;
    this.matchedSig = sig;
    return sig === null || sig.failure !== false;
  }
  private matchedEntry: ErrorEntry | null = null;
  private matchedSig: Signature | null = null;

  /**
   * None of the inputs is an access log (by their first lines): only access lines mixed into an
   * error log can still need a join, and they follow their error entry closely.
   */
  noAccessLogs(): void {
    this.index.deferUntilJoin(MIXED_ONLY_BUDGET, MIXED_ONLY_ENTRIES);
  }

  /** fileGroup() of the file being read: asked for every failure, and files come one at a time. */
  private groupOf(file: string, kind: LogKind): string {
    if (file !== this.lastFile || kind !== this.lastKind) {
      this.lastFile = file;
      this.lastKind = kind;
      this.lastGroup = fileGroup(file, kind);
    }
    return this.lastGroup;
  }
  private lastFile = '';
  private lastKind: LogKind | null = null;
  private lastGroup = '';

  /** Closes the open request chains: call at the end of each error log (run.ts does). */
  flush(): void {
    this.chains.flush();
  }

  /**
   * No later line can join what was read so far (the run leaves a directory, or ends): the error
   * requests left unclaimed are counted. The summary is complete only after this.
   */
  settle(): void {
    this.chains.flush();
    this.index.settle();
  }

  /** Counts an error-log request as a failure of its own (no access failure carries it). */
  private countAlone(it: IndexedError): void {
    it.counted = true;
    const ev = it.read();
    this.summary.countFailure(ev, it.epoch, 1, ev.request ? requestPath(ev.request) : null);
  }

  /** Every access line not in a time range only counts until it fails: see access(). */
  bulkSink(): BulkSink<unknown> | null {
    return this.ranged ? null : (this.summary as BulkSink<unknown>);
  }

  access(sc: AccessScanner, kind: LogKind, file: string, line: number): boolean {
    const minute = sc.minute();
    if (this.ranged && !this.inRange(sc.time())) return false;
    const status = sc.status();
    const s = this.summary;
    s.countRequestAt(minute, sc.msInMinute, status);
    const failed = isFailureStatus(status) || sc.upstreamFailed();
    if (sc.hasUpstream) {
      // Most lines with upstream fields are successes on one upstream: counted from the bytes.
      if (sc.singleAttempt()) s.countSingleAttempt(sc.bytes, sc.attemptStart, sc.attemptEnd, sc.attemptHash, sc.attemptStatus);
      else {
        const { addrs, statuses } = sc.upstreamLists();
        s.countUpstreamAttempts(addrs, statuses, status);
      }
    }
    if (failed) this.accessFailure(sc.failure(), kind, file, line);
    return true;
  }

  private accessFailure(e: AccessFailure, kind: LogKind, file: string, line: number): void {
    if (this.chains.size > 0) this.chains.flush();
    const s = this.summary;
    const gateway = e.status === 502 || e.status === 504;
    const join = this.index.join({
      epoch: e.ts,
      duration: e.requestTime ?? 0,
      status: e.status,
      connection: e.connection,
      client: e.client,
      clientPort: e.clientPort,
      request: e.request,
      group: this.groupOf(file, kind),
    });
    const twin = join?.twin ?? null;
    let cause: Cause;
    let signature: string | null = null;
    let message: string;
    if (join && twin) {
      cause = twin.event.cause;
      signature = twin.event.signature;
      message = twin.event.message;
      for (const it of join.same) {
        if (it.claimed) continue;
        it.claimed = true;
        // Counted on its own already (live counts, or it had left the index): this failure carries it now.
        if (it.counted) s.countFailure(it.event, it.epoch, -1, null);
      }
    } else {
      // A retried request that still succeeded is a hidden failure of an upstream, not of the request.
      const hidden = !isFailureStatus(e.status);
      cause = causeFromStatus(e.status) ?? 'unexplained';
      message = hidden
        ? `upstream attempt failed (${e.upstreamStatus.join(', ')}), retry answered ${e.status}`
        : `HTTP ${e.status}`;
    }
    if (gateway) {
      s.gatewayFailures++;
      if (twin) s.gatewayExplained++;
    }
    const info = CAUSE_INFO[cause];
    const lastUpstream = e.upstreamAddr.length > 0 ? e.upstreamAddr[e.upstreamAddr.length - 1] : null;
    const ev: FailureEvent = {
      ts: isoTime(e.ts),
      file,
      line,
      source: kind,
      cause,
      category: info.category,
      signature,
      status: e.status,
      upstream: lastUpstream ?? twin?.event.upstream ?? null,
      client: e.client,
      request: e.request,
      host: e.host ?? twin?.event.host ?? null,
      message,
    };
    if (twin?.event.evidence) ev.evidence = twin.event.evidence;
    s.countFailure(ev, e.ts, 1, e.path);
    s.offerSample(ev);
    this.opts.onEvent?.(ev);
  }

  error(e: ErrorEntry, kind: LogKind, file: string, line: number): boolean {
    const matched = this.matchedEntry === e;
    this.matchedEntry = null;
    if (!this.inRange(e.ts)) return false;
    const sig: Signature | null = matched ? this.matchedSig : this.matcher.match(kind, e);
    if (sig && sig.failure === false) {
      // Known, not a failed request: evidence only.
      this.summary.countEvidence(sig.id, sig.cause);
      if (kind === 'php-fpm') this.evidence.add(e.ts, sig.id);
      return true;
    }
    if (!sig && !isUpstreamRelated(kind, e)) return true;
    this.chains.add(kind, file, this.groupOf(file, kind), { sig, e, line });
    return true;
  }

  /** One request's error entries are complete: diagnose, count, index and emit it. */
  private closeChain(c: Chain): void {
    const d = decisive(c);
    let cause: Cause = d.sig ? d.sig.cause : 'unclassified';
    // Made only when there is some: most requests log one entry.
    let evidence: string[] | null = null;
    for (const m of c.members) {
      const id = m.sig ? m.sig.id : 'unclassified';
      if (m !== d && !evidence?.includes(id)) (evidence ??= []).push(id);
    }
    if (isFastCgi(c)) {
      const refined = this.evidence.refine(cause, d.e.ts);
      if (refined) {
        cause = refined.rule.becomes ?? cause;
        (evidence ??= []).push(refined.signature);
      }
    }
    const info = CAUSE_INFO[cause];
    const ev: FailureEvent = {
      ts: isoTime(d.e.ts),
      file: c.file,
      line: d.line, // the line whose message the event carries
      source: c.kind,
      cause,
      category: info.category,
      signature: d.sig ? d.sig.id : null,
      status: d.sig ? d.sig.status : null,
      upstream: first(c, 'upstream'),
      client: first(c, 'client'),
      request: first(c, 'request'),
      host: first(c, 'host'),
      message: d.e.message,
    };
    for (const m of c.members) {
      if (m.e.clientPort !== null) {
        ev.clientPort = m.e.clientPort;
        break;
      }
    }
    if (evidence) ev.evidence = evidence;
    // a chain is one request: its members share nginx's connection number (request-chain.ts)
    const item = new IndexedError(ev, c.last, ev.status, c.members[0].e.cid);
    // The cause's sample is the first event read of it, counted now or later.
    this.summary.offerSample(ev);
    if (this.opts.countOnClose) this.countAlone(item);
    this.index.addEntry(c.group, item, () => joinKeys(c));
    this.opts.onEvent?.(ev);
  }
}

/** The keys an access line can find a closed chain under (distinct). */
function joinKeys(c: Chain): JoinKey[] {
  const keys: JoinKey[] = [];
  const key = (k: JoinKey) => keys.includes(k) || keys.push(k);
  for (const m of c.members) {
    const e = m.e;
    if (e.cid !== null) key(connectionKey(c.group, e.cid));
    if (e.client !== null && e.clientPort !== null) key(clientPortKey(c.group, e.client, e.clientPort));
    if (e.client !== null && e.request !== null) key(requestKey(c.group, e.client, e.request));
  }
  return keys;
}

/** The first value a member of the chain gives for a field of its entry. */
function first(c: Chain, field: 'upstream' | 'client' | 'request' | 'host'): string | null {
  for (const m of c.members) {
    const v = m.e[field];
    if (v !== null) return v;
  }
  return null;
}

/** A failure towards PHP-FPM (or another FastCGI server), where FPM evidence can apply. */
function isFastCgi(c: Chain): boolean {
  for (const m of c.members) {
    const e = m.e;
    if (e.upstream !== null && e.upstream.startsWith('fastcgi://')) return true;
    if (e.module === 'proxy_fcgi' || e.message.startsWith('FCGI: ')) return true;
  }
  return false;
}
