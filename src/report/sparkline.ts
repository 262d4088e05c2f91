/**
 * A trend in one line of text: each column is one slice of the range, its height the slice's
 * count relative to the series' own peak. Zero is `·` so a quiet stretch is visibly a gap.
 */

const BARS = '▁▂▃▄▅▆▇█';

/** Sums a series into at most `width` columns (adjacent buckets merged evenly). */
export function squeeze(values: number[], width: number): number[] {
  if (values.length <= width) return values;
  const out = new Array<number>(width).fill(0);
  for (let i = 0; i < values.length; i++) out[Math.floor((i * width) / values.length)] += values[i];
  return out;
}

export function sparkline(values: number[], width = 40): string {
  const v = squeeze(values, width);
  let max = 0;
  for (const x of v) if (x > max) max = x;
  if (max <= 0) return '·'.repeat(v.length);
  return v.map((x) => (x <= 0 ? '·' : BARS[Math.min(BARS.length - 1, Math.ceil((x / max) * BARS.length) - 1)])).join('');
}
