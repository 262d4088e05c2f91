import { FailureEvent } from '../model';
import { InputError, InputSpec } from '../input/discover';
import { Analyzer } from '../analyze/analyzer';
import { ReadOptions } from '../analyze/read-file';
import { runAnalysis } from '../analyze/run';
import { ReportDocument, buildDocument } from '../report/json';
import { Baseline, compareBaseline } from './baseline';
import { Offender, OffenderCollector } from './offenders';
import { Rule, RuleSpec, Scope, evaluate, ruleName } from './rules';
import { scopeMatcher } from './scope';
import { ALL_CAUSES, eventMatches } from './selector';

/**
 * Runs the analysis `check` measures and evaluates every rule on it. Rules without a scope are
 * measured on all inputs; each scope's rules on an analysis of only the files the scope matches
 * (so a scope should hold a server's access and error logs together, for the correlation).
 */

export interface RuleResult {
  /** `rules`, `scope NAME` or `baseline`: one JUnit testsuite each. */
  suite: string;
  name: string;
  passed: boolean;
  measured: string;
  expected: string;
  /** The first log lines that count against the rule (for failing rules: where to look). */
  offenders: Offender[];
}

export interface CheckOutcome {
  results: RuleResult[];
  /** The analysis of all inputs (what a baseline records). */
  doc: ReportDocument;
  unreadable: InputError[];
  /** Inputs that broke off part way: their rules were measured on what could be read. */
  broken: { path: string; error: string }[];
}

export class ScopeError extends Error {}

export const SUITE_RULES = 'rules';
export const SUITE_BASELINE = 'baseline';

const GATEWAY = new Set([502, 504]);

/** The log lines that count against a rule. */
function offendingEvent(spec: RuleSpec): (ev: FailureEvent) => boolean {
  if (spec.type === 'require-explained') {
    return (ev) => ev.cause === 'unexplained' && ev.status !== null && GATEWAY.has(ev.status) && ev.source.endsWith('-access');
  }
  return (ev) => eventMatches(spec.selector, ev);
}

async function analyse(inputs: InputSpec[], readOpts: ReadOptions, collector: OffenderCollector) {
  const analyzer = new Analyzer({ onEvent: collector.onEvent });
  const { unreadable } = await runAnalysis(inputs, analyzer, readOpts);
  const doc = buildDocument(analyzer.summary, { evicted: analyzer.index.evicted });
  return { doc, unreadable, broken: analyzer.summary.files.filter((f) => f.error).map((f) => ({ path: f.path, error: f.error! })) };
}

/** Scoped rules by scope, each scope with the inputs it matches. */
function scopeGroups(rules: Rule[], inputs: InputSpec[]): Map<Scope, { rules: Rule[]; inputs: InputSpec[] }> {
  const groups = new Map<Scope, { rules: Rule[]; inputs: InputSpec[] }>();
  for (const r of rules) {
    if (!r.scope) continue;
    let g = groups.get(r.scope);
    if (!g) {
      const matches = scopeMatcher(r.scope);
      g = { rules: [], inputs: inputs.filter((i) => matches(i.path)) };
      // A glob that matches nothing is a typo, not a pass.
      if (g.inputs.length === 0) {
        throw new ScopeError(`scope "${r.scope.name}" matches none of the ${inputs.length} input files (globs are relative to ${r.scope.base})`);
      }
      groups.set(r.scope, g);
    }
    g.rules.push(r);
  }
  return groups;
}

function watchRules(collector: OffenderCollector, rules: Rule[]): void {
  rules.forEach((r, i) => collector.watch(`rule:${i}`, offendingEvent(r.spec)));
}

function verdicts(suite: string, rules: Rule[], doc: ReportDocument, collector: OffenderCollector): RuleResult[] {
  return rules.map((r, i) => ({ suite, name: ruleName(r.spec), ...evaluate(r.spec, doc), offenders: collector.get(`rule:${i}`) }));
}

export async function runCheck(
  inputs: InputSpec[],
  rules: Rule[],
  baseline: Baseline | null,
  readOpts: ReadOptions,
): Promise<CheckOutcome> {
  const scoped = scopeGroups(rules, inputs);
  const unscoped = rules.filter((r) => !r.scope);

  // All inputs: the unscoped rules, the baseline, and the header of the summary.
  const collector = new OffenderCollector();
  watchRules(collector, unscoped);
  if (baseline) for (const cause of ALL_CAUSES) collector.watch(`cause:${cause}`, (ev) => ev.cause === cause);
  const all = await analyse(inputs, readOpts, collector);
  const results = verdicts(SUITE_RULES, unscoped, all.doc, collector);

  for (const [scope, group] of scoped) {
    const own = new OffenderCollector();
    watchRules(own, group.rules);
    const run = await analyse(group.inputs, readOpts, own);
    results.push(...verdicts(`scope ${scope.name}`, group.rules, run.doc, own));
  }

  if (baseline) {
    for (const { cause, ...verdict } of compareBaseline(all.doc, baseline)) {
      results.push({ suite: SUITE_BASELINE, name: `baseline ${cause}`, ...verdict, offenders: collector.get(`cause:${cause}`) });
    }
  }
  // Scopes read subsets of the inputs, so the first run's unreadable and broken files are all of them.
  return { results, doc: all.doc, unreadable: all.unreadable, broken: all.broken };
}
