import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { runCli } from './helpers/cli';
import { peerLogFile } from './helpers/peer-cases';
import { describePeer, peerIndex } from './helpers/peer-corpus';

/**
 * Over the whole peer corpus (read in place; case files written to a temp dir, never the repo),
 * no upstream-related error line may be `unclassified` unless docs/diagnosis.md lists it as a
 * known gap. KNOWN_GAPS holds those lines' message prefixes, with the reason.
 */

const KNOWN_GAPS: Record<string, string> = {};

describePeer('peer corpus: upstream-related error lines', () => {
  let events: any[] = [];
  let summary: any;
  beforeAll(() => {
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'ud-peer-up-'));
    const files = peerIndex().map((e) => peerLogFile(e, tmp));
    const r = runCli(['analyze', ...files, '--format', 'ndjson', '--tz', 'UTC']);
    expect(r.code).toBe(0);
    events = r.stdout.trim().split('\n').map((l) => JSON.parse(l));
    summary = events.pop();
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  test('no error line is unclassified unless it is a listed gap', () => {
    const unclassified = events
      .filter((e) => e.cause === 'unclassified')
      .filter((e) => !Object.keys(KNOWN_GAPS).some((g) => e.message.startsWith(g)))
      .map((e) => `${path.basename(e.file)}:${e.line}: ${e.message.slice(0, 120)}`);
    expect(unclassified).toEqual([]);
  });

  test('the upstream failures the corpus holds are diagnosed (PROVENANCE.md counts them)', () => {
    const errors = events.filter((e) => e.source.endsWith('-error'));
    const bySignature = (id: string) => errors.filter((e) => e.signature === id).length;
    // vrl: connect() 113; mainevent: recv() 104; grok_exporter: no live upstreams, premature close
    expect(bySignature('nginx-connect-host-unreachable')).toBeGreaterThanOrEqual(1);
    expect(bySignature('nginx-recv-reset-header')).toBeGreaterThanOrEqual(1);
    expect(bySignature('nginx-no-live-upstreams')).toBeGreaterThanOrEqual(1);
    expect(bySignature('nginx-premature-close-sending-to-client')).toBeGreaterThanOrEqual(1);
    // hotsos: AH00957 with (111), 3 + 8 lines; in the glance log each is followed by AH01114
    expect(bySignature('apache-connect-refused')).toBeGreaterThanOrEqual(11);
    const glance = errors.filter((e) => e.signature === 'apache-connect-refused' && e.file.includes('glance'));
    expect(glance.length).toBe(8);
    for (const e of glance) expect(e.evidence).toContain('apache-http-no-backend-connection');
    // logstash-patterns-core: AH01075 (70008, reading input brigade) and AH01071 Primary script unknown
    expect(bySignature('apache-fcgi-client-body-failed')).toBe(1);
    expect(bySignature('apache-fcgi-primary-script-unknown')).toBe(1);
    // informational lines are evidence, not failures
    const evidence = Object.fromEntries(summary.evidence.map((e: any) => [e.signature, e.count]));
    expect(evidence['nginx-buffered-to-temp-file']).toBeGreaterThanOrEqual(2);
  });
});
