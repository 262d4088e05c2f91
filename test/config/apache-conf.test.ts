import * as fs from 'fs';
import * as path from 'path';
import { readApacheConfig, splitWords } from '../../src/config/apache-conf';
import { logByPath, tempDir, writeTree } from '../helpers/config';
import { compileApacheFormat } from '../../src/parse/format/apache-format';

const write = writeTree;
const byPath = logByPath;

const TIMED = '%h %l %u %t \\"%r\\" %>s %b \\"%{Referer}i\\" \\"%{User-Agent}i\\" %D';

describe('Apache configuration words', () => {
  test('quoted words keep their escapes raw (for LogFormat) and resolve them in value (for paths)', () => {
    const w = splitWords(`LogFormat "%h \\"%r\\" %>s" 'x y' bare`);
    expect(w.map((x) => x.raw)).toEqual(['LogFormat', '%h \\"%r\\" %>s', 'x y', 'bare']);
    expect(w[1].value).toBe('%h "%r" %>s');
  });
});

describe('Apache configuration: nicknames, inline formats, includes, envvars, pipes', () => {
  let root: string;
  let conf: string;
  beforeAll(() => {
    root = tempDir('apache');
    write(root, {
      envvars: `if [ x ]; then\n  SUFFIX="-\${APACHE_CONFDIR##/etc/apache2-}"\nelse\n  SUFFIX=\nfi\nexport APACHE_LOG_DIR=${root}/var$SUFFIX\n`,
      'httpd.conf': `# main
ServerRoot "${root}"
Define LOGS ${root}/logs
LogFormat "${TIMED}" timed
LogFormat "%h %t \\"%r\\" %>s"
ErrorLogFormat "[%t] [%l] [pid %P] %F: %E: [client %a] %M"
ErrorLog \${LOGS}/error_log
LogLevel warn proxy:debug
TransferLog logs/transfer.log
IncludeOptional sites/*.conf
IncludeOptional missing/*.conf
Include extra
<IfModule log_config_module>
    CustomLog "|/usr/bin/rotatelogs /var/log/piped.%Y 86400" timed
</IfModule>
`,
      'sites/a.conf': `<VirtualHost *:8080>
    CustomLog \${APACHE_LOG_DIR}/a_access.log timed env=!dontlog
    ServerName a.example
    ServerAlias www.a.example
    CustomLog logs/inline.log "%v %h \\"%r\\" \\
        %>s %D"
    ErrorLog syslog:local1
</VirtualHost>
`,
      'sites/b.conf': '<VirtualHost *:8081>\n  ServerName b.example\n</VirtualHost>\n',
      'sites/skip.txt': 'CustomLog /never/read.log timed\n',
      'extra/one.conf': 'CustomLog /var/log/typo.log timd\nCustomLog /var/log/later.log defined_later\nLogFormat "%h %>s" defined_later\n',
    });
    conf = path.join(root, 'httpd.conf');
  });

  test('reads envvars, the main file, globbed and directory includes', () => {
    const c = readApacheConfig(conf);
    expect(c.files).toEqual([
      path.join(root, 'envvars'), conf, path.join(root, 'sites/a.conf'), path.join(root, 'sites/b.conf'), path.join(root, 'extra/one.conf'),
    ]);
    expect(c.serverRoot).toBe(root);
  });

  test('every log with its format, virtual hosts, condition and destination', () => {
    const { logs, warnings } = readApacheConfig(conf);
    expect(byPath(logs, `${root}/logs/error_log`)).toMatchObject({
      kind: 'apache-error', destination: 'file', level: 'warn',
      format: '[%t] [%l] [pid %P] %F: %E: [client %a] %M',
      vhosts: ['b.example'], // a.example has its own ErrorLog
    });
    expect(byPath(logs, `${root}/logs/transfer.log`)).toMatchObject({
      kind: 'apache-access', format: '%h %t \\"%r\\" %>s', formatName: null, vhosts: ['b.example'],
    });
    expect(byPath(logs, `${root}/var/a_access.log`)).toMatchObject({
      format: TIMED, formatName: 'timed', condition: 'env=!dontlog', vhosts: ['a.example', 'www.a.example'],
    });
    expect(byPath(logs, `${root}/logs/inline.log`)).toMatchObject({ formatName: 'inline', format: '%v %h \\"%r\\"         %>s %D' });
    expect(byPath(logs, '|/usr/bin/rotatelogs /var/log/piped.%Y 86400')).toMatchObject({ destination: 'pipe', formatName: 'timed' });
    expect(byPath(logs, 'syslog:local1')).toMatchObject({ kind: 'apache-error', destination: 'syslog', vhosts: ['a.example', 'www.a.example'] });
    expect(byPath(logs, '/var/log/typo.log')).toMatchObject({ format: 'timd', formatName: 'inline' });
    // httpd looks nicknames up once the whole configuration is read
    expect(byPath(logs, '/var/log/later.log')).toMatchObject({ format: '%h %>s', formatName: 'defined_later' });
    expect(logs.map((l) => l.path)).not.toContain('/never/read.log');
    expect(warnings).toEqual([`${root}/extra/one.conf:1: CustomLog format "timd" is no known nickname`]);
  });

  test('the formats compile to the fields the analysis needs', () => {
    const { logs } = readApacheConfig(conf);
    const plan = compileApacheFormat(byPath(logs, `${root}/var/a_access.log`).format!);
    const types = plan.tokens.filter((t) => t.kind === 'field').map((t) => (t as { type: string }).type);
    expect(types).toEqual(['client', 'token', 'token', 'time-clf', 'request', 'status', 'bytes', 'referer', 'user-agent', 'request-time-us']);
  });

  test('an undefined ${VAR} is a warning and stays visible in the path', () => {
    const r = tempDir('apache');
    write(r, { 'a.conf': 'ErrorLog ${NOPE_DIR}/error.log\n' });
    const c = readApacheConfig(path.join(r, 'a.conf'), { env: {} });
    expect(c.logs[0]).toMatchObject({ path: '${NOPE_DIR}/error.log', destination: 'variable' });
    expect(c.warnings[0]).toContain('${NOPE_DIR} is not defined');
  });
});

const DEBIAN = '/etc/apache2/apache2.conf';
const hasDebianConf = fs.existsSync(DEBIAN) && fs.existsSync('/etc/apache2/envvars');

(hasDebianConf ? describe : describe.skip)("Debian's default Apache configuration", () => {
  test('names error.log, access.log (combined, for the *:80 host) and other_vhosts_access.log (vhost_combined)', () => {
    const c = readApacheConfig(DEBIAN, { env: {} });
    expect(c.warnings).toEqual([]);
    expect(c.files).toContain('/etc/apache2/sites-enabled/000-default.conf');
    expect(byPath(c.logs.filter((l) => l.source.file === DEBIAN), '/var/log/apache2/error.log')).toMatchObject({ kind: 'apache-error', level: 'warn' });
    const access = byPath(c.logs, '/var/log/apache2/access.log');
    expect(access).toMatchObject({
      formatName: 'combined', format: '%h %l %u %t \\"%r\\" %>s %O \\"%{Referer}i\\" \\"%{User-Agent}i\\"', vhosts: ['*:80'],
    });
    expect(byPath(c.logs, '/var/log/apache2/other_vhosts_access.log')).toMatchObject({
      formatName: 'vhost_combined', format: '%v:%p %h %l %u %t \\"%r\\" %>s %O \\"%{Referer}i\\" \\"%{User-Agent}i\\"',
    });
  });
});
if (!hasDebianConf) console.warn("/etc/apache2 (Debian's apache2 package) is absent: its default-configuration test is skipped");
