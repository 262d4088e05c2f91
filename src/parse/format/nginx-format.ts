import { FieldType, FormatError, FormatPlan, PlanToken, finishPlan } from './plan';

/** Compiles an nginx `log_format` string (the part after the name, quotes already joined). */

const VARIABLE_TYPES: Record<string, FieldType> = {
  time_local: 'time-clf',
  time_iso8601: 'time-iso',
  msec: 'time-epoch-s',
  status: 'status',
  request: 'request',
  request_method: 'method',
  request_uri: 'path',
  uri: 'path',
  document_uri: 'path',
  args: 'query',
  query_string: 'query',
  server_protocol: 'protocol',
  remote_addr: 'client',
  realip_remote_addr: 'client',
  remote_port: 'client-port',
  host: 'host',
  http_host: 'host',
  server_name: 'host',
  body_bytes_sent: 'bytes',
  bytes_sent: 'bytes',
  request_time: 'request-time-s',
  upstream_addr: 'upstream-addr',
  upstream_status: 'upstream-status',
  upstream_response_time: 'upstream-response-time',
  upstream_connect_time: 'upstream-connect-time',
  connection: 'connection',
  http_referer: 'referer',
  http_user_agent: 'user-agent',
};

/** Variables whose values never hold a space. */
const TOKEN_VARIABLES = new Set([
  'remote_user', 'request_length', 'connection_requests', 'pipe', 'request_id', 'req_id', 'ssl_protocol',
  'ssl_cipher', 'scheme', 'server_addr', 'server_port', 'gzip_ratio', 'pid', 'hostname', 'binary_remote_addr',
  'upstream_cache_status', 'proxy_upstream_name', 'proxy_alternative_upstream_name', 'time_local_ms',
]);

function typeOf(name: string): FieldType {
  const t = VARIABLE_TYPES[name];
  if (t) return t;
  if (name.startsWith('upstream_') && !name.startsWith('upstream_http_') && !name.startsWith('upstream_cookie_')) {
    return 'upstream-list';
  }
  if (TOKEN_VARIABLES.has(name)) return 'token';
  return 'text';
}

export function compileNginxFormat(source: string, name = 'custom'): FormatPlan {
  const tokens: PlanToken[] = [];
  let literal = '';
  let i = 0;
  while (i < source.length) {
    const c = source[i];
    if (c === '$') {
      let j = i + 1;
      let varName: string;
      if (source[j] === '{') {
        const close = source.indexOf('}', j);
        if (close === -1) throw new FormatError(`unclosed "\${" at offset ${i}`);
        varName = source.slice(j + 1, close);
        j = close + 1;
      } else {
        while (j < source.length && /[A-Za-z0-9_]/.test(source[j])) j++;
        varName = source.slice(i + 1, j);
      }
      if (!/^[A-Za-z0-9_]+$/.test(varName)) {
        // nginx itself treats a lone `$` as text only inside complex values; here it is a typo.
        throw new FormatError(`invalid variable name at offset ${i}`);
      }
      tokens.push({ kind: 'literal', text: literal });
      literal = '';
      tokens.push({ kind: 'field', name: '$' + varName, type: typeOf(varName) });
      i = j;
    } else {
      literal += c;
      i++;
    }
  }
  tokens.push({ kind: 'literal', text: literal });
  return finishPlan({ server: 'nginx', name, source, tokens });
}
