import { TZDate } from '@date-fns/tz';

/**
 * Timestamp decoding straight from the bytes of a line. Access-log times carry their zone;
 * error-log and PHP-FPM times do not, and are read in the machine's zone unless --tz names one.
 * Every decoder returns NaN for anything it does not recognise; none of them throws.
 */

const MONTH_NAMES = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
/** The three bytes of a month name as one number → month 0-11: no string per line. */
const MONTHS = new Map(MONTH_NAMES.map((n, i) => [(n.charCodeAt(0) << 16) | (n.charCodeAt(1) << 8) | n.charCodeAt(2), i]));

function monthAt(buf: Buffer, i: number): number {
  const m = MONTHS.get((buf[i] << 16) | (buf[i + 1] << 8) | buf[i + 2]);
  return m === undefined ? -1 : m;
}

/**
 * n decimal digits at i, or -1. A byte past the buffer's end reads as undefined, and undefined - 48
 * is NaN, which fails both comparisons below: so the test is written to refuse NaN (a time cut by
 * the end of its buffer once came out dated 1900).
 */
export function digits(buf: Buffer, i: number, n: number): number {
  let v = 0;
  for (let k = 0; k < n; k++) {
    const c = buf[i + k] - 48;
    if (!(c >= 0 && c <= 9)) return -1;
    v = v * 10 + c;
  }
  return v;
}

/**
 * Number() of the latin1 text [s, e): up to 15 digits with at most one `.` are read from the
 * bytes (an integer over a power of ten is rounded once, as Number() rounds), anything else as text.
 */
export function decimal(b: Buffer, s: number, e: number): number {
  if (e - s <= 16) {
    let v = 0;
    let n = 0;
    let dot = -1;
    let i = s;
    for (; i < e; i++) {
      const c = b[i];
      if (c >= 48 && c <= 57) {
        v = v * 10 + (c - 48);
        n++;
      } else if (c === 46 && dot < 0) dot = i;
      else break;
    }
    if (i === e && n > 0 && n <= 15) return dot < 0 ? v : v / POW10[e - dot - 1];
  }
  return Number(b.toString('latin1', s, e));
}

const POW10 = [1, 10, 100, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15];

function validClock(h: number, mi: number, s: number): boolean {
  return h >= 0 && h < 24 && mi >= 0 && mi < 60 && s >= 0 && s < 61;
}

/**
 * Converts wall-clock times of a zone to epoch ms, caching the start of the hour (zones change
 * offset on the hour at the finest): within it, a time is that start plus its minutes, seconds
 * and ms, which is what Date.UTC would add (a leap second 60 runs into the next minute as there).
 */
export class ZoneClock {
  private lastKey = -1;
  private lastHour = 0;
  constructor(readonly zone: string | null) {}

  toEpoch(y: number, mo: number, d: number, h: number, mi: number, s: number, ms: number): number {
    const key = ((y * 12 + mo) * 31 + d) * 24 + h;
    if (key !== this.lastKey) {
      this.lastHour = this.zone ? new TZDate(y, mo, d, h, 0, 0, this.zone).getTime() : new Date(y, mo, d, h).getTime();
      this.lastKey = key;
    }
    return this.lastHour + (mi * 60 + s) * 1000 + ms;
  }
}

export function isValidZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

/** year, month 0-11, day, hour, minute, second, ms of the last time read into it (no allocation per line) */
const YMD = new Int32Array(7);

function setYmd(y: number, mo: number, d: number, h: number, mi: number, sec: number, ms: number): true {
  YMD[0] = y;
  YMD[1] = mo;
  YMD[2] = d;
  YMD[3] = h;
  YMD[4] = mi;
  YMD[5] = sec;
  YMD[6] = ms;
  return true;
}

function ymdEpoch(clock: ZoneClock): number {
  return clock.toEpoch(YMD[0], YMD[1], YMD[2], YMD[3], YMD[4], YMD[5], YMD[6]);
}

/**
 * `DD?Mon?YYYY?HH:MM:SS` at s, the layout CLF (`16/Nov/2024:14:15:25`) and PHP-FPM
 * (`16-Nov-2024 14:15:25`) share, into YMD. False when it is not a valid time.
 */
function dayMonthYearClock(buf: Buffer, s: number): boolean {
  const d = digits(buf, s, 2);
  const mo = monthAt(buf, s + 3);
  const y = digits(buf, s + 7, 4);
  const h = digits(buf, s + 12, 2);
  const mi = digits(buf, s + 15, 2);
  const sec = digits(buf, s + 18, 2);
  if (d < 1 || mo < 0 || y < 0 || !validClock(h, mi, sec)) return false;
  return setYmd(y, mo, d, h, mi, sec, 0);
}

/** `16/Nov/2024:14:15:25 +0000` (nginx $time_local, Apache %t without brackets). Also `16/Nov/2024 14:15:25`. */
export function parseClf(buf: Buffer, s: number, e: number): number {
  if (e - s < 20 || buf[s + 2] !== 47 || buf[s + 6] !== 47) return NaN;
  if (!dayMonthYearClock(buf, s)) return NaN;
  const y = YMD[0], mo = YMD[1], d = YMD[2], h = YMD[3], mi = YMD[4], sec = YMD[5];
  let offset = 0;
  if (e - s >= 26 && buf[s + 20] === 32) {
    const sign = buf[s + 21] === 45 ? -1 : buf[s + 21] === 43 ? 1 : 0;
    const zh = digits(buf, s + 22, 2);
    const zm = digits(buf, s + 24, 2);
    if (sign === 0 || zh < 0 || zm < 0) return NaN;
    offset = sign * (zh * 60 + zm) * 60000;
  }
  return Date.UTC(y, mo, d, h, mi, sec) - offset;
}

/** `2024-11-16T14:15:25+00:00` (nginx $time_iso8601), also with `Z` or fractional seconds. */
export function parseIso(buf: Buffer, s: number, e: number): number {
  if (e - s < 19) return NaN;
  const t = Date.parse(buf.toString('latin1', s, Math.min(e, s + 40)));
  return Number.isFinite(t) ? t : NaN;
}

/** `1731766525.123` (nginx $msec, Apache %{sec}t / %{msec}t). */
export function parseEpoch(buf: Buffer, s: number, e: number, unitMs: number): number {
  const v = decimal(buf, s, e);
  return Number.isFinite(v) && v > 0 ? v * unitMs : NaN;
}

/** nginx error log: `2024/11/16 14:15:25` at s, into YMD. False when it is not a valid time. */
function nginxErrorFields(buf: Buffer, s: number): boolean {
  const y = digits(buf, s, 4);
  const mo = digits(buf, s + 5, 2);
  const d = digits(buf, s + 8, 2);
  const h = digits(buf, s + 11, 2);
  const mi = digits(buf, s + 14, 2);
  const sec = digits(buf, s + 17, 2);
  if (y < 0 || mo < 1 || mo > 12 || d < 1 || d > 31 || !validClock(h, mi, sec)) return false;
  return setYmd(y, mo - 1, d, h, mi, sec, 0);
}



/** nginx error log: `2024/11/16 14:15:25` at s. */
export function parseNginxErrorTime(buf: Buffer, s: number, clock: ZoneClock): number {
  return nginxErrorFields(buf, s) ? ymdEpoch(clock) : NaN;
}

/** Would parseNginxErrorTime decode a time here? (Without converting it: no zone work.) */
export function isNginxErrorTime(buf: Buffer, s: number): boolean {
  return nginxErrorFields(buf, s);
}

/**
 * Apache error log: `Sat Nov 16 14:15:25.123456 2024` (2.4) or `Sat Nov 16 14:15:25 2024` (2.2),
 * between s and e (the brackets excluded), into YMD. False when it is not a valid time.
 */
function apacheErrorFields(buf: Buffer, s: number, e: number): boolean {
  if (e - s < 24) return false;
  const mo = monthAt(buf, s + 4);
  const d = digits(buf, s + 8, 2) >= 0 ? digits(buf, s + 8, 2) : digits(buf, s + 9, 1);
  const h = digits(buf, s + 11, 2);
  const mi = digits(buf, s + 14, 2);
  const sec = digits(buf, s + 17, 2);
  let p = s + 19;
  let ms = 0;
  if (buf[p] === 46) {
    const frac = digits(buf, p + 1, 3);
    if (frac >= 0) ms = frac;
    p++;
    while (p < e && buf[p] >= 48 && buf[p] <= 57) p++;
  }
  // the year's four digits stand before e, not in whatever bytes follow the field
  const y = p + 5 <= e ? digits(buf, p + 1, 4) : -1;
  if (mo < 0 || d < 1 || y < 0 || !validClock(h, mi, sec)) return false;
  return setYmd(y, mo, d, h, mi, sec, ms);
}

/**
 * Apache error log: `Sat Nov 16 14:15:25.123456 2024` (2.4) or `Sat Nov 16 14:15:25 2024` (2.2),
 * between s and e (the brackets excluded).
 */
export function parseApacheErrorTime(buf: Buffer, s: number, e: number, clock: ZoneClock): number {
  return apacheErrorFields(buf, s, e) ? ymdEpoch(clock) : NaN;
}

/** Would parseApacheErrorTime decode a time here? (Without converting it: no zone work.) */
export function isApacheErrorTime(buf: Buffer, s: number, e: number): boolean {
  return apacheErrorFields(buf, s, e);
}

/** PHP-FPM: `16-Nov-2024 14:15:25` (optionally `.123456`) at s. */
export function parsePhpFpmTime(buf: Buffer, s: number, clock: ZoneClock): number {
  if (!dayMonthYearClock(buf, s)) return NaN;
  return ymdEpoch(clock);
}

/** Would parsePhpFpmTime decode a time here? (Without converting it: no zone work.) */
export function isPhpFpmTime(buf: Buffer, s: number): boolean {
  return dayMonthYearClock(buf, s);
}
