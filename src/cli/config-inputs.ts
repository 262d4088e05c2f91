import { ConfigError } from '../config/configured-log';
import type { Discovery } from '../config/discover-logs';
import { InputSpec, discoverInputs } from '../input/discover';
import { FormatPlan } from '../parse/format/plan';
import { STDIN_ARG, UsageError } from './options';

/**
 * Where `analyze` (and `tail`, `check`) read from: the PATHs given; else the logs the server
 * configuration names (--nginx-conf / --apache-conf, or the default locations); else the
 * standard log directories.
 */

export interface ConfigArgs {
  'nginx-conf'?: string;
  'apache-conf'?: string;
  'nginx-prefix'?: string;
}

export interface ResolvedInputs {
  inputs: InputSpec[];
  /** The configurations used, for the report; absent when none was. */
  configuration?: { server: string; path: string }[];
  /** Formats from an explicit configuration, as extra candidates for files given by PATH. */
  formats: FormatPlan[];
  /** One line each, for stderr: configuration warnings, logs named but not read. */
  notes: string[];
}

/** The configuration readers, loaded only when a configuration is read (start-up: docs/performance.md). */
const discovery = (): typeof import('../config/discover-logs') => require('../config/discover-logs');

/** main.ts carries a bare `-` through yargs as STDIN_ARG. */
function stdinAsDash(v: string | undefined): string | undefined {
  return v === STDIN_ARG ? '-' : v;
}

export function readConfigs(argv: ConfigArgs, defaults = true): Discovery | null {
  try {
    return discovery().discoverLogs({
      nginxConf: stdinAsDash(argv['nginx-conf']),
      apacheConf: stdinAsDash(argv['apache-conf']),
      nginxPrefix: argv['nginx-prefix'],
      defaults,
    });
  } catch (err) {
    if (err instanceof ConfigError) throw new UsageError(`configuration: ${err.message}`);
    throw err;
  }
}

function notesOf(d: Discovery): string[] {
  const notes = d.warnings.map((w) => `configuration: ${w}`);
  for (const log of d.logs) {
    const at = `${log.source.file}:${log.source.line}`;
    if (log.formatError) notes.push(`${log.path}: its format does not compile (${log.formatError}); detecting it instead (${at})`);
    if (log.duplicateOf) notes.push(`${log.path}: the same requests as ${log.duplicateOf} (same block, ${at}); read once, from there`);
    if (log.destination !== 'file') notes.push(`${log.path}: ${log.problem}; not read (${at})`);
    else if (!log.exists && log.rotated.length === 0) notes.push(`${log.path}: named by the configuration but ${log.problem}; not read (${at})`);
  }
  return notes;
}

/**
 * With PATHs the old rules hold; `resolvePaths` is the command's own PATH handling (stdin, and the
 * standard directories when called with none).
 */
export function resolveInputs(argv: ConfigArgs & { paths: string[] }, resolvePaths: (paths: string[]) => string[]): ResolvedInputs {
  const explicit = argv['nginx-conf'] !== undefined || argv['apache-conf'] !== undefined;
  if (argv.paths.length > 0) {
    const paths = resolvePaths(argv.paths);
    if (stdinAsDash(argv['nginx-conf']) === '-' && paths.includes('-')) {
      throw new UsageError('--nginx-conf - and a - PATH both want stdin; give one of them a file');
    }
    const inputs = discoverInputs(paths);
    if (!explicit) return { inputs, formats: [], notes: [] };
    const d = readConfigs(argv);
    if (!d) return { inputs, formats: [], notes: [] };
    const formats = d.logs.map((l) => l.plan).filter((p): p is FormatPlan => p !== null);
    return { inputs: discovery().annotateInputs(inputs, d), formats, notes: d.warnings.map((w) => `configuration: ${w}`) };
  }
  const d = readConfigs(argv);
  const notes = d ? notesOf(d) : [];
  const inputs = d ? discovery().configuredInputs(d) : [];
  if (d && inputs.length > 0) {
    return { inputs, configuration: d.configs.map((c) => ({ server: c.server, path: c.path })), formats: [], notes };
  }
  if (d && explicit) {
    throw new UsageError(
      `${d.configs.map((c) => c.path).join(', ')}: the configuration names no log file that exists here` +
        (notes.length > 0 ? `\n  ${notes.join('\n  ')}` : ''),
    );
  }
  if (d && d.configs.length > 0) notes.push(`configuration: ${d.configs.map((c) => c.path).join(', ')} names no existing log file; reading the standard log directories`);
  return { inputs: discoverInputs(resolvePaths([])), formats: [], notes };
}
