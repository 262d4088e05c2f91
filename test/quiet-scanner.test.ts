import * as fc from 'fast-check';
import { Analyzer, AnalyzerOptions } from '../src/analyze/analyzer';
import { BULK_AFTER_LINES, BULK_NOW_BYTES } from '../src/analyze/read-file';
import { QuietScanner } from '../src/parse/quiet-scanner';
import { QUIET_MEMORY } from '../src/parse/quiet-compiler';
import * as prefilter from '../src/diagnose/prefilter';
import { allLogFiles, linePool, readLogFile } from './helpers/real-lines';
import { FUZZ_TIMEOUT, fuzzParams, hostileBytes, mutatedFrom } from './helpers/fuzz';
import { Input, Outcome, analyzeFiles, countedByRuns, expectReadInPlace, random, readFileWhole } from './helpers/whole-analysis';

/**
 * The quiet-line scanner (src/parse/quiet-scanner.ts) changes nothing but the time a run takes: a
 * whole analysis of an error log with it equals one where every line goes the JavaScript way
 * (line accounting, report, events), on every real nginx and Apache error log this checkout has,
 * on generated logs full of the lines it must leave to JavaScript, and on fuzzed logs; and it
 * does count the quiet lines itself (else these equalities would prove nothing).
 */

/**
 * Analyses files with the quiet scanner made at once (or after `bulkAfter` lines) and with every
 * line read in JavaScript, in chunks of `chunk` bytes; returns the lines counted by the scanner.
 */
function expectSameAnalysis(files: Input[], chunk = 7919, bulkAfter = 0, opts: Partial<AnalyzerOptions> = {}, maxLine?: number): number {
  let quiet: Outcome | null = null;
  const make = (o: AnalyzerOptions) => new Analyzer({ ...opts, ...o });
  const n = countedByRuns(QuietScanner.prototype, () => (quiet = analyzeFiles(make, files, chunk, { bulkAfter, maxLine })));
  const perLine = analyzeFiles(make, files, chunk, { bulkAfter: Infinity, maxLine });
  expect(quiet).toEqual(perLine);
  return n;
}

const p2 = (n: number) => String(n).padStart(2, '0');
const MON = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const DAY = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];

/**
 * A synthetic log of `lines` entries a few seconds apart from 2024-11-16 14:00 UTC: `entry` writes
 * entry i at time d (one or more physical lines, each with its line end), drawing from `rnd`.
 */
function syntheticLog(lines: number, seed: number, entry: (i: number, d: Date, rnd: () => number) => string): Buffer {
  const rnd = random(seed);
  const out: string[] = [];
  let t = Date.UTC(2024, 10, 16, 14, 0, 0);
  for (let i = 0; i < lines; i++) {
    t += Math.floor(rnd() * 3000);
    out.push(entry(i, new Date(t), rnd));
  }
  return Buffer.from(out.join(''), 'utf8');
}

/**
 * An nginx error log (synthetic, for this test): mostly entries no signature matches, among them
 * failures and evidence, continuation lines, blank lines, CRs, and heads the parser refuses.
 */
function nginxErrorLog(lines: number, seed: number): Buffer {
  return syntheticLog(lines, seed, (i, d, rnd) => {
    let stamp = `${d.getUTCFullYear()}/${p2(d.getUTCMonth() + 1)}/${p2(d.getUTCDate())} ${p2(d.getUTCHours())}:${p2(d.getUTCMinutes())}:${p2(d.getUTCSeconds())}`;
    let level = 'error';
    let msg = `open() "/var/www/html/item/${i}" failed (2: No such file or directory), client: 192.0.2.${i % 250}, server: www.example.com, request: "GET /item/${i} HTTP/1.1", host: "www.example.com"`;
    let end = '\n';
    const r = rnd();
    if (r < 0.04) msg = `connect() failed (111: Connection refused) while connecting to upstream, client: 192.0.2.${i % 250}, server: x, request: "GET /a/${i} HTTP/1.1", upstream: "http://10.0.0.${i % 4}:8080/a/${i}", host: "x"`;
    else if (r < 0.08) [level, msg] = ['warn', `an upstream response is buffered to a temporary file /var/cache/nginx/proxy_temp/${i} while reading upstream, client: 192.0.2.1, server: x, request: "GET / HTTP/1.1", upstream: "http://10.0.0.1:8080/", host: "x"`];
    else if (r < 0.1) msg = `FastCGI sent in stderr: "PHP message: PHP Warning:  oops" while reading response header from upstream, client: 192.0.2.1, server: x`;
    else if (r < 0.11) {
      // FastCGI stderr with raw newlines: the entry runs on over lines that have no head
      const more = rnd() < 0.5 ? `PHP message: two" while reading upstream, client: 192.0.2.1\n` : `just more text of the entry\n`;
      return `${stamp} [error] 1234#1234: *${i} FastCGI sent in stderr: "PHP message: one\n${more}`;
    } else if (r < 0.12) msg = `client 192.0.2.1 closed keepalive connection ${'\u00e9'}`;
    else if (r < 0.125) stamp = stamp.replace(/\/\d\d\//, '/13/'); // month 13
    else if (r < 0.13) stamp = stamp.replace(/\/\d\d /, '/00 '); // day 0
    else if (r < 0.135) stamp = stamp.replace(/ \d\d:/, ' 24:'); // hour 24
    else if (r < 0.14) stamp = stamp.replace(/:\d\d$/, ':60'); // a leap second
    else if (r < 0.145) stamp = stamp.replace(/:\d\d$/, ':61');
    else if (r < 0.15) level = 'errorerrorerror'; // `] ` past byte 30
    else if (r < 0.155) level = 'err\u00e9r'; // a non-ASCII byte in the level
    else if (r < 0.16) end = '\r\n';
    else if (r < 0.165) return rnd() < 0.5 ? '\n' : '  \t\n';
    else if (r < 0.17) msg = `long ${'x'.repeat(300)}`;
    else if (r < 0.172) msg = 'x'.repeat(rnd() * 5); // a head shorter than 24 bytes, or just
    else if (r < 0.175) msg = 'upstre' + 'am split? no: ups tream';
    else if (r < 0.18) [level, msg] = ['notice', 'signal process started'];
    else if (r < 0.185) msg = `*${i} no live upstreams while connecting to upstream, client: 192.0.2.1, server: x, request: "GET / HTTP/1.1", upstream: "http://backend/", host: "x"`;
    // evidence the module counts itself (prefix rows), and the shapes of it it must leave alone
    else if (r < 0.19) return `${stamp} [warn] 1234#1234: an upstream response is buffered to a temporary file /tmp/${i} while reading upstream, client: 192.0.2.1\n`;
    else if (r < 0.193) [level, msg] = ['warn', `an upstream response is buffered to a temporary file /tmp/${i}, client: 192.0.2.1, request: "GET /could not be resolved (3: x HTTP/1.1"`];
    else if (r < 0.196) return `${stamp} [warn] 1234#1234: *${'9'.repeat(16)} an upstream response is buffered to a temporary file /tmp/${i}\n`;
    else if (r < 0.198) [level, msg] = ['info', 'client logged in, client: 192.0.2.1, server: 0.0.0.0:25'];
    else if (r < 0.2) [level, msg] = ['warn', 'an upstream response is, client: buffered to a temporary file'];
    return `${stamp} [${level}] 1234#1234: *${i} ${msg}${end}`;
  });
}

/** An Apache 2.4 error log (synthetic), with 2.2 and ISO heads, proxy failures and refused heads among quiet lines. */
function apacheErrorLog(lines: number, seed: number): Buffer {
  return syntheticLog(lines, seed, (i, d, rnd) => {
    const hms = `${p2(d.getUTCHours())}:${p2(d.getUTCMinutes())}:${p2(d.getUTCSeconds())}`;
    let time = `${DAY[d.getUTCDay()]} ${MON[d.getUTCMonth()]} ${p2(d.getUTCDate())} ${hms}.${String(i % 1e6).padStart(6, '0')} ${d.getUTCFullYear()}`;
    let module = '[core:info]';
    let msg = `[pid 2345:tid 140023] [client 192.0.2.${i % 250}:30000] AH00128: File does not exist: /var/www/html/item/${i}`;
    const r = rnd();
    if (r < 0.04) [module, msg] = ['[proxy:error]', `[pid 1:tid 2] (111)Connection refused: AH00957: HTTP: attempt to connect to 10.0.0.${i % 4}:8080 (10.0.0.${i % 4}) failed`];
    else if (r < 0.06) [module, msg] = ['[proxy_http:error]', `[pid 1:tid 2] [client 192.0.2.1:5] AH01102: error reading status line from remote server 10.0.0.1:8080`];
    else if (r < 0.07) time = time.replace(/\.\d+/, ''); // 2.2: no fraction
    else if (r < 0.08) time = `${DAY[d.getUTCDay()]} ${MON[d.getUTCMonth()]}  ${d.getUTCDate() % 10 || 1} ${hms} ${d.getUTCFullYear()}`; // a space-padded day
    else if (r < 0.09) time = `${d.getUTCFullYear()}-${p2(d.getUTCMonth() + 1)}-${p2(d.getUTCDate())} ${hms}.123456`; // ISO (ErrorLogFormat)
    else if (r < 0.095) time = time.replace(/^\w+/, 'Xyz'); // no weekday
    else if (r < 0.1) time = time.replace(/ \w+ /, ' Nox '); // no month
    else if (r < 0.105) time = time.replace(/ \d\d:/, ' 25:');
    else if (r < 0.11) time = time.replace(/ 20\d\d$/, ' 2O24'); // a letter in the year
    else if (r < 0.115) time = time.replace(/\.\d+/, '.12a456');
    else if (r < 0.12) module = `[${'m'.repeat(45)}:info]`; // the level closed too late
    else if (r < 0.125) module = '[core:inf\u00f6]';
    else if (r < 0.13) module = 'core:info';
    else if (r < 0.135) msg = `[pid 1:tid 2] mod_proxy_balancer: ${'\u00e9'}`;
    else if (r < 0.14) return rnd() < 0.5 ? '\n' : 'a line with no head at all\n';
    else if (r < 0.145) time = `${time}${' '.repeat(30)}`; // `] ` beyond 40 bytes
    return `[${time}] ${module} ${msg}\n`;
  });
}

const errorLogs = allLogFiles().filter((f) => f.kind === 'nginx-error' || f.kind === 'apache-error');

describe('quiet-line scanner: a whole analysis is unchanged', () => {
  test.each(errorLogs.map((f) => [f.path.replace(/.*\/(fixtures|peer-corpus)\//, '$1/'), f.path]))('%s', (_, p) => {
    const data = readLogFile(p);
    expectSameAnalysis([{ name: p, data }]);
    expectSameAnalysis([{ name: p, data }], data.length + 1);
  });

  test.each([
    ['nginx', nginxErrorLog, '/logs/a/error.log'],
    ['Apache', apacheErrorLog, '/logs/apache2/error.log'],
  ] as const)('a generated %s error log with every kind of line it must leave to JavaScript, in several chunk sizes', (_, gen, name) => {
    const data = gen(20_000, 7);
    for (const chunk of [1 << 20, 65536, 4093, 333]) {
      const quiet = expectSameAnalysis([{ name, data }], chunk);
      // about one line in five is of the other kinds, or is a quiet line before one that has no
      // head; in 333-byte chunks a line and the head after it seldom stand in one chunk
      if (chunk > 333) expect(quiet).toBeGreaterThan(12_000);
    }
  });

  test('nginx evidence of prefix rows (the buffered-response warning) is counted by the module, as the JavaScript path counts it', () => {
    const data = nginxErrorLog(20_000, 17);
    let handed = 0;
    const real = prefilter.knownLines;
    const spy = jest.spyOn(prefilter, 'knownLines').mockImplementation((m, kind, count) =>
      real(m, kind, (sig, n) => {
        handed += n;
        count(sig, n);
      }),
    );
    try {
      expectSameAnalysis([{ name: '/logs/a/error.log', data }], 65536);
    } finally {
      spy.mockRestore();
    }
    // 4.5% of the entries are buffered-response warnings the module can tell, 2% one-line FastCGI
    // stderr (~1,300); a few stand before a line that is not a head
    expect(handed).toBeGreaterThan(1_100);
  });

  test('chunks larger than the module window: lines cut by the window end are read in the next window', () => {
    const data = nginxErrorLog(40_000, 11);
    expect(data.length).toBeGreaterThan(2 * QUIET_MEMORY.WINDOW_BYTES);
    expect(expectSameAnalysis([{ name: '/logs/a/error.log', data }], data.length)).toBeGreaterThan(25_000);
  });

  test('lines over the line limit are skipped as too long, as without the scanner', () => {
    const data = nginxErrorLog(5_000, 13);
    expect(expectSameAnalysis([{ name: "/logs/a/error.log", data }], 1 << 20, 0, {}, 240)).toBeGreaterThan(1_000);
  });

  test(`by default a file is read in JavaScript for its first ${BULK_AFTER_LINES} lines, then in bulk`, () => {
    const large = apacheErrorLog(BULK_AFTER_LINES + 10_000, 31);
    const quiet = expectSameAnalysis([{ name: '/logs/apache2/error.log', data: large }], 1 << 20, BULK_AFTER_LINES);
    expect(quiet).toBeGreaterThan(6_000);
    expect(quiet).toBeLessThan(10_000);
  });

  test('with a time range (--since/--until) every line goes the JavaScript way: a quiet entry is counted by its time', () => {
    const data = nginxErrorLog(3_000, 5);
    const opts = { since: Date.UTC(2024, 10, 16, 14, 30), until: Date.UTC(2024, 10, 16, 15, 0) };
    expect(expectSameAnalysis([{ name: '/logs/a/error.log', data }], 1 << 20, 0, opts)).toBe(0);
  });

  test('a plain file is read into the module\'s own buffers once the module is made, and scanned where it lies: the analysis is the JavaScript one', async () => {
    const data = nginxErrorLog(40_000, 41);
    expect(data.length).toBeGreaterThan(BULK_NOW_BYTES);
    await expectReadInPlace(QuietScanner.prototype, 'error.log', data, 40_000, (file) => readFileWhole((o) => new Analyzer(o), file, { bulkAfter: Infinity }));
  });

  test('an nginx error log and an Apache one, one reader each, into one summary', () => {
    const files = [
      { name: '/logs/nginx/error.log', data: nginxErrorLog(3_000, 1) },
      { name: '/logs/apache2/error.log', data: apacheErrorLog(3_000, 2) },
    ];
    expect(expectSameAnalysis(files, 1 << 20)).toBeGreaterThan(4_000);
  });

  test(
    'fuzzed error logs: generated, real and mutated lines, binary lines, in random chunks',
    () => {
      const pool = linePool('nginx-error', 'apache-error', 'php-fpm');
      const split = (b: Buffer) => b.toString('latin1').split('\n').map((l) => Buffer.from(l, 'latin1'));
      const nginx = split(nginxErrorLog(2_000, 23));
      const apache = split(apacheErrorLog(2_000, 29));
      const physical = (generated: Buffer[]) =>
        fc.oneof(
          { weight: 8, arbitrary: fc.constantFrom(...generated) },
          { weight: 2, arbitrary: fc.constantFrom(...pool) },
          { weight: 2, arbitrary: mutatedFrom(generated) },
          { weight: 1, arbitrary: hostileBytes(60) },
        );
      for (const [generated, name] of [
        [nginx, '/logs/f/error.log'],
        [apache, '/logs/apache2/error.log'],
      ] as const) {
        fc.assert(
          fc.property(fc.array(physical(generated), { minLength: 1, maxLength: 150 }), fc.integer({ min: 1, max: 5000 }), (lines, chunk) => {
            const data = Buffer.concat(lines.flatMap((l) => [l, Buffer.from('\n')]));
            expectSameAnalysis([{ name, data }], chunk);
          }),
          fuzzParams(100, 2000),
        );
      }
    },
    FUZZ_TIMEOUT,
  );
});
