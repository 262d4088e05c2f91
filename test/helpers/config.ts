import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { ConfiguredLog } from '../../src/config/configured-log';

/** Writes a configuration tree under root: relative name → text. */
export function writeTree(root: string, files: Record<string, string>): void {
  for (const [name, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(root, name)), { recursive: true });
    fs.writeFileSync(path.join(root, name), text);
  }
}

/** The one log with this path; anything else fails the test with the paths found. */
export function logByPath(logs: ConfiguredLog[], p: string): ConfiguredLog {
  const found = logs.filter((l) => l.path === p);
  if (found.length !== 1) throw new Error(`${p}: ${found.length} entries in ${logs.map((l) => l.path).join(', ')}`);
  return found[0];
}

const made: string[] = [];
afterAll(() => {
  for (const d of made.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

/** A temp directory removed after the test file. */
export function tempDir(name: string): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), `ud-${name}-`));
  made.push(d);
  return d;
}
