import * as fs from 'fs';
import { Argv } from 'yargs';
import { discoverInputs } from '../input/discover';
import { Baseline, BaselineError, readBaseline, recordBaseline } from '../check/baseline';
import { ConfigError, readConfig } from '../check/config';
import { githubAnnotations } from '../check/github';
import { renderJunit } from '../check/junit';
import { Rule, RuleError, RuleSpec, forbidRule, parseMaxArg, parseMaxRateArg, requireExplainedRule } from '../check/rules';
import { ScopeError, runCheck } from '../check/run-check';
import { renderSummary } from '../check/text';
import { InputArgs, JobsArgs, commonInputOptions, jobsFrom, jobsOption, readOptionsFrom, resolvePaths } from './analyze';
import { EXIT } from './exit-codes';
import { UsageError } from './options';
import { cannotWrite, checkWritable } from './output';

/** `upstream-doctor check [PATH...]`: the CI gate. Rules, baselines and outputs: docs/check.md. */

export interface CheckArgs extends InputArgs, JobsArgs {
  config?: string;
  max?: string | string[];
  'max-rate'?: string | string[];
  forbid?: string | string[];
  'require-explained'?: string;
  baseline?: string;
  'update-baseline'?: boolean;
  junit?: string;
  github?: boolean;
}

export function checkCommand(y: Argv) {
  // Repeatable options are plain strings (yargs gathers repeats): `array: true` would swallow the PATHs after them.
  return jobsOption(commonInputOptions(y))
    .option('config', { type: 'string', describe: 'JSON file of rules, scopes, paths and baseline (docs/check.md)' })
    .option('max', { type: 'string', describe: "SELECTOR=N: at most N (repeatable), e.g. 'upstream-refused=0', '502=10'" })
    .option('max-rate', { type: 'string', describe: "SELECTOR=P%: at most P% of requests (repeatable), e.g. '5xx=0.5%'" })
    .option('forbid', { type: 'string', describe: "SELECTOR: none at all (repeatable), e.g. 'category:dns'" })
    .option('require-explained', { type: 'string', describe: 'P%: at least P% of 502/504 explained by an error-log entry' })
    .option('baseline', { type: 'string', describe: 'baseline file of accepted counts by cause: fail on a new cause or a count beyond tolerance' })
    .option('update-baseline', { type: 'boolean', describe: 'write the --baseline file from these logs (keeps its tolerances)' })
    .option('junit', { type: 'string', describe: 'write a JUnit XML report (one test case per rule) to this file' })
    .option('github', { type: 'boolean', describe: 'print GitHub Actions ::error annotations at the first offending log lines' });
}

const list = (v: string | string[] | undefined): string[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);

/** Rules from the command line; a bad value is a usage error naming the option. */
function commandLineRules(argv: CheckArgs): Rule[] {
  const specs: RuleSpec[] = [];
  const parse = (option: string, values: string[], make: (v: string) => RuleSpec) => {
    for (const v of values) {
      try {
        specs.push(make(v));
      } catch (err) {
        if (err instanceof RuleError) throw new UsageError(`--${option}: ${err.message}`);
        throw err;
      }
    }
  };
  parse('max', list(argv.max), parseMaxArg);
  parse('max-rate', list(argv['max-rate']), parseMaxRateArg);
  parse('forbid', list(argv.forbid), forbidRule);
  parse('require-explained', list(argv['require-explained']), requireExplainedRule);
  return specs.map((spec) => ({ spec, scope: null }));
}

/** A bad config or baseline file is a usage error: exit 2, one line. */
function usage<T>(f: () => T): T {
  try {
    return f();
  } catch (err) {
    if (err instanceof ConfigError || err instanceof BaselineError) throw new UsageError(err.message);
    throw err;
  }
}

/** Writes an output file; a path that cannot be written is a usage error naming it. */
function writeOutput(file: string, text: string): void {
  try {
    fs.writeFileSync(file, text);
  } catch (err) {
    throw cannotWrite(file, err);
  }
}

export async function runCheckCommand(argv: CheckArgs): Promise<number> {
  const started = Date.now();
  const readOpts = readOptionsFrom(argv);
  const jobs = jobsFrom(argv);
  const config = argv.config ? usage(() => readConfig(argv.config!)) : null;
  const rules = [...(config?.rules ?? []), ...commandLineRules(argv)];
  const baselineFile = argv.baseline ?? config?.baseline ?? null;
  const update = Boolean(argv['update-baseline']);
  if (update && !baselineFile) throw new UsageError('--update-baseline: name the file with --baseline FILE (or "baseline" in the config)');
  if (rules.length === 0 && !baselineFile) {
    throw new UsageError('no rules to check: give --max, --max-rate, --forbid, --require-explained, --baseline or --config');
  }
  let baseline: Baseline | null = null;
  if (baselineFile && (!update || fs.existsSync(baselineFile))) baseline = usage(() => readBaseline(baselineFile));

  // the files written at the end are checked before the inputs are read
  if (update) checkWritable(baselineFile!);
  if (argv.junit) checkWritable(argv.junit);
  const paths = resolvePaths(argv.paths.length > 0 || !config ? argv.paths : config.paths);
  const inputs = discoverInputs(paths);
  const outcome = await runCheck(inputs, rules, update ? null : baseline, readOpts, jobs).catch((err) => {
    throw err instanceof ScopeError ? new UsageError(err.message) : err;
  });

  for (const n of outcome.notes) process.stderr.write(`upstream-doctor: ${n}\n`);
  for (const e of outcome.unreadable) process.stderr.write(`upstream-doctor: ${e.message}\n`);
  if (outcome.unreadable.length > 0) return EXIT.USAGE;
  const { lines } = outcome.doc;
  if (lines.read > 0 && lines.parsed === 0) {
    process.stderr.write(
      `upstream-doctor: none of the ${lines.read} lines read is a log line of a known format; nothing to check (see --nginx-format, --apache-format, --kind)\n`,
    );
    return EXIT.USAGE;
  }

  const notes: string[] = [];
  if (update && outcome.broken.length > 0) {
    // Counts from a log that broke off would become the accepted numbers: keep the old baseline.
    notes.push(`baseline not written: an input broke off part way`);
  } else if (update) {
    writeOutput(baselineFile!, recordBaseline(outcome.doc, baseline));
    notes.push(`baseline written: ${baselineFile} (${outcome.doc.causes.length} causes, ${outcome.doc.failures} failures)`);
  }
  for (const f of outcome.broken) notes.push(`warning: ${f.path}: ${f.error} (rules measured on the part that could be read)`);
  process.stdout.write(renderSummary(outcome, notes));
  if (argv.junit) writeOutput(argv.junit, renderJunit(outcome.results, { timestamp: new Date(started), seconds: (Date.now() - started) / 1000 }));
  if (argv.github) for (const line of githubAnnotations(outcome.results)) process.stdout.write(line + '\n');

  if (outcome.results.some((r) => !r.passed)) return EXIT.RULE_VIOLATED;
  return outcome.broken.length > 0 ? EXIT.PARTIAL_INPUT : EXIT.OK;
}
