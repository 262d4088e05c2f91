import { forTerminal } from '../report/sanitize';
import { formatPercent } from './rules';
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
    `upstream-doctor check: ${doc.files.length} files, ${doc.lines.read} lines (${doc.lines.skipped} skipped), ` +
      `${requests} requests, ${doc.failures} upstream failures, 502/504 explained: ${explained}`,
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
  out.push(
    '',
    failed === 0
      ? `PASS: all ${results.length} rules hold`
      : `FAIL: ${failed} of ${results.length} rules violated`,
  );
  return out.join('\n') + '\n';
}
