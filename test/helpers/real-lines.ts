import * as fs from 'fs';
import * as path from 'path';
import * as zlib from 'zlib';
import { ROOT } from './cli';
import { HAVE_PEER, peerIndex, peerPath } from './peer-corpus';

/**
 * Real log lines to mutate: the peer corpus (read in place) and the captured fixtures, when they
 * exist. Grouped by the kind the corpus index gives (fixtures: by file name).
 */

export type LineKind = 'nginx-access' | 'nginx-error' | 'apache-access' | 'apache-error' | 'php-fpm' | 'other';

export function readLogFile(p: string): Buffer {
  const raw = fs.readFileSync(p);
  return raw[0] === 0x1f && raw[1] === 0x8b ? zlib.gunzipSync(raw) : raw;
}

function splitLines(b: Buffer, max: number): Buffer[] {
  const out: Buffer[] = [];
  let pos = 0;
  while (pos < b.length && out.length < max) {
    let nl = b.indexOf(10, pos);
    if (nl === -1) nl = b.length;
    let e = nl;
    if (e > pos && b[e - 1] === 13) e--;
    if (e > pos) out.push(b.subarray(pos, e));
    pos = nl + 1;
  }
  return out;
}

export const FIXTURE_FILES: { file: string; kind: LineKind }[] = [
  { file: 'fixtures/nginx/access.log', kind: 'nginx-access' },
  { file: 'fixtures/nginx/access-combined.log', kind: 'nginx-access' },
  { file: 'fixtures/nginx/error.log', kind: 'nginx-error' },
  { file: 'fixtures/nginx/php-fpm.log', kind: 'php-fpm' },
  { file: 'fixtures/apache/access.log', kind: 'apache-access' },
  { file: 'fixtures/apache/access-combined.log', kind: 'apache-access' },
  { file: 'fixtures/apache/error.log', kind: 'apache-error' },
  { file: 'fixtures/apache/php-fpm.log', kind: 'php-fpm' },
];

/** Every log file the accounting tests walk: fixtures present in the worktree, then the peer corpus. */
export function allLogFiles(): { path: string; kind: LineKind }[] {
  const out: { path: string; kind: LineKind }[] = [];
  for (const f of FIXTURE_FILES) {
    const p = path.join(ROOT, f.file);
    if (fs.existsSync(p)) out.push({ path: p, kind: f.kind });
  }
  if (HAVE_PEER) for (const e of peerIndex()) out.push({ path: peerPath(e.file), kind: e.kind });
  return out;
}

/** Canonical lines of each kind, so every pool has real shapes even without fixtures or corpus. */
export const SEED_LINES: Record<Exclude<LineKind, 'other'>, string[]> = {
  'nginx-access': [
    '127.0.0.1 - - [16/Nov/2024:14:15:25 +0000] "GET /api/x?id=1 HTTP/1.1" 502 157 "-" "curl/8.5.0" 0.002 127.0.0.1:9000 502 0.001 0.000 localhost 42',
    '10.0.0.1 - bob [16/Nov/2024:14:15:25 +0100] "POST /a\\x22b HTTP/2.0" 504 0 "https://r/" "Mozilla/5.0 (X11)" 60.001 10.0.0.2:80, 10.0.0.3:80 : unix:/run/php.sock 504, 502 : 200 60.000, 0.001 : 0.002 0.000, - : 0.001 example.com 7',
  ],
  'nginx-error': [
    '2024/11/16 14:15:25 [error] 1234#1234: *42 connect() failed (111: Connection refused) while connecting to upstream, client: 127.0.0.1, server: localhost, request: "GET /x HTTP/1.1", upstream: "http://127.0.0.1:9000/x", host: "localhost"',
    '2024/11/16 14:15:25 [error] 1234#0: *7 upstream timed out (110: Connection timed out) while reading response header from upstream, client: ::1, server: _, request: "GET / HTTP/1.1", upstream: "fastcgi://unix:/run/php/php-fpm.sock:", host: "h", referrer: "http://h/"',
    '2024/11/16 14:15:25 [error] 9#9: *3 FastCGI sent in stderr: "PHP message: PHP Fatal error:  boom in /var/www/a.php:3',
  ],
  'apache-access': [
    '127.0.0.1 - - [16/Nov/2024:14:15:25 +0000] "GET /x HTTP/1.1" 502 341 "-" "curl/8.5.0" 2011 localhost 51234',
    '::1 - frank [16/Nov/2024:14:15:25 -0700] "GET /a\\"b HTTP/1.0" 503 - "http://r/\\x1b" "UA \\"quoted\\""',
  ],
  'apache-error': [
    '[Sat Nov 16 14:15:25.123456 2024] [proxy:error] [pid 12:tid 34] (111)Connection refused: AH00957: http: attempt to connect to 127.0.0.1:9000 (127.0.0.1:9000) failed',
    '[Sat Nov 16 14:15:25.123456 2024] [proxy_http:error] [pid 12:tid 34] (70007)The timeout specified has expired: [client 127.0.0.1:5678] AH01102: error reading status line from remote server 127.0.0.1:9000, referer: http://x/',
    '[Sat Nov 16 14:15:25 2024] [error] [client 1.2.3.4] (111)Connection refused: proxy: HTTP: attempt to connect to 127.0.0.1:8080 (localhost) failed',
  ],
  'php-fpm': [
    '[16-Nov-2024 14:15:25] WARNING: [pool www] server reached pm.max_children setting (5), consider raising it',
    '[16-Nov-2024 14:15:25.123456] NOTICE: fpm is running, pid 12',
    '[16-Nov-2024 14:15:25] WARNING: [pool www] child 123 exited on signal 11 (SIGSEGV) after 1.5 seconds from start',
  ],
};

let cache: Map<LineKind, Buffer[]> | null = null;

/** Up to `perFile` lines of every known file, by kind. */
export function realLines(perFile = 200): Map<LineKind, Buffer[]> {
  if (cache) return cache;
  cache = new Map();
  for (const [k, v] of Object.entries(SEED_LINES)) cache.set(k as LineKind, v.map((l) => Buffer.from(l)));
  for (const f of allLogFiles()) {
    let lines: Buffer[];
    try {
      lines = splitLines(readLogFile(f.path), perFile);
    } catch {
      continue;
    }
    const list = cache.get(f.kind) ?? [];
    list.push(...lines);
    cache.set(f.kind, list);
  }
  return cache;
}

/** All real lines, or the given kinds only (never empty: the seed lines are always there). */
export function linePool(...kinds: LineKind[]): Buffer[] {
  const m = realLines();
  const out: Buffer[] = [];
  for (const [k, v] of m) if (kinds.length === 0 || kinds.includes(k)) out.push(...v);
  return out;
}
