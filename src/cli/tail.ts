import { once } from 'events';
import * as http from 'http';
import { Argv } from 'yargs';
import { FailureEvent } from '../model';
import { TailRun } from '../analyze/tail';
import { AlertEngine, AlertEvent, AlertSyntaxError, MAX_ALERT_WINDOW_MS, alertLine, parseAlert } from '../live/alerts';
import { AlertHook } from '../live/hook';
import { renderScreen } from '../live/screen';
import { Recent, UpstreamWindows, pruneMinutes, trendOf, windowCounts } from '../live/windows';
import { buildDocument } from '../report/json';
import type { TailMetrics } from '../report/metrics';
import { renderTable } from '../report/table';
import { DEFAULT_MAX_UPSTREAM_LABELS, repeatsErrorEntry, upstreamKey } from '../report/upstream-key';
import { InputArgs, commonInputOptions, readOptionsFrom, resolvePaths } from './analyze';
import { EXIT } from './exit-codes';
import { UsageError } from './options';
import { resolveInputs } from './config-inputs';
import { FormatPlan } from '../parse/format/plan';
import { forTerminal } from '../report/sanitize';

/**
 * `upstream-doctor tail [PATH...]`: follows the logs as they grow. On a TTY, a screen of the last
 * 1/5/15 minutes; off a TTY, the NDJSON events of `analyze --format ndjson` as lines are tagged.
 * Optional alerts, an alert hook, and a Prometheus endpoint.
 */

/**
 * Without PATH, the same choice as `analyze`: the logs the nginx / Apache configuration names
 * (their live files, with the configured formats), else the standard log directories, followed
 * as directories so that new log files are picked up.
 */
function defaultTargets(argv: TailArgs, formats: FormatPlan[]): string[] {
  const resolved = resolveInputs(argv, resolvePaths);
  for (const note of resolved.notes) process.stderr.write(`upstream-doctor: ${forTerminal(note)}\n`);
  formats.push(...resolved.formats);
  if (!resolved.configuration) return resolvePaths([]);
  return [...new Set(resolved.inputs.map((i) => i.rotationBase).filter((b) => b !== '-'))];
}

export interface TailArgs extends InputArgs {
  'from-start': boolean;
  interval: number;
  format: 'auto' | 'screen' | 'ndjson';
  alert?: string[];
  'on-alert'?: string;
  'metrics-port'?: number;
  'metrics-host': string;
  'metrics-max-upstreams': number;
  poll: number;
}

export function tailCommand(y: Argv) {
  return commonInputOptions(y)
    .option('from-start', { type: 'boolean', default: false, describe: 'read the existing content first (default: start at the end)' })
    .option('interval', { type: 'number', default: 2, describe: 'screen refresh, seconds (TTY)' })
    .option('format', {
      type: 'string',
      choices: ['auto', 'screen', 'ndjson'] as const,
      default: 'auto' as const,
      describe: 'screen on a TTY, NDJSON events otherwise',
    })
    .option('alert', { type: 'string', array: true, describe: "SELECTOR>N[%]/WINDOW, e.g. 'upstream-refused>10/1m' '502>5%/5m' 'upstream-down>20/5m'" })
    .option('on-alert', { type: 'string', describe: 'command run (via sh) when an alert fires or clears; the alert is in UD_ALERT_* variables' })
    .option('metrics-port', { type: 'number', describe: 'serve Prometheus metrics on this port (/metrics); 0 picks a free one' })
    .option('metrics-host', { type: 'string', default: '127.0.0.1', describe: 'address to bind the metrics endpoint to' })
    .option('metrics-max-upstreams', {
      type: 'number',
      default: DEFAULT_MAX_UPSTREAM_LABELS,
      describe: 'distinct upstream label values in /metrics; the rest are counted as "other"',
    })
    .option('poll', { type: 'number', default: 250, describe: 'milliseconds between checks of the files (file events also wake tail)' });
}

/** Minute counts kept for the final summary's timeline and the alert windows. */
const KEEP_MINUTES_MS = MAX_ALERT_WINDOW_MS;
/** How long a rotated-away file is still read for late writes (nginx until it reopens its logs). */
const GRACE_MS = 5000;

export async function runTail(argv: TailArgs): Promise<number> {
  const readOpts = readOptionsFrom(argv);
  if (!(argv.interval > 0)) throw new UsageError('--interval must be a positive number of seconds');
  if (!(argv.poll >= 10)) throw new UsageError('--poll must be at least 10 ms');
  if (argv['metrics-port'] !== undefined && !(Number.isInteger(argv['metrics-port']) && argv['metrics-port'] >= 0 && argv['metrics-port'] < 65536)) {
    throw new UsageError('--metrics-port must be a port number (0-65535)');
  }
  let rules;
  try {
    rules = (argv.alert ?? []).map(parseAlert);
  } catch (err) {
    if (err instanceof AlertSyntaxError) throw new UsageError(err.message);
    throw err;
  }
  const targets = argv.paths.length > 0 ? argv.paths : defaultTargets(argv, readOpts.formats);
  const out = process.stdout;
  const screen = argv.format === 'screen' || (argv.format === 'auto' && Boolean(out.isTTY));
  const warn = (msg: string) => {
    // Paths and log values are attacker-controlled text.
    if (!screen) process.stderr.write(`upstream-doctor: ${forTerminal(msg)}\n`);
    else warnings.push(forTerminal(msg));
  };
  const warnings = new Recent<string>(3);
  let outClosed = false;
  out.on('error', () => {
    outClosed = true; // the reader went away (| head): stop quietly
    void shutdown();
  });
  const write = (s: string) => {
    if (!outClosed) out.write(s);
  };

  // prom-client is loaded only when asked for: it costs every other command half a second.
  const metrics: TailMetrics | null =
    argv['metrics-port'] !== undefined ? new (await import('../report/metrics')).TailMetrics(argv['metrics-max-upstreams']) : null;
  const upstreams = new UpstreamWindows();
  const recent = new Recent<FailureEvent>(8);
  const alertLines = new Recent<string>(5);
  const hook = argv['on-alert'] ? new AlertHook(argv['on-alert'], warn) : null;

  const onEvent = (ev: FailureEvent) => {
    metrics?.failure(ev);
    const ts = ev.ts ? Date.parse(ev.ts) : Date.now();
    if (ev.upstream && !repeatsErrorEntry(ev)) upstreams.add(ts, upstreamKey(ev.upstream));
    // One line per failure: an access line explained by an error entry repeats it.
    if (!repeatsErrorEntry(ev)) recent.push(ev);
    if (!screen) write(JSON.stringify(ev) + '\n');
  };
  const run = new TailRun(targets, readOpts, {
    fromStart: argv['from-start'],
    pollMs: argv.poll,
    graceMs: GRACE_MS,
    onEvent,
    onLines: metrics ? (p, s) => metrics.lines(p, s) : undefined,
    onSwitch: (file, reason) => {
      metrics?.switched(reason);
      if (reason === 'truncated-no-copy') warn(`${file} was truncated and no rotated copy holds the lines written since the last read`);
    },
    warn,
    // NDJSON to a slow pipe: wait rather than buffer without bound.
    wait: () => (!screen && !outClosed && out.writableNeedDrain ? once(out, 'drain').then(() => undefined) : null),
  });

  const engine = new AlertEngine(rules, (ev: AlertEvent) => {
    metrics?.alert(ev.alert, ev.state === 'firing');
    const line = forTerminal(alertLine(ev));
    alertLines.push(line);
    if (!screen) {
      write(JSON.stringify(ev) + '\n');
      process.stderr.write(line + '\n');
    }
    hook?.run(ev);
  });

  let server: http.Server | null = null;
  if (metrics) {
    try {
      const served = await metrics.serve(argv['metrics-host'], argv['metrics-port']!);
      server = served.server;
      process.stderr.write(`upstream-doctor: metrics on ${served.url}\n`);
    } catch (err) {
      throw new UsageError(`--metrics-port: cannot listen on ${argv['metrics-host']}:${argv['metrics-port']}: ${(err as Error).message}`);
    }
  }

  const draw = () => {
    const now = Date.now();
    const s = run.analyzer.summary;
    const w1 = windowCounts(s, now, 60_000);
    const w5 = windowCounts(s, now, 300_000);
    const w15 = windowCounts(s, now, 900_000);
    const text = renderScreen({
      now,
      files: run.files.length,
      linesRead: run.linesRead,
      windows: { w1, w5, w15 },
      trend: trendOf(w1.failures, w15.failures),
      upstreams: upstreams.top(now, 300_000, 5),
      recent: recent.all,
      alerts: [...alertLines.all, ...warnings.all.map((w) => `warning: ${w}`)],
      active: engine.active,
      width: out.columns || 100,
    });
    write('\x1b[H\x1b[2J' + text);
  };

  await run.start();
  process.stderr.write(`upstream-doctor: following ${run.files.length} file(s)\n`);
  const evalTimer = setInterval(() => {
    const now = Date.now();
    pruneMinutes(run.analyzer.summary, now, KEEP_MINUTES_MS);
    engine.evaluate(run.analyzer.summary, now);
  }, 1000);
  const drawTimer = screen ? setInterval(draw, argv.interval * 1000) : null;
  if (screen) draw();

  let resolveDone: () => void;
  const done = new Promise<void>((r) => (resolveDone = r));
  let stopping = false;
  async function shutdown(): Promise<void> {
    if (stopping) return;
    stopping = true;
    clearInterval(evalTimer);
    if (drawTimer) clearInterval(drawTimer);
    const files = await run.stop();
    if (server) await new Promise<void>((r) => server!.close(() => r()));
    await hook?.settle(2000);
    const summary = run.analyzer.summary;
    summary.files.push(...files);
    const doc = buildDocument(summary, { bucket: 'auto', showSkipped: false, evicted: run.analyzer.index.evicted });
    if (screen) write('\x1b[H\x1b[2J' + renderTable(doc, { boxes: true, color: !process.env.NO_COLOR }));
    else write(JSON.stringify({ type: 'summary', ...doc, timeline: undefined }) + '\n');
    resolveDone();
  }
  process.once('SIGINT', () => void shutdown());
  process.once('SIGTERM', () => void shutdown());
  await done;
  return EXIT.OK;
}
