import { LogKind } from '../model';
import { KnownLines, LiteralTables } from '../diagnose/prefilter';
import { COMPETITOR_SEARCH, QUIET_MEMORY, QUIET_SEARCH, QuietKind, QuietStop, SearchLayout, compileQuietModule } from './quiet-compiler';
import { ModuleWindow } from './wasm/window';
import { giveInstance, takeInstance } from './wasm/instances';

/**
 * Runs of quiet error lines counted in WebAssembly (quiet-compiler.ts), between the lines the
 * JavaScript path must see. A reader calls run() with a chunk and a position; it returns where the
 * first line it left stands, and `lines` tells how many quiet lines came before it. Each of those
 * is a whole entry that the reader would have counted as parsed without decoding it: the module
 * takes only the same decisions on the same bytes (the head test, the literal search).
 */

/** A quiet-line module's exports (head, parses and matters are exported for the tests). */
export interface QuietExports {
  memory: WebAssembly.Memory;
  run(s: number, end: number, maxLine: number): number;
  head(s: number, e: number): number;
  parses(s: number, e: number): number;
  matters(s: number, e: number): number;
  /** nginx only */
  known?(s: number, e: number): number;
  competes?(s: number, e: number): number;
}

/** Compiled once a process per kind, when the first log of that kind is long enough to want it. */
const modules = new Map<QuietKind, WebAssembly.Module>();

const isQuietKind = (k: LogKind): k is QuietKind => k === 'nginx-error' || k === 'apache-error';

/** b[i - 1] << 8 | b[i] (LiteralScanner's pair) ↔ b[i - 1] | b[i] << 8 (a little-endian load's). */
const swapPair = (p: number): number => ((p & 0xff) << 8) | (p >> 8);

/**
 * The module of `kind`, instantiated, with the search tables loaded; null when the kind has none
 * or the tables do not fit its memory (its lines then stay in JavaScript). `known` is loaded where
 * the module can tell such lines (nginx) and it fits; otherwise its lines stop a run as any line
 * with a literal does.
 */
export function quietInstance(kind: LogKind, tables: LiteralTables | null, known: KnownLines | null = null): QuietExports | null {
  return loadQuiet(kind, tables, known)?.x ?? null;
}

interface Loaded {
  module: WebAssembly.Module;
  instance: WebAssembly.Instance;
  x: QuietExports;
}

/** quietInstance(), with the module and instance the scanner gives back when its reader is done. */
function loadQuiet(kind: LogKind, tables: LiteralTables | null, known: KnownLines | null): Loaded | null {
  if (!isQuietKind(kind) || tables === null || !fits(tables, 0)) return null;
  if (kind !== 'nginx-error' || (known !== null && !knownFits(known))) known = null;
  let m = modules.get(kind);
  if (m === undefined) {
    m = new WebAssembly.Module(compileQuietModule(kind));
    modules.set(kind, m);
  }
  const { instance } = takeInstance(m);
  const x = instance.exports as unknown as QuietExports;
  let img = images.get(tables.shift);
  if (img === undefined || img.known !== known) {
    img = { known, bytes: image(tables, known) };
    images.set(tables.shift, img);
  }
  // everything up to the window: a reused instance's state is reset with it
  img.bytes.copy(Buffer.from(x.memory.buffer));
  return { module: m, instance, x };
}

/**
 * The tables' bytes as the module's memory holds them, from address 0 to the window, by the
 * tables they were made from (a filter's tables are the same objects for a whole run): a reader
 * per file then copies them in one call (laying them out took 3-6 ms a file).
 */
const images = new WeakMap<Uint8Array, { known: KnownLines | null; bytes: Buffer }>();

export class QuietScanner {
  /** Lines the last run() counted. */
  lines = 0;
  /** For the reader's backoff, as BulkScanner's: a quiet scanner never learns. */
  readonly learning = false;
  private readonly i32: Int32Array;
  private readonly window: ModuleWindow;

  /**
   * A quiet scanner for error logs of `kind` whose filter searches with these tables, or null
   * (see quietInstance()).
   */
  static for(kind: LogKind, tables: LiteralTables | null, maxLine: number, known: KnownLines | null = null): QuietScanner | null {
    const loaded = loadQuiet(kind, tables, known);
    return loaded === null ? null : new QuietScanner(loaded, maxLine, known);
  }

  private readonly x: QuietExports;

  private constructor(
    private readonly loaded: Loaded,
    private readonly maxLine: number,
    private readonly known: KnownLines | null,
  ) {
    this.x = loaded.x;
    this.i32 = new Int32Array(this.x.memory.buffer);
    this.window = new ModuleWindow(Buffer.from(this.x.memory.buffer), QUIET_MEMORY.WINDOW, QUIET_MEMORY.WINDOW_BYTES);
  }

  /** As BulkScanner.release(): the instance goes to the next reader of this kind. */
  release(): void {
    giveInstance(this.loaded.module, this.loaded.instance);
  }

  /** The bytes of the chunk last given to run() are about to change. */
  invalidate(): void {
    this.window.invalidate();
  }

  /** Two read buffers in the module's memory: chunks read into them are scanned without a copy. */
  readBuffers(): [Buffer, Buffer] {
    return this.window.readBuffers();
  }

  /** Hands the lines of prefix rows counted so far to the sink (run() hands over its line count each time). */
  flush(): void {
    const k = this.known;
    if (k === null) return;
    const at = QUIET_MEMORY.KNOWN >> 2;
    for (let row = 1; row <= k.prefixes.length; row++) {
      const n = this.i32[at + row];
      if (n === 0) continue;
      this.i32[at + row] = 0;
      k.count(row - 1, n);
    }
  }

  /**
   * Counts the quiet lines of chunk[pos, len) from pos on; returns the start of the first line
   * left (len when none is).
   */
  run(chunk: Buffer, pos: number, len: number): number {
    const win = this.window;
    const out = this.i32;
    this.lines = 0;
    for (;;) {
      const base = win.show(chunk, pos, len);
      const stop = this.x.run(pos - base, win.end - base, this.maxLine);
      const at = out[QUIET_MEMORY.OUT >> 2] + base;
      this.lines += out[(QUIET_MEMORY.OUT >> 2) + 1];
      if (stop === QuietStop.End && win.slides(at, len)) {
        pos = at;
        continue;
      }
      return at;
    }
  }
}

function fits(t: LiteralTables, extraBytes: number): boolean {
  let entries = 0;
  let bytes = extraBytes;
  for (const lits of t.ending.values()) {
    entries += lits.length;
    for (const l of lits) bytes += l.length;
  }
  // both searches have LITS_BYTES for their literals (and the prefixes, after the competitors')
  return entries <= QUIET_MEMORY.LIST_CAP && bytes <= QUIET_MEMORY.LITS_BYTES;
}

function knownFits(k: KnownLines): boolean {
  const prefixBytes = k.prefixes.reduce((n, p) => n + p.length, 0);
  return k.prefixes.length <= QUIET_MEMORY.ROWS_CAP && (k.competitors === null || fits(k.competitors, prefixBytes));
}

/** The tables (and the prefix rows) in the module's layout (quiet-compiler.ts QUIET_MEMORY), up to the window. */
function image(t: LiteralTables, known: KnownLines | null): Buffer {
  const M = QUIET_MEMORY;
  const mem = Buffer.alloc(M.WINDOW);
  const i32 = new Int32Array(mem.buffer, mem.byteOffset, M.WINDOW >> 2);
  layOut(mem, i32, t, QUIET_SEARCH, () => 0);
  if (known === null) return mem;
  let at = known.competitors === null ? M.LITS2 : layOut(mem, i32, known.competitors, COMPETITOR_SEARCH, (l) => known.rowsOf.get(l)!);
  i32[M.ROWS >> 2] = known.prefixes.length;
  known.prefixes.forEach((p, k) => {
    p.copy(mem, at);
    i32[(M.PREFIX >> 2) + 2 * (k + 1)] = at;
    i32[(M.PREFIX >> 2) + 2 * (k + 1) + 1] = p.length;
    at += p.length;
  });
  return mem;
}

/** One search's tables at L (SearchLayout), each literal's entry tagged; returns the end of its literals' bytes. */
function layOut(mem: Buffer, i32: Int32Array, t: LiteralTables, L: SearchLayout, tag: (l: Buffer) => number): number {
  i32[L.M >> 2] = t.m;
  for (let x = 0; x < 65536; x++) mem[L.SHIFT + x] = t.shift[swapPair(x)];
  let entry = 0;
  let at = L.LITS;
  for (const [pair, lits] of t.ending) {
    // a chain per pair: each entry points at the one after it
    const ends = L.ENDS + 2 * swapPair(pair);
    mem.writeUInt16LE(lits.length === 0 ? 0 : entry + 1, ends);
    lits.forEach((l, k) => {
      const e = (L.LIST >> 2) + 4 * entry;
      l.copy(mem, at);
      i32[e] = at;
      i32[e + 1] = l.length;
      i32[e + 2] = k + 1 < lits.length ? entry + 2 : 0;
      i32[e + 3] = tag(l);
      at += l.length;
      entry++;
    });
  }
  return at;
}
