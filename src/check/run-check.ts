import { InputError, InputSpec } from '../input/discover';
import { ReadOptions } from '../analyze/read-file';
import { Jobs, analyzeInputs } from '../analyze/parallel';
import { ReportDocument, buildDocument } from '../report/json';
import { Baseline, compareBaseline } from './baseline';
import { Offender } from './offenders';
import { Rule, Scope, evaluate, ruleName } from './rules';
import { scopeMatcher } from './scope';
import { ALL_CAUSES } from './selector';
import { WatchSpec } from './watches';

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
  /** One line each for stderr: worker threads that could not start or stopped (analyzeInputs' notes). */
  notes: string[];
}

export class ScopeError extends Error {}

export const SUITE_RULES = 'rules';
export const SUITE_BASELINE = 'baseline';

async function analyse(inputs: InputSpec[], readOpts: ReadOptions, jobs: Jobs, watches: WatchSpec[]) {
  const run = await analyzeInputs({ inputs, read: readOpts, jobs, watches });
  const doc = buildDocument(run.summary, { evicted: run.evicted });
  return {
    doc,
    unreadable: run.unreadable,
    broken: run.summary.files.filter((f) => f.error).map((f) => ({ path: f.path, error: f.error! })),
    offenders: run.offenders,
    notes: run.notes,
  };
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

function ruleWatches(rules: Rule[]): WatchSpec[] {
  return rules.map((r, i) => ({ key: `rule:${i}`, rule: r.spec }));
}

type Offenders = (key: string) => Offender[];

function verdicts(suite: string, rules: Rule[], doc: ReportDocument, offenders: Offenders): RuleResult[] {
  return rules.map((r, i) => ({ suite, name: ruleName(r.spec), ...evaluate(r.spec, doc), offenders: offenders(`rule:${i}`) }));
}

export async function runCheck(
  inputs: InputSpec[],
  rules: Rule[],
  baseline: Baseline | null,
  readOpts: ReadOptions,
  jobs: Jobs = 1,
): Promise<CheckOutcome> {
  const scoped = scopeGroups(rules, inputs);
  const unscoped = rules.filter((r) => !r.scope);

  // All inputs: the unscoped rules, the baseline, and the header of the summary.
  const watches = ruleWatches(unscoped);
  if (baseline) for (const cause of ALL_CAUSES) watches.push({ key: `cause:${cause}`, cause });
  const all = await analyse(inputs, readOpts, jobs, watches);
  const results = verdicts(SUITE_RULES, unscoped, all.doc, all.offenders);
  const notes = new Set(all.notes);

  for (const [scope, group] of scoped) {
    const run = await analyse(group.inputs, readOpts, jobs, ruleWatches(group.rules));
    results.push(...verdicts(`scope ${scope.name}`, group.rules, run.doc, run.offenders));
    for (const n of run.notes) notes.add(n);
  }

  if (baseline) {
    for (const { cause, ...verdict } of compareBaseline(all.doc, baseline)) {
      results.push({ suite: SUITE_BASELINE, name: `baseline ${cause}`, ...verdict, offenders: all.offenders(`cause:${cause}`) });
    }
  }
  // Scopes read subsets of the inputs, so the first run's unreadable and broken files are all of them.
  return { results, doc: all.doc, unreadable: all.unreadable, broken: all.broken, notes: [...notes] };
}
