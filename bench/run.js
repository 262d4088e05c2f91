'use strict';
/**
 * `npm run bench`: generates the workload (bench/gen.js, seeded, cached in bench/data/), then runs
 * the built CLI's `analyze` and the yardsticks as child processes in one invocation, alternating
 * (round 1: every contender once, round 2: again, ...), and reports the median of BENCH_RUNS (3)
 * wall times, lines/s, MB/s, peak RSS (/usr/bin/time) and the ratios the targets are stated in.
 * The machine's speed drifts between runs minutes apart: only ratios from one run are compared.
 *
 *   BENCH_LINES=4000000 npm run bench        # bigger workload (default 1e6)
 *   BENCH_DISTINCT_LINES=10000000 ...        # the 10 M distinct URLs/clients/hosts RSS check
 *   BENCH_GOACCESS=0 ...                     # leave GoAccess out (it is ~50x slower)
 *   BENCH_ONLY=upstream,gzip ...             # run some workloads only
 *   BENCH_BAR_PAIRS=7 ...                    # back-to-back pairs for the progress bar's verdict
 *   BENCH_SPAN_MINUTES=43200 ...             # the long-span workload's minutes (default a year)
 *   BENCH_ROTATED_DAYS=30 BENCH_ROTATED_FAILURES=5000 ...  # the rotated workload's days and 502s a day
 *                                            (app-errors: 3 days at most of the same, with 500s)
 */
const { spawnSync } = require('child_process');
const fs = require('fs');
const os = require('os');
const path = require('path');
const { generate } = require('./gen');

// Node 20 parses the certificates NODE_EXTRA_CA_CERTS names at every start (56-89 ms on this
// machine, where the environment sets it). bin/upstream-doctor empties it; every contender runs
// without it, as on a server that does not set it, so that start-up is compared on equal terms.
const EXTRA_CA_CERTS = process.env.NODE_EXTRA_CA_CERTS;
delete process.env.NODE_EXTRA_CA_CERTS;

const ROOT = path.resolve(__dirname, '..');
/** The package's command (bin/upstream-doctor: node with the start-up V8 flags), as users run it. */
const CLI = path.join(ROOT, 'bin', 'upstream-doctor');
const YARDSTICK = path.join(__dirname, 'yardstick.js');
const TOGETHER = path.join(__dirname, 'together.js');
const DATA = path.join(__dirname, 'data');
const RUNS = Math.max(1, Number(process.env.BENCH_RUNS || 3));
/**
 * Back-to-back pairs for the progress bar's verdict, after the rounds. Within a round the two runs
 * are not neighbours (each round starts with the next contender, so in round 2 the bar's run is
 * first and the plain one last, minutes later); and three ratios of two runs decide nothing against a
 * 5% threshold on a machine whose identical runs move by 1.3x. Seven pairs, the first run of
 * each pair alternating: ~20 s on the 4 M-line log.
 */
const BAR_PAIRS = Math.max(1, Number(process.env.BENCH_BAR_PAIRS || 7));
const NODE = process.execPath;
const MiB = 1024 * 1024;

function which(cmd) {
  const r = spawnSync('sh', ['-c', `command -v ${cmd}`], { encoding: 'utf8' });
  return r.status === 0 ? r.stdout.trim() : null;
}
const GOACCESS = process.env.BENCH_GOACCESS === '0' ? null : which('goaccess');
const GAWK = which('gawk');
const TAIL = process.env.BENCH_TAIL !== '0';
/**
 * BENCH_BASELINE=DIR: another checkout of upstream-doctor, built (`dist/`), runs beside analyze
 * with the same arguments, alternating with it: a change measured as a ratio in one invocation
 * instead of against a run made when the machine was faster or slower.
 */
const BASELINE = process.env.BENCH_BASELINE ? path.resolve(process.env.BENCH_BASELINE) : null;
const TIME = fs.existsSync('/usr/bin/time') ? '/usr/bin/time' : null;

const GOACCESS_FORMATS = {
  upstream: '%h %^[%d:%t %^] "%r" %s %b "%R" "%u" %T %^',
  combined: 'COMBINED',
};

function analyze(files, extra = []) {
  return [CLI, 'analyze', ...files, '--format', 'json', ...extra];
}
/** The baseline's command with analyze's arguments: its own package command when it has one. */
function baselineOf(argv) {
  const bin = path.join(BASELINE, 'bin', 'upstream-doctor');
  return fs.existsSync(bin) ? [bin, ...argv.slice(1)] : [NODE, path.join(BASELINE, 'dist', 'cli', 'main.js'), ...argv.slice(1)];
}
function baselineCommit() {
  const r = spawnSync('git', ['-C', BASELINE, 'log', '-1', '--format=%h %s'], { encoding: 'utf8' });
  return r.status === 0 ? r.stdout.trim().slice(0, 100) : 'not a git checkout';
}
/** The issue's other reference: gawk counting 502/504 per hour (status is field 9, the time field 4 in all three layouts). */
function gawk(file) {
  return [GAWK, '$9==502||$9==504{c[substr($4,2,14)]++} END{n=0;for(k in c)n++;print n}', file];
}
function refs(file) {
  return { yardstick: [NODE, YARDSTICK, file], ...(GAWK ? { gawk: gawk(file) } : {}) };
}
function goaccess(file, fmt) {
  const out = path.join(os.tmpdir(), `ud-bench-goaccess-${process.pid}.json`);
  return [GOACCESS, file, `--log-format=${fmt}`, '--date-format=%d/%b/%Y', '--time-format=%T', '-o', out, '--no-progress', '--no-global-config'];
}

/** Every file under a path (a file, or a directory of them). */
function filesUnder(p) {
  if (!fs.statSync(p).isDirectory()) return [p];
  return fs.readdirSync(p).sort().flatMap((n) => filesUnder(path.join(p, n)));
}
/**
 * Reads a workload's files once, untimed, before each timed run: the issue's figures are for a
 * file in the page cache, and this machine's host takes page cache back within minutes (a 761 MB
 * log read 0.05 s warm, 0.7 s cold). Without it a run's speed depended on when the file was last
 * read. (Cold-cache reading is measured on its own in docs/performance.md.)
 */
const WARM = process.env.BENCH_WARM !== '0';
function warm(file) {
  const buf = Buffer.allocUnsafe(8 * MiB);
  for (const f of filesUnder(file)) {
    const fd = fs.openSync(f, 'r');
    try {
      while (fs.readSync(fd, buf, 0, buf.length, null) > 0);
    } finally {
      fs.closeSync(fd);
    }
  }
}

/**
 * One timed child process: wall ms (hrtime around the child) and peak RSS (KiB, from time -v's %M);
 * with `report`, analyze's JSON document is read back for the share of 502/504s it explained.
 */
function runOnce(argv, report = false) {
  const cmd = TIME ? [TIME, '-f', '%M', ...argv] : argv;
  const t0 = process.hrtime.bigint();
  const r = spawnSync(cmd[0], cmd.slice(1), { stdio: ['ignore', report ? 'pipe' : 'ignore', 'pipe'], encoding: 'utf8', maxBuffer: 64 * MiB });
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  // time -f %M prints the peak RSS last (after whatever the contender wrote, a progress bar included).
  const m = /(\d+)\s*$/.exec(r.stderr || '');
  const rssKiB = TIME && m ? Number(m[1]) : NaN;
  if (r.status !== 0 && r.status !== 1 && r.status !== 3) {
    throw new Error(`${argv.join(' ')} exited ${r.status}: ${(r.stderr || '').slice(0, 2000)}`);
  }
  const explained = report ? JSON.parse(r.stdout).correlation.explainedShare : undefined;
  return { ms, rssKiB, explained };
}

/** One contender of a workload run once, its files read beforehand (WARM), with a line on stderr. */
function timedRun(label, wl, name, report) {
  process.stderr.write(`${label} ${wl.id} ${name} ...`);
  if (WARM) warm(wl.load.file);
  const res = runOnce(wl.contenders[name], report);
  process.stderr.write(` ${(res.ms / 1000).toFixed(2)} s\n`);
  return res;
}

/** The environment variable behind each generated size (bench/gen.js). */
const SIZE_ENV = {
  lines: 'BENCH_LINES', errorLines: 'BENCH_ERROR_LINES', distinct: 'BENCH_DISTINCT_LINES', files: 'BENCH_FILES', seed: 'BENCH_SEED',
  spanMinutes: 'BENCH_SPAN_MINUTES', rotatedDays: 'BENCH_ROTATED_DAYS', rotatedFailures: 'BENCH_ROTATED_FAILURES',
};

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
/** The median over the rounds of contender a's time over contender b's in the same round. */
function roundRatio(runs, a, b) {
  return median(runs[a].map((x, r) => x.ms / runs[b][r].ms));
}

function multiAccessLogs(dir) {
  return fs.readdirSync(dir).sort().map((d) => path.join(dir, d, 'access.log'));
}
/**
 * Two `analyze --jobs 1` processes started together, each on half of the directories (what
 * `--jobs 2` deals to its two jobs when the directories are of one size): the most two jobs can
 * get out of this machine at that moment, with no worker, merge or shared heap in the way.
 */
function twoProcesses(dir) {
  const dirs = fs.readdirSync(dir).sort().map((d) => path.join(dir, d));
  const half = Math.ceil(dirs.length / 2);
  const cmds = [dirs.slice(0, half), dirs.slice(half)].map((ds) => analyze(ds, ['--jobs', '1']));
  return [NODE, TOGETHER, JSON.stringify(cmds)];
}

function workloads(m) {
  const w = m.workloads;
  const list = [
    { id: 'upstream', title: 'nginx access, `upstream` preset', load: w.upstream, target: 'analyze >= 2 M lines/s, >= 75% of yardstick, >= 40x GoAccess',
      contenders: { analyze: analyze([w.upstream.file]), 'analyze --progress': analyze([w.upstream.file], ['--progress']), ...refs(w.upstream.file),
        // analyze reads into page-aligned buffers (src/input/open.ts): what that alone gives the yardstick
        'yardstick, aligned reads': [NODE, YARDSTICK, '--aligned', w.upstream.file],
        ...(GOACCESS ? { goaccess: goaccess(w.upstream.file, GOACCESS_FORMATS.upstream) } : {}) } },
    { id: 'combined', title: 'nginx access, `combined`', load: w.combined, target: '>= 75% of yardstick, >= 40x GoAccess',
      contenders: { analyze: analyze([w.combined.file]), ...refs(w.combined.file), ...(GOACCESS ? { goaccess: goaccess(w.combined.file, GOACCESS_FORMATS.combined) } : {}) } },
    { id: 'apache', title: 'Apache access, `upstream_doctor` preset', load: w.apache, target: '>= 75% of yardstick',
      contenders: { analyze: analyze([w.apache.file]), ...refs(w.apache.file) } },
    { id: 'nginx-error', title: 'nginx error log', load: w.nginxError, target: '>= 1 M lines/s',
      contenders: { analyze: analyze([w.nginxError.file]) } },
    { id: 'apache-error', title: 'Apache error log', load: w.apacheError, target: '>= 1 M lines/s',
      contenders: { analyze: analyze([w.apacheError.file]) } },
    { id: 'gzip', title: 'gzip nginx access (`upstream`)', load: w.gzip, target: '>= 0.9 M lines/s',
      contenders: { analyze: analyze([w.gzip.file]), gunzip: ['gzip', '-dc', w.gzip.file] } },
    // analyze: --jobs 2 against the sequential run, and against two processes sharing only the machine.
    { id: 'multi', title: `${m.sizes.files} vhosts (access + error each), --jobs 2`, load: w.multi, target: 'parallel >= 1.7x --jobs 1',
      contenders: {
        analyze: analyze([w.multi.file], ['--jobs', '2']),
        'analyze --jobs 1': analyze([w.multi.file], ['--jobs', '1']),
        'two analyze --jobs 1 at once': twoProcesses(w.multi.file),
        // What a second thread gives this machine now, on the simplest parallel work there is.
        'yardstick 1 thread': [NODE, YARDSTICK, ...multiAccessLogs(w.multi.file)],
        'yardstick 2 threads': [NODE, YARDSTICK, '--threads', '2', ...multiAccessLogs(w.multi.file)],
      } },
    { id: 'distinct', title: 'every URL, client and host distinct (`upstream_doctor`)', load: w.distinct, target: 'peak RSS <= 150 MiB',
      contenders: { analyze: analyze([w.distinct.file]) } },
    // Memory that grows with the span of the logs, not their size: a request a minute for a year.
    { id: 'span', title: `a request a minute for ${m.sizes.spanMinutes} minutes (\`upstream\`)`, load: w.span, target: 'peak RSS <= 150 MiB',
      contenders: { analyze: analyze([w.span.file]) } },
    // A month of an incident in daily rotated sets: more failures than the correlation index holds.
    { id: 'rotated', title: `${m.sizes.rotatedDays} days of daily rotated access + error logs, ${m.sizes.rotatedFailures} 502s a day`, load: w.rotated,
      target: 'every 502 explained by its error-log twin; peak RSS <= 150 MiB', report: true,
      contenders: { analyze: analyze([w.rotated.file]) } },
    // An application failing on its own: access failures with no error-log twin to find.
    { id: 'app-errors', title: `${Math.min(3, m.sizes.rotatedDays)} days of rotated logs, ${m.sizes.rotatedFailures} 502s and ${2 * m.sizes.rotatedFailures} application 500s a day`,
      load: w.appErrors, target: 'every 502 explained (the 500s take none of their twins); peak RSS <= 150 MiB', report: true,
      contenders: { analyze: analyze([w.appErrors.file]) } },
    // The rotated set's days with one error log that was never rotated: read whole before the access
    // logs it held more failures than the index does (16.4% explained); now read in pieces.
    { id: 'unrotated', title: `${m.sizes.rotatedDays} days of rotated access logs beside one error log never rotated, ${m.sizes.rotatedFailures} 502s a day`,
      load: w.unrotated, target: 'every 502 explained; peak RSS <= 150 MiB', report: true,
      contenders: { analyze: analyze([w.unrotated.file]) } },
  ];
  if (BASELINE) for (const wl of list) wl.contenders['analyze (baseline)'] = baselineOf(wl.contenders.analyze);
  const only = process.env.BENCH_ONLY ? process.env.BENCH_ONLY.split(',') : null;
  return only ? list.filter((x) => only.includes(x.id)) : list;
}

function fmtRate(lines, ms) {
  return `${(lines / ms / 1000).toFixed(2)} M`;
}

function main() {
  const t0 = Date.now();
  process.stderr.write('generating workload (cached in bench/data/) ...\n');
  const manifest = generate(DATA);
  const list = workloads(manifest);
  const results = {};
  for (const wl of list) results[wl.id] = Object.fromEntries(Object.keys(wl.contenders).map((k) => [k, []]));
  // Alternate: round r runs every contender of every workload once, so drift hits all alike.
  for (let r = 0; r < RUNS; r++) {
    for (const wl of list) {
      // Each round starts the workload with the next contender: no one always runs first (cold caches).
      const order = Object.entries(wl.contenders);
      for (const [name] of [...order.slice(r % order.length), ...order.slice(0, r % order.length)]) {
        results[wl.id][name].push(timedRun(`round ${r + 1}/${RUNS}`, wl, name, wl.report === true && name.startsWith('analyze')));
      }
    }
  }
  const barPairs = {};
  for (const wl of list) {
    if (!wl.contenders['analyze --progress']) continue;
    const pairs = (barPairs[wl.id] = []);
    for (let p = 0; p < BAR_PAIRS; p++) {
      const names = p % 2 === 0 ? ['analyze', 'analyze --progress'] : ['analyze --progress', 'analyze'];
      const ms = {};
      for (const name of names) ms[name] = timedRun(`pair ${p + 1}/${BAR_PAIRS}`, wl, name, false).ms;
      pairs.push(ms['analyze --progress'] / ms.analyze);
    }
  }
  const rows = [];
  const checks = [];
  for (const wl of list) {
    const med = {};
    for (const [name, runs] of Object.entries(results[wl.id])) {
      med[name] = { ms: median(runs.map((x) => x.ms)), rssKiB: Math.max(...runs.map((x) => x.rssKiB)), explained: runs[0].explained };
      rows.push({
        workload: wl.id,
        contender: name,
        lines: wl.load.lines,
        ms: med[name].ms,
        linesPerS: fmtRate(wl.load.lines, med[name].ms),
        mbPerS: ((wl.load.bytes / MiB) / (med[name].ms / 1000)).toFixed(0),
        rss: (med[name].rssKiB / 1024).toFixed(0),
        // every round's time, in round order: how far one run of the same build moves
        rounds: runs.map((x) => (x.ms / 1000).toFixed(2)).join(', '),
      });
    }
    const a = med.analyze;
    const rate = wl.load.lines / a.ms / 1000; // M lines/s
    const add = (what, value, ok) => checks.push({ workload: wl.id, what, value, ok });
    if (med.yardstick) add('analyze / yardstick speed', `${((100 * med.yardstick.ms) / a.ms).toFixed(0)}%`, med.yardstick.ms / a.ms >= 0.75);
    if (med['yardstick, aligned reads']) add('analyze / yardstick with aligned reads: speed (reference, no target)', `${((100 * med['yardstick, aligned reads'].ms) / a.ms).toFixed(0)}%`, null);
    if (med['analyze --progress']) {
      // Judged on the back-to-back pairs (BAR_PAIRS); the rounds' figures are shown beside them.
      const pairs = barPairs[wl.id];
      const paired = median(pairs);
      const rounds = roundRatio(results[wl.id], 'analyze --progress', 'analyze');
      add(
        `progress bar drawn (forced) / none: time, median of ${pairs.length} back-to-back pairs' ratios (rounds' own ratios; of the rounds' medians)`,
        `${paired.toFixed(2)} (${rounds.toFixed(2)}; ${(med['analyze --progress'].ms / a.ms).toFixed(2)})`,
        paired <= 1.05,
      );
    }
    if (med.gawk) add('analyze / gawk speed (reference, no target)', `${(med.gawk.ms / a.ms).toFixed(2)}x`, null);
    if (med.goaccess) add('analyze / GoAccess speed', `${(med.goaccess.ms / a.ms).toFixed(1)}x`, med.goaccess.ms / a.ms >= 40);
    if (wl.id === 'upstream') add('analyze M lines/s', rate.toFixed(2), rate >= 2);
    if (wl.id.endsWith('-error')) add('analyze M lines/s', rate.toFixed(2), rate >= 1);
    if (wl.id === 'gzip') add('analyze M lines/s', rate.toFixed(2), rate >= 0.9);
    if (med['yardstick 2 threads']) {
      const machine = med['yardstick 1 thread'].ms / med['yardstick 2 threads'].ms;
      add('machine: yardstick on 2 threads / 1 thread (reference, no target)', `${machine.toFixed(2)}x`, null);
      if (med['analyze --jobs 1']) add('parallel speed-up / the machine\'s (reference, no target)', `${((med['analyze --jobs 1'].ms / a.ms / machine) * 100).toFixed(0)}%`, null);
    }
    if (med['two analyze --jobs 1 at once'] && med['analyze --jobs 1']) {
      const two = med['analyze --jobs 1'].ms / med['two analyze --jobs 1 at once'].ms;
      add('machine: two analyze processes at once (half the directories each) / --jobs 1 (reference, no target)', `${two.toFixed(2)}x`, null);
      add('parallel speed-up / two processes\' (reference, no target)', `${((med['analyze --jobs 1'].ms / a.ms / two) * 100).toFixed(0)}%`, null);
    }
    if (med['analyze --jobs 1']) add('parallel / --jobs 1 speed', `${(med['analyze --jobs 1'].ms / a.ms).toFixed(2)}x`, med['analyze --jobs 1'].ms / a.ms >= 1.7);
    if (a.explained !== undefined) add('share of the 502s explained', `${(a.explained * 100).toFixed(1)}%`, a.explained === 1);
    if (med['analyze (baseline)']?.explained !== undefined) add('baseline: share of the 502s explained (reference, no target)', `${(med['analyze (baseline)'].explained * 100).toFixed(1)}%`, null);
    add('analyze peak RSS MiB', (a.rssKiB / 1024).toFixed(0), a.rssKiB / 1024 <= 150);
    const base = med['analyze (baseline)'];
    if (base) {
      add('analyze / baseline: time, peak RSS (reference, no target)', `${(a.ms / base.ms).toFixed(2)}, ${(a.rssKiB / base.rssKiB).toFixed(2)}`, null);
      add('analyze / baseline: time, median of the rounds\' ratios (reference, no target)', roundRatio(results[wl.id], 'analyze', 'analyze (baseline)').toFixed(2), null);
    }
  }
  let tail = null;
  if (TAIL) {
    process.stderr.write('tail: an hour of input, RSS sampled ...');
    const r = spawnSync(NODE, [path.join(__dirname, 'tail-rss.js')], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
    if (r.status !== 0) throw new Error(`bench/tail-rss.js exited ${r.status}`);
    tail = JSON.parse(r.stdout.trim());
    process.stderr.write(` ${tail.rssQuartersMiB.join(' / ')} MiB\n`);
    const [, q2, , q4] = tail.rssQuartersMiB;
    checks.push({ workload: 'tail', what: 'RSS last quarter / second quarter of the hour', value: `${(q4 / q2).toFixed(2)}`, ok: q4 <= q2 * 1.1 });
    checks.push({ workload: 'tail', what: 'tail peak RSS MiB', value: Math.max(...tail.rssQuartersMiB).toFixed(0), ok: Math.max(...tail.rssQuartersMiB) <= 150 });
    checks.push({ workload: 'tail', what: 'lines read = lines written', value: `${tail.read} / ${tail.lines}`, ok: tail.read === tail.lines });
  }
  const date = new Date().toISOString();
  const cpu = os.cpus();
  const machine = `${cpu.length} x ${cpu[0] ? cpu[0].model.trim() : 'cpu'}, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, ${os.type()} ${os.release()}, Node ${process.version}`;
  const load = os.loadavg().map((x) => x.toFixed(1)).join(' ');
  const md = [
    `# upstream-doctor benchmark, ${date.slice(0, 10)}`,
    '',
    `- date: ${date}`,
    `- machine: ${machine} (load average at the end: ${load})`,
    `- command: \`${Object.entries(manifest.sizes).map(([k, v]) => `${SIZE_ENV[k]}=${v}`).join(' ')} BENCH_RUNS=${RUNS} BENCH_BAR_PAIRS=${BAR_PAIRS} npm run bench\` (median of ${RUNS} alternating runs; RSS is the maximum)`,
    `- files ${WARM ? 'read once, untimed, before each timed run (in the page cache)' : 'not pre-read (BENCH_WARM=0): a run may read them cold'}`,
    `- analyze runs as \`bin/upstream-doctor analyze FILE --format json\` (the package's command); yardstick = bench/yardstick.js; gawk ${GAWK ? 'included' : 'not installed'}; GoAccess ${GOACCESS ? 'included' : 'not installed or disabled'}`,
    `- environment: NODE_EXTRA_CA_CERTS ${EXTRA_CA_CERTS ? 'removed for every contender (it was set)' : 'not set'}`,
    ...(BASELINE ? [`- baseline (BENCH_BASELINE): \`${BASELINE}\` at ${baselineCommit()}, run as its package command with the same arguments`] : []),
    ...(tail ? [`- tail: bench/tail-rss.js, ${tail.lines} lines (an hour of log time) written in ${tail.wroteSeconds} s with 10 rotations; peak RSS per quarter of the run: ${tail.rssQuartersMiB.join(', ')} MiB (${tail.samples} samples)`] : []),
    '',
    '| workload | contender | lines | median s | rounds s | lines/s | MB/s | peak RSS MiB |',
    '|---|---|---:|---:|---:|---:|---:|---:|',
    ...rows.map((r) => `| ${r.workload} | ${r.contender} | ${r.lines} | ${(r.ms / 1000).toFixed(2)} | ${r.rounds} | ${r.linesPerS} | ${r.mbPerS} | ${r.rss} |`),
    '',
    '| workload | target | measured | met |',
    '|---|---|---:|---|',
    ...checks.map((c) => `| ${c.workload} | ${c.what} | ${c.value} | ${c.ok === null ? '—' : c.ok ? 'yes' : '**no**'} |`),
    '',
    `(${((Date.now() - t0) / 1000).toFixed(0)} s in all)`,
    '',
  ].join('\n');
  fs.mkdirSync(path.join(__dirname, 'results'), { recursive: true });
  const out = path.join(__dirname, 'results', `${date.slice(0, 16).replace(/[:T]/g, '-')}.md`);
  fs.writeFileSync(out, md);
  process.stdout.write(md + `\nwritten to ${path.relative(ROOT, out)}\n`);
}

main();
