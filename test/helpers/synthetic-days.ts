import * as fs from 'fs';
import * as path from 'path';
import * as zlib from 'zlib';

/**
 * SYNTHETIC logs written in nginx's layouts (error log, `upstream` access preset): days of
 * logrotate-style sets, each day's failures an access line and its error-log twin.
 */

const DAY = 86_400_000;
const START = Date.UTC(2024, 10, 1);
const MON = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const p2 = (n: number) => String(n).padStart(2, '0');
const clf = (d: Date) =>
  `${p2(d.getUTCDate())}/${MON[d.getUTCMonth()]}/${d.getUTCFullYear()}:${p2(d.getUTCHours())}:${p2(d.getUTCMinutes())}:${p2(d.getUTCSeconds())} +0000`;
const ngx = (d: Date) =>
  `${d.getUTCFullYear()}/${p2(d.getUTCMonth() + 1)}/${p2(d.getUTCDate())} ${p2(d.getUTCHours())}:${p2(d.getUTCMinutes())}:${p2(d.getUTCSeconds())}`;

/**
 * Day `day`'s failed requests, `n` spread over the day: the error-log lines, and the access lines
 * of those `withAccess` keeps (by request number; all by default).
 */
export function failures(day: number, n: number, withAccess: (k: number) => boolean = () => true): { access: string[]; error: string[] } {
  const access: string[] = [];
  const error: string[] = [];
  for (let i = 0; i < n; i++) {
    const d = new Date(START + day * DAY + Math.floor((i / n) * DAY));
    const k = day * n + i;
    const client = `10.0.${(k >> 8) & 255}.${k & 255}`;
    const uri = `/api/${k}`;
    error.push(
      `${ngx(d)} [error] 10#10: *${k + 1} connect() failed (111: Connection refused) while connecting to upstream, client: ${client}, server: example.test, request: "GET ${uri} HTTP/1.1", upstream: "http://10.0.0.11:8080${uri}", host: "example.test"`,
    );
    if (withAccess(k)) access.push(`${client} - - [${clf(d)}] "GET ${uri} HTTP/1.1" 502 157 "-" "curl/8" 0.001 10.0.0.11:8080 502 0.001`);
  }
  return { access, error };
}

export function write(dir: string, name: string, lines: string[]): void {
  const text = Buffer.from(lines.join('\n') + '\n');
  fs.writeFileSync(path.join(dir, name), name.endsWith('.gz') ? zlib.gzipSync(text) : text);
}

/** `days` days of rotated access and error logs in `dir` (the oldest gzipped), n failures a day. */
export function rotatedDays(days: number, n: number, dir: string, withAccess?: (k: number) => boolean): string {
  fs.mkdirSync(dir, { recursive: true });
  for (let day = 0; day < days; day++) {
    const age = days - 1 - day;
    const suffix = age === 0 ? '' : age === 1 ? '.1' : `.${age}.gz`;
    const f = failures(day, n, withAccess);
    write(dir, `access.log${suffix}`, f.access);
    write(dir, `error.log${suffix}`, f.error);
  }
  return dir;
}

/**
 * rotatedDays, but with every day's error lines in one error.log that was never rotated, beside
 * the rotated access logs. Returns those error lines, in file order.
 */
export function oneErrorLogDays(days: number, n: number, dir: string): string[] {
  rotatedDays(days, n, dir);
  for (const f of fs.readdirSync(dir)) if (f.startsWith('error.log')) fs.rmSync(path.join(dir, f));
  const errorLines = Array.from({ length: days }, (_, day) => failures(day, n).error).flat();
  write(dir, 'error.log', errorLines);
  return errorLines;
}
