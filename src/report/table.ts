import Table from 'cli-table3';
import { ReportDocument } from './json';
import { clip, forTerminal } from './sanitize';
import { sparkline } from './sparkline';
import { clipMiddle, clock, incidentLine, num, pct, rangeText, series, statusText } from './view';

/**
 * The terminal summary. Box drawing and colour only on a TTY (or when asked); piped output is
 * plain text that greps well. Every log-derived string goes through forTerminal().
 * Order: what happened when (incidents), why (causes with their trend), what to check next,
 * who (top offenders, upstreams), and the file accounting.
 */

export interface TableStyle {
  boxes: boolean;
  color: boolean;
  /** Terminal width for the hint column (default 120). */
  width?: number;
}

const SGR = { bold: '1', red: '31', yellow: '33', dim: '2', cyan: '36' } as const;

function paint(style: TableStyle, code: keyof typeof SGR, s: string): string {
  return style.color ? `\x1b[${SGR[code]}m${s}\x1b[0m` : s;
}

/** cli-table3 pads every cell; without borders that leaves trailing blanks on each line. */
function tableText(t: Table.Table, style: TableStyle): string {
  const s = t.toString();
  return style.boxes ? s : s.split('\n').map((l) => l.trimEnd()).join('\n');
}

export function makeTable(head: string[], style: TableStyle, colWidths?: (number | null)[]): Table.Table {
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
    wordWrap: colWidths !== undefined,
    ...(colWidths ? { colWidths } : {}),
  });
}

const TREND_WIDTH = 32;
/** The table's "What to check next" lists the largest causes; the hint column has all of them filled. */
const NEXT_STEPS_SHOWN = 5;

/** Why the buckets may be wider than asked: the counts were kept per N minutes (Summary.minuteStep). */
function stepNote(doc: ReportDocument): string {
  const step = doc.timeline.stepMinutes;
  return step && step > 1 ? `; counts kept per ${step} min (more than ${num(doc.limits.timeBuckets ?? 0)} minutes of logs)` : '';
}

export function renderTable(doc: ReportDocument, style: TableStyle): string {
  const out: string[] = [];
  const l = doc.lines;
  out.push(
    paint(style, 'bold', 'upstream-doctor') +
      `: ${num(l.read)} lines in ${doc.files.length} file(s), ${num(l.parsed)} parsed, ${num(l.skipped)} skipped; ${rangeText(doc)}`,
  );
  const statuses = Object.entries(doc.status)
    .filter(([s]) => Number(s) >= 500 || s === '499' || s === '9')
    .map(([s, c]) => `${s === '9' ? '009' : s}×${num(c)}`);
  if (doc.configuration) {
    out.push(`logs named by ${doc.configuration.map((c) => `${c.server} configuration ${forTerminal(c.path)}`).join(' and ')}`);
  }
  if (statuses.length > 0) out.push(`failure statuses: ${statuses.join('  ')}`);
  if (doc.correlation.explainedShare !== null) {
    out.push(
      `502/504 explained by an error-log entry: ${num(doc.correlation.explained)} of ${num(doc.correlation.gatewayFailures)} (${pct(doc.correlation.explainedShare)})`,
    );
  }
  out.push('');
  const incidents = doc.incidents ?? [];
  const rule = doc.incidentRule;
  if (incidents.length > 0 && rule) {
    out.push(
      paint(style, 'bold', `Incidents`) +
        ` (${doc.timeline.bucket} buckets with >= ${num(rule.thresholdPerBucket)} failures; median ${num(rule.medianPerBucket)}):`,
    );
    for (const i of incidents) {
      const { when, what } = incidentLine(doc, i);
      out.push(`  ${paint(style, 'red', when)}: ${forTerminal(what)}`);
    }
    out.push('');
  } else if (rule && doc.failures > 0) {
    out.push(
      rule.applied
        ? `Incidents: none (no ${doc.timeline.bucket} bucket with >= ${num(rule.thresholdPerBucket)} failures; median ${num(rule.medianPerBucket)})`
        : `Incidents: not assessed (${doc.timeline.buckets.length} ${doc.timeline.bucket} bucket(s); a baseline needs ${rule.minBuckets})`,
    );
    out.push('');
  }
  if (doc.causes.length === 0) {
    out.push('No upstream failures found.');
  } else {
    const steps = new Map((doc.nextSteps ?? []).map((s) => [s.cause, s.check]));
    const fixed = 24 + 8 + 6 + 15 + 14 + TREND_WIDTH + 2;
    const hintWidth = Math.max(30, (style.width ?? 120) - fixed - (style.boxes ? 20 : 12));
    const t = makeTable(
      ['cause', 'count', 'share', 'category', 'status', `trend (${doc.timeline.bucket})`, 'hint'],
      style,
      // Wrapped to the terminal's width on a TTY; piped, one row per line (greppable).
      style.width ? [null, null, null, null, null, null, hintWidth] : undefined,
    );
    for (const c of doc.causes) {
      t.push([
        c.cause,
        num(c.count),
        pct(c.share),
        c.category,
        statusText(c.status) || '-',
        paint(style, 'yellow', sparkline(series(doc, c.cause), TREND_WIDTH)),
        forTerminal(steps.get(c.cause) ?? c.hint),
      ]);
    }
    out.push(tableText(t, style));
    if (doc.timeline.buckets.length > 0) {
      const b = doc.timeline.buckets;
      out.push(paint(style, 'dim', `trend: ${clock(doc, b[0].start)} → ${clock(doc, b[b.length - 1].end ?? b[b.length - 1].start)}, ${b.length} × ${doc.timeline.bucket}, each row scaled to its own peak${stepNote(doc)}`));
    }
    if (steps.size > 0) {
      out.push('');
      out.push(paint(style, 'bold', 'What to check next:'));
      for (const s of (doc.nextSteps ?? []).slice(0, NEXT_STEPS_SHOWN)) out.push(`  ${s.cause} (${num(s.count)}): ${forTerminal(s.check)}`);
    }
    out.push('');
    out.push(paint(style, 'bold', 'Top offenders by cause:'));
    for (const c of doc.causes.slice(0, 8)) {
      out.push(`  ${c.cause}:`);
      for (const [label, rows] of [
        ['upstreams', c.top.upstreams],
        ['hosts', c.top.hosts],
        ['paths', c.top.paths],
        ['clients', c.top.clients],
      ] as const) {
        if (rows.length === 0) continue;
        out.push(`    ${label.padEnd(9)} ${rows.slice(0, 3).map((r) => `${forTerminal(clipMiddle(r.key, 60))} (${num(r.count)})`).join(', ')}`);
      }
    }
  }
  const failing = doc.upstreams.filter((u) => Object.keys(u.failures).length > 0).slice(0, 10);
  if (failing.length > 0) {
    out.push('');
    const t = makeTable(['upstream', 'attempts', 'failed', 'retried', 'hidden (retry succeeded)'], style);
    for (const u of failing) {
      t.push([forTerminal(clipMiddle(u.address, 60)), num(u.attempts), statusText(u.failures), num(u.retried), num(u.hiddenFailures)]);
    }
    out.push(tableText(t, style));
  }
  if (doc.evidence.length > 0) {
    out.push('');
    out.push('Evidence (known lines that are not failed requests by themselves):');
    for (const e of doc.evidence.slice(0, 12)) out.push(`  ${e.signature} ×${num(e.count)} (points to ${e.cause})`);
  }
  const problems = doc.files.filter((f) => f.error || f.kind === null || f.skipped > 0);
  if (problems.length > 0) {
    out.push('');
    out.push('Files:');
    for (const f of problems) {
      const reasons = Object.entries(f.skippedByReason)
        .map(([r, k]) => `${r} ${num(k)}`)
        .join(', ');
      const what = f.kind === null ? 'format not recognised' : `${f.kind} (${f.format})`;
      out.push(`  ${forTerminal(f.path)}: ${what}; ${num(f.lines)} lines, ${num(f.skipped)} skipped${reasons ? ` (${reasons})` : ''}${f.error ? `; ERROR: ${forTerminal(f.error)}` : ''}`);
      for (const [reason, samples] of Object.entries(f.skippedSamples ?? {})) {
        for (const s of samples) out.push(`    ${reason} line ${s.line}: ${forTerminal(clip(s.text, 160))}`);
      }
    }
  }
  return out.join('\n') + '\n';
}
