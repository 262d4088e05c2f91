import * as fs from 'fs';
import * as path from 'path';
import { ConfigError, ConfiguredLog, Destination, resolveAgainst } from './configured-log';
import { expandGlob, hasGlobMagic } from './glob';

/**
 * Reads an Apache httpd configuration the way httpd does (util_cfgtree / ap_getword_conf):
 * line-based directives with `\` continuations, `${VAR}` replaced from `Define`, Debian's
 * `envvars` and the environment, `Include`/`IncludeOptional` (globs and directories, relative to
 * ServerRoot), sections such as `<VirtualHost>`. `<IfModule>`/`<IfDefine>` are all read as
 * active: which modules are loaded is not known without running httpd, and a log written under
 * a false condition is reported, never silently missed.
 */

interface Word {
  /** Between the quotes, escapes as written: what the LogFormat compiler expects. */
  raw: string;
  /** With `\"` and `\\` resolved: a path or a name. */
  value: string;
}

interface Line {
  name: string; // lower case; sections as `<virtualhost` / `</virtualhost`
  args: Word[];
  file: string;
  line: number;
}

/** ap_getword_conf: whitespace-separated words, `"` or `'` quoted; a backslash escapes the quote. */
export function splitWords(text: string): Word[] {
  const out: Word[] = [];
  let i = 0;
  const n = text.length;
  while (i < n) {
    while (i < n && (text[i] === ' ' || text[i] === '\t')) i++;
    if (i >= n) break;
    const q = text[i] === '"' || text[i] === "'" ? text[i] : null;
    let j = q ? i + 1 : i;
    const start = j;
    while (j < n) {
      if (text[j] === '\\' && j + 1 < n && (text[j + 1] === '\\' || (q && text[j + 1] === q))) {
        j += 2;
        continue;
      }
      if (q ? text[j] === q : text[j] === ' ' || text[j] === '\t') break;
      j++;
    }
    const raw = text.slice(start, j);
    out.push({ raw, value: raw.replace(/\\([\\"'])/g, '$1') });
    i = q && j < n ? j + 1 : j;
  }
  return out;
}

/** Debian's envvars is a shell script; its plain `[export] NAME=value` lines are what matter here. */
export function readEnvvars(text: string, env: Map<string, string>): void {
  for (const line of text.split('\n')) {
    const m = /^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)=(.*)$/.exec(line);
    if (!m) continue;
    let value = m[2].trim().replace(/^(["'])(.*)\1$/, '$2');
    if (value.includes('$(') || value.includes('`') || /\$\{[^}$]*[#%:]/.test(value)) continue; // computed by the shell
    value = value.replace(/\$\{?([A-Za-z_][A-Za-z0-9_]*)\}?/g, (_, v: string) => env.get(v) ?? '');
    env.set(m[1], value);
  }
}

/** `Name args` or a section `<Name args>` / `</Name>`; section names keep their `<` or `</`. */
function directiveOf(text: string): { name: string; args: Word[] } {
  const section = text.startsWith('<');
  const body = section && text.endsWith('>') ? text.slice(0, -1) : text;
  let end = 0;
  while (end < body.length && body[end] !== ' ' && body[end] !== '\t') end++;
  return { name: body.slice(0, end).toLowerCase(), args: splitWords(body.slice(end)) };
}

const MAX_INCLUDE_DEPTH = 32;

export interface ApacheConfig {
  main: string;
  serverRoot: string;
  files: string[];
  logs: ConfiguredLog[];
  warnings: string[];
}

export interface ApacheReadOptions {
  serverRoot?: string;
  /** Debian's envvars (default: `envvars` next to the main file, when present). */
  envvars?: string;
  env?: NodeJS.ProcessEnv;
}

const CLF = '%h %l %u %t \\"%r\\" %>s %b';

interface Scope {
  id: string; // `main`, or where the <VirtualHost> opens
  vhosts: string[]; // names of the virtual host; [] for the main server
  formats: Map<string, string>;
  defaultFormat: string | null;
  errorLogFormat: string | null;
  level: string | null;
  logs: ConfiguredLog[];
  hasCustomLog: boolean;
  hasErrorLog: boolean;
}

function newScope(id: string): Scope {
  return {
    id,
    vhosts: [], formats: new Map(), defaultFormat: null, errorLogFormat: null, level: null,
    logs: [], hasCustomLog: false, hasErrorLog: false,
  };
}

function destinationOf(target: string): Destination {
  if (target.startsWith('|')) return 'pipe';
  if (target === 'syslog' || target.startsWith('syslog:')) return 'syslog';
  if (target === '/dev/stderr' || target === '/dev/stdout') return 'stderr';
  if (target.includes('${')) return 'variable'; // left undefined: no fixed file to read
  return 'file';
}

/** Common defaults: /etc/httpd/conf/httpd.conf has ServerRoot /etc/httpd; Debian's is the conf dir. */
function defaultServerRoot(main: string): string {
  const dir = path.dirname(main);
  return path.basename(dir) === 'conf' ? path.dirname(dir) : dir;
}

export function readApacheConfig(main: string, opts: ApacheReadOptions = {}): ApacheConfig {
  main = path.resolve(main);
  let serverRoot = opts.serverRoot ?? defaultServerRoot(main);
  const warnings: string[] = [];
  const files: string[] = [];
  const vars = new Map<string, string>();
  const envvars = opts.envvars ?? path.join(path.dirname(main), 'envvars');
  if (fs.existsSync(envvars)) {
    readEnvvars(fs.readFileSync(envvars, 'utf8'), vars);
    files.push(envvars);
  }
  const env = opts.env ?? process.env;
  const undefinedVars = new Set<string>();
  const substitute = (text: string, where: string) =>
    text.replace(/\$\{([A-Za-z0-9_.:-]+)\}/g, (whole, v: string) => {
      const value = vars.get(v) ?? env[v];
      if (value !== undefined) return value;
      if (!undefinedVars.has(v)) warnings.push(`${where}: \${${v}} is not defined (not in envvars, Define or the environment)`);
      undefinedVars.add(v);
      return whole;
    });

  const mainScope = newScope('main');
  const vhostScopes: Scope[] = [];
  let scope = mainScope;
  let vhostArgs: string[] = [];

  const at = (l: Line) => ({ file: l.file, line: l.line });
  const resolve = (p: string) => resolveAgainst(serverRoot, p);

  function addLog(l: Line, log: Omit<ConfiguredLog, 'server' | 'vhosts' | 'source' | 'block'>) {
    scope.logs.push({ server: 'apache', ...log, vhosts: [], source: at(l), block: scope.id });
  }

  /** Formats are looked up when httpd opens the logs, after the whole configuration is read. */
  const unresolved: { log: ConfiguredLog; fmt: Word | null; scope: Scope; at: Line }[] = [];

  function accessLog(l: Line, target: string, fmt: Word | null, condition: string | undefined) {
    scope.hasCustomLog = true;
    const destination = destinationOf(target);
    addLog(l, {
      kind: 'apache-access',
      path: destination === 'file' ? resolve(target) : target,
      destination,
      format: null,
      formatName: null,
      ...(condition ? { condition } : {}),
    });
    unresolved.push({ log: scope.logs[scope.logs.length - 1], fmt, scope, at: l });
  }

  function resolveFormats(): void {
    for (const { log, fmt, scope: s, at } of unresolved) {
      if (fmt === null) {
        const fallback = s.defaultFormat ?? mainScope.defaultFormat;
        log.format = fallback ?? CLF;
        log.formatName = fallback ? null : 'common';
        continue;
      }
      const named = s.formats.get(fmt.value) ?? mainScope.formats.get(fmt.value);
      if (named !== undefined) {
        log.format = named;
        log.formatName = fmt.value;
      } else {
        // httpd writes an unknown nickname literally; a string with % is an inline format.
        log.format = fmt.raw;
        log.formatName = 'inline';
        if (!fmt.raw.includes('%')) warnings.push(`${at.file}:${at.line}: CustomLog format "${fmt.value}" is no known nickname`);
      }
    }
  }

  const handlers: Record<string, (l: Line) => void> = {
    serverroot: (l) => {
      if (l.args[0]) serverRoot = path.resolve(path.dirname(main), l.args[0].value);
    },
    define: (l) => {
      if (l.args[0]) vars.set(l.args[0].value, l.args[1]?.value ?? '');
    },
    servername: (l) => {
      if (l.args[0] && scope !== mainScope) scope.vhosts.unshift(l.args[0].value);
    },
    serveralias: (l) => {
      if (scope !== mainScope) scope.vhosts.push(...l.args.map((a) => a.value));
    },
    logformat: (l) => {
      if (l.args.length === 0) return;
      if (l.args.length >= 2) scope.formats.set(l.args[1].value, l.args[0].raw);
      else scope.defaultFormat = l.args[0].raw;
    },
    customlog: (l) => {
      if (l.args.length < 2) return void warnings.push(`${l.file}:${l.line}: CustomLog needs a file and a format`);
      const cond = l.args[2]?.value;
      accessLog(l, l.args[0].value, l.args[1], cond && /^(env|expr)=/.test(cond) ? cond : undefined);
    },
    transferlog: (l) => {
      if (l.args[0]) accessLog(l, l.args[0].value, null, undefined);
    },
    errorlog: (l) => {
      if (!l.args[0]) return;
      scope.hasErrorLog = true;
      const target = l.args[0].value;
      const destination = destinationOf(target);
      addLog(l, {
        kind: 'apache-error',
        path: destination === 'file' ? resolve(target) : target,
        destination,
        format: null, // filled in at the end: ErrorLogFormat may come after ErrorLog
        formatName: null,
      });
    },
    errorlogformat: (l) => {
      const fmt = l.args.length >= 2 && /^(connection|request)$/i.test(l.args[0].value) ? null : l.args[0];
      if (fmt) scope.errorLogFormat = fmt.raw;
    },
    loglevel: (l) => {
      // `LogLevel warn proxy:debug`: the bare level is the one that decides what reaches the log
      const bare = l.args.find((a) => !a.value.includes(':'));
      if (bare) scope.level = bare.value;
    },
  };

  function readFile(file: string, stack: string[], optional: boolean): void {
    if (stack.includes(file)) throw new ConfigError(`${file}: included from itself`);
    if (stack.length > MAX_INCLUDE_DEPTH) throw new ConfigError(`${file}: includes nested deeper than ${MAX_INCLUDE_DEPTH}`);
    let st: fs.Stats;
    try {
      st = fs.statSync(file);
    } catch {
      if (!optional) warnings.push(`${stack[stack.length - 1] ?? file}: Include ${file}: no such file`);
      if (stack.length === 0) throw new ConfigError(`${file}: no such file`);
      return;
    }
    if (st.isDirectory()) {
      for (const name of fs.readdirSync(file).sort()) readFile(path.join(file, name), stack, optional);
      return;
    }
    let text: string;
    try {
      text = fs.readFileSync(file, 'utf8');
    } catch (err) {
      if (stack.length === 0) throw new ConfigError(`${file}: ${(err as Error).message}`);
      return void warnings.push(`${file}: ${(err as Error).message}`);
    }
    files.push(file);
    const inner = [...stack, file];
    const lines = text.split('\n');
    for (let i = 0; i < lines.length; i++) {
      const lineNo = i + 1;
      let t = lines[i];
      while (t.endsWith('\\') && i + 1 < lines.length) t = t.slice(0, -1) + lines[++i];
      t = t.trim();
      if (t === '' || t.startsWith('#')) continue;
      t = substitute(t, `${file}:${lineNo}`);
      const l: Line = { ...directiveOf(t), file, line: lineNo };
      if (l.name === 'include' || l.name === 'includeoptional') {
        for (const a of l.args) {
          const target = resolve(a.value);
          const matched = hasGlobMagic(target) ? expandGlob(target) : [target];
          for (const f of matched) readFile(f, inner, l.name === 'includeoptional' || hasGlobMagic(target));
        }
      } else if (l.name === '<virtualhost') {
        scope = newScope(`${l.file}:${l.line}`);
        vhostArgs = l.args.map((a) => a.value);
        vhostScopes.push(scope);
      } else if (l.name === '</virtualhost') {
        if (scope.vhosts.length === 0) scope.vhosts.push(...vhostArgs);
        scope = mainScope;
      } else {
        handlers[l.name]?.(l);
      }
    }
  }

  readFile(main, [], false);
  resolveFormats();

  // Main-server logs are written for the virtual hosts that do not declare their own.
  const logs: ConfiguredLog[] = [];
  for (const log of mainScope.logs) {
    const access = log.kind === 'apache-access';
    log.vhosts = vhostScopes.filter((s) => !(access ? s.hasCustomLog : s.hasErrorLog)).flatMap((s) => s.vhosts);
  }
  for (const s of [mainScope, ...vhostScopes]) {
    for (const log of s.logs) {
      if (log.kind === 'apache-error') {
        log.format = s.errorLogFormat ?? mainScope.errorLogFormat;
        const level = s.level ?? mainScope.level;
        if (level) log.level = level;
      }
      if (s !== mainScope) log.vhosts = s.vhosts;
      logs.push(log);
    }
  }
  return { main, serverRoot, files, logs, warnings };
}
