import { runCli } from './helpers/cli';

describe('cli', () => {
  test('no command is a usage error with exit 2 and one line', () => {
    const r = runCli([]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/name a command/);
  });

  test('a path that does not exist: exit 2, one line naming the path and the reason', () => {
    const r = runCli(['analyze', '/nonexistent/nginx']);
    expect(r.code).toBe(2);
    expect(r.stderr.trim()).toBe('upstream-doctor: /nonexistent/nginx: no such file or directory');
  });
});

describe('output to a closed pipe', () => {
  test('analyze --format ndjson | head -1 ends quietly with exit 0 (no EPIPE stack trace)', () => {
    const fs = require('fs') as typeof import('fs');
    const os = require('os') as typeof import('os');
    const path = require('path') as typeof import('path');
    const { spawnSync } = require('child_process') as typeof import('child_process');
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ud-pipe-'));
    const log = path.join(dir, 'access.log');
    // Generated here: enough 502 lines that the output outgrows the pipe buffer after head exits.
    const line = (i: number) => `127.0.0.1 - - [16/Nov/2024:14:15:25 +0000] "GET /r/${i} HTTP/1.1" 502 10 "-" "t"\n`;
    fs.writeFileSync(log, Array.from({ length: 20000 }, (_, i) => line(i)).join(''));
    const { CLI } = require('./helpers/cli');
    const r = spawnSync('bash', ['-c', `node "${CLI}" analyze "${log}" --format ndjson | head -1 >/dev/null; echo "exit=\${PIPESTATUS[0]}"`], {
      encoding: 'utf8',
    });
    expect(r.stdout.trim()).toBe('exit=0');
    expect(r.stderr).not.toMatch(/EPIPE|internal error/);
  });
});
