import { ErrorEntry } from '../model';
import { ZoneClock, digits, isNginxErrorTime, parseNginxErrorTime } from './time';

/**
 * nginx error log (src/core/ngx_log.c, ngx_http_log_error_handler):
 *   YYYY/MM/DD HH:MM:SS [level] PID#TID: *CID message, client: X, server: Y, request: "R",
 *   upstream: "U", host: "H", referrer: "F"
 * The `*CID` and the context are optional. Message text is not escaped, so FastCGI stderr can
 * span several physical lines; the reader folds those continuation lines into the entry.
 */

/** Cheap test on the bytes: does this line start an nginx error entry? */
export function isNginxErrorHead(buf: Buffer, s: number, e: number): boolean {
  return (
    e - s >= 24 &&
    buf[s + 4] === 47 &&
    buf[s + 7] === 47 &&
    buf[s + 10] === 32 &&
    buf[s + 13] === 58 &&
    buf[s + 19] === 32 &&
    buf[s + 20] === 91 &&
    digits(buf, s, 4) >= 0
  );
}

/**
 * Does parseNginxError accept every entry that starts with this line? Decided on the bytes, so
 * that the reader can count an entry no signature can match without decoding it. False also
 * where the bytes alone cannot tell: a non-ASCII byte before the level's end (characters and
 * bytes would no longer line up), or a level that this line does not close.
 */
export function nginxHeadParses(buf: Buffer, s: number, e: number): boolean {
  // The head and time tests leave one byte of the stamp unread (the `:` before the seconds); the
  // others are digits and separators, so the ASCII test starts after the `[`.
  if (!isNginxErrorHead(buf, s, e) || !isNginxErrorTime(buf, s) || buf[s + 16] >= 0x80) return false;
  for (let i = s + 21; i < e - 1 && i <= s + 30; i++) {
    const c = buf[i];
    if (c >= 0x80) return false;
    // parseNginxError: `] ` at character 21..30
    if (c === 93 && i >= s + 21 && buf[i + 1] === 32) return true;
  }
  return false;
}

/** The time of the entry this line starts (nginxHeadParses holds). */
export function nginxHeadTime(buf: Buffer, s: number, _e: number, clock: ZoneClock): number {
  return parseNginxErrorTime(buf, s, clock);
}

const CONTEXT_KEYS = ['client', 'server', 'request', 'subrequest', 'upstream', 'host', 'referrer', 'resolver', 'login'];
const NEEDLES = CONTEXT_KEYS.map((k) => `, ${k}: `);
const keyIndex = (key: string): number => CONTEXT_KEYS.indexOf(key);
const CLIENT = keyIndex('client'), SERVER = keyIndex('server'), REQUEST = keyIndex('request'), UPSTREAM = keyIndex('upstream'), HOST = keyIndex('host'), REFERRER = keyIndex('referrer');
/** The context values splitContext() found last, by CONTEXT_KEYS index: no object per line. */
const CTX: (string | null)[] = CONTEXT_KEYS.map(() => null);

/** text[from, to), without the double quotes nginx puts around most values. */
function value(text: string, from: number, to: number): string {
  return to - from >= 2 && text.charCodeAt(from) === 34 && text.charCodeAt(to - 1) === 34 ? text.slice(from + 1, to - 1) : text.slice(from, to);
}

/**
 * Where the message of `message, client: …, host: "…"` (from `p` on) ends: at the first
 * `, client: ` (or `, resolver: `). The attacker-controlled request and header values come after
 * it, so they cannot move the message boundary. -1: the entry has no context.
 */
function messageEnd(text: string, p: number): number {
  const cut = text.indexOf(', client: ', p);
  return cut === -1 ? text.indexOf(', resolver: ', p) : cut;
}

/**
 * Splits the context that starts at `cut` into CTX. Keys are searched in nginx's order; a value
 * runs to the next key found.
 */
function splitContext(text: string, cut: number): void {
  // Stored one by one: fill() is a call into V8's C++ with a write barrier over the range, 1.8%
  // of a profile of failure lines.
  for (let k = 0; k < CTX.length; k++) CTX[k] = null;
  if (cut === -1) return;
  let from = cut;
  let prev = -1;
  let prevAt = 0;
  for (let k = 0; k < NEEDLES.length; k++) {
    const at = text.indexOf(NEEDLES[k], from);
    if (at === -1) continue;
    if (prev !== -1) CTX[prev] = value(text, prevAt + NEEDLES[prev].length, at);
    prev = k;
    prevAt = at;
    from = at + NEEDLES[k].length;
  }
  if (prev !== -1) CTX[prev] = value(text, prevAt + NEEDLES[prev].length, text.length);
}

/** The decimal number text[from, to) spells (digits only, at most 15), or null. */
function decimal(text: string, from: number, to: number): number | null {
  if (to <= from || to - from > 15) return null;
  let n = 0;
  for (let i = from; i < to; i++) {
    const d = text.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return null;
    n = n * 10 + d;
  }
  return n;
}

/**
 * The errno of `(111: Connection refused)`: the first `(`, 1 to 5 digits, `: `, up to 120
 * characters other than parentheses, `)`. Scanned by hand: a regex exec built a match array
 * per entry.
 */
function errnoOf(msg: string): string | null {
  for (let open = msg.indexOf('('); open !== -1; open = msg.indexOf('(', open + 1)) {
    let i = open + 1;
    while (i - open <= 5 && i < msg.length && msg.charCodeAt(i) >= 48 && msg.charCodeAt(i) <= 57) i++;
    const n = i - open - 1;
    if (n === 0 || n > 5 || msg.charCodeAt(i) !== 58 || msg.charCodeAt(i + 1) !== 32) continue;
    const limit = Math.min(msg.length, i + 2 + 121);
    for (let j = i + 2; j < limit; j++) {
      const c = msg.charCodeAt(j);
      if (c === 41) return msg.slice(open + 1, i); // `)`
      if (c === 40) break; // `(`
    }
  }
  return null;
}

/** The first 24 characters of an entry as bytes (latin1), reused: no Buffer per entry. */
const HEAD = Buffer.alloc(24);

/**
 * Parses one whole entry (continuation lines already joined with "\n"). Null if it is not one.
 * `needsContext`, when given, sees the entry before its context (client, request, upstream …) is
 * split off; when it answers false the context fields stay null: a line the catalogue counts as
 * evidence only is a fifth of a busy error log, and the split was a third of its parse.
 */
export function parseNginxError(text: string, clock: ZoneClock, needsContext?: (e: ErrorEntry) => boolean): ErrorEntry | null {
  // latin1 by hand: Buffer#write cost 180 ns a call, a third of this function
  const n = Math.min(24, text.length);
  for (let i = 0; i < n; i++) HEAD[i] = text.charCodeAt(i);
  if (!isNginxErrorHead(HEAD, 0, n)) return null;
  const ts = parseNginxErrorTime(HEAD, 0, clock);
  const lvlEnd = text.indexOf('] ', 21);
  if (Number.isNaN(ts) || lvlEnd === -1 || lvlEnd > 30) return null;
  const level = text.slice(21, lvlEnd);
  let p = lvlEnd + 2;
  let pid: number | null = null;
  let tid: number | null = null;
  const hash = text.indexOf('#', p);
  const colon = text.indexOf(': ', p);
  if (hash !== -1 && colon !== -1 && hash < colon && colon - p < 24) {
    pid = decimal(text, p, hash);
    tid = decimal(text, hash + 1, colon);
    p = colon + 2;
  }
  let cid: number | null = null;
  if (text.charCodeAt(p) === 42) {
    // `*CID `
    const sp = text.indexOf(' ', p);
    const n = decimal(text, p + 1, sp === -1 ? text.length : sp);
    if (n !== null) {
      cid = n;
      p = sp === -1 ? text.length : sp + 1;
    }
  }
  const cut = messageEnd(text, p);
  const message = cut === -1 ? (p === 0 ? text : text.slice(p)) : text.slice(p, cut);
  const entry: ErrorEntry = {
    ts,
    level,
    module: null,
    pid,
    tid,
    cid,
    errno: errnoOf(message),
    code: null,
    message,
    client: null,
    clientPort: null,
    server: null,
    request: null,
    upstream: null,
    host: null,
    referrer: null,
    pool: null,
  };
  if (cut === -1 || (needsContext !== undefined && !needsContext(entry))) return entry;
  splitContext(text, cut);
  entry.client = CTX[CLIENT];
  entry.server = CTX[SERVER];
  entry.request = CTX[REQUEST];
  entry.upstream = CTX[UPSTREAM];
  entry.host = CTX[HOST];
  entry.referrer = CTX[REFERRER];
  return entry;
}
