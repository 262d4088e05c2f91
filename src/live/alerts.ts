import { CAUSES, Category } from '../model';
import { CAUSE_INFO } from '../diagnose/causes';
import { Summary } from '../report/summary';
import { windowCounts } from './windows';

/**
 * `--alert` rules: `SELECTOR>THRESHOLD[%]/WINDOW`, e.g. `upstream-refused>10/1m`, `502>5%/5m`,
 * `upstream-down>20/5m`, `failures>100/15m`. The selector is a cause id, a category, an HTTP
 * status or `failures`; a `%` threshold is a share of the requests (access-log lines) in the
 * window. A rule fires when its value goes over the threshold and clears when it is back at or
 * under it; each transition is one AlertEvent.
 */

export class AlertSyntaxError extends Error {}

type Selector =
  | { kind: 'cause'; cause: string }
  | { kind: 'category'; category: Category }
  | { kind: 'status'; status: number }
  | { kind: 'failures' };

export interface AlertRule {
  text: string;
  selector: Selector;
  threshold: number;
  percent: boolean;
  windowMs: number;
  window: string;
}

export interface AlertEvent {
  type: 'alert';
  state: 'firing' | 'resolved';
  alert: string;
  value: number;
  threshold: number;
  unit: 'count' | 'percent';
  window: string;
  ts: string;
}

const RULE = /^([a-z0-9-]{1,40})>(\d+(?:\.\d+)?)(%?)\/(\d{1,4})(s|m|h)$/;
const UNIT_MS: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000 };
/** Per-minute counts are kept this long, which bounds the window. */
export const MAX_ALERT_WINDOW_MS = 24 * 3_600_000;
const CATEGORIES = new Set<string>(Object.values(CAUSE_INFO).map((i) => i.category));
const CAUSE_IDS = new Set<string>([...CAUSES, 'unexplained']);

export function parseAlert(text: string): AlertRule {
  const m = RULE.exec(text.trim());
  if (!m) throw new AlertSyntaxError(`--alert "${text}": expected SELECTOR>THRESHOLD[%]/WINDOW, e.g. upstream-refused>10/1m or 502>5%/5m`);
  const [, sel, num, pct, wn, wu] = m;
  let selector: Selector;
  if (CAUSE_IDS.has(sel)) selector = { kind: 'cause', cause: sel };
  else if (CATEGORIES.has(sel)) selector = { kind: 'category', category: sel as Category };
  else if (/^\d{3}$/.test(sel)) selector = { kind: 'status', status: Number(sel) };
  else if (sel === 'failures') selector = { kind: 'failures' };
  else throw new AlertSyntaxError(`--alert "${text}": "${sel}" is not a cause, a category, an HTTP status or "failures"`);
  const windowMs = Number(wn) * UNIT_MS[wu];
  if (windowMs < 10_000 || windowMs > MAX_ALERT_WINDOW_MS) throw new AlertSyntaxError(`--alert "${text}": the window must be between 10s and 24h`);
  const threshold = Number(num);
  if (pct && threshold > 100) throw new AlertSyntaxError(`--alert "${text}": a share cannot exceed 100%`);
  return { text: text.trim(), selector, threshold, percent: pct === '%', windowMs, window: `${wn}${wu}` };
}

export function ruleValue(rule: AlertRule, summary: Summary, now: number): number {
  const w = windowCounts(summary, now, rule.windowMs);
  const s = rule.selector;
  const count =
    s.kind === 'cause'
      ? (w.byCause.get(s.cause as never) ?? 0)
      : s.kind === 'category'
        ? (w.byCategory.get(s.category) ?? 0)
        : s.kind === 'status'
          ? (w.byStatus.get(s.status) ?? 0)
          : w.failures;
  if (!rule.percent) return count;
  return w.requests > 0 ? (count / w.requests) * 100 : 0;
}

export class AlertEngine {
  private readonly firing = new Set<string>();

  constructor(
    readonly rules: AlertRule[],
    private readonly emit: (ev: AlertEvent) => void,
  ) {}

  get active(): string[] {
    return [...this.firing];
  }

  evaluate(summary: Summary, now: number): void {
    for (const r of this.rules) {
      const value = ruleValue(r, summary, now);
      const over = value > r.threshold;
      if (over === this.firing.has(r.text)) continue;
      if (over) this.firing.add(r.text);
      else this.firing.delete(r.text);
      this.emit({
        type: 'alert',
        state: over ? 'firing' : 'resolved',
        alert: r.text,
        value: Math.round(value * 100) / 100,
        threshold: r.threshold,
        unit: r.percent ? 'percent' : 'count',
        window: r.window,
        ts: new Date(now).toISOString(),
      });
    }
  }
}

export function alertLine(ev: AlertEvent): string {
  const u = ev.unit === 'percent' ? '%' : '';
  return `ALERT ${ev.state} ${ev.alert}: ${ev.value}${u} over ${ev.window} (threshold ${ev.threshold}${u}) at ${ev.ts}`;
}
