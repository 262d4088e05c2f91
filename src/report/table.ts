import Table from 'cli-table3';
import { ReportDocument } from './json';
import { clip, forTerminal } from './sanitize';

/**
 * The terminal summary. Box drawing and colour only on a TTY (or when asked); piped output is
 * plain text that greps well. Every log-derived string goes through forTerminal().
 */

export interface TableStyle {
  boxes: boolean;
  color: boolean;
}

function n(x: number): string {
  return x.toLocaleString('en-US');
}

function pct(x: number): string {
  return `${(x * 100).toFixed(x < 0.1 ? 1 : 0)}%`;
}

function makeTable(head: string[], style: TableStyle): Table.Table {
  const chars = style.boxes
    ? undefined
    : {
        top: '', 'top-mid': '', 'top-left': '', 'top-right': '',
        bottom: '', 'bottom-mid': '', 'bottom-left': '', 'bottom-right': '',
        left: '', 'left-mid': '', mid: '', 'mid-mid': '', right: '', 'right-mid': '',
        middle: '  ',
      };
  return new Table({
    head,
    chars,
    style: { head: style.color ? ['bold'] : [], border: [], 'padding-left': style.boxes ? 1 : 0, 'padding-right': style.boxes ? 1 : 0 },
    wordWrap: false,
  });
}

export function renderTable(doc: ReportDocument, style: TableStyle): string {
  const out: string[] = [];
  const l = doc.lines;
  const range = doc.range.start ? `${doc.range.start} → ${doc.range.end}` : 'no timestamps';
  out.push(`upstream-doctor: ${n(l.read)} lines in ${doc.files.length} file(s), ${n(l.parsed)} parsed, ${n(l.skipped)} skipped; ${range}`);
  const statuses = Object.entries(doc.status)
    .filter(([s]) => Number(s) >= 500 || s === '499' || s === '9')
    .map(([s, c]) => `${s === '9' ? '009' : s}×${n(c)}`);
  if (statuses.length > 0) out.push(`failure statuses: ${statuses.join('  ')}`);
  if (doc.correlation.explainedShare !== null) {
    out.push(
      `502/504 explained by an error-log entry: ${n(doc.correlation.explained)} of ${n(doc.correlation.gatewayFailures)} (${pct(doc.correlation.explainedShare)})`,
    );
  }
  out.push('');
  if (doc.causes.length === 0) {
    out.push('No upstream failures found.');
  } else {
    const t = makeTable(['cause', 'count', 'share', 'category', 'status', 'next check'], style);
    for (const c of doc.causes) {
      const st = Object.entries(c.status)
        .map(([s, k]) => `${s}:${n(k)}`)
        .join(' ');
      t.push([c.cause, n(c.count), pct(c.share), c.category, st || '-', forTerminal(clip(c.hint, 90))]);
    }
    out.push(t.toString());
    out.push('');
    out.push('Top upstreams by cause:');
    for (const c of doc.causes.slice(0, 8)) {
      const ups = c.top.upstreams.slice(0, 3).map((u) => `${forTerminal(clip(u.key, 60))} (${n(u.count)})`);
      if (ups.length > 0) out.push(`  ${c.cause}: ${ups.join(', ')}`);
    }
  }
  const failing = doc.upstreams.filter((u) => Object.keys(u.failures).length > 0).slice(0, 10);
  if (failing.length > 0) {
    out.push('');
    const t = makeTable(['upstream', 'attempts', 'failed', 'retried', 'hidden (retry succeeded)'], style);
    for (const u of failing) {
      const f = Object.entries(u.failures)
        .map(([s, k]) => `${s}:${n(k)}`)
        .join(' ');
      t.push([forTerminal(clip(u.address, 50)), n(u.attempts), f, n(u.retried), n(u.hiddenFailures)]);
    }
    out.push(t.toString());
  }
  const problems = doc.files.filter((f) => f.error || f.kind === null || f.skipped > 0);
  if (problems.length > 0) {
    out.push('');
    out.push('Files:');
    for (const f of problems) {
      const reasons = Object.entries(f.skippedByReason)
        .map(([r, k]) => `${r} ${n(k)}`)
        .join(', ');
      const what = f.kind === null ? 'format not recognised' : `${f.kind} (${forTerminal(f.format)})`;
      out.push(`  ${forTerminal(f.path)}: ${what}; ${n(f.lines)} lines, ${n(f.skipped)} skipped${reasons ? ` (${reasons})` : ''}${f.error ? `; ERROR: ${forTerminal(f.error)}` : ''}`);
      for (const [reason, samples] of Object.entries(f.skippedSamples ?? {})) {
        for (const s of samples) out.push(`    ${reason} line ${s.line}: ${forTerminal(clip(s.text, 160))}`);
      }
    }
  }
  return out.join('\n') + '\n';
}
