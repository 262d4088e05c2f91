import * as fs from 'fs';
import YAML from 'yaml';
import { PeerIndexEntry, peerPath } from './peer-corpus';

/**
 * Reads a peer-corpus entry as input lines plus, where the peer ships them, expected values
 * normalised to the few fields both sides have: status, client, method, path, time, and for error
 * lines level, connection id, client, server, request, upstream, host.
 * Each peer spells its expectations differently; the mapping per peer is below. Fields a peer does
 * not state are left undefined and not compared.
 */

export interface Expectation {
  status?: number;
  client?: string;
  method?: string;
  path?: string;
  time?: number; // epoch ms
  level?: string;
  cid?: number;
  server?: string;
  request?: string;
  upstream?: string;
  host?: string;
  message?: string;
}

export interface PeerCase {
  input: string;
  /** The log format the peer states for this case (nginx log_format / preset name), when it states one. */
  nginxFormat?: string;
  expected: Expectation | null;
  /** The peer says this input must fail to parse. */
  expectFailure?: boolean;
  name: string;
}

function isCaseFile(file: string): boolean {
  return /\.cases\.json$|\.format-samples\.json$|_tests\.yaml$/.test(file);
}

function num(v: unknown): number | undefined {
  if (v === undefined || v === null || v === '') return undefined;
  const n = Number(v);
  return Number.isFinite(n) ? n : undefined;
}

function clfTime(s: unknown): number | undefined {
  if (typeof s !== 'string') return undefined;
  const m = /^(\d{2})\/(\w{3})\/(\d{4}):(\d{2}):(\d{2}):(\d{2}) ([+-])(\d{2})(\d{2})$/.exec(s);
  if (!m) return undefined;
  const mon = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'].indexOf(m[2]);
  const off = (m[7] === '-' ? -1 : 1) * (Number(m[8]) * 60 + Number(m[9])) * 60000;
  return Date.UTC(+m[3], mon, +m[1], +m[4], +m[5], +m[6]) - off;
}

function isoTime(s: unknown): number | undefined {
  if (typeof s !== 'string' || !/[zZ]|[+-]\d\d:?\d\d$/.test(s)) return undefined;
  const t = Date.parse(s);
  return Number.isNaN(t) ? undefined : t;
}

function splitRequest(req: unknown): { method?: string; path?: string } {
  if (typeof req !== 'string') return {};
  const parts = req.split(' ');
  if (parts.length < 2) return {};
  return { method: parts[0], path: parts.length >= 3 ? parts.slice(1, -1).join(' ') : parts[1] };
}

function dashToUndef(v: unknown): string | undefined {
  return typeof v === 'string' && v !== '-' ? v : undefined;
}

/** Per-peer mapping of a case's expectation. */
function expectationOf(source: string, kind: string, c: any): Expectation | null {
  const e = c.expected;
  switch (source) {
    case 'vrl': {
      if (!e) return null;
      if (kind.endsWith('error')) {
        return {
          time: isoTime(e.timestamp),
          level: e.severity,
          cid: num(e.cid),
          client: e.client,
          server: e.server,
          request: e.request,
          upstream: e.upstream,
          host: e.host,
          message: kind === 'nginx-error' ? e.message : undefined,
        };
      }
      return { status: num(e.status), client: e.client, time: isoTime(e.timestamp), ...splitRequest(e.request) };
    }
    case 'fluentd': {
      if (!e) return null;
      if (kind === 'apache-error') return { level: e.level, client: e.client ?? undefined };
      // fluentd's "nginx" parser reads the second field as $host; only compare what is unambiguous
      return {
        status: num(e.code),
        method: e.method,
        path: e.path,
        client: kind === 'apache-access' ? e.host : e.remote,
        time: clfTime(c.expected_time),
      };
    }
    case 'grok_exporter':
      if (!e) return null;
      return {
        client: e.client || undefined,
        server: e.server || undefined,
        request: e.request || undefined,
        upstream: e.upstream || undefined,
        host: e.host || undefined,
      };
    case 'mainevent':
      if (!e) return null;
      if (kind === 'nginx-error') {
        return { level: e.level, client: e.client, server: e.server, request: e.request, upstream: e.upstream, host: e.host };
      }
      return { status: num(e.code ?? e.status), client: e.host ?? e.remote_addr, method: e.method, path: e.path };
    case 'logstash-patterns-core': {
      const l = c.expected_legacy;
      if (!l || kind !== 'apache-access') return null;
      return { status: num(l.response), client: l.clientip, method: l.verb, path: l.request };
    }
    case 'mozilla-lua_sandbox_extensions':
      if (!e || kind !== 'nginx-access') return null;
      return {
        status: num(e.status),
        client: typeof e.remote_addr === 'object' ? e.remote_addr.value : e.remote_addr,
        ...splitRequest(e.request),
      };
    case 'datadog-integrations-core': {
      const r = c.result?.custom;
      if (!r || !r.http || r.http.status_code === undefined) return null;
      return {
        status: num(r.http.status_code),
        client: r.network?.client?.ip,
        method: r.http.method,
        time: num(r.date_access),
      };
    }
    default:
      return null;
  }
}

const VRL_FORMATS: Record<string, string> = { combined: 'combined', main: 'main', ingress_upstreaminfo: 'upstreaminfo' };
/** fluentd's built-in "nginx" parser reads `remote host user [time] ...` (test/plugin/test_parser_nginx.rb). */
const FLUENTD_NGINX = '$remote_addr $host $remote_user [$time_local] "$request" $status $body_bytes_sent "$http_referer" "$http_user_agent"';

function statedFormat(source: string, c: any): string | undefined {
  if (source === 'vrl' && c.function === 'parse_nginx_log') return VRL_FORMATS[c.format];
  if (source === 'mozilla-lua_sandbox_extensions' && typeof c.grammar === 'string') {
    const m = /build_nginx_grammar\('(.*)'\)/.exec(c.grammar);
    return m ? m[1] : undefined;
  }
  if (source === 'fluentd' && /nginx/i.test(c.parser ?? c.name ?? '')) return FLUENTD_NGINX;
  return undefined;
}

/** Elastic pipeline expectations: one ECS document per (possibly multi-line) event. */
function elasticExpectations(expectedFile: string): Map<string, Expectation> {
  const doc = JSON.parse(fs.readFileSync(peerPath(expectedFile), 'utf8'));
  const events: any[] = Array.isArray(doc) ? doc : doc.expected;
  const out = new Map<string, Expectation>();
  for (const ev of events) {
    const get = (dotted: string) =>
      dotted in ev ? ev[dotted] : dotted.split('.').reduce((o: any, k) => (o == null ? undefined : o[k]), ev);
    const original = get('event.original') ?? get('message');
    if (typeof original !== 'string' || original.includes('\n')) continue;
    const level = get('log.level');
    const status = num(get('http.response.status_code'));
    out.set(original, {
      status,
      client: status !== undefined ? get('source.address') : undefined,
      method: status !== undefined ? dashToUndef(get('http.request.method'))?.toUpperCase() : undefined,
      time: isoTime(get('@timestamp')),
      level: typeof level === 'string' ? level : undefined,
      cid: num(get('nginx.error.connection_id')),
    });
  }
  return out;
}

export function peerCases(entry: PeerIndexEntry): PeerCase[] {
  const file = peerPath(entry.file);
  if (isCaseFile(entry.file)) {
    let list: any[];
    if (entry.file.endsWith('.yaml')) list = YAML.parse(fs.readFileSync(file, 'utf8')).tests;
    else list = JSON.parse(fs.readFileSync(file, 'utf8'));
    return list.map((c: any, i: number) => ({
      input: (c.input ?? c.sample) as string,
      nginxFormat: statedFormat(entry.source, c),
      expected: expectationOf(entry.source, entry.kind, c),
      expectFailure: c.expected === null && c.expected_error !== undefined,
      name: c.name ?? `${entry.file}#${i + 1}`,
    }));
  }
  // a log file: expectations from the elastic expected file, matched by the original text
  const text = fs.readFileSync(file, 'utf8');
  const lines = text.split('\n');
  if (text.endsWith('\n')) lines.pop();
  const elastic =
    entry.expected && /^elastic-/.test(entry.source) ? elasticExpectations(entry.expected) : new Map<string, Expectation>();
  return lines.map((l, i) => ({ input: l, expected: elastic.get(l) ?? null, name: `${entry.file}:${i + 1}` }));
}

/** Writes the inputs of a case file as a log file (for the CLI); log files are used in place. */
export function peerLogFile(entry: PeerIndexEntry, tmpDir: string): string {
  if (!isCaseFile(entry.file)) return peerPath(entry.file);
  const name = entry.file.replace(/[\/]/g, '__').replace(/\.(cases\.json|format-samples\.json|yaml)$/, '.log');
  const out = `${tmpDir}/${name}`;
  fs.writeFileSync(out, peerCases(entry).map((c) => c.input).join('\n') + '\n');
  return out;
}
