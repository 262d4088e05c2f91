import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { CAUSES, ErrorEntry, LogKind, Signature } from '../src/model';
import { SIGNATURES } from '../src/diagnose/signatures';
import { SignatureMatcher, leadWords } from '../src/diagnose/matcher';
import { ROOT } from './helpers/cli';
import { ReadEntry, readErrorEntries } from './helpers/error-entries';
import { HAVE_PEER, peerIndex } from './helpers/peer-corpus';
import { peerLogFile } from './helpers/peer-cases';
import { ILLUSTRATIVE } from './helpers/illustrative-lines';

/**
 * The signature catalogue against real lines. CAPTURED names, per signature, the file the line
 * comes from (a fixture the capture helper wrote from a real server, or a peer-corpus file read in
 * place, `peer:` + its path in the corpus), the line where it stood when this table was written,
 * and a needle that finds it again (line numbers move when the fixtures are captured anew; the
 * needle avoids the capture's random temp-dir name). Signatures with no captured line are listed
 * in docs/diagnosis.md ("no captured line yet") and tested only with ILLUSTRATIVE lines below.
 */

interface Captured {
  id: string;
  file: string; // fixtures/... relative to the repo, or peer:<path in the corpus>
  line: number; // where it stood when the table was written (documentation; the needle finds it)
  needle: string;
}

export const CAPTURED: Captured[] = [
  { id: 'nginx-connect-refused', file: 'fixtures/nginx/error.log', line: 20, needle: "connect() failed (111: Connection refused) while connecting to upstream" },
  { id: 'nginx-connect-socket-missing', file: 'fixtures/nginx/error.log', line: 82, needle: "connect() to unix:" },
  { id: 'nginx-connect-permission', file: 'fixtures/nginx/error.log', line: 88, needle: "connect() to unix:" },
  { id: 'nginx-connect-backlog-full', file: 'fixtures/nginx/error.log', line: 134, needle: "connect() to unix:" },
  { id: 'nginx-connect-host-unreachable', file: 'peer:vrl/parse_nginx_log.error.cases.json', line: 6, needle: "connect() failed (113: No route to host) while connecting to upstream" },
  { id: 'nginx-timeout-connect', file: 'fixtures/nginx/error.log', line: 41, needle: "upstream timed out (110: Connection timed out) while connecting to upstream" },
  { id: 'nginx-timeout-send', file: 'fixtures/nginx/error.log', line: 46, needle: "upstream timed out (110: Connection timed out) while sending request to upstream" },
  { id: 'nginx-timeout-read-header', file: 'fixtures/nginx/error.log', line: 37, needle: "upstream timed out (110: Connection timed out) while reading response header from upstream" },
  { id: 'nginx-recv-reset-header', file: 'fixtures/nginx/error.log', line: 33, needle: "recv() failed (104: Connection reset by peer) while reading response header from upstream" },
  { id: 'nginx-premature-close-header', file: 'fixtures/nginx/error.log', line: 29, needle: "upstream prematurely closed connection while reading response header from upstream" },
  { id: 'nginx-premature-close-sending-to-client', file: 'peer:grok_exporter/nginx_error.cases.json', line: 2, needle: "upstream prematurely closed connection while sending to client" },
  { id: 'nginx-no-live-upstreams', file: 'fixtures/nginx/error.log', line: 70, needle: "no live upstreams while connecting to upstream" },
  { id: 'nginx-upstream-disabled', file: 'fixtures/nginx/error.log', line: 21, needle: "upstream server temporarily disabled while connecting to upstream" },
  { id: 'nginx-header-too-big', file: 'fixtures/nginx/error.log', line: 51, needle: "upstream sent too big header while reading response header from upstream" },
  { id: 'nginx-invalid-header', file: 'fixtures/nginx/error.log', line: 59, needle: "upstream sent invalid header: \"X\\x20...\" while reading response header from upstream" },
  { id: 'nginx-no-valid-http-header', file: 'fixtures/nginx/error.log', line: 55, needle: "upstream sent no valid HTTP/1.0 header while reading response header from upstream" },
  { id: 'nginx-invalid-chunked', file: 'fixtures/nginx/error.log', line: 63, needle: "upstream sent invalid chunked response while reading upstream" },
  { id: 'nginx-ssl-verify-error', file: 'fixtures/nginx/error.log', line: 96, needle: "upstream SSL certificate verify error: (18:self-signed certificate) while SSL handshaking " },
  { id: 'nginx-ssl-handshake-failed', file: 'fixtures/nginx/error.log', line: 92, needle: "SSL_do_handshake() failed (SSL: error:0A00010B:SSL routines::wrong version number) while S" },
  { id: 'nginx-mail-resolve-client', file: 'peer:crowdsec-hub/nginx-mail-logs/nginx-mail-logs.log', line: 2, needle: "5.34.207.182 could not be resolved (3: Host not found) while in resolving client address" },
  { id: 'nginx-mail-logged-in', file: 'peer:crowdsec-hub/nginx-mail-logs/nginx-mail-logs.log', line: 8, needle: "client logged in" },
  { id: 'nginx-mail-session-done', file: 'peer:crowdsec-hub/nginx-mail-logs/nginx-mail-logs.log', line: 9, needle: "proxied session done" },
  { id: 'nginx-resolve-host-not-found', file: 'fixtures/nginx/error.log', line: 74, needle: "nope.test could not be resolved (3: Host not found)" },
  { id: 'nginx-resolve-server-failure', file: 'fixtures/nginx/error.log', line: 78, needle: "servfail.test could not be resolved (2: Server failure)" },
  { id: 'nginx-resolve-timeout', file: 'fixtures/nginx/error.log', line: 80, needle: "silent.test could not be resolved (110: Operation timed out)" },
  { id: 'nginx-worker-connections', file: 'fixtures/nginx/error.log', line: 144, needle: "16 worker_connections are not enough while connecting to upstream" },
  { id: 'nginx-buffered-to-temp-file', file: 'peer:elastic-integrations/nginx/error/test-error-raw.log', line: 7, needle: "an upstream response is buffered to a temporary file /var/cache/nginx/proxy_temp/8/65/0000" },
  { id: 'nginx-client-closed', file: 'fixtures/nginx/error.log', line: 142, needle: "epoll_wait() reported that client prematurely closed connection, so upstream connection is" },
  { id: 'nginx-fastcgi-primary-script-unknown', file: 'fixtures/nginx/error.log', line: 118, needle: "FastCGI sent in stderr: \"Primary script unknown\" while reading response header from upstre" },
  { id: 'nginx-fastcgi-php-fatal', file: 'fixtures/nginx/error.log', line: 100, needle: "FastCGI sent in stderr: \"PHP message: PHP Fatal error:  Allowed memory size of 8388608 byt" },
  { id: 'nginx-fastcgi-stderr', file: 'fixtures/nginx/error.log', line: 16, needle: "FastCGI sent in stderr: \"PHP message: payment gateway slow:" },
  { id: 'apache-connect-refused', file: 'fixtures/apache/error.log', line: 14, needle: "http: attempt to connect to 127.0.0.1:18127 (127.0.0.1:18127) failed" },
  { id: 'apache-connect-timeout', file: 'fixtures/apache/error.log', line: 35, needle: "http: attempt to connect to 127.0.0.1:18130 (127.0.0.1:18130) failed" },
  { id: 'apache-unix-socket-missing', file: 'fixtures/apache/error.log', line: 61, needle: "http: attempt to connect to Unix domain socket " },
  { id: 'apache-unix-socket-permission', file: 'fixtures/apache/error.log', line: 67, needle: "http: attempt to connect to Unix domain socket " },
  { id: 'apache-disabling-worker', file: 'fixtures/apache/error.log', line: 15, needle: "ap_proxy_connect_backend disabling worker for (127.0.0.1:18127) for 30s" },
  { id: 'apache-http-no-backend-connection', file: 'fixtures/apache/error.log', line: 16, needle: "HTTP: failed to make connection to backend: 127.0.0.1" },
  { id: 'apache-fcgi-no-backend-connection', file: 'fixtures/apache/error.log', line: 66, needle: "failed to make connection to backend: php-missing" },
  { id: 'apache-acquire-connection-failed', file: 'fixtures/apache/error.log', line: 123, needle: "http: failed to acquire connection for (127.0.0.1:18111)" },
  { id: 'apache-balancer-all-in-error', file: 'fixtures/apache/error.log', line: 57, needle: "balancer://dead: All workers are in error state" },
  { id: 'apache-status-line-timeout', file: 'fixtures/apache/error.log', line: 31, needle: "error reading status line from remote server 127.0.0.1:18104" },
  { id: 'apache-status-line-reset', file: 'fixtures/apache/error.log', line: 27, needle: "error reading status line from remote server 127.0.0.1:18103" },
  { id: 'apache-status-line-closed', file: 'fixtures/apache/error.log', line: 23, needle: "error reading status line from remote server 127.0.0.1:18102" },
  { id: 'apache-error-reading-remote', file: 'fixtures/apache/error.log', line: 24, needle: "Error reading from remote server returned by /s/closed-early/1" },
  { id: 'apache-response-body-invalid', file: 'fixtures/apache/error.log', line: 49, needle: "error reading response" },
  { id: 'apache-dns-lookup-failure', file: 'fixtures/apache/error.log', line: 59, needle: "DNS lookup failure for: this-label-is-longer-than-the-sixty-three-octets-that-dns-allows-p" },
  { id: 'apache-header-over-field-size', file: 'fixtures/apache/error.log', line: 43, needle: "header size is over the limit allowed by ResponseFieldSize (8192 bytes). Bad response head" },
  { id: 'apache-bad-header-returned', file: 'fixtures/apache/error.log', line: 44, needle: "bad HTTP/1.1 header returned by /s/header-too-big/1 (GET)" },
  { id: 'apache-invalid-response-header-name', file: 'fixtures/apache/error.log', line: 47, needle: "Response header name 'X Bad Header' contains invalid characters, aborting request" },
  { id: 'apache-pass-body-timeout', file: 'fixtures/apache/error.log', line: 39, needle: "pass request body failed to 127.0.0.1:18105 (127.0.0.1)" },
  { id: 'apache-pass-body-tls', file: 'fixtures/apache/error.log', line: 76, needle: "pass request body failed to 127.0.0.1:18101 (127.0.0.1)" },
  { id: 'apache-http-pass-body-failed', file: 'fixtures/apache/error.log', line: 40, needle: "pass request body failed to 127.0.0.1:18105 (127.0.0.1) from 127.0.0.1 ()" },
  { id: 'apache-ssl-handshake-remote', file: 'fixtures/apache/error.log', line: 77, needle: "Error during SSL Handshake with remote server returned by /s/tls-plain-port/1" },
  { id: 'apache-ssl-proxy-connect-failed', file: 'fixtures/apache/error.log', line: 72, needle: "SSL Proxy connect failed" },
  { id: 'apache-ssl-cert-verify-info', file: 'fixtures/apache/error.log', line: 88, needle: "Certificate Verification: Error (18): self-signed certificate [subject: CN=localhost / iss" },
  { id: 'apache-ssl-handshake-sending-502', file: 'fixtures/apache/error.log', line: 75, needle: "SSL handshake failed: sending 502" },
  { id: 'apache-fcgi-read-header-failed', file: 'fixtures/apache/error.log', line: 111, needle: "Failed to read FastCGI header" },
  { id: 'apache-fcgi-client-body-failed', file: 'peer:logstash-patterns-core/httpd_spec.error.cases.json', line: 1, needle: "Error dispatching request to : (reading input brigade)" },
  { id: 'apache-fcgi-dispatch-timeout', file: 'fixtures/apache/error.log', line: 117, needle: "Error dispatching request to :18081: (polling)" },
  { id: 'apache-fcgi-dispatch-reset', file: 'fixtures/apache/error.log', line: 112, needle: "Error dispatching request to :18081: " },
  { id: 'apache-fcgi-primary-script-unknown', file: 'fixtures/apache/error.log', line: 109, needle: "Got error 'Primary script unknown'" },
  { id: 'apache-fcgi-php-fatal', file: 'fixtures/apache/error.log', line: 105, needle: "Got error 'PHP message: PHP Fatal error:  Allowed memory size of 8388608 bytes exhausted (" },
  { id: 'apache-fcgi-stderr', file: 'fixtures/apache/error.log', line: 13, needle: "Got error 'PHP message: payment gateway slow:\\n  attempt 1: 1200 ms\\n  attempt 2: 950 ms'" },
  { id: 'fpm-max-children', file: 'fixtures/nginx/php-fpm.log', line: 28, needle: "server reached pm.max_children setting (1), consider raising it" },
  { id: 'fpm-child-signal', file: 'fixtures/nginx/php-fpm.log', line: 21, needle: "child 31713 exited on signal 11 (SIGSEGV) after 14.516407 seconds from start" },
  { id: 'fpm-execution-timed-out', file: 'fixtures/nginx/php-fpm.log', line: 25, needle: "execution timed out" },
  { id: 'fpm-php-fatal', file: 'fixtures/nginx/php-fpm.log', line: 7, needle: "child 31713 said into stderr: \"NOTICE: PHP message: PHP Fatal error:  Allowed memory size " },
  { id: 'fpm-child-said', file: 'fixtures/nginx/php-fpm.log', line: 4, needle: "child 31714 said into stderr: \"NOTICE: PHP message: payment gateway slow:\"" },
];

const matcher = new SignatureMatcher();
const byId = new Map(SIGNATURES.map((s) => [s.id, s]));
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'ud-sig-'));
const entryCache = new Map<string, ReadEntry[] | null>();

function entriesOf(file: string): ReadEntry[] | null {
  if (entryCache.has(file)) return entryCache.get(file)!;
  let p: string | null;
  if (file.startsWith('peer:')) {
    const rel = file.slice(5);
    const entry = HAVE_PEER ? peerIndex().find((e) => e.file === rel) : undefined;
    p = entry ? peerLogFile(entry, tmp) : null;
  } else {
    p = path.join(ROOT, file);
    if (!fs.existsSync(p)) p = null;
  }
  const out = p ? readErrorEntries(p) : null;
  entryCache.set(file, out);
  return out;
}

/** The first entry holding the needle that the row's own code/errno filters admit. */
function find(c: Captured, sig: Signature): ReadEntry | undefined {
  return entriesOf(c.file)?.find(
    (r) =>
      r.entry.message.includes(c.needle) &&
      (sig.code === undefined || r.entry.code === sig.code) &&
      (sig.errno === undefined || (r.entry.errno !== null && sig.errno.includes(r.entry.errno))),
  );
}

describe('the catalogue table', () => {
  test('has at least 60 signatures with unique ids, known causes, hints and sources', () => {
    expect(SIGNATURES.length).toBeGreaterThanOrEqual(60);
    expect(new Set(SIGNATURES.map((s) => s.id)).size).toBe(SIGNATURES.length);
    for (const s of SIGNATURES) {
      expect([s.id, (CAUSES as readonly string[]).includes(s.cause)]).toEqual([s.id, true]);
      expect([s.id, s.hint.trim().length > 10, s.source.trim().length > 0, s.literal.length > 0]).toEqual([s.id, true, true, true]);
      expect([s.id, s.pattern.source.startsWith('^'), s.pattern.flags.includes('m')]).toEqual([s.id, true, false]);
      expect([s.id, s.id.startsWith(s.server === 'php-fpm' ? 'fpm-' : s.server)]).toEqual([s.id, true]);
    }
  });

  test('every pattern uses only bounded repeats and no quantified group holding a quantifier', () => {
    // With `^` and bounded repeats, one match attempt reads at most the sum of the bounds:
    // the work per message is bounded whatever its length (no catastrophic backtracking).
    for (const s of SIGNATURES) {
      const src = s.pattern.source.replace(/\\./g, 'x'); // escaped characters are literals
      expect([s.id, /[*+]|\{\d+,\}/.test(src.replace(/\[[^\]]*\]/g, 'c'))]).toEqual([s.id, false]);
      // a group that may repeat (`*`, `+`, `{n,m}`) around a quantifier; an optional group (`?`) is fine
      expect([s.id, /\([^()]*(?:\{\d|[*+?])[^()]*\)(?:[*+]|\{\d+,)/.test(src)]).toEqual([s.id, false]);
    }
  });

  test('every pattern answers on 100 KB adversarial messages (jest timeout is the bound)', () => {
    const adversarial = (s: Signature): string[] => {
      const lead = s.pattern.source.replace(/^\^/, '').replace(/\\(.)/g, '$1').slice(0, 40);
      return [
        s.literal.repeat(Math.ceil(100_000 / s.literal.length)),
        lead + ' '.repeat(100_000),
        lead + 'a'.repeat(100_000) + ')',
        (lead + '(1: ').repeat(Math.ceil(100_000 / (lead.length + 4))),
        '"' + 'x('.repeat(50_000),
      ];
    };
    for (const s of SIGNATURES) {
      for (const text of adversarial(s)) {
        expect(text.length).toBeGreaterThanOrEqual(99_000);
        expect(typeof s.pattern.test(text)).toBe('boolean');
      }
    }
  });

  test('the matcher index finds the same row as a plain scan of the table, for every captured and illustrative line', () => {
    const plain = (kind: LogKind, e: ErrorEntry): string | null => {
      const server = kind === 'php-fpm' ? 'php-fpm' : kind.startsWith('nginx') ? 'nginx' : 'apache';
      const ok = (s: Signature) =>
        (s.errno === undefined || (e.errno !== null && s.errno.includes(e.errno))) && e.message.includes(s.literal) && s.pattern.test(e.message);
      const coded = e.code === null ? undefined : SIGNATURES.find((s) => s.code === e.code && ok(s));
      return (coded ?? SIGNATURES.find((s) => s.server === server && s.code === undefined && ok(s)))?.id ?? null;
    };
    let compared = 0;
    for (const ill of ILLUSTRATIVE) {
      const e = ill.entry();
      expect([ill.id, matcher.match(ill.kind, e)?.id ?? null]).toEqual([ill.id, plain(ill.kind, e)]);
      compared++;
    }
    expect(compared).toBeGreaterThan(50);
    expect(SIGNATURES.filter((s) => leadWords(s.pattern) !== null).length).toBeGreaterThan(SIGNATURES.length / 2);
  });
});

describe('every captured line matches its signature', () => {
  test('the table names known signatures, each once', () => {
    for (const c of CAPTURED) expect([c.id, byId.has(c.id)]).toEqual([c.id, true]);
    expect(new Set(CAPTURED.map((c) => c.id)).size).toBe(CAPTURED.length);
  });
  for (const c of CAPTURED) {
    const have = c.file.startsWith('peer:') ? HAVE_PEER : fs.existsSync(path.join(ROOT, c.file));
    (have ? test : test.skip)(`${c.id} ← ${c.file} (line ${c.line} when written)`, () => {
      const sig = byId.get(c.id)!;
      const hit = find(c, sig);
      expect(hit).toBeDefined();
      expect(matcher.match(hit!.kind, hit!.entry)?.id).toBe(c.id);
    });
  }
});

describe('illustrative lines (NOT captured: written from the reference\'s format strings)', () => {
  test('docs/diagnosis.md lists every signature without a captured line', () => {
    const doc = fs.readFileSync(path.join(ROOT, 'docs', 'diagnosis.md'), 'utf8');
    const gapList = doc.slice(doc.indexOf('### No captured line yet'));
    const captured = new Set(CAPTURED.map((c) => c.id));
    const unlisted = SIGNATURES.filter(
      (s) => !captured.has(s.id) && !gapList.includes(s.id) && !(s.id.startsWith('apache22-') && gapList.includes('apache22-*')),
    );
    expect(unlisted.map((s) => s.id)).toEqual([]);
  });

  test('every signature without a captured line has an illustrative one', () => {
    const captured = new Set(CAPTURED.map((c) => c.id));
    const illustrated = new Set(ILLUSTRATIVE.map((i) => i.id));
    expect(SIGNATURES.filter((s) => !captured.has(s.id) && !illustrated.has(s.id)).map((s) => s.id)).toEqual([]);
  });
  for (const ill of ILLUSTRATIVE) {
    test(`${ill.id} (illustrative)`, () => {
      expect(matcher.match(ill.kind, ill.entry())?.id ?? null).toBe(ill.id);
    });
  }
});
