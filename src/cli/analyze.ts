import { Argv } from 'yargs';
import { FailureEvent, LogKind } from '../model';
import { DEFAULT_LOG_DIRS, InputError, existingDefaultDirs } from '../input/discover';
import { Jobs, analyzeInputs, parseJobs } from '../analyze/parallel';
import { ReadOptions } from '../analyze/read-file';
import { ZoneClock } from '../parse/time';
import { buildDocument } from '../report/json';
import { localZone } from '../report/timeline';
import { forTerminal } from '../report/sanitize';
import { EXIT } from './exit-codes';
import { KINDS, STDIN_ARG, UsageError, checkBucket, checkZone, parseRange, userFormats } from './options';
import { progressFor } from './progress';
import { ConfigArgs, resolveInputs } from './config-inputs';
import { openReportFile } from './output';

const table = (): typeof import('../report/table') => require('../report/table');
const csv = (): typeof import('../report/csv') => require('../report/csv');
const html = (): typeof import('../report/html') => require('../report/html');

/** `upstream-doctor analyze [PATH...]`: the batch report. */

/** The options commonInputOptions() declares, shared by analyze, check and tail. */
export interface InputArgs extends ConfigArgs {
  paths: string[];
  'nginx-format'?: string[];
  'apache-format'?: string[];
  kind?: string;
  tz?: string;
  'max-line-length': number;
}

/** `--jobs`, shared by the batch commands (analyze, check; not tail). */
export interface JobsArgs {
  jobs?: string;
}

export function jobsOption<T>(y: Argv<T>) {
  return y.option('jobs', {
    alias: 'j',
    type: 'string',
    describe: 'directories read in parallel by N jobs (this thread and N - 1 worker threads), or auto: at most 2 (one per CPU and per directory), 1 below 1 GiB of logs or without access logs; 1 reads all in this thread',
    default: 'auto',
  });
}

export function jobsFrom(argv: JobsArgs): Jobs {
  const jobs = parseJobs(argv.jobs);
  if (jobs === null) throw new UsageError(`--jobs: "${argv.jobs}" is neither a positive number nor auto`);
  return jobs;
}

export interface AnalyzeArgs extends InputArgs, JobsArgs {
  format: 'table' | 'json' | 'ndjson' | 'csv' | 'html';
  since?: string;
  until?: string;
  bucket: string;
  'show-skipped': number;
  output?: string;
  color?: boolean;
  boxes?: boolean;
  'display-tz'?: string;
  progress?: boolean;
}

export function commonInputOptions<T>(y: Argv<T>) {
  return y
    .positional('paths', {
      type: 'string',
      array: true,
      default: [] as string[],
      describe: `log files, directories or - for stdin (default: ${DEFAULT_LOG_DIRS.join(', ')})`,
    })
    .option('nginx-format', {
      type: 'string',
      array: true,
      describe: 'nginx log_format string, or a preset name (combined, main, upstreaminfo, upstream, upstream_doctor)',
    })
    .option('apache-format', {
      type: 'string',
      array: true,
      describe: 'Apache LogFormat string, or a preset name (common, combined, vhost_combined, upstream_doctor)',
    })
    .option('nginx-conf', {
      type: 'string',
      describe: 'nginx configuration naming the logs and their formats, or - for `nginx -T` output on stdin (default: /etc/nginx/nginx.conf when there is no PATH)',
    })
    .option('apache-conf', {
      type: 'string',
      describe: 'Apache configuration naming the logs and their formats (default: /etc/apache2/apache2.conf or /etc/httpd/conf/httpd.conf when there is no PATH)',
    })
    .option('nginx-prefix', { type: 'string', hidden: true, describe: 'nginx -p prefix for relative log paths' })
    .option('kind', { type: 'string', choices: KINDS, describe: 'force the kind of every input instead of detecting it' })
    .option('tz', { type: 'string', describe: 'zone of error-log times (they carry none) and, unless --display-tz, of report times (default: this machine\'s zone)' })
    .option('max-line-length', { type: 'number', default: 65536, describe: 'longer lines are skipped as too-long' });
}

export function analyzeCommand(y: Argv) {
  return jobsOption(commonInputOptions(y))
    .option('format', {
      type: 'string',
      choices: ['table', 'json', 'ndjson', 'csv', 'html'] as const,
      default: 'table' as const,
      describe: 'table (terminal), json (document), ndjson (one event per failure), csv (timeline), html (self-contained report, with --output)',
    })
    .option('since', { type: 'string', describe: 'from this time (inclusive): ISO 8601 (zone-less means --tz), or a span before now: 30m, 2h, 7d' })
    .option('until', { type: 'string', describe: 'up to this time (exclusive): ISO 8601, or a span before now' })
    .option('bucket', { type: 'string', default: 'auto', describe: 'timeline bucket: auto (30-120 buckets), 1m, 5m, 15m, 30m, 1h, 6h, 12h, 1d (also 2m 10m 2h 3h)' })
    .option('display-tz', { type: 'string', describe: 'zone for report times and bucket boundaries (default: --tz, else this machine\'s zone)' })
    .option('progress', { type: 'boolean', describe: 'progress bar on stderr (default: when stderr is a terminal)' })
    .option('show-skipped', { type: 'number', default: 0, describe: 'print up to N example lines per skip reason' })
    .option('output', { alias: 'o', type: 'string', describe: 'write the report to this file instead of stdout' })
    .option('color', { type: 'boolean', describe: 'colour in the table (default: on a TTY unless NO_COLOR is set)' })
    .option('boxes', { type: 'boolean', describe: 'box-drawing table borders (default: on a TTY)' });
}

/** Resolves PATH arguments, falling back to the standard log directories. */
export function resolvePaths(paths: string[]): string[] {
  if (paths.length > 0) return paths.map((p) => (p === STDIN_ARG ? '-' : p));
  const found = existingDefaultDirs();
  if (found.length === 0) {
    throw new UsageError(
      `no logs found: none of ${DEFAULT_LOG_DIRS.join(', ')} exists; point me at a directory, e.g. upstream-doctor analyze ./fixtures`,
    );
  }
  return found;
}

export function readOptionsFrom(argv: {
  'nginx-format'?: string[];
  'apache-format'?: string[];
  kind?: string;
  tz?: string;
  'max-line-length': number;
  'show-skipped'?: number;
}): ReadOptions {
  return {
    formats: userFormats(argv['nginx-format'], argv['apache-format']),
    forcedKind: argv.kind as LogKind | undefined,
    clock: new ZoneClock(checkZone(argv.tz)),
    maxLine: argv['max-line-length'],
    showSkipped: argv['show-skipped'] ?? 0,
  };
}

export async function runAnalyze(argv: AnalyzeArgs): Promise<number> {
  const readOpts = readOptionsFrom(argv);
  const jobs = jobsFrom(argv);
  const bucket = checkBucket(argv.bucket);
  const logZone = checkZone(argv.tz);
  const displayZone = checkZone(argv['display-tz'], 'display-tz') ?? logZone ?? localZone();
  const { since, until } = parseRange(argv.since, argv.until, Date.now(), logZone);
  const resolved = resolveInputs(argv, resolvePaths);
  const inputs = resolved.inputs;
  readOpts.formats.push(...resolved.formats);
  for (const note of resolved.notes) process.stderr.write(`upstream-doctor: ${forTerminal(note)}\n`);
  const file = argv.output ? openReportFile(argv.output) : null;
  const out: NodeJS.WritableStream & { isTTY?: boolean } = file ? file.stream : process.stdout;
  const onEvent =
    argv.format === 'ndjson' ? (ev: FailureEvent) => void out.write(JSON.stringify(ev) + '\n') : undefined;
  const progress = progressFor(inputs, process.stderr, argv.progress);
  // NDJSON's events are the report's start
  if (argv.format === 'ndjson') file?.begin();
  // NDJSON streams the events in reading order: that run is sequential whatever --jobs says.
  const { summary, evicted, unreadable, notes } = await analyzeInputs({
    inputs,
    read: readOpts,
    since,
    until,
    jobs,
    onEvent,
    output: argv.format === 'ndjson' ? (out as any) : undefined,
    progress,
  });
  for (const n of notes) process.stderr.write(`upstream-doctor: ${forTerminal(n)}\n`);
  const doc = buildDocument(summary, {
    bucket,
    showSkipped: argv['show-skipped'] > 0,
    evicted,
    zone: displayZone,
    since,
    until,
    configuration: resolved.configuration,
  });
  // Only the chosen renderer is loaded: the HTML one and the table's (with date-fns' formatting)
  // cost a JSON run ~30 ms of start-up.
  if (argv.format !== 'ndjson') file?.begin();
  if (argv.format === 'json') out.write(JSON.stringify(doc, null, 2) + '\n');
  else if (argv.format === 'csv') out.write(csv().renderCsv(doc));
  else if (argv.format === 'html') out.write(html().renderHtml(doc));
  else if (argv.format === 'ndjson') out.write(JSON.stringify({ type: 'summary', ...doc, timeline: undefined }) + '\n');
  else {
    const tty = !argv.output && Boolean(process.stdout.isTTY);
    const color = argv.color ?? (tty && !process.env.NO_COLOR);
    out.write(table().renderTable(doc, { boxes: argv.boxes ?? tty, color, width: tty ? process.stdout.columns : undefined }));
  }
  await file?.finish();
  for (const e of unreadable) process.stderr.write(`upstream-doctor: ${forTerminal(e.message)}\n`);
  if (unreadable.length > 0) return EXIT.USAGE;
  const broken = summary.files.filter((f) => f.error);
  for (const f of broken) process.stderr.write(`upstream-doctor: ${forTerminal(f.path)}: ${forTerminal(f.error)}\n`);
  return broken.length > 0 ? EXIT.PARTIAL_INPUT : EXIT.OK;
}

export { InputError };
