import { EventEmitter } from 'events';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as zlib from 'zlib';
import { discoverInputs, orderRotationSets, rotationKey } from '../src/input/discover';
import { LineSplitter } from '../src/input/lines';
import { READ_CHUNK, SCAVENGE_EVERY, openInput, scavenging } from '../src/input/open';
import { GUNZIP_WORKER_FROM, WorkerGunzip } from '../src/input/gunzip-worker';
import { readingOrder } from '../src/analyze/reading-order';
import { ZoneClock } from '../src/parse/time';
import { spawnSync } from 'child_process';
import { CLI, runCli, runJson } from './helpers/cli';
import { HAVE_PEER, peerPath } from './helpers/peer-corpus';

/**
 * Where lines come from: rotation sets read oldest first, gzip recognised by its magic bytes,
 * stdin, directory walks, and the line splitter's handling of chunk boundaries.
 */

function tmpdir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'ud-input-'));
}

/** Open descriptors of this process that point at `file`. */
const openOn = (file: string) => fs.readdirSync('/proc/self/fd').filter((fd) => {
  try {
    return fs.readlinkSync(`/proc/self/fd/${fd}`) === file;
  } catch {
    return false;
  }
}).length;

/** Waits (up to a second) for the last descriptor on `file` to close; how many are left open. */
async function openAfterClosing(file: string): Promise<number> {
  for (let i = 0; i < 100 && openOn(file) > 0; i++) await new Promise((res) => setTimeout(res, 10));
  return openOn(file);
}

describe('rotation sets', () => {
  test('numbered and dateext files are ordered oldest first, the live file last', () => {
    const files = [
      '/l/access.log',
      '/l/access.log.1',
      '/l/access.log.10.gz',
      '/l/access.log.2.gz',
      '/l/access.log-20241116.gz',
      '/l/access.log-20241115',
      '/l/error.log',
      '/l/error.log.1',
    ];
    expect(orderRotationSets(files).map((s) => s.path)).toEqual([
      '/l/access.log-20241115',
      '/l/access.log-20241116.gz',
      '/l/access.log.10.gz',
      '/l/access.log.2.gz',
      '/l/access.log.1',
      '/l/access.log',
      '/l/error.log.1',
      '/l/error.log',
    ]);
  });

  test('every member of a set shares its base', () => {
    expect(rotationKey('/var/log/nginx/access.log.3.gz').base).toBe('/var/log/nginx/access.log');
    expect(rotationKey('/var/log/nginx/access.log-20241116.gz').base).toBe('/var/log/nginx/access.log');
    expect(rotationKey('/var/log/nginx/access.log').base).toBe('/var/log/nginx/access.log');
  });

  test('a directory walk skips hidden files and non-logs and keeps rotation order', () => {
    const d = tmpdir();
    for (const f of ['access.log', 'access.log.1', 'access.log.2.gz', '.hidden.log', 'nginx.pid', 'notes.md']) {
      fs.writeFileSync(path.join(d, f), '');
    }
    fs.mkdirSync(path.join(d, 'site'));
    fs.writeFileSync(path.join(d, 'site', 'error.log'), '');
    expect(discoverInputs([d]).map((s) => path.relative(d, s.path))).toEqual([
      'access.log.2.gz',
      'access.log.1',
      'access.log',
      'site/error.log',
    ]);
  });
});

describe('reading', () => {
  const nginxLine = (i: number, status = 200) =>
    `127.0.0.1 - - [16/Nov/2024:14:${String(i % 60).padStart(2, '0')}:00 +0000] "GET /r/${i} HTTP/1.1" ${status} 10 "-" "test"\n`;

  test('a rotated set with gzip and dateext is read whole and in time order', () => {
    const d = tmpdir();
    // Lines are produced here by the test: the subject is file handling, not the server's wording.
    fs.writeFileSync(path.join(d, 'access.log-20241114.gz'), zlib.gzipSync(nginxLine(1) + nginxLine(2, 502)));
    fs.writeFileSync(path.join(d, 'access.log.2.gz'), zlib.gzipSync(nginxLine(3)));
    fs.writeFileSync(path.join(d, 'access.log.1'), nginxLine(4, 504));
    fs.writeFileSync(path.join(d, 'access.log'), nginxLine(5));
    const doc = runJson(['analyze', d]);
    expect(doc.files.map((f: any) => path.basename(f.path))).toEqual([
      'access.log-20241114.gz',
      'access.log.2.gz',
      'access.log.1',
      'access.log',
    ]);
    expect(doc.files.map((f: any) => f.compression)).toEqual(['gzip', 'gzip', null, null]);
    expect(doc.lines).toMatchObject({ read: 5, parsed: 5, skipped: 0 });
    expect(doc.status).toEqual({ '200': 3, '502': 1, '504': 1 });
  });

  test('gzip is recognised by its magic bytes, not its name', () => {
    const d = tmpdir();
    const f = path.join(d, 'access.log.1'); // logrotate delaycompress naming, but compressed
    fs.writeFileSync(f, zlib.gzipSync(nginxLine(1, 502) + nginxLine(2)));
    const doc = runJson(['analyze', f]);
    expect(doc.files[0]).toMatchObject({ compression: 'gzip', kind: 'nginx-access', lines: 2, parsed: 2 });
    expect(doc.status['502']).toBe(1);
  });

  test('stdin is read with -', () => {
    const doc = runJson(['analyze', '-'], { input: nginxLine(1, 502) + nginxLine(2) + nginxLine(3, 499) });
    expect(doc.files[0]).toMatchObject({ path: '-', kind: 'nginx-access', lines: 3, parsed: 3 });
    expect(doc.status).toEqual({ '200': 1, '499': 1, '502': 1 });
  });

  test('gzip on stdin is recognised by its first bytes: the report of the plain lines, compression gzip', () => {
    const text = nginxLine(1, 502) + nginxLine(2) + nginxLine(3, 499);
    const plain = runJson(['analyze', '-'], { input: text });
    const gz = runJson(['analyze', '-'], { input: zlib.gzipSync(text) });
    expect(gz.files[0]).toMatchObject({ path: '-', compression: 'gzip', kind: 'nginx-access', lines: 3, parsed: 3 });
    const same = (d: any) => ({ ...d, generatedAt: '', files: d.files.map((f: any) => ({ ...f, compression: null })) });
    expect(same(gz)).toEqual(same(plain));
  });

  test('gzip through a FIFO is read as gzip too', () => {
    const dir = tmpdir();
    const fifo = path.join(dir, 'access.log.2.gz');
    fs.writeFileSync(path.join(dir, 'lines'), nginxLine(1, 502) + nginxLine(2));
    expect(spawnSync('mkfifo', [fifo]).status).toBe(0);
    // the writer opens the FIFO once analyze does, writes the compressed lines and closes it
    const r = spawnSync('bash', ['-c', `gzip -c "${path.join(dir, 'lines')}" > "${fifo}" & node "${CLI}" analyze "${fifo}" --format json; wait`], { encoding: 'utf8' });
    const doc = JSON.parse(r.stdout);
    expect(doc.files[0]).toMatchObject({ compression: 'gzip', kind: 'nginx-access', lines: 2, parsed: 2 });
  });

  test('stdin compressed otherwise: exit 2, one line; gzip on stdin cut short: exit 3, what was read counted', () => {
    const text = Array.from({ length: 2000 }, (_, i) => nginxLine(i, i % 7 === 0 ? 502 : 200)).join('');
    const xz = runCli(['analyze', '-'], { input: Buffer.from([0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00, 1, 2, 3]) });
    expect([xz.code, xz.stderr.trim()]).toEqual([2, 'upstream-doctor: -: xz-compressed; decompress it first (only gzip is read directly)']);
    const gz = zlib.gzipSync(text);
    const cut = runCli(['analyze', '-', '--format', 'json'], { input: gz.subarray(0, gz.length >> 1) });
    expect(cut.code).toBe(3);
    expect(cut.stderr).toMatch(/^upstream-doctor: -: gzip stream is truncated/m);
    const doc = JSON.parse(cut.stdout);
    expect(doc.files[0].compression).toBe('gzip');
    expect(doc.lines.read).toBeGreaterThan(0);
    expect(doc.lines.read).toBeLessThan(2000);
  });

  test('ndjson line numbers count lines of the uncompressed file', () => {
    const d = tmpdir();
    const f = path.join(d, 'access.log.2.gz');
    fs.writeFileSync(f, zlib.gzipSync(nginxLine(1) + nginxLine(2) + nginxLine(3, 502)));
    const r = runCli(['analyze', f, '--format', 'ndjson']);
    const events = r.stdout.trim().split('\n').map((l) => JSON.parse(l)).filter((e) => e.type !== 'summary');
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ line: 3, status: 502, source: 'nginx-access', request: 'GET /r/3 HTTP/1.1' });
  });

  test('--show-skipped names an error entry the parser refuses by its own line, not the line that ended it', () => {
    const d = tmpdir();
    const f = path.join(d, 'error.log');
    // Produced by the test: an nginx head with hour 24 between two good ones.
    const entry = (hour: string, n: number) => `2024/11/16 ${hour}:02:06 [error] 1234#1234: *${n} open() "/x/${n}" failed (2: No such file or directory)\n`;
    fs.writeFileSync(f, entry('14', 1) + entry('24', 2) + entry('14', 3) + entry('24', 4));
    const doc = runJson(['analyze', f, '--show-skipped', '5']);
    expect(doc.files[0]).toMatchObject({ kind: 'nginx-error', lines: 4, parsed: 2, skipped: 2 });
    expect(doc.files[0].skippedSamples.unrecognised.map((s: any) => s.line)).toEqual([2, 4]);
  });

  (HAVE_PEER ? test : test.skip)('a peer error log with a multi-line FastCGI entry: continuation lines count as parsed', () => {
    const doc = runJson(['analyze', peerPath('elastic-beats/nginx/error/error.log')]);
    expect(doc.files[0]).toMatchObject({ kind: 'nginx-error', lines: 6, parsed: 6, skipped: 0 });
  });
});

describe('line splitter', () => {
  function split(chunks: Buffer[], max = 100): { lines: string[]; tooLong: number } {
    const lines: string[] = [];
    let tooLong = 0;
    const s = new LineSplitter({ line: (b, a, e) => lines.push(b.toString('latin1', a, e)), tooLong: () => tooLong++ }, max);
    for (const c of chunks) s.push(c);
    s.end();
    return { lines, tooLong };
  }

  test('lines split across chunks, CRLF, and a final line without newline', () => {
    const text = 'alpha\r\nbeta\ngam';
    const whole = split([Buffer.from(text + 'ma')]);
    expect(whole.lines).toEqual(['alpha', 'beta', 'gamma']);
    // every split point of the same bytes gives the same lines
    const bytes = Buffer.from(text + 'ma');
    for (let i = 1; i < bytes.length; i++) {
      expect(split([bytes.subarray(0, i), bytes.subarray(i)]).lines).toEqual(['alpha', 'beta', 'gamma']);
    }
  });

  test('an over-long line is counted once and dropped, even when it spans many chunks', () => {
    const long = Buffer.alloc(1000, 0x61);
    const r = split([Buffer.from('ok\n'), long, long, Buffer.from('\nnext\n')], 100);
    expect(r).toEqual({ lines: ['ok', 'next'], tooLong: 1 });
  });
});

describe('detection without a hint from the path', () => {
  test.each([
    ['fixtures/apache/access.log', 'apache-access', 'upstream_doctor'],
    ['fixtures/nginx/access.log', 'nginx-access', 'upstream_doctor'],
  ])('%s copied to a neutral folder is still %s (%s)', (src, kind, format) => {
    const d = tmpdir();
    const f = path.join(d, 'access.log');
    fs.copyFileSync(path.join(__dirname, '..', src), f);
    const doc = runJson(['analyze', f]);
    expect(doc.files[0]).toMatchObject({ kind, format, skipped: 0 });
  });
});

describe('plain files are read a chunk ahead', () => {
  test.each([0, 1, READ_CHUNK - 1, READ_CHUNK, READ_CHUNK + 1, Math.floor(2.5 * READ_CHUNK)])('%d bytes come out exactly, in order, and the file is closed', async (size) => {
    const file = path.join(tmpdir(), 'f.log');
    const data = Buffer.alloc(size);
    for (let i = 0; i < size; i++) data[i] = (i * 7 + (i >> 11)) & 0xff;
    fs.writeFileSync(file, data);
    const opened = openInput(file);
    const got: Buffer[] = [];
    // copied: a chunk's buffer is reused once the next one is asked for
    for await (const c of opened.chunks) got.push(Buffer.from(c));
    expect(got.every((c) => c.length <= READ_CHUNK)).toBe(true);
    expect(Buffer.concat(got).equals(data)).toBe(true);
    expect(opened.position!()).toBe(size);
    expect(openOn(file)).toBe(0);
  });

  test('the next file reuses the buffers of the last one, and only once its read ahead has landed', async () => {
    const dir = tmpdir();
    const make = (name: string, size: number, seed: number) => {
      const data = Buffer.alloc(size);
      for (let i = 0; i < size; i++) data[i] = (i * seed + (i >> 9)) & 0xff;
      fs.writeFileSync(path.join(dir, name), data);
      return { file: path.join(dir, name), data };
    };
    const readAll = async (file: string) => {
      const got: Buffer[] = [];
      const buffers = new Set<ArrayBufferLike>();
      for await (const c of openInput(file).chunks) {
        got.push(Buffer.from(c));
        buffers.add(c.buffer);
      }
      return { bytes: Buffer.concat(got), buffers };
    };
    const a = make('a.log', 3 * READ_CHUNK, 3);
    const b = make('b.log', 2 * READ_CHUNK + 17, 5);
    const c = make('c.log', 2 * READ_CHUNK + 5, 11);
    // Two readers opened and left unread hold whatever buffers earlier tests gave back.
    const holders = [openInput(c.file), openInput(c.file)];
    // a's reads are held back until released: a slow disk under the read ahead
    const aFd = fs.openSync(a.file, 'r');
    const held: (() => void)[] = [];
    const aBuffers = new Set<ArrayBufferLike>();
    let bBuffers = new Set<ArrayBufferLike>();
    // the module object itself: the namespace import's bindings cannot be redefined
    const rawFs = jest.requireActual<typeof fs>('fs');
    const realRead = rawFs.read;
    const spy = jest.spyOn(rawFs, 'read').mockImplementation(((fd: number, buf: Buffer, off: number, len: number, pos: number, cb: (e: Error | null, n: number) => void) => {
      if (fd !== aFd) return (realRead as unknown as (...a: unknown[]) => void)(fd, buf, off, len, pos, cb);
      aBuffers.add(buf.buffer);
      held.push(() => cb(null, fs.readSync(fd, buf, off, len, pos)));
    }) as never);
    const openSpy = jest.spyOn(rawFs, 'openSync').mockImplementationOnce(() => aFd);
    try {
      const chunks = openInput(a.file).chunks[Symbol.asyncIterator]();
      const first = chunks.next();
      held.shift()!();
      expect((await first).value.length).toBe(READ_CHUNK);
      await chunks.return!(undefined); // a stops with its next read in flight
      expect(held.length).toBe(1);
      // b, opened meanwhile, must not read into a buffer the landing read will still write
      const rb = await readAll(b.file);
      expect(rb.bytes.equals(b.data)).toBe(true);
      expect([...rb.buffers].some((buf) => aBuffers.has(buf))).toBe(false);
      bBuffers = rb.buffers;
      held.shift()!(); // a's read lands; its buffers are free
      await new Promise((r) => setImmediate(r));
    } finally {
      spy.mockRestore();
      openSpy.mockRestore();
    }
    const rc = await readAll(c.file);
    for (const h of holders) h.close();
    expect(rc.bytes.equals(c.data)).toBe(true);
    // c reads into buffers given back (b's, or a's once its read landed), none of its own
    expect([...rc.buffers].every((buf) => aBuffers.has(buf) || bBuffers.has(buf))).toBe(true);
    // read again, c comes out of the same two buffers: nothing is allocated per file
    const again = await readAll(c.file);
    expect(again.bytes.equals(c.data)).toBe(true);
    expect([...again.buffers].filter((buf) => rc.buffers.has(buf)).length).toBe(2); // the same objects
  });

  test('readInto: the reads after the one in flight go into the given pair, taking turns, bytes exact and in order; the reader\'s own pair is reused by the next file', async () => {
    const file = path.join(tmpdir(), 'f.log');
    const data = Buffer.alloc(5 * READ_CHUNK + 99);
    for (let i = 0; i < data.length; i++) data[i] = (i * 13 + (i >> 10)) & 0xff;
    fs.writeFileSync(file, data);
    const pair: [Buffer, Buffer] = [Buffer.alloc(READ_CHUNK + 7), Buffer.alloc(READ_CHUNK)];
    const opened = openInput(file);
    expect(() => opened.readInto!([Buffer.alloc(READ_CHUNK - 1), pair[1]])).toThrow(RangeError);
    const got: Buffer[] = [];
    const from: (ArrayBufferLike | 'own')[] = [];
    let own: ArrayBufferLike | null = null;
    for await (const c of opened.chunks) {
      got.push(Buffer.from(c));
      from.push(c.buffer === pair[0].buffer ? pair[0].buffer : c.buffer === pair[1].buffer ? pair[1].buffer : 'own');
      if (got.length === 1) {
        own = c.buffer;
        opened.readInto!(pair);
      }
    }
    expect(Buffer.concat(got).equals(data)).toBe(true);
    // the first chunk and the one read ahead meanwhile are the reader's; then the pair's, in turn
    expect(from).toEqual(['own', 'own', pair[0].buffer, pair[1].buffer, pair[0].buffer, pair[1].buffer]);
    const next = new Set<ArrayBufferLike>();
    for await (const c of openInput(file).chunks) next.add(c.buffer);
    expect(next.has(own!)).toBe(true);
    expect(next.has(pair[0].buffer) || next.has(pair[1].buffer)).toBe(false);
  });

  test('stopping after the first chunk closes the file once the read ahead has landed', async () => {
    const file = path.join(tmpdir(), 'f.log');
    fs.writeFileSync(file, Buffer.alloc(3 * READ_CHUNK, 0x61));
    const opened = openInput(file);
    let first: Buffer | null = null;
    for await (const c of opened.chunks) {
      first = Buffer.from(c);
      break;
    }
    expect(first!.length).toBe(READ_CHUNK);
    expect(await openAfterClosing(file)).toBe(0);
  });
});

describe('stream inputs ask V8 for a young-generation collection as their chunks pass', () => {
  async function* from(chunks: Buffer[]): AsyncGenerator<Buffer> {
    yield* chunks;
  }

  test('one collection every SCAVENGE_EVERY bytes, asked before the chunk that crosses it is handed on', async () => {
    const chunks = Array.from({ length: 20 }, (_, i) => Buffer.alloc(READ_CHUNK, i));
    const askedAfter: number[] = [];
    let handedOn = 0;
    const seen: Buffer[] = [];
    const collect = (o: { type: 'minor' }) => {
      expect(o.type).toBe('minor');
      askedAfter.push(handedOn);
    };
    for await (const c of scavenging(from(chunks), SCAVENGE_EVERY, collect)) {
      seen.push(c);
      handedOn++;
    }
    expect(SCAVENGE_EVERY).toBe(8 * READ_CHUNK);
    // the 8th and 16th chunk bring the count to 8 MiB: the 7 (15) before them are done with
    expect(askedAfter).toEqual([7, 15]);
    expect(seen.length).toBe(20);
    expect(seen.every((c, i) => c === chunks[i])).toBe(true);
  });

  test('without gc() (node started without --expose-gc) every chunk still comes through, in order', async () => {
    const chunks = [Buffer.from('a\n'), Buffer.from('b\n'), Buffer.from('c\n')];
    const seen: Buffer[] = [];
    for await (const c of scavenging(from(chunks), 1, null)) seen.push(c);
    expect(seen).toEqual(chunks);
  });
});

describe('large gzip files are inflated on a worker thread into a shared ring', () => {
  // Content from the captured nginx fixture, repeated: ~13 MB uncompressed, ~100 KB compressed.
  const fixtureLines = fs.readFileSync(path.join(__dirname, '..', 'fixtures', 'nginx', 'access.log'));
  const plain = Buffer.concat(Array.from({ length: Math.ceil((13 << 20) / fixtureLines.length) }, () => fixtureLines));
  const gz = zlib.gzipSync(plain);
  const onWorker = { gunzipWorkerFrom: 0 };

  async function readAll(file: string, opts: { gunzipWorkerFrom: number }): Promise<{ bytes: Buffer; chunks: number; error: NodeJS.ErrnoException | null; position: number }> {
    const opened = openInput(file, undefined, opts);
    const parts: Buffer[] = [];
    let error: NodeJS.ErrnoException | null = null;
    try {
      for await (const c of opened.chunks) {
        expect(c.length).toBeLessThanOrEqual(READ_CHUNK);
        parts.push(Buffer.from(c)); // a slot is reused once the next chunk is asked for
      }
    } catch (e) {
      error = e as NodeJS.ErrnoException;
    }
    return { bytes: Buffer.concat(parts), chunks: parts.length, error, position: opened.position!() };
  }

  test('the bytes are the file\'s, in slots of at most READ_CHUNK, and the position reaches the compressed size', async () => {
    const file = path.join(tmpdir(), 'access.log.1.gz');
    fs.writeFileSync(file, gz);
    const r = await readAll(file, onWorker);
    expect(r.error).toBeNull();
    expect(r.bytes.equals(plain)).toBe(true);
    expect(r.chunks).toBeGreaterThanOrEqual(Math.ceil(plain.length / READ_CHUNK));
    expect(r.position).toBe(gz.length);
    expect(await openAfterClosing(file)).toBe(0);
  });

  test('a truncated file gives what the stream gives, then the Z_BUF_ERROR the stream raises (the reader\'s "gzip stream is truncated")', async () => {
    const file = path.join(tmpdir(), 'access.log.2.gz');
    fs.writeFileSync(file, gz.subarray(0, gz.length >> 1));
    const worker = await readAll(file, onWorker);
    const stream = await readAll(file, { gunzipWorkerFrom: Infinity });
    expect(worker.error?.code).toBe('Z_BUF_ERROR');
    expect(stream.error?.code).toBe('Z_BUF_ERROR');
    expect(worker.bytes.length).toBeGreaterThan(0);
    expect(worker.bytes.equals(stream.bytes)).toBe(true);
    expect(plain.subarray(0, worker.bytes.length).equals(worker.bytes)).toBe(true);
  });

  test('a corrupt file fails with zlib\'s data error', async () => {
    const file = path.join(tmpdir(), 'access.log.3.gz');
    const noise = Buffer.alloc(300_000);
    for (let i = 0; i < noise.length; i++) noise[i] = (i * 2654435761) >>> 24;
    fs.writeFileSync(file, Buffer.concat([gz.subarray(0, 1000), noise]));
    const r = await readAll(file, onWorker);
    expect(r.error?.code).toBe('Z_DATA_ERROR');
  });

  /**
   * openInput with worker_threads' Worker replaced by `FakeWorker` while the file is opened (the
   * reader takes the constructor then): how it behaves when no thread can be had.
   */
  function openWithWorker(FakeWorker: unknown, file: string): ReturnType<typeof openInput> {
    // the module object itself: the reader looks its Worker up there when it starts one
    const workerThreads = require('worker_threads') as { Worker: unknown };
    const real = workerThreads.Worker;
    workerThreads.Worker = FakeWorker;
    try {
      return openInput(file, undefined, onWorker);
    } finally {
      workerThreads.Worker = real;
    }
  }
  /** A thread that never starts: node's error under a task limit (a container's pids.max). */
  class UnstartableWorker {
    constructor() {
      throw Object.assign(new Error('EAGAIN'), { code: 'ERR_WORKER_INIT_FAILED' });
    }
  }
  /** A thread whose isolate dies before doing anything, as when it cannot get its heap. */
  class DyingWorker extends EventEmitter {
    constructor() {
      super();
      setImmediate(() => {
        this.emit('error', Object.assign(new Error('Worker terminated due to reaching memory limit: JS heap out of memory'), { code: 'ERR_WORKER_OUT_OF_MEMORY' }));
        this.emit('exit', 1);
      });
    }
    terminate(): Promise<number> {
      return Promise.resolve(1);
    }
  }

  test.each([
    ['cannot be started (EAGAIN)', UnstartableWorker],
    ['dies before its first slot', DyingWorker],
  ])('a worker thread that %s leaves the file to the stream: every byte, the position, the file closed', async (_what, FakeWorker) => {
    const file = path.join(tmpdir(), 'access.log.6.gz');
    fs.writeFileSync(file, gz);
    const opened = openWithWorker(FakeWorker, file);
    // the worker's reader was chosen: the stream is its fallback
    expect(opened.chunks).toBeInstanceOf(WorkerGunzip);
    const parts: Buffer[] = [];
    for await (const c of opened.chunks) parts.push(Buffer.from(c));
    expect(Buffer.concat(parts).equals(plain)).toBe(true);
    expect(opened.position!()).toBe(gz.length);
    expect(await openAfterClosing(file)).toBe(0);
  });

  test.each([
    ['the worker (which it stops)', (file: string) => openInput(file, undefined, onWorker)],
    ['the stream a worker that cannot start falls back to', (file: string) => openWithWorker(UnstartableWorker, file)],
  ])('stopping after the first chunk of %s closes the file', async (_what, open) => {
    const file = path.join(tmpdir(), 'access.log.4.gz');
    fs.writeFileSync(file, gz);
    const opened = open(file);
    let first: Buffer | null = null;
    for await (const c of opened.chunks) {
      first = Buffer.from(c);
      break;
    }
    expect(first!.equals(plain.subarray(0, first!.length))).toBe(true);
    expect(await openAfterClosing(file)).toBe(0);
  });

  test('a worker that dies after handing over bytes fails the file (a second reading would count them twice)', async () => {
    const file = path.join(tmpdir(), 'access.log.8.gz');
    fs.writeFileSync(file, gz);
    // Publishes one slot of the file's first bytes as the worker's program does (state FULL = 1), then dies.
    class DiesMidFile extends EventEmitter {
      constructor(_src: string, o: { workerData: { ring: SharedArrayBuffer; control: SharedArrayBuffer; slots: number } }) {
        super();
        const ctl = new Int32Array(o.workerData.control);
        plain.copy(Buffer.from(o.workerData.ring), 0, 0, 1000);
        ctl[o.workerData.slots] = 1000;
        Atomics.store(ctl, 0, 1);
        Atomics.notify(ctl, 0);
        setTimeout(() => {
          this.emit('error', new Error('worker killed'));
          this.emit('exit', 1);
        }, 20);
      }
      terminate(): Promise<number> {
        return Promise.resolve(1);
      }
    }
    const opened = openWithWorker(DiesMidFile, file);
    const parts: Buffer[] = [];
    let error: Error | null = null;
    try {
      for await (const c of opened.chunks) parts.push(Buffer.from(c));
    } catch (e) {
      error = e as Error;
    }
    expect(error?.message).toBe('worker killed');
    expect(Buffer.concat(parts).equals(plain.subarray(0, 1000))).toBe(true);
    expect(await openAfterClosing(file)).toBe(0);
  });

  test.each(['close()', 'break'])('stopping a gzip file\'s stream early by %s closes the file', async (how) => {
    const file = path.join(tmpdir(), 'access.log.9.gz');
    fs.writeFileSync(file, gz);
    const opened = openInput(file, undefined, { gunzipWorkerFrom: Infinity });
    for await (const c of opened.chunks) {
      expect(c.length).toBeGreaterThan(0);
      break;
    }
    if (how === 'close()') opened.close();
    expect(await openAfterClosing(file)).toBe(0);
  });

  test('the reading order\'s peek at each gzip file\'s first lines leaves none of them open', async () => {
    const dir = tmpdir();
    const files = [2, 3, 4].map((n) => path.join(dir, `access.log.${n}.gz`));
    for (const f of files) fs.writeFileSync(f, gz);
    const ranked = await readingOrder(discoverInputs([dir]), { formats: [], clock: new ZoneClock('UTC') });
    expect(ranked.map((r) => path.basename(r.spec.path))).toEqual(['access.log.4.gz', 'access.log.3.gz', 'access.log.2.gz']);
    for (const f of files) expect(await openAfterClosing(f)).toBe(0);
  });

  test('small gzip files keep the stream on this thread (a worker would cost more than it saves)', () => {
    expect(GUNZIP_WORKER_FROM).toBeGreaterThan(gz.length);
    const file = path.join(tmpdir(), 'access.log.5.gz');
    fs.writeFileSync(file, gz);
    const small = openInput(file);
    expect(small.chunks).not.toBeInstanceOf(WorkerGunzip);
    small.close();
    const big = openInput(file, undefined, onWorker);
    expect(big.chunks).toBeInstanceOf(WorkerGunzip);
    big.close();
  });
});
