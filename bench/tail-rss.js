'use strict';
/**
 * Tail mode's memory over an hour of input: `upstream-doctor tail` follows an access log while
 * this script appends an hour of traffic to it (log times spanning 3600 s, a new URL and client
 * on every line, 502/504 bursts, a rename rotation every tenth of the run), paced so the whole
 * hour is written in BENCH_TAIL_SECONDS (default 60) of wall time. The follower's RSS is sampled
 * from /proc every 500 ms; memory is flat when the last quarter's peak is within 10% of the second
 * quarter's (the first quarter holds start-up and the warm-up of the bounded tables).
 *
 *   node bench/tail-rss.js            prints one JSON line: lines, seconds, rss by quarter (MiB)
 */
const { spawn } = require('child_process');
const fs = require('fs');
const http = require('http');
const os = require('os');
const path = require('path');

const CLI = path.join(__dirname, '..', 'bin', 'upstream-doctor'); // the package's command
const LINES = Number(process.env.BENCH_TAIL_LINES || 1_800_000); // 500 requests/s for an hour
const SECONDS = Number(process.env.BENCH_TAIL_SECONDS || 60);
const ROTATIONS = 10;
const MON = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const p2 = (n) => (n < 10 ? '0' + n : '' + n);

function clf(ms) {
  const d = new Date(ms);
  return `${p2(d.getUTCDate())}/${MON[d.getUTCMonth()]}/${d.getUTCFullYear()}:${p2(d.getUTCHours())}:${p2(d.getUTCMinutes())}:${p2(d.getUTCSeconds())} +0000`;
}

function rssMiB(pid) {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) / 1024 : NaN;
  } catch {
    return NaN;
  }
}

function get(url) {
  return new Promise((resolve, reject) => {
    http.get(url, (res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (d) => (body += d)).on('end', () => resolve(body));
    }).on('error', reject);
  });
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function linesRead(metricsUrl) {
  const body = await get(metricsUrl);
  let n = 0;
  for (const m of body.matchAll(/^upstream_doctor_lines_read_total(?:\{[^}]*\})? (\d+)/gm)) n += Number(m[1]);
  return n;
}

async function main() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ud-bench-tail-'));
  const log = path.join(dir, 'access.log');
  fs.writeFileSync(log, '');
  const proc = spawn(CLI, ['tail', log, '--format', 'ndjson', '--metrics-port', '0'], { stdio: ['ignore', 'ignore', 'pipe'] });
  let err = '';
  proc.stderr.setEncoding('utf8').on('data', (d) => (err += d));
  const deadline = Date.now() + 15000;
  while (!/metrics on (http:\/\/\S+)/.test(err)) {
    if (Date.now() > deadline || proc.exitCode !== null) throw new Error(`tail did not start: ${err}`);
    await sleep(20);
  }
  const metricsUrl = /metrics on (http:\/\/\S+)/.exec(err)[1];
  const samples = [];
  const sampler = setInterval(() => samples.push({ t: Date.now(), rss: rssMiB(proc.pid) }), 500);

  const t0 = Date.UTC(2024, 10, 16, 10, 0, 0);
  const started = Date.now();
  const batch = 5000;
  let fd = fs.openSync(log, 'a');
  for (let i = 0; i < LINES; i += batch) {
    const parts = [];
    for (let k = i; k < Math.min(LINES, i + batch); k++) {
      const ts = t0 + Math.floor((k / LINES) * 3600_000);
      const burst = Math.floor(ts / 60000) % 7 === 3;
      const status = burst && k % 5 === 0 ? (k % 2 ? 502 : 504) : 200;
      parts.push(
        `10.${(k >>> 16) & 255}.${(k >>> 8) & 255}.${k & 255} - - [${clf(ts)}] "GET /item/${k}?q=${k * 7} HTTP/1.1" ${status} 512 "-" "bench/${k % 13}" 0.012 10.0.0.${k % 4}:8080 ${status} 0.011`,
      );
    }
    fs.writeSync(fd, parts.join('\n') + '\n');
    if ((i / batch) % Math.ceil(LINES / batch / ROTATIONS) === 0 && i > 0) {
      fs.closeSync(fd);
      fs.renameSync(log, `${log}.1`);
      fd = fs.openSync(log, 'a');
    }
    const due = started + ((i + batch) / LINES) * SECONDS * 1000;
    if (due > Date.now()) await sleep(due - Date.now());
  }
  fs.closeSync(fd);
  const wroteIn = (Date.now() - started) / 1000;
  // Wait until the follower has read everything (or give up after a minute).
  const until = Date.now() + 60000;
  let read = 0;
  while (Date.now() < until && (read = await linesRead(metricsUrl)) < LINES) await sleep(250);
  clearInterval(sampler);
  proc.kill('SIGTERM');
  await new Promise((r) => proc.once('exit', r));
  fs.rmSync(dir, { recursive: true, force: true });

  const during = samples.filter((s) => Number.isFinite(s.rss));
  const q = [0, 1, 2, 3].map((k) => during.slice(Math.floor((k * during.length) / 4), Math.floor(((k + 1) * during.length) / 4)));
  const peak = (xs) => Math.max(...xs.map((s) => s.rss));
  const quarters = q.map((xs) => Number(peak(xs).toFixed(1)));
  process.stdout.write(JSON.stringify({ lines: LINES, read, wroteSeconds: Number(wroteIn.toFixed(1)), samples: during.length, rssQuartersMiB: quarters }) + '\n');
}

main().catch((e) => {
  process.stderr.write(String(e && e.stack ? e.stack : e) + '\n');
  process.exit(1);
});
