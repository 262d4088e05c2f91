import { Cause } from '../model';
import { ReportDocument } from './json';

/**
 * `--format csv`: the timeline for spreadsheets, one row per bucket (empty buckets as zeros),
 * one column per cause present in the range, ordered as in the cause table. RFC 4180 quoting;
 * and since a spreadsheet evaluates a cell starting with = + - @ (or a tab/CR that hides one)
 * as a formula, such text cells get a leading apostrophe (the OWASP "CSV injection" advice).
 * Cause ids and numbers never start that way; the guard is for anything that might.
 */

const FORMULA_START = /^[=+\-@\t\r]/;

export function csvCell(value: string | number): string {
  if (typeof value === 'number') return String(value);
  let v = value;
  if (FORMULA_START.test(v)) v = `'${v}`;
  return /[",\r\n]/.test(v) || v !== v.trim() ? `"${v.replace(/"/g, '""')}"` : v;
}

export function renderCsv(doc: ReportDocument): string {
  const causes: Cause[] = doc.causes.map((c) => c.cause);
  const head = ['bucket_start_utc', 'bucket_start_local', 'bucket_end_utc', 'requests', 'failures', ...causes];
  const rows = [head.map(csvCell).join(',')];
  for (const b of doc.timeline.buckets) {
    rows.push(
      [b.start, b.label ?? b.start, b.end ?? '', b.requests, b.failures, ...causes.map((c) => b.causes[c] ?? 0)]
        .map(csvCell)
        .join(','),
    );
  }
  return rows.join('\r\n') + '\r\n';
}
