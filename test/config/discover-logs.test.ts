import * as path from 'path';
import { annotateInputs, configuredInputs, discoverLogs } from '../../src/config/discover-logs';
import { discoverInputs } from '../../src/input/discover';
import { tempDir, writeTree } from '../helpers/config';

/** From configurations to inputs: merging, defaults, what is and is not read. */

describe('discoverLogs', () => {
  test('one file named by two virtual hosts is one log with both hosts and both sources', () => {
    const root = tempDir('discover');
    writeTree(root, {
      'nginx.conf': `http {\n server { server_name a; access_log ${root}/acc.log; }\n server { server_name b; access_log ${root}/acc.log; }\n}\n`,
      'acc.log': '',
    });
    const d = discoverLogs({ nginxConf: path.join(root, 'nginx.conf') })!;
    expect(d.logs).toHaveLength(1);
    expect(d.logs[0]).toMatchObject({ vhosts: ['a', 'b'], exists: true, readable: true, problem: null });
    expect(d.logs[0].sources.map((s) => s.line)).toEqual([2, 3]);
    expect(d.logs[0].plan?.name).toBe('combined');
  });

  test('two unconditional access logs of one block get the same requests: only the richer is read', () => {
    const root = tempDir('discover');
    writeTree(root, {
      'nginx.conf': `http {
 log_format rich '$remote_addr [$time_local] "$request" $status $upstream_addr $upstream_status';
 server { server_name a;
   access_log ${root}/a-combined.log;
   access_log ${root}/a-rich.log rich;
   access_log ${root}/a-errors.log rich if=$is_error;
 }
 server { server_name b; access_log ${root}/b.log; }
}
`,
      'a-combined.log': '', 'a-rich.log': '', 'a-errors.log': '', 'b.log': '',
    });
    const d = discoverLogs({ nginxConf: path.join(root, 'nginx.conf') })!;
    const dup = Object.fromEntries(d.logs.map((l) => [path.basename(l.path), l.duplicateOf]));
    expect(dup).toEqual({ 'a-combined.log': `${root}/a-rich.log`, 'a-rich.log': null, 'a-errors.log': null, 'b.log': null });
    expect(configuredInputs(d).map((i) => path.basename(i.path))).toEqual(['a-rich.log', 'a-errors.log', 'b.log']);
  });

  test('the same file in two formats is read as the first, with a warning', () => {
    const root = tempDir('discover');
    writeTree(root, {
      'nginx.conf': `http {\n log_format f '$status $request_time';\n server { access_log ${root}/x.log f; }\n server { access_log ${root}/x.log; }\n}\n`,
    });
    const d = discoverLogs({ nginxConf: path.join(root, 'nginx.conf') })!;
    expect(d.logs[0].formatName).toBe('f');
    expect(d.warnings).toEqual([`${root}/nginx.conf:4: ${root}/x.log is also written in another format (${root}/nginx.conf:3); reading it as the first`]);
  });

  test('a format that does not compile is reported on the log, which is then detected', () => {
    const root = tempDir('discover');
    writeTree(root, { 'nginx.conf': `http { log_format bad '$status$request_time'; access_log ${root}/x.log bad; }\n` });
    const d = discoverLogs({ nginxConf: path.join(root, 'nginx.conf') })!;
    expect(d.logs[0].plan).toBeNull();
    expect(d.logs[0].formatError).toContain('adjacent');
  });

  test('only files become inputs; pipes, syslog and variables do not', () => {
    const root = tempDir('discover');
    writeTree(root, {
      'httpd.conf': `ErrorLog syslog:local1\nCustomLog "|/bin/cat" combined\nCustomLog ${root}/a.log combined\nCustomLog \${UNSET_X}/b.log combined\n`,
      'a.log': '',
      'a.log.1': '',
    });
    const d = discoverLogs({ apacheConf: path.join(root, 'httpd.conf') })!;
    expect(d.logs.map((l) => l.destination)).toEqual(['syslog', 'pipe', 'file', 'variable']);
    expect(configuredInputs(d).map((i) => path.basename(i.path))).toEqual(['a.log.1', 'a.log']);
    expect(configuredInputs(d)[0]).toMatchObject({ kind: 'apache-access', rotationBase: `${root}/a.log` });
  });

  test('defaults: none present is null; a default that does not parse is a warning, not an error', () => {
    const root = tempDir('discover');
    writeTree(root, { 'bad.conf': 'http {\n', 'good.conf': `ErrorLog ${root}/e.log\n` });
    expect(discoverLogs({ defaultNginx: [`${root}/none.conf`], defaultApache: [] })).toBeNull();
    const d = discoverLogs({ defaultNginx: [`${root}/none.conf`, `${root}/bad.conf`], defaultApache: [`${root}/good.conf`] })!;
    expect(d.configs.map((c) => c.server)).toEqual(['apache']);
    expect(d.warnings).toEqual([`${root}/bad.conf: not used: ${root}/bad.conf: unexpected end of file, expecting "}"`]);
    expect(() => discoverLogs({ nginxConf: `${root}/bad.conf` })).toThrow('expecting "}"');
  });

  test('PATHs the configuration names get its format and hosts; others are left alone', () => {
    const root = tempDir('discover');
    writeTree(root, {
      'nginx.conf': `http { log_format f '$status $request_time'; server { server_name s; access_log ${root}/x.log f; } }\n`,
      'x.log.1': '',
      'y.log': '',
    });
    const d = discoverLogs({ nginxConf: path.join(root, 'nginx.conf') })!;
    const specs = annotateInputs(discoverInputs([`${root}/x.log.1`, `${root}/y.log`]), d);
    expect(specs[0]).toMatchObject({ kind: 'nginx-access', vhosts: ['s'] });
    expect(specs[0].plan?.name).toBe('f');
    expect(specs[1].plan).toBeUndefined();
  });
});
