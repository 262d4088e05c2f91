import { ErrorEntry } from '../model';
import { ZoneClock, parsePhpFpmTime } from './time';

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
