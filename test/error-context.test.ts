import * as fs from 'fs';
import * as path from 'path';
import { ROOT, runNdjson } from './helpers/cli';

/**
 * An nginx error log read alone (no access log to join): each failure event still names the
 * client, request, upstream and host its line gives. The parser leaves a line's context undecoded
 * when the catalogue counts it as evidence only, so a failure losing its context would go unseen
 * by any test that looks at causes and joins alone.
 */

const FILE = path.join('fixtures', 'nginx', 'error.log');

/** `, key: value` of the captured line, read here with a pattern of the test's own. */
function contextOf(line: string, key: string): string | null {
  const m = new RegExp(`, ${key}: ("?)(.*?)\\1(?:, [a-z]+: |$)`).exec(line);
  return m ? m[2] : null;
}

test('every failure event of the captured nginx error log carries the context its line gives', () => {
  const lines = fs.readFileSync(path.join(ROOT, FILE), 'utf8').split('\n');
  const events = runNdjson(['analyze', FILE]).filter((e) => e.source === 'nginx-error');
  expect(events.length).toBeGreaterThan(20);
  const cidOf = (l: string) => /^\S+ \S+ \[\w+\] \d+#\d+: \*(\d+) /.exec(l)?.[1] ?? null;
  let withUpstream = 0;
  for (const ev of events) {
    const line = lines[ev.line - 1];
    for (const key of ['client', 'request', 'host'] as const) {
      const want = contextOf(line, key);
      if (want !== null) expect({ line: ev.line, [key]: ev[key] }).toEqual({ line: ev.line, [key]: want });
    }
    // a request's attempts share its *CID; the event names the first attempt's upstream
    const cid = cidOf(line);
    const upstreams = lines.filter((l) => cid !== null && cidOf(l) === cid).map((l) => contextOf(l, 'upstream'));
    if (contextOf(line, 'upstream') !== null) {
      expect({ line: ev.line, upstream: upstreams.includes(ev.upstream) }).toEqual({ line: ev.line, upstream: true });
      withUpstream++;
    }
  }
  expect(withUpstream).toBeGreaterThan(events.length / 2);
});
