import * as fc from 'fast-check';
import { ErrorEntry, FailureEvent, LogKind } from '../src/model';
import { Analyzer, AnalyzerOptions } from '../src/analyze/analyzer';
import { FileReader } from '../src/analyze/read-file';
import { SignatureMatcher, isUpstreamRelated } from '../src/diagnose/matcher';
import { errorLineFilter } from '../src/diagnose/prefilter';
import { buildDocument } from '../src/report/json';
import { ZoneClock } from '../src/parse/time';
import { parseNginxError } from '../src/parse/nginx-error';
import { parseApacheError } from '../src/parse/apache-error';
import { parsePhpFpm } from '../src/parse/php-fpm-log';
import { ILLUSTRATIVE } from './helpers/illustrative-lines';
import { readErrorEntries } from './helpers/error-entries';
import { allLogFiles, linePool, readLogFile } from './helpers/real-lines';
import { fuzzParams, FUZZ_TIMEOUT, hostileBytes, mutatedFrom } from './helpers/fuzz';

/**
 * The error-line prefilter changes nothing but the time a run takes. Every illustrative line and
 * every entry of the captured fixtures and the peer corpus that the matcher tags (or calls
 * upstream-related) still reaches the matcher, as the same entry; and a whole analysis
 * with the prefilter equals one without it (line accounting, report, events), on every real log
 * this checkout has and on fuzzed error logs, with and without --since/--until.
 */

const clock = new ZoneClock('UTC');
const matcher = new SignatureMatcher();

/** The same analysis, every error line through the parser and the matcher. */
class Unfiltered extends Analyzer {
  override errorLineFilter(): null {
    return null;
  }
}

interface Outcome {
  stats: unknown;
  doc: unknown;
  events: FailureEvent[];
}

function analyze(make: (o: AnalyzerOptions) => Analyzer, opts: AnalyzerOptions, files: { name: string; data: Buffer }[]): Outcome {
  const events: FailureEvent[] = [];
  const a = make({ ...opts, onEvent: (e) => events.push(e) });
  const stats = [];
  for (const f of files) {
    const r = new FileReader(f.name, a, { formats: [], clock, showSkipped: 3 });
    // uneven chunks: an entry's first line may end a chunk while its continuation starts the next
    for (let i = 0; i < f.data.length; i += 7919) r.push(f.data.subarray(i, i + 7919));
    r.finish();
    a.flush();
    a.summary.files.push(r.stats);
    stats.push(r.stats);
  }
  a.settle(); // as run.ts does at the end: error requests no access line joined are counted
  const doc = buildDocument(a.summary, { evicted: a.index.evicted, zone: 'UTC', since: opts.since, until: opts.until }) as unknown as Record<string, unknown>;
  delete doc.generatedAt;
  return { stats, doc, events };
}

function expectSameAnalysis(files: { name: string; data: Buffer }[], opts: AnalyzerOptions = {}): void {
  const filtered = analyze((o) => new Analyzer(o), opts, files);
  const unfiltered = analyze((o) => new Unfiltered(o), opts, files);
  expect(filtered).toEqual(unfiltered);
}

/** The entries a reader hands to a sink that uses the prefilter (by first line). */
function entriesThroughFilter(p: string): Map<number, ErrorEntry> {
  const out = new Map<number, ErrorEntry>();
  const sink = {
    access: () => true,
    error: (e: ErrorEntry, _k: LogKind, _f: string, line: number) => (out.set(line, e), true),
    errorLineFilter: (k: LogKind) => errorLineFilter(matcher, k, null),
  };
  const r = new FileReader(p, sink, { formats: [], clock });
  r.push(readLogFile(p));
  r.finish();
  return out;
}

describe('error-line prefilter: soundness on the tested lines', () => {
  test('every illustrative line passes', () => {
    for (const ill of ILLUSTRATIVE) {
      const b = Buffer.from(ill.line);
      expect([ill.id, errorLineFilter(matcher, ill.kind, null)!.mayMatter(b, 0, b.length)]).toEqual([ill.id, true]);
    }
  });

  const errorLogs = allLogFiles().filter((f) => f.kind === 'nginx-error' || f.kind === 'apache-error' || f.kind === 'php-fpm');
  test.each(errorLogs.map((f) => [f.path.replace(/.*\/(fixtures|peer-corpus)\//, '$1/'), f.path]))(
    '%s: every entry the matcher tags or calls upstream-related reaches the sink, the same',
    (_, p) => {
      const passed = entriesThroughFilter(p);
      for (const r of readErrorEntries(p)) {
        if (matcher.match(r.kind, r.entry) === null && !isUpstreamRelated(r.kind, r.entry)) continue;
        expect([r.line, passed.get(r.line)]).toEqual([r.line, r.entry]);
      }
    },
  );
});

describe('error-line prefilter: a whole analysis is unchanged', () => {
  const logs = allLogFiles().filter((f) => f.kind !== 'other');

  test.each(logs.map((f) => [f.path.replace(/.*\/(fixtures|peer-corpus)\//, '$1/'), f.path]))('%s', (_, p) => {
    expectSameAnalysis([{ name: p, data: readLogFile(p) }]);
  });

  test('the fixtures together (error logs before access logs), with and without a time range', () => {
    const all = logs.filter((f) => f.path.includes('/fixtures/'));
    const ordered = [...all.filter((f) => !f.kind.endsWith('access')), ...all.filter((f) => f.kind.endsWith('access'))];
    const files = ordered.map((f) => ({ name: f.path, data: readLogFile(f.path) }));
    expect(files.length).toBeGreaterThan(4);
    expectSameAnalysis(files);
    // fixture times lie around the capture: cut the range inside it
    const errTimes = readErrorEntries(ordered[0].path).map((r) => r.entry.ts);
    const mid = errTimes[errTimes.length >> 1];
    expectSameAnalysis(files, { since: mid });
    expectSameAnalysis(files, { until: mid });
  });

  test(
    'fuzzed error logs: mutated real lines, continuation lines, blank and binary lines',
    () => {
      const pool = linePool('nginx-error', 'apache-error', 'php-fpm');
      const physical = fc.oneof(
        { weight: 6, arbitrary: mutatedFrom(pool) },
        { weight: 2, arbitrary: hostileBytes(60) },
        { weight: 1, arbitrary: fc.constant(Buffer.alloc(0)) },
      );
      fc.assert(
        fc.property(fc.array(physical, { minLength: 1, maxLength: 40 }), fc.option(fc.nat({ max: 2 })), (lines, range) => {
          const data = Buffer.concat(lines.flatMap((l) => [l, Buffer.from('\n')]));
          const opts: AnalyzerOptions = {};
          // a bound inside the times these lines carry, when they carry any
          const times = lines.map((l) => timeOf(l.toString('utf8'))).filter((t): t is number => t !== null);
          if (range !== null && times.length > 0) {
            const t = times[range % times.length];
            if (range === 0) opts.since = t;
            else opts.until = t;
          }
          expectSameAnalysis([{ name: 'fuzz/error.log', data }], opts);
        }),
        fuzzParams(300, 5000),
      );
    },
    FUZZ_TIMEOUT,
  );
});

/** The time of a line read as an error entry of any kind, or null. */
function timeOf(text: string): number | null {
  for (const parse of [parseNginxError, parseApacheError, parsePhpFpm]) {
    const e = parse(text, clock);
    if (e) return e.ts;
  }
  return null;
}

describe('error-line prefilter: entries of several lines', () => {
  // SYNTHETIC lines in nginx's layout (not captured): the only word that makes the entry matter
  // (its `upstream:` context) stands on the continuation line, as with FastCGI stderr.
  const head = '2026/11/24 07:05:10 [error] 10#10: *7 the application wrote this';
  const tail = 'and this, client: 127.0.0.1, server: localhost, request: "GET /a HTTP/1.1", upstream: "fastcgi://unix:/run/php.sock:", host: "example.test"';

  test('the entry is handed over whole and reported as unclassified, as without the prefilter', () => {
    const data = Buffer.from(`${head}\n${tail}\n${head.replace('*7', '*8')}\n`);
    const files = [{ name: 'nginx/error.log', data }];
    expectSameAnalysis(files);
    const { doc } = analyze((o) => new Analyzer(o), {}, files);
    expect((doc as { causes: { cause: string; count: number }[] }).causes.map((c) => [c.cause, c.count])).toEqual([['unclassified', 1]]);
  });

  test('when its first line ends a chunk that is then reused', () => {
    // 70 quiet entries first, so that the file's kind is detected before the entry arrives
    const quiet = Array.from({ length: 70 }, (_, i) => head.replace('*7', `*${100 + i}`)).join('\n') + '\n';
    const data = Buffer.from(`${quiet}${head}\n${tail}\n`);
    for (const cut of [quiet.length + head.length, quiet.length + head.length + 1, quiet.length + head.length + 5]) {
      const a = new Analyzer({});
      const r = new FileReader('nginx/error.log', a, { formats: [], clock });
      for (const part of [data.subarray(0, cut), data.subarray(cut)]) {
        const chunk = Buffer.from(part);
        r.push(chunk);
        chunk.fill(0x41); // the stream's buffer is overwritten once push() returns
      }
      r.finish();
      a.settle();
      expect([cut, r.stats.lines, r.stats.parsed, a.summary.causes.get('unclassified')?.count]).toEqual([cut, 72, 72, 1]);
    }
  });
});
