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
 * or an access log in one of the known or user-given formats. An access format is chosen only
 * when it parses more sample lines than the error kind's heads count; among those, the highest
 * score wins, and the first in order among equal scores (user formats come first). The score: a
 * thousand a line parsed, less ten a line with unexplained trailing text, 500 for a user-given
 * format, 200 for the server the path names (else the bytes field: `-` is Apache's way of
 * writing 0), one a field. nginx and Apache both write `combined`; the last two tell them apart.
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

/** The scanner of each user-given plan, compiled once a run rather than once a file. */
const userScanners = new WeakMap<FormatPlan, AccessScanner>();
function userScanner(plan: FormatPlan): AccessScanner {
  let sc = userScanners.get(plan);
  if (sc === undefined) userScanners.set(plan, (sc = new AccessScanner(plan)));
  return sc;
}

/** Score bonuses (see detect): a user-given format, the server the path or the bytes field points to. */
const USER_BONUS = 500;
const SERVER_BONUS = 200;

interface Sample {
  lines: Buffer[];
  offsets: number[];
  hint: 'nginx' | 'apache' | null;
}

/**
 * One plan's score on the sample, or null when it cannot reach `floor`: each line it fails lowers
 * what it can still reach, and once that is below the floor its other lines are not scanned.
 * A format that fits no line used to be scanned on every line of the sample, by each of the 25
 * presets, twice a file (reading-order.ts peeks too): 4-8 ms a file, most of it compiling
 * scanners that ran on 64 lines.
 */
function scorePlan(sc: AccessScanner, userGiven: boolean, s: Sample, minMatched: number, floor: number): { matched: number; score: number } | null {
  const n = s.lines.length;
  const bonus = (userGiven ? USER_BONUS : 0) + sc.fieldCount;
  let matched = 0;
  let trailing = 0;
  let dashBytes = 0;
  for (let i = 0; i < n; i++) {
    const l = s.lines[i];
    if (sc.scan(l, s.offsets[i], l.length) && sc.invalidFields() === 0) {
      matched++;
      if (sc.trailing > 0) trailing++;
      if (sc.text('bytes') === null && sc.has('bytes')) dashBytes++;
    } else {
      const reach = matched + (n - i - 1);
      if (reach < minMatched || reach * 1000 - trailing * 10 + bonus + SERVER_BONUS < floor) return null;
    }
  }
  if (matched < minMatched) return null;
  const preferred = s.hint ?? (dashBytes > 0 ? 'apache' : 'nginx');
  const score = matched * 1000 - trailing * 10 + bonus + (preferred === sc.plan.server ? SERVER_BONUS : 0);
  return score >= floor ? { matched, score } : null;
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

  // access logs: only a plan that parses more lines than the error kind can be chosen
  const minMatched = (best?.matched ?? 0) + 1;
  if (minMatched > sampled) return best;
  const s: Sample = { lines: nonBlank, offsets, hint: serverHintFromPath(opts.pathHint) };
  const scanners = [...opts.formats.map(userScanner), ...presets()];
  const userCount = opts.formats.length;
  const allowed = (sc: AccessScanner) => !opts.forcedKind || opts.forcedKind === accessKindOf(sc.plan);
  // The first plan that fits the first line, scored first: the winner scores at least as much,
  // so the others are pruned against it from their first lines on.
  let floor = -Infinity;
  const first = scanners.findIndex((sc) => allowed(sc) && sc.scan(nonBlank[0], offsets[0], nonBlank[0].length));
  const firstScore = first >= 0 ? scorePlan(scanners[first], first < userCount, s, minMatched, floor) : null;
  if (firstScore) floor = firstScore.score;
  let bestScore = -Infinity;
  let bestAccess: Detection | null = null;
  for (let si = 0; si < scanners.length; si++) {
    const sc = scanners[si];
    if (!allowed(sc)) continue;
    // to win it must score more than the best so far, and no less than the first plan's score
    const r = si === first ? firstScore : scorePlan(sc, si < userCount, s, minMatched, Math.max(floor, bestScore + 1));
    if (r === null || r.score <= bestScore) continue;
    bestScore = r.score;
    bestAccess = { kind: accessKindOf(sc.plan), plan: sc.plan, envelope, matched: r.matched, sampled };
  }
  return bestAccess ?? best;
}
