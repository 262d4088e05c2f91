import * as fs from 'fs';
import * as path from 'path';
import { ConfigError, ConfiguredLog, Destination, resolveAgainst } from './configured-log';
import { expandGlob, hasGlobMagic, matchPath } from './glob';
import { NGINX_PRESETS } from '../parse/format/presets';

/** A file that includes itself: nginx refuses it, and so does this reader (never a warning). */
class IncludeCycle extends ConfigError {}

/**
 * Reads an nginx configuration the way nginx does (ngx_conf_file.c): words, quoted strings with
 * `\"` `\t` `\n` escapes, `#` comments at the start of a word, `${var}` inside a word, blocks, and
 * `include` (globs, relative to the directory of the main file) expanded in place wherever it
 * appears. From the tree it extracts every `log_format`, `access_log` and `error_log`, with the
 * server_names of the server block each log belongs to.
 */

export interface NginxDirective {
  name: string;
  args: string[];
  block: NginxDirective[] | null;
  file: string;
  line: number;
}

/** Where configuration text comes from: the disk, or the sections of an `nginx -T` dump. */
export interface ConfFiles {
  read(file: string): string | null;
  glob(pattern: string): string[];
}

export const diskFiles: ConfFiles = {
  read(file) {
    try {
      return fs.readFileSync(file, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw new ConfigError(`${file}: ${(err as Error).message}`);
    }
  },
  glob: expandGlob,
};

const DUMP_HEADER = /^# configuration file (.+):$/;
/** What `nginx -T` prints on stderr, which `2>&1` mixes in anywhere. */
const DUMP_STDERR = /^nginx: (?:the configuration file |configuration file |\[)/;

/** Splits `nginx -T` output into its files; the first one is the main configuration. */
export function dumpFiles(dump: string): { files: ConfFiles; main: string } {
  const sections = new Map<string, string[]>();
  let current: string[] | null = null;
  let main: string | null = null;
  for (const line of dump.split('\n')) {
    const m = DUMP_HEADER.exec(line.replace(/\r$/, ''));
    if (DUMP_STDERR.test(line)) continue;
    if (m) {
      current = [];
      sections.set(m[1], current);
      main ??= m[1];
    } else if (current) current.push(line);
  }
  if (main === null) throw new ConfigError('not an `nginx -T` dump: no "# configuration file ...:" line');
  const names = [...sections.keys()];
  return {
    main,
    files: {
      read: (file) => (sections.has(file) ? sections.get(file)!.join('\n') : null),
      glob: (pattern) => names.filter((n) => matchPath(pattern, n)).sort(),
    },
  };
}

interface Token {
  type: 'word' | ';' | '{' | '}';
  value: string;
  line: number;
}

const SPACE = new Set([' ', '\t', '\r', '\n']);

/** nginx's escapes (the same in quoted and bare words); other backslashes stay as written (regexes). */
function escaped(c: string): string | null {
  switch (c) {
    case '"':
    case "'":
    case '\\':
      return c;
    case 't':
      return '\t';
    case 'r':
      return '\r';
    case 'n':
      return '\n';
    default:
      return null;
  }
}

/** Pulls tokens one at a time, so that the parser can skip a block that is not nginx syntax. */
export class Lexer {
  private i = 0;
  line = 1;

  constructor(
    private readonly text: string,
    private readonly file: string,
  ) {}

  next(): Token | null {
    const text = this.text;
    const n = text.length;
    while (this.i < n) {
      const c = text[this.i];
      if (c === '\n') {
        this.line++;
        this.i++;
      } else if (SPACE.has(c)) {
        this.i++;
      } else if (c === '#') {
        while (this.i < n && text[this.i] !== '\n') this.i++;
      } else if (c === ';' || c === '{' || c === '}') {
        this.i++;
        return { type: c, value: c, line: this.line };
      } else {
        return this.word(c === '"' || c === "'" ? c : null);
      }
    }
    return null;
  }

  private word(quote: string | null): Token {
    const text = this.text;
    const n = text.length;
    const start = this.line;
    let v = '';
    let i = this.i + (quote ? 1 : 0);
    for (;;) {
      if (i >= n) {
        if (quote) throw new ConfigError(`${this.file}:${start}: unterminated ${quote}-quoted string`);
        break;
      }
      const d = text[i];
      if (quote ? d === quote : SPACE.has(d) || d === ';' || d === '{' || d === '}') break;
      if (d === '\\' && i + 1 < n) {
        const e = escaped(text[i + 1]);
        v += e ?? d + text[i + 1];
        if (text[i + 1] === '\n') this.line++;
        i += 2;
        continue;
      }
      if (!quote && d === '$' && text[i + 1] === '{') {
        // ${var} is part of the word, braces included
        const close = text.indexOf('}', i);
        if (close === -1) throw new ConfigError(`${this.file}:${this.line}: unclosed "\${"`);
        v += text.slice(i, close + 1);
        i = close + 1;
        continue;
      }
      if (d === '\n') this.line++;
      v += d;
      i++;
    }
    this.i = quote ? i + 1 : i;
    return { type: 'word', value: v, line: start };
  }

  /**
   * Skips to the `}` that closes a block just opened, for blocks of Lua (OpenResty's
   * `*_by_lua_block`): braces are counted outside Lua strings ('', "", [[ ]]) and `--` comments.
   */
  skipLuaBlock(): void {
    const text = this.text;
    const n = text.length;
    let depth = 1;
    const startLine = this.line;
    while (this.i < n) {
      const c = text[this.i];
      if (c === '\n') this.line++;
      if (c === '-' && text[this.i + 1] === '-') {
        while (this.i < n && text[this.i] !== '\n') this.i++;
        continue;
      }
      if (c === '"' || c === "'") {
        this.i++;
        while (this.i < n && text[this.i] !== c && text[this.i] !== '\n') this.i += text[this.i] === '\\' ? 2 : 1;
        if (text[this.i] === c) this.i++;
        continue;
      } else if (c === '[' && text[this.i + 1] === '[') {
        const close = text.indexOf(']]', this.i + 2);
        const end = close === -1 ? n : close + 2;
        for (let k = this.i; k < end; k++) if (text[k] === '\n') this.line++;
        this.i = end;
        continue;
      } else if (c === '{') depth++;
      else if (c === '}' && --depth === 0) {
        this.i++;
        return;
      }
      this.i++;
    }
    throw new ConfigError(`${this.file}:${startLine}: unexpected end of file in a Lua block, expecting "}"`);
  }
}

export function tokenize(text: string, file: string): Token[] {
  const lexer = new Lexer(text, file);
  const out: Token[] = [];
  for (let t = lexer.next(); t !== null; t = lexer.next()) out.push(t);
  return out;
}

const MAX_INCLUDE_DEPTH = 32;

export interface ParsedConf {
  directives: NginxDirective[];
  /** Every file read, main first. */
  files: string[];
  warnings: string[];
}

/** Parses `main` and everything it includes into one tree, includes expanded in place. */
export function parseNginxConf(main: string, files: ConfFiles = diskFiles, confPrefix = path.dirname(main)): ParsedConf {
  const read: string[] = [];
  const warnings: string[] = [];
  const failed = new Set<string>(); // an include that fails is reported once, not at every use

  function parseFile(file: string, stack: string[]): NginxDirective[] {
    if (stack.includes(file)) throw new IncludeCycle(`${file}: included from itself (${stack.join(' → ')})`);
    if (stack.length > MAX_INCLUDE_DEPTH) throw new ConfigError(`${file}: includes nested deeper than ${MAX_INCLUDE_DEPTH}`);
    const text = files.read(file);
    if (text === null) throw new ConfigError(`${file}: no such file`);
    read.push(file);
    const lexer = new Lexer(text, file);
    const inner = [...stack, file];

    function block(closing: boolean): NginxDirective[] {
      const list: NginxDirective[] = [];
      let words: Token[] = [];
      for (let t = lexer.next(); t !== null; t = lexer.next()) {
        if (t.type === 'word') {
          words.push(t);
          continue;
        }
        if (t.type === '}') {
          if (!closing) throw new ConfigError(`${file}:${t.line}: unexpected "}"`);
          if (words.length > 0) throw new ConfigError(`${file}:${t.line}: unexpected "}" after "${words[0].value}"`);
          return list;
        }
        if (words.length === 0) throw new ConfigError(`${file}:${t.line}: unexpected "${t.type}"`);
        const d: NginxDirective = {
          name: words[0].value,
          args: words.slice(1).map((w) => w.value),
          block: null,
          file,
          line: words[0].line,
        };
        words = [];
        if (t.type === '{' && d.name.endsWith('_by_lua_block')) {
          lexer.skipLuaBlock();
          d.block = [];
        } else if (t.type === '{') d.block = block(true);
        if (d.name === 'include' && d.block === null) list.push(...include(d));
        else list.push(d);
      }
      if (words.length > 0) throw new ConfigError(`${file}: unexpected end of file, expecting ";" or "}"`);
      if (closing) throw new ConfigError(`${file}: unexpected end of file, expecting "}"`);
      return list;
    }

    function include(d: NginxDirective): NginxDirective[] {
      if (d.args.length !== 1) throw new ConfigError(`${file}:${d.line}: include takes one argument`);
      const target = resolveAgainst(confPrefix, d.args[0]);
      const matched = hasGlobMagic(target) ? files.glob(target) : [target];
      const out: NginxDirective[] = [];
      for (const f of matched) {
        try {
          out.push(...parseFile(f, inner));
        } catch (err) {
          // One unreadable or broken include (permissions, a dangling symlink, a typo) should not
          // hide the logs the rest of the configuration names; the warning says what was left out.
          if (!(err instanceof ConfigError) || err instanceof IncludeCycle) throw err;
          if (failed.has(f)) continue;
          failed.add(f);
          warnings.push(`${file}:${d.line}: include ${d.args[0]}: ${err.message}`);
        }
      }
      return out;
    }

    return block(false);
  }

  const directives = parseFile(main, []);
  return { directives, files: read, warnings };
}

/** Blocks whose contents are tables, not directives. */
const TABLE_BLOCKS = new Set(['map', 'geo', 'split_clients', 'types', 'charset_map', 'match', 'upstream']);


interface NamedFormat {
  format: string;
  escape: 'default' | 'json' | 'none';
}

export interface NginxConfig {
  main: string;
  files: string[];
  logs: ConfiguredLog[];
  warnings: string[];
}

export interface NginxReadOptions {
  /** nginx's prefix, against which relative log paths resolve (`nginx -p`). */
  prefix?: string;
  /** Read this text as `nginx -T` output instead of reading files. */
  dump?: string;
}

/**
 * The prefix nginx was built with is unknown here; a main file in `<prefix>/conf/` (the layout of
 * a source build and of `nginx -p`) says it, otherwise the configuration directory stands in.
 */
function defaultPrefix(main: string): string {
  const dir = path.dirname(main);
  return path.basename(dir) === 'conf' ? path.dirname(dir) : dir;
}

function destinationOf(p: string): Destination {
  if (p.startsWith('syslog:')) return 'syslog';
  if (p.startsWith('memory:')) return 'memory';
  if (p === 'stderr' || p === '/dev/stderr' || p === '/dev/stdout') return 'stderr';
  if (p.includes('$')) return 'variable';
  return 'file';
}

function serverNames(block: NginxDirective[]): string[] {
  const names: string[] = [];
  for (const d of block) if (d.name === 'server_name') names.push(...d.args.filter((a) => a !== '' && a !== '""'));
  return names;
}

export function readNginxConfig(main: string, opts: NginxReadOptions = {}): NginxConfig {
  let files = diskFiles;
  main = path.resolve(main);
  if (opts.dump !== undefined) {
    const d = dumpFiles(opts.dump);
    files = d.files;
    main = d.main;
  }
  const parsed = parseNginxConf(main, files);
  const prefix = opts.prefix ?? defaultPrefix(main);
  const warnings = [...parsed.warnings];
  const logs: ConfiguredLog[] = [];

  // log_format is http-level and global: a server may use a format defined after it.
  const formats = new Map<string, NamedFormat>([['combined', { format: NGINX_PRESETS.combined, escape: 'default' }]]);
  const collectFormats = (list: NginxDirective[], inStream: boolean) => {
    for (const d of list) {
      if (d.name === 'log_format' && !inStream && d.args.length >= 2) {
        const rest = d.args.slice(1);
        let escape: NamedFormat['escape'] = 'default';
        const m = /^escape=(default|json|none)$/.exec(rest[0]);
        if (m) {
          escape = m[1] as NamedFormat['escape'];
          rest.shift();
        }
        formats.set(d.args[0], { format: rest.join(''), escape });
      }
      if (d.block && !TABLE_BLOCKS.has(d.name)) collectFormats(d.block, inStream || d.name === 'stream');
    }
  };
  collectFormats(parsed.directives, false);

  /** The parts every log shares: where it goes, for whom, and where the directive is. */
  const logAt = (d: NginxDirective, kind: ConfiguredLog['kind'], vhosts: string[], block: string) => {
    const target = d.args[0];
    const destination = destinationOf(target);
    return {
      server: 'nginx' as const,
      kind,
      path: destination === 'file' || destination === 'variable' ? resolveAgainst(prefix, target) : target,
      destination,
      vhosts,
      source: { file: d.file, line: d.line },
      block,
    };
  };

  const accessLog = (d: NginxDirective, vhosts: string[], block: string) => {
    if (d.args.length === 0 || d.args[0] === 'off') return;
    const name = d.args.length >= 2 ? d.args[1] : 'combined';
    const named = formats.get(name);
    if (!named) warnings.push(`${d.file}:${d.line}: access_log uses unknown log_format "${name}"`);
    const cond = d.args.slice(2).find((p) => p.startsWith('if='));
    logs.push({
      ...logAt(d, 'nginx-access', vhosts, block),
      format: named ? named.format : null,
      formatName: name,
      escape: named ? named.escape : undefined,
      ...(cond ? { condition: cond.slice(3) } : {}),
    });
  };

  const errorLog = (d: NginxDirective, vhosts: string[], block: string) => {
    if (d.args.length === 0) return;
    logs.push({ ...logAt(d, 'nginx-error', vhosts, block), format: null, formatName: null, level: d.args[1] ?? 'error' });
  };

  /** vhosts: the names logs in this block belong to; inheritors: for http-level access logs. */
  const walk = (list: NginxDirective[], ctx: string, vhosts: string[], block: string) => {
    for (const d of list) {
      if (d.name === 'access_log') {
        if (ctx.split('/')[0] === 'stream') warnings.push(`${d.file}:${d.line}: stream (TCP/UDP) access_log left out: not an HTTP log`);
        else accessLog(d, ctx === 'http' ? inheritingServers(list) : vhosts, block);
      } else if (d.name === 'error_log') {
        errorLog(d, vhosts, block);
      } else if (d.block && !TABLE_BLOCKS.has(d.name)) {
        const inner = d.name === 'server' && ctx === 'http' ? serverNames(d.block) : vhosts;
        walk(d.block, d.name === 'http' || d.name === 'stream' ? d.name : ctx === 'main' ? d.name : ctx + '/' + d.name, inner, `${d.file}:${d.line}`);
      }
    }
  };
  walk(parsed.directives, 'main', [], 'main');
  return { main, files: parsed.files, logs, warnings };
}

/** An http-level access_log is written for the servers that do not declare their own. */
function inheritingServers(httpBlock: NginxDirective[]): string[] {
  const names: string[] = [];
  for (const d of httpBlock) {
    if (d.name === 'server' && d.block && !d.block.some((c) => c.name === 'access_log')) names.push(...serverNames(d.block));
  }
  return names;
}
