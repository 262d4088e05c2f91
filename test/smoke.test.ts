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

describe('outputs that cannot be written: one line naming them, exit 2', () => {
  const fs = require('fs') as typeof import('fs');
  const os = require('os') as typeof import('os');
  const path = require('path') as typeof import('path');
  const { spawnSync } = require('child_process') as typeof import('child_process');
  const { CLI } = require('./helpers/cli');
  const haveFull = fs.existsSync('/dev/full');

  test('--output in a directory that does not exist fails before any input is read', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ud-out-'));
    // A FIFO no one writes: reading it would wait for ever, so the run must stop before it does.
    const fifo = path.join(dir, 'access.log');
    spawnSync('mkfifo', [fifo]);
    const r = runCli(['analyze', fifo, '--format', 'json', '--output', path.join(dir, 'missing', 'report.json')]);
    expect(r.code).toBe(2);
    expect(r.stderr.trim()).toBe(`upstream-doctor: ${path.join(dir, 'missing', 'report.json')}: cannot write (no such file or directory)`);
  });

  test('--output over a longer file leaves exactly the report (it is opened early, emptied when the report starts)', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ud-out-'));
    const out = path.join(dir, 'report.json');
    fs.writeFileSync(out, 'x'.repeat(1 << 20));
    const r = runCli(['analyze', 'fixtures/nginx/access.log', '--format', 'json', '--output', out]);
    expect(r.code).toBe(0);
    expect(JSON.parse(fs.readFileSync(out, 'utf8')).lines.read).toBeGreaterThan(0);
  });

  (haveFull ? test.each(['json', 'ndjson', 'table', 'html'])('--format %s to a full disk (/dev/full), as --output and as stdout', (format) => {
    const viaOption = runCli(['analyze', 'fixtures/nginx', '--format', format, '--output', '/dev/full']);
    expect([viaOption.code, viaOption.stderr.trim()]).toEqual([2, 'upstream-doctor: /dev/full: cannot write (no space left on device)']);
    const viaStdout = spawnSync('bash', ['-c', `node "${CLI}" analyze fixtures/nginx --format ${format} > /dev/full`], { encoding: 'utf8', cwd: path.join(__dirname, '..') });
    expect([viaStdout.status, viaStdout.stderr.trim()]).toEqual([2, 'upstream-doctor: stdout: cannot write (no space left on device)']);
  }) : test.skip.each(['json'])('--format %s to a full disk: /dev/full is absent here', () => undefined));
});
