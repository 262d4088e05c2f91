import { Signature } from '../model';

/**
 * The signature catalogue: one row per server message (and per errno variant where the errno
 * changes the cause). The matcher tests the AH code and errno first, then `literal` with a plain
 * substring search, and runs `pattern` only on messages that pass. Patterns are anchored on the
 * server's own message text, use bounded repeats and no nested quantifiers, so they stay linear on
 * hostile input (test/signatures.test.ts checks this on 100 KB adversarial strings).
 *
 * Row order matters only where two rows can match the same message: the specific row comes first.
 * Message texts, levels, statuses and version differences: ../shared/reference/upstream-messages.md
 * (nginx 1.22-1.27, Apache 2.2/2.4, PHP-FPM 8.x sources); statuses checked against the captured
 * fixtures (fixtures/capture) where the capture produces the message.
 *
 * `failure: false` rows are known messages that are not failed requests (markers, informational
 * warnings, PHP-FPM's pool messages): counted as evidence, never as `unclassified`.
 * `followUp: true` rows repeat a failure an earlier entry of the same request logged in detail.
 * See docs/diagnosis.md for how to add a row.
 */

// ------------------------------------------------------------------ sources ----
const NGX_UP = 'nginx src/http/ngx_http_upstream.c';
const NGX_CONNECT = 'nginx src/event/ngx_event_connect.c · ngx_event_connect_peer';
const NGX_TEST_CONNECT = `${NGX_UP} · ngx_http_upstream_test_connect; ${NGX_CONNECT}`;
const NGX_IO = 'nginx src/os/unix/ngx_recv.c, ngx_readv_chain.c, ngx_send.c, ngx_writev_chain.c, ngx_linux_sendfile_chain.c';
const NGX_PROXY = 'nginx src/http/modules/ngx_http_proxy_module.c';
const NGX_FCGI = 'nginx src/http/modules/ngx_http_fastcgi_module.c';
const NGX_GRPC = 'nginx src/http/modules/ngx_http_grpc_module.c';
const NGX_SSL = 'nginx src/event/ngx_event_openssl.c · ngx_ssl_handshake';
const NGX_RESOLVE = `${NGX_UP} · ngx_http_upstream_resolve_handler`;
const AP_UTIL = 'httpd modules/proxy/proxy_util.c';
const AP_HTTP = 'httpd modules/proxy/mod_proxy_http.c';
const AP_FCGI = 'httpd modules/proxy/mod_proxy_fcgi.c';
const AP_BAL = 'httpd modules/proxy/mod_proxy_balancer.c';
const AP_SSL = 'httpd modules/ssl/ssl_engine_io.c, ssl_engine_kernel.c';
const AP22 = 'httpd 2.2.x modules/proxy/proxy_util.c, mod_proxy_http.c';
const FPM = 'php-src sapi/fpm/fpm';

// ------------------------------------------------------------------- hints ----
const H = {
  refused: 'nothing listens on {upstream}: is the service running? from the proxy host: curl -I http://{upstream}{path}; ss -ltnp',
  staleSocket: 'the socket file of {upstream} exists but nothing accepts on it (stale socket after a crash): restart the service',
  socketMissing: 'the unix socket of {upstream} is missing: is the service (php-fpm, gunicorn) running, is the path right (version in the path, PrivateTmp)?',
  permission: 'socket owner/mode of {upstream} vs the proxy worker user (listen.owner/listen.mode); for TCP: SELinux httpd_can_network_connect',
  backlog: 'the listen backlog of {upstream} is full: every worker is busy; check pm.max_children / worker counts and listen.backlog',
  addrUnavailable: 'ephemeral ports exhausted towards {upstream} (TIME_WAIT storm) or proxy_bind address not local: enable upstream keepalive',
  unreachable: 'no route to {upstream}: ip route get <ip>; firewall REJECT rules; IPv6 without a route',
  connectTimeout: 'no answer to SYN from {upstream}: host down or firewall DROP; nc -vz -w 3 {upstream} from the proxy host',
  readTimeout: '{upstream} took longer than the read timeout on {path} (proxy_read_timeout / fastcgi_read_timeout / ProxyTimeout): find the slow request first',
  bodyTimeout: '{upstream} paused longer than the read timeout while streaming {path} (export, SSE, long-poll?): raise it for that location only',
  sendTimeout: '{upstream} stopped reading the request body of {path}: stuck worker; proxy_send_timeout',
  reset: '{upstream} reset the connection mid-request: killed/crashed worker (OOM, segfault, request_terminate_timeout); check its log and dmesg',
  closedEarly: '{upstream} closed before a full response: crash or exit in the app, or a keepalive race (upstream idle timeout shorter than the proxy\'s reuse)',
  bodyRejected: '{upstream} closed while the request body of {path} was sent: body over the backend\'s limit, or a crash',
  tooBig: 'response headers of {path} exceed proxy_buffer_size / fastcgi_buffer_size (Apache: ResponseFieldSize): look for huge Set-Cookie headers',
  invalid: '{upstream} does not speak the protocol the proxy expects: check proxy_pass http:// vs https:// and the port; curl -v http://{upstream}{path}',
  framework: '{upstream} sends a malformed response (framing/headers) on {path}: fix the application or framework',
  noLive: 'every server of {upstream} is marked failed (max_fails/fail_timeout, retry=): find the earlier failures that disabled them',
  dns: 'the upstream name does not resolve: dig it against the resolver the proxy uses; check DNS propagation, the resolver directive and /etc/hosts',
  noResolver: 'proxy_pass uses a variable but no resolver is configured: add `resolver <ip> valid=30s;`',
  resolverDown: 'the resolver itself is unreachable or refuses: check the resolver address (127.0.0.11 exists only inside Docker)',
  tls: 'openssl s_client -connect {upstream} -servername <name> from the proxy host: https to a plain port, SNI (proxy_ssl_server_name on), protocol or cipher mismatch',
  tlsVerify: 'the upstream certificate is not trusted: proxy_ssl_trusted_certificate / SSLProxyCACertificateFile; check chain, expiry and self-signed certs',
  tlsName: 'the upstream certificate does not name the host asked for: proxy_ssl_name / SSLProxyCheckPeerName, or fix the certificate SAN',
  fdLimit: 'the proxy ran out of file descriptors: raise worker_rlimit_nofile / LimitNOFILE',
  workerConns: 'each proxied request needs two connections: raise worker_connections (and worker_rlimit_nofile)',
  tempPerm: 'proxy_temp_path / fastcgi_temp_path is not writable by the worker user: fix ownership',
  client: 'clients gave up first: compare the upstream response time of {path} with the client/LB timeout',
  scriptUnknown: 'SCRIPT_FILENAME points to a missing file for {path}: check root / fastcgi_param SCRIPT_FILENAME (Apache: ProxyPassMatch path)',
  phpFatal: 'the PHP script died on {path}: read the fatal error in the message',
  appNoise: 'the application wrote to stderr; not a failure by itself',
  overloaded: 'pool {pool} is full: raise pm.max_children (check memory per child) or find the slow requests holding workers',
  crash: 'a PHP-FPM worker died mid-request: SIGSEGV/SIGBUS = extension bug, SIGKILL = OOM killer, SIGTERM = request_terminate_timeout',
  connPool: 'the proxy\'s connection pool to {upstream} is exhausted (ProxyPass max=/acquire=): raise it or find slow responses',
  maxWorkers: 'the proxy has no worker left (MaxRequestWorkers): often slow backends hold them; raise it or fix the backend',
  moduleMissing: 'the proxy module for the scheme is not loaded or the scheme is misspelled: a2enmod proxy_http / proxy_fcgi',
  sslProxyEngine: 'ProxyPass https:// needs SSLProxyEngine on (and mod_ssl)',
  marker: 'marker: an upstream was taken out of rotation after failures; the failures themselves are logged separately',
  info: 'informational: no request failed because of this line',
};

// ------------------------------------------------------------ nginx rows ----
/** The two connect() wordings: `connect() failed (E: …)` (async) and `connect() to ADDR failed (E: …)`. */
function ngxConnect(id: string, errno: string, cause: Signature['cause'], hint: string, status: number | null = 502): Signature {
  return {
    id,
    server: 'nginx',
    errno: [errno],
    literal: 'while connecting to upstream',
    pattern: new RegExp(`^connect\\(\\) (?:to \\S{1,1100} )?failed \\(${errno}: [^)]{0,80}\\) while connecting to upstream`),
    cause,
    status,
    hint,
    source: NGX_TEST_CONNECT,
  };
}

/** recv()/readv()/send()/writev()/sendfile() errors in a given phase. */
function ngxIo(id: string, errno: string, phase: string, cause: Signature['cause'], status: number | null, hint: string): Signature {
  return {
    id,
    server: 'nginx',
    errno: [errno],
    literal: `while ${phase}`,
    pattern: new RegExp(`^(?:recv|readv|send|writev|sendfile|sendmsg)\\(\\) failed \\(${errno}: [^)]{0,80}\\) while ${phase}`),
    cause,
    status,
    hint,
    source: NGX_IO,
  };
}

function ngxTimeout(id: string, phase: string, cause: Signature['cause'], status: number | null, hint: string, source: string): Signature {
  return {
    id,
    server: 'nginx',
    literal: `while ${phase}`,
    pattern: new RegExp(`^upstream timed out \\(110: [^)]{0,60}\\) while ${phase}`),
    cause,
    status,
    hint,
    source,
  };
}

/** A row: the arguments in the order the columns read in the tables below. */
function row(
  server: Signature['server'],
  id: string,
  literal: string,
  pattern: RegExp,
  cause: Signature['cause'],
  status: number | null,
  hint: string,
  source: string,
  extra: Partial<Signature> = {},
): Signature {
  return { id, server, literal, pattern, cause, status, hint, source, ...extra };
}

const ngx = (...a: RowArgs): Signature => row('nginx', ...a);
type RowArgs = Parameters<typeof row> extends [unknown, ...infer R] ? R : never;

const NGINX: Signature[] = [
  // connecting (N1, N2a-f); unix-socket specifics before the generic errno rows
  {
    ...ngxConnect('nginx-connect-unix-refused', '111', 'upstream-refused', H.staleSocket),
    pattern: /^connect\(\) to unix:\S{1,1100} failed \(111: [^)]{0,80}\) while connecting to upstream/,
  },
  ngxConnect('nginx-connect-refused', '111', 'upstream-refused', H.refused),
  ngxConnect('nginx-connect-socket-missing', '2', 'upstream-socket-missing', H.socketMissing),
  ngxConnect('nginx-connect-permission', '13', 'permission-denied', H.permission),
  ngxConnect('nginx-connect-backlog-full', '11', 'upstream-overloaded', H.backlog),
  ngxConnect('nginx-connect-addr-unavailable', '99', 'proxy-resource-limit', H.addrUnavailable),
  ngxConnect('nginx-connect-host-unreachable', '113', 'network-unreachable', H.unreachable),
  ngxConnect('nginx-connect-net-unreachable', '101', 'network-unreachable', H.unreachable),
  ngxConnect('nginx-connect-timedout', '110', 'upstream-timeout-connect', H.connectTimeout),
  ngxConnect('nginx-connect-reset', '104', 'upstream-reset', H.reset),
  ngxConnect('nginx-connect-too-many-files', '24', 'proxy-resource-limit', H.fdLimit, 500),
  // nginx's own timers (N3-N8)
  ngxTimeout('nginx-timeout-connect', 'connecting to upstream', 'upstream-timeout-connect', 504, H.connectTimeout, `${NGX_UP} · ngx_http_upstream_next`),
  ngxTimeout('nginx-timeout-send', 'sending request to upstream', 'upstream-timeout-send', 504, H.sendTimeout, `${NGX_UP} · ngx_http_upstream_send_request_handler`),
  ngxTimeout('nginx-timeout-read-header', 'reading response header from upstream', 'upstream-timeout-read', 504, H.readTimeout, `${NGX_UP} · ngx_http_upstream_process_header`),
  ngxTimeout('nginx-timeout-read-body', 'reading upstream', 'upstream-timeout-read', null, H.bodyTimeout, `${NGX_UP} · ngx_http_upstream_process_upstream`),
  ngxTimeout('nginx-timeout-ssl-handshake', 'SSL handshaking to upstream', 'tls-handshake', 504, H.tls, `${NGX_UP} · ngx_http_upstream_ssl_handshake`),
  ngxTimeout('nginx-timeout-upgraded', 'proxying upgraded connection', 'upstream-timeout-read', null, H.bodyTimeout, `${NGX_UP} · ngx_http_upstream_process_upgraded`),
  // I/O errors by errno and phase (N11, N14, N15)
  ngxIo('nginx-recv-reset-header', '104', 'reading response header from upstream', 'upstream-reset', 502, H.reset),
  ngxIo('nginx-recv-reset-body', '104', 'reading upstream', 'upstream-reset', null, H.reset),
  ngxIo('nginx-recv-refused-header', '111', 'reading response header from upstream', 'upstream-refused', 502, H.refused),
  ngxIo('nginx-recv-timedout-header', '110', 'reading response header from upstream', 'upstream-timeout-read', 502, H.readTimeout),
  ngxIo('nginx-recv-unreachable-header', '113', 'reading response header from upstream', 'network-unreachable', 502, H.unreachable),
  ngxIo('nginx-send-broken-pipe', '32', 'sending request to upstream', 'upstream-closed-early', 502, H.bodyRejected),
  ngxIo('nginx-send-reset', '104', 'sending request to upstream', 'upstream-reset', 502, H.bodyRejected),
  ngxIo('nginx-send-refused', '111', 'sending request to upstream', 'upstream-refused', 502, H.refused),
  // premature close (N12, N13, N38, N39)
  ngx('nginx-premature-close-header', 'upstream prematurely closed connection', /^upstream prematurely closed connection while reading response header from upstream/, 'upstream-closed-early', 502, H.closedEarly, `${NGX_UP} · ngx_http_upstream_process_header`),
  ngx('nginx-premature-close-body', 'upstream prematurely closed connection', /^upstream prematurely closed connection while reading upstream/, 'upstream-closed-early', null, H.closedEarly, `${NGX_UP} · ngx_http_upstream_process_request`),
  ngx('nginx-premature-close-sending-to-client', 'upstream prematurely closed connection', /^upstream prematurely closed connection while sending to client/, 'upstream-closed-early', null, H.closedEarly, `${NGX_UP} · ngx_http_upstream_process_non_buffered_request`),
  ngx('nginx-premature-close-fastcgi-stdout', 'prematurely closed FastCGI stdout', /^upstream prematurely closed FastCGI stdout/, 'upstream-closed-early', 502, H.crash, `${NGX_FCGI} · ngx_http_fastcgi_process_header`),
  ngx('nginx-premature-close-fastcgi-request', 'prematurely closed FastCGI request', /^upstream prematurely closed FastCGI request/, 'upstream-closed-early', null, H.crash, `${NGX_FCGI} · ngx_http_fastcgi_input_filter`),
  // upstream groups (N9, N10)
  ngx('nginx-no-live-upstreams', 'no live upstreams', /^no live upstreams while connecting to upstream/, 'no-live-upstreams', 502, H.noLive, `${NGX_UP} · ngx_http_upstream_connect`),
  ngx('nginx-upstream-disabled', 'temporarily disabled', /^upstream server temporarily disabled while /, 'no-live-upstreams', null, H.marker, 'nginx src/http/ngx_http_upstream_round_robin.c · ngx_http_upstream_free_round_robin_peer', { failure: false }),
  // response header and framing (N16-N21, N40-N44)
  ngx('nginx-header-too-big', 'upstream sent too big header', /^upstream sent too big header while reading response header from upstream/, 'header-too-big', 502, H.tooBig, `${NGX_UP} · ngx_http_upstream_process_header`),
  ngx('nginx-invalid-header', 'upstream sent invalid header', /^upstream sent invalid header(?::| while)/, 'invalid-response', 502, H.framework, `${NGX_PROXY} · ngx_http_proxy_process_header`),
  ngx('nginx-no-valid-http-header', 'no valid HTTP/1.0 header', /^upstream sent no valid HTTP\/1\.0 header while reading response header from upstream/, 'invalid-response', 9, H.invalid, `${NGX_PROXY} · ngx_http_proxy_process_status_line`),
  ngx('nginx-invalid-chunked', 'upstream sent invalid chunked response', /^upstream sent invalid chunked response/, 'invalid-response', null, H.framework, `${NGX_PROXY} · ngx_http_proxy_chunked_filter`),
  ngx('nginx-duplicate-header', 'upstream sent duplicate header line', /^upstream sent duplicate header line: "/, 'invalid-response', 502, H.framework, `${NGX_UP} · ngx_http_upstream_process_header_line`),
  ngx('nginx-cl-and-te', 'headers at the same time', /^upstream sent "Content-Length" and "Transfer-Encoding" headers at the same time/, 'invalid-response', 502, H.framework, `${NGX_UP} · ngx_http_upstream_process_transfer_encoding`),
  ngx('nginx-invalid-content-length', 'upstream sent invalid "Content-Length"', /^upstream sent invalid "Content-Length" header/, 'invalid-response', 502, H.framework, `${NGX_UP} · ngx_http_upstream_process_content_length`),
  ngx('nginx-unknown-transfer-encoding', 'upstream sent unknown "Transfer-Encoding"', /^upstream sent unknown "Transfer-Encoding"/, 'invalid-response', 502, H.framework, `${NGX_UP} · ngx_http_upstream_process_transfer_encoding`),
  ngx('nginx-more-data-than-length', 'more data than specified', /^upstream sent more data than specified in "Content-Length" header/, 'invalid-response', null, H.info, `${NGX_PROXY} · ngx_http_proxy_copy_filter`, { failure: false }),
  ngx('nginx-invalid-status', 'upstream sent invalid status', /^upstream sent invalid status "/, 'invalid-response', 502, H.framework, `${NGX_FCGI} · ngx_http_fastcgi_process_header`),
  ngx('nginx-fastcgi-bad-version', 'unsupported FastCGI protocol version', /^upstream sent unsupported FastCGI protocol version: \d{1,3}/, 'invalid-response', 502, H.invalid, `${NGX_FCGI} · ngx_http_fastcgi_process_record`),
  ngx('nginx-fastcgi-bad-record', 'FastCGI record', /^upstream sent (?:invalid FastCGI record type|unexpected FastCGI record): \d{1,10}/, 'invalid-response', 502, H.invalid, `${NGX_FCGI} · ngx_http_fastcgi_process_record`),
  ngx('nginx-grpc-rejected', 'upstream rejected request with error', /^upstream rejected request with error \d{1,10}/, 'app-error', 502, H.framework, `${NGX_GRPC} · ngx_http_grpc_process_header`),
  ngx('nginx-grpc-frame-too-large', 'upstream sent too large http2 frame', /^upstream sent too large http2 frame: \d{1,20}/, 'invalid-response', 502, H.invalid, `${NGX_GRPC} · ngx_http_grpc_parse_frame`),
  ngx('nginx-grpc-goaway', 'upstream sent goaway', /^upstream sent goaway with error \d{1,10}/, 'upstream-closed-early', 502, H.closedEarly, `${NGX_GRPC} · ngx_http_grpc_process_header`),
  // TLS towards the upstream (N22-N25)
  ngx('nginx-ssl-verify-error', 'upstream SSL certificate verify error', /^upstream SSL certificate verify error: \(\d{1,4}:/, 'tls-handshake', 502, H.tlsVerify, `${NGX_UP} · ngx_http_upstream_ssl_handshake`),
  ngx('nginx-ssl-name-mismatch', 'upstream SSL certificate does not match', /^upstream SSL certificate does not match "/, 'tls-handshake', 502, H.tlsName, `${NGX_UP} · ngx_http_upstream_ssl_handshake`),
  ngx('nginx-ssl-handshake-failed', 'while SSL handshaking to upstream', /^SSL_do_handshake\(\) failed \(SSL: [^\n]{0,600}\) while SSL handshaking to upstream/, 'tls-handshake', 502, H.tls, NGX_SSL),
  ngx('nginx-ssl-peer-closed', 'peer closed connection in SSL handshake', /^peer closed connection in SSL handshake(?: \(\d{1,5}: [^)]{0,80}\))? while SSL handshaking to upstream/, 'tls-handshake', 502, H.tls, NGX_SSL),
  // DNS (N26-N29)
  // the mail proxy resolving its client's name, not an upstream: known, not a failure
  ngx('nginx-mail-resolve-client', 'while in resolving client address', /^\S{1,300} could not be resolved \(\d{1,3}: [^)]{0,60}\) while in resolving client address/, 'dns-failure', null, H.info, 'nginx src/mail/ngx_mail_handler.c · ngx_mail_resolve_addr_handler', { failure: false }),
  ngx('nginx-mail-logged-in', 'client logged in', /^client logged in/, 'client-closed', null, H.info, 'nginx src/mail/ngx_mail_proxy_module.c', { failure: false }),
  ngx('nginx-mail-session-done', 'proxied session done', /^proxied session done/, 'client-closed', null, H.info, 'nginx src/mail/ngx_mail_proxy_module.c', { failure: false }),
  ngx('nginx-resolve-host-not-found', 'could not be resolved (3: ', /^\S{1,300} could not be resolved \(3: Host not found\)/, 'dns-failure', 502, H.dns, NGX_RESOLVE),
  ngx('nginx-resolve-server-failure', 'could not be resolved (2: ', /^\S{1,300} could not be resolved \(2: Server failure\)/, 'dns-failure', 502, H.resolverDown, NGX_RESOLVE),
  ngx('nginx-resolve-timeout', 'could not be resolved (110: ', /^\S{1,300} could not be resolved \(110: Operation timed out\)/, 'dns-failure', 502, H.resolverDown, NGX_RESOLVE),
  ngx('nginx-resolve-other', 'could not be resolved (', /^\S{1,300} could not be resolved \(\d{1,3}: [^)]{0,60}\)/, 'dns-failure', 502, H.dns, NGX_RESOLVE),
  ngx('nginx-no-resolver', 'no resolver defined to resolve', /^no resolver defined to resolve \S{1,300}/, 'dns-failure', 502, H.noResolver, `${NGX_UP} · ngx_http_upstream_init_request`),
  ngx('nginx-resolver-io-failed', 'while resolving', /^(?:recv|send|connect)\(\) failed \(\d{1,5}: [^)]{0,80}\) while resolving/, 'dns-failure', null, H.resolverDown, 'nginx src/core/ngx_resolver.c · ngx_resolver_udp_read'),
  ngx('nginx-host-not-found-in-upstream', 'host not found in upstream', /^host not found in upstream "[^"]{0,300}"/, 'dns-failure', null, H.dns, 'nginx src/core/ngx_inet.c · ngx_inet_resolve_host'),
  // the proxy's own limits and files (N30-N34)
  ngx('nginx-socket-too-many-files', 'while connecting to upstream', /^socket\(\) failed \(24: [^)]{0,60}\) while connecting to upstream/, 'proxy-resource-limit', 500, H.fdLimit, NGX_CONNECT),
  ngx('nginx-worker-connections', 'worker_connections are not enough while', /^\d{1,10} worker_connections are not enough while connecting to upstream/, 'proxy-resource-limit', 500, H.workerConns, 'nginx src/core/ngx_connection.c · ngx_get_connection'),
  ngx('nginx-worker-connections-reusing', 'worker_connections are not enough, reusing', /^\d{1,10} worker_connections are not enough, reusing connections/, 'proxy-resource-limit', null, H.workerConns, 'nginx src/core/ngx_connection.c · ngx_drain_connections', { failure: false }),
  ngx('nginx-accept-too-many-files', 'failed (24: ', /^accept4?\(\) failed \(24: /, 'proxy-resource-limit', null, H.fdLimit, 'nginx src/event/ngx_event_accept.c · ngx_event_accept'),
  ngx('nginx-bind-failed', 'while connecting to upstream', /^bind\([^)\n]{0,300}\) failed \(\d{1,5}: [^)]{0,80}\) while connecting to upstream/, 'proxy-resource-limit', 500, H.addrUnavailable, NGX_CONNECT),
  ngx('nginx-temp-file-permission', 'failed (13: Permission denied) while reading upstream', /^open\(\) "[^"]{0,1024}" failed \(13: Permission denied\) while reading upstream/, 'permission-denied', null, H.tempPerm, 'nginx src/core/ngx_file.c · ngx_create_temp_file'),
  ngx('nginx-buffered-to-temp-file', 'an upstream response is buffered to a temporary file', /^an upstream response is buffered to a temporary file/, 'proxy-resource-limit', null, H.info, 'nginx src/core/ngx_file.c · ngx_write_chain_to_temp_file', { failure: false }),
  // the client left first (N36)
  ngx('nginx-client-closed', 'client prematurely closed connection', /^(?:(?:epoll_wait|kevent)\(\) reported that )?client prematurely closed connection/, 'client-closed', 499, H.client, `${NGX_UP} · ngx_http_upstream_check_broken_connection`),
  ngx('nginx-send-to-client-failed', 'while sending to client', /^(?:writev|send|sendfile|SSL_write)\(\) failed \((?:32|104): [^)]{0,80}\) while sending to client/, 'client-closed', null, H.client, NGX_IO),
  // FastCGI stderr (N37): what PHP said, relayed; only the ones that end the request are failures
  ngx('nginx-fastcgi-primary-script-unknown', 'Primary script unknown', /^FastCGI sent in stderr: "Primary script unknown/, 'app-error', 404, H.scriptUnknown, `${NGX_FCGI} · ngx_http_fastcgi_process_header`),
  ngx('nginx-fastcgi-unable-to-open-script', 'Unable to open primary script', /^FastCGI sent in stderr: "Unable to open primary script/, 'app-error', 404, H.scriptUnknown, `${NGX_FCGI} · ngx_http_fastcgi_process_header`),
  ngx('nginx-fastcgi-access-denied', 'has been denied (see security.limit_extensions)', /^FastCGI sent in stderr: "Access to the script '/, 'app-error', 403, H.scriptUnknown, `${NGX_FCGI} · ngx_http_fastcgi_process_header`),
  ngx('nginx-fastcgi-php-fatal', 'PHP Fatal error', /^FastCGI sent in stderr: "PHP message: PHP Fatal error: /, 'app-error', 500, H.phpFatal, `${NGX_FCGI} · ngx_http_fastcgi_process_header`),
  ngx('nginx-fastcgi-php-parse-error', 'PHP Parse error', /^FastCGI sent in stderr: "PHP message: PHP Parse error: /, 'app-error', 500, H.phpFatal, `${NGX_FCGI} · ngx_http_fastcgi_process_header`),
  ngx('nginx-fastcgi-stderr', 'FastCGI sent in stderr', /^FastCGI sent in stderr: "/, 'app-error', null, H.appNoise, `${NGX_FCGI} · ngx_http_fastcgi_process_header`, { failure: false }),
];

// ----------------------------------------------------------- Apache rows ----
/** AH00957 `%s: attempt to connect to %pI (%s:%hu) failed`: the errno decides the cause. */
const AH00957 = /^\S{1,32}: attempt to connect to \S{1,300} \([^)]{0,300}\) failed/;
/** AH02454 `%s: attempt to connect to Unix domain socket %s (%s:%hu) failed`. */
const AH02454 = /^\S{1,32}: attempt to connect to Unix domain socket \S{1,1100} \([^)]{0,300}\) failed/;
const AH01102 = /^error reading status line from remote server /;
const AH01075 = /^Error dispatching request to /;
const AH01084 = /^pass request body failed to /;
const AH01110 = /^error reading response/;
const AH01114 = /^\S{1,32}: failed to make connection to backend: /;
const AH_BACKEND = /^failed to make connection to backend: /;

/** An Apache row: the AH code and errno filters come first, then the columns of `row`. */
function ap(id: string, code: string | undefined, errno: string[] | undefined, ...a: Tail<RowArgs>): Signature {
  const filters: Partial<Signature> = {};
  if (code) filters.code = code;
  if (errno) filters.errno = errno;
  const [literal, pattern, cause, status, hint, source, extra] = a;
  return row('apache', id, literal, pattern, cause, status, hint, source, { ...filters, ...extra });
}
type Tail<T extends unknown[]> = T extends [unknown, ...infer R] ? R : never;

const CONNECT_SRC = `${AP_UTIL} · ap_proxy_connect_backend`;

const APACHE: Signature[] = [
  // connecting (A1-A5)
  ap('apache-connect-refused', 'AH00957', ['111'], 'attempt to connect to', AH00957, 'upstream-refused', 503, H.refused, CONNECT_SRC),
  ap('apache-connect-timeout', 'AH00957', ['70007', '110'], 'attempt to connect to', AH00957, 'upstream-timeout-connect', 503, H.connectTimeout, CONNECT_SRC),
  ap('apache-connect-host-unreachable', 'AH00957', ['113'], 'attempt to connect to', AH00957, 'network-unreachable', 503, H.unreachable, CONNECT_SRC),
  ap('apache-connect-net-unreachable', 'AH00957', ['101'], 'attempt to connect to', AH00957, 'network-unreachable', 503, H.unreachable, CONNECT_SRC),
  ap('apache-connect-permission', 'AH00957', ['13'], 'attempt to connect to', AH00957, 'permission-denied', 503, H.permission, CONNECT_SRC),
  ap('apache-connect-addr-unavailable', 'AH00957', ['99'], 'attempt to connect to', AH00957, 'proxy-resource-limit', 503, H.addrUnavailable, CONNECT_SRC),
  ap('apache-unix-socket-missing', 'AH02454', ['2'], 'Unix domain socket', AH02454, 'upstream-socket-missing', 503, H.socketMissing, CONNECT_SRC),
  ap('apache-unix-socket-permission', 'AH02454', ['13'], 'Unix domain socket', AH02454, 'permission-denied', 503, H.permission, CONNECT_SRC),
  ap('apache-unix-socket-refused', 'AH02454', ['111'], 'Unix domain socket', AH02454, 'upstream-refused', 503, H.staleSocket, CONNECT_SRC),
  ap('apache-unix-socket-backlog-full', 'AH02454', ['11'], 'Unix domain socket', AH02454, 'upstream-overloaded', 503, H.backlog, CONNECT_SRC),
  ap('apache-disabling-worker', 'AH00959', undefined, 'disabling worker', /^ap_proxy_connect_backend disabling worker for \(/, 'upstream-refused', null, H.marker, CONNECT_SRC, { failure: false }),
  ap('apache-http-no-backend-connection', 'AH01114', undefined, 'failed to make connection to backend', AH01114, 'upstream-refused', 503, H.refused, `${AP_HTTP} · proxy_http_handler`, { followUp: true }),
  ap('apache-fcgi-no-backend-connection', 'AH01079', undefined, 'failed to make connection to backend', AH_BACKEND, 'upstream-refused', 503, H.refused, `${AP_FCGI} · proxy_fcgi_handler`, { followUp: true }),
  ap('apache-ajp-no-backend-connection', 'AH00896', undefined, 'failed to make connection to backend', AH_BACKEND, 'upstream-refused', 503, H.refused, 'httpd modules/proxy/mod_proxy_ajp.c · proxy_ajp_handler', { followUp: true }),
  ap('apache-scgi-no-backend-connection', 'AH00866', undefined, 'failed to make connection to backend', AH_BACKEND, 'upstream-refused', 503, H.refused, 'httpd modules/proxy/mod_proxy_scgi.c · scgi_handler', { followUp: true }),
  ap('apache-uwsgi-no-backend-connection', 'AH10101', undefined, 'failed to make connection to backend', AH_BACKEND, 'upstream-refused', 503, H.refused, 'httpd modules/proxy/mod_proxy_uwsgi.c · uwsgi_handler', { followUp: true }),
  ap('apache-wstunnel-no-backend-connection', 'AH02452', undefined, 'failed to make connection to backend', AH_BACKEND, 'upstream-refused', 503, H.refused, 'httpd modules/proxy/mod_proxy_wstunnel.c · proxy_wstunnel_handler', { followUp: true }),
  // worker and balancer state (A6-A10)
  ap('apache-disabled-connection', 'AH00940', undefined, 'disabled connection for', /^\S{1,32}: disabled connection for \(/, 'no-live-upstreams', 503, H.noLive, `${AP_UTIL} · ap_proxy_acquire_connection`),
  ap('apache-acquire-connection-failed', 'AH00941', undefined, 'failed to acquire connection for', /^\S{1,32}: failed to acquire connection for \(/, 'proxy-resource-limit', 503, H.connPool, `${AP_UTIL} · ap_proxy_acquire_connection`),
  ap('apache-all-workers-busy', 'AH00934', undefined, 'all workers are busy', /^all workers are busy\. {1,2}Unable to serve /, 'no-live-upstreams', 503, H.noLive, `${AP_UTIL} · ap_proxy_pre_request`),
  ap('apache-balancer-all-in-error', 'AH01170', undefined, 'All workers are in error state', /^\S{1,300}: All workers are in error state/, 'no-live-upstreams', 503, H.noLive, `${AP_BAL} · proxy_balancer_pre_request`),
  ap('apache-balancer-route-in-error', 'AH01167', undefined, 'All workers are in error state for route', /^\S{1,300}: All workers are in error state for route \(/, 'no-live-upstreams', 503, H.noLive, `${AP_BAL} · proxy_balancer_pre_request`),
  ap('apache-balancer-no-workers', 'AH01171', undefined, 'No workers in balancer', /^\S{1,300}: No workers in balancer/, 'no-live-upstreams', 503, H.noLive, `${AP_BAL} · proxy_balancer_pre_request`),
  ap('apache-balancer-failonstatus', 'AH01174', undefined, "matching 'failonstatus'", /^\S{1,300}: Forcing worker \([^)]{0,300}\) into error state due to status code \d{3} matching 'failonstatus'/, 'no-live-upstreams', null, H.marker, `${AP_BAL} · proxy_balancer_post_request`, { failure: false }),
  ap('apache-balancer-failontimeout', 'AH02460', undefined, "'failontimeout'", /^\S{1,300}: Forcing worker \([^)]{0,300}\) into error state due to timeout and 'failontimeout'/, 'no-live-upstreams', null, H.marker, `${AP_BAL} · proxy_balancer_post_request`, { failure: false }),
  // reading the response (A11, A12, A20): the APR status says which failure
  ap('apache-status-line-timeout', 'AH01102', ['70007'], 'error reading status line', AH01102, 'upstream-timeout-read', 502, H.readTimeout, `${AP_HTTP} · ap_proxy_http_process_response`),
  ap('apache-status-line-reset', 'AH01102', ['104'], 'error reading status line', AH01102, 'upstream-reset', 502, H.reset, `${AP_HTTP} · ap_proxy_http_process_response`),
  ap('apache-status-line-closed', 'AH01102', ['70014', '20014'], 'error reading status line', AH01102, 'upstream-closed-early', 502, H.closedEarly, `${AP_HTTP} · ap_proxy_http_process_response`),
  ap('apache-status-line-invalid', 'AH01102', ['22'], 'error reading status line', AH01102, 'invalid-response', 502, H.invalid, `${AP_HTTP} · ap_proxy_http_process_response`),
  ap('apache-error-reading-remote', 'AH00898', undefined, 'Error reading from remote server', /^Error reading from remote server returned by /, 'upstream-closed-early', 502, H.closedEarly, `${AP_UTIL} · ap_proxyerror`, { followUp: true }),
  ap('apache-response-body-reset', 'AH01110', ['104'], 'error reading response', AH01110, 'upstream-reset', null, H.reset, `${AP_HTTP} · ap_proxy_http_process_response`),
  ap('apache-response-body-timeout', 'AH01110', ['70007'], 'error reading response', AH01110, 'upstream-timeout-read', null, H.bodyTimeout, `${AP_HTTP} · ap_proxy_http_process_response`),
  ap('apache-response-body-closed', 'AH01110', ['70014'], 'error reading response', AH01110, 'upstream-closed-early', null, H.closedEarly, `${AP_HTTP} · ap_proxy_http_process_response`),
  ap('apache-response-body-invalid', 'AH01110', ['20014'], 'error reading response', AH01110, 'invalid-response', null, H.framework, `${AP_HTTP} · ap_proxy_http_process_response (chunk filter)`),
  // DNS (A13): 502 up to 2.4.58, 500 from 2.4.59 (the capture's 2.4.71 answers 500)
  ap('apache-dns-lookup-failure', 'AH00898', undefined, 'DNS lookup failure for', /^DNS lookup failure for: \S{1,300} returned by /, 'dns-failure', 500, H.dns, `${AP_UTIL} · ap_proxy_determine_address`),
  // headers (A14) and the response header name check of the http filter
  ap('apache-header-over-field-size', 'AH10124', undefined, 'ResponseFieldSize', /^header size is over the limit allowed by ResponseFieldSize \(\d{1,10} bytes\)/, 'header-too-big', 502, H.tooBig, `${AP_HTTP} · ap_proxy_read_headers`),
  ap('apache-bad-header-returned', 'AH01106', undefined, 'header returned by', /^bad HTTP\/\d\.\d header returned by /, 'invalid-response', 502, H.framework, `${AP_HTTP} · ap_proxy_http_process_response`, { followUp: true }),
  ap('apache-reading-headers-failed', 'AH01103', undefined, 'Error reading headers from backend', /^Error reading headers from backend/, 'invalid-response', 502, H.framework, `${AP_HTTP} · ap_proxy_read_headers`),
  ap('apache-invalid-response-header-name', 'AH02429', undefined, 'contains invalid characters', /^Response header name '[^'\n]{0,300}' contains invalid characters, aborting request/, 'invalid-response', 500, H.framework, 'httpd modules/http/http_filters.c · check_headers'),
  // sending the request (A15, A16)
  ap('apache-pass-body-timeout', 'AH01084', ['70007'], 'pass request body failed', AH01084, 'upstream-timeout-send', 504, H.sendTimeout, `${AP_UTIL} · ap_proxy_pass_brigade`),
  ap('apache-pass-body-tls', 'AH01084', ['20014'], 'pass request body failed', AH01084, 'tls-handshake', 500, H.tls, `${AP_UTIL} · ap_proxy_pass_brigade`),
  ap('apache-pass-body-reset', 'AH01084', ['104'], 'pass request body failed', AH01084, 'upstream-reset', 502, H.bodyRejected, `${AP_UTIL} · ap_proxy_pass_brigade`),
  ap('apache-pass-body-broken-pipe', 'AH01084', ['32'], 'pass request body failed', AH01084, 'upstream-closed-early', 502, H.bodyRejected, `${AP_UTIL} · ap_proxy_pass_brigade`),
  ap('apache-http-pass-body-failed', 'AH01097', undefined, 'pass request body failed', AH01084, 'upstream-closed-early', 502, H.bodyRejected, `${AP_HTTP} · ap_proxy_http_request`, { followUp: true }),
  ap('apache-ssl-handshake-remote', 'AH00898', undefined, 'Error during SSL Handshake', /^Error during SSL Handshake with remote server returned by /, 'tls-handshake', 500, H.tls, `${AP_UTIL} · ap_proxy_pass_brigade`, { followUp: true }),
  ap('apache-ssl-proxy-connect-failed', 'AH02003', undefined, 'SSL Proxy connect failed', /^SSL Proxy connect failed/, 'tls-handshake', 500, H.tls, `${AP_SSL} · ssl_io_filter_handshake`),
  ap('apache-ssl-cert-verify-error', 'AH02039', undefined, 'Certificate Verification: Error', /^Certificate Verification: Error \(\d{1,4}\): /, 'tls-handshake', 500, H.tlsVerify, `${AP_SSL} · ssl_callback_SSLVerify`),
  ap('apache-ssl-cert-verify-info', 'AH02276', undefined, 'Certificate Verification: Error', /^Certificate Verification: Error \(\d{1,4}\): /, 'tls-handshake', 500, H.tlsVerify, `${AP_SSL} · ssl_callback_SSLVerify`),
  ap('apache-ssl-handshake-sending-502', 'AH01997', undefined, 'SSL handshake failed', /^SSL handshake failed: sending 502/, 'tls-handshake', 502, H.tls, `${AP_SSL} · ssl_io_filter_handshake`, { followUp: true }),
  ap('apache-ssl-support-disabled', 'AH00961', undefined, 'failed to enable ssl support', /^\S{1,32}: failed to enable ssl support for /, 'proxy-misconfigured', 500, H.sslProxyEngine, `${AP_UTIL} · proxy_connection_create`),
  ap('apache-new-connection-failed', 'AH00960', undefined, 'an error occurred creating a new connection', /^\S{1,32}: an error occurred creating a new connection to /, 'upstream-reset', 500, H.reset, `${AP_UTIL} · proxy_connection_create`),
  ap('apache-no-protocol-handler', 'AH01144', undefined, 'No protocol handler was valid', /^No protocol handler was valid for the URL /, 'proxy-misconfigured', 500, H.moduleMissing, 'httpd modules/proxy/mod_proxy.c · proxy_handler'),
  // FastCGI (A21-A25)
  ap('apache-fcgi-read-header-failed', 'AH01067', undefined, 'Failed to read FastCGI header', /^Failed to read FastCGI header/, 'upstream-closed-early', 503, H.crash, `${AP_FCGI} · dispatch`, { followUp: true }),
  ap('apache-fcgi-client-body-failed', 'AH01075', undefined, '(reading input brigade)', /^Error dispatching request to [^\n]{0,300}\(reading input brigade\)/, 'client-closed', 400, H.client, `${AP_FCGI} · fcgi_do_request`),
  ap('apache-fcgi-dispatch-timeout', 'AH01075', ['70007'], 'Error dispatching request to', AH01075, 'upstream-timeout-read', 504, H.readTimeout, `${AP_FCGI} · fcgi_do_request`),
  ap('apache-fcgi-dispatch-reset', 'AH01075', ['104'], 'Error dispatching request to', AH01075, 'upstream-reset', 503, H.reset, `${AP_FCGI} · fcgi_do_request`),
  ap('apache-fcgi-dispatch-closed', 'AH01075', ['70014', '32'], 'Error dispatching request to', AH01075, 'upstream-closed-early', 503, H.crash, `${AP_FCGI} · fcgi_do_request`),
  ap('apache-fcgi-dispatch-invalid', 'AH01075', ['22'], 'Error dispatching request to', AH01075, 'invalid-response', 503, H.framework, `${AP_FCGI} · fcgi_do_request`),
  ap('apache-fcgi-primary-script-unknown', 'AH01071', undefined, 'Primary script unknown', /^Got error 'Primary script unknown/, 'app-error', 404, H.scriptUnknown, `${AP_FCGI} · dispatch`),
  ap('apache-fcgi-unable-to-open-script', 'AH01071', undefined, 'Unable to open primary script', /^Got error 'Unable to open primary script/, 'app-error', 404, H.scriptUnknown, `${AP_FCGI} · dispatch`),
  ap('apache-fcgi-php-fatal', 'AH01071', undefined, 'PHP Fatal error', /^Got error 'PHP message: PHP Fatal error: /, 'app-error', 500, H.phpFatal, `${AP_FCGI} · dispatch`),
  ap('apache-fcgi-php-parse-error', 'AH01071', undefined, 'PHP Parse error', /^Got error 'PHP message: PHP Parse error: /, 'app-error', 500, H.phpFatal, `${AP_FCGI} · dispatch`),
  ap('apache-fcgi-stderr', 'AH01071', undefined, 'Got error', /^Got error '/, 'app-error', null, H.appNoise, `${AP_FCGI} · dispatch`, { failure: false }),
  ap('apache-fcgi-script-headers', 'AH01070', undefined, 'Error parsing script headers', /^Error parsing script headers/, 'invalid-response', 503, H.framework, `${AP_FCGI} · dispatch`),
  ap('apache-fcgi-write-request-failed', 'AH01073', undefined, 'Failed Writing Request to', /^Failed Writing Request to /, 'upstream-closed-early', 503, H.crash, `${AP_FCGI} · fcgi_do_request`),
  ap('apache-fcgi-write-environment-failed', 'AH01074', undefined, 'Failed writing Environment to', /^Failed writing Environment to /, 'upstream-closed-early', 503, H.crash, `${AP_FCGI} · fcgi_do_request`),
  // the proxy's own limits, the client (A29, A30)
  ap('apache-max-request-workers', 'AH00484', undefined, 'MaxRequestWorkers', /^server reached MaxRequestWorkers setting/, 'proxy-resource-limit', null, H.maxWorkers, 'httpd server/mpm/event/event.c · perform_idle_server_maintenance'),
  ap('apache-prefetch-body-failed', 'AH01095', undefined, 'prefetch request body failed', /^prefetch request body failed to /, 'client-closed', 400, H.client, `${AP_UTIL} · ap_proxy_prefetch_input`),
  ap('apache-worker-sharing-ignored-parameter', 'AH01146', undefined, 'because of worker sharing', /^Ignoring parameter '[^'\n]{0,100}' for worker '[^'\n]{0,1100}' because of worker sharing/, 'proxy-misconfigured', null, H.info, `${AP_UTIL} · ap_proxy_share_worker`, { failure: false }),
  // Apache 2.2: no AH codes, `proxy: ` prefix, client without port
  ap('apache22-connect-refused', undefined, ['111'], 'proxy: ', /^proxy: \S{1,32}: attempt to connect to \S{1,300} \([^)]{0,300}\) failed/, 'upstream-refused', 503, H.refused, AP22),
  ap('apache22-connect-timeout', undefined, ['70007', '110'], 'proxy: ', /^proxy: \S{1,32}: attempt to connect to \S{1,300} \([^)]{0,300}\) failed/, 'upstream-timeout-connect', 503, H.connectTimeout, AP22),
  ap('apache22-connect-unreachable', undefined, ['113', '101'], 'proxy: ', /^proxy: \S{1,32}: attempt to connect to \S{1,300} \([^)]{0,300}\) failed/, 'network-unreachable', 503, H.unreachable, AP22),
  ap('apache22-disabling-worker', undefined, undefined, 'disabling worker for', /^ap_proxy_connect_backend disabling worker for \(/, 'upstream-refused', null, H.marker, AP22, { failure: false }),
  ap('apache22-disabled-connection', undefined, undefined, 'disabled connection for', /^proxy: \S{1,32}: disabled connection for \(/, 'no-live-upstreams', 503, H.noLive, AP22),
  ap('apache22-status-line-timeout', undefined, ['70007'], 'error reading status line', /^proxy: error reading status line from remote server /, 'upstream-timeout-read', 502, H.readTimeout, AP22),
  ap('apache22-status-line-reset', undefined, ['104'], 'error reading status line', /^proxy: error reading status line from remote server /, 'upstream-reset', 502, H.reset, AP22),
  ap('apache22-status-line-closed', undefined, ['70014', '20014'], 'error reading status line', /^proxy: error reading status line from remote server /, 'upstream-closed-early', 502, H.closedEarly, AP22),
  ap('apache22-error-reading-remote', undefined, undefined, 'Error reading from remote server', /^proxy: Error reading from remote server returned by /, 'upstream-closed-early', 502, H.closedEarly, AP22, { followUp: true }),
  ap('apache22-dns-lookup-failure', undefined, undefined, 'DNS lookup failure for', /^proxy: DNS lookup failure for: \S{1,300} returned by /, 'dns-failure', 502, H.dns, AP22),
  ap('apache22-balancer-all-in-error', undefined, undefined, 'All workers are in error state', /^proxy: BALANCER: \([^)]{0,300}\)\. All workers are in error state/, 'no-live-upstreams', 503, H.noLive, 'httpd 2.2.x modules/proxy/mod_proxy_balancer.c'),
  ap('apache22-max-clients', undefined, undefined, 'MaxClients', /^server reached MaxClients setting/, 'proxy-resource-limit', null, H.maxWorkers, 'httpd 2.2.x server/mpm/*/*.c · perform_idle_server_maintenance'),
  ap('apache22-no-protocol-handler', undefined, undefined, 'No protocol handler was valid', /^proxy: No protocol handler was valid for the URL /, 'proxy-misconfigured', 500, H.moduleMissing, 'httpd 2.2.x modules/proxy/mod_proxy.c'),
];

// ---------------------------------------------------------- PHP-FPM rows ----
/**
 * PHP-FPM's log describes the pool, not requests: the failed requests are counted from the
 * proxy's logs. So every FPM row is evidence (`failure: false`); diagnose/evidence.ts uses it to
 * refine the cause of a proxy failure towards a FastCGI upstream at the same time.
 */
function fpm(id: string, literal: string, pattern: RegExp, cause: Signature['cause'], hint: string, source: string): Signature {
  return row('php-fpm', id, literal, pattern, cause, null, hint, `${FPM}/${source}`, { failure: false });
}

const PHP_FPM: Signature[] = [
  fpm('fpm-max-children', 'max_children setting', /^server reached (?:pm\.)?max_children setting \(\d{1,9}\), consider raising it/, 'upstream-overloaded', H.overloaded, 'fpm_process_ctl.c · fpm_pctl_perform_idle_server_maintenance / fpm_pctl_on_socket_accept'),
  fpm('fpm-seems-busy', 'seems busy', /^seems busy \(you may need to increase pm\.start_servers, or pm\.min\/max_spare_servers\)/, 'upstream-overloaded', H.overloaded, 'fpm_process_ctl.c · fpm_pctl_perform_idle_server_maintenance'),
  fpm('fpm-process-max', "consider raising 'process.max'", /^The maximum number of processes has been reached/, 'upstream-overloaded', H.overloaded, 'fpm_children.c · fpm_children_make'),
  fpm('fpm-child-sigquit', 'exited on signal 3 (SIGQUIT', /^child \d{1,10} exited on signal 3 \(SIGQUIT/, 'upstream-closed-early', H.info, 'fpm_children.c · fpm_children_bury'),
  fpm('fpm-child-signal', 'exited on signal', /^child \d{1,10} exited on signal \d{1,3} \(/, 'upstream-closed-early', H.crash, 'fpm_children.c · fpm_children_bury'),
  fpm('fpm-child-exit-zero', 'exited with code 0 ', /^child \d{1,10} exited with code 0 after/, 'upstream-closed-early', H.info, 'fpm_children.c · fpm_children_bury'),
  fpm('fpm-child-exit-code', 'exited with code', /^child \d{1,10} exited with code \d{1,3} after/, 'upstream-closed-early', H.crash, 'fpm_children.c · fpm_children_bury'),
  fpm('fpm-execution-timed-out', 'execution timed out', /^child \d{1,10}, script '[^'\n]{0,1024}' \(request: "[^\n]{0,2048}"\) execution timed out \(/, 'upstream-timeout-read', 'request_terminate_timeout killed the request on {path}: find why it is slow, or raise the timeout', 'fpm_request.c · fpm_request_check_timed_out'),
  fpm('fpm-executing-too-slow', 'executing too slow', /^child \d{1,10}, script '[^'\n]{0,1024}' \(request: "[^\n]{0,2048}"\) executing too slow \(/, 'upstream-timeout-read', 'slow request logged to the slowlog (request_slowlog_timeout); not a failure by itself', 'fpm_request.c · fpm_request_check_timed_out'),
  fpm('fpm-failed-processes-threshold', 'failed processes threshold', /^failed processes threshold \(\d{1,9} in \d{1,9} sec\) is reached, initiating reload/, 'upstream-closed-early', H.crash, 'fpm_children.c · fpm_children_bury'),
  fpm('fpm-bind-failed', 'unable to bind listening socket', /^unable to bind listening socket for address '/, 'upstream-refused', 'PHP-FPM could not listen (address in use, directory missing) and did not start', 'fpm_sockets.c · fpm_sockets_new_listening_socket'),
  fpm('fpm-connection-disallowed', 'Connection disallowed', /^child \d{1,10} said into stderr: "ERROR: Connection disallowed: IP address '/, 'permission-denied', 'listen.allowed_clients does not list the proxy\'s address', 'fastcgi.c · fcgi_accept_request'),
  fpm('fpm-unable-to-open-script', 'Unable to open primary script', /^child \d{1,10} said into stderr: "(?:ERROR: )?Unable to open primary script/, 'app-error', H.scriptUnknown, 'fpm_main.c · main'),
  fpm('fpm-php-fatal', 'PHP Fatal error', /^child \d{1,10} said into stderr: "(?:NOTICE: )?PHP message: PHP Fatal error: /, 'app-error', H.phpFatal, 'fpm_main.c · sapi_cgi_log_message'),
  fpm('fpm-child-said', 'said into stderr', /^child \d{1,10} said into stderr: "/, 'app-error', H.appNoise, 'fpm_stdio.c · fpm_stdio_child_said'),
];

export const SIGNATURES: Signature[] = [...NGINX, ...APACHE, ...PHP_FPM];
