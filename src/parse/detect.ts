import { LogKind } from '../model';
import { AccessScanner } from './access-scanner';
import { isApacheErrorHead } from './apache-error';
import { FormatPlan } from './format/plan';
import { allPresetPlans } from './format/presets';
import { isNginxErrorHead } from './nginx-error';
import { isPhpFpmHead } from './php-fpm-log';
import { Envelope, detectEnvelope } from './envelope';

/**
 * Decides what a file is from its first lines: an error log (nginx, Apache, PHP-FPM: fixed heads)
 * or an access log in one of the known or user-given formats (the plan that parses the most sample
 * lines wins; among equals the one that leaves the least unexplained trailing text, then the one
 * with more fields). nginx and Apache both write `combined`; the path, then the bytes field (`-` is
 * Apache's way of writing 0), tell them apart.
 */

export interface Detection {
  kind: LogKind;
  plan: FormatPlan | null; // access logs only
  envelope: Envelope | null;
  /** How many of the sample lines this choice parses, for the report. */
  matched: number;
  sampled: number;
}

export interface DetectOptions {
  /** User formats come first and win ties against presets. */
  formats: FormatPlan[];
  forcedKind?: LogKind;
  /** Used to attribute an access log to nginx or Apache when both parse it. */
  pathHint?: string;
}

export function serverHintFromPath(p: string | undefined): 'nginx' | 'apache' | null {
  if (!p) return null;
  if (/nginx/i.test(p)) return 'nginx';
  if (/apache|httpd/i.test(p)) return 'apache';
  return null;
}

function errorKindOf(buf: Buffer, s: number, e: number): LogKind | null {
  if (isNginxErrorHead(buf, s, e)) return 'nginx-error';
  if (isPhpFpmHead(buf, s, e)) return 'php-fpm';
  if (isApacheErrorHead(buf, s, e)) return 'apache-error';
  return null;
}

export function accessKindOf(plan: FormatPlan): LogKind {
  return plan.server === 'nginx' ? 'nginx-access' : 'apache-access';
}

let presetScanners: AccessScanner[] | null = null;
function presets(): AccessScanner[] {
  if (!presetScanners) presetScanners = allPresetPlans().map((p) => new AccessScanner(p));
  return presetScanners;
}

function nonBlankLines(lines: Buffer[]): Buffer[] {
  return lines.filter((l) => l.length > 0 && !/^\s*$/.test(l.toString('latin1')));
}

/** A file whose format is known (from the server configuration): only the envelope is detected. */
export function detectWithPlan(lines: Buffer[], plan: FormatPlan): Detection {
  const nonBlank = nonBlankLines(lines);
  const envelope = nonBlank.length > 0 ? detectEnvelope(nonBlank) : null;
  const sc = new AccessScanner(plan);
  const matched = nonBlank.filter((l) => sc.scan(l, envelope ? envelope.strip(l, 0, l.length) : 0, l.length)).length;
  return { kind: accessKindOf(plan), plan, envelope, matched, sampled: nonBlank.length };
}

export function detect(lines: Buffer[], opts: DetectOptions): Detection | null {
  const nonBlank = nonBlankLines(lines);
  if (nonBlank.length === 0) return null;
  const envelope = detectEnvelope(nonBlank);
  const offsets = nonBlank.map((l) => (envelope ? envelope.strip(l, 0, l.length) : 0));
  const sampled = nonBlank.length;

  // error logs
  const errCounts = new Map<LogKind, number>();
  nonBlank.forEach((l, i) => {
    const k = errorKindOf(l, offsets[i], l.length);
    if (k) errCounts.set(k, (errCounts.get(k) ?? 0) + 1);
  });
  let best: Detection | null = null;
  for (const [kind, n] of errCounts) {
    if (opts.forcedKind && opts.forcedKind !== kind) continue;
    if (!best || n > best.matched) best = { kind, plan: null, envelope, matched: n, sampled };
  }

  // access logs
  const hint = serverHintFromPath(opts.pathHint);
  const scanners = [...opts.formats.map((f) => new AccessScanner(f)), ...presets()];
  let bestScore = -Infinity;
  let bestAccess: Detection | null = null;
  for (let si = 0; si < scanners.length; si++) {
    const sc = scanners[si];
    const kind = accessKindOf(sc.plan);
    if (opts.forcedKind && opts.forcedKind !== kind) continue;
    let matched = 0;
    let trailing = 0;
    let dashBytes = 0;
    nonBlank.forEach((l, i) => {
      if (sc.scan(l, offsets[i], l.length) && sc.invalidFields() === 0) {
        matched++;
        if (sc.trailing > 0) trailing++;
        const t = sc.text('bytes');
        if (t === null && sc.has('bytes')) dashBytes++;
      }
    });
    if (matched === 0) continue;
    const userGiven = si < opts.formats.length;
    const preferred = hint ?? (dashBytes > 0 ? 'apache' : 'nginx');
    const score =
      matched * 1000 - trailing * 10 + (userGiven ? 500 : 0) + (preferred === sc.plan.server ? 200 : 0) + sc.fieldCount;
    if (score > bestScore) {
      bestScore = score;
      bestAccess = { kind, plan: sc.plan, envelope, matched, sampled };
    }
  }
  if (bestAccess && (!best || bestAccess.matched > best.matched)) best = bestAccess;
  return best;
}
