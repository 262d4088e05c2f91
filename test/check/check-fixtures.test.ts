import * as fs from 'fs';
import * as path from 'path';
import { ROOT, runCli, runJson, runNdjson } from '../helpers/cli';
import { FIXTURES, describeFixtures, fixtureFiles, parseJunit, tempDir } from './helpers';

/**
 * `check` on the logs captured from real nginx, Apache httpd and PHP-FPM (fixtures/, see
 * fixtures/capture/). What the servers answered comes from expected.json (the capture's record of
 * every request); what the diagnosis found comes from `analyze` on the same files, since `check`
 * must measure exactly what `analyze` reports.
 */

interface ExpectedRequest {
  status: number;
  cause: string | null;
}

const rel = (f: string) => path.relative(ROOT, f);

for (const server of ['nginx', 'apache'] as const) {
  describeFixtures(server, `check on the captured ${server} logs`, () => {
    let files: string[];
    let args: string[];
    let requests: ExpectedRequest[];
    let doc: any;
    let events: any[];
    beforeAll(() => {
      files = fixtureFiles(server);
      args = files.map(rel); // as a CI job passes them: relative to the checkout
      requests = JSON.parse(fs.readFileSync(path.join(FIXTURES, server, 'expected.json'), 'utf8')).requests;
      doc = runJson(['analyze', ...args]);
      events = runNdjson(['analyze', ...args]).filter((e) => e.type !== 'summary');
    });

    /** The most frequent 5xx the server answered, with how often (from expected.json). */
    function commonest5xx(): [number, number] {
      const counts = new Map<number, number>();
      for (const r of requests) if (r.status >= 500 && r.status < 600) counts.set(r.status, (counts.get(r.status) ?? 0) + 1);
      return [...counts.entries()].sort((a, b) => b[1] - a[1] || a[0] - b[0])[0];
    }

    test('status rules measure what the server answered, and hold at the exact counts', () => {
      const [status, n] = commonest5xx();
      const n5xx = requests.filter((r) => r.status >= 500 && r.status < 600).length;
      const ratePercent = Math.ceil((n5xx / requests.length) * 10000) / 100; // rounded up to 0.01%
      const r = runCli(['check', ...args, '--max', `${status}=${n}`, '--max', `5xx=${n5xx}`, '--max-rate', `5xx=${ratePercent}%`]);
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      expect(r.stdout).toContain(`PASS  max ${status}=${n}`);
      expect(r.stdout).toMatch(new RegExp(`max ${status}=${n} +measured ${n}, expected <= ${n}`));
      expect(r.stdout).toMatch(new RegExp(`max 5xx=${n5xx} +measured ${n5xx},`));
      expect(r.stdout).toContain(`(${n5xx} of ${requests.length} requests)`);
    });

    test('one below the count fails, pointing at the first access-log lines with that status', () => {
      const [status, n] = commonest5xx();
      const r = runCli(['check', ...args, '--max', `${status}=${n - 1}`, '--github']);
      expect(r.code).toBe(1);
      expect(r.stdout).toMatch(new RegExp(`FAIL  max ${status}=${n - 1} +measured ${n}, expected <= ${n - 1}`));
      const access = fs.readFileSync(files[0], 'utf8').split('\n');
      const want = access.flatMap((l, i) => (l.includes(`" ${status} `) ? [i + 1] : [])).slice(0, 5);
      expect(want.length).toBeGreaterThan(0);
      const annotated = [...r.stdout.matchAll(/^::error file=([^,]*),line=(\d+),/gm)].map((m) => [m[1], Number(m[2])]);
      expect(annotated).toEqual(want.map((line) => [args[0], line]));
    });

    test('cause rules measure what analyze reports; the first offending line is the first such event', () => {
      const top = doc.causes[0];
      expect(top.count).toBeGreaterThan(0);
      const ok = runCli(['check', ...args, '--max', `${top.cause}=${top.count}`, '--max', `category:${top.category}=${doc.causes.filter((c: any) => c.category === top.category).reduce((a: number, c: any) => a + c.count, 0)}`]);
      expect(ok.code).toBe(0);
      const bad = runCli(['check', ...args, '--forbid', top.cause]);
      expect(bad.code).toBe(1);
      expect(bad.stdout).toMatch(new RegExp(`FAIL  forbid ${top.cause} +measured ${top.count}, expected none`));
      const first = events.find((e) => e.cause === top.cause);
      expect(bad.stdout).toContain(`          ${first.file}:${first.line}: `);
    });

    test('--require-explained: the share analyze reports holds; without the error logs nothing is explained', () => {
      const share: number | null = doc.correlation.explainedShare;
      expect(share).not.toBeNull(); // the capture produced 502/504s
      const floor = Math.floor(share! * 100);
      const ok = runCli(['check', ...args, '--require-explained', `${floor}%`]);
      expect(ok.code).toBe(0);
      expect(ok.stdout).toContain(`(${doc.correlation.explained} of ${doc.correlation.gatewayFailures} explained)`);
      if (share! < 1) expect(runCli(['check', ...args, '--require-explained', `${floor + 1}%`]).code).toBe(1);
      const alone = runCli(['check', args[0], '--require-explained', '1%']);
      expect(alone.code).toBe(1);
      expect(alone.stdout).toContain(`measured 0% (0 of ${doc.correlation.gatewayFailures} explained)`);
    });

    test('JUnit report of a mixed rule set: one testcase per rule, failures where rules broke', () => {
      const [status, n] = commonest5xx();
      const out = path.join(tempDir(), 'junit.xml');
      const r = runCli(['check', ...args, '--max', `${status}=${n}`, '--max', `${status}=0`, '--forbid', doc.causes[0].cause, '--forbid', '1xx', '--junit', out]);
      expect(r.code).toBe(1);
      const report = parseJunit(fs.readFileSync(out, 'utf8'));
      expect(report).toMatchObject({ tests: 4, failures: 2 });
      expect(report.suites[0].cases.map((c) => [c.name, Boolean(c.failure)])).toEqual([
        [`max ${status}=${n}`, false],
        [`max ${status}=0`, true],
        [`forbid ${doc.causes[0].cause}`, true],
        ['forbid 1xx', false],
      ]);
    });

    test('baseline round trip: record, pass; one more real failure line fails; tolerance accepts it', () => {
      // Under a directory named for the server, as the originals: detection takes the path as a hint.
      const work = path.join(tempDir(), server);
      fs.mkdirSync(work);
      const copies = files.map((f) => {
        const to = path.join(work, path.basename(f));
        fs.copyFileSync(f, to);
        return to;
      });
      const baseline = path.join(work, 'baseline.json');
      const rec = runCli(['check', ...copies, '--baseline', baseline, '--update-baseline']);
      expect(rec.code).toBe(0);
      const recorded = JSON.parse(fs.readFileSync(baseline, 'utf8'));
      expect(Object.keys(recorded.causes)).toEqual(doc.causes.map((c: any) => c.cause).sort());
      for (const c of doc.causes) expect(recorded.causes[c.cause]).toEqual({ count: c.count });
      expect(runCli(['check', ...copies, '--baseline', baseline]).code).toBe(0);

      // Append a copy of a real failed request (the first gateway failure the server logged).
      const failed = events.find((e) => e.source.endsWith('-access') && (e.status === 502 || e.status === 504));
      const line = fs.readFileSync(path.join(ROOT, failed.file), 'utf8').split('\n')[failed.line - 1];
      fs.appendFileSync(copies[0], line + '\n');
      const r = runCli(['check', ...copies, '--baseline', baseline]);
      expect(r.code).toBe(1);
      const fails = [...r.stdout.matchAll(/FAIL {2}baseline (\S+) +measured (\d+)(?: \(new cause\))?, expected (?:<= (\d+)|not in the baseline: 0)/g)];
      expect(fails).toHaveLength(1);
      const [, cause, measured, allowed] = fails[0];
      expect(Number(measured)).toBe((recorded.causes[cause]?.count ?? 0) + 1);
      if (allowed !== undefined) expect(Number(allowed)).toBe(recorded.causes[cause].count);
      // It points at the first lines of that cause, as analyze finds them in the originals.
      const first = events.find((e) => e.cause === cause);
      expect(r.stdout).toContain(`          ${path.join(work, path.basename(first.file))}:${first.line}: `);

      if (recorded.causes[cause]) {
        fs.writeFileSync(baseline, JSON.stringify({ ...recorded, tolerance: { absolute: 1 } }));
        expect(runCli(['check', ...copies, '--baseline', baseline]).code).toBe(0);
      }
    });
  });
}

describeFixtures('nginx', 'check --config scoping the nginx and apache captures with absolute globs', () => {
  test('each scope sees only its server: a rule that fails on one server holds on the other', () => {
    const apacheOnly = JSON.parse(fs.readFileSync(path.join(FIXTURES, 'apache', 'expected.json'), 'utf8')).requests.filter(
      (r: ExpectedRequest) => r.status === 503,
    ).length;
    const nginx503 = JSON.parse(fs.readFileSync(path.join(FIXTURES, 'nginx', 'expected.json'), 'utf8')).requests.filter(
      (r: ExpectedRequest) => r.status === 503,
    ).length;
    expect(nginx503).toBe(0); // nginx answers 502/504 where Apache answers 503
    expect(apacheOnly).toBeGreaterThan(0);
    const dir = tempDir();
    const config = path.join(dir, 'upstream-doctor.json');
    fs.writeFileSync(
      config,
      JSON.stringify({
        paths: [...fixtureFiles('nginx'), ...fixtureFiles('apache')],
        scopes: [
          { name: 'nginx', files: `${FIXTURES}/nginx/*`, forbid: '503' },
          { name: 'apache', files: `${FIXTURES}/apache/*`, forbid: '503' },
        ],
      }),
    );
    const r = runCli(['check', '--config', config]);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^scope nginx\n {2}PASS {2}forbid 503 +measured 0/m);
    expect(r.stdout).toMatch(new RegExp(`^scope apache\\n {2}FAIL {2}forbid 503 +measured ${apacheOnly}, expected none`, 'm'));
  });
});
