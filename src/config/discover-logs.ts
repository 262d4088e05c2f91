import * as fs from 'fs';
import * as path from 'path';
import { InputSpec, describeFsError, orderRotationSets, rotationKey } from '../input/discover';
import { compileApacheFormat } from '../parse/format/apache-format';
import { compileNginxFormat } from '../parse/format/nginx-format';
import { FieldType, FormatPlan } from '../parse/format/plan';
import { readApacheConfig } from './apache-conf';
import { ConfigError, ConfiguredLog } from './configured-log';
import { readNginxConfig } from './nginx-conf';

/**
 * From server configurations to inputs: reads the nginx and/or Apache configuration, merges the
 * logs they name (one file may be named by several virtual hosts), compiles each access log's
 * format, checks which files can be read, and expands each into its rotation set so that
 * `analyze` reads exactly those files, each with its own format.
 */

export const DEFAULT_NGINX_CONF = ['/etc/nginx/nginx.conf', '/usr/local/nginx/conf/nginx.conf', '/usr/local/etc/nginx/nginx.conf'];
export const DEFAULT_APACHE_CONF = ['/etc/apache2/apache2.conf', '/etc/httpd/conf/httpd.conf', '/usr/local/apache2/conf/httpd.conf'];

export interface DiscoveredLog extends ConfiguredLog {
  /** The compiled access-log format; null for error logs and formats that did not compile. */
  plan: FormatPlan | null;
  formatError: string | null;
  exists: boolean;
  readable: boolean;
  /** Why this log is not read (not a file, missing, permission), or null. */
  problem: string | null;
  /** Rotated siblings found next to the file (access.log.1, access.log.2.gz, access.log-20241115). */
  rotated: string[];
  /** Every directive naming this destination, when more than one does. */
  sources: { file: string; line: number }[];
  /**
   * Another access log of the same block that gets the same requests and is read instead (the
   * one whose format has more fields): reading both would count every request twice.
   */
  duplicateOf: string | null;
}

export interface ConfigSource {
  server: 'nginx' | 'apache';
  /** The main file (`-` for an `nginx -T` dump on stdin). */
  path: string;
  files: string[];
}

export interface Discovery {
  configs: ConfigSource[];
  logs: DiscoveredLog[];
  warnings: string[];
}

export interface DiscoverOptions {
  /** Explicit files; `-` reads an `nginx -T` dump from stdin. Absent: the defaults when present. */
  nginxConf?: string;
  apacheConf?: string;
  /** Read the default locations when nothing explicit is given (default true). */
  defaults?: boolean;
  /** nginx prefix for relative log paths. */
  nginxPrefix?: string;
  readStdin?: () => string;
  /** Where to look when nothing explicit is given (tests point these elsewhere). */
  defaultNginx?: string[];
  defaultApache?: string[];
}

function firstExisting(candidates: string[]): string | undefined {
  return candidates.find((c) => {
    try {
      return fs.statSync(c).isFile();
    } catch {
      return false;
    }
  });
}

const NOT_A_FILE: Record<string, string> = {
  pipe: 'piped to a program, not written to a file',
  syslog: 'sent to syslog, not written to a file',
  stderr: 'written to the server\'s stderr/stdout (a container log), not to a file',
  memory: 'kept in memory (error_log memory:), not written to a file',
  variable: 'the path holds variables: one file per value, not a fixed file',
};

function compile(log: ConfiguredLog): { plan: FormatPlan | null; error: string | null } {
  if (log.format === null || (log.kind !== 'nginx-access' && log.kind !== 'apache-access')) return { plan: null, error: null };
  try {
    const name = log.formatName && log.formatName !== 'inline' ? log.formatName : 'custom';
    const plan = log.server === 'nginx' ? compileNginxFormat(log.format, name) : compileApacheFormat(log.format, name);
    return { plan, error: null };
  } catch (err) {
    return { plan: null, error: (err as Error).message };
  }
}

/** Files next to `file` that belong to its rotation set, live file excluded. */
export function rotatedSiblings(file: string): string[] {
  let names: string[];
  try {
    names = fs.readdirSync(path.dirname(file));
  } catch {
    return [];
  }
  return names
    .map((n) => path.join(path.dirname(file), n))
    .filter((f) => f !== file && rotationKey(f).base === file);
}

function checkFile(log: DiscoveredLog): void {
  if (log.destination !== 'file') {
    log.problem = NOT_A_FILE[log.destination];
    return;
  }
  log.rotated = orderRotationSets(rotatedSiblings(log.path)).map((s) => s.path);
  try {
    const st = fs.statSync(log.path);
    log.exists = true;
    if (!st.isFile()) {
      log.problem = 'not a regular file (a device or pipe; container images often link logs to /dev/stdout)';
      return;
    }
    fs.accessSync(log.path, fs.constants.R_OK);
    log.readable = true;
  } catch (err) {
    log.problem = describeFsError(err);
  }
}

/** One entry per destination: a file named by several virtual hosts is read once. */
function merge(logs: ConfiguredLog[], warnings: string[]): DiscoveredLog[] {
  const byKey = new Map<string, DiscoveredLog>();
  for (const log of logs) {
    const key = `${log.server}\0${log.path}`;
    const seen = byKey.get(key);
    if (seen) {
      for (const v of log.vhosts) if (!seen.vhosts.includes(v)) seen.vhosts.push(v);
      seen.sources.push(log.source);
      if (seen.kind !== log.kind || seen.format !== log.format) {
        warnings.push(
          `${log.source.file}:${log.source.line}: ${log.path} is also written ${seen.kind !== log.kind ? 'as another kind of log' : 'in another format'} (${seen.source.file}:${seen.source.line}); reading it as the first`,
        );
      }
      continue;
    }
    const { plan, error } = compile(log);
    byKey.set(key, {
      ...log,
      vhosts: [...log.vhosts],
      plan,
      formatError: error,
      exists: false,
      readable: false,
      problem: null,
      rotated: [],
      sources: [log.source],
      duplicateOf: null,
    });
  }
  return [...byKey.values()];
}

/** Fields that let the diagnosis name the upstream, time the attempt or join the error log. */
const DIAGNOSTIC = new Set<FieldType>([
  'upstream-addr', 'upstream-status', 'upstream-response-time', 'upstream-connect-time', 'connection',
  'client-port', 'host', 'request-time-s', 'request-time-ms', 'request-time-us',
]);

/** How much a format tells the analysis: its diagnostic fields first, then its field count. */
function richness(plan: FormatPlan | null): number {
  if (!plan) return -1;
  let score = 0;
  for (const t of plan.tokens) if (t.kind === 'field') score += DIAGNOSTIC.has(t.type) ? 100 : 1;
  return score;
}

/**
 * nginx writes every request of a block to each of its unconditional access_logs, httpd to each
 * CustomLog of a server: of such a set, only the existing file with the richest format is read.
 */
function markDuplicates(logs: DiscoveredLog[]): void {
  const groups = new Map<string, DiscoveredLog[]>();
  for (const l of logs) {
    if (l.destination !== 'file' || !l.kind.endsWith('-access') || l.condition || (!l.exists && l.rotated.length === 0)) continue;
    const key = `${l.server}\0${l.block}`;
    const g = groups.get(key);
    if (g) g.push(l);
    else groups.set(key, [l]);
  }
  for (const g of groups.values()) {
    if (g.length < 2) continue;
    const best = g.reduce((a, b) => (richness(b.plan) > richness(a.plan) ? b : a));
    for (const l of g) if (l !== best) l.duplicateOf = best.path;
  }
}

/**
 * Reads the configurations. Returns null when none is given and none exists at the default
 * places. An explicit configuration that cannot be read is a ConfigError; a default one that does
 * not parse is a warning.
 */
export function discoverLogs(opts: DiscoverOptions = {}): Discovery | null {
  const explicit = opts.nginxConf !== undefined || opts.apacheConf !== undefined;
  const useDefaults = !explicit && opts.defaults !== false;
  const nginxConf = opts.nginxConf ?? (useDefaults ? firstExisting(opts.defaultNginx ?? DEFAULT_NGINX_CONF) : undefined);
  const apacheConf = opts.apacheConf ?? (useDefaults ? firstExisting(opts.defaultApache ?? DEFAULT_APACHE_CONF) : undefined);
  if (nginxConf === undefined && apacheConf === undefined) return null;

  const configs: ConfigSource[] = [];
  const warnings: string[] = [];
  const all: ConfiguredLog[] = [];
  const guarded = (conf: string, read: () => void) => {
    try {
      read();
    } catch (err) {
      // A default configuration that does not parse is worth a warning, not a failed run.
      if (!explicit && err instanceof ConfigError) warnings.push(`${conf}: not used: ${err.message}`);
      else throw err;
    }
  };
  if (nginxConf !== undefined) {
    guarded(nginxConf, () => {
      const dump = nginxConf === '-' ? (opts.readStdin ?? (() => fs.readFileSync(0, 'utf8')))() : undefined;
      if (dump === undefined && !fs.existsSync(nginxConf)) throw new ConfigError(`${nginxConf}: no such file`);
      const c = readNginxConfig(nginxConf, { dump, prefix: opts.nginxPrefix });
      configs.push({ server: 'nginx', path: nginxConf, files: c.files });
      warnings.push(...c.warnings);
      all.push(...c.logs);
    });
  }
  if (apacheConf !== undefined) {
    guarded(apacheConf, () => {
      const c = readApacheConfig(apacheConf);
      configs.push({ server: 'apache', path: apacheConf, files: c.files });
      warnings.push(...c.warnings);
      all.push(...c.logs);
    });
  }
  // configs is empty when every default configuration failed to parse: the warnings say why.
  const logs = merge(all, warnings);
  for (const log of logs) checkFile(log);
  markDuplicates(logs);
  return { configs, logs, warnings };
}

/** The inputs a discovery names: each readable log's rotation set, oldest first, with its format. */
export function configuredInputs(d: Discovery): InputSpec[] {
  const out: InputSpec[] = [];
  for (const log of d.logs) {
    if (log.destination !== 'file' || log.duplicateOf !== null) continue;
    const files = [...log.rotated, ...(log.exists ? [log.path] : [])];
    for (const f of files) {
      out.push({ path: f, rotationBase: log.path, kind: log.kind, plan: log.plan ?? undefined, vhosts: log.vhosts });
    }
  }
  return out;
}

/** Attaches what a configuration knows to inputs the operator named by hand. */
export function annotateInputs(inputs: InputSpec[], d: Discovery): InputSpec[] {
  const byPath = new Map(d.logs.filter((l) => l.destination === 'file').map((l) => [l.path, l]));
  return inputs.map((spec) => {
    const log = byPath.get(spec.rotationBase) ?? byPath.get(path.resolve(spec.rotationBase));
    return log ? { ...spec, kind: log.kind, plan: log.plan ?? undefined, vhosts: log.vhosts } : spec;
  });
}
