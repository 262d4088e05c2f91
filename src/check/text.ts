import { forTerminal } from '../report/sanitize';
import { formatPercent, plural } from './rules';
import { displayPath } from './offenders';
import { CheckOutcome, RuleResult } from './run-check';

/**
 * The plain stdout summary: every rule with its measured value and PASS/FAIL, grouped as in the
 * JUnit report, and under each failing rule the first log lines that count against it. No colour
 * or box drawing: CI logs are read as plain text.
 */

const MAX_SHOWN_TEXT = 160;

function clip(s: string): string {
  return s.length <= MAX_SHOWN_TEXT ? s : s.slice(0, MAX_SHOWN_TEXT - 1) + '…';
}

function ruleLine(r: RuleResult, width: number): string[] {
  const lines = [`  ${r.passed ? 'PASS' : 'FAIL'}  ${r.name.padEnd(width)}  measured ${r.measured}, expected ${r.expected}`];
  if (!r.passed) {
    for (const o of r.offenders) lines.push(`          ${displayPath(o.file)}:${o.line}: ${clip(forTerminal(o.text))}`);
  }
  return lines;
}

export function renderSummary(outcome: CheckOutcome, notes: string[]): string {
  const { doc, results } = outcome;
  const requests = Object.values(doc.status).reduce((a, b) => a + b, 0);
  const failed = results.filter((r) => !r.passed).length;
  const explained = doc.correlation.explainedShare === null ? 'n/a' : formatPercent(doc.correlation.explainedShare);
  const out = [
    `upstream-doctor check: ${plural(doc.files.length, 'file')}, ${plural(doc.lines.read, 'line')} (${doc.lines.skipped} skipped), ` +
      `${plural(requests, 'request')}, ${plural(doc.failures, 'upstream failure')}, 502/504 explained: ${explained}`,
  ];
  const width = Math.min(48, Math.max(0, ...results.map((r) => r.name.length)));
  let suite: string | null = null;
  for (const r of results) {
    if (r.suite !== suite) {
      suite = r.suite;
      out.push('', forTerminal(suite));
    }
    out.push(...ruleLine(r, width));
  }
  if (notes.length > 0) out.push('', ...notes.map(forTerminal));
  const n = results.length;
  const all = n === 1 ? 'the rule holds' : `all ${n} rules hold`;
  if (failed > 0) out.push('', `FAIL: ${failed} of ${plural(n, 'rule')} violated`);
  else if (outcome.broken.length > 0) out.push('', `INCOMPLETE: ${all} on what could be read, but an input broke off part way`);
  else out.push('', `PASS: ${all}`);
  return out.join('\n') + '\n';
}
