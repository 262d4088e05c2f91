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

const RELATIVE = /^(\d+(?:\.\d+)?)(s|m|h|d|w)$/;
const UNIT_MS: Record<string, number> = { s: 1e3, m: 6e4, h: 3.6e6, d: 8.64e7, w: 6.048e8 };

/** `2h`, `7d` (before now) or an ISO 8601 time. */
export function parseTimeArg(name: string, value: string | undefined, now = Date.now()): number | undefined {
  if (value === undefined || value === '') return undefined;
  const m = RELATIVE.exec(value.trim());
  if (m) return now - Number(m[1]) * UNIT_MS[m[2]];
  const t = Date.parse(value);
  if (Number.isNaN(t)) throw new UsageError(`--${name}: "${value}" is neither an ISO 8601 time nor a relative one like 2h or 7d`);
  return t;
}

export function checkBucket(value: string): string {
  if (value !== 'auto' && !(value in BUCKETS)) {
    throw new UsageError(`--bucket: "${value}" is not one of auto, ${Object.keys(BUCKETS).join(', ')}`);
  }
  return value;
}

export function checkZone(value: string | undefined): string | null {
  if (value === undefined) return null;
  if (!isValidZone(value)) throw new UsageError(`--tz: "${value}" is not an IANA time zone (e.g. UTC, Europe/Paris)`);
  return value;
}
