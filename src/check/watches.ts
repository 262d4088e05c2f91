import { Cause, FailureEvent } from '../model';
import { RuleSpec } from './rules';
import { eventMatches } from './selector';

/**
 * What `check` watches the failure events for (the first offending log lines of a rule, or of a
 * cause for the baseline), as plain data: a parallel run (analyze/parallel.ts) rebuilds the same
 * predicates in its worker threads.
 */

export type WatchSpec = { key: string; rule: RuleSpec } | { key: string; cause: Cause };

const GATEWAY = new Set([502, 504]);

export function watchMatcher(w: WatchSpec): (ev: FailureEvent) => boolean {
  if ('cause' in w) return (ev) => ev.cause === w.cause;
  const spec = w.rule;
  if (spec.type === 'require-explained') {
    return (ev) => ev.cause === 'unexplained' && ev.status !== null && GATEWAY.has(ev.status) && ev.source.endsWith('-access');
  }
  return (ev) => eventMatches(spec.selector, ev);
}
