import { EventEmitter } from 'events';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as zlib from 'zlib';
import fc from 'fast-check';
import { ROOT, runCli } from './helpers/cli';
import { AUTO_MAX_JOBS, AUTO_MIN_BYTES, analyzeInputs, autoJobs } from '../src/analyze/parallel';
import { discoverInputs } from '../src/input/discover';
import { ZoneClock } from '../src/parse/time';
import { buildDocument } from '../src/report/json';
import { mergeSummaries } from '../src/report/summary-merge';
import { SpaceSaving } from '../src/util/top-k';
import { oneErrorLogDays, rotatedDays } from './helpers/synthetic-days';

/**
 * analyze/check --jobs N (analyze/parallel.ts): the report of a parallel run is the report of the
 * sequential one. No timing here: the speed-up is measured by npm run bench.
 */

const FIX = (p: string) => path.join(ROOT, 'fixtures', p);

function tmp(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'ud-jobs-'));
}

/** Splits a file's lines into a rotation set: name.2.gz (oldest), name.1, name. */
function rotate(src: string, dir: string, name: string): void {
  const lines = fs.readFileSync(src, 'utf8').split(/(?<=\n)/);
  const a = Math.floor(lines.length / 3);
  const b = Math.floor((2 * lines.length) / 3);
  fs.writeFileSync(path.join(dir, `${name}.2.gz`), zlib.gzipSync(lines.slice(0, a).join('')));
  fs.writeFileSync(path.join(dir, `${name}.1`), lines.slice(a, b).join(''));
  fs.writeFileSync(path.join(dir, name), lines.slice(b).join(''));
}

/** A small seeded nginx vhost: upstream_doctor access log with $connection, error-log twins of its 502s. */
function syntheticVhost(dir: string, seed: number, n: number): void {
  let s = seed;
  const rnd = () => ((s = (s * 1103515245 + 12345) % 2147483648) / 2147483648);
  const p2 = (x: number) => String(x).padStart(2, '0');
  const access: string[] = [];
  const errors: string[] = [];
  let t = Date.UTC(2024, 10, 16, 14, 0, 0);
  for (let i = 1; i <= n; i++) {
    t += Math.floor(rnd() * 4000);
    const d = new Date(t);
    const clf = `${p2(d.getUTCDate())}/Nov/2024:${p2(d.getUTCHours())}:${p2(d.getUTCMinutes())}:${p2(d.getUTCSeconds())} +0000`;
    const ip = `10.1.${seed % 250}.${1 + Math.floor(rnd() * 40)}`;
    const up = `10.0.0.${1 + Math.floor(rnd() * 3)}:8080`;
    const r = rnd();
    const status = r < 0.04 ? 502 : r < 0.06 ? 504 : r < 0.07 ? 499 : 200;
    const ustatus = status === 499 ? '-' : String(status);
    access.push(`${ip} - - [${clf}] "GET /p/${i % 50} HTTP/1.1" ${status} 13 "-" "ua" 0.010 ${up} ${ustatus} 0.010 0.001 site${seed}.example ${i}\n`);
    const et = `2024/11/16 ${p2(d.getUTCHours())}:${p2(d.getUTCMinutes())}:${p2(d.getUTCSeconds())}`;
    const tail = `client: ${ip}, server: site${seed}.example, request: "GET /p/${i % 50} HTTP/1.1", upstream: "http://${up}/p/${i % 50}", host: "site${seed}.example"`;
    if (status === 502 && rnd() < 0.8) errors.push(`${et} [error] 7#7: *${i} connect() failed (111: Connection refused) while connecting to upstream, ${tail}\n`);
    if (status === 504) errors.push(`${et} [error] 7#7: *${i} upstream timed out (110: Connection timed out) while reading response header from upstream, ${tail}\n`);
  }
  fs.writeFileSync(path.join(dir, 'access.log'), access.join(''));
  fs.writeFileSync(path.join(dir, 'error.log'), errors.join(''));
}

/**
 * An nginx vhost with one request a minute for `minutes` minutes from `fromMinute` (after
 * 2024-01-01), every 9th a 502 with its error-log twin: spans longer than the time table's
 * MAX_TIME_BUCKETS minutes, so its buckets widen.
 */
function spanVhost(dir: string, seed: number, fromMinute: number, minutes: number): void {
  const p2 = (x: number) => String(x).padStart(2, '0');
  const mon = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
  const access: string[] = [];
  const errors: string[] = [];
  for (let i = 0; i < minutes; i++) {
    const d = new Date(Date.UTC(2024, 0, 1) + (fromMinute + i) * 60_000 + seed * 1000);
    const hms = `${p2(d.getUTCHours())}:${p2(d.getUTCMinutes())}:${p2(d.getUTCSeconds())}`;
    const clf = `${p2(d.getUTCDate())}/${mon[d.getUTCMonth()]}/${d.getUTCFullYear()}:${hms} +0000`;
    const up = `10.0.${seed}.${1 + (i % 3)}:8080`;
    const status = i % 9 === 0 ? 502 : 200;
    access.push(`10.1.0.${1 + (i % 50)} - - [${clf}] "GET /p/${i % 20} HTTP/1.1" ${status} 13 "-" "ua" 0.010 ${up} ${status} 0.010 0.001 span${seed}.example ${i + 1}\n`);
    if (status === 502) {
      const et = `${d.getUTCFullYear()}/${p2(d.getUTCMonth() + 1)}/${p2(d.getUTCDate())} ${hms}`;
      errors.push(`${et} [error] 7#7: *${i + 1} connect() failed (111: Connection refused) while connecting to upstream, client: 10.1.0.${1 + (i % 50)}, server: span${seed}.example, request: "GET /p/${i % 20} HTTP/1.1", upstream: "http://${up}/p/${i % 20}", host: "span${seed}.example"\n`);
    }
  }
  fs.writeFileSync(path.join(dir, 'access.log'), access.join(''));
  fs.writeFileSync(path.join(dir, 'error.log'), errors.join(''));
}

/**
 * Several directories: fixture copies (so minutes and upstreams meet across jobs), rotated sets
 * with a gzip generation, a PHP-FPM log alone in its directory (its evidence refines the other
 * directories' FastCGI failures), and seeded synthetic vhosts.
 */
function multiInput(): string {
  const root = tmp();
  const mk = (d: string) => {
    const p = path.join(root, d);
    fs.mkdirSync(p);
    return p;
  };
  const a = mk('nginx-rotated');
  rotate(FIX('nginx/access.log'), a, 'access.log');
  rotate(FIX('nginx/error.log'), a, 'error.log');
  const b = mk('apache');
  for (const f of ['access.log', 'error.log', 'access-combined.log']) fs.copyFileSync(FIX(`apache/${f}`), path.join(b, f));
  const c = mk('nginx-combined');
  fs.copyFileSync(FIX('nginx/access-combined.log'), path.join(c, 'access.log'));
  fs.copyFileSync(FIX('nginx/error.log'), path.join(c, 'error.log'));
  const fpm = mk('php');
  fs.copyFileSync(FIX('nginx/php-fpm.log'), path.join(fpm, 'php-fpm.log'));
  fs.copyFileSync(FIX('apache/php-fpm.log'), path.join(fpm, 'php-fpm.log.1'));
  for (let i = 1; i <= 3; i++) syntheticVhost(mk(`vhost${i}`), i, 1500);
  return root;
}

/** The report without its generation time: everything else must be byte-identical. */
function report(args: string[]): { code: number | null; stdout: string; stderr: string } {
  const r = runCli(['analyze', ...args, '--tz', 'UTC']);
  return { ...r, stdout: r.stdout.replace(/"generatedAt": ?"[^"]*"/g, '"generatedAt":""') };
}

function expectSameRuns(args: string[], jobs = 2) {
  const one = report([...args, '--jobs', '1']);
  const two = report([...args, '--jobs', String(jobs)]);
  expect(two.code).toBe(one.code);
  expect(two.stderr).toBe(one.stderr);
  expect(two.stdout).toBe(one.stdout);
  return one;
}

describe('--jobs 2 gives the report of --jobs 1', () => {
  const named = ['nginx/access.log', 'apache/access.log', 'nginx/error.log', 'apache/error.log', 'nginx/php-fpm.log', 'apache/php-fpm.log'].map(FIX);

  test.each(['json', 'table', 'csv'])('bundled fixtures (the quick-start files), --format %s', (format) => {
    const r = expectSameRuns([...named, '--format', format]);
    expect(r.code).toBe(0);
  });

  test('bundled fixture folders (combined-format copies too), with --show-skipped', () => {
    const r = expectSameRuns([FIX('nginx'), FIX('apache'), '--format', 'json', '--show-skipped', '3']);
    expect(JSON.parse(r.stdout).files.length).toBeGreaterThan(6);
  });

  test('generated multi-directory input: rotated sets, gzip, PHP-FPM in its own directory, synthetic vhosts', () => {
    const root = multiInput();
    const r = expectSameRuns([root, '--format', 'json']);
    const doc = JSON.parse(r.stdout);
    expect(doc.files.length).toBe(19);
    expect(doc.failures).toBeGreaterThan(300);
    // the PHP-FPM evidence (only in php/) refined the FastCGI timeouts of the nginx directories
    const overloaded = doc.causes.find((c: { cause: string }) => c.cause === 'upstream-overloaded');
    expect(overloaded.signatures['nginx-timeout-read-header']).toBeGreaterThan(0);
    expectSameRuns([root, '--format', 'json'], 3);
    expectSameRuns([root, '--format', 'json'], 8);
    expectSameRuns([root, '--format', 'json', '--since', '2026-11-24T07:16:40Z']);
  });

  test('logs over more minutes than the time table holds: the same wider buckets, the same report', () => {
    const root = tmp();
    // 60,000 and 60,000 minutes, overlapping by half: each part and the whole pass the bound
    for (const [seed, from] of [[1, 0], [2, 30_000]]) {
      fs.mkdirSync(path.join(root, `span${seed}`));
      spanVhost(path.join(root, `span${seed}`), seed, from, 60_000);
    }
    const r = expectSameRuns([root, '--format', 'json', '--bucket', '1h']);
    const doc = JSON.parse(r.stdout);
    expect(doc.timeline.stepMinutes).toBe(5);
    expect(doc.timeline.bucket).toBe('1h');
    expect(doc.timeline.buckets.reduce((n: number, b: { requests: number }) => n + b.requests, 0)).toBe(120_000);
    expect(doc.timeline.buckets.reduce((n: number, b: { failures: number }) => n + b.failures, 0)).toBe(2 * Math.ceil(60_000 / 9));
  });

  test('the parallel run really uses a worker thread, and its document equals the sequential one', async () => {
    const root = multiInput();
    const inputs = discoverInputs([root]);
    const read = () => ({ formats: [], clock: new ZoneClock('UTC'), maxLine: 65536, showSkipped: 2 });
    const seq = await analyzeInputs({ inputs, read: read(), jobs: 1 });
    const par = await analyzeInputs({ inputs, read: read(), jobs: 2 });
    expect(seq.workers).toBe(0);
    expect(par.workers).toBe(1);
    // auto: small inputs (these are < 64 MiB) are read in one thread
    expect((await analyzeInputs({ inputs, read: read(), jobs: 'auto' })).workers).toBe(0);
    const doc = (o: typeof seq) => ({ ...buildDocument(o.summary, { evicted: o.evicted, zone: 'UTC' }), generatedAt: '' });
    expect(JSON.stringify(doc(par))).toBe(JSON.stringify(doc(seq)));
  });

  test('--jobs auto on large inputs: a worker for access logs in two directories, none for error logs alone; the reports of --jobs 1', async () => {
    // Large on disk, small to read: each file's lines, then a hole (no blocks written) that the
    // reader takes for one over-long line. Threads start before the peeks when the sizes call for
    // them (analyzeInputs); for error logs alone the peeks say one job and the early one is closed.
    const half = Math.ceil(AUTO_MIN_BYTES / 2) + 1;
    const read = () => ({ formats: [], clock: new ZoneClock('UTC'), maxLine: 65536, showSkipped: 2 });
    const doc = (o: Awaited<ReturnType<typeof analyzeInputs>>) => JSON.stringify({ ...buildDocument(o.summary, { evicted: o.evicted, zone: 'UTC' }), generatedAt: '' });
    const cpus = os.availableParallelism();
    for (const kind of ['access.log', 'error.log']) {
      const root = tmp();
      for (const seed of [1, 2]) {
        const dir = path.join(root, `site${seed}`);
        fs.mkdirSync(dir);
        syntheticVhost(dir, seed, 400);
        if (kind === 'error.log') fs.rmSync(path.join(dir, 'access.log'));
        fs.truncateSync(path.join(dir, kind), half);
      }
      const inputs = discoverInputs([root]);
      const auto = await analyzeInputs({ inputs, read: read(), jobs: 'auto' });
      const seq = await analyzeInputs({ inputs, read: read(), jobs: 1 });
      expect([kind, auto.workers]).toEqual([kind, kind === 'access.log' ? Math.min(AUTO_MAX_JOBS, cpus) - 1 : 0]);
      expect(seq.workers).toBe(0);
      expect(doc(auto)).toBe(doc(seq));
      expect(auto.summary.totals.skippedByReason['too-long']).toBe(2);
      fs.rmSync(root, { recursive: true, force: true });
    }
  });

  test('--jobs auto: two jobs at most, and one for small inputs, one directory or error logs alone', () => {
    const big = AUTO_MIN_BYTES;
    expect(autoJobs({ dirs: 4, bytes: big, accessLogs: true, cpus: 2 })).toBe(2);
    // every job holds a heap: more CPUs do not make it wider (--jobs N does)
    expect(autoJobs({ dirs: 4, bytes: 10 * big, accessLogs: true, cpus: 64 })).toBe(AUTO_MAX_JOBS);
    expect(AUTO_MAX_JOBS).toBe(2);
    expect(autoJobs({ dirs: 4, bytes: big, accessLogs: true, cpus: 1 })).toBe(1);
    expect(autoJobs({ dirs: 1, bytes: 10 * big, accessLogs: true, cpus: 8 })).toBe(1);
    expect(autoJobs({ dirs: 4, bytes: big - 1, accessLogs: true, cpus: 8 })).toBe(1);
    expect(autoJobs({ dirs: 4, bytes: 10 * big, accessLogs: false, cpus: 8 })).toBe(1);
  });

  test('NDJSON streams the events in order: the run is sequential, the output the same', () => {
    const r = expectSameRuns([FIX('nginx'), FIX('apache'), '--format', 'ndjson']);
    expect(r.stdout.split('\n').length).toBeGreaterThan(100);
  });

  test('--progress draws and erases the bar from all jobs', () => {
    const r = runCli(['analyze', FIX('nginx'), FIX('apache'), '--format', 'json', '--jobs', '2', '--progress']);
    expect(r.code).toBe(0);
    expect(r.stderr.endsWith('\r\x1b[K') || r.stderr === '').toBe(true);
  });
});

describe('--jobs 3: worker threads that cannot start or stop under their task', () => {
  /** A thread that never starts: node's error under a task limit (a container's pids.max). */
  class UnstartableWorker {
    constructor() {
      throw Object.assign(new Error('EAGAIN'), { code: 'ERR_WORKER_INIT_FAILED' });
    }
  }
  /** A thread that dies with its first task (its isolate out of memory): no answer, an error, an exit. */
  class DiesWithItsTask extends EventEmitter {
    static tasks = 0;
    postMessage(): void {
      DiesWithItsTask.tasks++;
      setImmediate(() => {
        this.emit('error', Object.assign(new Error('Worker terminated due to reaching memory limit: JS heap out of memory'), { code: 'ERR_WORKER_OUT_OF_MEMORY' }));
        this.emit('exit', 1);
      });
    }
    terminate(): Promise<number> {
      return Promise.resolve(1);
    }
  }

  /** analyzeInputs with --jobs 3, its two worker threads made by `FakeWorker` (one of them) and node. */
  async function withOneFake(FakeWorker: unknown, inputs: ReturnType<typeof discoverInputs>) {
    // the module object itself: the pool looks its Worker up there when it starts its threads
    const workerThreads = require('worker_threads') as { Worker: new (...args: unknown[]) => unknown };
    const Real = workerThreads.Worker;
    let made = 0;
    workerThreads.Worker = function (this: unknown, ...args: unknown[]) {
      return made++ === 0 ? new (FakeWorker as typeof Real)(...args) : new Real(...args);
    } as unknown as typeof Real;
    try {
      // the pool starts its threads before the call's first await
      return analyzeInputs({ inputs, read: read(), jobs: 3 });
    } finally {
      workerThreads.Worker = Real;
    }
  }
  const read = () => ({ formats: [], clock: new ZoneClock('UTC'), maxLine: 65536, showSkipped: 2 });
  const doc = (o: Awaited<ReturnType<typeof analyzeInputs>>) => JSON.stringify({ ...buildDocument(o.summary, { evicted: o.evicted, zone: 'UTC' }), generatedAt: '' });

  test('one that cannot start: the others read its share, the report of --jobs 1, a note saying so', async () => {
    const inputs = discoverInputs([multiInput()]);
    const seq = await analyzeInputs({ inputs, read: read(), jobs: 1 });
    const par = await withOneFake(UnstartableWorker, inputs);
    expect(par.workers).toBe(1);
    expect(par.notes).toEqual(['a worker thread could not start (EAGAIN): its files are read by the other jobs']);
    expect(doc(par)).toBe(doc(seq));
  });

  test('one that dies with its task: the task is read again by another job, once; the report of --jobs 1', async () => {
    const inputs = discoverInputs([multiInput()]);
    const seq = await analyzeInputs({ inputs, read: read(), jobs: 1 });
    DiesWithItsTask.tasks = 0;
    const par = await withOneFake(DiesWithItsTask, inputs);
    expect(DiesWithItsTask.tasks).toBe(1);
    expect(par.workers).toBe(1);
    expect(par.notes).toEqual(['a worker thread stopped (Worker terminated due to reaching memory limit: JS heap out of memory): its files are read by the other jobs']);
    expect(doc(par)).toBe(doc(seq));
  });
});

describe('--jobs 2: inputs that cannot be read, or break off', () => {
  function withBroken(): string {
    const root = tmp();
    for (const [d, src] of [['a', 'nginx'], ['b', 'apache']]) {
      fs.mkdirSync(path.join(root, d));
      for (const f of ['access.log', 'error.log']) fs.copyFileSync(FIX(`${src}/${f}`), path.join(root, d, f));
    }
    return root;
  }

  test('an unreadable file among several: exit 2, the same lines on stderr, the same report', () => {
    const root = withBroken();
    fs.mkdirSync(path.join(root, 'c'));
    fs.symlinkSync('/nonexistent/access.log', path.join(root, 'c', 'access.log'));
    fs.writeFileSync(path.join(root, 'b', 'old.log'), 'BZh91AY&SY');
    const r = expectSameRuns([root, '--format', 'json']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/c\/access\.log: no such file or directory/);
    expect(r.stderr).toMatch(/b\/old\.log: bzip2-compressed/);
  });

  test('a gzip generation that breaks off: exit 3, the same warning, what was read counted', () => {
    const root = withBroken();
    const gz = zlib.gzipSync(fs.readFileSync(FIX('nginx/access.log')));
    fs.writeFileSync(path.join(root, 'a', 'access.log.1.gz'), gz.subarray(0, gz.length >> 1));
    const r = expectSameRuns([root, '--format', 'json']);
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/access\.log\.1\.gz: gzip stream is truncated/);
  });

  test('--jobs must be a positive number or auto', () => {
    for (const bad of ['0', '-1', 'two', '1.5']) {
      const r = runCli(['analyze', FIX('nginx'), '--jobs', bad]);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/--jobs/);
    }
  });
});

describe('check --jobs 2', () => {
  test('an error log never rotated, read in pieces beside rotated access logs: the same report and offending lines', () => {
    const root = tmp();
    oneErrorLogDays(4, 300, path.join(root, 'one-error-log'));
    rotatedDays(3, 300, path.join(root, 'rotated'));
    const r = expectSameRuns([root, '--format', 'json']);
    const doc = JSON.parse(r.stdout);
    expect(doc.correlation.explainedShare).toBe(1);
    expect(doc.files.filter((f: { path: string }) => f.path.endsWith('one-error-log/error.log'))).toHaveLength(1);
    const args = ['check', root, '--tz', 'UTC', '--max', 'upstream-refused=0'];
    const one = runCli([...args, '--jobs', '1']);
    const two = runCli([...args, '--jobs', '2']);
    expect(one.code).toBe(1);
    expect(two.stdout).toBe(one.stdout);
    expect(one.stdout).toMatch(/one-error-log\/error\.log:\d+/);
  });

  test('the same verdicts, offending lines and exit code as --jobs 1', () => {
    const root = multiInput();
    const args = ['check', root, '--tz', 'UTC', '--max', 'upstream-refused=0', '--forbid', '504', '--require-explained', '99%', '--max-rate', '5xx=1%'];
    const one = runCli([...args, '--jobs', '1']);
    const two = runCli([...args, '--jobs', '2']);
    expect(one.code).toBe(1);
    expect(two.code).toBe(one.code);
    expect(two.stderr).toBe(one.stderr);
    expect(two.stdout).toBe(one.stdout);
    expect(one.stdout).toMatch(/vhost\d\/(access|error)\.log:\d+/);
  });
});

describe('merging partial summaries', () => {
  test('one part merged alone is the same summary', async () => {
    const { runUnit } = await import('../src/analyze/unit');
    const files = discoverInputs([FIX('nginx')]).map((spec, index) => ({ spec, index }));
    const r = await runUnit({ files, read: { formats: [], zone: 'UTC', maxLine: 65536 }, evidence: [], recordEvidence: false, watches: [], perKey: 5 });
    const { summary } = mergeSummaries([JSON.parse(JSON.stringify(r.partial, (_k, v) => (ArrayBuffer.isView(v) ? Array.from(v as Float64Array) : v)))]);
    expect(summary.files.map((f) => f.path)).toEqual(files.map((f) => f.spec.path));
    expect(summary.minutes.size).toBeGreaterThan(0);
  });

  test('SpaceSaving.mergeAll: exact without evictions; otherwise over-estimates by at most N/k and keeps every key above N/k', () => {
    fc.assert(
      fc.property(
        fc.array(fc.array(fc.integer({ min: 0, max: 60 }), { maxLength: 400 }), { minLength: 1, maxLength: 4 }),
        fc.integer({ min: 1, max: 30 }),
        (streams, k) => {
          const parts = streams.map((st) => {
            const t = new SpaceSaving(k);
            for (const x of st) t.add(`k${x}`);
            return t;
          });
          const merged = SpaceSaving.mergeAll(parts, k);
          const truth = new Map<string, number>();
          for (const st of streams) for (const x of st) truth.set(`k${x}`, (truth.get(`k${x}`) ?? 0) + 1);
          const n = streams.reduce((a, st) => a + st.length, 0);
          expect(merged.totalCount).toBe(n);
          const got = new Map(merged.top(k).map((i) => [i.key, i]));
          expect(got.size).toBeLessThanOrEqual(k);
          for (const [key, item] of got) {
            const f = truth.get(key) ?? 0;
            expect(item.count).toBeGreaterThanOrEqual(f);
            expect(item.count - f).toBeLessThanOrEqual(item.error);
            expect(item.error).toBeLessThanOrEqual(n / k);
          }
          for (const [key, f] of truth) if (f > n / k) expect(got.has(key)).toBe(true);
          if (truth.size <= k) for (const [key, f] of truth) expect(got.get(key)?.count).toBe(f);
        },
      ),
      { numRuns: 300 },
    );
  });
});
