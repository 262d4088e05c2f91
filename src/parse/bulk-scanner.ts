import { FormatPlan } from './format/plan';
import { MEMORY, MAX_FIELDS, Stop, compileBulkModule } from './bulk-compiler';
import { layoutOf } from './scan-compiler';
import { MAX_KEY_BYTES, hashBytes } from '../util/byte-interner';
import { ModuleWindow } from './wasm/window';
import { giveInstance, takeInstance } from './wasm/instances';

/**
 * Runs of ordinary access lines read and counted in WebAssembly (bulk-compiler.ts), between the
 * lines the JavaScript path must see. A reader calls run() with a chunk and a position; it returns
 * where the first line it left stands (a failure, a new upstream, a time it does not take, a line
 * that does not scan, or a line cut by the end of the chunk), after telling the sink what the lines
 * before it count, minute by minute. The result is the same as if every line had gone through
 * AccessScanner and Analyzer.access: the module scans exactly as the JavaScript scanner does,
 * decodes a time as parseClf does, and counts a line only when access() would do nothing but
 * count it.
 */

/** What the analysis does with the lines a run counted (report/summary.ts implements it). */
export interface BulkSink<H> {
  /** n requests of minute `minute` (epoch ms / 60000), their seconds from firstSec to lastSec. */
  countRequests(minute: number, n: number, firstSec: number, lastSec: number): void;
  addStatusCount(status: number, n: number): void;
  /**
   * The sink's handle on the upstream whose address is the bytes [s, e) of buf (hash: their FNV-1a,
   * hashBytes()), once access() has counted an attempt on it; undefined when the sink
   * keeps none for those bytes (its lines then keep going the JavaScript way).
   */
  upstreamHandle(hash: number, buf: Buffer, s: number, e: number): H | undefined;
  countAttempts(handle: H, n: number): void;
}

/** Compiled modules by plan (presets are shared objects; a user format is compiled once a run). */
const modules = new WeakMap<FormatPlan, WebAssembly.Module | null>();

function moduleFor(plan: FormatPlan): WebAssembly.Module | null {
  let m = modules.get(plan);
  if (m === undefined) {
    m = null;
    const layout = layoutOf(plan);
    const first = (t: string) => layout.fields.findIndex((f) => f.type === t);
    const time = first('time-clf');
    // a format timed otherwise decodes each line's time in JavaScript, where it stays
    const others = layout.fields.some((f) => f.type === 'time-iso' || f.type === 'time-epoch-s' || f.type === 'time-epoch-ms' || f.type === 'time-epoch-us');
    if (time >= 0 && !others && layout.fields.length <= MAX_FIELDS) {
      const slots = { status: first('status'), time, upstreamAddr: first('upstream-addr'), upstreamStatus: first('upstream-status') };
      m = new WebAssembly.Module(compileBulkModule(layout, slots));
    }
    modules.set(plan, m);
  }
  return m;
}

interface Exports {
  memory: WebAssembly.Memory;
  run(s: number, end: number, maxLine: number): number;
  addUpstream(s: number, e: number, hash: number): number;
}

export class BulkScanner<H> {
  private readonly instance: WebAssembly.Instance;
  private readonly x: Exports;
  private readonly mem: Buffer;
  private readonly i32: Int32Array;
  private readonly u32: Uint32Array;
  private readonly window: ModuleWindow;
  /** Handles by interned id. */
  private readonly handles: H[] = [];
  /** The address of the line run() last left for its upstream, copied out of the window. */
  private pendingKey: Buffer | null = null;
  private pendingHash = 0;
  /** Lines counted since the last flush(): its status and upstream tables are read only then. */
  private countsPending = false;
  /** Lines the last run() counted. */
  lines = 0;
  /** The last run() stopped at a new upstream it will count from now on (while it has room for them). */
  learning = false;
  private full = false;

  /** A bulk scanner for the format, or null when its lines are read in JavaScript only. */
  static for<H>(plan: FormatPlan, sink: BulkSink<H>, maxLine: number): BulkScanner<H> | null {
    const m = moduleFor(plan);
    return m === null ? null : new BulkScanner<H>(m, sink, maxLine);
  }

  private constructor(
    private readonly module: WebAssembly.Module,
    private readonly sink: BulkSink<H>,
    private readonly maxLine: number,
  ) {
    const { instance, reused } = takeInstance(module);
    this.instance = instance;
    this.x = instance.exports as unknown as Exports;
    const buf = this.x.memory.buffer;
    this.mem = Buffer.from(buf);
    // a fresh instance's state: the module has no data segments, its memory starts zeroed
    if (reused) this.mem.fill(0, 0, MEMORY.WINDOW);
    this.i32 = new Int32Array(buf);
    this.u32 = new Uint32Array(buf);
    this.window = new ModuleWindow(this.mem, MEMORY.WINDOW, MEMORY.WINDOW_BYTES);
  }

  /**
   * The reader is done with this scanner, whose counts it has flushed, and nothing reads into its
   * buffers any more: its instance goes to the next reader of the format (wasm/instances.ts).
   */
  release(): void {
    giveInstance(this.module, this.instance);
  }

  /** The bytes of the chunk last given to run() are about to change. */
  invalidate(): void {
    this.window.invalidate();
  }

  /** Two read buffers in the module's memory: chunks read into them are scanned without a copy. */
  readBuffers(): [Buffer, Buffer] {
    return this.window.readBuffers();
  }

  /**
   * Counts the lines of chunk[pos, len) from pos on while they are ordinary requests; returns the
   * start of the first line left (len when none is). `lines` tells how many were counted.
   */
  run(chunk: Buffer, pos: number, len: number): number {
    this.internPending();
    const out = this.i32;
    const win = this.window;
    this.lines = 0;
    for (;;) {
      const base = win.show(chunk, pos, len);
      const stop = this.x.run(pos - base, win.end - base, this.maxLine);
      const at = out[0] + base;
      this.countRuns(out[1]);
      this.learning = stop === Stop.NewUpstream && !this.full;
      if (stop === Stop.NewUpstream) {
        const s = out[4] + base;
        this.pendingKey = Buffer.from(chunk.subarray(s, out[5] + base));
        this.pendingHash = out[6];
      }
      if (stop === Stop.Full) {
        pos = at;
        continue;
      }
      // the window ended inside the chunk: go on from the line it cut
      if (stop === Stop.End && win.slides(at, len)) {
        pos = at;
        continue;
      }
      return at;
    }
  }

  /** Hands the sink the n minute runs the module wrote: [minute, lines, first second, last second] each. */
  private countRuns(n: number): void {
    const r = this.i32;
    for (let i = 0, at = MEMORY.RUNS >> 2; i < n; i++, at += 4) {
      this.lines += r[at + 1];
      this.sink.countRequests(r[at], r[at + 1], r[at + 2], r[at + 3]);
    }
    if (n > 0) this.countsPending = true;
  }

  /** Hands the counts of the statuses and upstreams to the sink (the summary is complete after it). */
  flush(): void {
    this.internPending();
    if (!this.countsPending) return;
    this.countsPending = false;
    const u = this.u32;
    const st = MEMORY.STATUS >> 2;
    for (let i = 0; i < 1000; i++) {
      const n = u[st + i];
      if (n !== 0) {
        this.sink.addStatusCount(i, n);
        u[st + i] = 0;
      }
    }
    const up = MEMORY.UP_ATTEMPTS >> 2;
    for (let id = 0; id < this.handles.length; id++) {
      const n = u[up + id];
      if (n !== 0) {
        this.sink.countAttempts(this.handles[id], n);
        u[up + id] = 0;
      }
    }
  }

  /**
   * The line run() left for its new upstream has been through the JavaScript path since: the
   * address is interned here if the sink now keeps a handle for it.
   */
  private internPending(): void {
    const key = this.pendingKey;
    if (key === null) return;
    this.pendingKey = null;
    // the sink's table is keyed by FNV-1a, as the JavaScript scanner hashes; the module has a hash of its own
    const h = key.length <= MAX_KEY_BYTES ? this.sink.upstreamHandle(hashBytes(key, 0, key.length), key, 0, key.length) : undefined;
    // the sink keeps no handle for it: its table of addresses is full (or the key is hostile)
    if (h === undefined) {
      this.full = this.full || key.length <= MAX_KEY_BYTES;
      return;
    }
    key.copy(this.mem, MEMORY.KEY);
    const id = this.x.addUpstream(MEMORY.KEY, MEMORY.KEY + key.length, this.pendingHash);
    if (id >= 0) this.handles[id] = h;
    else this.full = true;
  }
}
