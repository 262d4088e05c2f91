import * as fc from 'fast-check';
import { ErrorEntry } from '../../src/model';
import { isNginxErrorHead, parseNginxError } from '../../src/parse/nginx-error';
import { isApacheErrorHead, parseApacheError } from '../../src/parse/apache-error';
import { isPhpFpmHead, parsePhpFpm } from '../../src/parse/php-fpm-log';
import { ZoneClock } from '../../src/parse/time';
import { FUZZ_TIMEOUT, fuzzParams, hostileBytes, hostileString, mutatedFrom } from '../helpers/fuzz';
import { LineKind, SEED_LINES, linePool } from '../helpers/real-lines';

/**
 * The error-log parsers take whole entries as text. Whatever the text, they return null or an
 * entry whose fields are well-typed and whose message is a piece of the input.
 */

const clock = new ZoneClock('UTC');

const PARSERS: { kind: LineKind; head: typeof isNginxErrorHead; parse: (t: string, c: ZoneClock) => ErrorEntry | null }[] = [
  { kind: 'nginx-error', head: isNginxErrorHead, parse: parseNginxError },
  { kind: 'apache-error', head: isApacheErrorHead, parse: parseApacheError },
  { kind: 'php-fpm', head: isPhpFpmHead, parse: parsePhpFpm },
];

function checkEntry(text: string, e: ErrorEntry | null): void {
  if (e === null) return;
  expect(Number.isFinite(e.ts)).toBe(true);
  expect(typeof e.level).toBe('string');
  expect(typeof e.message).toBe('string');
  expect(text.includes(e.message)).toBe(true);
  expect(e.pid === null || Number.isFinite(e.pid)).toBe(true);
  expect(e.cid === null || Number.isSafeInteger(e.cid)).toBe(true);
  expect(e.clientPort === null || (Number.isInteger(e.clientPort) && e.clientPort >= 0 && e.clientPort < 65536)).toBe(true);
  for (const k of ['module', 'errno', 'code', 'client', 'server', 'request', 'upstream', 'host', 'referrer', 'pool'] as const) {
    expect(e[k] === null || typeof e[k] === 'string').toBe(true);
  }
}

/** Only Apache entries carry an AH code: the prefilter leaves the coded rows' literals out of the others. */
const CARRIES_CODE = new Set<LineKind>(['apache-error']);

describe.each(PARSERS.map((p) => [p.kind, p] as const))('%s parser (fuzz)', (kind, p) => {
  const own = linePool(kind as LineKind);
  const heads = SEED_LINES[kind as Exclude<LineKind, 'other'>].map((l) => l.slice(0, 30));
  const texts = fc.oneof(
    hostileString(400),
    mutatedFrom(own).map((b) => b.toString('utf8')),
    mutatedFrom(linePool()).map((b) => b.toString('utf8')),
    // a valid head followed by anything: the parser must get past the head and survive the rest
    fc.tuple(fc.constantFrom(...heads), hostileString(300)).map(([h, t]) => h + t),
    // continuation lines folded in, as the reader does
    fc.array(mutatedFrom(own).map((b) => b.toString('utf8')), { minLength: 1, maxLength: 4 }).map((a) => a.join('\n')),
  );

  test(
    'any text: null or a well-formed entry, never a throw',
    () => {
      fc.assert(
        fc.property(texts, (text) => {
          const e = p.parse(text, clock);
          checkEntry(text, e);
          if (e !== null && !CARRIES_CODE.has(kind as LineKind)) expect(e.code).toBeNull();
        }),
        fuzzParams(),
      );
    },
    FUZZ_TIMEOUT,
  );

  test(
    'the head test on any bytes and any range is a boolean',
    () => {
      fc.assert(
        fc.property(fc.oneof(hostileBytes(200), mutatedFrom(own)), fc.nat(), fc.nat(), (buf, a, b) => {
          const s = buf.length === 0 ? 0 : a % buf.length;
          const e = s + (buf.length - s === 0 ? 0 : b % (buf.length - s + 1));
          expect(typeof p.head(buf, s, e)).toBe('boolean');
        }),
        fuzzParams(),
      );
    },
    FUZZ_TIMEOUT,
  );

  test('every seed line parses (the fuzz starts from real shapes)', () => {
    for (const l of SEED_LINES[kind as Exclude<LineKind, 'other'>]) {
      const b = Buffer.from(l);
      expect(p.head(b, 0, b.length)).toBe(true);
      expect(p.parse(l, clock)).not.toBeNull();
    }
  });
});

describe('nginx parser: the context left undecoded when the sink needs no more', () => {
  const own = linePool('nginx-error');
  const texts = fc.oneof(mutatedFrom(own).map((b) => b.toString('utf8')), fc.constantFrom(...SEED_LINES['nginx-error']), hostileString(300));
  const CONTEXT = ['client', 'server', 'request', 'upstream', 'host', 'referrer'] as const;

  test(
    'asked first, it sees head and message as the full parse gives them; its answer decides only whether the context is split',
    () => {
      let withContext = 0;
      fc.assert(
        fc.property(texts, (text) => {
          const full = parseNginxError(text, clock);
          const seen: ErrorEntry[] = [];
          const asked = (answer: boolean) => (e: ErrorEntry) => {
            seen.push({ ...e });
            return answer;
          };
          const kept = parseNginxError(text, clock, asked(true));
          const lean = parseNginxError(text, clock, asked(false));
          expect(kept).toEqual(full);
          if (full === null) return expect(lean).toBeNull();
          const head = { ...full };
          for (const k of CONTEXT) head[k] = null;
          expect(lean).toEqual(head);
          // asked only when there is a context to split, and always before it is split
          for (const e of seen) expect(e).toEqual(head);
          if (CONTEXT.some((k) => full[k] !== null)) {
            withContext++;
            expect(seen).toHaveLength(2);
          }
        }),
        fuzzParams(),
      );
      expect(withContext).toBeGreaterThan(0);
    },
    FUZZ_TIMEOUT,
  );
});

describe('apache-error parser: each entry on its own', () => {
  const line = (time: string) => `[${time}] [proxy:error] [pid 1:tid 2] (111)Connection refused: [client 10.0.0.9:5678] AH00957: x`;

  test('the time buffer it reuses keeps nothing of the entry before (a year is not taken from it)', () => {
    expect(parseApacheError(line('Sat Nov 16 14:15:25.123456 2024'), clock)?.ts).toBe(Date.UTC(2024, 10, 16, 14, 15, 25, 123));
    // no year: refused, though the entry before left one in the buffer at the same place
    expect(parseApacheError(line('Sat Nov 16 14:15:25.123456'), clock)).toBeNull();
    expect(parseApacheError(line('Sat Nov 16 14:15:25.123456 20'), clock)).toBeNull();
  });

  test('the last `, referer: ` ends the message, the client is cut at its last colon', () => {
    const e = parseApacheError(`${line('Sat Nov 16 14:15:25 2024')}, referer: http://a/?q=, referer: b, referer: http://c/`, clock)!;
    expect([e.message, e.referrer, e.client, e.clientPort]).toEqual(['x, referer: http://a/?q=, referer: b', 'http://c/', '10.0.0.9', 5678]);
  });

  test('any entry parses the same whatever entry came before it', () => {
    const own = linePool('apache-error');
    const text = fc.oneof(mutatedFrom(own).map((b) => b.toString('utf8')), hostileString(120));
    fc.assert(
      fc.property(text, text, (before, t) => {
        const alone = JSON.stringify(parseApacheError(t, clock));
        parseApacheError(before, clock);
        expect(JSON.stringify(parseApacheError(t, clock))).toBe(alone);
      }),
      fuzzParams(),
    );
  });
});
