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

function scopeGroups(rules: Rule[]): Map<Scope | null, Rule[]> {
  const groups = new Map<Scope | null, Rule[]>([[null, []]]);
  for (const r of rules) {
    const list = groups.get(r.scope) ?? [];
    list.push(r);
    groups.set(r.scope, list);
  }
  return groups;
}

export async function runCheck(
  inputs: InputSpec[],
  rules: Rule[],
  baseline: Baseline | null,
  readOpts: ReadOptions,
): Promise<CheckOutcome> {
  // Every scope must match something: a glob that matches nothing is a typo, not a pass.
  const groups = scopeGroups(rules);
  const selected = new Map<Scope | null, InputSpec[]>();
  for (const scope of groups.keys()) {
    const inScope = scope ? inputs.filter((i) => scopeMatcher(scope)(i.path)) : inputs;
    if (scope && inScope.length === 0) {
      throw new ScopeError(`scope "${scope.name}" matches none of the ${inputs.length} input files (globs are relative to ${scope.base})`);
    }
    selected.set(scope, inScope);
  }

  const results: RuleResult[] = [];
  let all: Awaited<ReturnType<typeof analyse>> | null = null;
  for (const [scope, group] of groups) {
    const collector = new OffenderCollector();
    group.forEach((r, i) => collector.watch(`rule:${i}`, offendingEvent(r.spec)));
    if (!scope && baseline) {
      for (const cause of ALL_CAUSES) collector.watch(`cause:${cause}`, (ev) => ev.cause === cause);
    }
    const run = await analyse(selected.get(scope)!, readOpts, collector);
    if (!scope) all = run;
    const suite = scope ? `scope ${scope.name}` : SUITE_RULES;
    group.forEach((r, i) => {
      const v = evaluate(r.spec, run.doc);
      results.push({ suite, name: ruleName(r.spec), ...v, offenders: collector.get(`rule:${i}`) });
    });
    if (!scope && baseline) {
      for (const v of compareBaseline(run.doc, baseline)) {
        const { cause, ...verdict } = v;
        results.push({ suite: SUITE_BASELINE, name: `baseline ${cause}`, ...verdict, offenders: collector.get(`cause:${cause}`) });
      }
    }
  }
  // The unscoped run reads every input, so its unreadable and broken files are all of them.
  const { doc, unreadable, broken } = all!;
  return { results, doc, unreadable, broken };
}
