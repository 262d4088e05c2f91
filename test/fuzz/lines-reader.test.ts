import * as fc from 'fast-check';
import { LineSplitter } from '../../src/input/lines';
import { EntrySink, FileReader } from '../../src/analyze/read-file';
import { ZoneClock } from '../../src/parse/time';
import { FUZZ_TIMEOUT, fuzzParams, hostileBytes, mutatedFrom } from '../helpers/fuzz';
import { linePool } from '../helpers/real-lines';

/**
 * Line splitting and per-file accounting on random byte streams cut into random chunks: the
 * splitter sees exactly the newline-separated lines (CR stripped, over-long ones reported and
 * never seen), and the reader counts every one of them as parsed or skipped.
 */

/** Reference split: the lines of `data`, a final unterminated one included; CR before LF dropped. */
function referenceLines(data: Buffer): Buffer[] {
  const out: Buffer[] = [];
  let pos = 0;
  while (pos < data.length) {
    let nl = data.indexOf(10, pos);
    const terminated = nl !== -1;
    if (!terminated) nl = data.length;
    let e = nl;
    if (e > pos && data[e - 1] === 13) e--;
    out.push(data.subarray(pos, e));
    pos = nl + 1;
    if (!terminated) break;
  }
  return out;
}

function chunks(data: Buffer, cuts: number[]): Buffer[] {
  const at = [...new Set(cuts.map((c) => (data.length === 0 ? 0 : c % (data.length + 1))))].sort((a, b) => a - b);
  const out: Buffer[] = [];
  let prev = 0;
  for (const c of [...at, data.length]) {
    // a fresh copy per chunk, overwritten after use: the splitter must not keep references into it
    out.push(Buffer.from(data.subarray(prev, c)));
    prev = c;
  }
  return out;
}

const realLine = mutatedFrom(linePool());
/** Streams that look like logs (real lines, blank lines, CRLF, long lines) and streams that do not. */
const stream = fc.oneof(
  hostileBytes(2000),
  fc
    .array(
      fc.oneof(
        { weight: 6, arbitrary: realLine.map((l) => Buffer.concat([l, Buffer.from('\n')])) },
        { weight: 1, arbitrary: realLine.map((l) => Buffer.concat([l, Buffer.from('\r\n')])) },
        { weight: 1, arbitrary: fc.constantFrom(Buffer.from('\n'), Buffer.from('\r\n'), Buffer.from('  \t\n'), Buffer.from('\r')) },
        { weight: 1, arbitrary: fc.integer({ min: 1, max: 3000 }).map((n) => Buffer.alloc(n, 0x61)) },
        { weight: 1, arbitrary: hostileBytes(200) },
      ),
      { maxLength: 40 },
    )
    .map((parts) => Buffer.concat(parts)),
);
const cuts = fc.array(fc.nat(), { maxLength: 30 });
const maxLine = fc.oneof(fc.constant(65536), fc.integer({ min: 1, max: 400 }));

describe('line splitter and file accounting (fuzz)', () => {
  test(
    'the splitter yields exactly the reference lines, over-long ones as tooLong, whatever the chunking',
    () => {
      fc.assert(
        fc.property(stream, cuts, maxLine, (data, cs, max) => {
          const got: (string | null)[] = [];
          const sp = new LineSplitter(
            {
              line: (b, s, e) => got.push(b.toString('latin1', s, e)),
              tooLong: () => got.push(null),
            },
            max,
          );
          for (const c of chunks(data, cs)) {
            sp.push(c);
            c.fill(0x7e); // the stream reuses its buffers
          }
          sp.end();
          const want = referenceLines(data).map((l) => (l.length > max ? null : l.toString('latin1')));
          expect(got).toEqual(want);
        }),
        fuzzParams(),
      );
    },
    FUZZ_TIMEOUT,
  );

  test(
    'FileReader: lines = parsed + skipped = the lines in the stream, also when the input breaks off',
    () => {
      fc.assert(
        fc.property(stream, cuts, maxLine, fc.boolean(), fc.option(fc.nat()), (data, cs, max, keep, breakAt) => {
          const sink: EntrySink = {
            access: (sc) => {
              sc.entry();
              return keep;
            },
            error: () => !keep,
          };
          const r = new FileReader('fuzz.log', sink, { formats: [], clock: new ZoneClock('UTC'), maxLine: max });
          const parts = chunks(data, cs);
          // breakAt: the input fails after that many chunks (truncated gzip, I/O error)
          const stop = breakAt === null ? parts.length : breakAt % (parts.length + 1);
          let fed = 0;
          for (let i = 0; i < stop; i++) {
            r.push(parts[i]);
            fed += parts[i].length;
          }
          if (stop < parts.length) r.fail(new Error('input broke off'));
          r.finish();
          const st = r.stats;
          const seen = data.subarray(0, fed);
          expect(st.lines).toBe(referenceLines(seen).length);
          expect(st.parsed + st.skipped).toBe(st.lines);
          const byReason = Object.values(st.skippedByReason).reduce((a, b) => a + (b ?? 0), 0);
          expect(byReason).toBe(st.skipped);
          if (stop < parts.length) expect(st.error).toBe('input broke off');
        }),
        fuzzParams(),
      );
    },
    FUZZ_TIMEOUT,
  );
});
