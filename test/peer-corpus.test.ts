import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { userFormats } from '../src/cli/options';
import { parseLine } from '../src/parse/parse-line';
import { runCli } from './helpers/cli';
import { Expectation, peerCases, peerLogFile } from './helpers/peer-cases';
import { describePeer, peerIndex } from './helpers/peer-corpus';

/**
 * The peer corpus: other projects' nginx/Apache fixtures with their expected parses, read in place.
 * Goals (issue: foundation): every file follows the output contract with read = parsed + skipped,
 * >= 99% of the nginx/Apache lines parse (files malformed on purpose excepted), and where a peer
 * states a field, ours agrees.
 */

const MALFORMED = /malformed|bad/;

/**
 * Cases where the peer's expectation is not about the proxy's own format, so no parser of
 * proxy logs should agree with it. Each entry says why.
 */
const NOT_COMPARABLE: Record<string, string> = {
  'elastic-package/nginx/access/test-nginx.log:3':
    "Elastic's pipeline takes the first public address of an X-Forwarded-For list; we take the first address",
  'elastic-package/nginx/access/test-test-with-host.log:6': 'a host, an X-Forwarded-For list and a client with no separator: no log_format writes that',
  'datadog-integrations-core/nginx/nginx_tests.yaml#6': "a site-specific format ($request_time after the bytes); needs --nginx-format",
  combined_line_missing_fields_valid: 'VRL accepts bare - for quoted fields; nginx and Apache always quote them',
  log_line_valid_with_timestamp_format: "VRL's custom timestamp_format (ISO time in CLF brackets) is not a server format",
  'Parse using Common Log Format (with custom timestamp format)': "VRL's custom timestamp_format, not a server format",
};

function comparable(kindHint: string, exp: Expectation, got: ReturnType<typeof parseLine>): [string, unknown, unknown][] {
  const diffs: [string, unknown, unknown][] = [];
  if (Object.values(exp).every((v) => v === undefined)) return diffs; // the peer states nothing we have
  if (!got) return [['parsed', true, false]];
  const cmp = (field: string, want: unknown, have: unknown) => {
    if (want === undefined) return;
    if (want !== have) diffs.push([field, want, have]);
  };
  if (got.access) {
    const a = got.access;
    cmp('status', exp.status, a.status);
    cmp('client', exp.client, a.client ?? '-');
    cmp('method', exp.method, a.method);
    // We decode the server's escapes (`\"` → `"`); a peer that keeps them raw is not comparable there.
    if (!exp.path?.includes('\\')) cmp('path', exp.path, a.path);
    cmp('time', exp.time, a.ts);
  } else if (got.error) {
    const e = got.error;
    cmp('level', exp.level, e.level);
    cmp('cid', exp.cid, e.cid ?? undefined);
    cmp('client', exp.client, e.client ?? '');
    if (kindHint === 'nginx-error') {
      cmp('server', exp.server, e.server ?? '');
      cmp('request', exp.request, e.request ?? '');
      cmp('upstream', exp.upstream, e.upstream ?? '');
      cmp('host', exp.host, e.host ?? '');
      // VRL cuts `limiting requests, excess: …` at the first comma; our message keeps the whole text.
      if (exp.message !== undefined && !e.message.startsWith(exp.message)) diffs.push(['message', exp.message, e.message]);
      cmp('time', exp.time, e.ts);
    }
  }
  return diffs;
}

describePeer('peer corpus', () => {
  const index = peerIndex();
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'ud-peer-'));
  const files = index.map((e) => ({ entry: e, file: peerLogFile(e, tmp) }));
  const byPath = new Map(files.map((f) => [f.file, f.entry]));
  // One run over every file, each detected on its own.
  const run = runCli(['analyze', ...files.map((f) => f.file), '--format', 'json', '--tz', 'UTC']);
  const doc = JSON.parse(run.stdout);

  test('every file is accounted for: read = parsed + skipped, and read = the physical line count', () => {
    expect(doc.files).toHaveLength(files.length);
    for (const f of doc.files) {
      expect(f.parsed + f.skipped).toBe(f.lines);
      const entry = byPath.get(f.path)!;
      const physical = fs.readFileSync(f.path, 'utf8').split('\n');
      if (physical[physical.length - 1] === '') physical.pop();
      expect({ path: f.path, lines: f.lines }).toEqual({ path: f.path, lines: physical.length });
      expect(entry).toBeDefined();
    }
    expect(doc.lines.read).toBe(doc.lines.parsed + doc.lines.skipped);
  });

  test('at least 99% of the nginx and Apache lines parse (malformed-on-purpose files excluded)', () => {
    let lines = 0;
    let parsed = 0;
    const worst: string[] = [];
    for (const f of doc.files) {
      const entry = byPath.get(f.path)!;
      if (MALFORMED.test(entry.file) || entry.kind === 'other') continue;
      // inputs the peer itself says must fail to parse are malformed on purpose too
      const mustFail = peerCases(entry).filter((c) => c.expectFailure).length;
      lines += f.lines - (f.skippedByReason.blank ?? 0) - mustFail;
      parsed += f.parsed;
      if (f.skipped - (f.skippedByReason.blank ?? 0) > 0) worst.push(`${entry.file}: ${f.skipped} skipped ${JSON.stringify(f.skippedByReason)}`);
    }
    const share = parsed / lines;
    // eslint-disable-next-line no-console
    console.log(`peer corpus: ${parsed}/${lines} nginx/Apache lines parsed (${(share * 100).toFixed(2)}%)`);
    if (share < 0.99) throw new Error(`parsed ${parsed}/${lines} = ${(share * 100).toFixed(2)}%\n${worst.join('\n')}`);
    expect(share).toBeGreaterThanOrEqual(0.99);
  });

  test('files labelled other: the nginx/Apache lines inside them parse too (envelopes, mixed files)', () => {
    const hotsos = doc.files.find((f: any) => byPath.get(f.path)!.file.startsWith('hotsos/k8s'));
    expect(hotsos.envelope).toBe('service-prefix');
    // 1923 access lines + 16 proxy error lines of 1955; the rest are supervisor messages
    expect(hotsos.parsed).toBeGreaterThanOrEqual(1923 + 16);
  });

  test('malformed-on-purpose files never crash and skip with reasons', () => {
    for (const f of doc.files) {
      const entry = byPath.get(f.path)!;
      if (!MALFORMED.test(entry.file)) continue;
      expect(f.parsed + f.skipped).toBe(f.lines);
      for (const r of Object.keys(f.skippedByReason)) expect(['unrecognised', 'truncated', 'binary', 'too-long', 'blank']).toContain(r);
    }
  });

  test('our fields agree with the fields each peer expects', () => {
    const mismatches: string[] = [];
    let compared = 0;
    for (const entry of index) {
      if (entry.kind === 'other') continue;
      for (const c of peerCases(entry)) {
        if (!c.expected || c.input.includes('\n') || c.name in NOT_COMPARABLE) continue;
        // VRL's "apache error" layout is its own ([01/Mar/2021:12:00:19 +0000] times), not Apache's.
        if (entry.source === 'vrl' && entry.kind === 'apache-error' && !/^\[(Mon|Tue|Wed|Thu|Fri|Sat|Sun) /.test(c.input)) continue;
        const formats = c.nginxFormat ? userFormats([c.nginxFormat]) : [];
        const got = parseLine(c.input, { pathHint: entry.file, formats });
        const diffs = comparable(entry.kind, c.expected, got);
        compared++;
        if (diffs.length > 0) mismatches.push(`${c.name}: ${diffs.map(([f, w, h]) => `${f} want ${JSON.stringify(w)} got ${JSON.stringify(h)}`).join('; ')}`);
      }
    }
    expect(compared).toBeGreaterThan(100);
    expect(mismatches).toEqual([]);
  });

  test('--format ndjson follows the event contract on every file', () => {
    const r = runCli(['analyze', ...files.map((f) => f.file), '--format', 'ndjson', '--tz', 'UTC']);
    expect(r.code).toBe(0);
    const events = r.stdout.trim().split('\n').map((l) => JSON.parse(l));
    const summary = events.pop();
    expect(summary.type).toBe('summary');
    expect(events.length).toBeGreaterThan(20);
    for (const ev of events) {
      expect(Object.keys(ev).sort()).toEqual(
        ['ts', 'file', 'line', 'source', 'cause', 'category', 'signature', 'status', 'upstream', 'client', 'request', 'host', 'message'].sort(),
      );
      expect(ev.ts === '' || !Number.isNaN(Date.parse(ev.ts))).toBe(true);
      expect(Number.isInteger(ev.line) && ev.line >= 1).toBe(true);
      expect(['nginx-access', 'nginx-error', 'apache-access', 'apache-error', 'php-fpm']).toContain(ev.source);
    }
  });
});
