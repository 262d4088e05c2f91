import { spawn, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { LAUNCHER, ROOT } from './helpers/cli';
import { EXIT } from '../src/cli/exit-codes';

/**
 * bin/upstream-doctor is a shell line that execs node on itself with start-up V8 flags. It must
 * hand over every argument byte for byte and the exit code, and the process it leaves running
 * must be node with the flags (tail under a service manager: the PID is node's own).
 */
describe('the package command (bin/upstream-doctor)', () => {
  test('arguments with spaces, quotes and $ reach the CLI unchanged', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ud launcher 'q' $HOME "));
    const file = path.join(dir, 'a "b" $x.log');
    fs.copyFileSync(path.join(ROOT, 'fixtures', 'nginx', 'access.log'), file);
    const r = spawnSync(LAUNCHER, ['analyze', file, '--format', 'json'], { encoding: 'utf8' });
    expect(r.status).toBe(EXIT.OK);
    const doc = JSON.parse(r.stdout);
    expect(doc.files.map((f: { path: string }) => f.path)).toEqual([file]);
    expect(doc.files[0].parsed).toBe(fs.readFileSync(file, 'utf8').split('\n').filter((l) => l !== '').length);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  test('the exit code comes through: a missing file is a usage error', () => {
    const r = spawnSync(LAUNCHER, ['analyze', path.join(os.tmpdir(), 'ud-no-such-dir', 'x.log')], { encoding: 'utf8' });
    expect(r.status).toBe(EXIT.USAGE);
    expect(r.stderr).toMatch(/^upstream-doctor: .*ud-no-such-dir/);
  });

  test("node is not made to load NODE_EXTRA_CA_CERTS' certificates (the program opens no TLS connection)", () => {
    // node warns at start-up when the file that variable names cannot be loaded: proof that it tried
    const missing = path.join(os.tmpdir(), 'ud-no-such-dir', 'ca.pem');
    const plain = spawnSync(process.execPath, ['-e', '0'], { encoding: 'utf8', env: { ...process.env, NODE_EXTRA_CA_CERTS: missing } });
    expect(plain.stderr).toContain('extra certs');
    const r = spawnSync(LAUNCHER, ['analyze', path.join(ROOT, 'fixtures', 'nginx', 'access.log'), '--format', 'json'], {
      encoding: 'utf8',
      env: { ...process.env, NODE_EXTRA_CA_CERTS: missing },
    });
    expect(r.status).toBe(EXIT.OK);
    expect(r.stderr).not.toContain('extra certs');
    expect(JSON.parse(r.stdout).files[0].parsed).toBeGreaterThan(0);
  });

  const linux = fs.existsSync('/proc/self/cmdline') ? test : test.skip;
  linux('the running process is node itself, with its V8 flags and glibc thresholds', async () => {
    const proc = spawn(LAUNCHER, ['tail', path.join(ROOT, 'fixtures', 'nginx', 'access.log')], { stdio: ['ignore', 'pipe', 'pipe'] });
    try {
      // once it reports, the exec is done and the CLI runs
      await new Promise<void>((resolve, reject) => {
        proc.stderr.on('data', (d: Buffer) => d.toString().includes('following') && resolve());
        proc.on('exit', (code) => reject(new Error(`tail exited ${code}`)));
      });
      const argv = fs.readFileSync(`/proc/${proc.pid}/cmdline`, 'utf8').split('\0');
      expect(path.basename(argv[0])).toMatch(/^node/);
      expect(argv).toContain('--max-semi-space-size=8');
      // without it a compile job and the exit can wait on each other forever (bin/upstream-doctor)
      expect(argv).toContain('--no-concurrent-recompilation');
      // gc() for the stream reader's scavenges (src/input/open.ts), glibc's thresholds for zlib's blocks
      expect(argv).toContain('--expose-gc');
      const env = fs.readFileSync(`/proc/${proc.pid}/environ`, 'utf8').split('\0');
      expect(env).toContain('MALLOC_MMAP_THRESHOLD_=1048576');
      expect(env).toContain('MALLOC_TRIM_THRESHOLD_=4194304');
      expect(argv).toContain(LAUNCHER);
    } finally {
      proc.kill('SIGTERM');
    }
  });
});
