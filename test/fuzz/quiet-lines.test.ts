import * as fc from 'fast-check';
import { LogKind, Signature } from '../../src/model';
import { errorLineFilter, knownLines } from '../../src/diagnose/prefilter';
import { SignatureMatcher } from '../../src/diagnose/matcher';
import { SIGNATURES } from '../../src/diagnose/signatures';
import { isNginxErrorHead, nginxHeadParses, parseNginxError } from '../../src/parse/nginx-error';
import { apacheHeadParses, isApacheErrorHead } from '../../src/parse/apache-error';
import { QUIET_MEMORY } from '../../src/parse/quiet-compiler';
import { quietInstance } from '../../src/parse/quiet-scanner';
import { ZoneClock } from '../../src/parse/time';
import { FUZZ_TIMEOUT, fuzzParams, hostileBytes, mutatedFrom } from '../helpers/fuzz';
import { linePool } from '../helpers/real-lines';

/**
 * The quiet-line module's decisions (src/parse/quiet-compiler.ts), one by one, against the
 * JavaScript they stand for, on real lines mutated, real lines with a literal or a piece of one
 * spliced in, and hostile bytes: matters() is LiteralScanner.test(), head() is the kind's head
 * test, and parses() is its nginxHeadParses / apacheHeadParses (for Apache, an ISO time is the
 * one case it leaves to JavaScript). known() names a prefix row only for a line that
 * parseNginxError and match() give that row.
 */

const clock = new ZoneClock('UTC');
const matcher = new SignatureMatcher();
const pool = linePool('nginx-error', 'apache-error', 'php-fpm');
const literal = fc.constantFrom(...SIGNATURES.map((s) => s.literal), 'upstream', 'FastCGI', 'proxy');
const line = fc.oneof(
  mutatedFrom(pool),
  fc.tuple(mutatedFrom(pool), literal, fc.nat(), fc.nat(), fc.boolean()).map(([b, lit, at, cut, whole]) => {
    const piece = whole ? lit : lit.slice(0, cut % (lit.length + 1));
    const i = b.length === 0 ? 0 : at % (b.length + 1);
    return Buffer.concat([b.subarray(0, i), Buffer.from(piece), b.subarray(i)]);
  }),
  hostileBytes(120),
);

/** Two digits, mostly in range, any of 00-99 at times, or a byte that is not a digit. */
const two = (lo: number, hi: number) =>
  fc.oneof(
    { weight: 4, arbitrary: fc.integer({ min: lo, max: hi }) },
    { weight: 2, arbitrary: fc.constantFrom(lo - 1, lo, hi, hi + 1) },
    { weight: 1, arbitrary: fc.integer({ min: 0, max: 99 }) },
  ).map((n) => String(Math.max(0, n)).padStart(2, '0'));
const sep = fc.constantFrom(' ', ' ', ' ', ':', '/', '-', '.', '0', 'x');
/** Heads built field by field, at and past the edges of every field the parsers check. */
const heads = fc.oneof(
  fc
    .record({
      y: fc.integer({ min: 0, max: 9999 }),
      mo: two(1, 12),
      d: two(1, 31),
      h: two(0, 23),
      mi: two(0, 59),
      s: two(0, 60),
      c: sep,
      // the level's `] ` may end at byte 30, not 31
      level: fc.constantFrom('error', 'emergency', 'emergencyx', 'emergencyxy', ''),
      rest: fc.constantFrom(' 1#1: *1 open() failed', ' x', '', ' '),
    })
    .chain((t) =>
      fc.constantFrom(`${String(t.y).padStart(4, '0')}/${t.mo}/${t.d} ${t.h}:${t.mi}${t.c}${t.s} [${t.level}]${t.rest}`, `${t.y}/${t.mo}/${t.d} ${t.h}:${t.mi}:${t.s} [error] x`),
    ),
  fc
    .record({
      wd: fc.constantFrom('Mon', 'Sun', 'Sat', 'Xyz', 'mon'),
      mon: fc.constantFrom('Jan', 'Dec', 'Nov', 'Nox', 'DEC'),
      d: fc.oneof(two(1, 31), fc.integer({ min: 0, max: 9 }).map((n) => ` ${n}`), fc.constant('x1')),
      h: two(0, 23),
      mi: two(0, 59),
      s: two(0, 60),
      // the time's `] ` may end at byte 40, not 41
      frac: fc.constantFrom('', '.123456', '.1', '.', '.12a4', '.12345678901234', '.123456789012345'),
      y: fc.constantFrom('2024', '0000', '9999', '202', '2O24', '20245'),
      c: sep,
      mod: fc.constantFrom('[core:info]', '[proxy:error]', `[${'m'.repeat(40)}]`, `[${'m'.repeat(39)}]`, '[co\u00e9]', 'core', '[core:info'),
      rest: fc.constantFrom(' [pid 1:tid 2] AH00128: File does not exist', ''),
    })
    .map((t) => `[${t.wd} ${t.mon} ${t.d} ${t.h}:${t.mi}${t.c}${t.s}${t.frac} ${t.y}] ${t.mod}${t.rest}`),
).map((t) => Buffer.from(t, 'utf8'));

const KINDS = [
  { kind: 'nginx-error' as LogKind, head: isNginxErrorHead, parses: nginxHeadParses },
  { kind: 'apache-error' as LogKind, head: isApacheErrorHead, parses: apacheHeadParses },
];

/** The line copied into the module's window at `at`, among other bytes, as a chunk puts it there. */
function place(mem: Buffer, b: Buffer, at: number, around: number): number {
  const base = QUIET_MEMORY.WINDOW + at;
  mem.fill(around, QUIET_MEMORY.WINDOW, base + b.length + 64);
  b.copy(mem, base);
  return base;
}

describe('quiet-line module (fuzz)', () => {
  test.each(KINDS.map((k) => [k.kind, k] as const))(
    '%s: matters() finds a literal exactly where the prefilter does, over any range of a line',
    (kind) => {
      const f = errorLineFilter(matcher, kind, null)!;
      const x = quietInstance(kind, f.scanner!.tables())!;
      const mem = Buffer.from(x.memory.buffer);
      let hits = 0;
      fc.assert(
        fc.property(line, fc.nat(), fc.nat(), fc.integer({ min: 0, max: 40 }), fc.constantFrom(0x20, 0x65, 0x70), (b, from, to, at, around) => {
          const s = b.length === 0 ? 0 : from % (b.length + 1);
          const e = s + (b.length - s === 0 ? 0 : to % (b.length - s + 1));
          const base = place(mem, b, at, around);
          const want = f.mayMatter(b, s, e);
          if (want) hits++;
          expect(x.matters(base + s, base + e) === 1).toBe(want);
        }),
        fuzzParams(3000, 200000),
      );
      // the literals are found, not only missed
      expect(hits).toBeGreaterThan(50);
    },
    FUZZ_TIMEOUT,
  );

  test.each(KINDS.map((k) => [k.kind, k] as const))(
    "%s: head() and parses() decide as the reader's head test and the parser's byte test",
    (kind, k) => {
      const f = errorLineFilter(matcher, kind, null)!;
      const x = quietInstance(kind, f.scanner!.tables())!;
      const mem = Buffer.from(x.memory.buffer);
      let parsed = 0;
      fc.assert(
        fc.property(fc.oneof(line, heads), fc.integer({ min: 1, max: 40 }), fc.constantFrom(0x20, 0x5d), (b, at, around) => {
          const base = place(mem, b, at, around);
          const head = k.head(b, 0, b.length);
          expect(x.head(base, base + b.length) === 1).toBe(head);
          if (!head) return;
          const mod = x.parses(base, base + b.length) === 1;
          const js = k.parses(b, 0, b.length, clock);
          // Apache's ISO times (`[2025-07-22 …`) are JavaScript's: the module refuses them
          const iso = kind === 'apache-error' && b[5] === 45;
          if (mod || !iso) expect(mod).toBe(js);
          if (mod) parsed++;
        }),
        fuzzParams(3000, 200000),
      );
      expect(parsed).toBeGreaterThan(50);
    },
    FUZZ_TIMEOUT,
  );

  /**
   * The catalogue's own competitors never take a prefix row's message (their patterns are anchored
   * on other texts), so a catalogue with a rival row is checked too: one placed before the
   * buffered-response row that takes its messages when they hold `while reading upstream`.
   */
  const buffered = SIGNATURES.findIndex((s) => s.id === 'nginx-buffered-to-temp-file');
  const rival: Signature = { ...SIGNATURES[buffered], id: 'rival', literal: 'while reading upstream', pattern: /^an upstream response is buffered to a temporary file \S{1,300} while reading upstream/, failure: undefined };
  const withRival = new SignatureMatcher([...SIGNATURES.slice(0, buffered), rival, ...SIGNATURES.slice(buffered)]);

  test.each([
    ['the catalogue', matcher],
    ['the catalogue with a rival row', withRival],
  ])(
    'nginx, %s: known() names a prefix row only where the parser and the matcher give that row, and names it on the usual shapes',
    (_, matcher) => {
      const f = errorLineFilter(matcher, 'nginx-error', null)!;
      const known = knownLines(matcher, 'nginx-error', () => {})!;
      const rows = matcher.prefixRows('nginx-error')!.rows;
      const x = quietInstance('nginx-error', f.scanner!.tables(), known)!;
      const mem = Buffer.from(x.memory.buffer);
      const prefix = fc.constantFrom(...rows.map((r) => r.prefix));
      // entries of prefix rows, field by field at and past what the module reads
      const built = fc
        .record({
          level: fc.constantFrom('warn', 'error', 'emergency', 'notice'),
          pid: fc.constantFrom('1234#1234: ', '1#0: ', `${'1'.repeat(11)}#${'2'.repeat(12)}: `, `${'1'.repeat(11)}#${'2'.repeat(11)}: `, '1234: ', '#1: ', '1#: ', '1x#1: ', '1#1:', '1#1 : ', ''),
          cid: fc.constantFrom('*1 ', '*5 ', `*${'9'.repeat(15)} `, `*${'9'.repeat(16)} `, '* ', '*1', '*x ', '*1  ', ''),
          prefix,
          cut: fc.nat(),
          whole: fc.boolean(),
          middle: fc.constantFrom(' /var/cache/nginx/proxy_temp/1/00/000001 while reading upstream', '', ' x', 'PHP message: oops" while reading response header from upstream'),
          lit: fc.option(literal, { freq: 3 }),
          ctx: fc.constantFrom('', ', client: 192.0.2.1, server: x, request: "GET / HTTP/1.1", upstream: "http://10.0.0.1:80/", host: "x"', ', client: 1', ', resolver: 10.0.0.53:53'),
          crlf: fc.boolean(),
        })
        .map((t) => {
          const p = t.whole ? t.prefix : t.prefix.slice(0, t.cut % (t.prefix.length + 1));
          const lit = t.lit === null ? '' : ` ${t.lit}`;
          return Buffer.from(`2024/11/16 14:00:05 [${t.level}] ${t.pid}${t.cid}${p}${t.middle}${lit}${t.ctx}${t.crlf ? '\r' : ''}`, 'utf8');
        });
      let named = 0;
      fc.assert(
        fc.property(fc.oneof({ weight: 3, arbitrary: built }, { weight: 2, arbitrary: mutatedFrom(fc.sample(built, { numRuns: 300, seed: 42 })) }, { weight: 1, arbitrary: line }), fc.integer({ min: 1, max: 40 }), fc.constantFrom(0x20, 0x0a, 0x31), (b, at, around) => {
          const base = place(mem, b, at, around);
          const e = base + b.length;
          // what run() asks first: a head that parses, with a literal in it
          if (x.head(base, e) !== 1 || x.parses(base, e) !== 1 || x.matters(base + 20, e) !== 1) return;
          const k = x.known(base, e);
          if (k === 0) return;
          named++;
          const entry = parseNginxError(b.toString('utf8'), clock);
          expect(entry).not.toBeNull();
          expect(matcher.match('nginx-error', entry!)).toBe(rows[k - 1].sig);
        }),
        fuzzParams(3000, 200000),
      );
      expect(named).toBeGreaterThan(50);
      if (matcher === withRival) {
        // the rival's literal in the message: the rival takes it; in the request, after the
        // message's cut: the row does; before a comma that is not the cut: the rival again
        const head = '2024/11/16 14:00:05 [warn] 1#1: *5 an upstream response is buffered to a temporary file';
        const k = rows.findIndex((r) => r.sig.id === 'nginx-buffered-to-temp-file') + 1;
        for (const [tail, id, named] of [
          [' /x while reading upstream, client: 192.0.2.1', 'rival', 0],
          [' /x, client: 192.0.2.1, request: "GET /while reading upstream HTTP/1.1"', 'nginx-buffered-to-temp-file', k],
          [' /x,y while reading upstream, client: 192.0.2.1', 'rival', 0],
          [' /x, clients: y while reading upstream', 'nginx-buffered-to-temp-file', 0],
        ] as const) {
          const b = Buffer.from(head + tail);
          const base = place(mem, b, 8, 0x0a);
          expect(matcher.match('nginx-error', parseNginxError(b.toString(), clock)!)!.id).toBe(id);
          expect(x.known(base, base + b.length)).toBe(named);
        }
      }
      // the shape nginx writes, with and without a connection number, is named (where no competitor stands in it)
      rows.forEach((r, k) => {
        for (const cid of ['*5 ', '']) {
          const b = Buffer.from(`2024/11/16 14:00:05 [warn] 1234#1234: ${cid}${r.prefix} /x, client: 192.0.2.1, server: x`);
          const base = place(mem, b, 8, 0x0a);
          expect(x.known(base, base + b.length)).toBe(k + 1);
        }
      });
    },
    FUZZ_TIMEOUT,
  );
});
