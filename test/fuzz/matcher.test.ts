import * as fc from 'fast-check';
import { ErrorEntry, LogKind, Signature } from '../../src/model';
import { SignatureMatcher, isUpstreamRelated } from '../../src/diagnose/matcher';
import { SIGNATURES } from '../../src/diagnose/signatures';
import { parseNginxError } from '../../src/parse/nginx-error';
import { parseApacheError } from '../../src/parse/apache-error';
import { parsePhpFpm } from '../../src/parse/php-fpm-log';
import { ZoneClock } from '../../src/parse/time';
import { FUZZ_TIMEOUT, fuzzParams, hostileString, mutatedFrom } from '../helpers/fuzz';
import { linePool } from '../helpers/real-lines';

/**
 * The matcher over the whole catalogue: any entry gets null or a row of the catalogue whose
 * literal is in the message and whose filters (server or AH code, errno) the entry satisfies.
 */

const matcher = new SignatureMatcher();
const clock = new ZoneClock('UTC');
const KINDS: LogKind[] = ['nginx-error', 'apache-error', 'php-fpm', 'nginx-access', 'apache-access'];
const SERVER: Record<LogKind, string> = {
  'nginx-error': 'nginx', 'nginx-access': 'nginx', 'apache-error': 'apache', 'apache-access': 'apache', 'php-fpm': 'php-fpm',
};

const literal = fc.constantFrom(...SIGNATURES.map((s) => s.literal));
/** Messages near the catalogue: literals with hostile text around them, and real messages mutated. */
const message = fc.oneof(
  hostileString(200),
  fc.tuple(hostileString(40), literal, hostileString(80)).map(([a, l, b]) => a + l + b),
  fc.tuple(fc.constantFrom('connect() failed ', 'connect() to unix:/x failed ', 'upstream timed out (110: x) ', 'recv() failed (104: x) ', 'readv() failed (111: y) ', 'accept4() failed (24: z) ', 'accept() ', ''), literal, hostileString(40)).map(
    ([a, l, b]) => a + l + b,
  ),
);

/** Messages each row's own pattern accepts (fast-check writes them from the regex), with its errno. */
const rowMessage = fc
  .constantFrom(...SIGNATURES)
  .chain((s) => fc.tuple(fc.constant(s), fc.stringMatching(s.pattern, { size: 'small' })))
  .map(([s, m]) => ({ message: m, errno: s.errno ? s.errno[0] : null, code: s.code ?? null }));

const base: ErrorEntry = {
  ts: 0, level: 'error', module: null, pid: null, cid: null, errno: null, code: null, message: '', client: null,
  clientPort: null, server: null, request: null, upstream: null, host: null, referrer: null, pool: null,
};
const synthetic = fc
  .record({
    message,
    errno: fc.option(fc.constantFrom('111', '110', '104', '2', '13', '11', '70007', 'EAI 2', '0')),
    code: fc.option(fc.constantFrom(...SIGNATURES.filter((s) => s.code).map((s) => s.code!), 'AH00000', 'AH01102')),
    module: fc.option(fc.constantFrom('proxy', 'proxy_http', 'proxy_fcgi', 'core')),
    upstream: fc.option(fc.string()),
  })
  .map((r) => ({ ...base, ...r }));
const fromRows = rowMessage.map((r) => ({ ...base, ...r }));
const parsed = fc
  .tuple(fc.constantFrom(parseNginxError, parseApacheError, parsePhpFpm), mutatedFrom(linePool('nginx-error', 'apache-error', 'php-fpm')))
  .map(([parse, b]) => parse(b.toString('utf8'), clock))
  .filter((e): e is ErrorEntry => e !== null);

describe('signature matcher (fuzz)', () => {
  test(
    'any entry: null or a catalogue row whose filters and literal hold',
    () => {
      fc.assert(
        fc.property(fc.oneof(synthetic, parsed), fc.constantFrom(...KINDS), (e, kind) => {
          const s = matcher.match(kind, e);
          expect(typeof isUpstreamRelated(kind, e)).toBe('boolean');
          if (s === null) return;
          expect(SIGNATURES).toContain(s);
          expect(e.message.includes(s.literal)).toBe(true);
          expect(s.pattern.test(e.message)).toBe(true);
          if (s.code) expect(e.code).toBe(s.code);
          else expect(s.server).toBe(SERVER[kind]);
          if (s.errno) expect(s.errno).toContain(e.errno);
        }),
        fuzzParams(),
      );
    },
    FUZZ_TIMEOUT,
  );

  test(
    'any entry: the same row as a plain scan of the table in order (the lead-word index loses none)',
    () => {
      fc.assert(
        fc.property(fc.oneof(synthetic, parsed, fromRows), fc.constantFrom(...KINDS), (e, kind) => {
          const ok = (s: Signature) => (s.errno === undefined || (e.errno !== null && s.errno.includes(e.errno))) && e.message.includes(s.literal) && s.pattern.test(e.message);
          const coded = e.code === null ? undefined : SIGNATURES.find((s) => s.code === e.code && ok(s));
          const plain = coded ?? SIGNATURES.find((s) => s.server === SERVER[kind] && s.code === undefined && ok(s)) ?? null;
          expect(matcher.match(kind, e)?.id ?? null).toBe(plain?.id ?? null);
        }),
        fuzzParams(),
      );
    },
    FUZZ_TIMEOUT,
  );

  /**
   * Rows with a lead word and rows without one (tried for every message) in any catalogue order,
   * on messages several of them match: the first row of the table wins, however the rows are
   * split between the lead-word index and the rest.
   */
  test('any catalogue order: the first matching row wins, lead-word rows and rest rows alike', () => {
    const row = (id: string, pattern: RegExp, literal: string): Signature =>
      ({ ...SIGNATURES.find((s) => s.server === 'nginx' && !s.errno)!, id, pattern, literal }) as Signature;
    const pool = [
      row('led-alpha-one', /^alpha one/, 'alpha one'),
      row('led-alpha-two', /^alpha two/, 'alpha two'),
      row('led-beta-one', /^beta one/, 'beta one'),
      row('rest-one', /one$/, 'one'),
      row('rest-two', /two/, 'two'),
      row('rest-alpha', /alpha/, 'alpha'),
      row('rest-gated-1', /could not be resolved here one/, 'could not be resolved here one'),
      row('rest-gated-2', /could not be resolved there/, 'could not be resolved there'),
    ];
    const messages = ['alpha one', 'alpha two', 'beta one', 'gamma one', 'alpha', 'x could not be resolved here one', 'could not be resolved there two'];
    fc.assert(
      fc.property(fc.shuffledSubarray(pool, { minLength: 1 }), fc.constantFrom(...messages), (table, msg) => {
        const m = new SignatureMatcher(table);
        const e = { ...base, message: msg };
        const plain = table.find((s) => msg.includes(s.literal) && s.pattern.test(msg)) ?? null;
        expect(m.match('nginx-error', e)?.id ?? null).toBe(plain?.id ?? null);
      }),
      fuzzParams(),
    );
  });
});
