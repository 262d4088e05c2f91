import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { CLI } from '../helpers/cli';
// eslint-disable-next-line @typescript-eslint/no-var-requires
const { writeLogs } = require('../../scripts/synth-logs');

/**
 * The CLI on a real pseudo-terminal (util-linux `script`), where the table gets colour and box
 * drawing and stderr gets the progress bar. Skipped when `script` is absent.
 */

const haveScript = fs.existsSync('/usr/bin/script');
if (!haveScript) console.warn('tty.test: skipped, /usr/bin/script (util-linux) not found'); // eslint-disable-line no-console
const maybe = haveScript ? test : test.skip;

let dir: string;
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ud-tty-'));
  writeLogs(dir, { start: Date.parse('2024-11-16T13:00:00Z'), minutes: 60, burst: { from: 30, to: 40, perMinute: 30 } });
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

function onPty(env: Record<string, string>, args: string[]): string {
  const cmd = [process.execPath, CLI, 'analyze', dir, '--tz', 'UTC', ...args].map((a) => `'${a}'`).join(' ');
  const base = { ...process.env };
  delete base.NO_COLOR;
  const r = spawnSync('/usr/bin/script', ['-qec', cmd, '/dev/null'], { env: { ...base, ...env }, encoding: 'utf8' });
  return r.stdout;
}

maybe('on a terminal: colour, box drawing, and a progress bar that is erased before the report', () => {
  const out = onPty({}, []);
  expect(out).toMatch(/\x1b\[1mupstream-doctor\x1b\[0m/);
  expect(out).toMatch(/┌/);
  // the bar may be skipped on a fast run (redrawn at most every 200 ms); if drawn it is erased
  if (out.includes('lines/s')) expect(out).toMatch(/lines\/s[^\n]*\r\x1b\[K/);
});

maybe('NO_COLOR on a terminal: no colour, boxes stay; --no-boxes removes them', () => {
  const out = onPty({ NO_COLOR: '1' }, []);
  expect(out).not.toMatch(/\x1b\[(1|31|33|2)m/);
  expect(out).toMatch(/┌/);
  const plain = onPty({ NO_COLOR: '1' }, ['--no-boxes', '--no-progress']);
  expect(plain).not.toMatch(/[┌│]/);
  expect(plain).not.toMatch(/lines\/s/);
});
