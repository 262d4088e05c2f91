import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { runCli, runJson, runNdjson } from './helpers/cli';

/**
 * Correlation, request grouping, PHP-FPM evidence and counting, on small SYNTHETIC logs (written
 * here in the servers' layouts to pin one behaviour each; the captured fixtures are exercised in
 * real-server.test.ts).
 */

function logs(files: Record<string, string[]>): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ud-corr-'));
  for (const [name, lines] of Object.entries(files)) fs.writeFileSync(path.join(dir, name), lines.join('\n') + '\n');
  return dir;
}

const T = '2026/11/24 07:05';
const NCTX = (req: string, up: string) => `, client: 127.0.0.1, server: localhost, request: "${req}", upstream: "${up}", host: "example.test"`;
/** nginx upstream_doctor preset line */
function nac(time: string, req: string, status: number, rt: string, addr: string, ustatus: string, conn: number): string {
  return `127.0.0.1 - - [24/Nov/2026:07:05:${time} +0000] "${req}" ${status} 157 "-" "curl/8" ${rt} ${addr} ${ustatus} ${rt} 0.000 example.test ${conn}`;
}
/** Apache upstream_doctor preset line */
function aac(time: string, req: string, status: number, us: number, port: number): string {
  return `127.0.0.1 - - [24/Nov/2026:07:05:${time} +0000] "${req}" ${status} 300 "-" "curl/8" ${us} localhost ${port}`;
}
const AT = (s: string) => `[Tue Nov 24 07:05:${s} 2026]`;

/** Apache cases name their format: one synthetic line is too little to tell it from nginx's `upstream` preset. */
function analyze(dir: string, extra: string[] = []) {
  const files = fs.readdirSync(dir).map((f) => path.join(dir, f));
  const events = runNdjson(['analyze', ...files, '--tz', 'UTC', ...extra]);
  const summary = events.pop();
  return { events, summary, doc: runJson(['analyze', ...files, '--tz', 'UTC', ...extra]) };
}
const APACHE = ['--apache-format', 'upstream_doctor'];

const access = (events: any[]) => events.filter((e) => e.source.endsWith('-access'));
const errors = (events: any[]) => events.filter((e) => !e.source.endsWith('-access'));

describe('nginx: *CID joins $connection', () => {
  test('two failed attempts of one request are one failure, with the cause of the final attempt', () => {
    const dir = logs({
      'error.log': [
        `${T}:10 [error] 10#10: *7 connect() failed (111: Connection refused) while connecting to upstream${NCTX('GET /a HTTP/1.1', 'http://10.0.0.1:80/a')}`,
        `${T}:10 [warn] 10#10: *7 upstream server temporarily disabled while connecting to upstream${NCTX('GET /a HTTP/1.1', 'http://10.0.0.1:80/a')}`,
        `${T}:11 [error] 10#10: *7 upstream timed out (110: Connection timed out) while reading response header from upstream${NCTX('GET /a HTTP/1.1', 'http://10.0.0.2:80/a')}`,
      ],
      'access.log': [nac('11', 'GET /a HTTP/1.1', 504, '1.002', '10.0.0.1:80, 10.0.0.2:80', '502, 504', 7)],
    });
    const { events, doc } = analyze(dir);
    expect(access(events)).toHaveLength(1);
    expect(access(events)[0].cause).toBe('upstream-timeout-read');
    expect(access(events)[0].evidence).toContain('nginx-connect-refused');
    expect(doc.failures).toBe(1);
    expect(doc.causes.map((c: any) => [c.cause, c.count])).toEqual([['upstream-timeout-read', 1]]);
    expect(doc.evidence).toEqual([{ signature: 'nginx-upstream-disabled', cause: 'no-live-upstreams', count: 1 }]);
    expect(doc.correlation).toMatchObject({ gatewayFailures: 1, explained: 1, explainedShare: 1 });
  });

  test('two requests on one keep-alive connection each get their own error entry', () => {
    const dir = logs({
      'error.log': [
        `${T}:10 [error] 10#10: *9 upstream prematurely closed connection while reading response header from upstream${NCTX('GET /x HTTP/1.1', 'http://10.0.0.1:80/x')}`,
        `${T}:10 [error] 10#10: *9 upstream sent too big header while reading response header from upstream${NCTX('GET /y HTTP/1.1', 'http://10.0.0.1:80/y')}`,
      ],
      'access.log': [
        nac('10', 'GET /x HTTP/1.1', 502, '0.010', '10.0.0.1:80', '502', 9),
        nac('10', 'GET /y HTTP/1.1', 502, '0.010', '10.0.0.1:80', '502', 9),
      ],
    });
    const { events, doc } = analyze(dir);
    expect(access(events).map((e) => [e.request, e.cause])).toEqual([
      ['GET /x HTTP/1.1', 'upstream-closed-early'],
      ['GET /y HTTP/1.1', 'header-too-big'],
    ]);
    expect(doc.failures).toBe(2);
  });

  test('a failure with no error entry is unexplained, and the share says so', () => {
    const dir = logs({
      'error.log': [`${T}:10 [error] 10#10: *1 no live upstreams while connecting to upstream${NCTX('GET /a HTTP/1.1', 'http://pool/a')}`],
      'access.log': [nac('10', 'GET /a HTTP/1.1', 502, '0.000', 'pool', '502', 1), nac('20', 'GET /b HTTP/1.1', 502, '0.000', '10.0.0.1:80', '502', 2)],
    });
    const { events, doc } = analyze(dir);
    expect(access(events).map((e) => e.cause)).toEqual(['no-live-upstreams', 'unexplained']);
    expect(doc.correlation).toMatchObject({ gatewayFailures: 2, explained: 1, explainedShare: 0.5 });
    expect(doc.failures).toBe(2);
  });
});

describe('Apache: [client ip:port] joins %{remote}p; one request, several lines', () => {
  const ap = (s: string, mod: string, tid: number, rest: string) => `${AT(s)} [${mod}] [pid 50:tid ${tid}] ${rest}`;

  test.each([
    ['(111)Connection refused', 'upstream-refused'],
    ['(70007)The timeout specified has expired', 'upstream-timeout-connect'],
    ['(113)No route to host', 'network-unreachable'],
  ])('AH00957 %s + AH01114 [client]: the errno decides (%s), the follow-up gives the client', (errno, cause) => {
    const dir = logs({
      'error.log': [
        ap('10.100000', 'proxy:error', 7, `${errno}: AH00957: http: attempt to connect to 10.0.0.1:80 (10.0.0.1:80) failed`),
        ap('10.100100', 'proxy:error', 7, 'AH00959: ap_proxy_connect_backend disabling worker for (10.0.0.1:80) for 60s'),
        ap('10.100200', 'proxy_http:error', 7, '[client 127.0.0.1:40001] AH01114: HTTP: failed to make connection to backend: 10.0.0.1'),
        // another thread, another request, at the same time: not mixed in
        ap('10.100300', 'proxy_http:error', 8, '(104)Connection reset by peer: [client 127.0.0.1:40002] AH01102: error reading status line from remote server 10.0.0.2:80'),
        ap('10.100400', 'proxy:error', 8, '[client 127.0.0.1:40002] AH00898: Error reading from remote server returned by /b'),
      ],
      'access.log': [aac('10', 'GET /a HTTP/1.1', 503, 1200, 40001), aac('10', 'GET /b HTTP/1.1', 502, 3000, 40002)],
    });
    const { events, doc } = analyze(dir, APACHE);
    expect(access(events).map((e) => [e.request, e.cause])).toEqual([
      ['GET /a HTTP/1.1', cause],
      ['GET /b HTTP/1.1', 'upstream-reset'],
    ]);
    const err = errors(events);
    expect(err).toHaveLength(2);
    expect(err[0]).toMatchObject({ cause, client: '127.0.0.1', clientPort: 40001 });
    expect(err[0].evidence).toEqual(['apache-http-no-backend-connection']);
    expect(err[1].evidence).toEqual(['apache-error-reading-remote']);
    // each failed request counted once, the disabling marker not at all
    expect(doc.failures).toBe(2);
    expect(doc.evidence.map((e: any) => e.signature)).toEqual(['apache-disabling-worker']);
  });

  test('a balancer failover (two connects, one client) is one failure', () => {
    const dir = logs({
      'error.log': [
        ap('10.1', 'proxy:error', 7, '(111)Connection refused: AH00957: http: attempt to connect to 10.0.0.1:80 (10.0.0.1:80) failed'),
        ap('10.2', 'proxy_http:error', 7, '[client 127.0.0.1:40001] AH01114: HTTP: failed to make connection to backend: 10.0.0.1'),
        ap('10.3', 'proxy:error', 7, '(111)Connection refused: AH00957: http: attempt to connect to 10.0.0.2:80 (10.0.0.2:80) failed'),
        ap('10.4', 'proxy_http:error', 7, '[client 127.0.0.1:40001] AH01114: HTTP: failed to make connection to backend: 10.0.0.2'),
      ],
      'access.log': [aac('10', 'GET /a HTTP/1.1', 503, 1200, 40001)],
    });
    const { events, doc } = analyze(dir, APACHE);
    expect(errors(events)).toHaveLength(2); // two attempts logged
    expect(access(events)[0].cause).toBe('upstream-refused');
    expect(doc.failures).toBe(1); // one failed request
  });

  test('a server-level line with no client joins by time and status (AH00941)', () => {
    const dir = logs({
      'error.log': [ap('35.2', 'proxy:error', 9, '(70007)The timeout specified has expired: AH00941: http: failed to acquire connection for (10.0.0.1:80)')],
      'access.log': [aac('35', 'GET /p HTTP/1.1', 503, 205053, 40005), aac('50', 'GET /q HTTP/1.1', 503, 1000, 40006)],
    });
    const { events, doc } = analyze(dir, APACHE);
    expect(access(events).map((e) => e.cause)).toEqual(['proxy-resource-limit', 'unexplained']);
    expect(doc.failures).toBe(2);
  });
});

describe('PHP-FPM evidence', () => {
  const fcgi = 'fastcgi://unix:/run/php/www.sock:';
  const timeout = (s: string, up: string) =>
    `${T}:${s} [error] 10#10: *3 upstream timed out (110: Connection timed out) while reading response header from upstream${NCTX('GET /slow HTTP/1.1', up)}`;

  test('a timeout towards FastCGI while the pool logged max_children is upstream-overloaded', () => {
    const dir = logs({
      'php-fpm.log': ['[24-Nov-2026 07:05:30] WARNING: [pool www] server reached pm.max_children setting (5), consider raising it'],
      'error.log': [timeout('49', fcgi)],
    });
    const { events, doc } = analyze(dir);
    expect(errors(events)).toHaveLength(1);
    expect(errors(events)[0]).toMatchObject({ cause: 'upstream-overloaded', signature: 'nginx-timeout-read-header', evidence: ['fpm-max-children'] });
    expect(doc.failures).toBe(1); // the FPM line is evidence, not a second failure
    expect(doc.evidence).toEqual([{ signature: 'fpm-max-children', cause: 'upstream-overloaded', count: 1 }]);
  });

  test('without FPM evidence in the window, or towards an HTTP upstream, the timeout stays a timeout', () => {
    const dir = logs({
      'php-fpm.log': ['[24-Nov-2026 07:01:00] WARNING: [pool www] server reached pm.max_children setting (5), consider raising it'],
      'error.log': [timeout('49', fcgi), timeout('50', 'http://10.0.0.1:80/slow').replace('*3 ', '*4 ')],
    });
    const { events } = analyze(dir);
    expect(errors(events).map((e) => e.cause)).toEqual(['upstream-timeout-read', 'upstream-timeout-read']);
  });

  test('a reset while an FPM worker died keeps the proxy\'s cause and names the crash as evidence', () => {
    const dir = logs({
      'php-fpm.log': ['[24-Nov-2026 07:05:44] WARNING: [pool www] child 31713 exited on signal 11 (SIGSEGV) after 14.516407 seconds from start'],
      'error.log': [`${T}:44 [error] 10#10: *5 recv() failed (104: Connection reset by peer) while reading response header from upstream${NCTX('GET /c HTTP/1.1', fcgi)}`],
    });
    const { events } = analyze(dir);
    expect(errors(events)[0]).toMatchObject({ cause: 'upstream-reset', category: 'upstream-crash', evidence: ['fpm-child-signal'] });
  });
});

describe('per-upstream figures from $upstream_addr / $upstream_status', () => {
  test('attempts, failures by status, retries and hidden failures, in JSON and the table', () => {
    const dir = logs({
      'access.log': [
        nac('01', 'GET /1 HTTP/1.1', 200, '0.010', '10.0.0.1:80, 10.0.0.2:80', '502, 200', 1), // hidden: retry succeeded
        nac('02', 'GET /2 HTTP/1.1', 502, '0.010', '10.0.0.1:80, 10.0.0.2:80', '502, 502', 2), // both failed
        nac('03', 'GET /3 HTTP/1.1', 200, '0.010', '10.0.0.2:80', '200', 3),
        nac('04', 'GET /4 HTTP/1.1', 200, '0.010', '10.0.0.1:80 : 10.0.0.3:80', '504 : 200', 4), // error_page redirect
      ],
    });
    const { doc, events } = analyze(dir);
    const u = Object.fromEntries(doc.upstreams.map((x: any) => [x.address, x]));
    expect(u['10.0.0.1:80']).toEqual({ address: '10.0.0.1:80', attempts: 3, failures: { '502': 2, '504': 1 }, retried: 3, hiddenFailures: 2 });
    expect(u['10.0.0.2:80']).toEqual({ address: '10.0.0.2:80', attempts: 3, failures: { '502': 1 }, retried: 0, hiddenFailures: 0 });
    expect(u['10.0.0.3:80']).toMatchObject({ attempts: 1, failures: {} });
    // the hidden failures are reported as events with the status the client got
    expect(access(events).map((e) => e.status)).toEqual([200, 502, 200]);
    const table = runCli(['analyze', dir, '--tz', 'UTC']).stdout;
    expect(table).toMatch(/10\.0\.0\.1:80\s+3\s+502:2 504:1\s+3\s+2/);
  });
});
