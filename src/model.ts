/**
 * The shared vocabulary of the pipeline: where a line came from, what it was parsed into,
 * and what the diagnosis made of it. Everything in the JSON/NDJSON output contract is
 * spelled here, so a change to the contract is a change to this file.
 */

export const OUTPUT_VERSION = 1;

export type Server = 'nginx' | 'apache' | 'php-fpm';
export type LogKind = 'nginx-access' | 'nginx-error' | 'apache-access' | 'apache-error' | 'php-fpm';

/** Why a physical line was not parsed. Every line read is parsed or carries one of these. */
export type SkipReason =
  | 'unrecognised' // no parser of the file's kind accepts it
  | 'truncated' // the line is cut short (a parser got part way), or the file ended mid-line in a gzip stream
  | 'binary' // NUL bytes or mostly non-text
  | 'too-long' // longer than the line limit; never buffered whole
  | 'blank' // empty or whitespace only
  | 'out-of-range'; // outside --since/--until (counted, not analysed)

export const SKIP_REASONS: SkipReason[] = ['unrecognised', 'truncated', 'binary', 'too-long', 'blank', 'out-of-range'];

/** The cause ids are part of the output contract: used exactly for these situations. */
export const CAUSES = [
  'upstream-refused',
  'upstream-closed-early',
  'upstream-reset',
  'upstream-timeout-read',
  'upstream-timeout-connect',
  'upstream-timeout-send',
  'header-too-big',
  'invalid-response',
  'no-live-upstreams',
  'dns-failure',
  'upstream-socket-missing',
  'permission-denied',
  'network-unreachable',
  'tls-handshake',
  'upstream-overloaded',
  'app-error',
  'proxy-resource-limit',
  'client-closed',
  // added: the proxy's own configuration rejects the request (module not loaded, SSLProxyEngine off)
  'proxy-misconfigured',
  'unclassified',
] as const;
export type Cause = (typeof CAUSES)[number] | 'unexplained';

export type Category =
  | 'upstream-down'
  | 'upstream-crash'
  | 'overload'
  | 'timeout'
  | 'dns'
  | 'network'
  | 'permission'
  | 'proxy-config'
  | 'tls'
  | 'proxy-limits'
  | 'client'
  | 'application'
  | 'unknown';

/** One parsed access-log entry, decoded only for the fields the analysis needs. */
export interface AccessEntry {
  ts: number; // epoch ms, NaN when the format has no time
  status: number; // 0 when absent
  method: string | null;
  path: string | null;
  protocol: string | null;
  request: string | null; // the raw request line
  client: string | null;
  clientPort: number | null; // Apache %{remote}p, for the join with [client ip:port]
  host: string | null;
  bytes: number | null;
  requestTime: number | null; // seconds
  upstreamAddr: string[]; // one per attempt, ' : ' passes flattened
  upstreamStatus: (number | null)[];
  upstreamResponseTime: (number | null)[];
  upstreamConnectTime: (number | null)[];
  connection: number | null; // nginx $connection == the error log's *CID
  userAgent: string | null;
  referer: string | null;
}

/** What the analysis reads of a failed access line (AccessScanner.failure: no report shows the rest). */
export type AccessFailure = Pick<
  AccessEntry,
  'ts' | 'status' | 'path' | 'request' | 'client' | 'clientPort' | 'host' | 'requestTime' | 'upstreamAddr' | 'upstreamStatus' | 'connection'
>;

/** One error-log entry (nginx, Apache 2.2/2.4) or PHP-FPM log entry; continuation lines folded in. */
export interface ErrorEntry {
  ts: number; // epoch ms
  level: string;
  module: string | null; // Apache 2.4 `[module:level]`
  pid: number | null;
  /** nginx `PID#TID`, Apache `[pid N:tid T]`; PHP-FPM: the child pid named in the message */
  tid: number | null;
  cid: number | null; // nginx *CID
  errno: string | null; // nginx `(111: Connection refused)` → "111"; Apache `(70007)` → "70007"
  code: string | null; // Apache AHnnnnn
  message: string; // the text the signatures match
  client: string | null;
  clientPort: number | null;
  server: string | null;
  request: string | null;
  upstream: string | null;
  host: string | null;
  referrer: string | null;
  pool: string | null; // PHP-FPM pool
}

/** A row of the signature catalogue. The table is data; the matcher only interprets it. */
export interface Signature {
  id: string; // stable, e.g. "nginx-connect-refused"
  server: Server;
  versions?: string; // e.g. "2.2", "2.4", ">=1.7"
  /** Apache: the AHnnnnn code the entry must carry (checked before anything else). */
  code?: string;
  /** The errno / APR status the entry must carry (`111`, `70007`, `EAI 2`), when it changes the cause. */
  errno?: string[];
  /** A literal that must occur in the message: the cheap test before the regex. */
  literal: string;
  /** Anchored on the server's own message text; must be linear on hostile input. */
  pattern: RegExp;
  cause: Exclude<Cause, 'unexplained'>;
  status: number | null; // what the client typically gets; null = none (no response affected)
  hint: string; // next check; may use {upstream} {host} {path} {pool}
  /** Source of the message in the server's code, for the reader. */
  source: string;
  /**
   * `false`: a known message that is not a failed request by itself (markers such as
   * `upstream server temporarily disabled`, informational warnings, every PHP-FPM line). It is
   * never `unclassified` and never counted as a failure; it is counted under `evidence` and may
   * refine the cause of a proxy failure it explains (see diagnose/evidence.ts).
   */
  failure?: false;
  /**
   * `true`: the message repeats a failure that an earlier entry of the same request already
   * logged with more detail (Apache AH01114 after AH00957, AH00898 after AH01102). In a request
   * it only adds its client; its cause is used only when no earlier entry gave one.
   */
  followUp?: true;
}

export interface FailureEvent {
  ts: string; // ISO 8601 UTC
  file: string;
  line: number; // 1-based, in the uncompressed file
  source: LogKind;
  cause: Cause;
  category: Category;
  signature: string | null;
  status: number | null;
  upstream: string | null;
  client: string | null;
  request: string | null;
  host: string | null;
  message: string;
  /** Apache `[client ip:port]`: the port, which the access log's %{remote}p repeats. */
  clientPort?: number;
  /** Signature ids of the other entries that went into this diagnosis (same request, PHP-FPM). */
  evidence?: string[];
}
