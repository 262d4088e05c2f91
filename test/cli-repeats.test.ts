import { runCli, runJson } from './helpers/cli';
import { EXIT } from '../src/cli/exit-codes';

/**
 * An option given twice keeps its last value (a wrapper's default, then the user's), except the
 * repeatable ones, which keep every value. Before, the repeats reached the checks joined
 * (`--jobs: "3,1" is neither …`).
 */
describe('options given more than once', () => {
  test('a single-value option keeps the last value', () => {
    const doc = runJson(['analyze', 'fixtures/nginx', '--jobs', '3', '--jobs', '1', '--bucket', '1h', '--bucket', '5m', '--display-tz', 'UTC', '--display-tz', 'Asia/Kolkata']);
    expect(doc.timeline.bucket).toBe('5m');
    expect(doc.displayZone).toBe('Asia/Kolkata');
  });

  test('the last value is checked: a bad first value does not matter, a bad last one does', () => {
    expect(runCli(['analyze', 'fixtures/nginx', '--jobs', 'x', '--jobs', '2', '--format', 'json']).code).toBe(EXIT.OK);
    const r = runCli(['analyze', 'fixtures/nginx', '--jobs', '2', '--jobs', 'x']);
    expect(r.code).toBe(EXIT.USAGE);
    expect(r.stderr).toBe('upstream-doctor: --jobs: "x" is neither a positive number nor auto\n');
  });

  test('a repeatable option keeps every value: two --max rules are both checked', () => {
    const r = runCli(['check', 'fixtures/nginx', '--max', '502=0', '--max', '504=0']);
    expect(r.code).toBe(EXIT.RULE_VIOLATED);
    expect(r.stdout).toMatch(/2 of 2 rules violated/);
  });
});
