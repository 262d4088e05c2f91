import * as fs from 'fs';
import * as path from 'path';
import * as fc from 'fast-check';
import { firstHeadAtOrAfter } from '../../src/analyze/reading-order';
import { ZoneClock } from '../../src/parse/time';
import { tempDir } from '../helpers/config';
import { FUZZ_TIMEOUT, fuzzParams } from '../helpers/fuzz';

/**
 * The cut of an error log read in pieces (analyze/reading-order.ts): a binary search over the
 * file's bytes must find what reading it from the start finds, the first entry head at or after
 * a time. SYNTHETIC nginx error logs of a known layout: entries at nondecreasing times, some with
 * FastCGI stderr continuation lines (no time of their own), some lines long, so that probes land
 * mid-line, mid-entry and in runs without a head.
 */

const clock = new ZoneClock('UTC');
const START = Date.UTC(2024, 10, 1);
const p2 = (n: number) => String(n).padStart(2, '0');
const stamp = (ms: number) => {
  const d = new Date(ms);
  return `${d.getUTCFullYear()}/${p2(d.getUTCMonth() + 1)}/${p2(d.getUTCDate())} ${p2(d.getUTCHours())}:${p2(d.getUTCMinutes())}:${p2(d.getUTCSeconds())}`;
};

const entry = fc.record({
  gap: fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 5 }), fc.integer({ min: 60, max: 7_200 })), // seconds after the last
  continuation: fc.oneof({ weight: 4, arbitrary: fc.constant(0) }, { weight: 1, arbitrary: fc.integer({ min: 1, max: 40 }) }),
  pad: fc.oneof({ weight: 6, arbitrary: fc.constant(0) }, { weight: 1, arbitrary: fc.integer({ min: 100, max: 3_000 }) }),
});

function write(entries: { gap: number; continuation: number; pad: number }[]): { file: string; heads: { at: number; time: number }[]; size: number } {
  const heads: { at: number; time: number }[] = [];
  const parts: string[] = [];
  let at = 0;
  let t = START;
  entries.forEach((e, k) => {
    t += e.gap * 1000;
    heads.push({ at, time: t });
    const lines = [`${stamp(t)} [error] 7#7: *${k + 1} FastCGI sent in stderr: "PHP message: ${'x'.repeat(e.pad)}`];
    for (let c = 0; c < e.continuation; c++) lines.push(`PHP message: line ${c} of entry ${k} ${'y'.repeat(e.pad)}`);
    const text = lines.join('\n') + '\n';
    parts.push(text);
    at += Buffer.byteLength(text);
  });
  const file = path.join(tempDir('cut'), 'error.log');
  fs.writeFileSync(file, parts.join(''));
  return { file, heads, size: at };
}

describe('cutting an error log by time (fuzz)', () => {
  test(
    'the binary search finds the first entry at or after a time, as a read from the start does',
    () => {
      let bisected = 0; // files long enough that the search bisects before it reads on
      fc.assert(
        fc.property(
          fc.array(entry, { minLength: 1, maxLength: 3_000, size: 'max' }),
          fc.array(fc.tuple(fc.double({ min: 0, max: 1, noNaN: true }), fc.constantFrom(-1_000, 0, 1_000)), { minLength: 1, maxLength: 6 }),
          fc.constantFrom(256, 4_096, 64 * 1024),
          (entries, targets, probe) => {
            const { file, heads, size } = write(entries);
            if (size > 4 * probe) bisected++;
            const fd = fs.openSync(file, 'r');
            try {
              for (const [f, shift] of targets) {
                // a head's own time, a second before or after: where a search off by one entry shows
                const t = heads[Math.floor(f * (heads.length - 1))].time + shift;
                const want = heads.find((h) => h.time >= t)?.at ?? size;
                expect(firstHeadAtOrAfter(fd, size, 0, t, 'nginx-error', clock, probe)).toBe(want);
                // from a later head: never before it
                const from = heads[Math.floor(heads.length / 2)].at;
                const wantFrom = heads.find((h) => h.at >= from && h.time >= t)?.at ?? size;
                expect(firstHeadAtOrAfter(fd, size, from, t, 'nginx-error', clock, probe)).toBe(wantFrom);
              }
            } finally {
              fs.closeSync(fd);
            }
          },
        ),
        fuzzParams(60, 2_000),
      );
      expect(bisected).toBeGreaterThan(10);
    },
    FUZZ_TIMEOUT,
  );
});
