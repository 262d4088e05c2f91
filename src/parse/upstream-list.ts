/**
 * nginx writes one value per upstream attempt: `, ` between attempts of one pass
 * (proxy_next_upstream retries) and ` : ` between passes after an internal redirect.
 * The analysis only needs the attempts in order, so both separators flatten the list.
 */

// Each alternative is fixed-width; the items are trimmed afterwards. (`\s*(?:,|\s:\s)\s*` retried
// its leading `\s*` from every position of a whitespace run: quadratic on a long run.)
const SEPARATOR = /,|\s:\s/;

export function splitUpstreamList(text: string): string[] {
  const t = text.trim();
  if (t === '' || t === '-') return [];
  // One attempt, the usual case: no comma, and no space for a ` : ` to be made of. The split,
  // map and filter made three arrays and a closure for it: on ten days of rotated logs, the
  // upstream lists of the access failures were 12% of the bytes the run allocated.
  if (t.indexOf(',') === -1 && !/\s/.test(t)) return [t];
  // A loop, not split().map().filter(): the first list of two attempts deoptimised the optimised
  // access failure path there (--trace-deopt: "wrong map" at the filter, inlined in failureOf,
  // which was then compiled again, ~18 ms). docs/performance.md, fifth stop of 2026-12-07.
  const out: string[] = [];
  for (const item of t.split(SEPARATOR)) {
    const x = item.trim();
    if (x !== '') out.push(x);
  }
  return out;
}

/** `502, 200` → [502, 200]; `-` items (no status recorded for that attempt) → null. */
export function parseStatusList(text: string): (number | null)[] {
  // One status, the usual case, without the split's arrays.
  if (text.length === 3 && STATUS.test(text)) return [Number(text)];
  const out: (number | null)[] = [];
  for (const x of splitUpstreamList(text)) out.push(STATUS.test(x) ? Number(x) : null);
  return out;
}

const STATUS = /^\d{3}$/;

export function parseNumberList(text: string): (number | null)[] {
  return splitUpstreamList(text).map((x) => {
    const v = Number(x);
    return x === '-' || !Number.isFinite(v) ? null : v;
  });
}
