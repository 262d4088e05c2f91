import * as path from 'path';
import { AccessEntry, Cause, ErrorEntry, FailureEvent, LogKind, Signature } from '../model';
import { AccessScanner } from '../parse/access-scanner';
import { CAUSE_INFO } from '../diagnose/causes';
import { SignatureMatcher, isUpstreamRelated } from '../diagnose/matcher';
import { ErrorIndex, clientPortKey, connectionKey, requestKey } from '../diagnose/correlate';
import { Summary } from '../report/summary';
import { EntrySink } from './read-file';

/**
 * The diagnosis stage: tags error-log entries with a signature, joins access-log failures with
 * them, and counts each failure once in the summary. Failure events also go to `onEvent`
 * (NDJSON output, tail mode) as they are decided.
 */

export interface AnalyzerOptions {
  since?: number;
  until?: number;
  onEvent?: (ev: FailureEvent) => void;
  matcher?: SignatureMatcher;
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

function iso(epoch: number): string {
  return Number.isNaN(epoch) ? '' : new Date(epoch).toISOString();
}

export class Analyzer implements EntrySink {
  readonly summary = new Summary();
  readonly index = new ErrorIndex();
  private readonly matcher: SignatureMatcher;

  constructor(private readonly opts: AnalyzerOptions = {}) {
    this.matcher = opts.matcher ?? new SignatureMatcher();
  }

  /** False for entries outside --since/--until. */
  inRange(ts: number): boolean {
    if (Number.isNaN(ts)) return true;
    return !((this.opts.since !== undefined && ts < this.opts.since) || (this.opts.until !== undefined && ts >= this.opts.until));
  }

  access(sc: AccessScanner, kind: LogKind, file: string, line: number): boolean {
    const ts = sc.time();
    if (!this.inRange(ts)) return false;
    const status = sc.status();
    const s = this.summary;
    s.countRequest(ts, status);
    const hasUpstream = sc.has('upstream-addr');
    const failed = isFailureStatus(status) || sc.upstreamFailed();
    if (!failed && !hasUpstream) return true;
    const e = sc.entry();
    if (hasUpstream) s.countUpstreamAttempts(e.upstreamAddr, e.upstreamStatus, status);
    if (failed) this.accessFailure(e, kind, file, line);
    return true;
  }

  private accessFailure(e: AccessEntry, kind: LogKind, file: string, line: number): void {
    const s = this.summary;
    const gateway = e.status === 502 || e.status === 504;
    const twin = this.index.find({
      epoch: e.ts,
      duration: e.requestTime ?? 0,
      status: e.status,
      connection: e.connection,
      client: e.client,
      clientPort: e.clientPort,
      request: e.request,
      group: fileGroup(file, kind),
    });
    let cause: Cause;
    let signature: string | null = null;
    let message: string;
    if (twin) {
      cause = twin.event.cause;
      signature = twin.event.signature;
      message = twin.event.message;
      if (!twin.claimed) {
        // The error entry was counted on its own; this request now carries its cause instead.
        twin.claimed = true;
        s.countFailure(twin.event, twin.epoch, -1, null);
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
      ts: iso(e.ts),
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
    s.countFailure(ev, e.ts, 1, e.path);
    this.opts.onEvent?.(ev);
  }

  error(e: ErrorEntry, kind: LogKind, file: string, line: number): boolean {
    if (!this.inRange(e.ts)) return false;
    const sig: Signature | null = this.matcher.match(kind, e);
    if (!sig && !isUpstreamRelated(kind, e)) return true;
    const cause: Cause = sig ? sig.cause : 'unclassified';
    const info = CAUSE_INFO[cause];
    const ev: FailureEvent = {
      ts: iso(e.ts),
      file,
      line,
      source: kind,
      cause,
      category: info.category,
      signature: sig ? sig.id : null,
      status: sig ? sig.status : null,
      upstream: e.upstream,
      client: e.client,
      request: e.request,
      host: e.host,
      message: e.message,
    };
    const path = e.request ? requestPath(e.request) : null;
    this.summary.countFailure(ev, e.ts, 1, path);
    const group = fileGroup(file, kind);
    const keys: string[] = [];
    if (e.cid !== null) keys.push(connectionKey(group, e.cid));
    if (e.client !== null && e.clientPort !== null) keys.push(clientPortKey(group, e.client, e.clientPort));
    if (e.client !== null && e.request !== null) keys.push(requestKey(group, e.client, e.request));
    if (keys.length > 0) this.index.add(keys, { event: ev, epoch: e.ts, typicalStatus: ev.status, claimed: false });
    this.opts.onEvent?.(ev);
    return true;
  }
}

function requestPath(request: string): string | null {
  const a = request.indexOf(' ');
  if (a === -1) return null;
  const z = request.indexOf(' ', a + 1);
  return request.slice(a + 1, z === -1 ? undefined : z);
}
