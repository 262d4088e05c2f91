import { find, findFar, sameBytes } from './bulk-compiler';
import { Func, ModuleWriter, Op, T } from './wasm/module';
import { modulePages } from './wasm/window';

/**
 * A WebAssembly module that counts the quiet lines of an nginx or Apache error log in runs: lines
 * that start an entry the parser accepts (nginxHeadParses, apacheHeadParses) and that hold none
 * of the literals the diagnosis looks for (diagnose/prefilter.ts), each followed by the head of
 * the next entry, so that the entry is that one line. Those are the lines the reader counts as
 * parsed without decoding them (analyze/read-file.ts, `quiet`); the module only takes the
 * reader's per-line work off them: the newline search, the head test and the literal search, in
 * one call for a run of lines instead of several calls per line. Any other line stops the run
 * and goes the JavaScript way, which stays the one place where an entry is parsed, continued or
 * skipped. Where the module cannot tell (an Apache time in ISO form), it stops too.
 *
 * Why: most lines of a busy error log are such lines (404s, access rules, keep-alive and TLS
 * chatter), and their per-line calls were most of what the reader spent on them.
 *
 * nginx: a line with a literal may still be counted here when it is evidence of a prefix row
 * (SignatureMatcher.prefixRows: `an upstream response is buffered to a temporary file`, one-line
 * FastCGI stderr), which known() tells from the bytes; run() counts it by row in KNOWN and the
 * reader hands those counts to the sink (KnownLines.count). The buffered-response warning was a
 * fifth of the bench's nginx error log, each decoded, parsed and matched for a count.
 *
 * The literal search is the Wu-Manber search of LiteralScanner, over the same tables (copied in by
 * quiet-scanner.ts): a result identical to LiteralScanner.test's by construction, and checked by
 * test/fuzz/quiet-lines.test.ts. Only numbers and table bytes reach the module; no log text
 * becomes code.
 */

/** Memory layout (byte addresses). */
export const QUIET_MEMORY = {
  /** run()'s results: [where it stopped, lines counted] as i32 */
  OUT: 0,
  /** the length of the search window: the shortest literal, i32 */
  M: 16,
  /** the competitors' search (known()): its window's length, i32; 0: no literal to search */
  M2: 20,
  /** known(): the number of prefix rows, i32 */
  ROWS: 24,
  /** known(): by row k from 1, [prefix address, prefix length] as i32 */
  PREFIX: 64,
  /** by row k from 1: the lines of that row run() counted since it was zeroed, i32 */
  KNOWN: 256,
  /** at most this many prefix rows (k from 1; bit k of a competitor's rows) */
  ROWS_CAP: 15,
  /** 64 Ki × u8: how far the search window may move, by the byte pair ending it (little-endian: b[i - 1] | b[i] << 8) */
  SHIFT: 65536,
  /** 64 Ki × u16: 1 + the first LIST entry of the literals whose first M bytes end with that pair; 0: none */
  ENDS: 131072,
  /** LIST_CAP × [literal address, literal length, 1 + next entry (0: none), tag] as i32; tag: unused */
  LIST: 262144,
  LIST_CAP: 256,
  /** the literals' bytes */
  LITS: 266240,
  LITS_BYTES: 61440,
  /** the competitors' search, laid out as the one above (from SHIFT2); LIST2's tag: the rows bits */
  SHIFT2: 327680,
  ENDS2: 393216,
  LIST2: 524288,
  /** the competitors' literals and the prefixes */
  LITS2: 528384,
  /** the input window */
  WINDOW: 589824,
  WINDOW_BYTES: 1280 * 1024,
} as const;

/** Where the tables of one literal search are (the same layout for both searches). */
export interface SearchLayout {
  M: number;
  SHIFT: number;
  ENDS: number;
  LIST: number;
  LITS: number;
}
export const QUIET_SEARCH: SearchLayout = QUIET_MEMORY;
export const COMPETITOR_SEARCH: SearchLayout = {
  M: QUIET_MEMORY.M2,
  SHIFT: QUIET_MEMORY.SHIFT2,
  ENDS: QUIET_MEMORY.ENDS2,
  LIST: QUIET_MEMORY.LIST2,
  LITS: QUIET_MEMORY.LITS2,
};

/** The window, then the read buffers (wasm/window.ts), whose gap after the window is its pad. */
const PAGES = modulePages(QUIET_MEMORY.WINDOW + QUIET_MEMORY.WINDOW_BYTES);

/** What run() returns. */
export const enum QuietStop {
  /** no whole line left in the window after the position at OUT[0] */
  End = 0,
  /** the line at OUT[0] is the JavaScript path's */
  Line = 1,
}

/** The error logs that have a quiet-line module. */
export type QuietKind = 'nginx-error' | 'apache-error';

/**
 * The quiet-line module of an error log kind (its code does not depend on the literals: they
 * are data). Its exports: run, and for the tests head, parses and matters.
 */
export function compileQuietModule(kind: QuietKind): Uint8Array {
  const mod = new ModuleWriter(PAGES);
  const same = sameFn(mod);
  const matters = searchFn(mod, 'matters', QUIET_SEARCH, same, true);
  const nginx = kind === 'nginx-error';
  const head = nginx ? nginxHeadFn(mod) : apacheHeadFn(mod);
  const parses = nginx ? nginxParsesFn(mod) : apacheParsesFn(mod);
  const known = nginx ? nginxKnownFn(mod, same, searchFn(mod, 'competes', COMPETITOR_SEARCH, same, false)) : null;
  // the reader's stampBytes: bytes of a line before any literal can stand
  runFn(mod, head, parses, matters, known, nginx ? NGINX_STAMP : 1);
  return mod.bytes();
}

/** same(a, b, n): are the n bytes at a those at b? */
function sameFn(mod: ModuleWriter): Func {
  const f = mod.func('same', [T.I32, T.I32, T.I32], [T.I32]);
  const [a, b, n] = [0, 1, 2];
  sameBytes(f, a, b, n, f.local(T.I32), () => f.i32(0).op(Op.return));
  f.i32(1);
  return f;
}

/**
 * A literal search over one SearchLayout's tables, LiteralScanner.walk's: a window of M bytes
 * slides; the pair ending it says how far it may jump; where it may not, the literals whose first
 * M bytes end with that pair are compared. Needs M >= 2 (the pair is then the window's).
 * `any`: (s, e) → 1 at the first literal standing whole in [s, e), else 0 (matters). Otherwise
 * (s, e) → the OR of the tags of every literal standing in [s, e) (competes).
 */
function searchFn(mod: ModuleWriter, name: string, L: SearchLayout, same: Func, any: boolean): Func {
  const f = mod.func(name, [T.I32, T.I32], [T.I32], true);
  const [s, e] = [0, 1];
  const [m, i, pair, sh, k, at, ent, len, tags] = f.locals(T.I32, 9);
  f.i32(0).mem('i32_load', L.M).tee(m).get(s).op(Op.i32_add).i32(1).op(Op.i32_sub).set(i);
  f.block('none', () =>
    f.loop('walk', () => {
      f.get(i).get(e).op(Op.i32_ge_s).brIf('none');
      f.get(i).i32(1).op(Op.i32_sub).mem('i32_load16_u', 0, true).tee(pair).mem('i32_load8_u', L.SHIFT).tee(sh);
      f.if(() => {
        f.get(i).get(sh).op(Op.i32_add).set(i).br('walk');
      });
      f.get(pair).i32(1).op(Op.i32_shl).mem('i32_load16_u', L.ENDS).set(k);
      f.get(i).get(m).op(Op.i32_sub).i32(1).op(Op.i32_add).set(at);
      f.block('tried', () =>
        f.loop('candidate', () => {
          f.get(k).op(Op.i32_eqz).brIf('tried');
          f.get(k).i32(4).op(Op.i32_shl).i32(L.LIST - 16).op(Op.i32_add).set(ent);
          f.get(ent).mem('i32_load', 4).set(len);
          f.get(at).get(len).op(Op.i32_add).get(e).op(Op.i32_le_s);
          f.if(() => {
            f.get(at).get(ent).mem('i32_load').get(len).call(same);
            f.if(() => (any ? f.i32(1).op(Op.return) : f.get(tags).get(ent).mem('i32_load', 12).op(Op.i32_or).set(tags)));
          });
          f.get(ent).mem('i32_load', 8).set(k).br('candidate');
        }),
      );
      f.get(i).i32(1).op(Op.i32_add).set(i).br('walk');
    }),
  );
  f.get(tags);
  return f;
}

/**
 * known(s, e), for a line head() and parses() hold and whose literal search found something: the
 * prefix row (from 1) that match() gives the entry this line is alone, or 0 for the JavaScript
 * path. parseNginxError's message starts after `] `, `PID#TID: ` (first `#`, first `: `, within
 * 24 bytes) and `*CID ` (1-15 digits); only that exact shape is read here (digits where the
 * parser would take anything), anything else is 0. All of it is ASCII, so byte and character
 * positions agree. The row is the one whose prefix the message starts with (no prefix holds a
 * comma, so the `, client: ` cut cannot fall inside it), when no literal of a row match() tries
 * before it stands in the message (SignatureMatcher.prefixRows), searched up to the cut: the
 * request line and the rest of the context after it are the client's to write.
 */
function nginxKnownFn(mod: ModuleWriter, same: Func, competes: Func): Func {
  const f = mod.func('known', [T.I32, T.I32], [T.I32], true);
  const [s, e] = [0, 1];
  const [i, p, j, k, a, len, q, m] = f.locals(T.I32, 8);
  const v = f.local(T.V128);
  const M = QUIET_MEMORY;
  const zero = () => f.if(() => f.i32(0).op(Op.return));
  const byteAt = (at: number, c: number) => f.get(at).mem('i32_load8_u').i32(c).op(Op.i32_eq);
  /** j past the digits from j on (not past e); then 0 unless there were from 1 to max of them */
  const digits = (max: number) => {
    f.get(j).set(a);
    f.block('end', () =>
      f.loop('digit', () => {
        f.get(j).get(e).op(Op.i32_ge_s).brIf('end');
        f.get(j).mem('i32_load8_u').i32(48).op(Op.i32_sub).i32(9).op(Op.i32_gt_u).brIf('end');
        f.get(j).i32(1).op(Op.i32_add).set(j).br('digit');
      }),
    );
    f.get(j).get(a).op(Op.i32_eq).get(j).get(a).op(Op.i32_sub).i32(max).op(Op.i32_gt_s).op(Op.i32_or);
    zero();
  };
  /** digits(max), then 0 unless byte c stands at j (before e) */
  const digitsThen = (max: number, c: number) => {
    digits(max);
    f.get(j).get(e).op(Op.i32_ge_s);
    zero();
    byteAt(j, c).op(Op.i32_eqz);
    zero();
  };
  // the `] ` parses() found from byte 21 on, within 30
  f.get(s).i32(21).op(Op.i32_add).set(i);
  f.block('closed', () =>
    f.loop('level', () => {
      f.get(i).get(s).op(Op.i32_sub).i32(30).op(Op.i32_gt_s).get(i).i32(1).op(Op.i32_add).get(e).op(Op.i32_ge_s).op(Op.i32_or);
      zero();
      byteAt(i, 93);
      f.get(i).mem('i32_load8_u', 1).i32(32).op(Op.i32_eq).op(Op.i32_and).brIf('closed');
      f.get(i).i32(1).op(Op.i32_add).set(i).br('level');
    }),
  );
  // PID#TID:
  f.get(i).i32(2).op(Op.i32_add).tee(p).set(j);
  digitsThen(24, 35);
  f.get(j).i32(1).op(Op.i32_add).set(j);
  digits(24);
  f.get(j).i32(1).op(Op.i32_add).get(e).op(Op.i32_ge_s);
  zero();
  byteAt(j, 58);
  f.get(j).mem('i32_load8_u', 1).i32(32).op(Op.i32_eq).op(Op.i32_and).op(Op.i32_eqz);
  zero();
  f.get(j).get(p).op(Op.i32_sub).i32(24).op(Op.i32_ge_s);
  zero();
  f.get(j).i32(2).op(Op.i32_add).set(p);
  // *CID
  f.get(p).get(e).op(Op.i32_lt_s);
  f.if(() => {
    byteAt(p, 42);
    f.if(() => {
      f.get(p).i32(1).op(Op.i32_add).set(j);
      digitsThen(15, 32);
      f.get(j).i32(1).op(Op.i32_add).set(p);
    });
  });
  // the row whose prefix the message starts with
  f.i32(1).set(k);
  f.block('row', () =>
    f.loop('rows', () => {
      f.get(k).i32(0).mem('i32_load', M.ROWS).op(Op.i32_gt_s);
      zero();
      f.get(k).i32(3).op(Op.i32_shl).mem('i32_load', M.PREFIX).set(a);
      f.get(k).i32(3).op(Op.i32_shl).mem('i32_load', M.PREFIX + 4).tee(len).get(p).op(Op.i32_add).get(e).op(Op.i32_le_s);
      f.if(() => {
        f.get(p).get(a).get(len).call(same).brIf('row');
      });
      f.get(k).i32(1).op(Op.i32_add).set(k).br('rows');
    }),
  );
  f.i32(0).mem('i32_load', M.M2);
  f.if(() => {
    // the message: from p to the first `, client: ` (the parser's cut; without one, to the line's
    // end, which holds more than the message when it is cut at `, resolver: `)
    f.get(p).get(len).op(Op.i32_add).set(j);
    f.block('cut', () =>
      f.loop('comma', () => {
        find(f, j, e, COMMA, q, v, m);
        f.get(q).i32(CLIENT_KEY.length).op(Op.i32_add).get(e).op(Op.i32_gt_s).brIf('cut');
        f.get(q).mem('i64_load', 0, true).i64(CLIENT_KEY.readBigInt64LE(0)).op(Op.i64_ne);
        f.get(q).mem('i32_load16_u', 8, true).i32(CLIENT_KEY.readUInt16LE(8)).op(Op.i32_ne).op(Op.i32_or);
        f.op(Op.i32_eqz);
        f.if(() => f.get(q).set(e).br('cut'));
        f.get(q).i32(1).op(Op.i32_add).set(j).br('comma');
      }),
    );
    f.get(p).get(e).call(competes).i32(1).get(k).op(Op.i32_shl).op(Op.i32_and);
    zero();
  });
  f.get(k);
  return f;
}

const COMMA = 44;
/** Where parseNginxError ends a message (messageEnd): 10 bytes, read as 8 and 2. */
const CLIENT_KEY = Buffer.from(', client: ');

/** The bytes of an nginx error line before any literal can stand (the reader's stampBytes). */
const NGINX_STAMP = 20;

/** head(s, e): isNginxErrorHead: `YYYY/MM/DD HH:MM:SS [` with four digits for the year, 24 bytes or more. */
function nginxHeadFn(mod: ModuleWriter): Func {
  const f = mod.func('head', [T.I32, T.I32], [T.I32], true);
  const [s, e] = [0, 1];
  const x = f.local(T.I32);
  f.get(e).get(s).op(Op.i32_sub).i32(24).op(Op.i32_lt_s);
  f.if(() => f.i32(0).op(Op.return));
  const at = (k: number, c: number) => f.get(s).mem('i32_load8_u', k).i32(c).op(Op.i32_ne);
  at(4, 47);
  at(7, 47).op(Op.i32_or);
  at(10, 32).op(Op.i32_or);
  at(13, 58).op(Op.i32_or);
  at(19, 32).op(Op.i32_or);
  at(20, 91).op(Op.i32_or);
  for (let k = 0; k < 4; k++) f.get(s).mem('i32_load8_u', k).i32(48).op(Op.i32_sub).tee(x).i32(9).op(Op.i32_gt_u).op(Op.i32_or);
  f.op(Op.i32_eqz);
  return f;
}

/**
 * parses(s, e), for a line head() holds: nginxHeadParses. The month 1-12, the day 1-31, the hour,
 * minute and second in range (nginxErrorFields), the byte before the seconds ASCII, and `] `
 * closing the level from byte 21 to 30 with no byte of 0x80 or more before it.
 */
function nginxParsesFn(mod: ModuleWriter): Func {
  const f = mod.func('parses', [T.I32, T.I32], [T.I32], true);
  const [s, e] = [0, 1];
  const [v, x, i, c] = f.locals(T.I32, 4);
  const fail = () => f.if(() => f.i32(0).op(Op.return));
  /** v = the two digits at s + k (else fail), then fail unless lo <= v <= hi */
  const field = (k: number, lo: number, hi: number) => {
    f.get(s).mem('i32_load8_u', k).i32(48).op(Op.i32_sub).tee(v).i32(9).op(Op.i32_gt_u);
    f.get(s).mem('i32_load8_u', k + 1).i32(48).op(Op.i32_sub).tee(x).i32(9).op(Op.i32_gt_u).op(Op.i32_or);
    fail();
    f.get(v).i32(10).op(Op.i32_mul).get(x).op(Op.i32_add).tee(v).i32(lo).op(Op.i32_lt_u);
    f.get(v).i32(hi).op(Op.i32_gt_u).op(Op.i32_or);
    fail();
  };
  field(5, 1, 12);
  field(8, 1, 31);
  field(11, 0, 23);
  field(14, 0, 59);
  field(17, 0, 60);
  f.get(s).mem('i32_load8_u', 16).i32(0x80).op(Op.i32_ge_u);
  fail();
  f.get(s).i32(21).op(Op.i32_add).set(i);
  untilClose(f, { i, c, e, base: s, max: 30, space: true }, () => f.i32(1).op(Op.return));
  f.i32(0);
  return f;
}

/** head(s, e): isApacheErrorHead: `[Www Mmm ` or `[YYYY-MM-DD `, 28 bytes or more. */
function apacheHeadFn(mod: ModuleWriter): Func {
  const f = mod.func('head', [T.I32, T.I32], [T.I32], true);
  const [s, e] = [0, 1];
  const at = (k: number, c: number) => f.get(s).mem('i32_load8_u', k).i32(c).op(Op.i32_eq);
  f.get(e).get(s).op(Op.i32_sub).i32(28).op(Op.i32_lt_s);
  f.if(() => f.i32(0).op(Op.return));
  at(0, 91).op(Op.i32_eqz);
  f.if(() => f.i32(0).op(Op.return));
  at(4, 32);
  at(8, 32).op(Op.i32_and);
  at(5, 45);
  at(8, 45).op(Op.i32_and);
  at(11, 32).op(Op.i32_and);
  f.op(Op.i32_or);
  return f;
}

const WEEKDAYS = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
/** The three bytes of a name as parse/time.ts keys them: b0 << 16 | b1 << 8 | b2. */
const key3 = (n: string): number => (n.charCodeAt(0) << 16) | (n.charCodeAt(1) << 8) | n.charCodeAt(2);

/**
 * parses(s, e), for a line head() holds: apacheHeadParses, for the 2.4 and 2.2 layouts
 * (`[Sat Nov 16 14:15:25.123456 2024] [module:level] …`). `] ` closing the time within 40 bytes
 * with no byte of 0x80 or more before it; a weekday, then the time as apacheErrorFields reads it
 * (a month name, a day of two digits or a space and one, hour, minute and second in range, digits
 * after a `.` skipped, a four-digit year); then `[` and a `]` within 40 bytes, all ASCII before it.
 * An ISO time (`[2025-07-22 …`) returns 0: the caller leaves the line to JavaScript, which reads it.
 */
function apacheParsesFn(mod: ModuleWriter): Func {
  const f = mod.func('parses', [T.I32, T.I32], [T.I32], true);
  const [s, e] = [0, 1];
  const [i, c, t, te, v, x, w, d] = f.locals(T.I32, 8);
  const fail = () => f.if(() => f.i32(0).op(Op.return));
  // the `] ` closing the time: te
  f.get(s).set(i);
  f.block('closed', () => {
    untilClose(f, { i, c, e, base: s, max: 40, space: true }, () => f.get(i).set(te).br('closed'));
    f.i32(0).op(Op.return);
  });
  f.get(s).i32(1).op(Op.i32_add).set(t);
  /** the three bytes at t + k as key3() reads a name */
  const name = (k: number) => {
    f.get(t).mem('i32_load8_u', k).i32(16).op(Op.i32_shl);
    f.get(t).mem('i32_load8_u', k + 1).i32(8).op(Op.i32_shl).op(Op.i32_or);
    f.get(t).mem('i32_load8_u', k + 2).op(Op.i32_or).set(w);
  };
  /** 1 on the stack when local w is one of the names */
  const oneOf = (names: string[]) => {
    names.forEach((n, k) => {
      f.get(w).i32(key3(n)).op(Op.i32_eq);
      if (k > 0) f.op(Op.i32_or);
    });
  };
  // weekdayAt: a weekday and a space (anything else is an ISO time or no time: JavaScript's)
  f.get(t).mem('i32_load8_u', 3).i32(32).op(Op.i32_ne);
  fail();
  name(0);
  oneOf(WEEKDAYS);
  f.op(Op.i32_eqz);
  fail();
  // apacheErrorFields over [t, te)
  f.get(te).get(t).op(Op.i32_sub).i32(24).op(Op.i32_lt_s);
  fail();
  name(4);
  oneOf(MONTHS);
  f.op(Op.i32_eqz);
  fail();
  /** 1 on the stack when the byte at local `at` + k is not a digit; its value in local x */
  const notDigit = (at: number, k: number) => f.get(at).mem('i32_load8_u', k).i32(48).op(Op.i32_sub).tee(x).i32(9).op(Op.i32_gt_u);
  /** v = the two digits at t + k, else fail; then fail unless v <= hi */
  const two = (k: number, hi: number) => {
    notDigit(t, k);
    fail();
    f.get(x).i32(10).op(Op.i32_mul).set(v);
    notDigit(t, k + 1);
    fail();
    f.get(v).get(x).op(Op.i32_add).i32(hi).op(Op.i32_gt_u);
    fail();
  };
  // the day: two digits, else a space and one (digits(t + 8, 2) >= 0 ? it : digits(t + 9, 1)), from 1
  notDigit(t, 8);
  f.get(x).set(d);
  notDigit(t, 9).op(Op.i32_or);
  f.if(
    () => {
      notDigit(t, 9);
      fail();
      f.get(x).set(d);
    },
    () => f.get(d).i32(10).op(Op.i32_mul).get(x).op(Op.i32_add).set(d),
  );
  f.get(d).op(Op.i32_eqz);
  fail();
  two(11, 23);
  two(14, 59);
  two(17, 60);
  // digits after a `.` are skipped; the year's four digits follow one byte later
  f.get(t).i32(19).op(Op.i32_add).set(i);
  f.get(i).mem('i32_load8_u').i32(46).op(Op.i32_eq);
  f.if(() => {
    f.get(i).i32(1).op(Op.i32_add).set(i);
    f.block('digits', () =>
      f.loop('fraction', () => {
        f.get(i).get(te).op(Op.i32_ge_s).brIf('digits');
        notDigit(i, 0).brIf('digits');
        f.get(i).i32(1).op(Op.i32_add).set(i).br('fraction');
      }),
    );
  });
  // unlike apacheErrorFields, no bound against te: a year read over the bracket meets the `]`,
  // or past it the `[` required two bytes after it (below), so such a head fails either way
  notDigit(i, 1);
  notDigit(i, 2).op(Op.i32_or);
  notDigit(i, 3).op(Op.i32_or);
  notDigit(i, 4).op(Op.i32_or);
  fail();
  // `[module:level]`: a `[` after the `] `, closed within 40 bytes, all ASCII before the close
  f.get(te).i32(2).op(Op.i32_add).tee(i).get(e).op(Op.i32_ge_s);
  fail();
  f.get(i).mem('i32_load8_u').i32(91).op(Op.i32_ne);
  fail();
  f.get(i).set(t);
  untilClose(f, { i, c, e, base: t, max: 40, space: false }, () => f.i32(1).op(Op.return));
  f.i32(0);
  return f;
}

interface CloseLocals {
  /** the position, from its value on */
  i: number;
  /** scratch */
  c: number;
  /** the line's end */
  e: number;
  /** where the bound `max` counts from */
  base: number;
  max: number;
  /** a space must follow the `]` (then the `]` must stand before e - 1) */
  space: boolean;
}

/**
 * The parsers' search for the `]` closing a bracket: local i walks while it is before the line's
 * end and at most `max` past base; a byte of 0x80 or more on the way returns 0 from the function
 * (characters and bytes would no longer line up); at the `]`, found() runs (it must branch away).
 * Falls through when the bounds end the walk.
 */
function untilClose(f: Func, L: CloseLocals, found: () => void): void {
  const { i, c, e, base, max, space } = L;
  f.block('out', () =>
    f.loop('walk', () => {
      f.get(i).get(e);
      if (space) f.i32(1).op(Op.i32_sub);
      f.op(Op.i32_ge_s).brIf('out');
      f.get(i).get(base).op(Op.i32_sub).i32(max).op(Op.i32_gt_s).brIf('out');
      f.get(i).mem('i32_load8_u').tee(c).i32(0x80).op(Op.i32_ge_u);
      f.if(() => f.i32(0).op(Op.return));
      f.get(c).i32(93).op(Op.i32_eq);
      if (space) f.get(i).mem('i32_load8_u', 1).i32(32).op(Op.i32_eq).op(Op.i32_and);
      f.if(found);
      f.get(i).i32(1).op(Op.i32_add).set(i).br('walk');
    }),
  );
}

/**
 * run(s, end, maxLine): counts the quiet lines (and those known() names a row for, by row in
 * KNOWN) of [s, end) from s on, while each is one and the line after it starts an entry; stops
 * at the first other line (or the quiet line before it, when that one is not followed by a head),
 * or where no whole line is left. OUT holds where it stopped and the lines counted.
 */
function runFn(mod: ModuleWriter, head: Func, parses: Func, matters: Func, known: Func | null, stamp: number): Func {
  const f = mod.func('run', [T.I32, T.I32, T.I32], [T.I32], true);
  const [s, end, maxLine] = [0, 1, 2];
  const [nl, le, count, held, isHead, reason, m, row] = f.locals(T.I32, 8);
  const v = f.local(T.V128);
  // held: the quiet line waiting for the next line to be a head, or -1; row: its prefix row, or 0
  f.i32(-1).set(held);
  f.block('stop', () =>
    f.loop('line', () => {
      f.i32(QuietStop.Line).set(reason);
      findFar(f, s, end, 10, nl, v, m);
      f.get(nl).get(end).op(Op.i32_ge_u);
      f.if(() => f.i32(QuietStop.End).set(reason).br('stop'));
      // a CR before the newline is not the line's (b[nl - 1] is in memory: the window is not at 0)
      f.get(nl).set(le);
      f.get(nl).get(s).op(Op.i32_gt_u).get(nl).i32(1).op(Op.i32_sub).mem('i32_load8_u').i32(13).op(Op.i32_eq).op(Op.i32_and);
      f.if(() => f.get(nl).i32(1).op(Op.i32_sub).set(le));
      f.i32(0).set(isHead);
      f.get(le).get(s).op(Op.i32_sub).get(maxLine).op(Op.i32_le_u);
      f.if(() => f.get(s).get(le).call(head).set(isHead));
      // the held line is an entry of its own when this one starts the next
      f.get(held).i32(0).op(Op.i32_ge_s);
      f.if(() => {
        f.get(isHead).op(Op.i32_eqz).brIf('stop');
        f.get(count).i32(1).op(Op.i32_add).set(count);
        f.get(row);
        f.if(() => {
          f.get(row).i32(2).op(Op.i32_shl).tee(row).get(row).mem('i32_load', QUIET_MEMORY.KNOWN).i32(1).op(Op.i32_add).mem('i32_store', QUIET_MEMORY.KNOWN);
        });
        f.i32(-1).set(held);
      });
      f.get(isHead).op(Op.i32_eqz).brIf('stop');
      f.get(s).get(le).call(parses).op(Op.i32_eqz).brIf('stop');
      f.i32(0).set(row);
      f.get(s).i32(stamp).op(Op.i32_add).get(le).call(matters);
      if (known === null) f.brIf('stop');
      else f.if(() => f.get(s).get(le).call(known).tee(row).op(Op.i32_eqz).brIf('stop'));
      f.get(s).set(held);
      f.get(nl).i32(1).op(Op.i32_add).set(s);
      f.br('line');
    }),
  );
  // a held line goes back to the caller with everything after it
  f.get(held).i32(0).op(Op.i32_ge_s);
  f.if(() => f.get(held).set(s));
  f.i32(0).get(s).mem('i32_store', QUIET_MEMORY.OUT);
  f.i32(0).get(count).mem('i32_store', QUIET_MEMORY.OUT + 4);
  f.get(reason);
  return f;
}
