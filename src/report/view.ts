import { Cause } from '../model';
import { Incident } from './incidents';
import { ReportDocument } from './json';
import { formatInZone } from './timeline';
import { thousands } from '../util/thousands';

/**
 * Wording shared by the table and the HTML report, so both say the same thing. Returns plain,
 * unescaped text: each renderer escapes for its medium (forTerminal, escapeHtml).
 */

export function num(x: number): string {
  return thousands(x);
}

export function pct(x: number): string {
  return `${(x * 100).toFixed(x < 0.1 && x > 0 ? 1 : 0)}%`;
}

/** True when the report's range stays within one day of the display zone (times can drop the date). */
export function sameDay(doc: ReportDocument): boolean {
  const zone = doc.displayZone ?? 'UTC';
  if (!doc.range.start || !doc.range.end) return true;
  const a = formatInZone(Date.parse(doc.range.start), zone, 'yyyy-MM-dd');
  const b = formatInZone(Date.parse(doc.range.end), zone, 'yyyy-MM-dd');
  return a === b;
}

export function clock(doc: ReportDocument, iso: string, withDate = !sameDay(doc)): string {
  return formatInZone(Date.parse(iso), doc.displayZone ?? 'UTC', withDate ? 'yyyy-MM-dd HH:mm' : 'HH:mm');
}

/** `14:02–14:19: 1,240 × 502, 93% upstream-refused on 10.0.0.7:8080` */
export function incidentLine(doc: ReportDocument, i: Incident): { when: string; what: string } {
  const zone = doc.displayZone ?? 'UTC';
  const day = (iso: string) => formatInZone(Date.parse(iso) - (iso === i.end ? 1 : 0), zone, 'yyyy-MM-dd');
  // The end repeats the date only when the incident crosses midnight.
  const when = `${clock(doc, i.start)}–${clock(doc, i.end, !sameDay(doc) && day(i.start) !== day(i.end))}`;
  const count =
    i.status !== null && i.statusShare !== null && i.statusShare >= 0.9
      ? `${num(i.failures)} × ${i.status}`
      : `${num(i.failures)} failures${i.status !== null ? ` (mostly ${i.status})` : ''}`;
  const on = i.upstream ? ` on ${i.upstream}` : '';
  return { when, what: `${count}, ${pct(i.causeShare)} ${i.cause}${on}; peak ${peakText(i)}` };
}

/** `61/min`, or `305/15 min` when the counts were kept in wider buckets (peakMinutes). */
function peakText(i: Incident): string {
  const step = i.peakMinutes;
  return step === 1 ? `${num(i.peakPerMinute)}/min` : `${num(Math.round(i.peakPerMinute * step))}/${step} min`;
}

export function rangeText(doc: ReportDocument): string {
  if (!doc.range.start || !doc.range.end) return 'no timestamps';
  const zone = doc.displayZone ?? 'UTC';
  const a = formatInZone(Date.parse(doc.range.start), zone, 'yyyy-MM-dd HH:mm');
  const b = formatInZone(Date.parse(doc.range.end), zone, sameDay(doc) ? 'HH:mm' : 'yyyy-MM-dd HH:mm');
  return `${a} → ${b} ${zone}`;
}

export function statusText(status: Record<string, number>): string {
  return Object.entries(status)
    .map(([s, k]) => `${s === '9' ? '009' : s}:${num(k)}`)
    .join(' ');
}

/** Per-bucket counts of one cause (or all failures), zero-filled. */
export function series(doc: ReportDocument, cause: Cause | null): number[] {
  return doc.timeline.buckets.map((b) => (cause === null ? b.failures : (b.causes[cause] ?? 0)));
}

/** Shortens keeping both ends: socket paths and URLs differ at the end as often as at the start. */
export function clipMiddle(text: string, max: number): string {
  if (text.length <= max) return text;
  const head = Math.ceil((max - 1) / 2);
  return text.slice(0, head) + '…' + text.slice(text.length - (max - 1 - head));
}
