import * as path from 'path';
import { unescapeLogValue } from '../../src/parse/unescape';
import { runCli } from '../helpers/cli';
import { allLogFiles, readLogFile } from '../helpers/real-lines';
import { HAVE_PEER, PEER_DIR } from '../helpers/peer-corpus';

/**
 * Exact accounting on every real file we have (captured fixtures, when present, and the peer
 * corpus read in place): each file's lines = parsed + skipped, the line count is the file's, and
 * every NDJSON event's `line` points at the physical line it came from.
 */

const files = allLogFiles();
if (!HAVE_PEER) console.warn(`peer corpus not found at ${PEER_DIR}: accounting runs on fixtures only`);

/** Physical lines as the reader counts them: split on LF, a final unterminated line included. */
function physicalLines(p: string): Buffer[] {
  const data = readLogFile(p);
  const out: Buffer[] = [];
  let pos = 0;
  while (pos < data.length) {
    let nl = data.indexOf(10, pos);
    if (nl === -1) nl = data.length;
    out.push(data.subarray(pos, nl));
    pos = nl + 1;
  }
  return out;
}

const maybe = files.length > 0 ? describe : describe.skip;

maybe(`exact accounting over ${files.length} real files`, () => {
  const paths = files.map((f) => f.path);
  const lines = new Map(paths.map((p) => [p, physicalLines(p)]));

  test('per file: lines = parsed + skipped = the physical lines of the file', () => {
    const r = runCli(['analyze', ...paths, '--format', 'json']);
    expect([0, 3]).toContain(r.code);
    const doc = JSON.parse(r.stdout);
    expect(doc.files.map((f: any) => f.path).sort()).toEqual([...paths].sort());
    for (const f of doc.files) {
      const where = path.relative(PEER_DIR, f.path);
      expect({ where, lines: f.lines }).toEqual({ where, lines: lines.get(f.path)!.length });
      expect({ where, sum: f.parsed + f.skipped }).toEqual({ where, sum: f.lines });
      const byReason = Object.values(f.skippedByReason as Record<string, number>).reduce((a, b) => a + b, 0);
      expect({ where, byReason }).toEqual({ where, byReason: f.skipped });
    }
    expect(doc.lines.read).toBe(doc.files.reduce((a: number, f: any) => a + f.lines, 0));
  });

  test('every NDJSON event points at the line that holds its request or message', () => {
    const r = runCli(['analyze', ...paths, '--format', 'ndjson']);
    const events = r.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l))
      .filter((e) => e.type !== 'summary');
    expect(events.length).toBeGreaterThan(0);
    let checked = 0;
    for (const ev of events) {
      const fileLines = lines.get(ev.file);
      expect(fileLines).toBeDefined();
      expect(ev.line).toBeGreaterThanOrEqual(1);
      expect(ev.line).toBeLessThanOrEqual(fileLines!.length);
      const raw = fileLines![ev.line - 1];
      const text = unescapeLogValue(raw, 0, raw.length);
      const want =
        ev.source.endsWith('-access')
          ? (ev.request ?? String(ev.status)).split(' ')
          : [ev.message.split('\n')[0].slice(0, 200)];
      for (const w of want) expect({ file: ev.file, line: ev.line, has: w, ok: text.includes(w) || raw.toString('latin1').includes(w) }).toMatchObject({ ok: true });
      checked++;
    }
    expect(checked).toBe(events.length);
  });
});
