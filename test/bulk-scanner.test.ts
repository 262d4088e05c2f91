import * as fc from 'fast-check';
import { Analyzer } from '../src/analyze/analyzer';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { BULK_AFTER_LINES, BULK_NOW_BYTES, FileReader } from '../src/analyze/read-file';
import { readInput } from '../src/analyze/run';
import { ZoneClock } from '../src/parse/time';
import { BulkScanner } from '../src/parse/bulk-scanner';
import { AccessScanner } from '../src/parse/access-scanner';
import { allPresetPlans } from '../src/parse/format/presets';
import { MEMORY } from '../src/parse/bulk-compiler';
import { UPSTREAM_TABLE_CAP } from '../src/report/summary';
import { allLogFiles, linePool, readLogFile } from './helpers/real-lines';
import { FUZZ_TIMEOUT, fuzzParams, hostileBytes, mutatedFrom } from './helpers/fuzz';
import { Input, Outcome, analyzeFiles, countedByRuns, expectReadInPlace, random, readFileWhole } from './helpers/whole-analysis';

/**
 * The bulk scanner (src/parse/bulk-scanner.ts) changes nothing but the time a run takes: a whole
 * analysis with it equals one where every line goes through AccessScanner and Analyzer.access
 * (line accounting, report, events), on every real access log this checkout has, on generated
 * logs full of the lines it must leave to JavaScript, and on fuzzed logs; and it does count the
 * ordinary lines itself (else these equalities would prove nothing).
 */


/** The same analysis, every access line through access(). */
class PerLine extends Analyzer {
  override bulkSink(): null {
    return null;
  }
}

/**
 * Analyses files both ways, in chunks of `chunk` bytes, the bulk scanner made after `bulkAfter`
 * lines of each file (0: at once; 'default': the readers' own); returns the lines counted in bulk.
 */
function expectSameAnalysis(files: Input[], chunk = 7919, maxLine?: number, bulkAfter: number | 'default' = 0): number {
  let bulk: Outcome | null = null;
  const after = bulkAfter === 'default' ? undefined : bulkAfter;
  const n = countedByRuns(BulkScanner.prototype, () => (bulk = analyzeFiles((o) => new Analyzer(o), files, chunk, { maxLine, bulkAfter: after })));
  const perLine = analyzeFiles((o) => new PerLine(o), files, chunk, { maxLine });
  expect(bulk).toEqual(perLine);
  return n;
}

const MON = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const p2 = (n: number) => String(n).padStart(2, '0');
function clf(ms: number, zone = '+0000'): string {
  const d = new Date(ms);
  return `${p2(d.getUTCDate())}/${MON[d.getUTCMonth()]}/${d.getUTCFullYear()}:${p2(d.getUTCHours())}:${p2(d.getUTCMinutes())}:${p2(d.getUTCSeconds())} ${zone}`;
}

/**
 * An nginx `upstream`-format log (synthetic, for this test): mostly ordinary requests a few a
 * second, among them every kind of line the bulk scanner must leave to JavaScript.
 */
function upstreamLog(lines: number, seed: number, upstreams = 4): Buffer {
  const rnd = random(seed);
  const out: string[] = [];
  let t = Date.UTC(2024, 10, 16, 14, 0, 0);
  for (let i = 0; i < lines; i++) {
    t += Math.floor(rnd() * 3000);
    const r = rnd();
    let time = clf(t);
    let status = '200';
    let addr = `10.0.0.${1 + Math.floor(rnd() * upstreams)}:8080`;
    let ustatus = '200';
    let ua = 'Mozilla/5.0 (X11; Linux x86_64)';
    let pre = '';
    let end = '\n';
    if (r < 0.02) [status, ustatus] = ['502', '502'];
    else if (r < 0.03) [status, ustatus] = ['504', '504'];
    else if (r < 0.035) [status, addr, ustatus] = ['499', '-', '-'];
    else if (r < 0.04) [addr, ustatus] = [`${addr}, 10.0.0.9:8080`, '502, 200'];
    else if (r < 0.045) [addr, ustatus] = ['-', '-'];
    else if (r < 0.05) ustatus = '600';
    else if (r < 0.053) status = '600';
    else if (r < 0.055) status = '009'; // nginx's status for an HTTP/0.9 request
    else if (r < 0.06) addr = 'x';
    else if (r < 0.065) time = clf(t - 3_600_000); // back an hour
    else if (r < 0.07) time = clf(t, '+0100'); // another zone, the same bytes but one
    else if (r < 0.072) time = clf(t).replace(/:\d\d /, ':60 '); // a leap second
    else if (r < 0.074) time = clf(t).replace('Nov', 'Nox'); // no such month
    else if (r < 0.076) time = clf(t).replace(' +0000', ''); // no zone: 20 bytes
    else if (r < 0.078) ua = 'quote \\" inside \\\\';
    else if (r < 0.08) pre = ' ';
    else if (r < 0.082) end = '\r\n';
    else if (r < 0.084) {
      out.push(rnd() < 0.5 ? '\n' : '  \t\n');
      continue;
    } else if (r < 0.086) ua = 'long '.repeat(40);
    else if (r < 0.088) addr = `unix:/run/php/php${i}-fpm.sock`;
    else if (r < 0.09) [addr, ustatus] = ['10.0.0.1:8080 : 10.0.0.2:8080', '200 : 200'];
    out.push(
      `${pre}192.0.2.${i % 250} - - [${time}] "GET /item/${i % 97}?q=${i} HTTP/1.1" ${status} ${i % 5000} "-" "${ua}" 0.${p2(i % 100)}1 ${addr} ${ustatus} 0.${p2(i % 100)}0${end}`,
    );
  }
  return Buffer.from(out.join(''), 'latin1');
}

describe('bulk scanner: a whole analysis is unchanged', () => {
  const logs = allLogFiles().filter((f) => f.kind === 'nginx-access' || f.kind === 'apache-access');

  test.each(logs.map((f) => [f.path.replace(/.*\/(fixtures|peer-corpus)\//, '$1/'), f.path]))('%s', (_, p) => {
    const data = readLogFile(p);
    expectSameAnalysis([{ name: p, data }]);
    expectSameAnalysis([{ name: p, data }], data.length + 1);
  });

  test('the captured fixtures are counted in bulk, mostly', () => {
    const files = logs.filter((f) => f.path.includes('/fixtures/') && f.path.endsWith('/access.log'));
    expect(files.length).toBe(2);
    const inputs = files.map((f) => ({ name: f.path, data: readLogFile(f.path) }));
    const lines = inputs.reduce((n, f) => n + f.data.toString('latin1').split('\n').length - 1, 0);
    const bulk = expectSameAnalysis(inputs, 1 << 20);
    // the captured requests are failures on purpose; the first 64 lines of a file go to detection
    expect(bulk).toBeGreaterThan(0);
    expect(bulk).toBeLessThan(lines);
  });

  test('a generated log with every kind of line it must leave to JavaScript, in several chunk sizes', () => {
    const data = upstreamLog(20_000, 7);
    for (const chunk of [1 << 20, 65536, 4093, 333]) {
      const bulk = expectSameAnalysis([{ name: '/logs/a/access.log', data }], chunk);
      // 9 lines in 100 are of the odd kinds: most others are counted in bulk (in 333-byte chunks,
      // a line in two starts in one chunk and ends in the next: that one is JavaScript's)
      expect(bulk).toBeGreaterThan(chunk > 333 ? 15_000 : 2_000);
    }
  });

  test('chunks larger than the module window: lines cut by the window end are read in the next window', () => {
    const data = upstreamLog(30_000, 11);
    expect(data.length).toBeGreaterThan(2 * MEMORY.WINDOW_BYTES);
    expect(expectSameAnalysis([{ name: '/logs/a/access.log', data }], data.length)).toBeGreaterThan(25_000);
  });

  test('lines over the line limit are skipped as too long, as without the bulk scanner', () => {
    const data = upstreamLog(5_000, 13);
    expect(expectSameAnalysis([{ name: '/logs/a/access.log', data }], 1 << 20, 180)).toBeGreaterThan(1_000);
  });

  test(`past ${UPSTREAM_TABLE_CAP} upstreams (the table's cap) and past the interned addresses, counts are the same`, () => {
    const data = upstreamLog(40_000, 17, 2500);
    // the first sight of each address, and the 500 the summary interns no more, are JavaScript's
    expect(expectSameAnalysis([{ name: '/logs/a/access.log', data }], 1 << 20)).toBeGreaterThan(20_000);
  });

  test(`by default a file is read in JavaScript for its first ${BULK_AFTER_LINES} lines, then in bulk`, () => {
    const small = upstreamLog(BULK_AFTER_LINES - 100, 29);
    expect(expectSameAnalysis([{ name: '/logs/a/access.log', data: small }], 1 << 20, undefined, 'default')).toBe(0);
    const large = upstreamLog(BULK_AFTER_LINES + 10_000, 31);
    const bulk = expectSameAnalysis([{ name: '/logs/a/access.log', data: large }], 1 << 20, undefined, 'default');
    expect(bulk).toBeGreaterThan(8_000);
    expect(bulk).toBeLessThan(10_000);
  });

  test(`a file of ${BULK_NOW_BYTES} bytes or more is read in bulk right after detection: readInput tells the reader its size`, async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ud-bulk-now-'));
    try {
      /** The lines the bulk scanner counted while readInput read `data` from a file. */
      const counted = async (data: Buffer): Promise<number> => {
        const file = path.join(dir, 'access.log');
        fs.writeFileSync(file, data);
        let n = 0;
        const run = BulkScanner.prototype.run;
        const probe = jest.spyOn(BulkScanner.prototype, 'run').mockImplementation(function (this: BulkScanner<unknown>, chunk: Buffer, pos: number, len: number) {
          const at = run.call(this, chunk, pos, len);
          n += this.lines;
          return at;
        });
        try {
          await readInput({ path: file, rotationBase: file }, new Analyzer(), { formats: [], clock: new ZoneClock('UTC') });
        } finally {
          probe.mockRestore();
        }
        return n;
      };
      const small = upstreamLog(BULK_AFTER_LINES + 10_000, 31);
      expect(small.length).toBeLessThan(BULK_NOW_BYTES);
      expect(await counted(small)).toBeLessThan(10_000);
      const lines = Math.ceil((BULK_NOW_BYTES / small.length) * (BULK_AFTER_LINES + 10_000)) + 1_000;
      const large = upstreamLog(lines, 31);
      expect(large.length).toBeGreaterThanOrEqual(BULK_NOW_BYTES);
      // some lines stop the module (failures, new minutes and upstreams): most of the rest is bulk
      expect(await counted(large)).toBeGreaterThan(lines - BULK_AFTER_LINES + 5_000);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test('a plain file is read into the module\'s own buffers once the module is made, and scanned where it lies: the analysis is the per-line one', async () => {
    const data = upstreamLog(90_000, 37);
    expect(data.length).toBeGreaterThan(BULK_NOW_BYTES);
    await expectReadInPlace(BulkScanner.prototype, 'access.log', data, 90_000, (file) => readFileWhole((o) => new PerLine(o), file));
  });

  test('a finished reader\'s module instance goes to the next reader of the format; not after an input that broke off', () => {
    const a = new Analyzer();
    const opts = { formats: [], clock: new ZoneClock('UTC'), bulkAfter: 0 };
    /** The memory of the instance a reader of `data` used, after it is done with it. */
    const memoryOf = (data: Buffer, broke: boolean): ArrayBufferLike => {
      const r = new FileReader('/logs/access.log', a, opts);
      r.push(data);
      const mem = r.readBuffers()![0].buffer;
      if (broke) r.fail(new Error('EIO'));
      r.finish();
      expect(r.readBuffers()).toBeNull();
      return mem;
    };
    const data = upstreamLog(2_000, 43);
    const first = memoryOf(data, false);
    expect(memoryOf(data, true)).toBe(first);
    // the reader whose input broke off kept its instance: a read may still land in its buffers
    expect(memoryOf(data, false)).not.toBe(first);
  });

  test('several files, one reader each, into one summary', () => {
    const files = [1, 2, 3].map((k) => ({ name: `/logs/${k}/access.log`, data: upstreamLog(3_000, k) }));
    expect(expectSameAnalysis(files, 1 << 20)).toBeGreaterThan(6_000);
  });

  test(
    'times decoded in the module: every edge of parseClf (day 0-99, years 0-9999, odd zones, bad months) gives the minute JavaScript gives',
    () => {
      // mostly values in range (so that most times are decoded), the whole range and the edges too
      const num = (lo: number, hi: number, edges: string[]) =>
        fc.oneof(
          { weight: 4, arbitrary: fc.integer({ min: lo, max: hi }).map((n) => p2(n)) },
          { weight: 1, arbitrary: fc.integer({ min: 0, max: 99 }).map((n) => p2(n)) },
          { weight: 1, arbitrary: fc.constantFrom(...edges) },
        );
      const four = (lo: number, hi: number) => fc.integer({ min: lo, max: hi }).map((n) => String(n).padStart(4, '0'));
      const time = fc
        .record({
          d: num(1, 31, ['00', '01', '28', '29', '30', '31', '32', '99']),
          mon: fc.oneof({ weight: 6, arbitrary: fc.constantFrom(...MON) }, { weight: 1, arbitrary: fc.constantFrom('Nox', 'nov', 'NOV') }),
          y: fc.oneof(
            { weight: 4, arbitrary: four(1970, 5000) },
            { weight: 1, arbitrary: four(0, 9999) },
            { weight: 1, arbitrary: fc.constantFrom('1969', '1970', '2000', '2100', '4999', '5000', '5001', '0069', '0070', '0099', '0100') },
          ),
          h: num(0, 23, ['23', '24']),
          mi: num(0, 59, ['59', '60']),
          s: num(0, 59, ['59', '60', '61']),
          sp: fc.constantFrom(' ', ' ', ' ', '_', ':'),
          sign: fc.constantFrom('+', '-', '+', '*'),
          zone: fc.oneof(fc.constantFrom('0000', '0100', '0530', '1400', '9999'), four(0, 9999)),
        })
        .map((t) => `${t.d}/${t.mon}/${t.y}:${t.h}:${t.mi}:${t.s}${t.sp}${t.sign}${t.zone}`);
      const plan = allPresetPlans().find((p) => p.server === 'nginx' && p.name === 'combined')!;
      const counted: [number, number][] = [];
      const sink = {
        countRequests: (minute: number, n: number, first: number) => void counted.push([minute, first]),
        addStatusCount: () => {},
        upstreamHandle: () => 0,
        countAttempts: () => {},
      };
      let taken = 0;
      fc.assert(
        fc.property(fc.array(time, { minLength: 1, maxLength: 8 }), (times) => {
          // one module for the whole run of times: each decoded in turn, with the last one cached
          const bulk = BulkScanner.for(plan, sink, 65536)!;
          for (const t of times) {
            const line = Buffer.from(`192.0.2.1 - - [${t}] "GET / HTTP/1.1" 200 5 "-" "ua"\n`, 'latin1');
            counted.length = 0;
            bulk.run(line, 0, line.length);
            bulk.flush();
            // a time the module leaves to JavaScript is JavaScript's: nothing to compare
            if (bulk.lines === 0) continue;
            const sc = new AccessScanner(plan);
            expect(sc.scan(line, 0, line.length - 1)).toBe(true);
            const minute = sc.minute();
            expect([t, counted]).toEqual([t, [[minute, sc.msInMinute / 1000]]]);
            taken++;
          }
        }),
        fuzzParams(1000, 20000),
      );
      // the edges are reached, not all refused
      expect(taken).toBeGreaterThan(100);
    },
    FUZZ_TIMEOUT,
  );

  test(
    'fuzzed access logs: generated, real and mutated lines, binary lines, in random chunks',
    () => {
      const pool = linePool('nginx-access', 'apache-access');
      const generated = upstreamLog(2_000, 23).toString('latin1').split('\n').map((l) => Buffer.from(l, 'latin1'));
      const physical = fc.oneof(
        { weight: 8, arbitrary: fc.constantFrom(...generated) },
        { weight: 2, arbitrary: fc.constantFrom(...pool) },
        { weight: 2, arbitrary: mutatedFrom(generated) },
        { weight: 1, arbitrary: hostileBytes(60) },
      );
      fc.assert(
        fc.property(fc.array(physical, { minLength: 1, maxLength: 150 }), fc.integer({ min: 1, max: 5000 }), (lines, chunk) => {
          const data = Buffer.concat(lines.flatMap((l) => [l, Buffer.from('\n')]));
          expectSameAnalysis([{ name: '/logs/f/access.log', data }], chunk);
        }),
        fuzzParams(150, 2000),
      );
    },
    FUZZ_TIMEOUT,
  );
});
