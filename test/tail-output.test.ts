import * as fs from 'fs';
import * as path from 'path';
import { expectExactlyOnce, idCounts, settle, startTail, stopTail, tmpdir, write } from './helpers/tail';
import { AlertEngine, AlertEvent, parseAlert, ruleValue } from '../src/live/alerts';
import { Summary } from '../src/report/summary';

/** `tail` output: start position, NDJSON, alerts and the alert hook. */

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

  test('an alert fires as an NDJSON event and a stderr line, and runs --on-alert with UD_ALERT_* set', async () => {
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


describe('tail: alert transitions', () => {
  test('a rule fires when over its threshold and clears when the window has moved on', () => {
    const s = new Summary();
    const t0 = Date.UTC(2026, 0, 1, 12, 0, 30);
    const seen: AlertEvent[] = [];
    const engine = new AlertEngine([parseAlert('upstream-refused>2/1m')], (ev) => seen.push(ev));
    const ev = { ts: '', file: 'f', line: 1, source: 'nginx-error', cause: 'upstream-refused', category: 'upstream-down', signature: 'x', status: 502, upstream: null, client: null, request: null, host: null, message: '' } as const;
    for (let i = 0; i < 3; i++) s.countFailure({ ...ev }, t0, 1, null);
    engine.evaluate(s, t0 + 1000);
    engine.evaluate(s, t0 + 2000); // still over: no second event
    engine.evaluate(s, t0 + 3 * 60_000);
    expect(seen.map((e) => [e.state, e.value])).toEqual([
      ['firing', 3],
      ['resolved', 0],
    ]);
  });
});

describe('tail: screen', () => {
  test('--format screen draws the live view and prints the summary table on shutdown', async () => {
    const dir = tmpdir();
    const log = path.join(dir, 'access.log');
    fs.writeFileSync(log, '');
    const t = await startTail([log, '--format', 'screen', '--interval', '0.2']);
    const last = write(log, [], 5000);
    const deadline = Date.now() + 8000;
    while (Date.now() < deadline && !/unexplained\s+\d+/.test(t.out.join(''))) await new Promise((r) => setTimeout(r, 100));
    t.proc.kill('SIGINT');
    await new Promise((r) => t.proc.once('exit', r));
    const out = t.out.join('');
    expect(out).toContain('upstream-doctor tail');
    expect(out).toMatch(/unexplained\s+\d+/);
    // The final summary counts every 502 written.
    expect(out).toContain(String(last / 10));
    fs.rmSync(dir, { recursive: true, force: true });
  });
});

describe('tail: a quiet log', () => {
  test('a single error line is reported without waiting for more lines to detect the format', async () => {
    const dir = tmpdir();
    const log = path.join(dir, 'error.log');
    const t = await startTail([log]);
    fs.writeFileSync(
      log,
      '2026/11/24 08:03:49 [error] 30318#30318: *8311 connect() failed (111: Connection refused) while connecting to upstream, ' +
        'client: 127.0.0.1, server: , request: "GET /quiet HTTP/1.1", upstream: "http://127.0.0.1:18099/quiet", host: "127.0.0.1:18080"\n',
    );
    const deadline = Date.now() + 8000;
    while (Date.now() < deadline && !t.out.join('').includes('"cause"')) await new Promise((r) => setTimeout(r, 50));
    // Seen while tail is still running: neither detection nor the held error entry waited for a next line.
    const live = t.out.join('');
    const events = await stopTail(t);
    expect(JSON.parse(live.split('\n')[0])).toMatchObject({ cause: 'upstream-refused', source: 'nginx-error', request: 'GET /quiet HTTP/1.1' });
    expect(events.filter((e) => !e.type)).toHaveLength(1);
    fs.rmSync(dir, { recursive: true, force: true });
  });
});
