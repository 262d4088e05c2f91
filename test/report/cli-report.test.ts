import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { runCli, runJson } from '../helpers/cli';
// eslint-disable-next-line @typescript-eslint/no-var-requires
const { writeLogs } = require('../../scripts/synth-logs');

/** End to end on a generated log: 2 hours of traffic, a refused burst 14:02–14:19 UTC. */

let dir: string;
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ud-report-'));
  writeLogs(dir, { start: Date.parse('2024-11-16T13:00:00Z'), minutes: 120, burst: { from: 62, to: 80, perMinute: 60 } });
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

test('json: incidents, next steps and the zero-filled timeline are added fields', () => {
  const doc = runJson(['analyze', dir, '--tz', 'UTC', '--bucket', '5m']);
  expect(doc.timeline.bucket).toBe('5m');
  expect(doc.timeline.buckets).toHaveLength(24);
  expect(doc.timeline.buckets.filter((b: any) => b.failures === 0).length).toBeGreaterThan(5);
  expect(doc.incidents).toHaveLength(1);
  expect(doc.incidents[0]).toMatchObject({ cause: 'upstream-refused', upstream: '10.0.0.7:8080', status: 502 });
  expect(doc.nextSteps[0].check).toMatch(/curl -I http:\/\/10\.0\.0\.7:8080\/api\/users\/\d+\?tab=\d+/);
  const refused = doc.causes.find((c: any) => c.cause === 'upstream-refused');
  expect(refused.count).toBe(18 * 60);
  expect(refused.top.paths[0]).toEqual({ key: '/api/users/{id}?tab=…', count: 18 * 60 });
  expect(refused.top.upstreams).toEqual([{ key: '10.0.0.7:8080', count: 18 * 60 }]);
});

test('csv: one row per bucket with zero-filled gaps', () => {
  const r = runCli(['analyze', dir, '--tz', 'UTC', '--bucket', '15m', '--format', 'csv']);
  expect(r.code).toBe(0);
  const rows = r.stdout.trimEnd().split('\r\n');
  expect(rows[0]).toBe('bucket_start_utc,bucket_start_local,bucket_end_utc,requests,failures,upstream-refused,upstream-timeout-read');
  expect(rows).toHaveLength(1 + 8);
  expect(rows[1]).toBe('2024-11-16T13:00:00.000Z,2024-11-16 13:00 +00:00,2024-11-16T13:15:00.000Z,302,2,0,2');
  expect(rows[5]).toBe('2024-11-16T14:00:00.000Z,2024-11-16 14:00 +00:00,2024-11-16T14:15:00.000Z,1082,782,780,2');
});

test('--display-tz moves bucket labels, --since/--until cut the range', () => {
  const doc = runJson(['analyze', dir, '--tz', 'UTC', '--display-tz', 'America/New_York', '--since', '2024-11-16T14:00:00Z', '--until', '2024-11-16T14:10:00Z', '--bucket', '1m']);
  expect(doc.displayZone).toBe('America/New_York');
  expect(doc.timeline.buckets).toHaveLength(10);
  expect(doc.timeline.buckets[0].label).toBe('2024-11-16 09:00 -05:00');
  expect(doc.causes.find((c: any) => c.cause === 'upstream-refused').count).toBe(8 * 60);
});

test('bad --since is a usage error naming the option', () => {
  const r = runCli(['analyze', dir, '--since', 'yesterday']);
  expect(r.code).toBe(2);
  expect(r.stderr).toMatch(/--since: "yesterday"/);
});

test('table piped: incidents first, no colour, no box drawing, no progress bar on a non-TTY stderr', () => {
  const r = runCli(['analyze', dir, '--tz', 'UTC', '--display-tz', 'UTC'], { env: { NO_COLOR: '' } });
  expect(r.code).toBe(0);
  expect(r.stdout).not.toMatch(/\x1b\[/);
  expect(r.stdout).not.toMatch(/[┌─│┐└┘├┤┬┴┼]/);
  expect(r.stderr).toBe('');
  const incident = r.stdout.indexOf('14:02–14:20: 1,082 × 502, 100% upstream-refused on 10.0.0.7:8080; peak 61/min');
  expect(incident).toBeGreaterThan(0);
  expect(incident).toBeLessThan(r.stdout.indexOf('upstream-refused   '));
  expect(r.stdout).toMatch(/upstream-refused +1,080 +99% +upstream-down +502:1,080 +·+[▁▂▃▄▅▆▇█]+·+ /);
  expect(r.stdout).toMatch(/What to check next:\n  upstream-refused \(1,080\): .*curl -I http:\/\/10\.0\.0\.7:8080\/api\/users\//);
});

test('--color and --boxes force both when piped; NO_COLOR does not beat an explicit --color', () => {
  const r = runCli(['analyze', dir, '--tz', 'UTC', '--color', '--boxes']);
  expect(r.stdout).toMatch(/\x1b\[1m/);
  expect(r.stdout).toMatch(/┌/);
});

test('--progress forces the bar; it is erased at the end', () => {
  const r = runCli(['analyze', dir, '--tz', 'UTC', '--progress', '--format', 'json']);
  expect(r.code).toBe(0);
  // one chunk per small file, drawn at most every 200 ms: either nothing or a bar that is then erased
  if (r.stderr !== '') expect(r.stderr.endsWith('\r\x1b[K')).toBe(true);
  expect(JSON.parse(r.stdout).failures).toBe(18 * 60 + 12);
});
