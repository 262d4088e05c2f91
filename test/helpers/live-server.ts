import { ChildProcess, spawn } from 'child_process';
import * as fs from 'fs';
import * as http from 'http';
import * as net from 'net';
import * as os from 'os';
import * as path from 'path';

/** Loopback helpers for tests that run a real server. */

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

export function get(port: number, p: string, headers: Record<string, string> = {}): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = http.get({ host: '127.0.0.1', port, path: p, headers, agent: false }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', reject);
  });
}

export async function waitForPort(port: number, child: ChildProcess, stderr: () => string): Promise<void> {
  for (let i = 0; i < 100; i++) {
    if (child.exitCode !== null) throw new Error(`server exited: ${stderr()}`);
    const ok = await new Promise<boolean>((resolve) => {
      const c = net.connect(port, '127.0.0.1', () => {
        c.destroy();
        resolve(true);
      });
      c.on('error', () => resolve(false));
    });
    if (ok) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`server did not listen on ${port}: ${stderr()}`);
}

/** A temp root with subdirectories; world-readable because workers run as nobody when tests run as root. */
export function tempServerRoot(name: string, dirs: string[]): string {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), `ud-live-${name}-`));
  fs.chmodSync(root, 0o755);
  for (const d of dirs) fs.mkdirSync(path.join(root, d));
  return root;
}

/** Starts a server in the foreground and waits until it listens on every port. */
export async function startServer(cmd: string, args: string[], ports: number[]): Promise<ChildProcess> {
  let err = '';
  const child = spawn(cmd, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  child.stderr!.on('data', (d) => (err += d));
  for (const p of ports) await waitForPort(p, child, () => err);
  return child;
}

/** Stops the server by its PID, waits for it to exit, removes its root. */
export async function stopServer(child: ChildProcess | undefined, signal: NodeJS.Signals, root: string | undefined): Promise<void> {
  if (child && child.exitCode === null && child.pid) {
    const exited = new Promise((r) => child.once('exit', r));
    process.kill(child.pid, signal);
    await exited;
  }
  if (root) fs.rmSync(root, { recursive: true, force: true });
}
