import { CAUSE_INFO } from '../diagnose/causes';
import { Cause } from '../model';
import { upstreamAddress } from './paths';

/**
 * "What to check next": the catalogue hint of each top cause with {upstream} {host} {path} {pool}
 * filled from that cause's real top offenders, so the operator can paste the command. A
 * placeholder with no value stays readable as <upstream>. The filled text is log-derived:
 * renderers escape it like any other log text.
 */

export interface NextStep {
  cause: Cause;
  count: number;
  check: string;
  /** The values used for the placeholders (null: not known from the logs). */
  values: { upstream: string | null; host: string | null; path: string | null; pool: string | null };
}

export interface StepInput {
  cause: Cause;
  count: number;
  top: { upstreams: { key: string }[]; hosts: { key: string }[]; paths: { key: string }[] };
  /** A raw request path of this cause, used when the top path has folded ids in it. */
  samplePath?: string | null;
}

/** php-fpm pools are named in their socket path by convention: /run/php/php8.2-fpm-<pool>.sock, /run/php-fpm/<pool>.sock. */
function poolFromUpstream(addr: string | null): string | null {
  if (!addr || !addr.startsWith('unix:')) return null;
  const base = addr.slice(addr.lastIndexOf('/') + 1).replace(/\.sock$/, '');
  const m = /-fpm-([A-Za-z0-9_.-]{1,64})$/.exec(base);
  return m ? m[1] : /^[A-Za-z0-9_.-]{1,64}$/.test(base) ? base : null;
}

export function fillHint(hint: string, values: NextStep['values']): string {
  return hint.replace(/\{(upstream|host|path|pool)\}/g, (_, k: keyof NextStep['values']) => values[k] ?? `<${k}>`);
}

/** One per cause, in the order given (the cause table's: largest first). */
export function nextSteps(causes: StepInput[]): NextStep[] {
  return causes.map((c) => {
    const upstream = c.top.upstreams[0] ? upstreamAddress(c.top.upstreams[0].key) : null;
    const host = c.top.hosts[0]?.key ?? null;
    let path = c.top.paths[0]?.key ?? null;
    // `curl http://…/api/users/{id}` is not runnable; a real path of the same cause is.
    if (path && /\{(id|uuid|hex|num|token)\}|=…/.test(path) && c.samplePath) path = c.samplePath;
    const values = { upstream, host, path, pool: poolFromUpstream(upstream) };
    return { cause: c.cause, count: c.count, check: fillHint(CAUSE_INFO[c.cause].hint, values), values };
  });
}
