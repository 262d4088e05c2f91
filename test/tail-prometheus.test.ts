import { spawn, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { get, metric, settle, startTail, stopTail, tmpdir, write } from './helpers/tail';
import { TailMetrics } from '../src/report/metrics';
import { upstreamKey } from '../src/report/upstream-key';

/** `tail --metrics-port`: the /metrics endpoint, scraped by hand and by Debian's prometheus. */

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

describe('tail: metrics', () => {
  test('upstream label values are capped; the rest are counted as "other"', async () => {
    const m = new TailMetrics(2);
    const ev = { ts: '', file: 'f', line: 1, source: 'nginx-access', cause: 'upstream-refused', category: 'upstream-down', signature: null, status: 502, client: null, request: null, host: null, message: '' } as const;
    for (const u of ['10.0.0.1:80', 'http://10.0.0.2:80/a', '10.0.0.3:80', '10.0.0.4:80', 'http://10.0.0.1:80/x?y']) m.failure({ ...ev, upstream: u });
    const body = await m.registry.metrics();
    expect(metric(body, 'upstream_doctor_upstream_failures_total', 'upstream="10.0.0.1:80"')).toBe(2);
    expect(metric(body, 'upstream_doctor_upstream_failures_total', 'upstream="other"')).toBe(2);
    expect(metric(body, 'upstream_doctor_upstream_failures_total')).toBe(5);
    expect(metric(body, 'upstream_doctor_failures_total', 'cause="upstream-refused"')).toBe(5);
  });
});

describe('upstreamKey', () => {
  test.each([
    ['http://127.0.0.1:18099/api/orders/1', '127.0.0.1:18099'],
    ['10.0.0.5:8080', '10.0.0.5:8080'],
    ['fastcgi://unix:/run/php/php8.2-fpm.sock:', 'unix:/run/php/php8.2-fpm.sock'],
    ['https://[::1]:8443/x', '[::1]:8443'],
  ])('%s -> %s', (u, key) => expect(upstreamKey(u)).toBe(key));
});
