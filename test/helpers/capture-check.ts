import * as fs from 'fs';
import * as path from 'path';
import { runNdjson } from './cli';

/**
 * Checks one captured server directory (fixtures/nginx, fixtures/apache, or a fresh capture):
 * runs `analyze --format ndjson` over its logs and compares every request of expected.json with
 * the cause the tool gave it. Access events are matched by the request path `/s/<scenario>/<n>`.
 * A request whose access line is not a failure (a 200 with a truncated body, a 404 from PHP) has
 * no access event; its diagnosis is the error-log event of that request: nginx names the request
 * line, Apache the client port, which the access log's %{remote}p gives (within the request's time).
 */

export interface ExpectedRequest {
  scenario: string;
  method: string;
  path: string;
  status: number;
  cause: string | null;
  note: string;
  clientStatus?: number;
}

export interface Expected {
  capturedAt: string;
  versions: Record<string, string>;
  requests: ExpectedRequest[];
}

export interface CaptureCheck {
  expected: Expected;
  events: any[];
  summary: any;
  /** one line per request whose cause differs */
  mismatches: string[];
  unexplained: number;
}

/**
 * Requests the logs cannot diagnose, with the reason (docs/diagnosis.md, "Known gaps"). Keyed by
 * `server/scenario`; the check asserts that the tool reports nothing wrong for them instead.
 */
export const UNDIAGNOSABLE: Record<string, string> = {
  'apache/client-closed':
    'Apache has no 499: it logs the status it generated (200) and writes no error line when the client leaves; only %X (connection status X) in the access log would show it',
};

export const CAPTURE_FILES = ['error.log', 'php-fpm.log', 'access.log', 'access-combined.log'];

export function haveCapture(dir: string): boolean {
  return [...CAPTURE_FILES, 'expected.json'].every((f) => fs.existsSync(path.join(dir, f)));
}

function pathOf(request: string | null): string | null {
  if (!request) return null;
  const parts = request.split(' ');
  return parts.length >= 2 ? parts[1] : null;
}

/** An Apache request as its access line tells it: remote port (%{remote}p), start (%t) and duration (%D). */
interface ApacheRequest {
  port: number;
  start: number;
  durationMs: number;
}

/** Each request path's port and time window, from the capture's `upstream_doctor` access log. */
function apacheRequests(accessLog: string): Map<string, ApacheRequest> {
  const out = new Map<string, ApacheRequest>();
  for (const line of fs.readFileSync(accessLog, 'utf8').split('\n')) {
    const m = /^\S+ \S+ \S+ \[(\d{2})\/(\w{3})\/(\d{4}):(\d{2}:\d{2}:\d{2}) ([+-]\d{4})\] "[A-Z]+ (\/s\/\S+) HTTP\/[\d.]+" .* (\d+) \S+ (\d{1,5})$/.exec(line);
    if (m) out.set(m[6], { port: Number(m[8]), start: Date.parse(`${m[1]} ${m[2]} ${m[3]} ${m[4]} ${m[5]}`), durationMs: Number(m[7]) / 1000 });
  }
  return out;
}

/**
 * The error event of an Apache request: the same client port, written while the request ran (%t
 * has whole seconds; 2 s of slack). The port alone can be another request's once the kernel
 * reuses it.
 */
function apacheErrorEvent(errors: any[], r: ApacheRequest | undefined): any {
  if (!r) return undefined;
  return errors.find((e) => {
    const t = Date.parse(e.ts);
    return e.clientPort === r.port && t >= r.start - 1000 && t <= r.start + 1000 + r.durationMs + 2000;
  });
}

export function checkCapture(dir: string, server: 'nginx' | 'apache', accessLog = 'access.log'): CaptureCheck {
  const expected: Expected = JSON.parse(fs.readFileSync(path.join(dir, 'expected.json'), 'utf8'));
  const out = runNdjson(['analyze', ...['error.log', 'php-fpm.log', accessLog].map((f) => path.join(dir, f))]);
  const summary = out.find((e) => e.type === 'summary');
  const events = out.filter((e) => e.type !== 'summary');
  const access = events.filter((e) => e.source.endsWith('-access'));
  const errors = events.filter((e) => !e.source.endsWith('-access'));
  const apache = server === 'apache' ? apacheRequests(path.join(dir, 'access.log')) : new Map<string, ApacheRequest>();
  if (!fs.existsSync(path.join(dir, accessLog))) throw new Error(`${dir}/${accessLog} missing`);
  const mismatches: string[] = [];
  for (const r of expected.requests) {
    if (UNDIAGNOSABLE[`${server}/${r.scenario}`]) continue;
    const hits = access.filter((e) => pathOf(e.request) === r.path);
    let got: string | null;
    let where: string;
    if (hits.length > 0) {
      got = hits[0].cause;
      where = `access event (status ${hits[0].status})`;
      if (hits.length > 1) mismatches.push(`${r.path}: ${hits.length} access events, expected one`);
    } else {
      const err =
        server === 'nginx'
          ? errors.find((e) => pathOf(e.request) === r.path)
          : apacheErrorEvent(errors, apache.get(r.path));
      got = err ? err.cause : null;
      where = err ? `error event ${err.signature}` : 'no event';
    }
    if (r.cause === null && /^hidden failure/.test(r.note)) {
      // The client saw a success, but an upstream attempt failed: the tool must report that attempt.
      if (got === null || got === 'unexplained' || got === 'unclassified') {
        mismatches.push(`${r.path} [${r.scenario}] hidden failure not reported (${where})`);
      }
      continue;
    }
    if (got !== r.cause) mismatches.push(`${r.path} [${r.scenario}] expected ${r.cause}, got ${got} (${where})`);
  }
  return { expected, events, summary, mismatches, unexplained: access.filter((e) => e.cause === 'unexplained').length };
}
