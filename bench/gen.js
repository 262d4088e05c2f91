'use strict';
/**
 * Deterministic benchmark workload: the same seed and sizes always give the same bytes.
 * A month of traffic: mostly 200s, a few 404/499, and 502/504 bursts whose error-log twins are
 * written to the matching error log (so correlation is exercised), many distinct URLs and clients.
 *
 *   node bench/gen.js [outDir]     sizes from BENCH_LINES (default 1e6), BENCH_ERROR_LINES,
 *                                  BENCH_DISTINCT_LINES, BENCH_SEED
 */
const fs = require('fs');
const path = require('path');
const zlib = require('zlib');

function mulberry32(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const MON = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const DAY = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const START = Date.UTC(2024, 10, 1); // 1 Nov 2024, a month of traffic
const MONTH_S = 30 * 86400;
const p2 = (n) => (n < 10 ? '0' + n : '' + n);

/** Times repeat for many lines in a row: keep the last rendering of each formatter. */
function memo(fn) {
  let lastMs = NaN;
  let last = '';
  return (ms) => (ms === lastMs ? last : ((lastMs = ms), (last = fn(ms))));
}
const clf = memo((ms) => {
  const d = new Date(ms);
  return `${p2(d.getUTCDate())}/${MON[d.getUTCMonth()]}/${d.getUTCFullYear()}:${p2(d.getUTCHours())}:${p2(d.getUTCMinutes())}:${p2(d.getUTCSeconds())} +0000`;
});
function ngxErrTime(ms) {
  const d = new Date(ms);
  return `${d.getUTCFullYear()}/${p2(d.getUTCMonth() + 1)}/${p2(d.getUTCDate())} ${p2(d.getUTCHours())}:${p2(d.getUTCMinutes())}:${p2(d.getUTCSeconds())}`;
}
function apacheErrTime(ms) {
  const d = new Date(ms);
  const us = String((ms % 1000) * 1000 + 123).padStart(6, '0');
  return `${DAY[d.getUTCDay()]} ${MON[d.getUTCMonth()]} ${p2(d.getUTCDate())} ${p2(d.getUTCHours())}:${p2(d.getUTCMinutes())}:${p2(d.getUTCSeconds())}.${us} ${d.getUTCFullYear()}`;
}

const AGENTS = [
  'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/119.0.0.0 Safari/537.36',
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:120.0) Gecko/20100101 Firefox/120.0',
  'Mozilla/5.0 (iPhone; CPU iPhone OS 17_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148',
  'curl/8.4.0',
  'Googlebot/2.1 (+http://www.google.com/bot.html)',
];
const UPSTREAMS = ['10.0.0.11:8080', '10.0.0.12:8080', '10.0.0.13:8080', 'unix:/run/php/php8.2-fpm.sock'];
const SECTIONS = ['api/v1/items', 'shop/product', 'static/img', 'blog/post', 'search'];

/** One request: the fields every format is rendered from. */
function makeRequest(rnd, i, n, distinct) {
  const ts = START + Math.floor((i / n) * MONTH_S) * 1000;
  // bursts: one minute in ~97 is a burst minute in which a fifth of requests fail with 502/504
  const minute = Math.floor(ts / 60000);
  const burst = minute % 97 === 13;
  let status = 200;
  let ustatus = '200';
  let addr = UPSTREAMS[(i * 7 + (minute & 3)) & 3];
  const r = rnd();
  if (burst && r < 0.2) {
    status = r < 0.13 ? 502 : 504;
    ustatus = String(status);
  } else if (r < 0.02) {
    status = 404;
    ustatus = '404';
  } else if (r < 0.021) {
    status = 499;
    ustatus = '-';
  } else if (r < 0.022) {
    // a retried attempt that still succeeded: a hidden upstream failure
    addr = `${UPSTREAMS[0]}, ${UPSTREAMS[1]}`;
    ustatus = '502, 200';
  }
  const id = distinct ? i : Math.floor(rnd() * 2_000_000);
  const path = `/${SECTIONS[id % 5]}/${id}${rnd() < 0.3 ? '?page=' + Math.floor(rnd() * 20) : ''}`;
  const client = distinct
    ? `10.${(i >>> 16) & 255}.${(i >>> 8) & 255}.${i & 255}`
    : `${(rnd() * 223 + 1) | 0}.${(rnd() * 256) | 0}.${(rnd() * 256) | 0}.${(rnd() * 256) | 0}`;
  const host = distinct ? `h${i}.example.com` : `www${i % 3 || ''}.example.com`;
  const rt = status === 504 ? 60 : rnd() * 0.3;
  return {
    ts, status, ustatus, addr, path, client, host, rt,
    method: rnd() < 0.9 ? 'GET' : 'POST',
    bytes: status === 200 ? (rnd() * 50000) | 0 : 157,
    agent: AGENTS[(rnd() * AGENTS.length) | 0],
    referer: rnd() < 0.5 ? '-' : `https://www.example.com/${SECTIONS[i % 5]}/`,
    port: 30000 + (i % 30000),
  };
}

const FORMATS = {
  // nginx `upstream` preset
  upstream: (q) =>
    `${q.client} - - [${clf(q.ts)}] "${q.method} ${q.path} HTTP/1.1" ${q.status} ${q.bytes} "${q.referer}" "${q.agent}" ${q.rt.toFixed(3)} ${q.status === 499 ? '-' : q.addr} ${q.ustatus} ${q.status === 499 ? '-' : q.rt.toFixed(3)}`,
  combined: (q) =>
    `${q.client} - - [${clf(q.ts)}] "${q.method} ${q.path} HTTP/1.1" ${q.status} ${q.bytes} "${q.referer}" "${q.agent}"`,
  // Apache `upstream_doctor` preset: %h %l %u %t "%r" %>s %O "%{Referer}i" "%{User-Agent}i" %D %v %{remote}p
  apache: (q) =>
    `${q.client} - - [${clf(q.ts)}] "${q.method} ${q.path} HTTP/1.1" ${q.status} ${q.bytes + 300} "${q.referer}" "${q.agent}" ${Math.round(q.rt * 1e6)} ${q.host} ${q.port}`,
  // nginx `upstream_doctor` preset, with a distinct $host per line in the distinct workload
  doctor: (q) =>
    `${q.client} - - [${clf(q.ts)}] "${q.method} ${q.path} HTTP/1.1" ${q.status} ${q.bytes} "${q.referer}" "${q.agent}" ${q.rt.toFixed(3)} ${q.addr} ${q.ustatus} ${q.rt.toFixed(3)} 0.001 ${q.host} ${q.port}`,
};

const NGX_NOISE = [
  (q) => `[error] 1234#1234: *${q.port} open() "/var/www/html${q.path}" failed (2: No such file or directory), client: ${q.client}, server: www.example.com, request: "GET ${q.path} HTTP/1.1", host: "www.example.com"`,
  (q) => `[warn] 1234#1234: *${q.port} an upstream response is buffered to a temporary file /var/cache/nginx/proxy_temp/1/00/0000000${q.port} while reading upstream, client: ${q.client}, server: www.example.com, request: "GET ${q.path} HTTP/1.1", upstream: "${upstreamUrl(UPSTREAMS[0], q.path)}", host: "www.example.com"`,
  (q) => `[info] 1234#1234: *${q.port} client ${q.client} closed keepalive connection`,
  (q) => `[notice] 1234#1234: signal process started`,
  (q) => `[error] 1234#1234: *${q.port} access forbidden by rule, client: ${q.client}, server: www.example.com, request: "GET /.env HTTP/1.1", host: "www.example.com"`,
];
const APACHE_NOISE = [
  (q) => `[core:info] [pid 2345:tid 140023] [client ${q.client}:${q.port}] AH00128: File does not exist: /var/www/html${q.path}`,
  (q) => `[authz_core:error] [pid 2345:tid 140023] [client ${q.client}:${q.port}] AH01630: client denied by server configuration: /var/www/html/.env`,
  (q) => `[mpm_event:notice] [pid 2300:tid 140000] AH00489: Apache/2.4.71 (Debian) configured -- resuming normal operations`,
  (q) => `[ssl:info] [pid 2345:tid 140023] [client ${q.client}:${q.port}] AH01964: Connection to child 3 established (server www.example.com:443)`,
];

/** The upstream URL nginx writes: a unix socket path ends with a colon before the URI. */
function upstreamUrl(addr, uri) {
  return addr.startsWith('unix:') ? `http://${addr}:${uri}` : `http://${addr}${uri}`;
}

function ngxTwin(q) {
  const up = q.addr.split(', ').pop();
  const msg =
    q.status === 502
      ? `[error] 1234#1234: *${q.port} connect() failed (111: Connection refused) while connecting to upstream`
      : `[error] 1234#1234: *${q.port} upstream timed out (110: Connection timed out) while reading response header from upstream`;
  return `${ngxErrTime(q.ts)} ${msg}, client: ${q.client}, server: www.example.com, request: "${q.method} ${q.path} HTTP/1.1", upstream: "${upstreamUrl(up, q.path)}", host: "www.example.com"`;
}
function apacheTwin(q) {
  return q.status === 502
    ? `[${apacheErrTime(q.ts)}] [proxy:error] [pid 2345:tid 140023] (111)Connection refused: [client ${q.client}:${q.port}] AH00957: http: attempt to connect to 10.0.0.11:8080 (10.0.0.11:8080) failed`
    : `[${apacheErrTime(q.ts)}] [proxy_http:error] [pid 2345:tid 140023] (70007)The timeout specified has expired: [client ${q.client}:${q.port}] AH01102: error reading status line from remote server 10.0.0.11:8080`;
}

/** Buffered writer: a string per line is fine here, the generator is not what is measured. */
class Out {
  constructor(file, gzip) {
    this.fd = fs.openSync(file, 'w');
    this.gzip = gzip ? [] : null;
    this.parts = [];
    this.size = 0;
    this.lines = 0;
    this.bytes = 0;
  }
  line(s) {
    this.parts.push(s);
    this.size += s.length + 1;
    this.lines++;
    if (this.size > 1 << 20) this.flush();
  }
  flush() {
    if (this.parts.length === 0) return;
    const b = Buffer.from(this.parts.join('\n') + '\n', 'latin1');
    this.bytes += b.length;
    if (this.gzip) this.gzip.push(b);
    else fs.writeSync(this.fd, b);
    this.parts = [];
    this.size = 0;
  }
  close() {
    this.flush();
    if (this.gzip) fs.writeSync(this.fd, zlib.gzipSync(Buffer.concat(this.gzip), { level: 6 }));
    fs.closeSync(this.fd);
    return { lines: this.lines, bytes: this.bytes };
  }
}

/** Writes an access log (and optionally its error-log twin) of n lines; returns line counts. */
function writeAccess(file, fmt, n, seed, opts = {}) {
  const rnd = mulberry32(seed);
  const out = new Out(file, opts.gzip);
  const err = opts.errorFile ? new Out(opts.errorFile) : null;
  const render = FORMATS[fmt];
  for (let i = 0; i < n; i++) {
    const q = makeRequest(rnd, i, n, opts.distinct);
    out.line(render(q));
    if (err && (q.status === 502 || q.status === 504)) err.line(opts.apacheErrors ? apacheTwin(q) : ngxTwin(q));
  }
  const r = out.close();
  if (err) err.close();
  return r;
}

/** An error log of n lines: mostly the noise a real server writes, with upstream failures among it. */
function writeError(file, server, n, seed) {
  const rnd = mulberry32(seed);
  const out = new Out(file);
  for (let i = 0; i < n; i++) {
    const q = makeRequest(rnd, i, n, false);
    if (q.status === 502 || q.status === 504 || rnd() < 0.05) {
      if (q.status < 500) q.status = 502;
      out.line(server === 'nginx' ? ngxTwin(q) : apacheTwin(q));
    } else if (server === 'nginx') {
      out.line(`${ngxErrTime(q.ts)} ${NGX_NOISE[(rnd() * NGX_NOISE.length) | 0](q)}`);
    } else {
      out.line(`[${apacheErrTime(q.ts)}] ${APACHE_NOISE[(rnd() * APACHE_NOISE.length) | 0](q)}`);
    }
  }
  return out.close();
}

/**
 * A long span at a low rate: one `upstream`-format request a minute from 2024-01-01 UTC for
 * `minutes` minutes (a year by default), every 9th a 502. What it tests is the time table's
 * bound (MAX_TIME_BUCKETS), not speed: a year is 525,600 minutes.
 */
function writeSpan(file, minutes) {
  const out = new Out(file);
  for (let i = 0; i < minutes; i++) {
    const status = i % 9 === 0 ? 502 : 200;
    out.line(`10.1.0.${1 + (i % 50)} - - [${clf(Date.UTC(2024, 0, 1) + i * 60_000)}] "GET /p/${i % 20} HTTP/1.1" ${status} 13 "-" "ua" 0.010 10.0.0.${1 + (i % 3)}:8080 ${status} 0.010`);
  }
  return out.close();
}

/**
 * `days` days of logrotate-style daily sets (access.log, access.log.1, access.log.2.gz, ... and
 * the same for error.log, Debian's nginx layout with delaycompress), each day `failures` 502s
 * among five times as many `upstream`-format requests, every 502 with its error-log twin. A month
 * of an incident: more failures than the correlation index holds at once, read by time. With
 * `appErrors`, two fifths more of the requests are the application's own 500s, which nginx does
 * not write to its error log: access failures that nothing explains, each looked up in the index
 * and the time join for nothing. With `oneErrorLog`, the error lines of every day go to one
 * error.log that was never rotated (a logrotate rule for the access logs only), beside the
 * rotated access logs.
 */
function writeRotated(dir, days, failures, seed, { appErrors = false, oneErrorLog = false } = {}) {
  const rnd = mulberry32(seed);
  const n = failures * 5;
  let lines = 0;
  let bytes = 0;
  const single = oneErrorLog ? new Out(path.join(dir, 'error.log'), false) : null;
  for (let day = 0; day < days; day++) {
    const age = days - 1 - day;
    const suffix = age === 0 ? '' : age === 1 ? '.1' : `.${age}.gz`;
    const access = new Out(path.join(dir, `access.log${suffix}`), age >= 2);
    const error = single ?? new Out(path.join(dir, `error.log${suffix}`), age >= 2);
    for (let i = 0; i < n; i++) {
      const q = makeRequest(rnd, i, n, false);
      q.ts = START + day * 86_400_000 + Math.floor((i / n) * 86_400) * 1000;
      if (i % 5 === 0) {
        q.status = 502;
        q.ustatus = '502';
        q.addr = UPSTREAMS[i % 3];
        error.line(ngxTwin(q));
      } else if (appErrors && (i % 5 === 1 || i % 5 === 3)) {
        q.status = 500;
        q.ustatus = '500';
      } else if (q.status >= 500) {
        q.status = 200;
        q.ustatus = '200';
      }
      access.line(FORMATS.upstream(q));
    }
    for (const o of single ? [access.close()] : [access.close(), error.close()]) {
      lines += o.lines;
      bytes += o.bytes;
    }
  }
  if (single) {
    const o = single.close();
    lines += o.lines;
    bytes += o.bytes;
  }
  return { lines, bytes };
}

function envInt(name, dflt) {
  const v = process.env[name];
  return v ? Math.max(1, Math.floor(Number(v))) : dflt;
}

/** Generates every workload into dir (skipped when the manifest says it is already there). */
function generate(dir) {
  const sizes = {
    lines: envInt('BENCH_LINES', 1_000_000),
    errorLines: envInt('BENCH_ERROR_LINES', envInt('BENCH_LINES', 1_000_000)),
    distinct: envInt('BENCH_DISTINCT_LINES', envInt('BENCH_LINES', 1_000_000)),
    files: envInt('BENCH_FILES', 4),
    seed: envInt('BENCH_SEED', 42),
    spanMinutes: envInt('BENCH_SPAN_MINUTES', 365 * 24 * 60),
    rotatedDays: envInt('BENCH_ROTATED_DAYS', 10),
    rotatedFailures: envInt('BENCH_ROTATED_FAILURES', 20_000),
  };
  const manifestFile = path.join(dir, 'manifest.json');
  const key = JSON.stringify(sizes) + ':v6'; // v2: unix-socket upstream URLs as nginx writes them; v3: span; v4: rotated; v5: app-errors; v6: unrotated
  if (fs.existsSync(manifestFile)) {
    const m = JSON.parse(fs.readFileSync(manifestFile, 'utf8'));
    if (m.key === key) return m;
  }
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(path.join(dir, 'multi'), { recursive: true });
  fs.mkdirSync(path.join(dir, 'rotated'), { recursive: true });
  fs.mkdirSync(path.join(dir, 'app-errors'), { recursive: true });
  fs.mkdirSync(path.join(dir, 'unrotated'), { recursive: true });
  const w = {};
  const f = (name) => path.join(dir, name);
  const { lines: n, seed } = sizes;
  w.upstream = { file: f('upstream.log'), ...writeAccess(f('upstream.log'), 'upstream', n, seed, { errorFile: f('upstream-error.log') }) };
  w.combined = { file: f('combined.log'), ...writeAccess(f('combined.log'), 'combined', n, seed + 1) };
  w.apache = { file: f('apache-access.log'), ...writeAccess(f('apache-access.log'), 'apache', n, seed + 2) };
  w.nginxError = { file: f('nginx-error.log'), ...writeError(f('nginx-error.log'), 'nginx', sizes.errorLines, seed + 3) };
  w.apacheError = { file: f('apache-error.log'), ...writeError(f('apache-error.log'), 'apache', sizes.errorLines, seed + 4) };
  w.gzip = { file: f('upstream.log.gz'), ...writeAccess(f('upstream.log.gz'), 'upstream', n, seed, { gzip: true }) };
  const per = Math.ceil(n / sizes.files);
  const multi = [];
  for (let i = 0; i < sizes.files; i++) {
    const d = path.join(dir, 'multi', `site${i + 1}`);
    fs.mkdirSync(d, { recursive: true });
    multi.push(writeAccess(path.join(d, 'access.log'), 'upstream', per, seed + 10 + i, { errorFile: path.join(d, 'error.log') }));
  }
  w.multi = {
    file: path.join(dir, 'multi'),
    lines: multi.reduce((a, m) => a + m.lines, 0),
    bytes: multi.reduce((a, m) => a + m.bytes, 0),
  };
  w.distinct = { file: f('distinct.log'), ...writeAccess(f('distinct.log'), 'doctor', sizes.distinct, seed + 5, { distinct: true }) };
  w.span = { file: f('span.log'), ...writeSpan(f('span.log'), sizes.spanMinutes) };
  w.rotated = { file: f('rotated'), ...writeRotated(f('rotated'), sizes.rotatedDays, sizes.rotatedFailures, seed + 20) };
  w.appErrors = { file: f('app-errors'), ...writeRotated(f('app-errors'), Math.min(3, sizes.rotatedDays), sizes.rotatedFailures, seed + 21, { appErrors: true }) };
  w.unrotated = { file: f('unrotated'), ...writeRotated(f('unrotated'), sizes.rotatedDays, sizes.rotatedFailures, seed + 20, { oneErrorLog: true }) };
  const manifest = { key, sizes, workloads: w };
  fs.writeFileSync(manifestFile, JSON.stringify(manifest, null, 2));
  return manifest;
}

module.exports = { generate, mulberry32 };

if (require.main === module) {
  const t = Date.now();
  const m = generate(path.resolve(process.argv[2] || path.join(__dirname, 'data')));
  for (const [k, v] of Object.entries(m.workloads)) console.log(`${k}: ${v.lines} lines, ${(v.bytes / 1e6).toFixed(1)} MB`);
  console.log(`${((Date.now() - t) / 1000).toFixed(1)} s`);
}
