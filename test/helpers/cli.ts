import { spawnSync } from 'child_process';
import * as path from 'path';

/** Runs the built CLI (dist/, built by `npm test`'s pretest) as a user would: through the package's command. */

export const ROOT = path.resolve(__dirname, '..', '..');
export const CLI = path.join(ROOT, 'dist', 'cli', 'main.js');
/** The package's `bin`: a shell line that starts node on the CLI with start-up V8 flags. */
export const LAUNCHER = path.join(ROOT, 'bin', 'upstream-doctor');

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * A run that has not exited by then has hung: the test fails saying so, instead of holding the
 * whole suite (a CLI once hung at exit in a Node deadlock, see bin/upstream-doctor).
 */
export const CLI_TIMEOUT_MS = 120_000;

export function runCli(args: string[], opts: { input?: string | Buffer; env?: Record<string, string>; cwd?: string } = {}): CliResult {
  const r = spawnSync(LAUNCHER, args, {
    input: opts.input,
    cwd: opts.cwd ?? ROOT,
    env: { ...process.env, NO_COLOR: '1', ...opts.env },
    encoding: 'utf8',
    maxBuffer: 256 * 1024 * 1024,
    timeout: CLI_TIMEOUT_MS,
    killSignal: 'SIGKILL',
  });
  if ((r.error as NodeJS.ErrnoException | undefined)?.code === 'ETIMEDOUT') {
    throw new Error(`upstream-doctor ${args.join(' ')} did not exit within ${CLI_TIMEOUT_MS / 1000} s`);
  }
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

export function runJson(args: string[], opts: Parameters<typeof runCli>[1] = {}): any {
  const r = runCli([...args, '--format', 'json'], opts);
  if (r.code !== 0 && r.code !== 3) throw new Error(`exit ${r.code}: ${r.stderr}`);
  return JSON.parse(r.stdout);
}

export function runNdjson(args: string[], opts: Parameters<typeof runCli>[1] = {}): any[] {
  const r = runCli([...args, '--format', 'ndjson'], opts);
  if (r.code !== 0 && r.code !== 3) throw new Error(`exit ${r.code}: ${r.stderr}`);
  return r.stdout
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l));
}
