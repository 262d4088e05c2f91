import { ErrorEntry, LogKind } from '../../src/model';
import { parseApacheError } from '../../src/parse/apache-error';
import { parseNginxError } from '../../src/parse/nginx-error';
import { parsePhpFpm } from '../../src/parse/php-fpm-log';
import { ZoneClock } from '../../src/parse/time';

/**
 * ILLUSTRATIVE lines, NOT captured from a server: written from the message format strings in
 * ../shared/reference/upstream-messages.md (nginx, Apache 2.2/2.4 and PHP-FPM sources) for the
 * signatures the capture cannot produce on one machine and the peer corpus does not hold. They
 * check that each pattern accepts its server's wording; they do not prove that a server writes
 * exactly this line, so they do not count as captured tests (docs/diagnosis.md lists these
 * signatures as "no captured line yet").
 */

export interface Illustrative {
  id: string;
  kind: LogKind;
  line: string;
  entry(): ErrorEntry;
}

const clock = new ZoneClock('UTC');
const NGX_CTX = ', client: 203.0.113.7, server: app.example.com, request: "GET /api/ HTTP/1.1", upstream: "http://10.0.0.11:8080/api/", host: "app.example.com"';

function ngx(id: string, message: string, level = 'error', ctx = NGX_CTX): Illustrative {
  const line = `2024/05/14 10:21:07 [${level}] 21873#21873: *4127 ${message}${ctx}`;
  return { id, kind: 'nginx-error', line, entry: () => parseNginxError(line, clock)! };
}

/** Apache 2.4: `[module:level] [pid:tid] (errno)text: [client] AHnnnnn: message`. */
function ap(id: string, module: string, prefix: string, code: string, message: string, client = true): Illustrative {
  const c = client ? '[client 203.0.113.7:52814] ' : '';
  const line = `[Tue May 14 10:21:07.482113 2024] [${module}] [pid 3121:tid 140353412667072] ${prefix}${c}${code}: ${message}`;
  return { id, kind: 'apache-error', line, entry: () => parseApacheError(line, clock)! };
}

/** Apache 2.2: `[level] [client ip] (errno)text: proxy: message`. */
function ap22(id: string, prefix: string, message: string, client = true): Illustrative {
  const c = client ? '[client 203.0.113.7] ' : '';
  const line = `[Tue Mar 05 10:12:01 2013] [error] ${c}${prefix}${message}`;
  return { id, kind: 'apache-error', line, entry: () => parseApacheError(line, clock)! };
}

function fpm(id: string, level: string, message: string): Illustrative {
  const line = `[14-May-2024 10:21:05] ${level}: ${message}`;
  return { id, kind: 'php-fpm', line, entry: () => parsePhpFpm(line, clock)! };
}

const E111 = '(111)Connection refused: ';
const E104 = '(104)Connection reset by peer: ';
const E70007 = '(70007)The timeout specified has expired: ';
const E70014 = '(70014)End of file found: ';
const E22 = '(22)Invalid argument: ';
const E32 = '(32)Broken pipe: ';

export const ILLUSTRATIVE: Illustrative[] = [
  // nginx
  ngx('nginx-connect-unix-refused', 'connect() to unix:/run/gunicorn.sock failed (111: Connection refused) while connecting to upstream'),
  ngx('nginx-connect-addr-unavailable', 'connect() to 10.0.0.11:8080 failed (99: Cannot assign requested address) while connecting to upstream', 'crit'),
  ngx('nginx-connect-net-unreachable', 'connect() to [2001:db8::5]:8080 failed (101: Network is unreachable) while connecting to upstream'),
  ngx('nginx-connect-timedout', 'connect() failed (110: Connection timed out) while connecting to upstream'),
  ngx('nginx-connect-reset', 'connect() to 10.0.0.11:8080 failed (104: Connection reset by peer) while connecting to upstream'),
  ngx('nginx-connect-too-many-files', 'connect() to 10.0.0.11:8080 failed (24: Too many open files) while connecting to upstream', 'crit'),
  ngx('nginx-timeout-read-body', 'upstream timed out (110: Connection timed out) while reading upstream'),
  ngx('nginx-timeout-ssl-handshake', 'upstream timed out (110: Connection timed out) while SSL handshaking to upstream'),
  ngx('nginx-timeout-upgraded', 'upstream timed out (110: Connection timed out) while proxying upgraded connection'),
  ngx('nginx-recv-reset-body', 'readv() failed (104: Connection reset by peer) while reading upstream'),
  ngx('nginx-recv-refused-header', 'recv() failed (111: Connection refused) while reading response header from upstream'),
  ngx('nginx-recv-timedout-header', 'recv() failed (110: Connection timed out) while reading response header from upstream'),
  ngx('nginx-recv-unreachable-header', 'recv() failed (113: No route to host) while reading response header from upstream'),
  ngx('nginx-send-broken-pipe', 'writev() failed (32: Broken pipe) while sending request to upstream'),
  ngx('nginx-send-reset', 'send() failed (104: Connection reset by peer) while sending request to upstream'),
  ngx('nginx-send-refused', 'writev() failed (111: Connection refused) while sending request to upstream'),
  ngx('nginx-premature-close-body', 'upstream prematurely closed connection while reading upstream'),
  ngx('nginx-premature-close-fastcgi-stdout', 'upstream prematurely closed FastCGI stdout while reading response header from upstream'),
  ngx('nginx-premature-close-fastcgi-request', 'upstream prematurely closed FastCGI request while reading upstream'),
  ngx('nginx-duplicate-header', 'upstream sent duplicate header line: "Content-Length: 10", previous value: "Content-Length: 12" while reading response header from upstream'),
  ngx('nginx-cl-and-te', 'upstream sent "Content-Length" and "Transfer-Encoding" headers at the same time while reading response header from upstream'),
  ngx('nginx-invalid-content-length', 'upstream sent invalid "Content-Length" header: "Content-Length: abc" while reading response header from upstream'),
  ngx('nginx-unknown-transfer-encoding', 'upstream sent unknown "Transfer-Encoding": "gzip" while reading response header from upstream'),
  ngx('nginx-more-data-than-length', 'upstream sent more data than specified in "Content-Length" header while reading upstream', 'warn'),
  ngx('nginx-invalid-status', 'upstream sent invalid status "OK" while reading response header from upstream'),
  ngx('nginx-fastcgi-bad-version', 'upstream sent unsupported FastCGI protocol version: 72 while reading response header from upstream'),
  ngx('nginx-fastcgi-bad-record', 'upstream sent invalid FastCGI record type: 2 while reading response header from upstream'),
  ngx('nginx-grpc-rejected', 'upstream rejected request with error 7 while reading response header from upstream'),
  ngx('nginx-grpc-frame-too-large', 'upstream sent too large http2 frame: 4740180 while reading response header from upstream'),
  ngx('nginx-grpc-goaway', 'upstream sent goaway with error 0 while reading response header from upstream'),
  ngx('nginx-ssl-name-mismatch', 'upstream SSL certificate does not match "api.internal" while SSL handshaking to upstream'),
  ngx('nginx-ssl-peer-closed', 'peer closed connection in SSL handshake (104: Connection reset by peer) while SSL handshaking to upstream'),
  ngx('nginx-resolve-other', 'api.internal could not be resolved (5: Operation refused)', 'error', ', client: 203.0.113.7, server: app.example.com, request: "GET /api/ HTTP/1.1", host: "app.example.com"'),
  ngx('nginx-no-resolver', 'no resolver defined to resolve api.internal', 'error', ', client: 203.0.113.7, server: app.example.com, request: "GET /api/ HTTP/1.1", host: "app.example.com"'),
  ngx('nginx-resolver-io-failed', 'recv() failed (111: Connection refused) while resolving', 'error', ', resolver: 127.0.0.11:53'),
  ngx('nginx-host-not-found-in-upstream', 'host not found in upstream "app:8080" in /etc/nginx/conf.d/default.conf:12', 'emerg', ''),
  ngx('nginx-socket-too-many-files', 'socket() failed (24: Too many open files) while connecting to upstream', 'alert'),
  ngx('nginx-worker-connections-reusing', '1024 worker_connections are not enough, reusing connections', 'warn', ''),
  ngx('nginx-accept-too-many-files', 'accept4() failed (24: Too many open files)', 'crit', ''),
  ngx('nginx-bind-failed', 'bind(10.0.0.99) failed (99: Cannot assign requested address) while connecting to upstream', 'crit'),
  ngx('nginx-temp-file-permission', 'open() "/var/lib/nginx/proxy/7/45/0000000457" failed (13: Permission denied) while reading upstream', 'crit'),
  ngx('nginx-send-to-client-failed', 'writev() failed (32: Broken pipe) while sending to client'),
  ngx('nginx-fastcgi-unable-to-open-script', 'FastCGI sent in stderr: "Unable to open primary script: /var/www/html/missing.php (No such file or directory)" while reading response header from upstream'),
  ngx('nginx-fastcgi-access-denied', 'FastCGI sent in stderr: "Access to the script \'/var/www/html/uploads/a.jpg\' has been denied (see security.limit_extensions)" while reading response header from upstream'),
  ngx('nginx-fastcgi-php-parse-error', 'FastCGI sent in stderr: "PHP message: PHP Parse error:  syntax error, unexpected end of file in /var/www/html/index.php on line 12" while reading response header from upstream'),
  // Apache 2.4
  ap('apache-connect-host-unreachable', 'proxy:error', '(113)No route to host: ', 'AH00957', 'http: attempt to connect to 10.0.0.11:8080 (app:8080) failed', false),
  ap('apache-connect-net-unreachable', 'proxy:error', '(101)Network is unreachable: ', 'AH00957', 'http: attempt to connect to [2001:db8::5]:8080 (app:8080) failed', false),
  ap('apache-connect-permission', 'proxy:error', '(13)Permission denied: ', 'AH00957', 'HTTP: attempt to connect to 127.0.0.1:8080 (localhost) failed', false),
  ap('apache-connect-addr-unavailable', 'proxy:error', '(99)Cannot assign requested address: ', 'AH00957', 'http: attempt to connect to 10.0.0.11:8080 (app:8080) failed', false),
  ap('apache-unix-socket-refused', 'proxy:error', E111, 'AH02454', 'FCGI: attempt to connect to Unix domain socket /run/php/php8.2-fpm.sock (localhost:8000) failed', false),
  ap('apache-unix-socket-backlog-full', 'proxy:error', '(11)Resource temporarily unavailable: ', 'AH02454', 'FCGI: attempt to connect to Unix domain socket /run/php/php8.2-fpm.sock (localhost:8000) failed', false),
  ap('apache-ajp-no-backend-connection', 'proxy_ajp:error', '', 'AH00896', 'failed to make connection to backend: tomcat'),
  ap('apache-scgi-no-backend-connection', 'proxy_scgi:error', '', 'AH00866', 'failed to make connection to backend: 127.0.0.1:4000'),
  ap('apache-uwsgi-no-backend-connection', 'proxy_uwsgi:error', '', 'AH10101', 'failed to make connection to backend: 127.0.0.1:3031'),
  ap('apache-wstunnel-no-backend-connection', 'proxy_wstunnel:error', '', 'AH02452', 'failed to make connection to backend: 127.0.0.1'),
  ap('apache-disabled-connection', 'proxy:error', '', 'AH00940', 'http: disabled connection for (localhost:8080)', false),
  ap('apache-all-workers-busy', 'proxy:error', '', 'AH00934', 'all workers are busy.  Unable to serve balancer://app/orders'),
  ap('apache-balancer-route-in-error', 'proxy_balancer:error', '', 'AH01167', 'balancer://app: All workers are in error state for route (node1)'),
  ap('apache-balancer-no-workers', 'proxy_balancer:error', '', 'AH01171', 'balancer://app: No workers in balancer'),
  ap('apache-balancer-failonstatus', 'proxy_balancer:error', '', 'AH01174', "balancer://app: Forcing worker (http://10.0.0.11:8080) into error state due to status code 503 matching 'failonstatus' balancer parameter"),
  ap('apache-balancer-failontimeout', 'proxy_balancer:error', '', 'AH02460', "balancer://app: Forcing worker (http://10.0.0.11:8080) into error state due to timeout and 'failontimeout' parameter being set"),
  ap('apache-status-line-invalid', 'proxy_http:error', E22, 'AH01102', 'error reading status line from remote server localhost:8080'),
  ap('apache-response-body-reset', 'proxy_http:error', E104, 'AH01110', 'error reading response'),
  ap('apache-response-body-timeout', 'proxy_http:error', E70007, 'AH01110', 'error reading response'),
  ap('apache-response-body-closed', 'proxy_http:error', E70014, 'AH01110', 'error reading response'),
  ap('apache-reading-headers-failed', 'proxy_http:error', '', 'AH01103', 'Error reading headers from backend'),
  ap('apache-pass-body-reset', 'proxy:error', E104, 'AH01084', 'pass request body failed to 10.0.0.11:8080 (app)'),
  ap('apache-pass-body-broken-pipe', 'proxy:error', E32, 'AH01084', 'pass request body failed to 10.0.0.11:8080 (app)'),
  ap('apache-ssl-cert-verify-error', 'ssl:error', '[remote 10.0.0.21:443] ', 'AH02039', 'Certificate Verification: Error (20): unable to get local issuer certificate', false),
  ap('apache-ssl-support-disabled', 'proxy:error', '', 'AH00961', 'https: failed to enable ssl support for 10.0.0.21:443 (api.internal)', false),
  ap('apache-new-connection-failed', 'proxy:error', '', 'AH00960', 'http: an error occurred creating a new connection to 10.0.0.11:8080 (app)', false),
  ap('apache-no-protocol-handler', 'proxy:warn', '', 'AH01144', "No protocol handler was valid for the URL /app (scheme 'http'). If you are using a DSO version of mod_proxy, make sure the proxy submodules are included in the configuration using LoadModule."),
  ap('apache-fcgi-dispatch-closed', 'proxy_fcgi:error', E70014, 'AH01075', 'Error dispatching request to : '),
  ap('apache-fcgi-dispatch-invalid', 'proxy_fcgi:error', E22, 'AH01075', 'Error dispatching request to : '),
  ap('apache-fcgi-unable-to-open-script', 'proxy_fcgi:error', '', 'AH01071', "Got error 'Unable to open primary script: /var/www/html/missing.php (No such file or directory)'"),
  ap('apache-fcgi-php-parse-error', 'proxy_fcgi:error', '', 'AH01071', "Got error 'PHP message: PHP Parse error:  syntax error, unexpected end of file in /var/www/html/index.php on line 12'"),
  ap('apache-fcgi-script-headers', 'proxy_fcgi:error', '', 'AH01070', 'Error parsing script headers'),
  ap('apache-fcgi-write-request-failed', 'proxy_fcgi:error', E32, 'AH01073', 'Failed Writing Request to :'),
  ap('apache-fcgi-write-environment-failed', 'proxy_fcgi:error', E32, 'AH01074', 'Failed writing Environment to :'),
  ap('apache-max-request-workers', 'mpm_event:error', '', 'AH00484', 'server reached MaxRequestWorkers setting, consider raising the MaxRequestWorkers setting', false),
  ap('apache-prefetch-body-failed', 'proxy:error', '(70008)Partial results are valid but processing is incomplete: ', 'AH01095', 'prefetch request body failed to 10.0.0.11:8080 (app) from 203.0.113.7 ()'),
  ap('apache-worker-sharing-ignored-parameter', 'proxy:warn', '', 'AH01146', "Ignoring parameter 'retry=0' for worker 'unix:/run/app.sock|http://localhost/' because of worker sharing", false),
  // Apache 2.2
  ap22('apache22-connect-refused', E111, 'proxy: HTTP: attempt to connect to 127.0.0.1:8080 (localhost) failed', false),
  ap22('apache22-connect-timeout', E70007, 'proxy: HTTP: attempt to connect to 127.0.0.1:8080 (localhost) failed', false),
  ap22('apache22-connect-unreachable', '(113)No route to host: ', 'proxy: HTTP: attempt to connect to 10.0.0.11:8080 (app) failed', false),
  ap22('apache22-disabling-worker', '', 'ap_proxy_connect_backend disabling worker for (localhost)', false),
  ap22('apache22-disabled-connection', '', 'proxy: HTTP: disabled connection for (localhost)', false),
  ap22('apache22-status-line-timeout', E70007, 'proxy: error reading status line from remote server 127.0.0.1:8080'),
  ap22('apache22-status-line-reset', E104, 'proxy: error reading status line from remote server 127.0.0.1:8080'),
  ap22('apache22-status-line-closed', E70014, 'proxy: error reading status line from remote server 127.0.0.1:8080'),
  ap22('apache22-error-reading-remote', '', 'proxy: Error reading from remote server returned by /app'),
  ap22('apache22-dns-lookup-failure', '', 'proxy: DNS lookup failure for: backend.internal returned by /app'),
  ap22('apache22-balancer-all-in-error', '', 'proxy: BALANCER: (balancer://app). All workers are in error state', false),
  ap22('apache22-max-clients', '', 'server reached MaxClients setting, consider raising the MaxClients setting', false),
  ap22('apache22-no-protocol-handler', '', "proxy: No protocol handler was valid for the URL /app. If you are using a DSO version of mod_proxy, make sure the proxy submodules are included in the configuration using LoadModule."),
  // PHP-FPM
  fpm('fpm-seems-busy', 'WARNING', '[pool www] seems busy (you may need to increase pm.start_servers, or pm.min/max_spare_servers), spawning 8 children, there are 0 idle, and 13 total children'),
  fpm('fpm-process-max', 'WARNING', "The maximum number of processes has been reached. Please review your configuration and consider raising 'process.max'"),
  fpm('fpm-child-sigquit', 'NOTICE', '[pool www] child 4242 exited on signal 3 (SIGQUIT) after 312.401117 seconds from start'),
  fpm('fpm-child-exit-zero', 'NOTICE', '[pool www] child 4243 exited with code 0 after 0.012345 seconds from start'),
  fpm('fpm-child-exit-code', 'WARNING', '[pool www] child 4243 exited with code 255 after 0.012345 seconds from start'),
  fpm('fpm-executing-too-slow', 'WARNING', "[pool www] child 4244, script '/var/www/html/index.php' (request: \"POST /index.php?action=export\") executing too slow (5.011937 sec), logging"),
  fpm('fpm-failed-processes-threshold', 'WARNING', 'failed processes threshold (10 in 60 sec) is reached, initiating reload'),
  fpm('fpm-bind-failed', 'ERROR', "unable to bind listening socket for address '127.0.0.1:9000': Address already in use (98)"),
  fpm('fpm-connection-disallowed', 'WARNING', "[pool www] child 4246 said into stderr: \"ERROR: Connection disallowed: IP address '172.18.0.5' has been dropped.\""),
  fpm('fpm-unable-to-open-script', 'WARNING', '[pool www] child 4245 said into stderr: "ERROR: Unable to open primary script: /var/www/html/missing.php (No such file or directory)"'),
];
