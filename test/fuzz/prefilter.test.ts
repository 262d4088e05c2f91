import * as fc from 'fast-check';
import { ErrorEntry, LogKind } from '../../src/model';
import { LiteralScanner, errorLineFilter, relevantLiterals } from '../../src/diagnose/prefilter';
import { SignatureMatcher, isUpstreamRelated } from '../../src/diagnose/matcher';
import { SIGNATURES } from '../../src/diagnose/signatures';
import { nginxHeadParses, nginxHeadTime, parseNginxError } from '../../src/parse/nginx-error';
import { apacheHeadParses, apacheHeadTime, parseApacheError } from '../../src/parse/apache-error';
import { parsePhpFpm, phpFpmHeadParses, phpFpmHeadTime } from '../../src/parse/php-fpm-log';
import { ZoneClock } from '../../src/parse/time';
import { FUZZ_TIMEOUT, fuzzParams, hostileBytes, mutatedFrom } from '../helpers/fuzz';
import { linePool } from '../helpers/real-lines';

/**
 * The error-line prefilter may only pass over entries the full path would not change anything
 * for. For random and mutated real lines: where it says "cannot matter" and the head test says
 * "parses", the parser accepts the entry (alone and with continuation lines), the matcher finds no
 * row, isUpstreamRelated is false, and the time read from the bytes is the parser's.
 */

const clock = new ZoneClock('UTC');
const matcher = new SignatureMatcher();

interface Kind {
  kind: LogKind;
  parses: (b: Buffer, s: number, e: number, c: ZoneClock) => boolean;
  time: (b: Buffer, s: number, e: number, c: ZoneClock) => number;
  parse: (t: string, c: ZoneClock) => ErrorEntry | null;
}
const KINDS: Kind[] = [
  { kind: 'nginx-error', parses: nginxHeadParses, time: nginxHeadTime, parse: parseNginxError },
  { kind: 'apache-error', parses: apacheHeadParses, time: apacheHeadTime, parse: parseApacheError },
  { kind: 'php-fpm', parses: phpFpmHeadParses, time: phpFpmHeadTime, parse: parsePhpFpm },
];

const pool = linePool('nginx-error', 'apache-error', 'php-fpm');
const literal = fc.constantFrom(...SIGNATURES.map((s) => s.literal), 'upstream', 'FastCGI', 'proxy');
/** Real lines mutated, and real lines with a literal (or a piece of one) spliced in. */
const line = fc.oneof(
  mutatedFrom(pool),
  fc
    .tuple(mutatedFrom(pool), literal, fc.nat(), fc.nat(), fc.boolean())
    .map(([b, lit, at, cut, whole]) => {
      const piece = whole ? lit : lit.slice(0, cut % (lit.length + 1));
      const i = b.length === 0 ? 0 : at % (b.length + 1);
      return Buffer.concat([b.subarray(0, i), Buffer.from(piece), b.subarray(i)]);
    }),
);
const continuation = fc.oneof(hostileBytes(80), mutatedFrom(pool));

describe('error-line prefilter (fuzz)', () => {
  test.each(KINDS.map((k) => [k.kind, k] as const))(
    '%s: a line it passes over is one the full path parses and leaves untouched',
    (_, k) => {
      const f = errorLineFilter(matcher, k.kind, null)!;
      fc.assert(
        fc.property(line, fc.array(continuation, { maxLength: 2 }), (b, conts) => {
          if (!k.parses(b, 0, b.length, clock)) return;
          const head = b.toString('utf8');
          // the parser accepts the entry this line starts, whatever follows it
          for (const text of [head, [head, ...conts.map((c) => c.toString('utf8'))].join('\n')]) {
            const e = k.parse(text, clock);
            expect(e).not.toBeNull();
            expect(k.time(b, 0, b.length, clock)).toBe(e!.ts);
          }
          const lines = [b, ...conts.filter((c) => !f.mayMatter(c, 0, c.length))];
          if (f.mayMatter(b, 0, b.length)) return;
          const e = k.parse(lines.map((l) => l.toString('utf8')).join('\n'), clock)!;
          expect(matcher.match(k.kind, e)).toBeNull();
          expect(isUpstreamRelated(k.kind, e)).toBe(false);
        }),
        fuzzParams(2000),
      );
    },
    FUZZ_TIMEOUT,
  );

  test(
    'the scanner finds a literal exactly where a plain substring search does',
    () => {
      const lits = fc.array(
        fc.oneof(literal, fc.string({ unit: fc.constantFrom('a', 'b', 'p', 'r', 'o', 'x', 'y', ' ', '('), minLength: 1, maxLength: 6 })),
        { minLength: 0, maxLength: 12 },
      );
      const text = fc.oneof(
        hostileBytes(200),
        fc.string({ unit: fc.constantFrom('a', 'b', 'p', 'r', 'o', 'x', 'y', ' ', '(', 'u', 's', 't'), maxLength: 200 }).map((s) => Buffer.from(s)),
        fc.tuple(hostileBytes(60), literal, hostileBytes(60)).map(([a, l, c]) => Buffer.concat([a, Buffer.from(l), c])),
      );
      fc.assert(
        fc.property(lits, text, fc.nat(), fc.nat(), (ls, b, x, y) => {
          const scanner = new LiteralScanner(ls);
          const s = b.length === 0 ? 0 : x % (b.length + 1);
          const e = s + (b.length - s === 0 ? 0 : y % (b.length - s + 1));
          const plain = ls.some((l) => b.subarray(s, e).indexOf(Buffer.from(l)) !== -1);
          expect(scanner.test(b, s, e)).toBe(plain);
        }),
        fuzzParams(5000),
      );
    },
    FUZZ_TIMEOUT,
  );

  test('a literal is found at every offset of a long range (the two windows split it in halves)', () => {
    const lits = ['upstream', 'FastCGI', 'no live upstreams', 'could not be resolved ('];
    const scanner = new LiteralScanner(lits);
    const filler = Buffer.from('x'.repeat(300).replace(/x/g, (_, i: number) => 'abcdefgh ()'[i % 11]));
    for (const lit of lits) {
      for (let at = 0; at + lit.length <= filler.length; at++) {
        const b = Buffer.from(filler);
        b.write(lit, at, 'latin1');
        for (const [s, e] of [[0, b.length], [at, at + lit.length], [Math.max(0, at - 50), Math.min(b.length, at + lit.length + 70)]]) {
          expect({ lit, at, s, e, found: scanner.test(b, s, e) }).toEqual({ lit, at, s, e, found: true });
        }
        // one byte short of the literal's end: not there
        expect(scanner.test(b, 0, at + lit.length - 1)).toBe(lits.some((l) => b.subarray(0, at + lit.length - 1).includes(l)));
      }
    }
  });

  test('its literals are those of the catalogue rows the matcher can try, and the upstream markers', () => {
    for (const k of KINDS) {
      const lits = relevantLiterals(matcher, k.kind)!;
      const server = k.kind === 'php-fpm' ? 'php-fpm' : k.kind === 'nginx-error' ? 'nginx' : 'apache';
      // coded rows are tried for an entry with an AH code: only Apache's parser gives one
      for (const s of SIGNATURES) if (s.server === server || (s.code && k.kind === 'apache-error')) expect(lits).toContain(s.literal);
    }
    expect(relevantLiterals(matcher, 'nginx-error')).not.toContain('failed to make connection to backend'); // AH00957's
    expect(relevantLiterals(matcher, 'apache-error')).toContain('failed to make connection to backend');
    expect(relevantLiterals(matcher, 'nginx-error')).toEqual(expect.arrayContaining(['upstream', 'FastCGI']));
    expect(relevantLiterals(matcher, 'apache-error')).toEqual(expect.arrayContaining(['proxy']));
  });
});
