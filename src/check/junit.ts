import { forTerminal } from '../report/sanitize';
import { displayPath } from './offenders';
import { RuleResult } from './run-check';

/**
 * The `--junit` report: one <testsuite> per rule group (rules, each scope, baseline), one
 * <testcase> per rule, a <failure> in each violated one: the shape Jenkins, GitLab, GitHub
 * test-report actions and Azure read. Everything is escaped; no CDATA (log text may contain `]]>`).
 */

// Characters XML 1.0 cannot carry at all, even as references: most C0 controls, U+FFFE/U+FFFF,
// lone surrogates (the `u` flag makes a lone surrogate one unmatched code point).
const NOT_XML = /[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu;
const MARKUP: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' };
// In attributes, parsers normalise tab/newline/CR to spaces unless written as references.
const ATTR_WS: Record<string, string> = { '\t': '&#9;', '\n': '&#10;', '\r': '&#13;' };

function visible(c: string): string {
  const code = c.codePointAt(0)!;
  return code < 0x100 ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
}

export function xmlText(s: string): string {
  return s.replace(NOT_XML, visible).replace(/[&<>"'\r]/g, (c) => MARKUP[c] ?? ATTR_WS[c]);
}

export function xmlAttr(s: string): string {
  return s.replace(NOT_XML, visible).replace(/[&<>"'\t\n\r]/g, (c) => MARKUP[c] ?? ATTR_WS[c]);
}

function failureBody(r: RuleResult): string {
  const lines = [`measured: ${r.measured}`, `expected: ${r.expected}`];
  if (r.offenders.length > 0) {
    lines.push('first offending log lines:');
    for (const o of r.offenders) lines.push(`  ${displayPath(o.file)}:${o.line}: ${forTerminal(o.text)}`);
  }
  return lines.join('\n');
}

export function renderJunit(results: RuleResult[], opts: { timestamp: Date; seconds: number }): string {
  const suites = new Map<string, RuleResult[]>();
  for (const r of results) suites.set(r.suite, [...(suites.get(r.suite) ?? []), r]);
  const failures = results.filter((r) => !r.passed).length;
  const stamp = opts.timestamp.toISOString().slice(0, 19);
  const out = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="upstream-doctor check" tests="${results.length}" failures="${failures}" errors="0" time="${opts.seconds.toFixed(3)}">`,
  ];
  for (const [suite, rs] of suites) {
    const failed = rs.filter((r) => !r.passed).length;
    out.push(
      `  <testsuite name="${xmlAttr(suite)}" tests="${rs.length}" failures="${failed}" errors="0" skipped="0" time="0" timestamp="${stamp}">`,
    );
    for (const r of rs) {
      const head = `    <testcase classname="upstream-doctor.${xmlAttr(suite)}" name="${xmlAttr(r.name)}" time="0"`;
      if (r.passed) {
        out.push(`${head}/>`);
        continue;
      }
      out.push(`${head}>`);
      out.push(
        `      <failure type="RuleViolated" message="${xmlAttr(`${r.name}: measured ${r.measured}, expected ${r.expected}`)}">${xmlText(failureBody(r))}</failure>`,
      );
      out.push('    </testcase>');
    }
    const report = rs.map((r) => `${r.passed ? 'PASS' : 'FAIL'} ${r.name}: measured ${r.measured}, expected ${r.expected}`);
    out.push(`    <system-out>${xmlText(report.join('\n'))}</system-out>`);
    out.push('  </testsuite>');
  }
  out.push('</testsuites>');
  return out.join('\n') + '\n';
}
