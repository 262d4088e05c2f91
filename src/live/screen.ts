import { CAUSE_INFO } from '../diagnose/causes';
import { Cause, FailureEvent } from '../model';
import { clip, forTerminal } from '../report/sanitize';
import { Trend, WindowCounts } from './windows';

/**
 * The live screen `tail` redraws on a TTY. Pure: it turns the rolling counts into text; every
 * log-derived string goes through forTerminal().
 */

export interface ScreenState {
  now: number;
  files: number;
  linesRead: number;
  windows: { w1: WindowCounts; w5: WindowCounts; w15: WindowCounts };
  trend: Trend;
  upstreams: { upstream: string; count: number }[];
  recent: readonly FailureEvent[];
  alerts: readonly string[];
  active: string[];
  width: number;
}

const TREND_MARK: Record<Trend, string> = { rising: '↑ rising', falling: '↓ falling', steady: '→ steady', quiet: '· quiet' };

function num(x: number): string {
  const r = Math.round(x);
  return r === 0 && x > 0 ? '<1' : String(r);
}

export function renderScreen(s: ScreenState): string {
  const out: string[] = [];
  const w = Math.max(60, s.width);
  out.push(
    `upstream-doctor tail — ${new Date(s.now).toISOString().slice(0, 19)}Z — ${s.files} file(s), ${s.linesRead} lines read — trend ${TREND_MARK[s.trend]}`,
  );
  out.push(`requests 1m/5m/15m: ${num(s.windows.w1.requests)} / ${num(s.windows.w5.requests)} / ${num(s.windows.w15.requests)}` +
    `   failures: ${num(s.windows.w1.failures)} / ${num(s.windows.w5.failures)} / ${num(s.windows.w15.failures)}`);
  if (s.active.length > 0) out.push(`ALERTS ACTIVE: ${s.active.join(', ')}`);
  out.push('');
  out.push(`${'cause'.padEnd(26)}${'1m'.padStart(7)}${'5m'.padStart(7)}${'15m'.padStart(7)}  category`);
  const causes = [...s.windows.w15.byCause.entries()].filter(([, n]) => n >= 0.5).sort((a, b) => b[1] - a[1]).slice(0, 12);
  if (causes.length === 0) out.push('  (no failures in the last 15 minutes)');
  for (const [c, n15] of causes) {
    const n1 = s.windows.w1.byCause.get(c) ?? 0;
    const n5 = s.windows.w5.byCause.get(c) ?? 0;
    out.push(`${c.padEnd(26)}${num(n1).padStart(7)}${num(n5).padStart(7)}${num(n15).padStart(7)}  ${CAUSE_INFO[c as Cause].category}`);
  }
  out.push('');
  out.push('upstreams failing now (5m):');
  if (s.upstreams.length === 0) out.push('  (none)');
  for (const u of s.upstreams) out.push(`  ${String(u.count).padStart(6)}  ${clip(forTerminal(u.upstream), w - 10)}`);
  out.push('');
  out.push('latest tagged lines:');
  if (s.recent.length === 0) out.push('  (none yet)');
  for (const ev of [...s.recent].reverse()) {
    const head = `${ev.ts.slice(11, 19)} ${ev.status ?? '---'} ${ev.cause}`;
    const detail = forTerminal(ev.upstream ? `${ev.upstream} ${ev.message}` : ev.message);
    out.push(clip(`  ${head}  ${detail}`, w));
  }
  if (s.alerts.length > 0) {
    out.push('');
    out.push('alerts:');
    for (const a of s.alerts) out.push(clip(`  ${a}`, w));
  }
  out.push('');
  out.push('Ctrl-C to stop and print the summary');
  return out.join('\n') + '\n';
}
