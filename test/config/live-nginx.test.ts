import { ChildProcess, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { runCli, runNdjson } from '../helpers/cli';
import { freePort, get, startServer, stopServer, tempServerRoot } from '../helpers/live-server';

/**
 * A real nginx (loopback, temp prefix) writes its logs in custom formats, one of them escape=json;
 * the analyzer is given only --nginx-conf and must parse them, find the 502 from a refused
 * upstream and explain it from the error log.
 */

const hasNginx = spawnSync('nginx', ['-v']).status === 0;
if (!hasNginx) console.warn('nginx is not installed: the live nginx configuration test is skipped');

const PROBE = '$time_iso8601|$status|$request|$upstream_addr|$upstream_status|$upstream_response_time|$request_time|$connection|$host';
const JSONL = '{"t":"$time_iso8601","s":$status,"r":"$request","ua":"$http_user_agent","up":"$upstream_addr","us":"$upstream_status","c":$connection}';

(hasNginx ? describe : describe.skip)('a real nginx with custom log formats, analysed from its configuration alone', () => {
  let root: string;
  let conf: string;
  let child: ChildProcess;
  let dead: number;
  let statuses: number[];

  beforeAll(async () => {
    root = tempServerRoot('nginx', ['logs', 'tmp']);
    const [port, jsonPort] = [await freePort(), await freePort()];
    dead = await freePort(); // nothing listens there: connect() is refused
    conf = path.join(root, 'nginx.conf');
    const temp = ['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi'].map((t) => `${t}_temp_path ${root}/tmp/${t};`).join(' ');
    fs.writeFileSync(
      conf,
      `daemon off;\nworker_processes 1;\npid ${root}/logs/nginx.pid;\nerror_log ${root}/logs/error.log warn;\n` +
        `events { worker_connections 64; }\nhttp {\n  ${temp}\n` +
        `  log_format probe '${PROBE}';\n  log_format jsonl escape=json '${JSONL}';\n` +
        `  server {\n    listen 127.0.0.1:${port};\n    server_name probe.test;\n    access_log ${root}/logs/probe.log probe;\n` +
        `    location / { return 200 "ok\\n"; }\n    location /dead { proxy_pass http://127.0.0.1:${dead}; }\n  }\n` +
        `  server {\n    listen 127.0.0.1:${jsonPort};\n    server_name json.test;\n    access_log ${root}/logs/json.log jsonl;\n` +
        `    location / { return 200 "ok\\n"; }\n    location /dead { proxy_pass http://127.0.0.1:${dead}; }\n  }\n}\n`,
    );
    child = await startServer('nginx', ['-p', root + '/', '-c', conf], [port, jsonPort]);
    statuses = [
      await get(port, '/'),
      await get(port, '/dead/api?x=1'),
      await get(port, '/other'),
      await get(jsonPort, '/', { 'User-Agent': 'agent "quoted" \\ back' }),
      await get(jsonPort, '/dead/json'),
    ];
  });

  afterAll(() => stopServer(child, 'SIGQUIT', root)); // SIGQUIT: graceful, the logs are written and closed

  test('nginx answered as planned', () => {
    expect(statuses).toEqual([200, 502, 200, 200, 502]);
  });

  test('analyze --nginx-conf (no format option, no PATH) parses both logs and finds the 502s', () => {
    const r = runCli(['analyze', '--nginx-conf', conf, '--format', 'json']);
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout);
    const file = (name: string) => doc.files.find((f: any) => f.path === path.join(root, 'logs', name));
    expect(file('probe.log')).toMatchObject({ kind: 'nginx-access', format: 'probe', lines: 3, parsed: 3, skipped: 0, vhosts: ['probe.test'] });
    expect(file('json.log')).toMatchObject({ kind: 'nginx-access', format: 'jsonl', lines: 2, parsed: 2, skipped: 0, vhosts: ['json.test'] });
    expect(file('error.log')).toMatchObject({ kind: 'nginx-error', skipped: 0 });
    expect(doc.status).toEqual({ '200': 3, '502': 2 });
    const refused = doc.causes.find((c: any) => c.cause === 'upstream-refused');
    expect(refused).toMatchObject({ count: 2, status: { '502': 2 } });
    expect(doc.correlation).toMatchObject({ gatewayFailures: 2, explained: 2 });
    expect(doc.upstreams.map((u: any) => u.address)).toEqual([`127.0.0.1:${dead}`]);
  });

  test('each 502 event carries the upstream address and request parsed from the custom formats', () => {
    const events = runNdjson(['analyze', '--nginx-conf', conf]).filter((e) => e.type !== 'summary');
    const failures = events.filter((e) => e.source === 'nginx-access' && e.status === 502);
    expect(failures.map((e) => e.request).sort()).toEqual(['GET /dead/api?x=1 HTTP/1.1', 'GET /dead/json HTTP/1.1']);
    for (const e of failures) {
      expect(e.upstream).toBe(`127.0.0.1:${dead}`);
      expect(e.cause).toBe('upstream-refused');
    }
  });
});
