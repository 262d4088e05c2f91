import { spawn, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Writable } from 'stream';
import * as zlib from 'zlib';
import { Analyzer } from '../../src/analyze/analyzer';
import { runAnalysis } from '../../src/analyze/run';
import { READ_CHUNK } from '../../src/input/open';
import { ZoneClock } from '../../src/parse/time';
import { EXIT } from '../../src/cli/exit-codes';
import { runCli } from '../helpers/cli';

/**
 * Files as they are found on real machines: cut, half-compressed, not logs at all, changing under
 * the reader. Each case has a documented outcome (docs/hostile-input.md): a report of what could
 * be read, a one-line reason for what could not, an exit code, and never a stack trace.
 */

let dir: string;
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ud-broken-'));
  fs.chmodSync(dir, 0o755);
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

function accessLines(n: number, status = 502): string[] {
  const out: string[] = [];
  for (let i = 0; i < n; i++) {
    out.push(
      `127.0.0.1 - - [16/Nov/2024:14:${String(Math.floor(i / 60) % 60).padStart(2, '0')}:${String(i % 60).padStart(2, '0')} +0000] "GET /item/${i}?q=${'x'.repeat(i % 50)} HTTP/1.1" ${status} 157 "-" "curl/8.5.0" 0.001 127.0.0.1:9000 ${status} 0.001 0.000 localhost ${i}`,
    );
  }
  return out;
}

function write(name: string, data: string | Buffer): string {
  const p = path.join(dir, name);
  fs.writeFileSync(p, data);
  return p;
}

/** Deterministic pseudo-random bytes (xorshift), so the binary case is the same on every run. */
function noise(n: number, seed = 12345): Buffer {
  const b = Buffer.alloc(n);
  let x = seed;
  for (let i = 0; i < n; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    b[i] = x & 0xff;
  }
  return b;
}

function analyzeJson(args: string[]) {
  const r = runCli(['analyze', ...args, '--format', 'json']);
  expect(r.stderr).not.toMatch(/internal error|\n\s+at /); // no stack trace, ever
  return { ...r, doc: r.stdout ? JSON.parse(r.stdout) : null };
}

function accounting(f: any): void {
  expect(f.lines).toBe(f.parsed + f.skipped);
  const byReason = Object.values(f.skippedByReason as Record<string, number>).reduce((a, b) => a + b, 0);
  expect(byReason).toBe(f.skipped);
}

describe('broken files', () => {
  test('truncated gzip: what was read is reported, then a clear error, exit 3 (PARTIAL_INPUT)', () => {
    const full = zlib.gzipSync(Buffer.from(accessLines(5000).join('\n') + '\n'));
    const p = write('access.log.2.gz', full.subarray(0, Math.floor(full.length / 2)));
    const { code, stderr, doc } = analyzeJson([p]);
    expect(code).toBe(EXIT.PARTIAL_INPUT);
    expect(stderr).toContain(`${p}: gzip stream is truncated (unexpected end of file)`);
    const f = doc.files[0];
    expect(f.error).toMatch(/gzip stream is truncated/);
    expect(f.parsed).toBeGreaterThan(1000);
    expect(f.parsed).toBeLessThan(5000);
    // the line the stream broke off in is counted as truncated, not handed to a parser
    expect(f.skippedByReason).toEqual({ truncated: 1 });
    accounting(f);
  });

  test('gzip with a corrupt body: same outcome as truncated (exit 3), no stack trace', () => {
    const full = Buffer.from(zlib.gzipSync(Buffer.from(accessLines(3000).join('\n') + '\n')));
    for (let i = 4000; i < 4100; i++) full[i] ^= 0x5a;
    const { code, doc } = analyzeJson([write('corrupt.log.gz', full)]);
    expect(code).toBe(EXIT.PARTIAL_INPUT);
    expect(doc.files[0].error).toMatch(/gzip stream is (corrupt|truncated)/);
    accounting(doc.files[0]);
  });

  test('gzip of a non-log text: read, format not recognised, every line skipped as unrecognised, exit 0', () => {
    const text = fs.readFileSync(path.join(__dirname, '..', '..', 'src', 'model.ts'));
    const { code, doc } = analyzeJson([write('notes.log.gz', zlib.gzipSync(text))]);
    expect(code).toBe(EXIT.OK);
    const f = doc.files[0];
    expect(f.kind).toBeNull();
    expect(f.compression).toBe('gzip');
    expect(f.parsed).toBe(0);
    expect(f.lines).toBe(text.toString().split('\n').length - 1);
    expect((f.skippedByReason.unrecognised ?? 0) + (f.skippedByReason.blank ?? 0)).toBe(f.lines);
    accounting(f);
  });

  test('binary file (and a gzip of one): lines skipped as binary, exit 0', () => {
    const bin = noise(200_000);
    for (const p of [write('core.bin', bin), write('core.bin.gz', zlib.gzipSync(bin))]) {
      const { code, doc } = analyzeJson([p]);
      expect(code).toBe(EXIT.OK);
      const f = doc.files[0];
      expect(f.kind).toBeNull();
      expect(f.parsed).toBe(0);
      // a handful of very short runs between newlines can look like text; the rest is binary
      expect(f.skippedByReason.binary).toBeGreaterThan(f.lines * 0.95);
      accounting(f);
    }
  });

  test('invalid UTF-8 in fields: lines parse, bad sequences become U+FFFD', () => {
    const lines = accessLines(3).map((l) => Buffer.from(l));
    lines[1] = Buffer.concat([Buffer.from('127.0.0.1 - - [16/Nov/2024:14:00:01 +0000] "GET /caf'), Buffer.from([0xe9, 0xff, 0xc3]), Buffer.from(' HTTP/1.1" 502 157 "-" "'), Buffer.from([0xfe, 0x80]), Buffer.from('" 0.001 127.0.0.1:9000 502 0.001 0.000 localhost 9')]);
    const p = write('utf8.log', Buffer.concat(lines.flatMap((l) => [l, Buffer.from('\n')])));
    const r = runCli(['analyze', p, '--format', 'ndjson']);
    expect(r.code).toBe(EXIT.OK);
    const events = r.stdout.trim().split('\n').map((l) => JSON.parse(l));
    const ev = events.find((e) => e.line === 2);
    expect(ev.request).toBe('GET /caf\ufffd\ufffd\ufffd HTTP/1.1');
    const summary = events.find((e) => e.type === 'summary');
    expect(summary.files[0].parsed).toBe(3);
  });

  test('CRLF line endings: every line parses, no CR reaches a field', () => {
    const p = write('crlf.log', accessLines(50).join('\r\n') + '\r\n');
    const r = runCli(['analyze', p, '--format', 'ndjson']);
    const events = r.stdout.trim().split('\n').map((l) => JSON.parse(l));
    const summary = events.pop();
    expect(summary.files[0]).toMatchObject({ lines: 50, parsed: 50, skipped: 0 });
    expect(events).toHaveLength(50);
    for (const e of events) expect(JSON.stringify(e)).not.toContain('\\r');
  });

  test('final line without a newline: counted and parsed', () => {
    const { code, doc } = analyzeJson([write('nonl.log', accessLines(10).join('\n'))]);
    expect(code).toBe(EXIT.OK);
    expect(doc.files[0]).toMatchObject({ lines: 10, parsed: 10, skipped: 0 });
  });

  test('empty file (and an empty gzip): zero lines, no error, exit 0', () => {
    for (const p of [write('empty.log', ''), write('empty.log.gz', zlib.gzipSync(Buffer.alloc(0)))]) {
      const { code, doc } = analyzeJson([p]);
      expect(code).toBe(EXIT.OK);
      expect(doc.files[0]).toMatchObject({ lines: 0, parsed: 0, skipped: 0, error: null });
    }
  });

  test('a path that does not exist: exit 2, one line; the other inputs are still reported', () => {
    const good = write('good.log', accessLines(5).join('\n') + '\n');
    const missing = path.join(dir, 'missing.log');
    const r = runCli(['analyze', good, missing, '--format', 'json']);
    expect(r.code).toBe(EXIT.USAGE);
    expect(r.stderr.trim()).toBe(`upstream-doctor: ${missing}: no such file or directory`);
    // discovery refuses before reading: nothing is half-reported
    expect(r.stdout).toBe('');
  });

  test.each([
    ['bzip2', 'bz2', Buffer.from('BZh91AY&SY')],
    ['xz', 'xz', Buffer.from([0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00, 0, 0])],
    ['zstd', 'zst', Buffer.from([0x28, 0xb5, 0x2f, 0xfd, 0, 0])],
  ])('%s file: exit 2 with "decompress it first", by magic bytes whatever the name', (kind, ext, magic) => {
    for (const name of [`access.log.${ext}`, `access.log.1`]) {
      const p = write(`${kind}-${name}`, Buffer.concat([magic, noise(100)]));
      const r = runCli(['analyze', p]);
      expect(r.code).toBe(EXIT.USAGE);
      expect(r.stderr).toContain(`${p}: ${kind}-compressed; decompress it first (only gzip is read directly)`);
      expect(r.stderr).not.toMatch(/\n\s+at /);
    }
  });

  test('a FIFO fed by a writer process is read to the end', async () => {
    const src = write('fifo-src.log', accessLines(300).join('\n') + '\n');
    const fifo = path.join(dir, 'access.fifo');
    const mk = spawnSync('mkfifo', [fifo]);
    if (mk.status !== 0) throw new Error(`mkfifo failed: ${mk.stderr}`);
    const writer = spawn('sh', ['-c', 'cat "$1" > "$2"', 'sh', src, fifo], { stdio: 'ignore' });
    try {
      const r = await new Promise<{ code: number | null; out: string }>((resolve) => {
        const cli = spawn(process.execPath, [path.join(__dirname, '..', '..', 'dist', 'cli', 'main.js'), 'analyze', fifo, '--format', 'json']);
        let out = '';
        cli.stdout.on('data', (d) => (out += d));
        cli.on('close', (code) => resolve({ code, out }));
      });
      expect(r.code).toBe(EXIT.OK);
      expect(JSON.parse(r.out).files[0]).toMatchObject({ lines: 300, parsed: 300, kind: 'nginx-access' });
    } finally {
      if (writer.exitCode === null) writer.kill();
    }
  });
});

describe('files that change while being read', () => {
  /** Calls `after` once the first chunk has been read: the pipeline consults writableNeedDrain per chunk. */
  function hookAfterFirstChunk(after: () => void): Writable {
    let fired = false;
    const w = new Writable({ write: (_c, _e, cb) => cb() });
    Object.defineProperty(w, 'writableNeedDrain', {
      get() {
        if (!fired) {
          fired = true;
          after();
        }
        return false;
      },
    });
    return w;
  }

  const opts = { formats: [], clock: new ZoneClock('UTC') };

  test('a file that shrinks mid-read (copytruncate): what was read is counted, then a clear error (so exit 3)', async () => {
    const original = Buffer.from(accessLines(30_000).join('\n') + '\n');
    const p = write('shrinking.log', original);
    expect(original.length).toBeGreaterThan(4 * READ_CHUNK);
    const analyzer = new Analyzer();
    await runAnalysis([{ path: p, rotationBase: p }], analyzer, opts, hookAfterFirstChunk(() => fs.truncateSync(p, Math.floor(2.5 * READ_CHUNK))));
    const f = analyzer.summary.files[0];
    // the stream may have read ahead of the truncation: the count says how far it got
    const m = /^file shrank while being read \((\d+) of (\d+) bytes read; truncated or rotated with copytruncate\?\)$/.exec(f.error ?? '');
    expect(m).not.toBeNull();
    const read = Number(m![1]);
    expect(Number(m![2])).toBe(original.length);
    expect(read).toBeLessThan(original.length);
    const seen = original.subarray(0, read);
    const complete = seen.toString().split('\n').length - 1;
    // every complete line before the cut parsed; a line cut in the middle is counted as truncated
    expect(f.parsed).toBe(complete);
    expect(f.skippedByReason).toEqual(seen[seen.length - 1] === 10 ? {} : { truncated: 1 });
    expect(f.lines).toBe(f.parsed + f.skipped);
  });

  test('a file removed mid-read (rotation without copytruncate) is read to its end: the open descriptor keeps it', async () => {
    const lines = accessLines(30_000);
    const p = write('vanishing.log', lines.join('\n') + '\n');
    const analyzer = new Analyzer();
    await runAnalysis([{ path: p, rotationBase: p }], analyzer, opts, hookAfterFirstChunk(() => fs.unlinkSync(p)));
    expect(fs.existsSync(p)).toBe(false);
    expect(analyzer.summary.files[0]).toMatchObject({ lines: lines.length, parsed: lines.length, error: null });
  });
});

describe('permissions', () => {
  const isRoot = process.getuid?.() === 0;
  const setpriv = spawnSync('sh', ['-c', 'command -v setpriv']).status === 0;
  /** As root, permissions do not bite: run the CLI as nobody (65534) instead. */
  function runUnprivileged(args: string[]) {
    if (!isRoot) return runCli(args);
    const r = spawnSync('setpriv', ['--reuid=65534', '--regid=65534', '--clear-groups', process.execPath, path.join(__dirname, '..', '..', 'dist', 'cli', 'main.js'), ...args], {
      encoding: 'utf8',
      env: { ...process.env, NO_COLOR: '1' },
    });
    return { code: r.status, stdout: r.stdout, stderr: r.stderr };
  }
  // As root the CLI runs as nobody, which needs a checkout nobody can enter (a clone under a
  // mode-0700 mktemp directory is not): find out instead of failing on someone else's permissions.
  const nobodyCanRun = !isRoot || (setpriv && runUnprivileged(['--version']).code === 0);
  if (isRoot && setpriv && !nobodyCanRun) {
    console.warn('permissions tests skipped: user nobody cannot read this checkout (a parent directory is not searchable)');
  }
  const maybe = !isRoot || nobodyCanRun ? test : test.skip;
  // the worktree may sit under a directory nobody cannot enter: use the temp dir
  maybe('a directory without read permission: exit 2, "permission denied", no stack trace', () => {
    const d = path.join(dir, 'locked');
    fs.mkdirSync(d);
    fs.writeFileSync(path.join(d, 'access.log'), accessLines(3).join('\n') + '\n');
    fs.chmodSync(d, 0o000);
    try {
      const r = runUnprivileged(['analyze', d]);
      expect(r.code).toBe(EXIT.USAGE);
      expect(r.stderr.trim()).toBe(`upstream-doctor: ${d}: permission denied`);
    } finally {
      fs.chmodSync(d, 0o755);
    }
  });

  maybe('an unreadable file inside a readable directory: reported with the others, exit 2', () => {
    const d = path.join(dir, 'mixed');
    fs.mkdirSync(d);
    fs.writeFileSync(path.join(d, 'access.log'), accessLines(3).join('\n') + '\n');
    fs.writeFileSync(path.join(d, 'error.log'), '2024/11/16 14:15:25 [error] 1#1: *1 no live upstreams while connecting to upstream, client: 1.2.3.4\n');
    fs.chmodSync(path.join(d, 'error.log'), 0o600);
    fs.chmodSync(d, 0o755);
    const r = runUnprivileged(['analyze', d, '--format', 'json']);
    expect(r.code).toBe(EXIT.USAGE);
    expect(r.stderr.trim()).toBe(`upstream-doctor: ${path.join(d, 'error.log')}: permission denied`);
    const doc = JSON.parse(r.stdout);
    expect(doc.files.find((f: any) => f.path.endsWith('access.log'))).toMatchObject({ parsed: 3 });
    expect(doc.files.find((f: any) => f.path.endsWith('error.log'))).toMatchObject({ error: 'permission denied', lines: 0 });
  });
});
