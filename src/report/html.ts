import { createHash } from 'crypto';
import { Cause } from '../model';
import { ReportDocument } from './json';
import { forTerminal } from './sanitize';
import { clock, incidentLine, num, pct, rangeText, statusText } from './view';

/**
 * `--format html`: one self-contained file. No script at all, no external resource: the chart is
 * SVG drawn here, the stylesheet is inline and allowed by its hash in a Content-Security-Policy
 * that otherwise allows nothing, so a browser opening the file fetches nothing and runs nothing.
 * Every interpolated value goes through the `html` tag, which escapes it unless it is markup
 * built by this module (Markup); log text can only ever become text.
 */

class Markup {
  constructor(readonly s: string) {}
  toString(): string {
    return this.s;
  }
}

type Value = string | number | Markup | null | undefined | Value[];

export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function piece(v: Value): string {
  if (v === null || v === undefined) return '';
  if (v instanceof Markup) return v.s;
  if (Array.isArray(v)) return v.map(piece).join('');
  // Control and bidi-override characters shown as visible escapes, as in the terminal, so log
  // text cannot reorder or hide what is displayed around it.
  return escapeHtml(forTerminal(String(v)));
}

/**
 * Tagged template: literal parts are markup, every `${value}` is escaped unless already Markup.
 * It reads the parts as cooked, so the templates write characters outside ASCII as \u escapes:
 * esbuild leaves a tagged template's text as it is, and an ASCII bundle loads faster (scripts/bundle.js).
 */
function html(parts: TemplateStringsArray, ...values: Value[]): Markup {
  let s = parts[0];
  for (let i = 0; i < values.length; i++) s += piece(values[i]) + parts[i + 1];
  return new Markup(s);
}

// Distinguishable on white, colour-blind friendly first (Okabe-Ito), then Tableau's extras.
const PALETTE = [
  '#D55E00', '#0072B2', '#E69F00', '#009E73', '#CC79A7', '#56B4E9', '#8C564B', '#F0E442',
  '#7F7F7F', '#BCBD22', '#17BECF', '#9467BD', '#1F77B4', '#FF9896', '#98DF8A', '#C5B0D5',
  '#C49C94', '#F7B6D2', '#DBDB8D', '#9EDAE5',
];

const STYLE = `
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:24px auto;max-width:1200px;padding:0 16px;color:#1d1d1f;background:#fff}
h1{font-size:22px;margin:0 0 4px}h2{font-size:17px;margin:28px 0 8px;border-bottom:1px solid #ddd;padding-bottom:4px}
.meta{color:#555}table{border-collapse:collapse;width:100%;margin:6px 0}
th,td{text-align:left;padding:4px 8px;border-bottom:1px solid #eee;vertical-align:top}
th{background:#f6f6f8;font-weight:600}td.n{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
code,.mono{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:12.5px;overflow-wrap:anywhere}
.inc{list-style:none;padding:0}.inc li{padding:6px 10px;margin:4px 0;background:#fff4f0;border-left:4px solid #D55E00}
.inc b{font-variant-numeric:tabular-nums}.none{color:#555}
.sw{display:inline-block;width:10px;height:10px;margin-right:6px;vertical-align:middle}
.legend{display:flex;flex-wrap:wrap;gap:4px 16px;margin:6px 0}.legend span{white-space:nowrap}
svg{width:100%;height:auto;display:block}svg text{font:11px system-ui,sans-serif;fill:#444}
.off td:first-child,#causes td:first-child{white-space:nowrap}table{table-layout:auto}td .mono{overflow-wrap:anywhere}.small{font-size:12px;color:#666}
`;

function colorOf(causes: Cause[], c: Cause): string {
  const i = causes.indexOf(c);
  return PALETTE[(i < 0 ? causes.length : i) % PALETTE.length];
}

/** The stacked cause-over-time bar chart, one bar per bucket, incidents shaded behind. */
export function chartSvg(doc: ReportDocument): Markup {
  const buckets = doc.timeline.buckets;
  const causes = doc.causes.map((c) => c.cause);
  const W = 1100;
  const H = 320;
  const L = 52;
  const R = 12;
  const T = 12;
  const B = 48;
  const pw = W - L - R;
  const ph = H - T - B;
  if (buckets.length === 0) return html`<p class="none">No timestamps, no chart.</p>`;
  let max = 0;
  for (const b of buckets) max = Math.max(max, b.failures);
  const niceMax = niceCeil(Math.max(1, max));
  const bw = pw / buckets.length;
  const y = (v: number) => T + ph - (v / niceMax) * ph;
  const parts: Markup[] = [];
  const bucketAt = (iso: string) => {
    const t = Date.parse(iso);
    let i = 0;
    while (i + 1 < buckets.length && Date.parse(buckets[i + 1].start) <= t) i++;
    return i;
  };
  for (const inc of doc.incidents ?? []) {
    const a = bucketAt(inc.start);
    const z = bucketAt(new Date(Date.parse(inc.end) - 1).toISOString());
    parts.push(html`<rect class="incident" x="${(L + a * bw).toFixed(1)}" y="${T}" width="${((z - a + 1) * bw).toFixed(1)}" height="${ph}" fill="#fde2d8"><title>incident ${incidentLine(doc, inc).when}</title></rect>`);
  }
  for (let k = 0; k <= 4; k++) {
    const v = (niceMax * k) / 4;
    parts.push(html`<line x1="${L}" x2="${W - R}" y1="${y(v).toFixed(1)}" y2="${y(v).toFixed(1)}" stroke="#e5e5e5"/><text x="${L - 6}" y="${(y(v) + 4).toFixed(1)}" text-anchor="end">${num(v)}</text>`);
  }
  const gap = bw > 4 ? 1 : 0;
  buckets.forEach((b, i) => {
    let acc = 0;
    for (const c of causes) {
      const v = b.causes[c] ?? 0;
      if (v <= 0) continue;
      const y0 = y(acc);
      const y1 = y(acc + v);
      acc += v;
      parts.push(html`<rect x="${(L + i * bw + gap / 2).toFixed(2)}" y="${y1.toFixed(2)}" width="${Math.max(0.5, bw - gap).toFixed(2)}" height="${Math.max(0.5, y0 - y1).toFixed(2)}" fill="${colorOf(causes, c)}"><title>${clock(doc, b.start, true)}: ${num(v)} ${c}</title></rect>`);
    }
  });
  // Every step-th bucket, step a round multiple, so labels land on round clock times.
  const step = [1, 2, 3, 4, 5, 6, 10, 12, 15, 20, 24, 30, 48, 60, 90, 120, 180, 240, 360, 720].find((k) => buckets.length / k <= 9) ?? Math.ceil(buckets.length / 9);
  for (let i = 0; i < buckets.length; i += step) {
    const x = L + i * bw;
    parts.push(html`<line x1="${x.toFixed(1)}" x2="${x.toFixed(1)}" y1="${T + ph}" y2="${T + ph + 4}" stroke="#888"/><text x="${x.toFixed(1)}" y="${T + ph + 18}" text-anchor="middle">${clock(doc, buckets[i].start)}</text>`);
  }
  parts.push(html`<line x1="${L}" x2="${W - R}" y1="${T + ph}" y2="${T + ph}" stroke="#888"/>`);
  parts.push(html`<text x="${L}" y="${H - 6}">failures per ${doc.timeline.bucket} bucket, ${doc.displayZone ?? 'UTC'} time; shaded: incidents</text>`);
  return html`<svg id="chart" role="img" aria-label="failures by cause over time" viewBox="0 0 ${W} ${H}" xmlns="http://www.w3.org/2000/svg">${parts}</svg>`;
}

function niceCeil(v: number): number {
  const p = Math.pow(10, Math.floor(Math.log10(v)));
  // Maxima whose quarters are round: 1.2 → 0.3 steps, 1.6 → 0.4, ...
  for (const m of [1, 1.2, 1.6, 2, 2.4, 3.2, 4, 6, 8, 10]) if (m * p >= v) return m * p;
  return 10 * p;
}

function topList(rows: { key: string; count: number }[], mono = true): Markup {
  if (rows.length === 0) return html`<span class="none">\u2013</span>`;
  return html`${rows.slice(0, 3).map((r, i) => html`${i > 0 ? html`<br>` : ''}<span class="k"><span class="${mono ? 'mono' : ''}">${r.key}</span> <span class="small">(${num(r.count)})</span></span>`)}`;
}

export function renderHtml(doc: ReportDocument): string {
  const causes = doc.causes.map((c) => c.cause);
  const steps = new Map((doc.nextSteps ?? []).map((s) => [s.cause, s.check]));
  const l = doc.lines;
  const incidents = doc.incidents ?? [];
  const rule = doc.incidentRule;
  const body = html`
<h1>upstream-doctor report</h1>
<p class="meta">${rangeText(doc)} \u00b7 ${num(l.read)} lines in ${doc.files.length} file(s), ${num(l.parsed)} parsed, ${num(l.skipped)} skipped \u00b7 ${num(doc.failures)} failures${
    doc.correlation.explainedShare !== null
      ? html` \u00b7 502/504 explained by an error-log entry: ${num(doc.correlation.explained)} of ${num(doc.correlation.gatewayFailures)} (${pct(doc.correlation.explainedShare)})`
      : ''
  }</p>

<h2>Incidents</h2>
${
  incidents.length === 0
    ? html`<p class="none" id="incidents">${
        rule && !rule.applied
          ? `No incident detection: the range has ${doc.timeline.buckets.length} ${doc.timeline.bucket} bucket(s), fewer than ${rule.minBuckets}.`
          : `No incident: no ${doc.timeline.bucket} bucket with at least ${num(rule?.thresholdPerBucket ?? 0)} failures.`
      }</p>`
    : html`<ul class="inc" id="incidents">${incidents.map((i) => {
        const { when, what } = incidentLine(doc, i);
        return html`<li><b>${when}</b>: ${what}</li>`;
      })}</ul>`
}
${rule && rule.applied ? html`<p class="small">An incident is a run of ${doc.timeline.bucket} buckets with at least max(${rule.factor} \u00d7 median, median + ${rule.minExcess}) failures; median here: ${num(rule.medianPerBucket)} per bucket, threshold ${num(rule.thresholdPerBucket)}.</p>` : ''}

<h2>Failures over time</h2>
${chartSvg(doc)}
<div class="legend">${causes.map((c) => html`<span><i class="sw" aria-hidden="true"><svg viewBox="0 0 10 10"><rect width="10" height="10" fill="${colorOf(causes, c)}"/></svg></i>${c}</span>`)}</div>

<h2>Causes</h2>
${
  doc.causes.length === 0
    ? html`<p class="none">No upstream failures found.</p>`
    : html`<table id="causes"><thead><tr><th>cause</th><th>count</th><th>share</th><th>category</th><th>status</th><th>what it means</th><th>what to check next</th></tr></thead><tbody>${doc.causes.map(
        (c) => html`<tr><td><i class="sw"><svg viewBox="0 0 10 10"><rect width="10" height="10" fill="${colorOf(causes, c.cause)}"/></svg></i>${c.cause}</td><td class="n">${num(c.count)}</td><td class="n">${pct(c.share)}</td><td>${c.category}</td><td>${statusText(c.status) || '–'}</td><td>${c.title}</td><td><code>${steps.get(c.cause) ?? c.hint}</code></td></tr>`,
      )}</tbody></table>`
}

<h2>Top offenders</h2>
${
  doc.causes.length === 0
    ? html`<p class="none">None.</p>`
    : html`<table id="offenders" class="off"><thead><tr><th>cause</th><th>upstreams</th><th>hosts</th><th>paths (ids and query values folded)</th><th>clients</th></tr></thead><tbody>${doc.causes.map(
        (c) => html`<tr><td>${c.cause}</td><td>${topList(c.top.upstreams)}</td><td>${topList(c.top.hosts)}</td><td>${topList(c.top.paths)}</td><td>${topList(c.top.clients)}</td></tr>`,
      )}</tbody></table>
<p class="small">Each list is kept in a bounded top-K table of ${num(doc.limits.topK)} keys per cause and field; counts can be over-estimates once a field has more distinct values than that.</p>`
}

<h2>Upstreams</h2>
${
  doc.upstreams.length === 0
    ? html`<p class="none">No upstream addresses in the access logs.</p>`
    : html`<table id="upstreams"><thead><tr><th>upstream</th><th>attempts</th><th>failed (by status)</th><th>retried</th><th>hidden (retry succeeded)</th></tr></thead><tbody>${doc.upstreams.slice(0, 50).map(
        (u) => html`<tr><td class="mono">${u.address}</td><td class="n">${num(u.attempts)}</td><td>${statusText(u.failures) || '–'}</td><td class="n">${num(u.retried)}</td><td class="n">${num(u.hiddenFailures)}</td></tr>`,
      )}</tbody></table>${doc.upstreamsOverflow > 0 ? html`<p class="small">${num(doc.upstreamsOverflow)} attempts on further upstreams not tracked (table bound reached).</p>` : ''}`
}

<h2>Files</h2>
<table id="files"><thead><tr><th>file</th><th>kind</th><th>format</th><th>lines</th><th>parsed</th><th>skipped</th><th>why skipped</th></tr></thead><tbody>${doc.files.map(
    (f) => html`<tr><td class="mono">${f.path}</td><td>${f.kind ?? 'not recognised'}</td><td>${f.format ?? '–'}${f.compression ? ` (${f.compression})` : ''}</td><td class="n">${num(f.lines)}</td><td class="n">${num(f.parsed)}</td><td class="n">${num(f.skipped)}</td><td>${Object.entries(f.skippedByReason).map(([r, k]) => `${r} ${num(k)}`).join(', ')}${f.error ? html`<br><b>error:</b> ${f.error}` : ''}</td></tr>`,
  )}</tbody></table>
<p class="small">Generated ${doc.generatedAt} by upstream-doctor (report format v${doc.version}).</p>
`;
  const hash = createHash('sha256').update(STYLE).digest('base64');
  const csp = `default-src 'none'; style-src 'sha256-${hash}'; img-src data:; base-uri 'none'; form-action 'none'`;
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${escapeHtml(csp)}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>upstream-doctor report</title>
<style>${STYLE}</style>
</head>
<body>${body.s}</body>
</html>
`;
}
