import { forTerminal } from '../report/sanitize';
import { displayPath } from './offenders';
import { RuleResult, SUITE_RULES } from './run-check';

/**
 * `--github`: workflow commands that make GitHub Actions annotate the first offending log lines.
 * Log text is attacker-controlled: a raw newline in it would start a second workflow command
 * (`::add-mask::`, `::stop-commands::`), so every value is escaped per the workflow-command rules
 * after control characters have been made visible.
 */

const DATA: Record<string, string> = { '%': '%25', '\r': '%0D', '\n': '%0A' };
const PROPERTY: Record<string, string> = { ...DATA, ':': '%3A', ',': '%2C' };

export function escapeData(s: string): string {
  return s.replace(/[%\r\n]/g, (c) => DATA[c]);
}

export function escapeProperty(s: string): string {
  return s.replace(/[%\r\n:,]/g, (c) => PROPERTY[c]);
}

function command(props: [string, string][], message: string): string {
  const p = props.map(([k, v]) => `${k}=${escapeProperty(v)}`).join(',');
  return `::error ${p}::${escapeData(message)}`;
}

/** One `::error` per offending line of each violated rule (a rule with none gets one without a file). */
export function githubAnnotations(results: RuleResult[]): string[] {
  const out: string[] = [];
  for (const r of results) {
    if (r.passed) continue;
    const title = `upstream-doctor: ${r.suite === SUITE_RULES ? '' : `${r.suite}: `}${r.name}`;
    const summary = `measured ${r.measured}, expected ${r.expected}`;
    if (r.offenders.length === 0) out.push(command([['title', title]], summary));
    for (const o of r.offenders) {
      const text = `${summary}: ${forTerminal(o.text)}`;
      // Standard input is no file an annotation can point at: say where in the message instead.
      if (o.file === '-') out.push(command([['title', title]], `stdin line ${o.line}: ${text}`));
      else out.push(command([['file', displayPath(o.file)], ['line', String(o.line)], ['title', title]], text));
    }
  }
  return out;
}
