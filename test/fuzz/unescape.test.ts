import * as fc from 'fast-check';
import { unescapeLogValue } from '../../src/parse/unescape';
import { FUZZ_TIMEOUT, fuzzParams, hostileBytes } from '../helpers/fuzz';

/** Decoding server escapes: total on any bytes, and the inverse of the servers' own escaping. */

const nginxEscape = (b: Buffer) => Buffer.from([...b].map((c) => `\\x${c.toString(16).padStart(2, '0')}`).join(''), 'latin1');
const apacheEscape = (b: Buffer) =>
  Buffer.from(
    [...b]
      .map((c) => (c === 34 ? '\\"' : c === 92 ? '\\\\' : c === 10 ? '\\n' : c === 9 ? '\\t' : String.fromCharCode(c)))
      .join(''),
    'latin1',
  );

describe('unescapeLogValue (fuzz)', () => {
  test(
    'any bytes, any range: a string no longer than the range',
    () => {
      fc.assert(
        fc.property(hostileBytes(300), fc.nat(), fc.nat(), (buf, a, b) => {
          const s = buf.length === 0 ? 0 : a % buf.length;
          const e = s + (buf.length - s === 0 ? 0 : b % (buf.length - s + 1));
          const out = unescapeLogValue(buf, s, e);
          expect(typeof out).toBe('string');
          // every decoded byte comes from at least one input byte; U+FFFD can widen one byte to three
          expect(Buffer.byteLength(out)).toBeLessThanOrEqual(3 * (e - s));
          if (!buf.subarray(s, e).includes(92)) expect(out).toBe(buf.toString('utf8', s, e));
        }),
        fuzzParams(),
      );
    },
    FUZZ_TIMEOUT,
  );

  test(
    'inverts nginx \\xHH escaping and Apache backslash escaping, framed by other bytes',
    () => {
      fc.assert(
        fc.property(hostileBytes(200), fc.constantFrom(nginxEscape, apacheEscape), hostileBytes(10), (raw, esc, pad) => {
          const enc = esc(raw);
          const framed = Buffer.concat([pad, enc, pad]);
          expect(unescapeLogValue(framed, pad.length, pad.length + enc.length)).toBe(raw.toString('utf8'));
        }),
        fuzzParams(),
      );
    },
    FUZZ_TIMEOUT,
  );
});
