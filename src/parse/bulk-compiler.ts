import { MAX_KEY_BYTES } from '../util/byte-interner';
import { ScanField, ScanLayout, Strategy, hashSlots } from './scan-compiler';
import { Func, ModuleWriter, Op, T } from './wasm/module';
import { modulePages } from './wasm/window';

/**
 * Compiles a format's scan layout into a WebAssembly module that reads whole runs of access lines
 * at a time: it finds each line's end, scans its fields exactly as the JavaScript scanner does
 * (scan-compiler.ts, the same strategies, boundaries and verdicts), and counts the line itself
 * when the line is an ordinary request: a parsed line with the cached minute, a status that is
 * not a failure, and no upstream attempt or one upstream it already knows. Any other line stops
 * the run, and the caller hands it to the JavaScript path (read-file.ts), which stays the one
 * place where failures, new minutes, new upstreams and broken lines are decided.
 *
 * Why: a line crossing from JavaScript into a per-line scanner, then the analyzer's counting, cost
 * ~3 times what the yardstick spends on a line (docs/performance.md). Here the common line
 * never leaves WebAssembly, and the ends of long fields (request, user agent) are found 16 bytes
 * at a time with SIMD compares instead of a call to Buffer#indexOf.
 *
 * Only numbers reach the module (byte values, offsets, lengths): nothing of a log or of a format
 * string becomes code.
 */

/** Memory layout (byte addresses). */
export const MEMORY = {
  /** run()'s results: [pos, minute runs at RUNS, -, -, addrStart, addrEnd, addrHash] as i32 */
  OUT: 0,
  /** 1 when TIME_KEY holds the last time decoded (26 bytes), whose minute is CUR_MINUTE */
  TIME_VALID: 40,
  CUR_MINUTE: 52,
  /** upstreams interned so far, and arena bytes used */
  UP_COUNT: 44,
  UP_USED: 48,
  /** the scanner's field boundaries (2 × fields), then the hashed field's hash and plain flag */
  OFF: 64,
  TIME_KEY: 1088,
  /** a key handed to addUpstream() (MAX_KEY_BYTES at most) */
  KEY: 1536,
  /** requests by status, 1000 × u32 */
  STATUS: 2048,
  /** the lines run() counted, by minute in the order read: RUN_CAP × [minute, lines, first second, last second] */
  RUNS: 6144,
  /** attempts by interned upstream id, UPSTREAMS × u32 */
  UP_ATTEMPTS: 8192,
  /** the interning table: UP_SLOTS × [hash, key offset, key length, id + 1] */
  UP_TABLE: 16384,
  UP_ARENA: 81920,
  UP_ARENA_BYTES: 256 * 1024,
  /** the input window */
  WINDOW: 393216,
  WINDOW_BYTES: 1280 * 1024,
} as const;

export const RUN_CAP = 128;
/** Fields a module can scan: their boundaries must fit between OFF and TIME_KEY. */
export const MAX_FIELDS = (MEMORY.TIME_KEY - MEMORY.OFF) / 8 - 1;
const UPSTREAMS = 2048;
const UP_SLOTS = 4096;
/** The window, then the read buffers (wasm/window.ts), whose gap after the window is its pad. */
const PAGES = modulePages(MEMORY.WINDOW + MEMORY.WINDOW_BYTES);

/** What run() returns. */
export const enum Stop {
  /** no whole line left in the window at OUT[0] */
  End = 0,
  /** the line at OUT[0] is the JavaScript path's */
  Line = 1,
  /** the line at OUT[0] is the JavaScript path's, and its upstream (OUT[4..6]) is new here */
  NewUpstream = 2,
  /** the minute runs filled RUNS: once they are counted, the run goes on from the line at OUT[0] */
  Full = 3,
}

/** The fields run() reads, as slots of the layout (-1: the format has none). */
export interface BulkSlots {
  status: number;
  time: number;
  upstreamAddr: number;
  upstreamStatus: number;
}

const SPACE = 32;
const QUOTE = 34;
const COMMA = 44;

export function compileBulkModule(layout: ScanLayout, slots: BulkSlots): Uint8Array {
  if (layout.fields.length > MAX_FIELDS || slots.time < 0) throw new Error('the bulk scanner needs a CLF time and at most MAX_FIELDS fields');
  const mod = new ModuleWriter(PAGES);
  const odd = oddBackslashesFn(mod);
  scanFn(mod, layout, odd);
  const lookup = lookupFn(mod);
  addUpstreamFn(mod, lookup);
  runFn(mod, layout, slots, odd, lookup);
  return mod.bytes();
}

/**
 * Sets local q to the first index in [local from, local lim) holding byte c, else lim: 16 bytes a
 * step, inline (a call per field cost more than the compare). v is a scratch v128 local, m an i32.
 * The loads may read up to 15 bytes past lim: the memory is padded. `far`: 32 bytes a step, for
 * a byte that is usually far away (a line's end, ~250 bytes on): two compares and one branch a
 * step instead of two; its loads may read up to 31 bytes past lim.
 */
export function find(f: Func, from: number, lim: number, c: number, q: number, v: number, m: number, far = false): void {
  f.i32(c).simd('i8x16_splat').set(v);
  f.get(from).set(q);
  f.block('found', () => {
    f.loop('next', () => {
      f.get(q).simd('v128_load').get(v).simd('i8x16_eq').simd('i8x16_bitmask');
      if (far) f.get(q).simd('v128_load', 16).get(v).simd('i8x16_eq').simd('i8x16_bitmask').i32(16).op(Op.i32_shl).op(Op.i32_or);
      f.tee(m);
      f.if(() => {
        f.get(q).get(m).op(Op.i32_ctz).op(Op.i32_add).tee(q);
        f.get(lim).op(Op.i32_gt_u);
        f.if(() => f.get(lim).set(q));
        f.br('found');
      });
      f.get(q).i32(far ? 32 : 16).op(Op.i32_add).tee(q).get(lim).op(Op.i32_lt_u).brIf('next');
    });
    f.get(lim).set(q);
  });
}

/** find() of a far byte (see there). */
export function findFar(f: Func, from: number, lim: number, c: number, q: number, v: number, m: number): void {
  find(f, from, lim, c, q, v, m, true);
}

/** oddBackslashes(p, q): is the byte at q preceded (down to p) by an odd number of backslashes? */
function oddBackslashesFn(mod: ModuleWriter): Func {
  const f = mod.func('odd', [T.I32, T.I32], [T.I32]);
  const [p, q] = [0, 1];
  const n = f.local(T.I32);
  f.block('done', () =>
    f.loop('back', () => {
      f.get(q).i32(1).op(Op.i32_sub).tee(q).get(p).op(Op.i32_lt_s).brIf('done');
      f.get(q).mem('i32_load8_u').i32(92).op(Op.i32_ne).brIf('done');
      f.get(n).i32(1).op(Op.i32_add).set(n).br('back');
    }),
  );
  f.get(n).i32(1).op(Op.i32_and);
  return f;
}

/**
 * Pushes 1 when the bytes of lit stand at local `at` (the caller has checked the length),
 * else 0: compared four, two, then one at a time.
 */
function bytesAt(f: Func, lit: Buffer, at: number): void {
  let k = 0;
  let terms = 0;
  const term = () => {
    if (terms++ > 0) f.op(Op.i32_and);
  };
  for (; k + 4 <= lit.length; k += 4) {
    f.get(at).mem('i32_load', k, true).i32(lit.readInt32LE(k)).op(Op.i32_eq);
    term();
  }
  for (; k + 2 <= lit.length; k += 2) {
    f.get(at).mem('i32_load16_u', k, true).i32(lit.readUInt16LE(k)).op(Op.i32_eq);
    term();
  }
  for (; k < lit.length; k++) {
    f.get(at).mem('i32_load8_u', k).i32(lit[k]).op(Op.i32_eq);
    term();
  }
  if (terms === 0) f.i32(1);
}

/**
 * Where a scan's code leads: what becomes of a field boundary, of a line that does not have the
 * format's shape, and of a line that ends early where the format tolerates it (no bytes trail).
 * The exported scan() stores every boundary and returns; run() keeps the few it reads in locals
 * and branches on.
 */
interface ScanTarget {
  /** boundary slot i (2 × field, 2 × field + 1, then the hashed field's hash and plain flag) is local v */
  boundary(i: number, v: number): void;
  fail(): void;
  done(): void;
}

/** target.fail() when the i32 on the stack is non-zero. */
function failIf(f: Func, target: ScanTarget): void {
  f.if(() => target.fail());
}

/**
 * The generated scanner of scan-compiler.ts, instruction for instruction, over the line [s, e):
 * afterwards local p is where the format's last literal ended (e - p bytes trail).
 */
function scanCode(f: Func, layout: ScanLayout, odd: Func, L: ScanLocals, s: number, target: ScanTarget): void {
  const { p, q, e } = L;
  const { lead, fields } = layout;
  const last = fields.length - 1;
  f.get(s).set(p);
  if (lead.length > 0) {
    f.get(e).get(p).op(Op.i32_sub).i32(lead.length).op(Op.i32_lt_s);
    failIf(f, target);
    bytesAt(f, lead, p);
    f.op(Op.i32_eqz);
    failIf(f, target);
    f.get(p).i32(lead.length).op(Op.i32_add).set(p);
  }
  for (let i = 0; i < fields.length; i++) {
    const fd = fields[i];
    fieldCode(f, fd, i === layout.hashed ? hashSlots(layout) : -1, L, odd, target);
    target.boundary(2 * i, p);
    target.boundary(2 * i + 1, q);
    f.get(q).set(p);
    const n = fd.next;
    if (n.length === 0) continue;
    if (fd.strategy === Strategy.Literal) {
      f.get(p).i32(n.length).op(Op.i32_add).set(p);
      continue;
    }
    // if (e - p < n.length || !bytesAt(n, p)) { if (p !== e) fail; <the line ends here> }
    f.get(e).get(p).op(Op.i32_sub).i32(n.length).op(Op.i32_lt_s);
    f.if(
      () => lineEnds(f, i, last, L, target),
      () => {
        bytesAt(f, n, p);
        f.op(Op.i32_eqz);
        f.if(() => lineEnds(f, i, last, L, target));
      },
    );
    f.get(p).i32(n.length).op(Op.i32_add).set(p);
  }
}

/** The line ended before field i's closing literal: tolerated for the last field or two. */
function lineEnds(f: Func, i: number, last: number, L: ScanLocals, target: ScanTarget): void {
  f.get(L.p).get(L.e).op(Op.i32_ne);
  failIf(f, target);
  if (i === last) {
    target.done();
  } else if (i === last - 1) {
    target.boundary(2 * (i + 1), L.e);
    target.boundary(2 * (i + 1) + 1, L.e);
    target.done();
  } else {
    target.fail();
  }
}

function scanLocals(f: Func, e: number): ScanLocals {
  const [p, q, r, m, c, t, lim] = f.locals(T.I32, 7);
  return { p, q, r, m, c, t, lim, v: f.local(T.V128), e };
}

/**
 * scan(s, e): the trailing bytes of the line [s, e), or -1 when it does not have the format's
 * shape; every boundary stored at OFF (the tests hold it to the reference interpreter).
 */
function scanFn(mod: ModuleWriter, layout: ScanLayout, odd: Func): Func {
  const f = mod.func('scan', [T.I32, T.I32], [T.I32], true);
  const L = scanLocals(f, 1);
  scanCode(f, layout, odd, L, 0, {
    boundary: (i, v) => f.i32(0).get(v).mem('i32_store', MEMORY.OFF + 4 * i),
    fail: () => f.i32(-1).op(Op.return),
    done: () => f.i32(0).op(Op.return),
  });
  f.get(L.e).get(L.p).op(Op.i32_sub);
  return f;
}

interface ScanLocals {
  p: number;
  q: number;
  r: number;
  m: number;
  c: number;
  /** scratch values */
  t: number;
  lim: number;
  v: number;
  e: number;
}

function fieldCode(f: Func, fd: ScanField, hashAt: number, L: ScanLocals, odd: Func, target: ScanTarget): void {
  const { p, q, r, e, lim, v, t } = L;
  const n = fd.next;
  switch (fd.strategy) {
    case Strategy.Token:
      // q = first index in [p, e) holding the stop byte, else e
      find(f, p, e, n.length > 0 ? n[0] : SPACE, q, v, t);
      return;
    case Strategy.Bracketed:
      // if (p >= e || b[p] !== '[') return -1; q = first ']' in [p, e - 1]; if none return -1; q++
      f.get(p).get(e).op(Op.i32_ge_s);
      failIf(f, target);
      f.get(p).mem('i32_load8_u').i32(91).op(Op.i32_ne);
      failIf(f, target);
      find(f, p, e, 93, q, v, t);
      f.get(q).get(e).op(Op.i32_ge_s);
      failIf(f, target);
      f.get(q).i32(1).op(Op.i32_add).set(q);
      return;
    case Strategy.List:
      listCode(f, fd, hashAt, L, target);
      return;
    case Strategy.Literal: {
      // The next occurrence of the whole literal at or before e - n.length; a quote preceded by an
      // odd number of backslashes does not count.
      f.get(p).set(r);
      f.loop('again', () => {
        f.get(e).i32(n.length - 1).op(Op.i32_sub).set(lim);
        find(f, r, lim, n[0], q, v, t);
        f.get(q).get(e).i32(n.length).op(Op.i32_sub).op(Op.i32_gt_s);
        failIf(f, target);
        // (a miss) = !(rest of the literal at q + 1) || (q > p && b[q - 1] === '\\' && odd(p, q))
        if (n.length > 1) {
          f.get(q).i32(1).op(Op.i32_add).set(L.t);
          bytesAt(f, n.subarray(1), L.t);
          f.op(Op.i32_eqz);
        } else f.i32(0);
        if (n[0] === QUOTE) {
          // b[q - 1] is in memory even when q === p: the window never starts at address 0
          f.get(q).get(p).op(Op.i32_gt_s);
          f.get(q).i32(1).op(Op.i32_sub).mem('i32_load8_u').i32(92).op(Op.i32_eq).op(Op.i32_and);
          f.if(
            () => f.get(p).get(q).call(odd).set(L.t),
            () => f.i32(0).set(L.t),
          );
          f.get(L.t).op(Op.i32_or);
        }
        f.if(() => {
          f.get(q).i32(1).op(Op.i32_add).set(r).br('again');
        });
      });
      return;
    }
    default:
      f.get(e).set(q);
  }
}

/**
 * The List strategy: items without spaces joined by `, `, ` : ` or `,`. An item's end (a space, a
 * comma or the stop byte) is found 16 bytes at a time; hashAt >= 0 also flags whether the field
 * is one plain item (no separator, no byte below 32, above 126 or a backslash, as the JavaScript
 * scanner flags it) and, when it is, stores the module's own hash of it (hashOf).
 */
function listCode(f: Func, fd: ScanField, hashAt: number, L: ScanLocals, target: ScanTarget): void {
  const { p, q, m, c, t, e } = L;
  const n = fd.next;
  const stop = n.length > 0 ? n[0] : SPACE;
  const hashed = hashAt >= 0;
  const at = (k: number) => f.get(q).mem('i32_load8_u', k);
  const [x, ends, bad] = f.locals(T.V128, 3);
  if (hashed) f.i32(1).set(m);
  f.get(p).set(q);
  const cut = () => {
    if (hashed) f.i32(0).set(m);
  };
  f.block('list', () =>
    f.loop('items', () => {
      f.block('item', () =>
        f.loop('chunk', () => {
          f.get(q).get(e).op(Op.i32_ge_s).brIf('item');
          f.get(q).simd('v128_load').set(x);
          f.get(x).i32(SPACE).simd('i8x16_splat').simd('i8x16_eq');
          f.get(x).i32(COMMA).simd('i8x16_splat').simd('i8x16_eq').simd('v128_or');
          if (stop !== SPACE && stop !== COMMA) f.get(x).i32(stop).simd('i8x16_splat').simd('i8x16_eq').simd('v128_or');
          f.set(ends);
          // c = the item's bytes in this chunk: up to its end byte, the line's end, or 16
          f.get(ends).simd('i8x16_bitmask').i32(0x10000).op(Op.i32_or).op(Op.i32_ctz).set(c);
          f.get(e).get(q).op(Op.i32_sub).tee(t).get(c).op(Op.i32_lt_u);
          f.if(() => f.get(t).set(c));
          if (hashed) {
            f.get(x).i32(32).simd('i8x16_splat').simd('i8x16_lt_u');
            f.get(x).i32(126).simd('i8x16_splat').simd('i8x16_gt_u').simd('v128_or');
            f.get(x).i32(92).simd('i8x16_splat').simd('i8x16_eq').simd('v128_or').set(bad);
            f.get(bad).simd('i8x16_bitmask').i32(1).get(c).op(Op.i32_shl).i32(1).op(Op.i32_sub).op(Op.i32_and);
            f.if(() => f.i32(0).set(m));
          }
          f.get(q).get(c).op(Op.i32_add).set(q);
          f.get(c).i32(16).op(Op.i32_eq).brIf('chunk');
        }),
      );
      // `, `
      f.get(q).i32(1).op(Op.i32_add).get(e).op(Op.i32_lt_s);
      f.if(() => {
        at(0).i32(COMMA).op(Op.i32_eq).get(q).mem('i32_load8_u', 1).i32(SPACE).op(Op.i32_eq).op(Op.i32_and);
        f.if(() => {
          cut();
          f.get(q).i32(2).op(Op.i32_add).set(q).br('items');
        });
      });
      // ` : `
      f.get(q).i32(2).op(Op.i32_add).get(e).op(Op.i32_lt_s);
      f.if(() => {
        at(0).i32(SPACE).op(Op.i32_eq).get(q).mem('i32_load8_u', 1).i32(58).op(Op.i32_eq).op(Op.i32_and);
        f.get(q).mem('i32_load8_u', 2).i32(SPACE).op(Op.i32_eq).op(Op.i32_and);
        f.if(() => {
          cut();
          f.get(q).i32(3).op(Op.i32_add).set(q).br('items');
        });
      });
      // `,`
      f.get(q).get(e).op(Op.i32_lt_s);
      f.if(() => {
        at(0).i32(COMMA).op(Op.i32_eq);
        f.if(() => {
          cut();
          f.get(q).i32(1).op(Op.i32_add).set(q).br('items');
        });
      });
    }),
  );
  if (hashed) {
    f.get(m);
    f.if(
      () => hashOf(f, p, q, t),
      () => f.i32(0).set(t),
    );
    target.boundary(hashAt, t);
    target.boundary(hashAt + 1, m);
  }
}

/**
 * Sets local h to the module's hash of the bytes [s, e): their first and last eight bytes and
 * their length, mixed (a constant cost: the JavaScript scanner's FNV-1a went byte by byte). Only
 * the bytes of the range count, so equal keys hash equal wherever they stand.
 */
function hashOf(f: Func, s: number, e: number, h: number): void {
  f.get(e).get(s).op(Op.i32_sub).tee(h).i32(8).op(Op.i32_ge_u);
  f.if(
    () => {
      f.get(s).mem('i64_load', 0, true).get(e).i32(8).op(Op.i32_sub).mem('i64_load', 0, true).i64(29n).op(Op.i64_rotl).op(Op.i64_xor);
      f.get(h).op(Op.i64_extend_i32_u).i64(56n).op(Op.i64_shl).op(Op.i64_xor);
      mix(f, h);
    },
    () => {
      // fewer than eight bytes: the eight at s with those past e masked off
      f.get(s).mem('i64_load', 0, true).i64(1n).get(h).i32(3).op(Op.i32_shl).op(Op.i64_extend_i32_u).op(Op.i64_shl).i64(1n).op(Op.i64_sub).op(Op.i64_and);
      f.get(h).op(Op.i64_extend_i32_u).i64(56n).op(Op.i64_shl).op(Op.i64_xor);
      mix(f, h);
    },
  );
}

/** h = the high half of (the i64 on the stack × 2^64 / φ): a multiplicative hash. */
function mix(f: Func, h: number): void {
  f.i64(0x9e3779b97f4a7c15n).op(Op.i64_mul).i64(32n).op(Op.i64_shr_u).op(Op.i32_wrap_i64).set(h);
}

/**
 * Compares the n bytes at locals a and b, eight at a time, then one by one, from local j (0 on
 * entry; a scratch index): runs differ() (which must branch away) at the first difference, falls
 * through when they are the same.
 */
export function sameBytes(f: Func, a: number, b: number, n: number, j: number, differ: () => void): void {
  f.block('words', () =>
    f.loop('word', () => {
      f.get(j).i32(8).op(Op.i32_add).get(n).op(Op.i32_gt_u).brIf('words');
      f.get(a).get(j).op(Op.i32_add).mem('i64_load', 0, true).get(b).get(j).op(Op.i32_add).mem('i64_load', 0, true).op(Op.i64_ne);
      f.if(differ);
      f.get(j).i32(8).op(Op.i32_add).set(j).br('word');
    }),
  );
  f.block('bytes', () =>
    f.loop('byte', () => {
      f.get(j).get(n).op(Op.i32_ge_u).brIf('bytes');
      f.get(a).get(j).op(Op.i32_add).mem('i32_load8_u').get(b).get(j).op(Op.i32_add).mem('i32_load8_u').op(Op.i32_ne);
      f.if(differ);
      f.get(j).i32(1).op(Op.i32_add).set(j).br('byte');
    }),
  );
}

/** Sets local slot to (and pushes) the address of slot i of the interning table. */
function slotAt(f: Func, i: number, slot: number): Func {
  return f.get(i).i32(4).op(Op.i32_shl).i32(MEMORY.UP_TABLE).op(Op.i32_add).tee(slot);
}

/** lookup(h, s, e): the id of the interned upstream with these bytes and hash, or -1. */
function lookupFn(mod: ModuleWriter): Func {
  const f = mod.func('lookup', [T.I32, T.I32, T.I32], [T.I32]);
  const [h, s, e] = [0, 1, 2];
  const [i, slot, id, len, k, j] = f.locals(T.I32, 6);
  f.get(e).get(s).op(Op.i32_sub).set(len);
  f.get(h).i32(UP_SLOTS - 1).op(Op.i32_and).set(i);
  f.loop('probe', () => {
    slotAt(f, i, slot).mem('i32_load', 12).tee(id).op(Op.i32_eqz);
    f.if(() => f.i32(-1).op(Op.return));
    f.block('differs', () => {
      f.get(slot).mem('i32_load').get(h).op(Op.i32_ne).brIf('differs');
      f.get(slot).mem('i32_load', 8).get(len).op(Op.i32_ne).brIf('differs');
      f.get(slot).mem('i32_load', 4).set(k);
      f.i32(0).set(j);
      sameBytes(f, k, s, len, j, () => f.br('differs'));
      f.get(id).i32(1).op(Op.i32_sub).op(Op.return);
    });
    f.get(i).i32(1).op(Op.i32_add).i32(UP_SLOTS - 1).op(Op.i32_and).set(i).br('probe');
  });
  f.op(Op.unreachable);
  return f;
}

/**
 * addUpstream(s, e, h): interns the bytes [s, e) with hash h and returns their id; -1 when the
 * table or its arena is full or the key is longer than MAX_KEY_BYTES (the JavaScript path then
 * keeps counting that address).
 */
function addUpstreamFn(mod: ModuleWriter, lookup: Func): Func {
  const f = mod.func('addUpstream', [T.I32, T.I32, T.I32], [T.I32], true);
  const [s, e, h] = [0, 1, 2];
  const [id, len, used, i, slot] = f.locals(T.I32, 5);
  f.get(h).get(s).get(e).call(lookup).tee(id).i32(0).op(Op.i32_ge_s);
  f.if(() => f.get(id).op(Op.return));
  f.get(e).get(s).op(Op.i32_sub).tee(len).i32(MAX_KEY_BYTES).op(Op.i32_gt_u);
  f.i32(0).mem('i32_load', MEMORY.UP_COUNT).i32(UPSTREAMS).op(Op.i32_ge_u).op(Op.i32_or);
  f.i32(0).mem('i32_load', MEMORY.UP_USED).tee(used).get(len).op(Op.i32_add).i32(MEMORY.UP_ARENA_BYTES).op(Op.i32_gt_u).op(Op.i32_or);
  f.if(() => f.i32(-1).op(Op.return));
  // copy the key into the arena
  f.i32(0).set(i);
  f.block('copied', () =>
    f.loop('copy', () => {
      f.get(i).get(len).op(Op.i32_ge_u).brIf('copied');
      f.get(used).get(i).op(Op.i32_add).get(s).get(i).op(Op.i32_add).mem('i32_load8_u').mem('i32_store8', MEMORY.UP_ARENA);
      f.get(i).i32(1).op(Op.i32_add).set(i).br('copy');
    }),
  );
  // a free slot (the table is twice the ids, so one is always there)
  f.get(h).i32(UP_SLOTS - 1).op(Op.i32_and).set(i);
  f.loop('probe', () => {
    slotAt(f, i, slot).mem('i32_load', 12);
    f.if(() => {
      f.get(i).i32(1).op(Op.i32_add).i32(UP_SLOTS - 1).op(Op.i32_and).set(i).br('probe');
    });
  });
  f.i32(0).mem('i32_load', MEMORY.UP_COUNT).set(id);
  f.get(slot).get(h).mem('i32_store');
  f.get(slot).get(used).i32(MEMORY.UP_ARENA).op(Op.i32_add).mem('i32_store', 4);
  f.get(slot).get(len).mem('i32_store', 8);
  f.get(slot).get(id).i32(1).op(Op.i32_add).mem('i32_store', 12);
  f.i32(0).get(id).i32(1).op(Op.i32_add).mem('i32_store', MEMORY.UP_COUNT);
  f.i32(0).get(used).get(len).op(Op.i32_add).mem('i32_store', MEMORY.UP_USED);
  f.get(id);
  return f;
}

/**
 * Sets local v to the three decimal digits of [s, e), or 0 (absent, `-`, anything else), as
 * access-scanner.ts reads a status. d0-d2 are scratch locals.
 */
function threeDigits(f: Func, s: number, e: number, v: number, [d0, d1, d2]: number[]): void {
  f.i32(0).set(v);
  f.get(e).get(s).op(Op.i32_sub).i32(3).op(Op.i32_eq);
  f.if(() => {
    f.get(s).mem('i32_load8_u', 0).i32(48).op(Op.i32_sub).tee(d0).i32(9).op(Op.i32_gt_u);
    f.get(s).mem('i32_load8_u', 1).i32(48).op(Op.i32_sub).tee(d1).i32(9).op(Op.i32_gt_u).op(Op.i32_or);
    f.get(s).mem('i32_load8_u', 2).i32(48).op(Op.i32_sub).tee(d2).i32(9).op(Op.i32_gt_u).op(Op.i32_or);
    f.op(Op.i32_eqz);
    f.if(() => f.get(d0).i32(100).op(Op.i32_mul).get(d1).i32(10).op(Op.i32_mul).op(Op.i32_add).get(d2).op(Op.i32_add).set(v));
  });
}

/**
 * run(s, end, maxLine): reads the lines of [s, end) while each is an ordinary request (see the
 * top of this file) and counts them; stops at the first other line or where no whole line is
 * left. OUT holds where it stopped, how many lines it counted and their first and last second.
 */
function runFn(mod: ModuleWriter, layout: ScanLayout, slots: BulkSlots, odd: Func, lookup: Func): Func {
  const f = mod.func('run', [T.I32, T.I32, T.I32], [T.I32], true);
  const [s, end, maxLine] = [0, 1, 2];
  const [nl, le, lines, minSec, maxSec, sec, reason, a, b, st, c, k, ust, runs, cur] = f.locals(T.I32, 15);
  const scratch = f.locals(T.I32, 6);
  const vec = f.local(T.V128);
  const hashAt = hashSlots(layout);
  const stopWith = (why: Stop) => f.i32(why).set(reason).br('stop');
  // the boundaries run() reads, in locals of their own; the others are not kept
  const kept = new Map<number, number>();
  for (const slot of [slots.time, slots.status, slots.upstreamAddr, slots.upstreamStatus]) {
    if (slot >= 0) for (const i of [2 * slot, 2 * slot + 1]) if (!kept.has(i)) kept.set(i, f.local(T.I32));
  }
  if (slots.upstreamAddr >= 0) for (const i of [hashAt, hashAt + 1]) kept.set(i, f.local(T.I32));
  const bound = (slot: number, end: boolean) => f.get(kept.get(2 * slot + (end ? 1 : 0))!);
  const L = scanLocals(f, le);
  f.i32(60).set(minSec);
  f.i32(-1).set(maxSec);
  f.i32(0).mem('i32_load', MEMORY.CUR_MINUTE).set(cur);
  f.block('stop', () =>
    f.loop('line', () => {
      f.i32(Stop.Line).set(reason);
      // the line's end: none in the window leaves the rest to the caller
      findFar(f, s, end, 10, nl, vec, c);
      f.get(nl).get(end).op(Op.i32_ge_u);
      f.if(() => stopWith(Stop.End));
      // a CR before the newline is not the line's (b[nl - 1] is in memory: the window is not at 0)
      f.get(nl).set(le);
      f.get(nl).get(s).op(Op.i32_gt_u).get(nl).i32(1).op(Op.i32_sub).mem('i32_load8_u').i32(13).op(Op.i32_eq).op(Op.i32_and);
      f.if(() => f.get(nl).i32(1).op(Op.i32_sub).set(le));
      // too long, empty, or starting with a blank (which may be a blank line): not ours
      f.get(le).get(s).op(Op.i32_sub).get(maxLine).op(Op.i32_gt_u).brIf('stop');
      f.get(le).get(s).op(Op.i32_eq).brIf('stop');
      f.get(s).mem('i32_load8_u').tee(c).i32(32).op(Op.i32_eq).get(c).i32(9).op(Op.i32_eq).op(Op.i32_or);
      f.get(c).i32(13).op(Op.i32_eq).op(Op.i32_or).brIf('stop');
      f.block('scanned', () =>
        scanCode(f, layout, odd, L, s, {
          boundary: (i, v) => {
            const to = kept.get(i);
            if (to !== undefined) f.get(v).set(to);
          },
          fail: () => f.br('stop'),
          done: () => f.br('scanned'),
        }),
      );

      // the time: the minute of the last time decoded when every byte but the seconds is the same,
      // else decoded here as parseClf() decodes it; second 0-59 (a leap second is JavaScript's)
      bound(slots.time, false).set(a);
      bound(slots.time, true).set(b);
      f.get(a).mem('i32_load8_u').i32(91).op(Op.i32_eq);
      f.if(() => {
        f.get(a).i32(1).op(Op.i32_add).set(a);
        f.get(b).i32(1).op(Op.i32_sub).set(b);
      });
      f.get(b).get(a).op(Op.i32_sub).i32(26).op(Op.i32_ne).brIf('stop');
      f.block('cached', () => {
        f.block('other', () => {
          f.i32(0).mem('i32_load', MEMORY.TIME_VALID).op(Op.i32_eqz).brIf('other');
          for (const [kind, at] of TIME_WORDS) f.get(a).mem(kind, at, true).i32(0).mem(kind, MEMORY.TIME_KEY + at).op(kind === 'i64_load' ? Op.i64_ne : Op.i32_ne).brIf('other');
          f.br('cached');
        });
        clfMinute(f, a, k, scratch, () => f.br('stop'));
        // a new minute: the lines of the last one are a run of their own
        f.get(lines);
        f.if(() => {
          f.get(runs).i32(RUN_CAP - 1).op(Op.i32_ge_u);
          f.if(() => stopWith(Stop.Full));
          pushRun(f, runs, cur, lines, minSec, maxSec);
        });
        f.get(k).set(cur);
        for (const [kind, at] of TIME_WORDS) f.i32(0).get(a).mem(kind, at, true).mem(kind === 'i64_load' ? 'i64_store' : kind === 'i32_load' ? 'i32_store' : 'i32_store16', MEMORY.TIME_KEY + at);
        f.i32(0).i32(1).mem('i32_store', MEMORY.TIME_VALID);
      });
      f.get(a).mem('i32_load8_u', 18).i32(48).op(Op.i32_sub).tee(c).i32(5).op(Op.i32_gt_u).brIf('stop');
      f.get(a).mem('i32_load8_u', 19).i32(48).op(Op.i32_sub).tee(k).i32(9).op(Op.i32_gt_u).brIf('stop');
      f.get(c).i32(10).op(Op.i32_mul).get(k).op(Op.i32_add).set(sec);

      // the status, not a failure's
      if (slots.status >= 0) {
        bound(slots.status, false).set(a);
        bound(slots.status, true).set(b);
        threeDigits(f, a, b, st, scratch);
      } else f.i32(0).set(st);
      f.get(st).i32(500).op(Op.i32_ge_u).get(st).i32(499).op(Op.i32_eq).op(Op.i32_or);
      f.get(st).i32(9).op(Op.i32_eq).op(Op.i32_or).brIf('stop');

      // no failed upstream attempt: an item of $upstream_status starting with 5
      if (slots.upstreamStatus >= 0) {
        bound(slots.upstreamStatus, false).tee(a).set(k);
        bound(slots.upstreamStatus, true).set(b);
        f.block('none', () =>
          f.loop('bytes', () => {
            f.get(k).i32(2).op(Op.i32_add).get(b).op(Op.i32_ge_s).brIf('none');
            f.get(k).mem('i32_load8_u').i32(53).op(Op.i32_eq);
            f.if(() => {
              f.get(k).get(a).op(Op.i32_eq).brIf('stop');
              f.get(k).i32(1).op(Op.i32_sub).mem('i32_load8_u').i32(SPACE).op(Op.i32_eq).brIf('stop');
            });
            f.get(k).i32(1).op(Op.i32_add).set(k).br('bytes');
          }),
        );
      }

      // the upstream: no attempt (`-`), or one plain address interned here (AccessScanner.singleAttempt)
      if (slots.upstreamAddr >= 0) {
        bound(slots.upstreamAddr, false).set(a);
        bound(slots.upstreamAddr, true).set(b);
        f.get(b).get(a).op(Op.i32_sub).i32(2).op(Op.i32_lt_s);
        f.get(kept.get(hashAt + 1)!).op(Op.i32_eqz).op(Op.i32_or);
        f.if(
          () => {
            f.get(b).get(a).op(Op.i32_sub).i32(1).op(Op.i32_ne).brIf('stop');
            f.get(a).mem('i32_load8_u').i32(45).op(Op.i32_ne).brIf('stop');
          },
          () => {
            if (slots.upstreamStatus >= 0) {
              // one status (no space or comma: a list is the JavaScript path's), not 500 or more
              bound(slots.upstreamStatus, false).tee(k).set(scratch[0]);
              bound(slots.upstreamStatus, true).set(c);
              f.block('single', () =>
                f.loop('bytes', () => {
                  f.get(k).get(c).op(Op.i32_ge_s).brIf('single');
                  f.get(k).mem('i32_load8_u').tee(ust).i32(SPACE).op(Op.i32_eq).get(ust).i32(COMMA).op(Op.i32_eq).op(Op.i32_or).brIf('stop');
                  f.get(k).i32(1).op(Op.i32_add).set(k).br('bytes');
                }),
              );
              f.get(scratch[0]).set(k);
              threeDigits(f, k, c, ust, scratch);
              f.get(ust).i32(500).op(Op.i32_ge_u).brIf('stop');
            }
            f.get(kept.get(hashAt)!).get(a).get(b).call(lookup).tee(k).i32(0).op(Op.i32_lt_s);
            f.if(() => {
              f.i32(0).get(a).mem('i32_store', MEMORY.OUT + 16);
              f.i32(0).get(b).mem('i32_store', MEMORY.OUT + 20);
              f.i32(0).get(kept.get(hashAt)!).mem('i32_store', MEMORY.OUT + 24);
              stopWith(Stop.NewUpstream);
            });
            f.get(k).i32(2).op(Op.i32_shl).tee(k).get(k).mem('i32_load', MEMORY.UP_ATTEMPTS).i32(1).op(Op.i32_add).mem('i32_store', MEMORY.UP_ATTEMPTS);
          },
        );
      }

      // counted: its status, its second; on to the next line
      f.get(st).i32(2).op(Op.i32_shl).tee(k).get(k).mem('i32_load', MEMORY.STATUS).i32(1).op(Op.i32_add).mem('i32_store', MEMORY.STATUS);
      f.get(lines).i32(1).op(Op.i32_add).set(lines);
      f.get(sec).get(minSec).op(Op.i32_lt_s);
      f.if(() => f.get(sec).set(minSec));
      f.get(sec).get(maxSec).op(Op.i32_gt_s);
      f.if(() => f.get(sec).set(maxSec));
      f.get(nl).i32(1).op(Op.i32_add).set(s);
      f.br('line');
    }),
  );
  f.get(lines);
  f.if(() => pushRun(f, runs, cur, lines, minSec, maxSec));
  f.i32(0).get(s).mem('i32_store', MEMORY.OUT);
  f.i32(0).get(runs).mem('i32_store', MEMORY.OUT + 4);
  f.i32(0).get(cur).mem('i32_store', MEMORY.CUR_MINUTE);
  f.get(reason);
  return f;
}

/** The 26 bytes of a time but its seconds (18-19), as the loads that compare and copy them. */
const TIME_WORDS: ['i64_load' | 'i32_load' | 'i32_load16_u', number][] = [
  ['i64_load', 0],
  ['i64_load', 8],
  ['i32_load16_u', 16],
  ['i32_load', 20],
  ['i32_load16_u', 24],
];

/** Appends [minute, lines, first second, last second] to RUNS and starts the next run. */
function pushRun(f: Func, runs: number, cur: number, lines: number, minSec: number, maxSec: number): void {
  const at = () => f.get(runs).i32(4).op(Op.i32_shl);
  at().get(cur).mem('i32_store', MEMORY.RUNS);
  at().get(lines).mem('i32_store', MEMORY.RUNS + 4);
  at().get(minSec).mem('i32_store', MEMORY.RUNS + 8);
  at().get(maxSec).mem('i32_store', MEMORY.RUNS + 12);
  f.get(runs).i32(1).op(Op.i32_add).set(runs);
  f.i32(0).set(lines);
  f.i32(60).set(minSec);
  f.i32(-1).set(maxSec);
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/**
 * Sets local key to the minute number (epoch ms / 60000) of the 26-byte CLF time at local a,
 * `16/Nov/2024:14:15:25 +0000`, as AccessScanner's clfMinute gets it from parseClf (time.ts):
 * the same checks (a day from 1, a known month, an hour, minute and second in range; the zone
 * read only after a space, its sign and four digits), the same arithmetic as Date.UTC (days past
 * the month's end run into the next; years 0-99 are 1900-1999). Times it does not take (a year
 * outside 1970-5000, where an i32 of minutes could end) and times JavaScript would refuse go to
 * `refuse()`, and the JavaScript path decides them. s is 6 scratch locals.
 */
function clfMinute(f: Func, a: number, key: number, s: number[], refuse: () => void): void {
  const [d, mo, y, h, mi, x] = s;
  const refuseIf = () => f.if(refuse);
  /** n digits at a + at into local v (refuse otherwise) */
  const digits = (at: number, n: number, v: number) => {
    f.i32(0).set(v);
    for (let i = 0; i < n; i++) {
      f.get(a).mem('i32_load8_u', at + i).i32(48).op(Op.i32_sub).tee(x).i32(9).op(Op.i32_gt_u);
      refuseIf();
      f.get(v).i32(10).op(Op.i32_mul).get(x).op(Op.i32_add).set(v);
    }
  };
  f.get(a).mem('i32_load8_u', 2).i32(47).op(Op.i32_ne).get(a).mem('i32_load8_u', 6).i32(47).op(Op.i32_ne).op(Op.i32_or);
  refuseIf();
  digits(0, 2, d);
  digits(7, 4, y);
  digits(12, 2, h);
  digits(15, 2, mi);
  digits(18, 2, x);
  f.get(x).i32(61).op(Op.i32_ge_u).get(d).op(Op.i32_eqz).op(Op.i32_or).get(h).i32(24).op(Op.i32_ge_u).op(Op.i32_or).get(mi).i32(60).op(Op.i32_ge_u).op(Op.i32_or);
  refuseIf();
  // the month, from its three bytes
  f.get(a).mem('i32_load8_u', 3).i32(16).op(Op.i32_shl).get(a).mem('i32_load8_u', 4).i32(8).op(Op.i32_shl).op(Op.i32_or).get(a).mem('i32_load8_u', 5).op(Op.i32_or).set(x);
  f.i32(-1).set(mo);
  MONTHS.forEach((name, i) => {
    f.get(x).i32((name.charCodeAt(0) << 16) | (name.charCodeAt(1) << 8) | name.charCodeAt(2)).op(Op.i32_eq);
    f.if(() => f.i32(i + 1).set(mo));
  });
  f.get(mo).i32(0).op(Op.i32_lt_s);
  refuseIf();
  // Date.UTC: a year of two digits is 19xx
  f.get(y).i32(100).op(Op.i32_lt_u);
  f.if(() => f.get(y).i32(1900).op(Op.i32_add).set(y));
  f.get(y).i32(1970).op(Op.i32_lt_u).get(y).i32(5000).op(Op.i32_gt_u).op(Op.i32_or);
  refuseIf();
  // days from 1970-01-01 to the first of the month (H. Hinnant's days_from_civil), then the day
  f.get(mo).i32(2).op(Op.i32_le_u);
  f.if(() => f.get(y).i32(1).op(Op.i32_sub).set(y));
  // key = era * 146097 + yoe * 365 + yoe / 4 - yoe / 100 + (153 * mp + 2) / 5 - 719468 + d - 1
  f.get(y).i32(400).op(Op.i32_div_u).tee(x).i32(146097).op(Op.i32_mul);
  f.get(y).get(x).i32(400).op(Op.i32_mul).op(Op.i32_sub).tee(x).i32(365).op(Op.i32_mul).op(Op.i32_add);
  f.get(x).i32(4).op(Op.i32_div_u).op(Op.i32_add).get(x).i32(100).op(Op.i32_div_u).op(Op.i32_sub);
  f.get(mo).i32(2).op(Op.i32_gt_u);
  f.if(
    () => f.get(mo).i32(3).op(Op.i32_sub).set(x),
    () => f.get(mo).i32(9).op(Op.i32_add).set(x),
  );
  f.get(x).i32(153).op(Op.i32_mul).i32(2).op(Op.i32_add).i32(5).op(Op.i32_div_u).op(Op.i32_add);
  f.i32(719468).op(Op.i32_sub).get(d).op(Op.i32_add).i32(1).op(Op.i32_sub);
  // minutes, less the zone's offset (read only after a space, as parseClf reads it)
  f.i32(1440).op(Op.i32_mul).get(h).i32(60).op(Op.i32_mul).op(Op.i32_add).get(mi).op(Op.i32_add).set(key);
  f.get(a).mem('i32_load8_u', 20).i32(32).op(Op.i32_eq);
  f.if(() => {
    digits(22, 2, h);
    digits(24, 2, mi);
    f.get(h).i32(60).op(Op.i32_mul).get(mi).op(Op.i32_add).set(x);
    f.get(a).mem('i32_load8_u', 21).set(d);
    f.get(d).i32(43).op(Op.i32_eq);
    f.if(
      () => f.get(key).get(x).op(Op.i32_sub).set(key),
      () => {
        f.get(d).i32(45).op(Op.i32_ne);
        refuseIf();
        f.get(key).get(x).op(Op.i32_add).set(key);
      },
    );
  });
}

