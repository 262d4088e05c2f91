import { ChildProcess, spawn, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as http from 'http';
import * as os from 'os';
import * as path from 'path';
import { CLI, ROOT } from './cli';

/**
 * Helpers for the `tail` tests: the built CLI follows a log that another process writes at tens
 * of thousands of lines per second and rotates: the built CLI follows a log that another process writes at tens of
 * (test/helpers/rotating-writer.js); every line carries a unique id, and every tenth line is a
 * 502 whose NDJSON event carries that id.
 */

export const WRITER = path.join(ROOT, 'test', 'helpers', 'rotating-writer.js');

export interface Tail {
  proc: ChildProcess;
  out: string[];
  err: string[];
  metricsUrl: () => string;
}

export function tmpdir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'ud-tail-'));
}

export async function startTail(args: string[]): Promise<Tail> {
  const proc = spawn(process.execPath, [CLI, 'tail', ...(args.includes('--format') ? [] : ['--format', 'ndjson']), '--metrics-port', '0', ...args], { cwd: ROOT });
  const out: string[] = [];
  const err: string[] = [];
  proc.stdout!.setEncoding('utf8').on('data', (d: string) => out.push(d));
  proc.stderr!.setEncoding('utf8').on('data', (d: string) => err.push(d));
  const deadline = Date.now() + 15000;
  while (!err.join('').includes('following')) {
    if (Date.now() > deadline || proc.exitCode !== null) throw new Error(`tail did not start: ${err.join('')}`);
    await new Promise((r) => setTimeout(r, 20));
  }
  const metricsUrl = () => /metrics on (http:\/\/\S+)/.exec(err.join(''))![1];
  return { proc, out, err, metricsUrl };
}

export async function stopTail(t: Tail): Promise<any[]> {
  t.proc.kill('SIGTERM');
  await new Promise((r) => t.proc.once('exit', r));
  return t.out
    .join('')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l));
}

export function write(log: string, plan: string[], rate = 20000, start = 0): number {
  const r = spawnSync(process.execPath, [WRITER, log, plan.join(','), String(rate), String(start)], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(r.stderr);
  return Number(r.stdout.trim());
}

export function get(url: string): Promise<string> {
  return new Promise((resolve, reject) => {
    http.get(url, (res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (d) => (body += d)).on('end', () => resolve(body));
    }).on('error', reject);
  });
}

export function metric(body: string, name: string, labels = ''): number {
  let total = 0;
  for (const line of body.split('\n')) {
    if (line.startsWith(name + (labels ? '{' : '')) || line.startsWith(name + ' ')) {
      if (labels && !line.includes(labels)) continue;
      total += Number(line.slice(line.lastIndexOf(' ') + 1));
    }
  }
  return total;
}

/** Ids of the 502 lines seen, with how many times each was seen. */
export function idCounts(events: any[]): Map<number, number> {
  const seen = new Map<number, number>();
  for (const ev of events) {
    if (ev.type) continue;
    const m = /\/id\/(\d+) /.exec(ev.request ?? '');
    if (m) seen.set(Number(m[1]), (seen.get(Number(m[1])) ?? 0) + 1);
  }
  return seen;
}

export function expectExactlyOnce(seen: Map<number, number>, first: number, last: number): void {
  const missing: number[] = [];
  const doubled: number[] = [];
  for (let id = first; id <= last; id++) {
    if (id % 10 !== 0) continue;
    const n = seen.get(id) ?? 0;
    if (n === 0) missing.push(id);
    if (n > 1) doubled.push(id);
  }
  expect({ missing: missing.length, doubled: doubled.length, firstMissing: missing.slice(0, 3) }).toEqual({
    missing: 0,
    doubled: 0,
    firstMissing: [],
  });
}

export async function settle(t: Tail, expectLines: number): Promise<string> {
  const deadline = Date.now() + 10000;
  let body = '';
  while (Date.now() < deadline) {
    body = await get(t.metricsUrl());
    if (metric(body, 'upstream_doctor_lines_read_total') >= expectLines) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  await new Promise((r) => setTimeout(r, 300));
  return get(t.metricsUrl());
}

