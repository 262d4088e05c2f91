/**
 * `new Date(epoch).toISOString()`, for times that arrive in order (a log's failures): the text of
 * the minute is made once, and each time only appends its seconds. Date's formatting cost a
 * microsecond per failure event, 2% of an nginx error-log profile.
 */
let cachedMinute = NaN;
let cachedPrefix = '';

export function isoTime(epoch: number): string {
  if (!Number.isFinite(epoch)) return Number.isNaN(epoch) ? '' : new Date(epoch).toISOString();
  const minute = Math.floor(epoch / 60_000);
  if (minute !== cachedMinute) {
    const full = new Date(minute * 60_000).toISOString();
    cachedMinute = minute;
    cachedPrefix = full.slice(0, full.length - 7); // up to the minute's colon: "…T10:04:"
  }
  const ms = epoch - minute * 60_000;
  const sec = Math.floor(ms / 1000);
  const milli = Math.floor(ms - sec * 1000);
  // Two joins of ready-made pieces: padding and numbers joined one by one made five strings.
  return cachedPrefix + SECONDS[sec] + MILLIS[milli];
}

const pad = (n: number, width: number) => String(n).padStart(width, '0');
/** "00" … "59" */
const SECONDS = Array.from({ length: 60 }, (_, s) => pad(s, 2));
/** ".000Z" … ".999Z" */
const MILLIS = Array.from({ length: 1000 }, (_, ms) => `.${pad(ms, 3)}Z`);
