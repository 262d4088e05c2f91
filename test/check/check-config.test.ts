import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { runCli } from '../helpers/cli';
import { describePeer, peerPath } from '../helpers/peer-corpus';
import { parseJunit, peerCaseLine, tempDir } from './helpers';

/** The config file: scopes restrict rules to files, and every bad key or value is one line, exit 2. */

function writeConfig(dir: string, config: unknown): string {
  const file = path.join(dir, 'upstream-doctor.json');
  fs.writeFileSync(file, typeof config === 'string' ? config : JSON.stringify(config, null, 2));
  return file;
}

describePeer('check --config with scopes (real nginx lines in a temp tree)', () => {
  let dir: string;
  beforeAll(() => {
    dir = tempDir();
    fs.mkdirSync(path.join(dir, 'a'));
    fs.mkdirSync(path.join(dir, 'b'));
    fs.writeFileSync(
      path.join(dir, 'a', 'error.log'),
      [
        peerCaseLine('grok_exporter/nginx_error.cases.json', 'no live upstreams while connecting to upstream'),
        peerCaseLine('mainevent/NginxError.cases.json', 'recv() failed (104: Connection reset by peer)'),
      ].join('\n') + '\n',
    );
    fs.copyFileSync(peerPath('elastic-beats/nginx/ingress_controller/test.log'), path.join(dir, 'b', 'access.log'));
  });

  test('scoped rules are measured on their files only; paths and globs are relative to the config file', () => {
    const config = writeConfig(dir, {
      $comment: 'CI gate for the capture job',
      paths: ['.'],
      forbid: ['category:dns'],
      max: { '502': 2 },
      scopes: [
        { name: 'proxy a', files: 'a/**', forbid: ['upstream-reset'] },
        { files: ['b/*.log'], max: { '502': '2' }, forbid: ['upstream-reset'], requireExplained: '0%' },
      ],
    });
    const junit = path.join(dir, 'report.xml');
    const r = runCli(['check', '--config', config, '--junit', junit]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(1);
    // Within a group, rules are listed by kind: max, max-rate, forbid, require-explained.
    expect(r.stdout).toMatch(/^rules\n {2}PASS {2}max 502=2 +measured 2, expected <= 2\n {2}PASS {2}forbid category:dns +measured 0/m);
    expect(r.stdout).toMatch(/^scope proxy a\n {2}FAIL {2}forbid upstream-reset +measured 1, expected none/m);
    // The reset is in a/, so the rule scoped to b/ holds though the same rule fails on a/.
    expect(r.stdout).toMatch(/^scope b\/\*\.log\n {2}PASS {2}max 502=2 +measured 2, expected <= 2\n {2}PASS {2}forbid upstream-reset +measured 0/m);
    expect(r.stdout).toContain(`${path.join(dir, 'a', 'error.log')}:2: recv() failed (104: Connection reset by peer)`);

    const report = parseJunit(fs.readFileSync(junit, 'utf8'));
    expect(report.suites.map((s) => [s.name, s.tests, s.failures])).toEqual([
      ['rules', 2, 0],
      ['scope proxy a', 1, 1],
      ['scope b/*.log', 3, 0],
    ]);
    expect(report.suites[1].cases[0]).toMatchObject({ classname: 'upstream-doctor.scope proxy a', name: 'forbid upstream-reset' });
    expect(report).toMatchObject({ tests: 6, failures: 1 });
  });

  test('command-line rules add to the config rules; PATH arguments replace its paths', () => {
    const config = writeConfig(dir, { paths: ['a'], forbid: ['category:dns'] });
    const r = runCli(['check', '--config', config, '--max', '502=0', path.join(dir, 'b')]);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/PASS {2}forbid category:dns/);
    expect(r.stdout).toMatch(/FAIL {2}max 502=0 +measured 2/);
  });

  test('a scope that matches no input is a usage error, not a silent pass', () => {
    const config = writeConfig(dir, { paths: ['.'], scopes: [{ name: 'typo', files: 'c/**', forbid: ['5xx'] }] });
    const r = runCli(['check', '--config', config]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe(`upstream-doctor: scope "typo" matches none of the 2 input files (globs are relative to ${dir})\n`);
  });
});

describe('check: every bad config, rule or baseline value is one line and exit 2', () => {
  let dir: string;
  let log: string;
  beforeAll(() => {
    dir = tempDir();
    log = path.join(dir, 'access.log');
    // An empty log is enough here: every case fails before any rule is measured.
    fs.writeFileSync(log, '');
  });

  const cases: [string, unknown, string][] = [
    ['unknown key', { maxrate: { '5xx': '1%' } }, 'maxrate: unknown key (expected one of paths, baseline, scopes, max, maxRate, forbid, requireExplained)'],
    ['selector typo in a scope', { scopes: [{ files: '*.log', max: { 'upstream-refusd': 0 } }] }, 'scopes[0].max.upstream-refusd: "upstream-refusd" is not a known selector; did you mean "upstream-refused"?'],
    ['rate without %', { maxRate: { '5xx': 0.5 } }, 'maxRate.5xx: "0.5" is not a percentage between 0% and 100% (e.g. 0.5%)'],
    ['negative count', { max: { '502': -1 } }, 'max.502: -1 is not a whole number >= 0'],
    ['unknown category', { forbid: ['category:dsn'] }, 'forbid[0]: "category:dsn": unknown category "dsn" (one of application, client, dns, network, overload, permission, proxy-config, proxy-limits, timeout, tls, unknown, upstream-crash, upstream-down)'],
    ['percentage over 100', { requireExplained: '101%' }, 'requireExplained: "101%" is not a percentage between 0% and 100% (e.g. 0.5%)'],
    ['scope without files', { scopes: [{ forbid: ['5xx'] }] }, 'scopes[0].files: missing: the glob(s) of the files this scope applies to'],
    ['scope without rules', { scopes: [{ files: ['*.log'] }] }, 'scopes[0]: has no rules (give one of max, maxRate, forbid, requireExplained)'],
    ['unknown key in a scope', { scopes: [{ files: '*.log', forbid: '5xx', glob: 'x' }] }, 'scopes[0].glob: unknown key (expected one of name, files, max, maxRate, forbid, requireExplained)'],
    ['scopes not a list', { scopes: { files: '*.log' } }, 'scopes: expected a list of scopes, got {"files":"*.log"}'],
    ['not an object', '[1, 2]', 'expected a JSON object at the top level'],
  ];
  test.each(cases)('config: %s', (_name, config, message) => {
    const file = writeConfig(dir, config);
    const r = runCli(['check', log, '--config', file]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe(`upstream-doctor: ${file}: ${message}\n`);
  });

  test('config: invalid JSON names the file', () => {
    const file = writeConfig(dir, '{"max": {"502": 1,}}');
    const r = runCli(['check', log, '--config', file]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(new RegExp(`^upstream-doctor: ${file.replace(/[.]/g, '\\.')}: not valid JSON \\(.+\\)\\n$`));
  });

  test('config: a missing file', () => {
    const r = runCli(['check', log, '--config', path.join(dir, 'nope.json')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(`upstream-doctor: ${path.join(dir, 'nope.json')}: cannot read the config file (no such file or directory)\n`);
  });

  const options: [string[], string][] = [
    [['--max', '502'], '--max: "502" is not SELECTOR=VALUE (e.g. 502=10)'],
    [['--max', '502=ten'], '--max: "ten" is not a whole number >= 0'],
    [['--max-rate', '5xx=0.5'], '--max-rate: "0.5" is not a percentage between 0% and 100% (e.g. 0.5%)'],
    [['--forbid', 'upstream-reste'], '--forbid: "upstream-reste" is not a known selector; did you mean "upstream-reset"?'],
    [['--require-explained', '95'], '--require-explained: "95" is not a percentage between 0% and 100% (e.g. 0.5%)'],
    [[], 'no rules to check: give --max, --max-rate, --forbid, --require-explained, --baseline or --config'],
    [['--update-baseline'], '--update-baseline: name the file with --baseline FILE (or "baseline" in the config)'],
  ];
  test.each(options)('command line: %j', (args, message) => {
    const r = runCli(['check', log, ...args]);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(`upstream-doctor: ${message}\n`);
  });

  test('baseline: a missing file says how to record one', () => {
    const file = path.join(dir, 'missing-baseline.json');
    const r = runCli(['check', log, '--baseline', file]);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(`upstream-doctor: ${file}: cannot read the baseline (no such file or directory; record one with --update-baseline)\n`);
  });

  test.each([
    [{ upstreamDoctorBaseline: 1, causes: { 'upstream-refusd': { count: 1 } } }, 'causes.upstream-refusd: unknown cause'],
    [{ upstreamDoctorBaseline: 1, causes: { 'upstream-reset': { count: 1.5 } } }, 'causes.upstream-reset.count: "1.5" is not a whole number >= 0'],
    [{ upstreamDoctorBaseline: 1, tolerance: { relative: 10 }, causes: {} }, 'tolerance.relative: "10" is not a percentage between 0% and 100% (e.g. 0.5%)'],
    [{ causes: {} }, 'not an upstream-doctor baseline (expected "upstreamDoctorBaseline": 1); write one with --update-baseline'],
  ])('baseline: %j', (content, message) => {
    const file = path.join(dir, 'bad-baseline.json');
    fs.writeFileSync(file, JSON.stringify(content));
    const r = runCli(['check', log, '--baseline', file]);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(`upstream-doctor: ${file}: ${message}\n`);
  });

  test.each([['--junit'], ['--baseline']])('%s to a path that cannot be written: exit 2 naming it, before any input is read', (option) => {
    const target = path.join(dir, 'no-such-dir', 'out');
    const args = option === '--junit' ? ['--forbid', '5xx', '--junit', target] : ['--baseline', target, '--update-baseline'];
    // A FIFO no one writes: reading it would wait for ever, so the run must stop before it does.
    const fifo = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'ud-check-fifo-')), 'access.log');
    expect(spawnSync('mkfifo', [fifo]).status).toBe(0);
    const r = runCli(['check', fifo, ...args]);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(`upstream-doctor: ${target}: cannot write (no such file or directory)\n`);
    // a directory where the file should be: refused before the inputs too (a baseline to update is read first)
    const asDir = fs.mkdtempSync(path.join(os.tmpdir(), 'ud-check-out-'));
    const onDir = runCli(['check', fifo, ...args.map((a) => (a === target ? asDir : a))]);
    const why = option === '--junit' ? 'cannot write (is a directory)' : 'cannot read the baseline (is a directory)';
    expect([onDir.code, onDir.stderr]).toEqual([2, `upstream-doctor: ${asDir}: ${why}\n`]);
  });

  test('unreadable input: exit 2 naming the path', () => {
    const r = runCli(['check', path.join(dir, 'absent.log'), '--forbid', '5xx']);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(`upstream-doctor: ${path.join(dir, 'absent.log')}: no such file or directory\n`);
  });

  test('input with no line of a known format: exit 2 rather than a vacuous pass', () => {
    const junk = path.join(dir, 'junk.log');
    fs.writeFileSync(junk, 'hello\nworld\n');
    const r = runCli(['check', junk, '--forbid', '5xx']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^upstream-doctor: none of the 2 lines read is a log line of a known format/);
  });
});
