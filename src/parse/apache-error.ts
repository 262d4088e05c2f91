import { ErrorEntry } from '../model';
import { ZoneClock, isApacheErrorTime, parseApacheErrorTime } from './time';

/**
 * Apache error log, both built-in layouts (server/log.c):
 *   2.4: [Sat Nov 16 14:15:25.123456 2024] [proxy:error] [pid 1:tid 2] (111)Connection refused: [client 1.2.3.4:5678] AH00957: msg[, referer: R]
 *   2.2: [Sat Nov 16 14:15:25 2024] [error] [client 1.2.3.4] (111)Connection refused: proxy: msg
 * The `(status)text: `, `[client …]`, `file.c(123): ` and `AHnnnnn: ` parts are each optional and
 * their order differs between versions and call sites, so they are peeled off in a loop.
 */

const WEEKDAY = /^\[(Mon|Tue|Wed|Thu|Fri|Sat|Sun) /;

/** Cheap test on the bytes: does this line start an Apache error entry? */
export function isApacheErrorHead(buf: Buffer, s: number, e: number): boolean {
  if (e - s < 28 || buf[s] !== 91) return false;
  // `[Www Mmm DD ...` or ISO `[YYYY-MM-DD ...`
  if (buf[s + 4] === 32 && buf[s + 8] === 32) return true;
  return buf[s + 5] === 45 && buf[s + 8] === 45 && buf[s + 11] === 32;
}

function isoTime(text: string, clock: ZoneClock): number {
  // `2025-07-22 15:45:51.323610 +0200` or without a zone
  const m = /^(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,6}))?(?: ([+-])(\d{2})(\d{2}))?$/.exec(text);
  if (!m) return NaN;
  const ms = m[7] ? Number(m[7].padEnd(3, '0').slice(0, 3)) : 0;
  if (m[8]) {
    const off = (m[8] === '-' ? -1 : 1) * (Number(m[9]) * 60 + Number(m[10])) * 60000;
    return Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5], +m[6], ms) - off;
  }
  return clock.toEpoch(+m[1], +m[2] - 1, +m[3], +m[4], +m[5], +m[6], ms);
}

/**
 * Where parseApacheError finds the `] ` after the time (its index from s), or -1 when this line's
 * bytes cannot tell: not within the 40 characters it allows, or after a non-ASCII byte.
 */
function timeClose(buf: Buffer, s: number, e: number): number {
  for (let i = s; i < e - 1 && i <= s + 40; i++) {
    const c = buf[i];
    if (c >= 0x80) return -1;
    if (c === 93 && buf[i + 1] === 32) return i - s;
  }
  return -1;
}

const WEEKDAY_BYTES = new Set(['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'].map((d) => d.charCodeAt(0) * 65536 + d.charCodeAt(1) * 256 + d.charCodeAt(2)));

function weekdayAt(buf: Buffer, i: number): boolean {
  return buf[i + 3] === 32 && WEEKDAY_BYTES.has(buf[i] * 65536 + buf[i + 1] * 256 + buf[i + 2]);
}

/**
 * Does parseApacheError accept every entry that starts with this line? Decided on the bytes, so
 * that the reader can count an entry no signature can match without decoding it (the same steps
 * as the parser: time, `[module:level]` closed within 40 characters). False also where the bytes
 * alone cannot tell (a non-ASCII byte in the head, a head this line does not close).
 */
export function apacheHeadParses(buf: Buffer, s: number, e: number, clock: ZoneClock): boolean {
  if (buf[s] !== 91) return false;
  const close = timeClose(buf, s, e);
  if (close === -1) return false;
  const timeOk = weekdayAt(buf, s + 1)
    ? isApacheErrorTime(buf, s + 1, s + close)
    : !Number.isNaN(isoTime(buf.toString('latin1', s + 1, s + close), clock));
  const p = s + close + 2;
  if (!timeOk || p >= e || buf[p] !== 91) return false;
  for (let i = p; i < e && i - p <= 40; i++) {
    const c = buf[i];
    if (c >= 0x80) return false;
    if (c === 93) return true;
  }
  return false;
}

/** The time of the entry this line starts (apacheHeadParses holds). */
export function apacheHeadTime(buf: Buffer, s: number, e: number, clock: ZoneClock): number {
  const close = timeClose(buf, s, e);
  return weekdayAt(buf, s + 1) ? parseApacheErrorTime(buf, s + 1, s + close, clock) : isoTime(buf.toString('latin1', s + 1, s + close), clock);
}

/**
 * The time between the brackets as bytes, reused: at most 39 (parseApacheError's `] ` is within
 * 40), and 5 zeros after it.
 */
const HEAD = Buffer.alloc(44);

/** s.lastIndexOf(':') by hand: lastIndexOf is a call into V8's C++ (0.8% of a profile of Apache failures). */
function lastColonOf(s: string): number {
  for (let i = s.length - 1; i >= 0; i--) if (s.charCodeAt(i) === 58) return i;
  return -1;
}

const ERRNO_PREFIX = /^\((-?\d{1,6}|EAI -?\d{1,3})\)([^:\n]{0,120}): /;
const SOURCE_PREFIX = /^[A-Za-z0-9_.-]{1,64}\.c\(\d{1,6}\): /;
const AH_CODE = /^(AH\d{5,6}): /; // AH010118: 2.4.6x added six-digit codes

/** Whether SOURCE_PREFIX may match: its `.c(` stands after 1 to 64 characters. */
function sourceAt(rest: string): boolean {
  const at = rest.indexOf('.c(');
  return at >= 1 && at <= 64;
}

/**
 * `1.2.3.4:5678`, `::1:58619`, `::ffff:1.2.3.4:5678` (2.4 always writes the port) or `1.2.3.4` (2.2).
 */
function splitClient(addr: string, layout24: boolean): [string, number | null] {
  const lastColon = lastColonOf(addr);
  const isV4 = addr.indexOf(':') === lastColon && addr.includes('.');
  if (lastColon > 0 && (isV4 || layout24)) {
    const port = Number(addr.slice(lastColon + 1));
    if (Number.isInteger(port) && port >= 0 && port < 65536) return [addr.slice(0, lastColon), port];
  }
  return [addr, null];
}

export function parseApacheError(text: string, clock: ZoneClock): ErrorEntry | null {
  const close = text.indexOf('] ');
  if (text[0] !== '[' || close === -1 || close > 40) return null;
  const timeText = text.slice(1, close);
  // latin1 by hand into a reused buffer (a Buffer.from per entry was an allocation per failure)
  for (let i = 0; i < timeText.length; i++) HEAD[i] = timeText.charCodeAt(i);
  // the year is read up to 4 bytes past the time's end: there, an entry's own buffer ended
  for (let i = timeText.length; i < timeText.length + 5; i++) HEAD[i] = 0;
  const ts = WEEKDAY.test(text) ? parseApacheErrorTime(HEAD, 0, timeText.length, clock) : isoTime(timeText, clock);
  if (Number.isNaN(ts)) return null;
  let p = close + 2;
  // [module:level] (2.4) or [level] (2.2)
  if (text[p] !== '[') return null;
  const lvClose = text.indexOf(']', p);
  if (lvClose === -1 || lvClose - p > 40) return null;
  const lv = text.slice(p + 1, lvClose);
  const c = lastColonOf(lv);
  const module = c === -1 ? null : lv.slice(0, c);
  const level = c === -1 ? lv : lv.slice(c + 1);
  p = lvClose + 1;
  if (text[p] === ' ') p++;
  let pid: number | null = null;
  let tid: number | null = null;
  if (text.startsWith('[pid ', p)) {
    const pc = text.indexOf(']', p);
    if (pc !== -1) {
      pid = parseInt(text.slice(p + 5, pc), 10);
      const t = text.indexOf(':tid ', p);
      if (t !== -1 && t < pc) tid = parseInt(text.slice(t + 5, pc), 10);
      p = pc + 1;
      if (text[p] === ' ') p++;
    }
  }
  let errno: string | null = null;
  let client: string | null = null;
  let clientPort: number | null = null;
  let code: string | null = null;
  let rest = text.slice(p);
  // Each pattern is tried only where its first characters stand (an exec makes a match array even
  // to fail): `(`; `.c(` after 1-64 name characters, which hold no `(`, so the first `.c(` is
  // the one; `AH`.
  for (let guard = 0; guard < 6; guard++) {
    let m: RegExpExecArray | null;
    if (rest.startsWith('[client ') || rest.startsWith('[remote ')) {
      const cc = rest.indexOf(']');
      if (cc === -1) break;
      const addr = rest.slice(8, cc);
      const isClient = rest[1] === 'c';
      if (isClient) [client, clientPort] = splitClient(addr, module !== null);
      rest = rest.slice(rest.charCodeAt(cc + 1) === 32 ? cc + 2 : cc + 1);
    } else if (rest.charCodeAt(0) === 40 && (m = ERRNO_PREFIX.exec(rest))) {
      errno = m[1];
      rest = rest.slice(m[0].length);
    } else if (sourceAt(rest) && (m = SOURCE_PREFIX.exec(rest))) {
      rest = rest.slice(m[0].length);
    } else if (rest.startsWith('AH') && (m = AH_CODE.exec(rest))) {
      code = m[1];
      rest = rest.slice(m[0].length);
    } else break;
  }
  let referrer: string | null = null;
  // indexOf first: lastIndexOf is a call into V8's C++, and most entries have no referer
  const ref = rest.indexOf(', referer: ') === -1 ? -1 : rest.lastIndexOf(', referer: ');
  if (ref !== -1) {
    referrer = rest.slice(ref + 11);
    rest = rest.slice(0, ref);
  }
  const message = rest;
  return {
    ts,
    level,
    module,
    pid: Number.isFinite(pid) ? pid : null,
    tid: Number.isFinite(tid) ? tid : null,
    cid: null,
    errno,
    code,
    message,
    client,
    clientPort,
    server: null,
    request: null,
    upstream: null,
    host: null,
    referrer,
    pool: null,
  };
}
