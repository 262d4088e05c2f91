/** Default cap on distinct `upstream` label values in /metrics (see docs/tail.md). */
export const DEFAULT_MAX_UPSTREAM_LABELS = 50;

/**
 * The upstream a failure is about, as an operator names it: nginx error logs give the whole URL
 * (`http://10.0.0.5:8080/api/orders/17`), access logs the address (`10.0.0.5:8080`). Grouping and
 * metric labels use the address, so that one upstream is one row (and one series), not one per
 * request path. Unix sockets keep their path: `unix:/run/php/php8.2-fpm.sock`.
 */
export function upstreamKey(upstream: string): string {
  const scheme = upstream.indexOf('://');
  let rest = scheme > 0 && scheme < 12 ? upstream.slice(scheme + 3) : upstream;
  if (rest.startsWith('unix:')) {
    // nginx writes `unix:/path/to.sock:` followed by the URI.
    const end = rest.indexOf(':', 5);
    return end === -1 ? rest : rest.slice(0, end);
  }
  const slash = rest.indexOf('/');
  if (slash >= 0) rest = rest.slice(0, slash);
  return rest;
}

/** An access line that took its cause from an error entry repeats a failure already counted. */
export function repeatsErrorEntry(ev: { source: string; signature: string | null }): boolean {
  return ev.source.endsWith('-access') && ev.signature !== null;
}
