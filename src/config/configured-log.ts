import { LogKind } from '../model';

/**
 * What a server configuration says about one log: where it goes, in which format, for which
 * virtual hosts. The nginx and Apache readers both produce this shape; discover-logs.ts merges,
 * checks and turns them into inputs.
 */

/** Where the server writes: only `file` can be read back by this tool. */
export type Destination = 'file' | 'pipe' | 'syslog' | 'stderr' | 'memory' | 'variable';

export interface ConfiguredLog {
  server: 'nginx' | 'apache';
  kind: LogKind;
  /** The resolved file path for `file` (and `variable`, unresolved); the destination as written otherwise. */
  path: string;
  destination: Destination;
  /** The format string (access: log_format / LogFormat; error: ErrorLogFormat), null for the built-in one. */
  format: string | null;
  /** The log_format name or LogFormat nickname used; `inline` for an Apache format given in CustomLog. */
  formatName: string | null;
  /** nginx `escape=`; absent for Apache. */
  escape?: 'default' | 'json' | 'none';
  /** error_log level / LogLevel, when given. */
  level?: string;
  /** nginx `if=`, Apache `env=` / `expr=`: not every request is logged. */
  condition?: string;
  /** server_name / ServerName (+ aliases) of the enclosing server; empty for the main server or http level. */
  vhosts: string[];
  /** Where the directive is written. */
  source: { file: string; line: number };
  /**
   * The block the directive is in (nginx: `http`, a `server`, a `location`; Apache: the main
   * server or a `<VirtualHost>`). Access logs of one block without conditions get the same requests.
   */
  block: string;
}

export class ConfigError extends Error {}

/** Resolves a relative path the way the servers do: against their prefix / ServerRoot. */
export function resolveAgainst(root: string, p: string): string {
  if (p.startsWith('/')) return p;
  // trailing slashes trimmed by hand: /\/+$/ retries from every slash of a run (quadratic)
  let end = root.length;
  while (end > 0 && root.charCodeAt(end - 1) === 47) end--;
  return `${root.slice(0, end)}/${p}`;
}
