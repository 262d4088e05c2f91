import { CAUSES, Cause, OUTPUT_VERSION } from '../model';
import { CAUSE_INFO } from '../diagnose/causes';
import { MINUTE_UPSTREAMS, Summary, TOP_K_CAPACITY } from './summary';
import { Timeline, buildTimeline, localZone } from './timeline';
import { Incident, IncidentRule, findIncidents, incidentRule } from './incidents';
import { NextStep, nextSteps } from './next-steps';

/**
 * The `--format json` document: the output contract (versioned by OUTPUT_VERSION; fields are only
 * ever added within a version). Also the single source the table and other reports render from.
 */

export interface CauseRow {
  cause: Cause;
  category: string;
  title: string;
  count: number;
  share: number;
  status: Record<string, number>;
  signatures: Record<string, number>;
  hint: string;
  top: { upstreams: TopRow[]; hosts: TopRow[]; paths: TopRow[]; clients: TopRow[] };
}

export interface TopRow {
  key: string;
  count: number;
}

export interface ReportDocument {
  version: number;
  generatedAt: string;
  files: {
    path: string;
    kind: string | null;
    format: string | null;
    envelope: string | null;
    compression: string | null;
    lines: number;
    parsed: number;
    skipped: number;
    skippedByReason: Record<string, number>;
    skippedSamples?: Record<string, { line: number; text: string }[]>;
    error: string | null;
    vhosts?: string[];
  }[];
  /** The server configurations the logs were found in, when no PATH was given. */
  configuration?: { server: string; path: string }[];
  lines: { read: number; parsed: number; skipped: number; skippedByReason: Record<string, number> };
  range: { start: string | null; end: string | null };
  status: Record<string, number>;
  failures: number;
  causes: CauseRow[];
  correlation: { gatewayFailures: number; explained: number; explainedShare: number | null; indexEvicted: number };
  upstreams: {
    address: string;
    attempts: number;
    failures: Record<string, number>;
    retried: number;
    hiddenFailures: number;
  }[];
  upstreamsOverflow: number;
  /** Known messages that are not failed requests (markers, PHP-FPM pool lines), by signature. */
  evidence: { signature: string; cause: Cause; count: number }[];
  timeline: Timeline;
  /** Added in v1: minuteUpstreams, timeBuckets (the time table's bound, MAX_TIME_BUCKETS). */
  limits: { topK: number; minuteUpstreams?: number; timeBuckets?: number };
  /** Added in v1: bursts of failures well above the range's median (see incidents.ts). */
  incidents?: Incident[];
  incidentRule?: IncidentRule;
  /** Added in v1: catalogue hints of the top causes, filled from their top offenders. */
  nextSteps?: NextStep[];
  /** Added in v1: the zone the timeline is laid out and labelled in. */
  displayZone?: string;
}

function mapToRecord(m: Map<number | string, number>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [k, v] of [...m.entries()].sort((a, b) => (a[0] < b[0] ? -1 : 1))) if (v !== 0) out[String(k)] = v;
  return out;
}

const TOP_SHOWN = 10;

export function buildDocument(
  summary: Summary,
  opts: {
    bucket?: string;
    showSkipped?: boolean;
    evicted?: number;
    /** IANA zone for bucket alignment and labels (default: this machine's). */
    zone?: string;
    /** --since/--until: the timeline covers this range (zero buckets included) instead of first..last seen. */
    since?: number;
    until?: number;
    configuration?: { server: string; path: string }[];
  } = {},
): ReportDocument {
  const totals = summary.totals;
  const causeRows: CauseRow[] = [];
  let failures = 0;
  for (const [, c] of summary.causes) failures += c.count;
  const order = [...CAUSES, 'unexplained'] as Cause[];
  for (const [cause, c] of summary.causes) {
    if (c.count <= 0) continue;
    const info = CAUSE_INFO[cause];
    causeRows.push({
      cause,
      category: info.category,
      title: info.title,
      count: c.count,
      share: failures > 0 ? c.count / failures : 0,
      status: mapToRecord(c.byStatus),
      signatures: mapToRecord(c.bySignature),
      hint: info.hint,
      top: {
        upstreams: c.upstreams.top(TOP_SHOWN).map(({ key, count }) => ({ key, count })),
        hosts: c.hosts.top(TOP_SHOWN).map(({ key, count }) => ({ key, count })),
        paths: c.paths.top(TOP_SHOWN).map(({ key, count }) => ({ key, count })),
        clients: c.clients.top(TOP_SHOWN).map(({ key, count }) => ({ key, count })),
      },
    });
  }
  causeRows.sort((a, b) => b.count - a.count || order.indexOf(a.cause) - order.indexOf(b.cause));
  const hasRange = Number.isFinite(summary.start);
  const zone = opts.zone ?? localZone();
  const timeline = buildTimeline(summary, {
    bucket: opts.bucket ?? 'auto',
    zone,
    start: hasRange && opts.since !== undefined ? Math.min(opts.since, summary.start) : undefined,
    end: hasRange && opts.until !== undefined ? Math.max(opts.until - 1, summary.end) : undefined,
  });
  const rule = incidentRule(timeline);
  const steps = nextSteps(
    causeRows.map((r) => ({ ...r, samplePath: samplePathOf(summary, r.cause, r.top.paths[0]?.key) })),
  );
  return {
    version: OUTPUT_VERSION,
    generatedAt: new Date().toISOString(),
    files: summary.files.map((f) => ({
      path: f.path,
      kind: f.kind,
      format: f.format,
      envelope: f.envelope,
      compression: f.compression,
      lines: f.lines,
      parsed: f.parsed,
      skipped: f.skipped,
      skippedByReason: { ...f.skippedByReason } as Record<string, number>,
      ...(opts.showSkipped ? { skippedSamples: f.skippedSamples as Record<string, { line: number; text: string }[]> } : {}),
      error: f.error,
      ...(f.vhosts ? { vhosts: f.vhosts } : {}),
    })),
    ...(opts.configuration ? { configuration: opts.configuration } : {}),
    lines: totals,
    range: {
      start: hasRange ? new Date(summary.start).toISOString() : null,
      end: hasRange ? new Date(summary.end).toISOString() : null,
    },
    status: mapToRecord(summary.statusCounts),
    failures,
    causes: causeRows,
    correlation: {
      gatewayFailures: summary.gatewayFailures,
      explained: summary.gatewayExplained,
      explainedShare: summary.gatewayFailures > 0 ? summary.gatewayExplained / summary.gatewayFailures : null,
      indexEvicted: opts.evicted ?? 0,
    },
    upstreams: [...summary.upstreams.entries()]
      .map(([address, u]) => ({
        address,
        attempts: u.attempts,
        failures: mapToRecord(u.failures),
        retried: u.retried,
        hiddenFailures: u.hiddenFailures,
      }))
      .sort((a, b) => sumValues(b.failures) - sumValues(a.failures) || b.attempts - a.attempts),
    upstreamsOverflow: summary.upstreamOverflow,
    evidence: [...summary.evidence.entries()]
      .map(([signature, v]) => ({ signature, cause: v.cause, count: v.count }))
      .sort((a, b) => b.count - a.count || (a.signature < b.signature ? -1 : 1)),
    timeline,
    limits: { topK: TOP_K_CAPACITY, minuteUpstreams: MINUTE_UPSTREAMS, timeBuckets: summary.maxTimeBuckets },
    incidents: findIncidents(summary, timeline, rule),
    incidentRule: rule,
    nextSteps: steps,
    displayZone: zone,
  };
}

/** A real path of the cause that folds to its top path (for runnable hints). */
function samplePathOf(summary: Summary, cause: Cause, topPath: string | undefined): string | null {
  if (!topPath) return null;
  return summary.causes.get(cause)?.pathExamples.get(topPath) ?? null;
}

function sumValues(r: Record<string, number>): number {
  let n = 0;
  for (const v of Object.values(r)) n += v;
  return n;
}
