import { tz } from '@date-fns/tz';
import { LogKind } from '../model';
import { compileApacheFormat } from '../parse/format/apache-format';
import { compileNginxFormat } from '../parse/format/nginx-format';
import { FormatError, FormatPlan } from '../parse/format/plan';
import { APACHE_PRESETS, NGINX_PRESETS, apachePreset, nginxPreset } from '../parse/format/presets';
import { isValidZone } from '../parse/time';
import { BUCKETS } from '../report/timeline';

/** Turns command-line values into typed options; every problem is a UsageError with one clear line. */

export class UsageError extends Error {}

/** yargs drops a bare `-` positional; main.ts carries it through under a name no flag can have. */
export const STDIN_ARG = '\u0000stdin';

export const KINDS: LogKind[] = ['nginx-access', 'nginx-error', 'apache-access', 'apache-error', 'php-fpm'];

/** `--nginx-format combined` names a preset; anything with a `$` is a format string. */
export function userFormats(nginx: string[] = [], apache: string[] = []): FormatPlan[] {
  const plans: FormatPlan[] = [];
  try {
    for (const f of nginx) plans.push(f in NGINX_PRESETS ? nginxPreset(f) : compileNginxFormat(f));
    for (const f of apache) plans.push(f in APACHE_PRESETS ? apachePreset(f) : compileApacheFormat(f));
  } catch (err) {
    if (err instanceof FormatError) throw new UsageError(`bad log format: ${err.message}`);
    throw err;
  }
  return plans;
}

const RELATIVE = /^(\d{1,9}(?:\.\d{1,6})?)\s?(s|m|min|h|d|w)$/;
const UNIT_MS: Record<string, number> = { s: 1e3, m: 6e4, min: 6e4, h: 3.6e6, d: 8.64e7, w: 6.048e8 };
/** ISO 8601 as people type it: a date, optionally T or space and a time, optionally a zone. */
const ISO_SHAPE = /^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?)?(?:Z|[+-]\d{2}(?::?\d{2})?)?$/i;

/**
 * `--since`/`--until`: `now`, a span before now (`90s`, `30m`, `2h`, `7d`, `1w`), or an ISO 8601
 * time. An ISO time without a zone (`2024-03-31T02:30`, `2024-03-31`) is read on the clock of
 * `zone` (the --tz zone, the one error-log times are read in; default: this machine's), so
 * `--since 2024-03-31` means that zone's midnight. Anything else is a UsageError: Date.parse's
 * guesses (`Date.parse("1")` is the year 2001) are not accepted.
 */
export function parseTimeArg(name: string, value: string | undefined, now = Date.now(), zone: string | null = null): number | undefined {
  if (value === undefined) return undefined;
  const v = value.trim();
  if (v === '') throw new UsageError(`--${name}: empty; give an ISO 8601 time or a span like 2h or 7d`);
  if (v.toLowerCase() === 'now') return now;
  const m = RELATIVE.exec(v);
  if (m) return now - Math.round(Number(m[1]) * UNIT_MS[m[2]]);
  if (ISO_SHAPE.test(v)) {
    const iso = v.replace(' ', 'T');
    // loaded when a time is given (start-up: see docs/performance.md)
    const { parseISO } = require('date-fns/parseISO') as typeof import('date-fns/parseISO');
    const t = (zone ? parseISO(iso, { in: tz(zone) }) : parseISO(iso)).getTime();
    if (Number.isFinite(t)) return t;
  }
  throw new UsageError(`--${name}: "${value}" is neither an ISO 8601 time (2024-11-16T14:00:00Z) nor a span before now (30m, 2h, 7d)`);
}

/** Both bounds, checked against each other: since is inclusive, until exclusive. */
export function parseRange(
  since: string | undefined,
  until: string | undefined,
  now = Date.now(),
  zone: string | null = null,
): { since?: number; until?: number } {
  const s = parseTimeArg('since', since, now, zone);
  const u = parseTimeArg('until', until, now, zone);
  if (s !== undefined && u !== undefined && s >= u) {
    throw new UsageError(`--since (${new Date(s).toISOString()}) must be before --until (${new Date(u).toISOString()})`);
  }
  return { since: s, until: u };
}

export function checkBucket(value: string): string {
  if (value !== 'auto' && !(value in BUCKETS)) {
    throw new UsageError(`--bucket: "${value}" is not one of auto, ${Object.keys(BUCKETS).join(', ')}`);
  }
  return value;
}

export function checkZone(value: string | undefined, name = 'tz'): string | null {
  if (value === undefined) return null;
  if (!isValidZone(value)) throw new UsageError(`--${name}: "${value}" is not an IANA time zone (e.g. UTC, Europe/Paris)`);
  return value;
}

/**
 * Options that take one value each time they are given and keep them all (`--max a --max b`). Any
 * other option given twice keeps its last value, as in most tools: a wrapper's default, then the
 * user's own (`--jobs 3 --jobs 1` is 1).
 */
const REPEATABLE_OPTIONS: readonly string[] = ['paths', 'nginx-format', 'apache-format', 'alert', 'max', 'max-rate', 'forbid'];

const camel = (name: string) => name.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());
const REPEATABLE = new Set(['_', '$0', ...REPEATABLE_OPTIONS, ...REPEATABLE_OPTIONS.map(camel)]);

/** Keeps the last value of every option given more than once that is not repeatable (argv as yargs parsed it). */
export function lastValueWins(argv: Record<string, unknown>): void {
  for (const [key, value] of Object.entries(argv)) {
    if (Array.isArray(value) && !REPEATABLE.has(key)) argv[key] = value[value.length - 1];
  }
}

