import * as fs from 'fs';
import * as path from 'path';
import * as zlib from 'zlib';
import { runCli, runJson } from '../helpers/cli';
import { tempDir } from '../helpers/config';

/**
 * `analyze --nginx-conf` with no PATH reads exactly the logs the configuration names, each with
 * its own format (one no preset parses), rotated siblings included; `config` shows what it found.
 */

const FORMAT = '$time_iso8601|$status|$request|$upstream_addr|$upstream_status|$request_time|$connection|$host';

function line(t: string, status: number, req: string, up: string, upStatus: string, conn: number): string {
  return `${t}|${status}|${req}|${up}|${upStatus}|0.001|${conn}|probe.test`;
}

let root: string;
let conf: string;
let logs: string;

beforeAll(() => {
  root = tempDir('config-cli');
  logs = path.join(root, 'logs');
  fs.mkdirSync(logs);
  conf = path.join(root, 'nginx.conf');
  fs.writeFileSync(
    conf,
    `error_log ${logs}/error.log;\nevents {}\nhttp {\n  log_format pipes '${FORMAT}';\n` +
      `  server {\n    server_name probe.test;\n    access_log ${logs}/access.log pipes;\n    access_log syslog:server=127.0.0.1 pipes;\n` +
      `    access_log ${logs}/never-written.log;\n  }\n}\n`,
  );
  fs.writeFileSync(
    path.join(logs, 'access.log'),
    [
      line('2024-11-16T14:15:25+00:00', 200, 'GET / HTTP/1.1', '127.0.0.1:9001', '200', 10),
      line('2024-11-16T14:15:26+00:00', 502, 'GET /api HTTP/1.1', '127.0.0.1:9002', '502', 11),
    ].join('\n') + '\n',
  );
  fs.writeFileSync(path.join(logs, 'access.log.1'), line('2024-11-16T14:10:00+00:00', 200, 'GET /a HTTP/1.1', '127.0.0.1:9001', '200', 5) + '\n');
  fs.writeFileSync(
    path.join(logs, 'access.log.2.gz'),
    zlib.gzipSync(line('2024-11-16T14:05:00+00:00', 504, 'GET /slow HTTP/1.1', '127.0.0.1:9003', '504', 3) + '\n'),
  );
  fs.writeFileSync(
    path.join(logs, 'access.log-20241115.gz'), // logrotate dateext: older than the numbered ones
    zlib.gzipSync(line('2024-11-15T23:59:00+00:00', 200, 'GET /old HTTP/1.1', '127.0.0.1:9001', '200', 1) + '\n'),
  );
  fs.writeFileSync(
    path.join(logs, 'error.log'),
    '2024/11/16 14:15:26 [error] 1234#1234: *11 connect() failed (111: Connection refused) while connecting to upstream, client: 127.0.0.1, server: probe.test, request: "GET /api HTTP/1.1", upstream: "http://127.0.0.1:9002/api", host: "probe.test"\n',
  );
});

describe('analyze with a configuration and no PATH', () => {
  test('reads the named logs and their rotated siblings, oldest first, each with its own format', () => {
    const r = runCli(['analyze', '--nginx-conf', conf, '--tz', 'UTC', '--format', 'json']);
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout);
    // by time (analyze/reading-order.ts): the error log begins at 14:15:26, after access.log.1
    // ends (when access.log begins, 14:15:25), so it is read between the two
    expect(doc.files.map((f: any) => path.basename(f.path))).toEqual([
      'access.log-20241115.gz', 'access.log.2.gz', 'access.log.1', 'error.log', 'access.log',
    ]);
    for (const f of doc.files.filter((f: any) => path.basename(f.path) !== 'error.log')) {
      expect(f).toMatchObject({ kind: 'nginx-access', format: 'pipes', skipped: 0, vhosts: ['probe.test'] });
    }
    expect(doc.files[3]).toMatchObject({ kind: 'nginx-error', parsed: 1 });
    expect(doc.lines).toMatchObject({ read: 6, parsed: 6, skipped: 0 });
    expect(doc.status).toEqual({ '200': 3, '502': 1, '504': 1 });
    expect(doc.configuration).toEqual([{ server: 'nginx', path: conf }]);
    expect(doc.causes.find((c: any) => c.cause === 'upstream-refused')?.count).toBe(1);
    // what was not read, and why
    expect(r.stderr).toContain('syslog:server=127.0.0.1: sent to syslog, not written to a file; not read');
    expect(r.stderr).toContain(`${logs}/never-written.log: named by the configuration but no such file or directory; not read`);
  });

  test('the same file given as PATH without the configuration is not understood: the format came from it', () => {
    const doc = runJson(['analyze', path.join(logs, 'access.log')]);
    expect(doc.files[0].parsed).toBe(0);
  });

  test('a PATH with --nginx-conf is read with the format the configuration gives it', () => {
    const doc = runJson(['analyze', '--nginx-conf', conf, path.join(logs, 'access.log')]);
    expect(doc.files[0]).toMatchObject({ format: 'pipes', parsed: 2, vhosts: ['probe.test'] });
    expect(doc.configuration).toBeUndefined();
  });

  test('`nginx -T` output on stdin works as the configuration', () => {
    const dump =
      `nginx: the configuration file ${conf} syntax is ok\n# configuration file ${conf}:\n${fs.readFileSync(conf, 'utf8')}\n` +
      `nginx: configuration file ${conf} test is successful\n`; // 2>&1 can put stderr anywhere
    const r = runCli(['analyze', '--nginx-conf', '-', '--format', 'json'], { input: dump });
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).lines.parsed).toBe(6);
  });

  test('a configuration whose logs do not exist is exit 2, saying so', () => {
    const other = path.join(root, 'empty.conf');
    fs.writeFileSync(other, `error_log ${root}/nowhere/error.log;\n`);
    const r = runCli(['analyze', '--nginx-conf', other]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('the configuration names no log file that exists here');
    expect(r.stderr).toContain(`${root}/nowhere/error.log`);
  });

  test('a configuration that does not parse is exit 2 with file and line', () => {
    const bad = path.join(root, 'bad.conf');
    fs.writeFileSync(bad, 'http {\n  log_format x "unterminated;\n}\n');
    const r = runCli(['analyze', '--nginx-conf', bad]);
    expect(r.code).toBe(2);
    expect(r.stderr.trim()).toBe(`upstream-doctor: configuration: ${bad}:2: unterminated "-quoted string`);
  });
});

describe('config command', () => {
  test('--format json lists each log: kind, format, virtual host, existence, readability, rotated siblings', () => {
    const r = runCli(['config', '--nginx-conf', conf, '--format', 'json']);
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout);
    expect(doc.configs).toEqual([{ server: 'nginx', path: conf, files: [conf] }]);
    const access = doc.logs.find((l: any) => l.path === `${logs}/access.log`);
    expect(access).toMatchObject({
      kind: 'nginx-access', destination: 'file', format: FORMAT, formatName: 'pipes', vhosts: ['probe.test'],
      exists: true, readable: true, problem: null, rotated: [`${logs}/access.log-20241115.gz`, `${logs}/access.log.2.gz`, `${logs}/access.log.1`],
    });
    expect(doc.logs.find((l: any) => l.destination === 'syslog')).toMatchObject({ readable: false, problem: 'sent to syslog, not written to a file' });
    expect(doc.logs.find((l: any) => l.path.endsWith('never-written.log'))).toMatchObject({
      exists: false, readable: false, formatName: 'combined', problem: 'no such file or directory',
    });
    expect(doc.logs.find((l: any) => l.kind === 'nginx-error')).toMatchObject({ path: `${logs}/error.log`, level: 'error', readable: true });
  });

  test('the table names each log with its format and status', () => {
    const r = runCli(['config', '--nginx-conf', conf]);
    expect(r.code).toBe(0);
    const row = r.stdout.split('\n').find((l) => l.includes(`${logs}/access.log `));
    expect(row).toContain('probe.test');
    expect(row).toContain(`pipes: ${FORMAT}`);
    expect(row).toContain('readable (+3 rotated)');
  });

  test('an explicit configuration that does not exist is exit 2', () => {
    const r = runCli(['config', '--apache-conf', '/nonexistent/httpd.conf']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('/nonexistent/httpd.conf: no such file');
  });
});
