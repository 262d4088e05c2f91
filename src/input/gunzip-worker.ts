import type { Worker } from 'worker_threads';

/**
 * A large gzip file inflated on a worker thread into a ring of shared memory that the parsing
 * thread reads in place. Inflating with zlib's stream on the parsing thread's isolate hands out
 * a fresh 1 MiB Buffer for every MiB: V8 counts their bytes against the old generation's room and
 * collects to free them (62 mark-compacts and ~0.75 s of collecting on the bench's 4 M-line gzip
 * log, whose heap is 10 MB), and glibc maps each block anew (0.7-0.8 s of page faults with the
 * launcher's thresholds). Here those blocks are the worker's, on the other core; the parsing
 * thread's chunks are RING_SLOTS fixed slots of one SharedArrayBuffer, as a plain file's are two
 * reused buffers (docs/performance.md, seventh stop of 2026-12-07).
 *
 * The slots are handed over by state, one Int32 each: EMPTY (the worker may fill it), FULL (its
 * byte count is set), END, FAILED (the error follows as a message). The worker fills the slots
 * in turn and waits (Atomics.wait) for the next to be empty; the reader takes them in turn and
 * waits for the next to be full without blocking its event loop (Atomics.waitAsync).
 *
 * A worker that cannot start is no reason to lose the file: under a task limit (a container's
 * pids.max, systemd's TasksMax) `new Worker` throws EAGAIN, and an isolate that cannot get its
 * heap dies before its first slot. Until the reader has had a byte from the worker, the file is
 * read on the stream instead (the fallback), as a small one is.
 */

/**
 * Compressed bytes from which a gzip file is inflated on a worker. Starting one and reading a tiny
 * file took 47-67 ms against 3 ms for the stream (12 runs each); 16 MiB of the bench's gzip is
 * ~130 MB of log, ~0.5 s on the stream, which the worker cuts by about a quarter.
 */
export const GUNZIP_WORKER_FROM = 16 * 1024 * 1024;
const RING_SLOTS = 4;
/**
 * Output bytes between the worker's young-generation collections, which free zlib's dead blocks
 * (see scavenging() in open.ts). Its heap is small, so they are cheap: on the bench's gzip log a
 * collection every 8 MiB, as on the parsing thread, peaked at 103-106 MiB, every 2 MiB at 97-100,
 * in the same time.
 */
const WORKER_SCAVENGE_EVERY = 2 * 1024 * 1024;
/**
 * zlib's output blocks: under glibc's mmap threshold as the launcher sets it (1 MiB), so that the
 * worker's heap serves them again instead of mapping (and faulting in) a fresh MiB each time;
 * several fill one slot.
 */
const OUTPUT_PIECE = 256 * 1024;
/** Compressed bytes read at a time into the worker's one input buffer. */
const INPUT_PIECE = 256 * 1024;

const EMPTY = 0;
const FULL = 1;
const END = 2;
const FAILED = 3;
/** Control words: a state per slot, then a byte count per slot, then the stop word. */
const STOP = 2 * RING_SLOTS;

/** The worker's program (builtins only: evaluated, not loaded from dist/, so it starts fast). */
const WORKER_SOURCE = `
const { workerData, parentPort } = require('worker_threads');
const fs = require('fs');
const zlib = require('zlib');
const { fd, ring, control, position, slots, slotBytes } = workerData;
const data = Buffer.from(ring);
const ctl = new Int32Array(control);
const pos = new Float64Array(position);
const STOP = 2 * slots;
const collect = typeof gc === 'function' ? gc : null;
let slot = 0;
let sinceScavenge = 0;
// false once the reader stopped: nothing more is wanted
function waitEmpty() {
  for (;;) {
    if (Atomics.load(ctl, STOP) !== 0) return false;
    const s = Atomics.load(ctl, slot);
    if (s === ${EMPTY}) return true;
    Atomics.wait(ctl, slot, s, 1000);
  }
}
function publish(state, n) {
  ctl[slots + slot] = n;
  Atomics.store(ctl, slot, state);
  Atomics.notify(ctl, slot);
  slot = (slot + 1) % slots;
}
const gunzip = zlib.createGunzip({ chunkSize: ${OUTPUT_PIECE} });
let used = 0; // bytes in the slot being filled (waited for empty when used > 0)
gunzip.on('data', (b) => {
  if (used + b.length > slotBytes && !flush()) return;
  if (used === 0 && !waitEmpty()) return;
  b.copy(data, slot * slotBytes + used);
  used += b.length;
  // zlib's blocks die here: freed at the next scavenge instead of piling up (see scavenging())
  sinceScavenge += b.length;
  if (collect !== null && sinceScavenge >= ${WORKER_SCAVENGE_EVERY}) { sinceScavenge = 0; collect({ type: 'minor' }); }
});
// hands the slot being filled over; false once the reader stopped
function flush() {
  if (used === 0) return Atomics.load(ctl, STOP) === 0;
  publish(${FULL}, used);
  used = 0;
  return Atomics.load(ctl, STOP) === 0;
}
function fail(e) {
  if (!flush() || !waitEmpty()) return;
  parentPort.postMessage({ message: e.message, code: e.code, errno: e.errno });
  publish(${FAILED}, 0);
}
// The compressed bytes go through one reused buffer: a fresh one per read lived across a scavenge
// or two while zlib worked through it, and piled up in the old generation until a mark-compact.
const input = Buffer.allocUnsafe(${INPUT_PIECE});
async function run() {
  let at = 0;
  for (;;) {
    if (Atomics.load(ctl, STOP) !== 0) return;
    const n = fs.readSync(fd, input, 0, input.length, at);
    at += n;
    pos[0] = at;
    if (n === 0) break;
    // zlib is done with the input when the write's callback comes
    const err = await settled((done) => gunzip.write(input.subarray(0, n), done));
    if (err) return fail(err);
  }
  // the last output comes after end(): wait for the readable side's end (a truncated stream fails there)
  const err = await settled((done) => {
    gunzip.once('end', () => done(null));
    gunzip.end();
  });
  if (err) return fail(err);
  if (flush() && waitEmpty()) publish(${END}, 0);
}
// A zlib error destroys the stream without calling back the write it failed in: either ends the wait.
function settled(start) {
  return new Promise((resolve) => {
    const onError = (e) => resolve(e);
    gunzip.once('error', onError);
    start((e) => {
      gunzip.off('error', onError);
      resolve(e || null);
    });
  });
}
run().catch(fail);
`;

/** The same file read another way, which owns the descriptor from then on (open.ts: the stream). */
export interface GunzipFallback {
  chunks: AsyncIterable<Buffer>;
  close(): void;
  /** Compressed bytes read so far. */
  position(): number;
}

export class WorkerGunzip implements AsyncIterable<Buffer> {
  private readonly ring: SharedArrayBuffer;
  private readonly ctl = new Int32Array(new SharedArrayBuffer(4 * (2 * RING_SLOTS + 1)));
  private readonly pos = new Float64Array(new SharedArrayBuffer(8));
  /** null: it could not be started. */
  private readonly worker: Worker | null = null;
  /** The worker's error, when it sent one or died. */
  private failure: Error | null = null;
  /** The worker died (or never started) rather than answering with zlib's error. */
  private died = false;
  private readonly failed: Promise<void>;
  private closed = false;
  /** The fallback, once the file is read through it. */
  private instead: GunzipFallback | null = null;

  constructor(
    fd: number,
    private readonly slotBytes: number,
    private readonly closeFd: () => void,
    private readonly fallback: (() => GunzipFallback) | null = null,
  ) {
    // a slot holds whole zlib blocks
    if (slotBytes < OUTPUT_PIECE) throw new RangeError(`a slot is ${OUTPUT_PIECE} bytes or more`);
    this.ring = new SharedArrayBuffer(RING_SLOTS * slotBytes);
    const { Worker: WorkerThread } = require('worker_threads') as typeof import('worker_threads');
    try {
      this.worker = new WorkerThread(WORKER_SOURCE, {
        eval: true,
        workerData: { fd, ring: this.ring, control: this.ctl.buffer, position: this.pos.buffer, slots: RING_SLOTS, slotBytes },
      });
    } catch (err) {
      if (fallback === null) throw err;
      this.failure = err as Error;
      this.died = true;
      this.failed = Promise.resolve();
      return;
    }
    const worker = this.worker;
    this.failed = new Promise<void>((resolve) => {
      worker.on('message', (m: { message: string; code?: string; errno?: number }) => {
        this.failure = Object.assign(new Error(m.message), { code: m.code, errno: m.errno });
        resolve();
      });
      // A worker that dies without an answer (out of memory, terminated): every slot says so.
      const died = (err: Error) => {
        this.failure ??= err;
        this.died = true;
        for (let i = 0; i < RING_SLOTS; i++) {
          if (Atomics.load(this.ctl, i) === EMPTY) {
            Atomics.store(this.ctl, i, FAILED);
            Atomics.notify(this.ctl, i);
          }
        }
        resolve();
      };
      worker.on('error', died);
      // a worker exits on its own once it has answered (END or FAILED is in a slot): only otherwise did it die
      worker.on('exit', (code) => {
        if (!this.closed && !this.answered()) died(new Error(`gzip worker exited (code ${code}) before the end of the file`));
      });
    });
  }

  /** Has the worker published the end of the file or its error? */
  private answered(): boolean {
    for (let i = 0; i < RING_SLOTS; i++) {
      const state = Atomics.load(this.ctl, i);
      if (state === END || state === FAILED) return true;
    }
    return false;
  }

  /** Compressed bytes read so far (progress). */
  get bytesRead(): number {
    return this.instead !== null ? this.instead.position() : this.pos[0];
  }

  async *[Symbol.asyncIterator](): AsyncGenerator<Buffer> {
    const data = Buffer.from(this.ring);
    let slot = 0;
    let handed = -1;
    try {
      if (this.worker === null) {
        yield* this.readInstead();
        return;
      }
      for (;;) {
        // the chunk handed out before is done with: its slot takes the next output
        if (handed !== -1) {
          Atomics.store(this.ctl, handed, EMPTY);
          Atomics.notify(this.ctl, handed);
        }
        let state = Atomics.load(this.ctl, slot);
        while (state === EMPTY) {
          const w = Atomics.waitAsync(this.ctl, slot, EMPTY);
          if (w.async) await w.value;
          state = Atomics.load(this.ctl, slot);
        }
        if (state === END) return;
        if (state === FAILED) {
          await this.failed;
          // nothing of the worker's reached the reader: the file can still be read whole
          if (handed === -1 && this.died && this.fallback !== null) {
            yield* this.readInstead();
            return;
          }
          throw this.failure;
        }
        const n = this.ctl[RING_SLOTS + slot];
        handed = slot;
        slot = (slot + 1) % RING_SLOTS;
        yield data.subarray(handed * this.slotBytes, handed * this.slotBytes + n);
      }
    } finally {
      this.close();
    }
  }

  /** The whole file through the fallback, which owns the descriptor from now on. */
  private readInstead(): AsyncIterable<Buffer> {
    this.instead = this.fallback!();
    return this.instead.chunks;
  }

  /** Stops the worker (it may be waiting for a slot) and closes the file once it is gone. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    if (this.instead !== null) {
      // the fallback closes the descriptor
      this.instead.close();
      void this.worker?.terminate();
      return;
    }
    Atomics.store(this.ctl, STOP, 1);
    for (let i = 0; i < RING_SLOTS; i++) Atomics.notify(this.ctl, i);
    const closeFd = () => {
      try {
        this.closeFd();
      } catch {
        // a read-only descriptor whose reads are over: nothing is lost if closing it fails
      }
    };
    if (this.worker === null) closeFd();
    else void this.worker.terminate().then(closeFd, closeFd);
  }
}
