#!/usr/bin/env node
import './heap-growth';
import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';
import { InputError } from '../input/discover';
import { AnalyzeArgs, analyzeCommand, runAnalyze } from './analyze';
import type { ConfigCommandArgs } from './config';
import type { CheckArgs } from './check';
import { EXIT } from './exit-codes';
import { cannotWrite } from './output';
import { forTerminal } from '../report/sanitize';
import { skipHelpCache } from './help-cache';
import { STDIN_ARG, UsageError, lastValueWins } from './options';
import type { TailArgs } from './tail';

/**
 * Commands other than the one that runs are not loaded (yargs calls a command's builder only when
 * it is chosen): tail, check and config and what they import cost every analyze 30-40 ms of start-up.
 */
const config = (): typeof import('./config') => require('./config');
const check = (): typeof import('./check') => require('./check');
const tail = (): typeof import('./tail') => require('./tail');

/**
 * Entry point. Each command returns its exit code; known errors become one line on stderr
 * (never a stack trace), unknown ones are bugs and say so.
 */

async function main(rawArgv: string[]): Promise<number> {
  const argv = rawArgv.map((a) => (a === '-' ? STDIN_ARG : a));
  let code: number = EXIT.OK;
  const run = (f: () => Promise<number>) => async () => {
    code = await f();
  };
  const parser = yargs(argv)
    .scriptName('upstream-doctor')
    .usage('$0 <command> [PATH...]\n\nWhy did nginx / Apache answer 502 or 504? Reads their logs and tells you.')
    .command(
      'analyze [paths..]',
      'summarise upstream failures and their causes in logs (files, directories, rotated and gzipped sets, - for stdin)',
      (y) => analyzeCommand(y),
      async (a) => run(() => runAnalyze(a as unknown as AnalyzeArgs))(),
    )
    .command('config', 'show the logs the nginx / Apache configuration names, their formats and virtual hosts', (y) => config().configCommand(y), async (a) => run(() => config().runConfig(a as unknown as ConfigCommandArgs))())
    .command('check [paths..]', 'CI gate: exit 1 when logs break rules or a baseline (docs/check.md)', (y) => check().checkCommand(y), async (a) => run(() => check().runCheckCommand(a as unknown as CheckArgs))())
    .command(
      'tail [paths..]',
      'follow logs as they grow (rotation-safe): live causes on a TTY, NDJSON events otherwise; alerts; Prometheus /metrics',
      (y) => tail().tailCommand(y),
      async (a) => run(() => tail().runTail(a as unknown as TailArgs))(),
    )
    .middleware((a) => lastValueWins(a as Record<string, unknown>), true)
    .demandCommand(1, 'name a command: analyze, check, config, tail')
    .strict()
    .help()
    .version()
    .fail((msg, err) => {
      throw err ?? new UsageError(msg);
    })
    .wrap(Math.min(110, process.stdout.columns || 100));
  skipHelpCache(parser);
  await parser.parseAsync();
  return code;
}

// `analyze --format ndjson | head`: the reader went away; that is the end of the output, not a bug.
// Any other failure to write it (stdout sent to a full disk) is one line, not a stack.
process.stdout.on('error', (err: NodeJS.ErrnoException) => {
  if (err.code === 'EPIPE') process.exit(EXIT.OK);
  process.stderr.write(`upstream-doctor: ${cannotWrite('stdout', err).message}\n`);
  process.exit(EXIT.USAGE);
});

/**
 * A write that failed where it was made: stdout to a file or a terminal is written synchronously,
 * so its error comes up through the command. Inputs are only read, and the files a command writes
 * itself (--output, --junit, a baseline) are named by their own errors: a failed write is stdout's.
 */
function isWriteError(err: unknown): boolean {
  return err instanceof Error && (err as NodeJS.ErrnoException).syscall === 'write';
}

main(hideBin(process.argv)).then(
  (code) => {
    process.exitCode = code;
  },
  (err) => {
    if (isWriteError(err)) err = cannotWrite('stdout', err);
    if (err instanceof UsageError || err instanceof InputError) {
      process.stderr.write(`upstream-doctor: ${forTerminal(err.message)}\n`);
      process.exitCode = EXIT.USAGE;
    } else {
      process.stderr.write(`upstream-doctor: internal error (a bug; please report it): ${err && err.stack ? err.stack : err}\n`);
      process.exitCode = 70;
    }
  },
);
