import { CAUSES, Category, Cause, FailureEvent } from '../model';
import { distance } from 'fastest-levenshtein';
import { CAUSE_INFO } from '../diagnose/causes';
import { ReportDocument } from '../report/json';

/**
 * What a rule counts. One grammar for the command line, the config file and the baseline:
 *   502          requests answered with that HTTP status (access logs)
 *   5xx          requests whose status is in that class (1xx..5xx)
 *   <cause id>   diagnosed failures with that cause (upstream-refused, unexplained, ...)
 *   category:X   diagnosed failures whose cause is in category X (timeout, dns, ...)
 *   failures     every diagnosed failure
 * Counts are read from the JSON report document, so `check` measures exactly what `analyze` reports.
 */

export type Selector =
  | { kind: 'status'; text: string; status: number }
  | { kind: 'class'; text: string; digit: number }
  | { kind: 'cause'; text: string; cause: Cause }
  | { kind: 'category'; text: string; category: Category }
  | { kind: 'failures'; text: string };

export const ALL_CAUSES: Cause[] = [...CAUSES, 'unexplained'];
export const ALL_CATEGORIES: Category[] = [...new Set(Object.values(CAUSE_INFO).map((i) => i.category))].sort();

const STATUS = /^\d{3}$/;
const CLASS = /^([1-5])xx$/i;

export class SelectorError extends Error {}

export function parseSelector(text: string): Selector {
  const t = text.trim();
  if (STATUS.test(t)) return { kind: 'status', text: t, status: Number(t) };
  const cls = CLASS.exec(t);
  if (cls) return { kind: 'class', text: t.toLowerCase(), digit: Number(cls[1]) };
  if (t === 'failures') return { kind: 'failures', text: t };
  if (t.startsWith('category:')) {
    const name = t.slice('category:'.length);
    if ((ALL_CATEGORIES as string[]).includes(name)) return { kind: 'category', text: t, category: name as Category };
    throw new SelectorError(`"${t}": unknown category "${name}" (one of ${ALL_CATEGORIES.join(', ')})`);
  }
  if ((ALL_CAUSES as string[]).includes(t)) return { kind: 'cause', text: t, cause: t as Cause };
  const near = closest(t, [...ALL_CAUSES, ...ALL_CATEGORIES.map((c) => `category:${c}`), 'failures']);
  throw new SelectorError(
    near
      ? `"${t}" is not a known selector; did you mean "${near}"?`
      : `"${t}" is not a status (502), a status class (5xx), a cause (upstream-refused, ...: see docs/check.md), category:NAME or failures`,
  );
}

/** The candidate a typo clearly means: within a few edits (about one per five characters). */
function closest(word: string, candidates: string[]): string | null {
  if (word.length > 64) return null;
  let best: string | null = null;
  let bestD = Math.max(2, Math.floor(word.length / 5)) + 1;
  for (const c of candidates) {
    const d = distance(word, c);
    if (d < bestD) [best, bestD] = [c, d];
  }
  return best;
}

/** Whether a request status is one a status or class selector names. */
function statusMatches(sel: Selector, status: number): boolean {
  return sel.kind === 'status' ? status === sel.status : sel.kind === 'class' && Math.floor(status / 100) === sel.digit;
}

function causeMatches(sel: Selector, cause: Cause): boolean {
  if (sel.kind === 'cause') return cause === sel.cause;
  if (sel.kind === 'category') return CAUSE_INFO[cause].category === sel.category;
  return sel.kind === 'failures';
}

/** The count a selector measures in an analysis result. */
export function measure(sel: Selector, doc: ReportDocument): number {
  let n = 0;
  if (sel.kind === 'status' || sel.kind === 'class') {
    for (const [k, v] of Object.entries(doc.status)) if (statusMatches(sel, Number(k))) n += v;
  } else {
    for (const row of doc.causes) if (causeMatches(sel, row.cause)) n += row.count;
  }
  return n;
}

/** Requests read from access logs: the denominator of every rate. */
export function requestCount(doc: ReportDocument): number {
  let n = 0;
  for (const v of Object.values(doc.status)) n += v;
  return n;
}

/** Whether a failure event is one of the lines a selector counts (for pointing at offending lines). */
export function eventMatches(sel: Selector, ev: FailureEvent): boolean {
  if (sel.kind === 'status' || sel.kind === 'class') {
    return ev.source.endsWith('-access') && ev.status !== null && statusMatches(sel, ev.status);
  }
  return causeMatches(sel, ev.cause);
}
