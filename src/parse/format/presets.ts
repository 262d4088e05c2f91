import { compileApacheFormat } from './apache-format';
import { compileNginxFormat } from './nginx-format';
import { FormatPlan } from './plan';

/**
 * The known formats are only strings fed to the compilers. Order matters for detection ties:
 * the richer format of two that both parse a line wins (see detect.ts).
 */

export const NGINX_PRESETS: Record<string, string> = {
  combined:
    '$remote_addr - $remote_user [$time_local] "$request" $status $body_bytes_sent "$http_referer" "$http_user_agent"',
  main:
    '$remote_addr - $remote_user [$time_local] "$request" $status $body_bytes_sent "$http_referer" "$http_user_agent" "$http_x_forwarded_for"',
  // ingress-nginx's default log-format-upstream
  upstreaminfo:
    '$remote_addr - $remote_user [$time_local] "$request" $status $body_bytes_sent "$http_referer" "$http_user_agent" $request_length $request_time [$proxy_upstream_name] [$proxy_alternative_upstream_name] $upstream_addr $upstream_response_length $upstream_response_time $upstream_status $req_id',
  // ingress-nginx before 0.20 logged the real IP in brackets after the client
  upstreaminfo_legacy:
    '$remote_addr - [$the_real_ip] - $remote_user [$time_local] "$request" $status $body_bytes_sent "$http_referer" "$http_user_agent" $request_length $request_time [$proxy_upstream_name] $upstream_addr $upstream_response_length $upstream_response_time $upstream_status $req_id',
  // ingress-nginx 0.2x: the real IP and the alternative (canary) upstream name
  upstreaminfo_legacy_alt:
    '$remote_addr - [$the_real_ip] - $remote_user [$time_local] "$request" $status $body_bytes_sent "$http_referer" "$http_user_agent" $request_length $request_time [$proxy_upstream_name] [$proxy_alternative_upstream_name] $upstream_addr $upstream_response_length $upstream_response_time $upstream_status $req_id',
  // combined plus the upstream timings most operators add
  upstream:
    '$remote_addr - $remote_user [$time_local] "$request" $status $body_bytes_sent "$http_referer" "$http_user_agent" $request_time $upstream_addr $upstream_status $upstream_response_time',
  // what the README recommends: everything the diagnosis and the access/error join can use
  upstream_doctor:
    '$remote_addr - $remote_user [$time_local] "$request" $status $body_bytes_sent "$http_referer" "$http_user_agent" $request_time $upstream_addr $upstream_status $upstream_response_time $upstream_connect_time $host $connection',
  // host-prefixed combined, as many shared hosts and Docker images write it
  vhost_combined:
    '$host $remote_addr - $remote_user [$time_local] "$request" $status $body_bytes_sent "$http_referer" "$http_user_agent"',
};

export const APACHE_PRESETS: Record<string, string> = {
  common: '%h %l %u %t \\"%r\\" %>s %b',
  combined: '%h %l %u %t \\"%r\\" %>s %b \\"%{Referer}i\\" \\"%{User-Agent}i\\"',
  vhost_combined: '%v:%p %h %l %u %t \\"%r\\" %>s %O \\"%{Referer}i\\" \\"%{User-Agent}i\\"',
  vhost_combined_noport: '%v %h %l %u %t \\"%r\\" %>s %O \\"%{Referer}i\\" \\"%{User-Agent}i\\"',
  combinedio: '%h %l %u %t \\"%r\\" %>s %b \\"%{Referer}i\\" \\"%{User-Agent}i\\" %I %O',
  upstream_doctor: '%h %l %u %t \\"%r\\" %>s %O \\"%{Referer}i\\" \\"%{User-Agent}i\\" %D %v %{remote}p',
  // Debian's default-ssl.conf / ssl.conf request log
  ssl_request: '%t %h %{SSL_PROTOCOL}x %{SSL_CIPHER}x \\"%r\\" %b',
};

export function nginxPreset(name: string): FormatPlan {
  return compileNginxFormat(NGINX_PRESETS[name], name);
}

export function apachePreset(name: string): FormatPlan {
  return compileApacheFormat(APACHE_PRESETS[name], name);
}

export function allPresetPlans(): FormatPlan[] {
  return [
    ...Object.keys(NGINX_PRESETS).map(nginxPreset),
    ...Object.keys(APACHE_PRESETS).map(apachePreset),
  ];
}
