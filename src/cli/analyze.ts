import * as fs from 'fs';
import { Argv } from 'yargs';
import { FailureEvent, LogKind } from '../model';
import { DEFAULT_LOG_DIRS, InputError, discoverInputs, existingDefaultDirs } from '../input/discover';
import { Analyzer } from '../analyze/analyzer';
import { runAnalysis } from '../analyze/run';
import { ReadOptions } from '../analyze/read-file';
import { ZoneClock } from '../parse/time';
import { buildDocument } from '../report/json';
import { renderTable } from '../report/table';
import { forTerminal } from '../report/sanitize';
import { EXIT } from './exit-codes';
import { KINDS, STDIN_ARG, UsageError, checkBucket, checkZone, parseTimeArg, userFormats } from './options';

/** `upstream-doctor analyze [PATH...]`: the batch report. */

export interface AnalyzeArgs {
  paths: string[];
  format: 'table' | 'json' | 'ndjson';
  'nginx-format'?: string[];
  'apache-format'?: string[];
  kind?: string;
  tz?: string;
  since?: string;
  until?: string;
  bucket: string;
  'show-skipped': number;
  'max-line-length': number;
  output?: string;
  color?: boolean;
  boxes?: boolean;
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
    .option('kind', { type: 'string', choices: KINDS, describe: 'force the kind of every input instead of detecting it' })
    .option('tz', { type: 'string', describe: 'zone of error-log times (they carry none; default: this machine\'s zone)' })
    .option('max-line-length', { type: 'number', default: 65536, describe: 'longer lines are skipped as too-long' });
}

export function analyzeCommand(y: Argv) {
  return commonInputOptions(y)
    .option('format', { type: 'string', choices: ['table', 'json', 'ndjson'] as const, default: 'table' as const })
    .option('since', { type: 'string', describe: 'ISO time, or relative: 2h, 7d' })
    .option('until', { type: 'string', describe: 'ISO time, or relative: 30m' })
    .option('bucket', { type: 'string', default: 'auto', describe: 'timeline bucket: auto, 1m, 5m, 15m, 1h, 6h, 1d' })
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
  const bucket = checkBucket(argv.bucket);
  const since = parseTimeArg('since', argv.since);
  const until = parseTimeArg('until', argv.until);
  const inputs = discoverInputs(resolvePaths(argv.paths));
  const out: NodeJS.WritableStream & { isTTY?: boolean } = argv.output ? fs.createWriteStream(argv.output) : process.stdout;
  const onEvent =
    argv.format === 'ndjson' ? (ev: FailureEvent) => void out.write(JSON.stringify(ev) + '\n') : undefined;
  const analyzer = new Analyzer({ since, until, onEvent });
  const { unreadable } = await runAnalysis(inputs, analyzer, readOpts, argv.format === 'ndjson' ? (out as any) : undefined);
  const doc = buildDocument(analyzer.summary, { bucket, showSkipped: argv['show-skipped'] > 0, evicted: analyzer.index.evicted });
  if (argv.format === 'json') out.write(JSON.stringify(doc, null, 2) + '\n');
  else if (argv.format === 'ndjson') out.write(JSON.stringify({ type: 'summary', ...doc, timeline: undefined }) + '\n');
  else {
    const tty = !argv.output && Boolean(process.stdout.isTTY);
    const color = argv.color ?? (tty && !process.env.NO_COLOR);
    out.write(renderTable(doc, { boxes: argv.boxes ?? tty, color }));
  }
  if (argv.output) await new Promise<void>((resolve) => (out as fs.WriteStream).end(resolve));
  for (const e of unreadable) process.stderr.write(`upstream-doctor: ${forTerminal(e.message)}\n`);
  if (unreadable.length > 0) return EXIT.USAGE;
  const broken = analyzer.summary.files.filter((f) => f.error);
  for (const f of broken) process.stderr.write(`upstream-doctor: ${forTerminal(f.path)}: ${forTerminal(f.error)}\n`);
  return broken.length > 0 ? EXIT.PARTIAL_INPUT : EXIT.OK;
}

export { InputError };
