import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { parseNginxConf, readNginxConfig, tokenize } from '../../src/config/nginx-conf';
import { logByPath, tempDir, writeTree } from '../helpers/config';
import { compileNginxFormat } from '../../src/parse/format/nginx-format';
import { NGINX_PRESETS } from '../../src/parse/format/presets';

const hasNginx = spawnSync('nginx', ['-v']).status === 0;

const write = writeTree;
const byPath = logByPath;

const MAIN_FORMAT =
  '$remote_addr - $remote_user [$time_local] "$request" $status $body_bytes_sent "$http_referer" "$http_user_agent" $upstream_addr';
const JSON_FORMAT = '{"time":"$time_iso8601","status":$status,"upstream":"$upstream_addr","rt":"$upstream_response_time"}';

/** A configuration using what real ones use: multi-line formats, includes with globs, maps, variables, off. */
function customConf(root: string): string {
  write(root, {
    'conf/nginx.conf': `
# a comment; with { braces } and "quotes"
error_log logs/error.log warn;
pid logs/nginx.pid;
events { worker_connections 64; }
http {
    log_format  main  '$remote_addr - $remote_user [$time_local] "$request" '
                      '$status $body_bytes_sent "$http_referer" '
                      "\\"$http_user_agent\\" $upstream_addr";
    log_format json escape=json
        '{"time":"$time_iso8601","status":$status,'
        '"upstream":"$upstream_addr","rt":"$upstream_response_time"}';
    map $status $loggable { ~^[23] 0; default 1; }
    access_log logs/access.log main buffer=32k gzip=5 flush=5s if=$loggable;
    include conf.d/*.conf;
    server {
        listen 127.0.0.1:8081;
        server_name a.example www.a.example;
        access_log ${root}/logs/a.json.log json;
        access_log syslog:server=127.0.0.1:514,tag=nginx main;
        error_log ${root}/logs/a.error.log debug;
        location /static { access_log off; }
        location /api { access_log logs/api-\${host}.log combined; }
    }
}
`,
    'conf/conf.d/b.conf': 'server { listen 127.0.0.1:8082; server_name b.example; location / { return 200 "ok;#}"; } }\n',
    'conf/conf.d/c.conf': 'server { listen 127.0.0.1:8083; server_name c.example; access_log /dev/stdout; error_log stderr; }\n',
    'conf/conf.d/ignored.txt': 'this is not nginx syntax {{{',
    'logs/.keep': '',
  });
  return path.join(root, 'conf', 'nginx.conf');
}

describe('nginx configuration tokenizer', () => {
  test('quotes, escapes, comments only at the start of a word, ${var} inside a word', () => {
    const toks = tokenize('a "b c\\"d" \'e#f\' g#h ${x}y; #comment ;\n{ }', 'f');
    expect(toks.map((t) => t.value)).toEqual(['a', 'b c"d', 'e#f', 'g#h', '${x}y', ';', '{', '}']);
    expect(toks[toks.length - 1].line).toBe(2);
  });

  test('an unterminated string names the file and line', () => {
    expect(() => tokenize('x;\nlog_format a "oops;\n', '/c.conf')).toThrow('/c.conf:2: unterminated "-quoted string');
  });

  test('an unbalanced block is an error, not a silent half-read', () => {
    const root = tempDir('nginx');
    write(root, { 'n.conf': 'http { server { }' });
    expect(() => parseNginxConf(path.join(root, 'n.conf'))).toThrow(/expecting "}"/);
  });
});

describe('nginx configuration: custom formats, includes, variables', () => {
  let root: string;
  let conf: string;
  beforeAll(() => {
    root = tempDir('nginx');
    conf = customConf(root);
  });

  test('reads the main file and the globbed includes in order, not the non-matching one', () => {
    const c = readNginxConfig(conf);
    expect(c.files).toEqual([conf, path.join(root, 'conf/conf.d/b.conf'), path.join(root, 'conf/conf.d/c.conf')]);
  });

  test('every log with its destination, format, escape, condition, level and virtual hosts', () => {
    const { logs, warnings } = readNginxConfig(conf);
    expect(warnings).toEqual([]);
    // prefix: the parent of conf/, as with nginx -p
    const http = byPath(logs, path.join(root, 'logs/access.log'));
    expect(http).toMatchObject({
      kind: 'nginx-access', destination: 'file', formatName: 'main', format: MAIN_FORMAT, escape: 'default',
      condition: '$loggable', vhosts: ['b.example'], // a.example and c.example have their own access_log
    });
    expect(byPath(logs, path.join(root, 'logs/a.json.log'))).toMatchObject({
      formatName: 'json', escape: 'json', format: JSON_FORMAT, vhosts: ['a.example', 'www.a.example'],
    });
    expect(byPath(logs, 'syslog:server=127.0.0.1:514,tag=nginx')).toMatchObject({ destination: 'syslog', formatName: 'main' });
    expect(byPath(logs, path.join(root, 'logs/api-${host}.log'))).toMatchObject({
      destination: 'variable', formatName: 'combined', format: NGINX_PRESETS.combined,
    });
    expect(byPath(logs, '/dev/stdout')).toMatchObject({ destination: 'stderr', vhosts: ['c.example'] });
    expect(byPath(logs, path.join(root, 'logs/error.log'))).toMatchObject({ kind: 'nginx-error', level: 'warn', vhosts: [] });
    expect(byPath(logs, path.join(root, 'logs/a.error.log'))).toMatchObject({ kind: 'nginx-error', level: 'debug' });
    expect(byPath(logs, 'stderr')).toMatchObject({ kind: 'nginx-error', destination: 'stderr', level: 'error' });
    expect(logs).toHaveLength(8); // `access_log off` adds nothing
    expect(http.source).toEqual({ file: conf, line: 14 });
  });

  test('the formats compile: the escape=json one into JSON literals around the fields', () => {
    const { logs } = readNginxConfig(conf);
    const plan = compileNginxFormat(byPath(logs, path.join(root, 'logs/a.json.log')).format!);
    expect(plan.tokens.filter((t) => t.kind === 'field').map((t) => (t as { name: string }).name)).toEqual([
      '$time_iso8601', '$status', '$upstream_addr', '$upstream_response_time',
    ]);
    expect(plan.tokens[0]).toEqual({ kind: 'literal', text: '{"time":"' });
  });

  test('an unknown log_format name is a warning naming the directive', () => {
    const r = tempDir('nginx');
    write(r, { 'nginx.conf': 'events {}\nhttp {\n  access_log /x/a.log nosuch;\n}\n' });
    const c = readNginxConfig(path.join(r, 'nginx.conf'));
    expect(c.warnings).toEqual([`${path.join(r, 'nginx.conf')}:3: access_log uses unknown log_format "nosuch"`]);
    expect(c.logs[0]).toMatchObject({ path: '/x/a.log', format: null, formatName: 'nosuch' });
  });

  test("OpenResty's *_by_lua_block bodies are skipped as Lua, braces in strings and comments included", () => {
    const r = tempDir('nginx');
    write(r, {
      'nginx.conf': `http {
  server {
    server_name lua.test;
    access_by_lua_block {
      local s = "}" -- don't {
      if ngx.var.x then ngx.say('{') end
      local t = [[ }
      ]]
    }
    access_log /x/lua.log;
  }
}
`,
    });
    const c = readNginxConfig(path.join(r, 'nginx.conf'));
    expect(c.logs).toHaveLength(1);
    expect(c.logs[0]).toMatchObject({ path: '/x/lua.log', vhosts: ['lua.test'], source: { line: 10 } });
  });

  test('a broken included file is a warning and the rest is read; an include cycle is an error', () => {
    const r = tempDir('nginx');
    write(r, {
      'nginx.conf': 'http { include sites/*; access_log /x/main.log; }\n',
      'sites/a': 'server { server_name a; access_log /x/a.log; }\n',
      'sites/b': 'server { server_name b; access_log "/x/b.log;\n',
      'loop.conf': 'include loop.conf;\n',
    });
    const c = readNginxConfig(path.join(r, 'nginx.conf'));
    expect(c.logs.map((l) => l.path)).toEqual(['/x/a.log', '/x/main.log']);
    expect(c.warnings).toEqual([`${r}/nginx.conf:1: include sites/*: ${r}/sites/b:1: unterminated "-quoted string`]);
    expect(() => readNginxConfig(path.join(r, 'loop.conf'))).toThrow('included from itself');
  });

  test('a missing non-glob include is a warning, a glob matching nothing is silent', () => {
    const r = tempDir('nginx');
    write(r, { 'nginx.conf': 'include none/*.conf;\ninclude missing.conf;\nerror_log /x/e.log;\n' });
    const c = readNginxConfig(path.join(r, 'nginx.conf'));
    expect(c.warnings).toHaveLength(1);
    expect(c.warnings[0]).toContain('include missing.conf');
    expect(c.logs.map((l) => l.path)).toEqual(['/x/e.log']);
  });

  (hasNginx ? test : test.skip)('`nginx -T` output of the same configuration gives the same logs', () => {
    // Through a file: nginx opens /dev/stdout while testing, which a socketpair (Node's pipes) refuses.
    const out = path.join(root, 'dump.txt');
    spawnSync('sh', ['-c', 'nginx -T -p "$1/" -c "$2" >"$3" 2>&1', 'sh', root, conf, out]);
    const dump = fs.readFileSync(out, 'utf8');
    expect(dump).toContain('test is successful');
    const fromDump = readNginxConfig('-', { dump, prefix: root });
    const fromFiles = readNginxConfig(conf, { prefix: root });
    expect(fromDump.main).toBe(conf);
    expect(fromDump.files).toEqual(fromFiles.files);
    expect(fromDump.logs).toEqual(fromFiles.logs);
    expect(fromDump.logs).toHaveLength(8);
  });
  if (!hasNginx) console.warn('nginx is not installed: the `nginx -T` test is skipped');
});

const DEBIAN = '/etc/nginx/nginx.conf';
const hasDebianConf = fs.existsSync(DEBIAN) && fs.existsSync('/etc/nginx/sites-enabled/default');

(hasDebianConf ? describe : describe.skip)("Debian's default nginx configuration", () => {
  test('names /var/log/nginx/access.log in combined and /var/log/nginx/error.log', () => {
    const c = readNginxConfig(DEBIAN);
    expect(c.files).toContain('/etc/nginx/sites-enabled/default');
    expect(c.files).toContain('/etc/nginx/mime.types');
    const access = byPath(c.logs, '/var/log/nginx/access.log');
    expect(access).toMatchObject({ kind: 'nginx-access', destination: 'file', formatName: 'combined', format: NGINX_PRESETS.combined });
    expect(access.vhosts).toEqual(['_']); // the default server inherits the http-level log
    expect(byPath(c.logs, '/var/log/nginx/error.log')).toMatchObject({ kind: 'nginx-error', level: 'error' });
  });
});
if (!hasDebianConf) console.warn("/etc/nginx (Debian's nginx package) is absent: its default-configuration test is skipped");
