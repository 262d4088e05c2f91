/**
 * Log values are escaped by the server (nginx: `\xHH` for `"`, `\`, control and high bytes;
 * Apache: `\"`, `\\`, `\n`, `\t`, `\xhh`). Decoding restores the bytes and reads them as UTF-8;
 * invalid sequences become U+FFFD. The result is still attacker-controlled text: every output
 * escapes it for its medium (see report/sanitize.ts).
 */

const BACKSLASH = 92;

function hexVal(c: number): number {
  if (c >= 48 && c <= 57) return c - 48;
  if (c >= 65 && c <= 70) return c - 55;
  if (c >= 97 && c <= 102) return c - 87;
  return -1;
}

export function unescapeLogValue(buf: Buffer, s: number, e: number): string {
  // Search the value only: an indexOf from s runs to the end of the (1 MiB) chunk when the value
  // has no backslash, which made this the hottest line of the profile.
  let i = s;
  while (i < e && buf[i] !== BACKSLASH) i++;
  if (i === e) return buf.toString('utf8', s, e);
  const out = Buffer.allocUnsafe(e - s);
  let o = 0;
  for (let i = s; i < e; i++) {
    const c = buf[i];
    if (c === BACKSLASH && i + 1 < e) {
      const n = buf[i + 1];
      if (n === 120 && i + 3 < e) {
        const h = hexVal(buf[i + 2]);
        const l = hexVal(buf[i + 3]);
        if (h >= 0 && l >= 0) {
          out[o++] = h * 16 + l;
          i += 3;
          continue;
        }
      }
      if (n === 34 || n === BACKSLASH) {
        out[o++] = n;
        i++;
        continue;
      }
      if (n === 110 || n === 116 || n === 114) {
        out[o++] = n === 110 ? 10 : n === 116 ? 9 : 13;
        i++;
        continue;
      }
    }
    out[o++] = c;
  }
  return out.toString('utf8', 0, o);
}
