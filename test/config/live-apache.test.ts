import { ChildProcess, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { runCli } from '../helpers/cli';
import { freePort, get, startServer, stopServer, tempServerRoot } from '../helpers/live-server';

/**
 * A real Apache httpd (loopback, temp ServerRoot) writes a custom LogFormat given by nickname and
 * an inline CustomLog format in a virtual host; only --apache-conf is given to the analyzer.
 */

const MODULES = '/usr/lib/apache2/modules';
const hasApache =
  spawnSync('apache2', ['-v']).status === 0 && ['mod_mpm_event.so', 'mod_proxy.so', 'mod_proxy_http.so', 'mod_authz_core.so'].every((m) => fs.existsSync(path.join(MODULES, m)));
if (!hasApache) console.warn("apache2 (Debian's package) is not installed: the live Apache configuration test is skipped");

(hasApache ? describe : describe.skip)('a real Apache with custom LogFormats, analysed from its configuration alone', () => {
  let root: string;
  let conf: string;
  let child: ChildProcess;
  let dead: number;
  let statuses: number[];

  beforeAll(async () => {
    root = tempServerRoot('apache', ['logs', 'htdocs', 'sites']);
    fs.writeFileSync(path.join(root, 'htdocs', 'ok.txt'), 'ok\n');
    const port = await freePort();
    dead = await freePort();
    conf = path.join(root, 'httpd.conf');
    const load = (m: string, f: string) => `LoadModule ${m}_module ${MODULES}/${f}`;
    fs.writeFileSync(
      conf,
      [
        `ServerRoot "${root}"`, `PidFile ${root}/logs/httpd.pid`, `Mutex file:${root}/logs default`, `Listen 127.0.0.1:${port}`,
        load('mpm_event', 'mod_mpm_event.so'), load('authz_core', 'mod_authz_core.so'), load('proxy', 'mod_proxy.so'),
        load('proxy_http', 'mod_proxy_http.so'), 'User nobody', 'Group nogroup', 'ServerName localhost',
        'ErrorLog logs/error.log', 'LogLevel warn',
        'LogFormat "%t|%>s|%r|%D|%v|%{remote}p|%h" piped_fields',
        'IncludeOptional sites/*.conf',
      ].join('\n') + '\n',
    );
    fs.writeFileSync(
      path.join(root, 'sites', 'probe.conf'),
      `<VirtualHost 127.0.0.1:${port}>\n  ServerName probe.test\n  DocumentRoot ${root}/htdocs\n` +
        `  <Directory ${root}/htdocs>\n    Require all granted\n  </Directory>\n` +
        `  ProxyPass /dead http://127.0.0.1:${dead}/ retry=0\n` +
        `  CustomLog logs/probe.log piped_fields\n  CustomLog ${root}/logs/inline.log "%h [%{remote}p] %>s \\"%r\\" %t"\n</VirtualHost>\n`,
    );
    child = await startServer('apache2', ['-f', conf, '-DFOREGROUND'], [port]);
    statuses = [await get(port, '/ok.txt'), await get(port, '/dead/x'), await get(port, '/ok.txt?again')];
  });

  afterAll(() => stopServer(child, 'SIGTERM', root));

  test('Apache answered as planned (a refused backend is 503 in httpd)', () => {
    expect(statuses).toEqual([200, 503, 200]);
  });

  test('analyze --apache-conf reads the richer of the two access logs (same requests) and finds the 503', () => {
    const r = runCli(['analyze', '--apache-conf', conf, '--format', 'json']);
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout);
    const file = (name: string) => doc.files.find((f: any) => f.path === path.join(root, 'logs', name));
    expect(file('probe.log')).toMatchObject({ kind: 'apache-access', format: 'piped_fields', lines: 3, parsed: 3, skipped: 0, vhosts: ['probe.test'] });
    expect(file('inline.log')).toBeUndefined();
    expect(r.stderr).toContain(`${root}/logs/inline.log: the same requests as ${root}/logs/probe.log`);
    expect(file('error.log')).toMatchObject({ kind: 'apache-error' });
    expect(doc.status).toEqual({ '200': 2, '503': 1 });
    // the failing request, parsed from the custom format (which cause it gets is the catalogue's business)
    const row = doc.causes.find((c: any) => c.status['503'] === 1);
    expect(row.top.paths).toContainEqual({ key: '/dead/x', count: 1 });
    expect(doc.configuration).toEqual([{ server: 'apache', path: conf }]);
  });

  test('the inline CustomLog format, given as PATH with --apache-conf, parses too', () => {
    const r = runCli(['analyze', '--apache-conf', conf, path.join(root, 'logs', 'inline.log'), '--format', 'json']);
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout);
    expect(doc.files[0]).toMatchObject({ kind: 'apache-access', format: 'custom', lines: 3, parsed: 3, skipped: 0, vhosts: ['probe.test'] });
    expect(doc.status).toEqual({ '200': 2, '503': 1 });
  });
});
