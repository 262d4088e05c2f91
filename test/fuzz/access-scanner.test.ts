import * as fc from 'fast-check';
import { AccessScanner } from '../../src/parse/access-scanner';
import { decimal } from '../../src/parse/time';
import { parseStatusList } from '../../src/parse/upstream-list';
import { allPresetPlans } from '../../src/parse/format/presets';
import { compileNginxFormat } from '../../src/parse/format/nginx-format';
import { compileApacheFormat } from '../../src/parse/format/apache-format';
import { FieldType, FormatError, FormatPlan } from '../../src/parse/format/plan';
import { FUZZ_TIMEOUT, fuzzParams, hostileBytes, mutatedFrom } from '../helpers/fuzz';
import { linePool } from '../helpers/real-lines';
import { referenceScan } from '../helpers/reference-scanner';
import { compileScanner, layoutOf } from '../../src/parse/scan-compiler';
import { bulkScanner } from '../helpers/bulk-module';

/**
 * The access scanner on every preset and on random compiled formats: any bytes give a boolean,
 * a successful scan decodes without throwing and with offsets inside the line, and a line built
 * from the format with well-behaved values always scans back to those values.
 */

const PRESETS = allPresetPlans();
const NGINX_VARS = [
  'remote_addr', 'remote_user', 'time_local', 'time_iso8601', 'msec', 'request', 'status', 'body_bytes_sent',
  'http_referer', 'http_user_agent', 'request_time', 'upstream_addr', 'upstream_status', 'upstream_response_time',
  'upstream_connect_time', 'host', 'connection', 'request_method', 'request_uri', 'args', 'server_protocol',
  'remote_port', 'request_id', 'upstream_bytes_received', 'http_x_forwarded_for', 'gzip_ratio', 'pipe', 'scheme',
];
const APACHE_DIRECTIVES = [
  '%h', '%a', '%l', '%u', '%t', '%{sec}t', '%{msec}t', '%{%Y-%m-%d}t', '%r', '%m', '%U', '%q', '%H', '%s', '%>s', '%b',
  '%B', '%O', '%I', '%D', '%T', '%{ms}T', '%v', '%V', '%p', '%{remote}p', '%{Referer}i', '%{User-Agent}i', '%{Host}i',
  '%{X-Forwarded-For}i', '%P', '%k', '%L', '%X', '%f', '%R', '%400,501{User-agent}i', '%^ti',
];
/** Separators without letters, digits, or the bytes values below use ('.', ':', '/', ',', '-'). */
const SEPARATORS = [' ', ' "', '" ', '"', ' [', '] ', '[', ']', ' | ', '|', ';', ' ;', '\t', '" "', '] "', '" [', '=', ' ='];

const separator = fc.constantFrom(...SEPARATORS);

/** A random format: fields from the compiler's vocabulary, joined by random separators. */
const nginxFormat = fc
  .tuple(fc.option(separator), fc.array(fc.tuple(fc.constantFrom(...NGINX_VARS), separator), { minLength: 1, maxLength: 12 }), fc.boolean())
  .map(([lead, parts, dropTail]) => {
    let s = lead ?? '';
    parts.forEach(([v, sep], i) => (s += '$' + v + (i === parts.length - 1 && dropTail ? '' : sep)));
    return s;
  });
const apacheFormat = fc
  .tuple(fc.option(separator), fc.array(fc.tuple(fc.constantFrom(...APACHE_DIRECTIVES), separator), { minLength: 1, maxLength: 12 }), fc.boolean())
  .map(([lead, parts, dropTail]) => {
    let s = (lead ?? '').replace(/"/g, '\\"');
    parts.forEach(([d, sep], i) => (s += d + (i === parts.length - 1 && dropTail ? '' : sep.replace(/"/g, '\\"'))));
    return s;
  });

const randomPlan: fc.Arbitrary<FormatPlan> = fc.oneof(
  fc.constantFrom(...PRESETS),
  nginxFormat.map((f) => compileNginxFormat(f)),
  apacheFormat.map((f) => compileApacheFormat(f)),
);

const ACCESS_LINES = linePool('nginx-access', 'apache-access');
const anyLine = fc.oneof(hostileBytes(400), mutatedFrom(ACCESS_LINES), mutatedFrom(linePool()));

function checkScan(sc: AccessScanner, line: Buffer, start: number): void {
  const ok = sc.scan(line, start, line.length);
  expect(typeof ok).toBe('boolean');
  if (!ok) return;
  expect(sc.trailing).toBeGreaterThanOrEqual(0);
  expect(sc.trailing).toBeLessThanOrEqual(line.length - start);
  const st = sc.status();
  expect(Number.isInteger(st) && st >= 0 && st <= 999).toBe(true);
  expect(typeof sc.time()).toBe('number');
  expect(typeof sc.upstreamFailed()).toBe('boolean');
  const e = sc.entry();
  for (const k of ['method', 'path', 'protocol', 'request', 'client', 'host', 'userAgent', 'referer'] as const) {
    expect(e[k] === null || typeof e[k] === 'string').toBe(true);
  }
  expect(e.upstreamAddr.every((a) => typeof a === 'string' && a !== '')).toBe(true);
  expect(e.upstreamStatus.every((s) => s === null || (Number.isInteger(s) && s >= 0 && s <= 999))).toBe(true);
  // the statuses read from the bytes are what the text gives
  const us = sc.text('upstream-status');
  expect(e.upstreamStatus).toStrictEqual(us === null ? [] : parseStatusList(us));
  expect(e.upstreamResponseTime.every((t) => t === null || Number.isFinite(t))).toBe(true);
  // what the analysis decodes of a failure is the same as the whole entry's
  const f = sc.failure();
  const { ts, status, path, request, client, clientPort, host, requestTime, upstreamAddr, upstreamStatus, connection } = e;
  expect(f).toStrictEqual({ ts, status, path, request, client, clientPort, host, requestTime, upstreamAddr, upstreamStatus, connection });
}

describe('access scanner (fuzz)', () => {
  test.each(PRESETS.map((p) => [`${p.server} ${p.name}`, p] as const))(
    'preset %s: hostile and mutated lines never throw; a scan decodes inside the line',
    (_n, plan) => {
      const sc = new AccessScanner(plan);
      fc.assert(
        fc.property(anyLine, fc.nat(), (line, cut) => {
          checkScan(sc, line, line.length === 0 ? 0 : cut % line.length);
        }),
        fuzzParams(),
      );
    },
    FUZZ_TIMEOUT,
  );

  test(
    'random compiled formats: hostile and mutated lines never throw',
    () => {
      fc.assert(
        fc.property(randomPlan, anyLine, (plan, line) => {
          checkScan(new AccessScanner(plan), line, 0);
        }),
        fuzzParams(),
      );
    },
    FUZZ_TIMEOUT,
  );

  /**
   * The generated scanner against the reference interpreter: the same verdict, the same trailing
   * bytes and the same field boundaries, on hostile, mutated and real lines, for presets and
   * random formats (with a random start, as an envelope would leave it).
   */
  test(
    'the compiled scanner agrees with the reference interpreter byte for byte',
    () => {
      fc.assert(
        fc.property(randomPlan, anyLine, fc.nat(), (plan, line, cut) => {
          const layout = layoutOf(plan);
          const scan = compileScanner(layout);
          const off = new Int32Array(layout.fields.length * 2);
          const start = line.length === 0 ? 0 : cut % (line.length + 1);
          const got = scan(line, start, line.length, off);
          const want = referenceScan(layout, line, start, line.length);
          expect(got >= 0).toBe(want.ok);
          if (want.ok) {
            expect(got).toBe(want.trailing);
            expect(Array.from(off)).toEqual(want.offsets);
          }
        }),
        fuzzParams(2000),
      );
    },
    FUZZ_TIMEOUT,
  );

  test('every real and peer-corpus access line scans the same compiled and interpreted, with each preset', () => {
    let agreed = 0;
    for (const plan of PRESETS) {
      const layout = layoutOf(plan);
      const scan = compileScanner(layout);
      const off = new Int32Array(layout.fields.length * 2);
      for (const line of ACCESS_LINES) {
        const got = scan(line, 0, line.length, off);
        const want = referenceScan(layout, line, 0, line.length);
        expect(got >= 0).toBe(want.ok);
        if (want.ok) {
          expect(got).toBe(want.trailing);
          expect(Array.from(off)).toEqual(want.offsets);
          agreed++;
        }
      }
    }
    // The pool holds captured lines of every preset family: a good share must scan at all.
    expect(agreed).toBeGreaterThan(ACCESS_LINES.length);
  });

  /** A value for each field type that contains no separator byte. */
  const VALUES: Partial<Record<FieldType, fc.Arbitrary<string>>> = {
    'time-clf': fc.constant('16/Nov/2024:14:15:25'),
    'time-iso': fc.constant('2024-11-16T14:15:25+00:00'),
    'time-epoch-s': fc.constant('1731766525.123'),
    'time-epoch-ms': fc.constant('1731766525123'),
    'time-epoch-us': fc.constant('1731766525123456'),
    status: fc.integer({ min: 100, max: 599 }).map(String),
    bytes: fc.nat(1e9).map(String),
    client: fc.constantFrom('127.0.0.1', '::1', '10.1.2.3'),
    'upstream-addr': fc.constantFrom('127.0.0.1:9000', 'unix:/run/php.sock', '10.0.0.1:80,10.0.0.2:80'),
    'upstream-status': fc.constantFrom('502', '504', '200', '502, 200', '504 : 200', '-'),
    'upstream-response-time': fc.constantFrom('0.001', '-', '60.000, 0.002', '1.5 : 0.2'),
    'upstream-connect-time': fc.constantFrom('0.000', '-', '0.001, -'),
    'upstream-list': fc.constantFrom('123', '-', '1, 2 : 3'),
  };
  // Not starting with ":": after an upstream list, " : " would continue the list (as in nginx).
  const plainValue = fc.stringMatching(/^[A-Za-z0-9_./-][A-Za-z0-9_.:/-]{0,19}$/);

  test(
    'a line written in the format with separator-free values scans back to those values',
    () => {
      fc.assert(
        fc.property(
          randomPlan,
          fc.infiniteStream(fc.tuple(plainValue, fc.nat())),
          (plan, stream) => {
            const values: string[] = [];
            const it = stream[Symbol.iterator]();
            let line = '';
            for (const t of plan.tokens) {
              if (t.kind === 'literal') {
                line += t.text;
                continue;
              }
              const [plain, pick] = it.next().value as [string, number];
              const gen = VALUES[t.type];
              let v = gen ? fc.sample(gen, { seed: pick, numRuns: 1 })[0] : plain;
              if (t.type === 'time-clf' && plan.server === 'apache') {
                // Apache's %t writes its own brackets (and the zone). After a literal ending in `[`
                // the scanner takes the brackets for the format's own and ends the value at the next
                // literal: a next literal that occurs inside the time makes the line ambiguous.
                v = '[16/Nov/2024:14:15:25 +0000]';
                const k = plan.tokens.indexOf(t);
                const prev = plan.tokens[k - 1];
                const next = plan.tokens[k + 1];
                const nextText = next && next.kind === 'literal' ? next.text : '';
                if (prev && prev.kind === 'literal' && prev.text.endsWith('[') && nextText !== '') {
                  fc.pre((v + nextText).indexOf(nextText) === v.length);
                }
              }
              values.push(v);
              line += v;
            }
            const sc = new AccessScanner(plan);
            const buf = Buffer.from(line, 'latin1');
            expect(sc.scan(buf, 0, buf.length)).toBe(true);
            expect(sc.trailing).toBe(0);
            const fields = plan.tokens.filter((t) => t.kind === 'field');
            const si = fields.findIndex((f) => f.type === 'status');
            if (si !== -1) expect(sc.status()).toBe(Number(values[si]));
            const ci = fields.findIndex((f) => f.type === 'client');
            if (ci !== -1) expect(sc.text('client')).toBe(values[ci] === '-' ? null : values[ci]);
          },
        ),
        fuzzParams(),
      );
    },
    FUZZ_TIMEOUT,
  );
});

describe('number fields read from the bytes (fuzz)', () => {
  // Digits, dots and the bytes nearby in a log (signs, exponents, spaces, `-`), any length up to 20.
  const numberish = fc.array(fc.constantFrom(...'0123456789012345678901234567890123456789..-+eE x'.split('')), { maxLength: 20 }).map((cs) => cs.join(''));

  test('decimal() is Number() of the text, for any such bytes', () => {
    fc.assert(
      fc.property(numberish, fc.nat(8), (text, pad) => {
        // inside a larger buffer, as a field of a line is
        const buf = Buffer.from('7'.repeat(pad) + text + '9', 'latin1');
        expect(Object.is(decimal(buf, pad, pad + text.length), Number(text))).toBe(true);
      }),
      fuzzParams(5000),
    );
  });

  test.each(['0.187', '1.', '.5', '.', '', '007', '123456789012345', '1234567890123456', '9007199254740993', '0.000000000000001', '99999999999999.9', '517958670011647.88', '83780478238.0163672', '1e3', '-', ' 5', '1.2.3'])(
    'decimal(%j) is Number() of it',
    (text) => {
      const buf = Buffer.from(text, 'latin1');
      expect(Object.is(decimal(buf, 0, buf.length), Number(text))).toBe(true);
    },
  );
});

describe('bulk module scanner (fuzz)', () => {
  const timed = randomPlan.filter((p) => p.tokens.some((t) => t.kind === 'field' && t.type === 'time-clf'));
  /** Values that sit on the scanners' edges: escapes before quotes, list separators, brackets, blanks. */
  const TRICKY = [
    'a\\"b', 'a\\\\"', '\\', '"', '" "', '10.0.0.1:80, 10.0.0.2:80', '10.0.0.1:80,10.0.0.2:80', '502 : 200', '502, 504',
    'unix:/run/php.sock', '-', '', ' ', '[16/Nov/2024:14:15:25 +0000]', '16/Nov/2024:14:15:25 +0000', ']', '[', '\t', 'x\\x22y',
    '\u00e9', '\u001b[31m', ':', ', ', ' : ',
  ];
  /** Upstream lists as nginx writes them: the edges of the List strategy. */
  const LISTS = [
    '502 : 200', '10.0.0.1:80, 10.0.0.2:80 : unix:/s', '502, 504', '-', '1.0 : 2.0, -', '127.0.0.1:9000', '504 :', ', 1',
    // the bytes on each side of what the plain flag allows (32-126, no backslash), in short and long items
    'a~b', 'a\x7fb', '10.0.0.1:8080\x1f', 'x\\y', 'upstream-with-a-long-name.internal.example:8080', 'long-name-with-del\x7f.example:80',
  ];
  const valueFor = (t: FormatPlan['tokens'][number]) =>
    t.kind === 'field' && t.type.startsWith('upstream-') ? fc.constantFrom(...LISTS, ...TRICKY) : fc.constantFrom(...TRICKY);
  /** A line written in the plan's format with tricky values, cut short sometimes. */
  const writtenLine = (plan: FormatPlan) =>
    fc.tuple(fc.tuple(...plan.tokens.map(valueFor)), fc.nat(), fc.boolean()).map(([vals, cut, whole]) => {
      const text = plan.tokens.map((t, i) => (t.kind === 'literal' ? t.text : vals[i])).join('');
      const b = Buffer.from(text, 'latin1');
      return whole ? b : b.subarray(0, cut % (b.length + 1));
    });

  /**
   * The bulk module (parse/bulk-compiler.ts) counts a line only where its own scan found the
   * fields the JavaScript scanner finds: the same verdict, trailing bytes, boundaries and, for the
   * hashed upstream field, the same plain flag (and a hash of the bytes alone, wherever they
   * stand), on hostile, mutated and real lines.
   */
  test(
    'the bulk module scans as the reference interpreter and the compiled scanner do',
    () => {
      fc.assert(
        fc.property(timed.chain((plan) => fc.tuple(fc.constant(plan), fc.oneof(anyLine, writtenLine(plan)))), fc.nat(), fc.nat(40), ([plan, line], cut, at) => {
          const layout = layoutOf(plan);
          const start = cut % 4 === 0 ? 0 : cut % (line.length + 1);
          const bulk = bulkScanner(plan)(line, start, at);
          const want = referenceScan(layout, line, start, line.length);
          expect(bulk.trailing >= 0).toBe(want.ok);
          if (!want.ok) return;
          expect(bulk.trailing).toBe(want.trailing);
          expect(bulk.offsets).toEqual(want.offsets);
          if (layout.hashed >= 0) {
            // the plain flag is the JavaScript scanner's; the hash is the module's own, of the bytes alone
            const off = new Int32Array(layout.fields.length * 2 + 2);
            compileScanner(layout)(line, start, line.length, off);
            expect(bulk.plain).toBe(off[off.length - 1]);
            if (bulk.plain === 1) expect(bulkScanner(plan)(line, start, at + 23).hash).toBe(bulk.hash);
          }
        }),
        fuzzParams(1000),
      );
    },
    FUZZ_TIMEOUT,
  );

  test(
    'presets with upstream fields: tricky upstream values flag and hash the same wherever they stand',
    () => {
      const plans = PRESETS.filter((p) => p.tokens.some((t) => t.kind === 'field' && t.type === 'time-clf') && layoutOf(p).hashed >= 0);
      expect(plans.length).toBeGreaterThan(2);
      // an item of bytes around the plain range (32-126, no backslash) and list separators
      const edgy = fc.array(fc.constantFrom(0x1f, 0x20, 0x21, 0x2c, 0x3a, 0x5c, 0x7e, 0x7f, 0x80, 0x61, 0x31, 0x2e), { maxLength: 40 }).map((b) => Buffer.from(b).toString('latin1'));
      fc.assert(
        fc.property(fc.constantFrom(...plans), fc.oneof(fc.constantFrom(...LISTS), edgy), fc.nat(40), (plan, value, at) => {
          const text = plan.tokens
            .map((t) => (t.kind === 'literal' ? t.text : t.type.startsWith('upstream-') ? value : t.type === 'time-clf' && plan.server === 'apache' ? '[16/Nov/2024:14:15:25 +0000]' : t.type === 'time-clf' ? '16/Nov/2024:14:15:25 +0000' : '200'))
            .join('');
          const line = Buffer.from(text, 'latin1');
          const layout = layoutOf(plan);
          const got = bulkScanner(plan)(line, 0, at);
          const want = referenceScan(layout, line, 0, line.length);
          expect(got.trailing >= 0).toBe(want.ok);
          if (!want.ok) return;
          expect(got.offsets).toEqual(want.offsets);
          const off = new Int32Array(layout.fields.length * 2 + 2);
          compileScanner(layout)(line, 0, line.length, off);
          expect(got.plain).toBe(off[off.length - 1]);
          if (got.plain === 1) expect(bulkScanner(plan)(line, 0, at + 17).hash).toBe(got.hash);
        }),
        fuzzParams(500),
      );
    },
    FUZZ_TIMEOUT,
  );

  test('every real and peer-corpus access line scans the same in the bulk module, with each preset', () => {
    let agreed = 0;
    for (const plan of PRESETS.filter((p) => p.tokens.some((t) => t.kind === 'field' && t.type === 'time-clf'))) {
      const layout = layoutOf(plan);
      const scan = bulkScanner(plan);
      for (const line of ACCESS_LINES) {
        const got = scan(line, 0);
        const want = referenceScan(layout, line, 0, line.length);
        expect(got.trailing >= 0).toBe(want.ok);
        if (want.ok) {
          expect(got.trailing).toBe(want.trailing);
          expect(got.offsets).toEqual(want.offsets);
          agreed++;
        }
      }
    }
    expect(agreed).toBeGreaterThan(ACCESS_LINES.length);
  });
});
