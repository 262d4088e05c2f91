import { Signature } from '../model';

/**
 * The signature catalogue: one row per server message (and per errno variant where the errno
 * changes the cause). The matcher tests `literal` with a plain substring search first and runs
 * `pattern` only on lines that contain it. Patterns are anchored on the server's own message
 * text and use no nested quantifiers, so they stay linear on hostile input.
 *
 * Row order matters only where two rows can match the same line: the specific row comes first.
 * Message texts and statuses: ../shared/reference/upstream-messages.md (nginx 1.22-1.27,
 * Apache 2.2/2.4, PHP-FPM 8.x sources).
 */

const NGX_UPSTREAM_SRC = 'nginx src/http/ngx_http_upstream.c';
const NGX_CONNECT_SRC = 'nginx src/event/ngx_event_connect.c · ngx_event_connect_peer';

export const SIGNATURES: Signature[] = [
  // ---- nginx: connecting ----
  {
    id: 'nginx-connect-refused',
    server: 'nginx',
    literal: '(111: Connection refused) while connecting to upstream',
    pattern: /^connect\(\) (?:to \S+ )?failed \(111: Connection refused\) while connecting to upstream/,
    cause: 'upstream-refused',
    status: 502,
    hint: 'nothing listens on {upstream}: curl -I http://{upstream}{path} from the proxy host; is the service running?',
    source: `${NGX_UPSTREAM_SRC} · ngx_http_upstream_test_connect; ${NGX_CONNECT_SRC}`,
  },
  {
    id: 'nginx-connect-socket-missing',
    server: 'nginx',
    literal: '(2: No such file or directory) while connecting to upstream',
    pattern: /^connect\(\) to unix:\S* failed \(2: No such file or directory\)/,
    cause: 'upstream-socket-missing',
    status: 502,
    hint: 'the unix socket of {upstream} is missing: is the service (php-fpm, gunicorn) running, is the path right?',
    source: NGX_CONNECT_SRC,
  },
  {
    id: 'nginx-connect-permission',
    server: 'nginx',
    literal: '(13: Permission denied) while connecting to upstream',
    pattern: /^connect\(\) to \S+ failed \(13: Permission denied\)/,
    cause: 'permission-denied',
    status: 502,
    hint: 'socket owner/mode of {upstream} vs the nginx worker user (listen.owner/listen.mode); for TCP: SELinux httpd_can_network_connect',
    source: NGX_CONNECT_SRC,
  },
  {
    id: 'nginx-connect-backlog-full',
    server: 'nginx',
    literal: '(11: Resource temporarily unavailable) while connecting to upstream',
    pattern: /^connect\(\) to \S+ failed \(11: Resource temporarily unavailable\)/,
    cause: 'upstream-overloaded',
    status: 502,
    hint: 'the listen backlog of {upstream} is full: all workers busy; check pm.max_children and listen.backlog',
    source: NGX_CONNECT_SRC,
  },
  {
    id: 'nginx-timeout-connect',
    server: 'nginx',
    literal: 'upstream timed out',
    pattern: /^upstream timed out \(110: [^)]{0,60}\) while connecting to upstream/,
    cause: 'upstream-timeout-connect',
    status: 504,
    hint: 'no answer to SYN from {upstream} within proxy_connect_timeout: host down or firewall DROP; nc -vz -w 3 {upstream}',
    source: `${NGX_UPSTREAM_SRC} · ngx_http_upstream_next`,
  },
  {
    id: 'nginx-timeout-send',
    server: 'nginx',
    literal: 'upstream timed out',
    pattern: /^upstream timed out \(110: [^)]{0,60}\) while sending request to upstream/,
    cause: 'upstream-timeout-send',
    status: 504,
    hint: '{upstream} stopped reading the request body of {path}: stuck worker; proxy_send_timeout',
    source: `${NGX_UPSTREAM_SRC} · ngx_http_upstream_send_request_handler`,
  },
  {
    id: 'nginx-timeout-read-header',
    server: 'nginx',
    literal: 'upstream timed out',
    pattern: /^upstream timed out \(110: [^)]{0,60}\) while reading response header from upstream/,
    cause: 'upstream-timeout-read',
    status: 504,
    hint: '{upstream} took longer than proxy_read_timeout/fastcgi_read_timeout on {path}: find the slow request, then raise the timeout only if expected',
    source: `${NGX_UPSTREAM_SRC} · ngx_http_upstream_process_header`,
  },
  // ---- nginx: reading the response ----
  {
    id: 'nginx-premature-close-header',
    server: 'nginx',
    literal: 'upstream prematurely closed connection',
    pattern: /^upstream prematurely closed connection while reading response header from upstream/,
    cause: 'upstream-closed-early',
    status: 502,
    hint: '{upstream} closed before sending a full header: crash or exit in the app, or keepalive race (upstream idle timeout shorter than nginx reuse)',
    source: `${NGX_UPSTREAM_SRC} · ngx_http_upstream_process_header`,
  },
  {
    id: 'nginx-recv-reset-header',
    server: 'nginx',
    literal: '(104: Connection reset by peer) while reading response header',
    pattern: /^recv\(\) failed \(104: Connection reset by peer\) while reading response header from upstream/,
    cause: 'upstream-reset',
    status: 502,
    hint: '{upstream} reset the connection mid-request: killed/crashed worker (OOM, segfault, request_terminate_timeout); check its log and dmesg',
    source: 'nginx src/os/unix/ngx_recv.c · ngx_unix_recv',
  },
  {
    id: 'nginx-no-live-upstreams',
    server: 'nginx',
    literal: 'no live upstreams',
    pattern: /^no live upstreams while connecting to upstream/,
    cause: 'no-live-upstreams',
    status: 502,
    hint: 'every server in upstream {upstream} is marked failed (max_fails/fail_timeout): find the earlier failures that disabled them',
    source: `${NGX_UPSTREAM_SRC} · ngx_http_upstream_connect`,
  },
  // ---- PHP-FPM ----
  {
    id: 'fpm-max-children',
    server: 'php-fpm',
    literal: 'max_children setting',
    pattern: /^server reached (?:pm\.)?max_children setting \(\d{1,9}\), consider raising it/,
    cause: 'upstream-overloaded',
    status: null,
    hint: 'pool {pool} is full: raise pm.max_children (check memory per child) or find the slow requests holding workers',
    source: 'php-src sapi/fpm/fpm/fpm_process_ctl.c · fpm_pctl_perform_idle_server_maintenance',
  },
];
