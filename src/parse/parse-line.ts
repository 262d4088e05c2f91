import { AccessEntry, ErrorEntry, LogKind } from '../model';
import { AccessScanner } from './access-scanner';
import { parseApacheError } from './apache-error';
import { DetectOptions, accessKindOf, detect } from './detect';
import { parseNginxError } from './nginx-error';
import { parsePhpFpm } from './php-fpm-log';
import { ZoneClock } from './time';

/**
 * Parses one line on its own: detection, then the matching parser. For tests, fuzzing and
 * tools; the batch path keeps the detection per file (src/analyze/read-file.ts).
 */

export type ParsedLine =
  | { kind: LogKind; access: AccessEntry; error?: undefined; format: string }
  | { kind: LogKind; error: ErrorEntry; access?: undefined; format: string };

const ERROR_PARSERS: Partial<Record<LogKind, (t: string, c: ZoneClock) => ErrorEntry | null>> = {
  'nginx-error': parseNginxError,
  'apache-error': parseApacheError,
  'php-fpm': parsePhpFpm,
};

export function parseLine(line: string, opts: Partial<DetectOptions> & { clock?: ZoneClock } = {}): ParsedLine | null {
  const buf = Buffer.from(line, 'utf8');
  const d = detect([buf], { formats: opts.formats ?? [], forcedKind: opts.forcedKind, pathHint: opts.pathHint });
  if (!d) return null;
  const s = d.envelope ? d.envelope.strip(buf, 0, buf.length) : 0;
  if (d.plan) {
    const sc = new AccessScanner(d.plan);
    if (!sc.scan(buf, s, buf.length)) return null;
    return { kind: accessKindOf(d.plan), access: sc.entry(), format: d.plan.name };
  }
  const parse = ERROR_PARSERS[d.kind];
  const e = parse ? parse(buf.toString('utf8', s), opts.clock ?? new ZoneClock('UTC')) : null;
  return e ? { kind: d.kind, error: e, format: 'builtin' } : null;
}
