/**
 * Folds the variable parts of request paths and upstream URLs so failures group by endpoint:
 * `/api/users/123?x=9` → `/api/users/{id}?x=…`. Runs once per failure (never per request line),
 * before the path enters its top-K table, so ten thousand user ids count as one endpoint instead
 * of pushing each other out of a bounded table. Segment tests are single-pass regexes without
 * nested quantifiers (linear on hostile input).
 */

const MAX_PATH = 512;

// Order matters: the first rule that matches a segment names it.
const SEGMENT_RULES: [RegExp, string][] = [
  [/^\d+$/, '{id}'],
  [/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i, '{uuid}'],
  [/^(?:0x)?[0-9a-f]{12,}$/i, '{hex}'],
  // Numbers with a unit or extension: 123.json, v2-123, 2024-11-16
  [/^\d[\d.,_-]*\d$/, '{num}'],
];
const NUMBERED_FILE = /^(\d+)(\.[a-z0-9]{1,8})$/i;
/** Long mixed letter+digit tokens (session ids, base64 blobs, hashes in other alphabets). */
const TOKEN = /^[A-Za-z0-9_-]{24,}$/;

export function foldSegment(seg: string): string {
  // Every rule needs a digit or 12 characters: most words of a path are neither.
  if (seg.length < 12 && !hasDigit(seg)) return seg;
  for (const [re, name] of SEGMENT_RULES) if (re.test(seg)) return name;
  const file = NUMBERED_FILE.exec(seg);
  if (file) return `{id}${file[2]}`;
  if (TOKEN.test(seg) && /\d/.test(seg) && /[A-Za-z]/.test(seg)) return '{token}';
  return seg;
}

function hasDigit(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 48 && c <= 57) return true;
  }
  return false;
}

export function normalizePath(raw: string): string {
  let s = raw.length > MAX_PATH ? raw.slice(0, MAX_PATH) : raw;
  // A proxy-style absolute URI in the request line: keep only the path.
  const scheme = s.indexOf('://');
  if (scheme > 0 && scheme < 10) {
    const slash = s.indexOf('/', scheme + 3);
    s = slash === -1 ? '/' : s.slice(slash);
  }
  const hash = s.indexOf('#');
  if (hash !== -1) s = s.slice(0, hash);
  const q = s.indexOf('?');
  const pathEnd = q === -1 ? s.length : q;
  // One pass, segment by segment, copying the text between folded segments in one piece: a slice
  // per segment and a string per join were most of what a failure's path cost.
  let out = '';
  let kept = 0; // s[kept, from) is unchanged and not in `out` yet
  for (let from = 0; ; ) {
    const slash = s.indexOf('/', from);
    const to = slash === -1 || slash > pathEnd ? pathEnd : slash;
    const folded = foldRange(s, from, to);
    if (folded !== null) {
      out += s.slice(kept, from) + folded;
      kept = to;
    }
    if (to === pathEnd) break;
    from = to + 1;
  }
  const path = kept === 0 ? (pathEnd === s.length ? s : s.slice(0, pathEnd)) : out + s.slice(kept, pathEnd);
  if (q === -1) return path;
  let query = '';
  for (let from = q + 1; from <= s.length; ) {
    let amp = s.indexOf('&', from);
    if (amp === -1) amp = s.length;
    if (amp > from) {
      const eq = s.indexOf('=', from);
      query += (query === '' ? '' : '&') + (eq === -1 || eq > amp ? s.slice(from, amp) : `${s.slice(from, eq)}=…`);
    }
    from = amp + 1;
  }
  return query === '' ? path : `${path}?${query}`;
}

/**
 * foldSegment(s.slice(from, to)), or null when it leaves the segment as it is; decided from the
 * characters where it can be (a word, a number), without cutting the segment out.
 */
function foldRange(s: string, from: number, to: number): string | null {
  let digits = 0;
  for (let i = from; i < to; i++) {
    const c = s.charCodeAt(i);
    if (c >= 48 && c <= 57) digits++;
  }
  if (digits === 0 && to - from < 12) return null;
  if (digits === to - from) return '{id}'; // not empty: it has a digit
  const seg = s.slice(from, to);
  const folded = foldSegment(seg);
  return folded === seg ? null : folded;
}

/**
 * The length of a leading `scheme://` of s from `at` on (a letter, then up to 15 letters, digits,
 * `+`, `.`, `-`), or 0. By hand: a regex exec made a match array for every failure.
 */
function schemeLength(s: string, at = 0): number {
  const n = Math.min(s.length - at, 17);
  for (let i = 0; i < n; i++) {
    const c = s.charCodeAt(at + i);
    if ((c >= 65 && c <= 90) || (c >= 97 && c <= 122)) continue;
    if (i > 0 && ((c >= 48 && c <= 57) || c === 43 || c === 46 || c === 45)) continue;
    return i > 0 && c === 58 && s.charCodeAt(at + i + 1) === 47 && s.charCodeAt(at + i + 2) === 47 ? i + 3 : 0;
  }
  return 0;
}

/**
 * The address part of an upstream as the logs spell it: nginx's error log writes a URL
 * (`http://10.0.0.7:8080/api/x`, `fastcgi://unix:/run/php/fpm.sock:`), the access log
 * host:port or `unix:/path`. Hints want host:port (or the socket).
 */
export function upstreamAddress(upstream: string): string {
  // trim() (a new string) only where it may remove more than ASCII white space
  const s = nonAsciiAtEnds(upstream) ? upstream.trim() : upstream;
  const from = addressStart(s);
  const to = addressEnd(s, from);
  return from === 0 && to === s.length ? s : s.slice(from, to);
}

/**
 * Whether the text inside the ASCII white space at either end of s starts or ends with a
 * character outside ASCII, which may be white space only trim() knows.
 */
function nonAsciiAtEnds(s: string): boolean {
  let i = 0;
  while (i < s.length && isAsciiSpace(s.charCodeAt(i))) i++;
  if (i === s.length) return false;
  let j = s.length;
  while (isAsciiSpace(s.charCodeAt(j - 1))) j--;
  return s.charCodeAt(i) > 127 || s.charCodeAt(j - 1) > 127;
}

/** Where upstreamAddress(s) starts in s: past ASCII white space and a scheme. */
function addressStart(s: string): number {
  let i = 0;
  while (i < s.length && isAsciiSpace(s.charCodeAt(i))) i++;
  return i + schemeLength(s, i);
}

/** Where upstreamAddress(s) ends in s, for its start `from` (addressStart): a socket's colon, a path's slash, or trailing white space. */
function addressEnd(s: string, from: number): number {
  let end = s.length;
  while (end > from && isAsciiSpace(s.charCodeAt(end - 1))) end--;
  if (s.startsWith('unix:', from) && from + 5 <= end) {
    // nginx spells a socket URL unix:/path/to.sock:/uri — the socket ends at the next colon.
    const colon = s.indexOf(':', from + 5);
    return colon === -1 || colon >= end ? end : colon;
  }
  const slash = s.indexOf('/', from);
  return slash === -1 || slash >= end ? end : slash;
}

/** The ASCII characters String.prototype.trim() removes. */
function isAsciiSpace(c: number): boolean {
  return c === 32 || (c >= 9 && c <= 13);
}
