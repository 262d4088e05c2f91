import { ChildProcess, spawn, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as http from 'http';
import * as os from 'os';
import * as path from 'path';
import { CLI, ROOT } from './helpers/cli';
import { parseAlert, ruleValue } from '../src/live/alerts';
import { Summary } from '../src/report/summary';

/**
 * `tail` end to end: the built CLI follows a log that another process writes at tens of
 * thousands of lines per second and rotates; every line carries a unique id, and every tenth
 * line is a 502 whose NDJSON event carries that id.
 */

const WRITER = path.join(ROOT, 'test', 'helpers', 'rotating-writer.js');

interface Tail {
  proc: ChildProcess;
  out: string[];
  err: string[];
  metricsUrl: () => string;
}

function tmpdir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'ud-tail-'));
}

async function startTail(args: string[]): Promise<Tail> {
  const proc = spawn(process.execPath, [CLI, 'tail', '--format', 'ndjson', '--metrics-port', '0', ...args], { cwd: ROOT });
  const out: string[] = [];
  const err: string[] = [];
  proc.stdout!.setEncoding('utf8').on('data', (d: string) => out.push(d));
  proc.stderr!.setEncoding('utf8').on('data', (d: string) => err.push(d));
  const deadline = Date.now() + 15000;
  while (!err.join('').includes('following')) {
    if (Date.now() > deadline || proc.exitCode !== null) throw new Error(`tail did not start: ${err.join('')}`);
    await new Promise((r) => setTimeout(r, 20));
  }
  const metricsUrl = () => /metrics on (http:\/\/\S+)/.exec(err.join(''))![1];
  return { proc, out, err, metricsUrl };
}

async function stopTail(t: Tail): Promise<any[]> {
  t.proc.kill('SIGTERM');
  await new Promise((r) => t.proc.once('exit', r));
  return t.out
    .join('')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l));
}

function write(log: string, plan: string[], rate = 20000, start = 0): number {
  const r = spawnSync(process.execPath, [WRITER, log, plan.join(','), String(rate), String(start)], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(r.stderr);
  return Number(r.stdout.trim());
}

function get(url: string): Promise<string> {
  return new Promise((resolve, reject) => {
    http.get(url, (res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (d) => (body += d)).on('end', () => resolve(body));
    }).on('error', reject);
  });
}

function metric(body: string, name: string, labels = ''): number {
  let total = 0;
  for (const line of body.split('\n')) {
    if (line.startsWith(name + (labels ? '{' : '')) || line.startsWith(name + ' ')) {
      if (labels && !line.includes(labels)) continue;
      total += Number(line.slice(line.lastIndexOf(' ') + 1));
    }
  }
  return total;
}

/** Ids of the 502 lines seen, with how many times each was seen. */
function idCounts(events: any[]): Map<number, number> {
  const seen = new Map<number, number>();
  for (const ev of events) {
    if (ev.type) continue;
    const m = /\/id\/(\d+) /.exec(ev.request ?? '');
    if (m) seen.set(Number(m[1]), (seen.get(Number(m[1])) ?? 0) + 1);
  }
  return seen;
}

function expectExactlyOnce(seen: Map<number, number>, first: number, last: number): void {
  const missing: number[] = [];
  const doubled: number[] = [];
  for (let id = first; id <= last; id++) {
    if (id % 10 !== 0) continue;
    const n = seen.get(id) ?? 0;
    if (n === 0) missing.push(id);
    if (n > 1) doubled.push(id);
  }
  expect({ missing: missing.length, doubled: doubled.length, firstMissing: missing.slice(0, 3) }).toEqual({
    missing: 0,
    doubled: 0,
    firstMissing: [],
  });
}

async function settle(t: Tail, expectLines: number): Promise<string> {
  const deadline = Date.now() + 10000;
  let body = '';
  while (Date.now() < deadline) {
    body = await get(t.metricsUrl());
    if (metric(body, 'upstream_doctor_lines_read_total') >= expectLines) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  await new Promise((r) => setTimeout(r, 300));
  return get(t.metricsUrl());
}

describe('tail: rotation under load', () => {
  for (const kind of ['rename', 'copytruncate']) {
    test(`${kind} x20 at 20k lines/s: every line seen exactly once`, async () => {
      const dir = tmpdir();
      const log = path.join(dir, 'access.log');
      fs.writeFileSync(log, '');
      const t = await startTail([log]);
      const last = write(log, Array(20).fill(kind));
      const body = await settle(t, last);
      const events = await stopTail(t);
      expectExactlyOnce(idCounts(events), 1, last);
      expect(metric(body, 'upstream_doctor_lines_read_total')).toBe(last);
      expect(metric(body, 'upstream_doctor_failures_total', 'status="502"')).toBe(last / 10);
      fs.rmSync(dir, { recursive: true, force: true });
    });
  }

  test('delete-and-recreate, and a log that does not exist yet', async () => {
    const dir = tmpdir();
    const log = path.join(dir, 'access.log');
    const t = await startTail([log]);
    let last = write(log, []);
    for (let i = 0; i < 3; i++) {
      await new Promise((r) => setTimeout(r, 600));
      last = write(log, ['recreate'], 20000, last);
    }
    await settle(t, last);
    const events = await stopTail(t);
    expectExactlyOnce(idCounts(events), 1, last);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  test('a directory: new live files are followed from their start, rotated ones are not read twice', async () => {
    const dir = tmpdir();
    const t = await startTail([dir]);
    const log = path.join(dir, 'new-access.log');
    const last = write(log, ['rename', 'rename']);
    await settle(t, last);
    const events = await stopTail(t);
    expectExactlyOnce(idCounts(events), 1, last);
    fs.rmSync(dir, { recursive: true, force: true });
  });
});

describe('tail: output', () => {
  test('starts at the end by default; --from-start reads existing content first', async () => {
    const dir = tmpdir();
    const log = path.join(dir, 'access.log');
    const before = write(log, []);
    const t1 = await startTail([log]);
    const ev1 = await stopTail(t1);
    expect(idCounts(ev1).size).toBe(0);
    const t2 = await startTail([log, '--from-start']);
    await settle(t2, before);
    const ev2 = await stopTail(t2);
    expectExactlyOnce(idCounts(ev2), 1, before);
    const summary = ev2[ev2.length - 1];
    expect(summary.type).toBe('summary');
    fs.rmSync(dir, { recursive: true, force: true });
  });

  test('alerts fire and clear, as NDJSON events, and run --on-alert with UD_ALERT_* set', async () => {
    const dir = tmpdir();
    const log = path.join(dir, 'access.log');
    fs.writeFileSync(log, '');
    const hookOut = path.join(dir, 'hook.txt');
    const t = await startTail([log, '--alert', '502>5%/1m', '--on-alert', `echo "$UD_ALERT_STATE $UD_ALERT_RULE" >> ${hookOut}`]);
    write(log, [], 5000);
    const deadline = Date.now() + 8000;
    while (Date.now() < deadline && !t.out.join('').includes('"type":"alert"')) await new Promise((r) => setTimeout(r, 100));
    const events = await stopTail(t);
    const alert = events.find((e) => e.type === 'alert');
    expect(alert).toMatchObject({ state: 'firing', alert: '502>5%/1m', unit: 'percent', threshold: 5 });
    expect(alert.value).toBeGreaterThan(5);
    expect(t.err.join('')).toContain('ALERT firing 502>5%/1m');
    expect(fs.readFileSync(hookOut, 'utf8')).toContain('firing 502>5%/1m');
    fs.rmSync(dir, { recursive: true, force: true });
  });

  test('alert rules: values over a window, and syntax errors', () => {
    const s = new Summary();
    const now = Date.UTC(2026, 0, 1, 12, 0, 30);
    for (let i = 0; i < 100; i++) s.countRequest(now - 1000, i < 10 ? 502 : 200);
    expect(ruleValue(parseAlert('502>5%/5m'), s, now)).toBeCloseTo(10);
    expect(ruleValue(parseAlert('502>5/5m'), s, now)).toBeCloseTo(10);
    expect(ruleValue(parseAlert('502>5/5m'), s, now + 10 * 60_000)).toBe(0);
    expect(() => parseAlert('nonsense>1/1m')).toThrow(/not a cause/);
    expect(() => parseAlert('502>5%')).toThrow(/expected/);
  });
});

describe('tail: Prometheus', () => {
  const prometheus = spawnSync('sh', ['-c', 'command -v prometheus']).stdout?.toString().trim();

  (prometheus ? test : test.skip)('Debian prometheus scrapes /metrics and its values match what was written', async () => {
    const dir = tmpdir();
    const log = path.join(dir, 'access.log');
    fs.writeFileSync(log, '');
    const t = await startTail([log]);
    const last = write(log, ['rename'], 10000);
    await settle(t, last);
    const target = new URL(t.metricsUrl()).host;
    fs.writeFileSync(
      path.join(dir, 'prometheus.yml'),
      `global: {scrape_interval: 1s}\nscrape_configs:\n  - job_name: ud\n    static_configs: [{targets: ['${target}']}]\n`,
    );
    const port = 19000 + Math.floor(Math.random() * 1000);
    const prom = spawn(prometheus!, [
      `--config.file=${path.join(dir, 'prometheus.yml')}`,
      `--storage.tsdb.path=${path.join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
    ], { stdio: 'ignore' });
    try {
      let value = -1;
      const deadline = Date.now() + 30000;
      while (Date.now() < deadline) {
        try {
          const r = JSON.parse(await get(`http://127.0.0.1:${port}/api/v1/query?query=upstream_doctor_lines_read_total`));
          if (r.data?.result?.length) {
            value = Number(r.data.result[0].value[1]);
            if (value === last) break;
          }
        } catch {
          // not up yet
        }
        await new Promise((r) => setTimeout(r, 500));
      }
      expect(value).toBe(last);
      const f = JSON.parse(await get(`http://127.0.0.1:${port}/api/v1/query?query=sum(upstream_doctor_failures_total{status="502"})`));
      expect(Number(f.data.result[0].value[1])).toBe(last / 10);
    } finally {
      prom.kill('SIGTERM');
      await new Promise((r) => prom.once('exit', r));
      await stopTail(t);
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
  if (!prometheus) console.warn('tail.test: prometheus is not installed; the scrape test is skipped (apt-get install prometheus)');
});
