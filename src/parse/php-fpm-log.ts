import { ErrorEntry } from '../model';
import { ZoneClock, isPhpFpmTime, parsePhpFpmTime } from './time';

/**
 * PHP-FPM's own log (sapi/fpm/fpm/zlog.c): `[16-Nov-2024 14:15:25] WARNING: [pool www] message`.
 * `.uuuuuu` follows the seconds at log_level=debug.
 */

export function isPhpFpmHead(buf: Buffer, s: number, e: number): boolean {
  return e - s >= 24 && buf[s] === 91 && buf[s + 3] === 45 && buf[s + 7] === 45 && buf[s + 12] === 32;
}

/** `child 4242 exited …`, `child 4244, script …`: the worker the line is about. */
const CHILD = /^child (\d{1,10})[ ,]/;

const HEAD = /^\[[^\]]{20,27}\] ([A-Z]{4,7}): (?:\[pool ([^\]]{1,64})\] )?/;

/**
 * Does parsePhpFpm accept every entry that starts with this line? Decided on the bytes (HEAD's
 * steps: `[` 20-27 characters `] LEVEL: ` and a valid time), so that the reader can count an
 * entry no signature can match without decoding it. False also where the bytes alone cannot
 * tell (a non-ASCII byte in the head, a head this line does not hold whole).
 */
export function phpFpmHeadParses(buf: Buffer, s: number, e: number): boolean {
  if (buf[s] !== 91) return false;
  let j = s + 1;
  while (j < e && j <= s + 28 && buf[j] !== 93) {
    if (buf[j] >= 0x80) return false;
    j++;
  }
  if (j - s < 21 || j - s > 28 || j + 1 >= e || buf[j] !== 93 || buf[j + 1] !== 32) return false;
  let l = j + 2;
  while (l < e && l - (j + 2) < 8 && buf[l] >= 65 && buf[l] <= 90) l++;
  const n = l - (j + 2);
  return n >= 4 && n <= 7 && l + 1 < e && buf[l] === 58 && buf[l + 1] === 32 && isPhpFpmTime(buf, s + 1);
}

/** The time of the entry this line starts (phpFpmHeadParses holds). */
export function phpFpmHeadTime(buf: Buffer, s: number, _e: number, clock: ZoneClock): number {
  return parsePhpFpmTime(buf, s + 1, clock);
}

export function parsePhpFpm(text: string, clock: ZoneClock): ErrorEntry | null {
  const m = HEAD.exec(text);
  if (!m) return null;
  const ts = parsePhpFpmTime(Buffer.from(text.slice(1, 21), 'latin1'), 0, clock);
  if (Number.isNaN(ts)) return null;
  const message = text.slice(m[0].length);
  const child = CHILD.exec(message);
  return {
    ts,
    level: m[1].toLowerCase(),
    module: null,
    pid: null,
    tid: child ? Number(child[1]) : null,
    cid: null,
    errno: null,
    code: null,
    message,
    client: null,
    clientPort: null,
    server: null,
    request: null,
    upstream: null,
    host: null,
    referrer: null,
    pool: m[2] ?? null,
  };
}
