import * as fs from 'fs';
import type * as Zlib from 'zlib';
import { Readable } from 'stream';
import { InputError, describeFsError } from './discover';
import { GUNZIP_WORKER_FROM, WorkerGunzip } from './gunzip-worker';

/**
 * Opens one input as a stream of Buffers. Compression is recognised by the file's magic bytes,
 * not its name: logrotate's `delaycompress` and hand-copied files make names unreliable.
 */

export interface OpenedInput {
  /**
   * The bytes, chunk by chunk. A chunk is valid only until the next one is asked for: plain files
   * are read into one reused buffer (no allocation per MiB), so whatever must outlive a chunk is
   * copied.
   */
  chunks: AsyncIterable<Buffer>;
  /** Stops reading early and releases the file. */
  close(): void;
  compression: 'gzip' | null;
  /** Bytes on disk (compressed size for .gz), for progress; null for stdin and FIFOs. */
  size: number | null;
  /** Bytes read from disk so far (compressed bytes for .gz), for progress against `size`. */
  position?: () => number;
  /**
   * Plain files only: the reads after the one in flight go into these two buffers (READ_CHUNK
   * bytes each, taking turns as the reader's own do), which the caller owns: a scanning module's
   * memory, which then reads the chunks where they lie.
   */
  readInto?: (bufs: [Buffer, Buffer]) => void;
}

const MAGIC: { bytes: number[]; name: string }[] = [
  { bytes: [0x1f, 0x8b], name: 'gzip' },
  { bytes: [0x42, 0x5a, 0x68], name: 'bzip2' },
  { bytes: [0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00], name: 'xz' },
  { bytes: [0x28, 0xb5, 0x2f, 0xfd], name: 'zstd' },
];

export const READ_CHUNK = 1 << 20;
/** Decompressed bytes zlib may hold ready ahead of the parser (bounded memory). */
const GUNZIP_AHEAD = 8 * READ_CHUNK;

export function sniffCompression(head: Buffer): string | null {
  for (const m of MAGIC) {
    if (head.length >= m.bytes.length && m.bytes.every((b, i) => head[i] === b)) return m.name;
  }
  return null;
}

/** Up to `n` bytes of an open file at byte `pos` (fewer at its end). */
export function readAt(fd: number, pos: number, n: number): Buffer {
  const buf = Buffer.alloc(n);
  return buf.subarray(0, fs.readSync(fd, buf, 0, n, pos));
}

/** Bytes [start, end) of a plain file: one piece of an error log cut by time (analyze/reading-order.ts). */
export interface ByteRange {
  start: number;
  /** Infinity: to the end of the file, wherever it is when it is read. */
  end: number;
}

export interface OpenOptions {
  /**
   * Compressed size from which gzip is inflated on a worker thread (GUNZIP_WORKER_FROM); Infinity
   * for a peek at the first lines, which would not pay for the worker's start-up.
   */
  gunzipWorkerFrom?: number;
}

export function openInput(p: string, range?: ByteRange, opts: OpenOptions = {}): OpenedInput {
  if (p === '-') return fromPipe(process.stdin, p);
  let fd: number;
  let st: fs.Stats;
  try {
    fd = fs.openSync(p, 'r');
    st = fs.fstatSync(fd);
  } catch (err) {
    throw new InputError(p, describeFsError(err));
  }
  if (st.isDirectory()) {
    fs.closeSync(fd);
    throw new InputError(p, 'is a directory');
  }
  if (!st.isFile()) {
    // FIFOs and character devices: stream them as they come (a read ahead of time would consume).
    return fromPipe(fs.createReadStream('', { fd, highWaterMark: READ_CHUNK }), p);
  }
  let kind: string | null;
  try {
    kind = sniffCompression(readAt(fd, 0, 6));
  } catch (err) {
    fs.closeSync(fd);
    throw new InputError(p, describeFsError(err));
  }
  if (kind && kind !== 'gzip') {
    fs.closeSync(fd);
    throw notGzip(p, kind);
  }
  if (kind === 'gzip' && st.size >= (opts.gunzipWorkerFrom ?? GUNZIP_WORKER_FROM)) {
    // the stream is the fallback when no worker thread can be started (gunzip-worker.ts)
    const reader = new WorkerGunzip(fd, READ_CHUNK, () => fs.closeSync(fd), () => gunzipStream(fd, st.size));
    return { chunks: reader, close: () => reader.close(), compression: 'gzip', size: st.size, position: () => reader.bytesRead };
  }
  if (kind === 'gzip') return gunzipStream(fd, st.size);
  // A range that runs to the end reads on to the end, as a whole file does: lines appended meanwhile count.
  const start = range ? Math.min(range.start, st.size) : 0;
  const end = range ? range.end : Infinity;
  const reader = new FileChunks(fd, start, end);
  return {
    chunks: reader,
    close: () => reader.close(),
    compression: null,
    size: Math.min(end, st.size) - start,
    position: () => reader.bytesRead,
    readInto: (bufs) => reader.readInto(bufs),
  };
}

/** A gzip file inflated by zlib's stream: the stream owns `fd` and closes it. */
function gunzipStream(fd: number, size: number): OpenedInput & { position: () => number } {
  const raw = fs.createReadStream('', { fd, highWaterMark: READ_CHUNK, start: 0 });
  const gunzip = newGunzip();
  raw.on('error', (e) => gunzip.destroy(e));
  // Stopping early destroys the gunzip stream (close(), or a loop left with break) and nothing
  // else: the file's stream, unpiped, kept its descriptor open. The reading order's peek at each
  // gzip file's first lines stops early, so a directory of a hundred rotated .gz files ran out of
  // descriptors under `ulimit -n 100` and every file failed with EMFILE.
  gunzip.once('close', () => raw.destroy());
  return { ...fromStream(raw.pipe(gunzip), 'gzip', size), position: () => raw.bytesRead };
}

/**
 * A pipe (stdin, a FIFO), whose first bytes tell whether it is gzip: `ssh web1 cat
 * access.log.2.gz | upstream-doctor analyze -` read the compressed bytes as lines before (every
 * one skipped as binary, exit 0). A pipe cannot be peeked at before it is read, so the first
 * bytes are taken from it and handed on, to zlib or as they are; `compression` is set once known.
 */
function fromPipe(stream: Readable, p: string): OpenedInput {
  let gunzip: Zlib.Gunzip | null = null;
  const opened: OpenedInput = {
    chunks: sniffed(),
    close: () => {
      gunzip?.destroy();
      stream.destroy();
    },
    compression: null,
    size: null,
  };
  async function* sniffed(): AsyncGenerator<Buffer> {
    const it = stream[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
    const rest: AsyncIterable<Buffer> = { [Symbol.asyncIterator]: () => it };
    // the longest magic is 6 bytes, and a pipe may hand them over a few at a time
    let head: Buffer = Buffer.alloc(0);
    while (head.length < 6) {
      const r = await it.next();
      if (r.done) break;
      head = head.length === 0 ? r.value : Buffer.concat([head, r.value]);
    }
    const kind = sniffCompression(head);
    if (kind !== null && kind !== 'gzip') {
      stream.destroy();
      throw notGzip(p, kind);
    }
    if (kind === null) {
      if (head.length > 0) yield head;
      yield* collected(rest);
      return;
    }
    opened.compression = 'gzip';
    const z = (gunzip = newGunzip());
    const source = Readable.from((async function* () {
      yield head;
      yield* rest;
    })(), { objectMode: false });
    source.on('error', (e) => z.destroy(e));
    yield* collected(source.pipe(z));
  }
  return opened;
}

function fromStream(stream: Readable, compression: 'gzip' | null, size: number | null): OpenedInput {
  return { chunks: collected(stream), close: () => stream.destroy(), compression, size };
}

/** A stream's chunks, with scavenging() when node runs with gc() exposed. */
function collected(chunks: AsyncIterable<Buffer>): AsyncIterable<Buffer> {
  return EXPOSED_GC === null ? chunks : scavenging(chunks);
}

/**
 * zlib's inflating stream as every gzip input uses it: it inflates on libuv's thread pool, so the
 * parsing thread only waits when it outruns it, and a deep readable buffer lets inflation run
 * ahead of the parser instead of in lock step with it. zlib is loaded with the first gzip input
 * (start-up: see docs/performance.md).
 */
function newGunzip(): Zlib.Gunzip {
  const zlib = require('zlib') as typeof Zlib;
  return zlib.createGunzip({ chunkSize: READ_CHUNK, readableHighWaterMark: GUNZIP_AHEAD } as Zlib.ZlibOptions);
}

function notGzip(p: string, kind: string): InputError {
  return new InputError(p, `${kind}-compressed; decompress it first (only gzip is read directly)`);
}

/** Bytes of stream chunks between two young-generation collections (see scavenging()). */
export const SCAVENGE_EVERY = 8 * READ_CHUNK;

export type Collect = (options: { type: 'minor' }) => void;
/** V8's gc() when node runs with --expose-gc, as bin/upstream-doctor starts it; null otherwise. */
const EXPOSED_GC: Collect | null = (globalThis as { gc?: Collect }).gc ?? null;

/**
 * The chunks, with a young-generation collection (a scavenge) asked for every `every` bytes. A
 * stream's chunks (zlib's output, a pipe's reads) are fresh Buffers that die once the parser is
 * done with them, but their bytes live outside V8's heap and are freed only when V8 next
 * collects the young generation, which the parser, allocating next to nothing per line, seldom
 * fills: until V8's external-memory limit (64 MiB) forces a collection, dead chunks pile up in
 * glibc's heap. Plain files do not need this (two reused buffers, FileChunks). Measured against
 * 357a861, 3 alternating runs each, a scavenge every 8 MiB: the bench's 1 M-line gzip log 115-121
 * -> 96-103 MiB peak RSS in the same time (3.12-3.55 s against 3.13-3.64 s), the same log
 * uncompressed on stdin 109-111 -> 91 MiB. A scavenge of this heap takes about a millisecond.
 */
export async function* scavenging(chunks: AsyncIterable<Buffer>, every = SCAVENGE_EVERY, collect: Collect | null = EXPOSED_GC): AsyncGenerator<Buffer> {
  let n = 0;
  for await (const c of chunks) {
    n += c.length;
    if (n >= every && collect !== null) {
      n = 0;
      // the chunks before this one are done with: the consumer asked for the next
      collect({ type: 'minor' });
    }
    yield c;
  }
}

/**
 * A plain file read in READ_CHUNK pieces into two reused buffers: while the parser works on one,
 * the next piece is read into the other on libuv's thread pool. A synchronous read made the
 * parser wait for the disk whenever the file was not in the page cache (a consumer spending 4 ms
 * a chunk on a 761 MB log after drop_caches: 3.26-3.41 s, against 2.92-2.94 s read ahead and
 * 2.91 s warm). Reading only when asked made it wait for a pool thread instead, a fifth of the
 * run on a busy machine.
 */
class FileChunks implements AsyncIterable<Buffer> {
  /** The reader's own pair, given back to SPARE at close. */
  private readonly own: [Buffer, Buffer] = [spareBuffer(), spareBuffer()];
  /** The pair the next reads go into (see readInto()). */
  private bufs: [Buffer, Buffer] = this.own;
  private closed = false;
  private reading: Promise<ReadResult> | null = null;
  bytesRead = 0;

  constructor(
    private readonly fd: number,
    private readonly start = 0,
    private readonly end = Infinity,
  ) {}

  /** The reads after the one in flight go into this pair. */
  readInto(bufs: [Buffer, Buffer]): void {
    if (bufs[0].length < READ_CHUNK || bufs[1].length < READ_CHUNK) throw new RangeError('read buffers are READ_CHUNK bytes or more');
    this.bufs = bufs;
  }

  async *[Symbol.asyncIterator](): AsyncGenerator<Buffer> {
    try {
      let next = this.read(this.bufs[0], 0);
      for (;;) {
        const r = await next;
        if (r.err) throw r.err;
        if (r.n === 0) return;
        this.bytesRead += r.n;
        // the chunk handed out before this one is done with: the buffer of the pair that is not
        // this one's takes the next read (after readInto(), this one's may be of the old pair)
        next = this.read(this.bufs[0] === r.buf ? this.bufs[1] : this.bufs[0], this.bytesRead);
        yield r.buf.subarray(0, r.n);
      }
    } finally {
      this.close();
    }
  }

  /**
   * Reads at `offset` bytes past the start. Never rejects: a failure is handed to whoever awaits
   * it, so an unawaited read is no crash.
   */
  private read(buf: Buffer, offset: number): Promise<ReadResult> {
    const length = Math.min(READ_CHUNK, this.end - this.start - offset);
    const p = new Promise<ReadResult>((resolve) => {
      if (length <= 0) resolve({ n: 0, err: null, buf });
      else fs.read(this.fd, buf, 0, length, this.start + offset, (err, n) => resolve({ n, err, buf }));
    });
    this.reading = p;
    void p.then(() => {
      if (this.reading === p) this.reading = null;
    });
    return p;
  }

  /** Closes the file once no read is in flight on it (its descriptor could be reused meanwhile). */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    const inFlight = this.reading;
    const done = () => {
      fs.closeSync(this.fd);
      for (const b of this.own) if (SPARE.length < 2) SPARE.push(b);
    };
    if (inFlight) void inFlight.then(done);
    else done();
  }
}

/**
 * The buffers of the last file read, for the next one (files are read one after the other). A
 * fresh pair per file let glibc keep the freed ones: after its first large block is freed it
 * serves blocks of that size from the heap, where freed ones stay resident. Measured on the
 * bench's 8 files in 2 jobs (`analyze bench/data/multi --jobs 2`, 5 alternating runs): peak RSS
 * 145-148 without, 143-145 MiB with. Everything a consumer keeps of a chunk it copies, as it
 * must already (the two buffers take turns), so a closed reader's buffers are free to reuse.
 */
const SPARE: Buffer[] = [];

function spareBuffer(): Buffer {
  return SPARE.pop() ?? pageAligned(READ_CHUNK);
}

/**
 * A buffer that starts on a page boundary. A read(2) into a buffer that does not is slower: on
 * this project's bench machine (a KVM guest, Linux 6.18), reading the 886 MB `upstream` log from
 * the page cache in 1 MiB pieces took 0.61-0.68 s into Buffer.allocUnsafe's memory (16 bytes past
 * a page: glibc's mmap header) against 0.16-0.18 s into an aligned one (node, readSync, 3 runs
 * each; a C program reading into aligned_alloc memory and 16 bytes past it: 0.19 against 0.51 s).
 * Node has no aligned allocation, but a WebAssembly memory is mapped on its own pages.
 */
export function pageAligned(size: number): Buffer {
  const memory = new WebAssembly.Memory({ initial: Math.ceil(size / 65536), maximum: Math.ceil(size / 65536) });
  return Buffer.from(memory.buffer, 0, size);
}

interface ReadResult {
  n: number;
  err: NodeJS.ErrnoException | null;
  /** the buffer read into */
  buf: Buffer;
}
