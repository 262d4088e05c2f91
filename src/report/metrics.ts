import * as http from 'http';
import { AddressInfo } from 'net';
import { Counter, Gauge, Registry, collectDefaultMetrics } from 'prom-client';
import { FailureEvent, SkipReason } from '../model';
import { SwitchReason } from '../input/follow';
import { DEFAULT_MAX_UPSTREAM_LABELS, repeatsErrorEntry, upstreamKey } from './upstream-key';

/**
 * The Prometheus view of `tail`: counters a fleet's Prometheus scrapes from every proxy host.
 * Every label value that comes from a log is bounded: causes, categories, sources and skip
 * reasons are closed sets, statuses are three digits, and upstream addresses are capped (the
 * first `maxUpstreams` distinct ones get their own series, the rest are folded into `other`).
 */

export { DEFAULT_MAX_UPSTREAM_LABELS };
const MAX_LABEL_LENGTH = 128;

export class TailMetrics {
  readonly registry = new Registry();
  private readonly failures: Counter<'cause' | 'category' | 'status' | 'source'>;
  private readonly upstreamFailures: Counter<'upstream' | 'cause'>;
  private readonly linesRead: Counter;
  private readonly linesParsed: Counter;
  private readonly linesSkipped: Counter<'reason'>;
  private readonly switches: Counter<'reason'>;
  private readonly alertActive: Gauge<'alert'>;
  private readonly upstreams = new Set<string>();

  constructor(private readonly maxUpstreams = DEFAULT_MAX_UPSTREAM_LABELS) {
    const r = [this.registry];
    this.failures = new Counter({
      name: 'upstream_doctor_failures_total',
      help: 'Tagged log lines (the NDJSON events): one per failing access line and per upstream error entry',
      labelNames: ['cause', 'category', 'status', 'source'],
      registers: r,
    });
    this.upstreamFailures = new Counter({
      name: 'upstream_doctor_upstream_failures_total',
      help: `Failures naming an upstream, by its address (first ${maxUpstreams} distinct addresses; the rest are "other")`,
      labelNames: ['upstream', 'cause'],
      registers: r,
    });
    this.linesRead = new Counter({ name: 'upstream_doctor_lines_read_total', help: 'Log lines read', registers: r });
    this.linesParsed = new Counter({ name: 'upstream_doctor_lines_parsed_total', help: 'Log lines parsed', registers: r });
    this.linesSkipped = new Counter({
      name: 'upstream_doctor_lines_skipped_total',
      help: 'Log lines not parsed, by reason',
      labelNames: ['reason'],
      registers: r,
    });
    this.switches = new Counter({
      name: 'upstream_doctor_file_switches_total',
      help: 'Files opened by tail, by why (start, appeared, renamed, recreated, truncated, copy, skipped, truncated-no-copy)',
      labelNames: ['reason'],
      registers: r,
    });
    this.alertActive = new Gauge({
      name: 'upstream_doctor_alert_active',
      help: '1 while an --alert rule is over its threshold',
      labelNames: ['alert'],
      registers: r,
    });
    collectDefaultMetrics({ register: this.registry });
  }

  failure(ev: FailureEvent): void {
    this.failures.inc({ cause: ev.cause, category: ev.category, status: ev.status === null ? 'none' : String(ev.status), source: ev.source });
    if (ev.upstream && !repeatsErrorEntry(ev)) this.upstreamFailures.inc({ upstream: this.upstreamLabel(upstreamKey(ev.upstream)), cause: ev.cause });
  }

  lines(parsed: number, skippedByReason: Partial<Record<SkipReason, number>>): void {
    let skipped = 0;
    for (const [reason, n] of Object.entries(skippedByReason)) {
      if (n) {
        this.linesSkipped.inc({ reason }, n);
        skipped += n;
      }
    }
    if (parsed) this.linesParsed.inc(parsed);
    if (parsed + skipped) this.linesRead.inc(parsed + skipped);
  }

  switched(reason: SwitchReason): void {
    this.switches.inc({ reason });
  }

  alert(rule: string, active: boolean): void {
    this.alertActive.set({ alert: rule }, active ? 1 : 0);
  }

  private upstreamLabel(addr: string): string {
    const a = addr.length > MAX_LABEL_LENGTH ? addr.slice(0, MAX_LABEL_LENGTH) : addr;
    if (this.upstreams.has(a)) return a;
    if (this.upstreams.size < this.maxUpstreams) {
      this.upstreams.add(a);
      return a;
    }
    return 'other';
  }

  /** Serves /metrics; resolves with the bound address once listening. */
  serve(host: string, port: number): Promise<{ server: http.Server; url: string }> {
    const server = http.createServer((req, res) => {
      const url = (req.url ?? '/').split('?')[0];
      if (req.method !== 'GET' && req.method !== 'HEAD') {
        res.writeHead(405).end();
        return;
      }
      if (url === '/metrics') {
        this.registry.metrics().then(
          (body) => res.writeHead(200, { 'Content-Type': this.registry.contentType }).end(body),
          (err) => res.writeHead(500).end(String(err)),
        );
      } else if (url === '/') {
        res.writeHead(200, { 'Content-Type': 'text/plain' }).end('upstream-doctor tail: see /metrics\n');
      } else res.writeHead(404).end();
    });
    return new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => {
        server.off('error', reject);
        const a = server.address() as AddressInfo;
        const h = a.family === 'IPv6' ? `[${a.address}]` : a.address;
        resolve({ server, url: `http://${h}:${a.port}/metrics` });
      });
    });
  }
}
