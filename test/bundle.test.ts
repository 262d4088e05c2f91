import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { CLI, LAUNCHER, ROOT } from './helpers/cli';
import { BUNDLE_ID_PREFIX } from '../src/cli/launch';

/**
 * bin/upstream-doctor runs dist/cli/bundle.js (scripts/bundle.js) from V8's code cache
 * (src/cli/launch.ts). The bundle must do what the modules in dist/ do, and a cache that is
 * missing, stale, corrupt or made under other flags must only cost time.
 */

const BUNDLE = path.join(ROOT, 'dist', 'cli', 'bundle.js');
const FIXTURES = path.join(ROOT, 'fixtures');

function cacheOf(dist: string): string {
  const src = fs.readFileSync(path.join(dist, 'cli', 'bundle.js'), 'latin1');
  const id = src.slice(src.lastIndexOf(BUNDLE_ID_PREFIX) + BUNDLE_ID_PREFIX.length).trim();
  return path.join(dist, 'cli', `bundle.js.${id}.cache`);
}

/** The V8 flags the launcher starts node with. */
function launcherFlags(): string[] {
  const m = /\bexec node ((?:--[\w-]+(?:=\S+)? ?)+) "\$0"/.exec(fs.readFileSync(LAUNCHER, 'utf8'));
  expect(m).not.toBeNull();
  return m![1].trim().split(' ');
}

function run(cmd: string, args: string[], env: Record<string, string> = {}) {
  const r = spawnSync(cmd, args, { cwd: ROOT, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1', ...env }, timeout: 60_000 });
  // the run's own time is the only thing that differs between two runs of a report
  const same = (s: string) => s.replace(/"generatedAt": "[^"]*"/g, '"generatedAt": ""');
  return { code: r.status, stdout: same(r.stdout), stderr: r.stderr };
}

/** A copy of the package: bin/, dist/ and package.json, with the project's node_modules. */
function packageCopy(): { root: string; launcher: string; dist: string } {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'ud-bundle-'));
  fs.cpSync(path.join(ROOT, 'bin'), path.join(root, 'bin'), { recursive: true });
  fs.cpSync(path.join(ROOT, 'dist'), path.join(root, 'dist'), { recursive: true });
  fs.copyFileSync(path.join(ROOT, 'package.json'), path.join(root, 'package.json'));
  fs.symlinkSync(path.join(ROOT, 'node_modules'), path.join(root, 'node_modules'));
  return { root, launcher: path.join(root, 'bin', 'upstream-doctor'), dist: path.join(root, 'dist') };
}

const CASES: [string, string[], Record<string, string>?][] = [
  ['a JSON report', ['analyze', path.join(FIXTURES, 'nginx'), path.join(FIXTURES, 'apache'), '--format', 'json']],
  ['a table', ['analyze', path.join(FIXTURES, 'nginx')]],
  ['--jobs 2 (the worker thread)', ['analyze', path.join(FIXTURES, 'nginx'), path.join(FIXTURES, 'apache'), '--jobs', '2', '--format', 'json']],
  ['help', ['analyze', '--help']],
  ['--version (read from package.json)', ['--version']],
  ['a usage error', ['analyze', path.join(FIXTURES, 'nginx'), '--bogus']],
  // yargs' translations are found where the package is installed, not beside the bundle
  ['help in German', ['analyze', '--help'], { LANG: 'de_DE.UTF-8' }],
  ['a usage error in German', ['analyze', '--bogus'], { LANG: 'de_DE.UTF-8' }],
];

describe('the bundle', () => {
  test('is ASCII, and its last line names its cache, which is there', () => {
    const bytes = fs.readFileSync(BUNDLE);
    expect(bytes.every((b) => b < 0x80)).toBe(true);
    expect(fs.existsSync(cacheOf(path.join(ROOT, 'dist')))).toBe(true);
  });

  test.each(CASES)('%s: the launcher prints what the modules in dist/ print', (_, args, env = {}) => {
    const bundled = run(LAUNCHER, args, env);
    const modules = run(process.execPath, [CLI, ...args], env);
    expect(bundled).toEqual(modules);
    if (env.LANG) expect(bundled.stdout + bundled.stderr).toMatch(/Optionen|Unbekannt/);
  });

  test('is what the launcher runs: dist/cli/main.js is not loaded', () => {
    const copy = packageCopy();
    try {
      fs.writeFileSync(path.join(copy.dist, 'cli', 'main.js'), "throw new Error('main.js loaded');\n");
      expect(run(copy.launcher, CASES[0][1])).toEqual(run(process.execPath, [CLI, ...CASES[0][1]]));
    } finally {
      fs.rmSync(copy.root, { recursive: true, force: true });
    }
  });

  test("keeps node's modules that the code requires when used unloaded until then (zlib, worker_threads)", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ud-bundle-'));
    try {
      const list = path.join(dir, 'modules.txt');
      const hook = path.join(dir, 'hook.js');
      fs.writeFileSync(hook, `process.on('exit', () => require('fs').writeFileSync(${JSON.stringify(list)}, process.moduleLoadList.join('\\n')));\n`);
      const loaded = (args: string[]) => {
        expect(run(LAUNCHER, args, { NODE_OPTIONS: `--require ${hook}` }).code).toBe(0);
        return fs.readFileSync(list, 'utf8').split('\n');
      };
      const plain = loaded(['analyze', path.join(FIXTURES, 'nginx', 'access.log'), '--format', 'json', '--jobs', '1']);
      expect(plain).not.toContain('NativeModule zlib');
      expect(plain).not.toContain('NativeModule worker_threads');
      const gz = path.join(dir, 'access.log.gz');
      fs.writeFileSync(gz, require('zlib').gzipSync(fs.readFileSync(path.join(FIXTURES, 'nginx', 'access.log'))));
      expect(loaded(['analyze', gz, '--format', 'json'])).toContain('NativeModule zlib');
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test("V8 takes the cache under the launcher's flags, and refuses it under others", () => {
    const check = `
      const L = require(${JSON.stringify(path.join(ROOT, 'dist', 'cli', 'launch.js'))});
      const src = L.readBundle(L.BUNDLE);
      const script = L.compileBundle(L.BUNDLE, src, require('fs').readFileSync(L.cacheFileOf(L.BUNDLE, src)));
      process.stdout.write(String(script.cachedDataRejected));`;
    expect(run(process.execPath, [...launcherFlags(), '-e', check]).stdout).toBe('false');
    expect(run(process.execPath, ['-e', check]).stdout).toBe('true');
  });

  describe('a cache that does not fit costs time, not results', () => {
    const json = CASES[0][1];
    const expected = run(process.execPath, [CLI, ...json]);

    test.each([
      ['missing', (cache: string) => fs.rmSync(cache)],
      ['corrupt', (cache: string) => {
        // same length, so V8's own length check passes: the checksum must catch it
        const b = fs.readFileSync(cache);
        for (let i = b.length >> 1; i < (b.length >> 1) + 256; i++) b[i] ^= 0x5a;
        fs.writeFileSync(cache, b);
      }],
      ['cut short', (cache: string) => fs.writeFileSync(cache, fs.readFileSync(cache).subarray(0, 4096))],
      ['empty', (cache: string) => fs.writeFileSync(cache, '')],
      ['of another bundle', (cache: string) => {
        // a bundle built anew, changed by one character (a constant, say): same length, another name
        const file = path.join(path.dirname(cache), 'bundle.js');
        const src = fs.readFileSync(file, 'latin1');
        const at = src.lastIndexOf('`upstream-doctor: ${'); // main's, for usage errors: the entry comes last
        expect(at).toBeGreaterThan(0);
        const changed = `${src.slice(0, at)}\`upstream-doctor! ${src.slice(at + 18, src.lastIndexOf(BUNDLE_ID_PREFIX))}`;
        fs.writeFileSync(file, `${changed}${BUNDLE_ID_PREFIX}0123456789abcdef\n`, 'latin1');
        expect(fs.statSync(file).size).toBe(src.length);
      }],
    ])('%s', (name, spoil) => {
      const copy = packageCopy();
      try {
        spoil(cacheOf(copy.dist));
        const r = run(copy.launcher, json);
        expect(r.stderr).toBe('');
        expect(r).toEqual(expected);
        if (name === 'of another bundle') {
          // the changed bundle runs (its cache is refused, not its code), and it is the one that ran
          expect(run(copy.launcher, ['analyze', '/nonexistent/x.log']).stderr).toMatch(/^upstream-doctor! /);
        }
      } finally {
        fs.rmSync(copy.root, { recursive: true, force: true });
      }
    });
  });

  test('without a bundle (a tsc build alone), the launcher runs the modules', () => {
    const copy = packageCopy();
    try {
      for (const f of fs.readdirSync(path.join(copy.dist, 'cli'))) {
        if (f.startsWith('bundle.js')) fs.rmSync(path.join(copy.dist, 'cli', f));
      }
      expect(run(copy.launcher, CASES[0][1])).toEqual(run(process.execPath, [CLI, ...CASES[0][1]]));
    } finally {
      fs.rmSync(copy.root, { recursive: true, force: true });
    }
  });
});
