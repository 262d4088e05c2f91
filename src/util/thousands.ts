/**
 * A number with its thousands grouped and at most 3 decimals, "1,234,567.5", as
 * toLocaleString('en-US') writes it but without ICU: the first toLocaleString of a run loads ICU's
 * locale data, 27 ms and 7.4 MiB of RSS (node 20, measured), which the progress bar paid on
 * every run it was drawn in (peak RSS 96 against 89 MiB on the bench's `upstream` log) and the
 * table on every report.
 */
export function thousands(x: number): string {
  // NaN, the infinities, numbers past 2^53: toLocaleString's own words for them
  if (!Number.isFinite(x) || Math.abs(x) > Number.MAX_SAFE_INTEGER) return x.toLocaleString('en-US');
  const sign = x < 0 || Object.is(x, -0) ? '-' : '';
  const abs = Math.abs(x);
  // rounded as ICU does: the shortest decimal that reads back as x (String's), half up at the
  // 4th decimal (1.0005 is 1.001, where toFixed(3) rounds the binary value below it to 1)
  let [whole, fraction = ''] = (abs < 1e-6 ? '0' : String(abs)).split('.');
  if (fraction.length > 3) {
    const up = fraction.charCodeAt(3) >= 0x35; // '5'
    fraction = fraction.slice(0, 3);
    if (up) [whole, fraction] = increment(whole, fraction);
  }
  // trailing zeros dropped (a loop: the regex inventory holds every pattern in src/ to linear time)
  let end = fraction.length;
  while (end > 0 && fraction.charCodeAt(end - 1) === 0x30) end--;
  fraction = fraction.slice(0, end);
  let out = whole.slice(0, ((whole.length - 1) % 3) + 1);
  for (let i = out.length; i < whole.length; i += 3) out += ',' + whole.slice(i, i + 3);
  return sign + out + (fraction === '' ? '' : '.' + fraction);
}

/** whole.fraction plus one unit of the fraction's last digit, as digit strings. */
function increment(whole: string, fraction: string): [string, string] {
  const digits = (whole + fraction).split('').map(Number);
  let i = digits.length - 1;
  for (; i >= 0 && digits[i] === 9; i--) digits[i] = 0;
  if (i >= 0) digits[i]++;
  else digits.unshift(1);
  const all = digits.join('');
  return [all.slice(0, all.length - fraction.length), all.slice(all.length - fraction.length)];
}
