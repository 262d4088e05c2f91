import { ReportDocument } from '../report/json';
import { Selector, SelectorError, measure, parseSelector, requestCount } from './selector';

/**
 * The rules `check` evaluates, their grammar (shared by the command line and the config file),
 * and their evaluation against one analysis result. Grammar and semantics: docs/check.md.
 */

export type RuleSpec =
  | { type: 'max'; selector: Selector; limit: number }
  | { type: 'max-rate'; selector: Selector; percent: number }
  | { type: 'forbid'; selector: Selector }
  | { type: 'require-explained'; percent: number };

/** A set of inputs a rule is restricted to: the files matching any of the globs, analysed on their own. */
export interface Scope {
  name: string;
  files: string[];
  /** Directory the globs are relative to (the config file's). */
  base: string;
}

export interface Rule {
  spec: RuleSpec;
  scope: Scope | null;
}

/** A bad rule value; the message names the value, the caller prefixes where it came from. */
export class RuleError extends Error {}

const COUNT = /^\d{1,15}$/;
const PERCENT = /^(\d{1,3}(?:\.\d{1,6})?)\s*%$/;

export function parseCount(text: string): number {
  const t = text.trim();
  if (!COUNT.test(t)) throw new RuleError(`"${text}" is not a whole number >= 0`);
  return Number(t);
}

/** `0.5%` → 0.5. The `%` is required so that `1` can never be misread as 1 or 100 percent. */
export function parsePercent(text: string): number {
  const m = PERCENT.exec(text.trim());
  if (!m || Number(m[1]) > 100) throw new RuleError(`"${text}" is not a percentage between 0% and 100% (e.g. 0.5%)`);
  return Number(m[1]);
}

function selectorOf(text: string): Selector {
  try {
    return parseSelector(text);
  } catch (err) {
    if (err instanceof SelectorError) throw new RuleError(err.message);
    throw err;
  }
}

/** Splits `SELECTOR=VALUE` at its last `=` (selectors contain no `=`). */
function splitAssignment(text: string, example: string): [string, string] {
  const i = text.lastIndexOf('=');
  if (i <= 0) throw new RuleError(`"${text}" is not SELECTOR=VALUE (e.g. ${example})`);
  return [text.slice(0, i), text.slice(i + 1)];
}

export function maxRule(selector: string, limit: string | number): RuleSpec {
  return { type: 'max', selector: selectorOf(selector), limit: typeof limit === 'number' ? checkCount(limit) : parseCount(limit) };
}

export function maxRateRule(selector: string, percent: string): RuleSpec {
  return { type: 'max-rate', selector: selectorOf(selector), percent: parsePercent(percent) };
}

export function forbidRule(selector: string): RuleSpec {
  return { type: 'forbid', selector: selectorOf(selector) };
}

export function requireExplainedRule(percent: string): RuleSpec {
  return { type: 'require-explained', percent: parsePercent(percent) };
}

function checkCount(n: number): number {
  if (!Number.isSafeInteger(n) || n < 0) throw new RuleError(`${n} is not a whole number >= 0`);
  return n;
}

/** `--max 'upstream-refused=0'` */
export function parseMaxArg(text: string): RuleSpec {
  const [sel, value] = splitAssignment(text, '502=10');
  return maxRule(sel, value);
}

/** `--max-rate '5xx=0.5%'` */
export function parseMaxRateArg(text: string): RuleSpec {
  const [sel, value] = splitAssignment(text, '5xx=0.5%');
  return maxRateRule(sel, value);
}

export function ruleName(spec: RuleSpec): string {
  switch (spec.type) {
    case 'max':
      return `max ${spec.selector.text}=${spec.limit}`;
    case 'max-rate':
      return `max-rate ${spec.selector.text}=${spec.percent}%`;
    case 'forbid':
      return `forbid ${spec.selector.text}`;
    case 'require-explained':
      return `require-explained ${spec.percent}%`;
  }
}

export function qualifiedName(rule: Rule): string {
  return rule.scope ? `[${rule.scope.name}] ${ruleName(rule.spec)}` : ruleName(rule.spec);
}

export interface Verdict {
  passed: boolean;
  /** What was measured, with its basis: `0.8% (4 of 500 requests)`. */
  measured: string;
  /** The bound that had to hold: `<= 0.5%`. */
  expected: string;
}

export function formatPercent(share: number): string {
  const p = share * 100;
  return `${p === 0 || p >= 0.01 ? Number(p.toFixed(2)) : Number(p.toPrecision(2))}%`;
}

export function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

/** Evaluates one rule on one analysis result. Comparisons are on integers scaled by 100, so 1 of 200 is exactly 0.5%. */
export function evaluate(spec: RuleSpec, doc: ReportDocument): Verdict {
  switch (spec.type) {
    case 'max': {
      const n = measure(spec.selector, doc);
      return { passed: n <= spec.limit, measured: String(n), expected: `<= ${spec.limit}` };
    }
    case 'forbid': {
      const n = measure(spec.selector, doc);
      return { passed: n === 0, measured: String(n), expected: 'none' };
    }
    case 'max-rate': {
      const n = measure(spec.selector, doc);
      const requests = requestCount(doc);
      const expected = `<= ${spec.percent}% of requests`;
      if (requests === 0) {
        // A rate of failures over no requests cannot be shown to hold.
        return { passed: n === 0, measured: `${n} with no access-log requests`, expected };
      }
      return {
        passed: n * 100 <= spec.percent * requests,
        measured: `${formatPercent(n / requests)} (${n} of ${plural(requests, 'request')})`,
        expected,
      };
    }
    case 'require-explained': {
      const { gatewayFailures: total, explained } = doc.correlation;
      const expected = `>= ${spec.percent}% of 502/504 explained`;
      if (total === 0) return { passed: true, measured: 'n/a (no 502/504 in the access logs)', expected };
      return {
        passed: explained * 100 >= spec.percent * total,
        measured: `${formatPercent(explained / total)} (${explained} of ${total} explained)`,
        expected,
      };
    }
  }
}
