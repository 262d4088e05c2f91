import { Category, Cause } from '../model';

/**
 * What each cause means to an operator: its category and the first thing to check.
 * Hints may name {upstream}, {host}, {path} and {pool}; the reporter fills them in from the
 * failing requests (see report/next-steps.ts), or leaves the placeholder readable.
 */

export interface CauseInfo {
  category: Category;
  title: string;
  hint: string;
}

export const CAUSE_INFO: Record<Cause, CauseInfo> = {
  'upstream-refused': {
    category: 'upstream-down',
    title: 'upstream refused the connection (nothing listening)',
    hint: 'is the service up and listening on that address? from the proxy host: curl -I http://{upstream}{path}; ss -ltnp',
  },
  'upstream-closed-early': {
    category: 'upstream-crash',
    title: 'upstream closed the connection before a full response',
    hint: 'check the upstream app log and dmesg for crashes/OOM at that time; keepalive races: upstream idle timeout must exceed the proxy\'s',
  },
  'upstream-reset': {
    category: 'upstream-crash',
    title: 'upstream reset the connection',
    hint: 'the upstream process died or was killed mid-request (OOM, segfault, request_terminate_timeout); check its log and dmesg',
  },
  'upstream-timeout-read': {
    category: 'timeout',
    title: 'upstream too slow to answer (read timeout)',
    hint: 'find the slow endpoint ({path}) on {upstream}; raise proxy_read_timeout/fastcgi_read_timeout (Apache: ProxyTimeout) only if the slowness is expected',
  },
  'upstream-timeout-connect': {
    category: 'timeout',
    title: 'connection to upstream timed out (no SYN-ACK)',
    hint: 'host down or firewall DROP between proxy and {upstream}: nc -vz -w 3 {upstream} from the proxy host; check the upstream listen backlog',
  },
  'upstream-timeout-send': {
    category: 'timeout',
    title: 'upstream stopped reading the request (send timeout)',
    hint: 'upstream stuck while receiving the body of {path}; check its worker state; proxy_send_timeout',
  },
  'header-too-big': {
    category: 'proxy-config',
    title: 'upstream response headers larger than the proxy buffer',
    hint: 'raise proxy_buffer_size / fastcgi_buffer_size (e.g. 16k) or Apache ResponseFieldSize; look for huge Set-Cookie headers from {path}',
  },
  'invalid-response': {
    category: 'proxy-config',
    title: 'upstream sent an invalid HTTP/FastCGI response',
    hint: 'protocol or scheme mismatch? check proxy_pass http:// vs https:// and that {upstream} speaks the protocol the proxy expects: curl -v http://{upstream}{path}',
  },
  'no-live-upstreams': {
    category: 'upstream-down',
    title: 'every server of the upstream group is marked down',
    hint: 'all servers of {upstream} failed recently (max_fails/fail_timeout); look for the first failures before this one',
  },
  'dns-failure': {
    category: 'dns',
    title: 'upstream name could not be resolved',
    hint: 'dig the upstream name against the resolver the proxy uses; check DNS propagation, the resolver directive and /etc/hosts',
  },
  'upstream-socket-missing': {
    category: 'upstream-down',
    title: 'upstream unix socket does not exist',
    hint: 'is the service (e.g. php-fpm) running and is the socket path right (version in the path, PrivateTmp)? ls -l the socket',
  },
  'permission-denied': {
    category: 'permission',
    title: 'proxy not permitted to connect (socket mode or SELinux)',
    hint: 'socket owner/mode vs the proxy worker user (listen.owner/listen.mode); SELinux: getsebool httpd_can_network_connect',
  },
  'network-unreachable': {
    category: 'network',
    title: 'no route to the upstream',
    hint: 'routing/firewall between proxy and {upstream}: ip route get <ip>; firewall REJECT rules; IPv6 without a route',
  },
  'tls-handshake': {
    category: 'tls',
    title: 'TLS handshake with the upstream failed',
    hint: 'openssl s_client -connect {upstream} -servername <name> from the proxy host; check scheme (https to a plain port), SNI (proxy_ssl_server_name on), trust and expiry',
  },
  'upstream-overloaded': {
    category: 'overload',
    title: 'upstream saturated (worker pool full, backlog full)',
    hint: 'check pm.max_children / worker counts and the listen backlog of {upstream}; find slow requests holding workers',
  },
  'app-error': {
    category: 'application',
    title: 'application error reported by the upstream (FastCGI stderr)',
    hint: 'read the application error text; Primary script unknown = wrong root/SCRIPT_FILENAME for {path}',
  },
  'proxy-resource-limit': {
    category: 'proxy-limits',
    title: 'the proxy ran out of its own resources',
    hint: 'raise worker_connections / worker_rlimit_nofile (LimitNOFILE), enable upstream keepalive against port exhaustion',
  },
  'client-closed': {
    category: 'client',
    title: 'client closed the connection first (499, not the upstream\'s fault)',
    hint: 'clients gave up waiting: compare $upstream_response_time of these requests with the client/LB timeout',
  },
  'proxy-misconfigured': {
    category: 'proxy-config',
    title: 'the proxy\'s own configuration cannot serve the request',
    hint: 'check that the proxy modules are loaded (proxy_http, proxy_fcgi, ssl with SSLProxyEngine on) and the ProxyPass scheme is right',
  },
  unclassified: {
    category: 'unknown',
    title: 'upstream-related message not in the catalogue',
    hint: 'read the message; report it so it can be added to the catalogue',
  },
  unexplained: {
    category: 'unknown',
    title: 'failure with no explaining error-log entry',
    hint: 'analyze the matching error log too (and log at level error or lower); for Apache, correlation needs %{remote}p or time and client',
  },
};
