import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { DEFAULT_MAX_LINE, LineSplitter } from '../../src/input/lines';
import { runCli } from '../helpers/cli';

/**
 * A line longer than --max-line-length (default 64 KiB) is skipped as too-long without being
 * buffered whole: a 50 MB line streamed in chunks costs no more memory than one line of the limit.
 */

const FIFTY_MB = 50 * 1024 * 1024;
const CHUNK = 64 * 1024;

describe('too-long lines', () => {
  test('a 50 MB line streamed in reused 64 KiB chunks: one tooLong, the next line intact, bounded memory', () => {
    const seen: string[] = [];
    let tooLong = 0;
    const sp = new LineSplitter({ line: (b, s, e) => seen.push(b.toString('latin1', s, e)), tooLong: () => tooLong++ }, DEFAULT_MAX_LINE);
    sp.push(Buffer.from('before\n'));
    // one buffer, refilled for every chunk, as a stream's pool would be
    const chunk = Buffer.alloc(CHUNK, 0x41);
    const before = process.memoryUsage().arrayBuffers;
    let peak = 0;
    for (let sent = 0; sent < FIFTY_MB; sent += CHUNK) {
      chunk.fill(0x41 + ((sent / CHUNK) % 26));
      sp.push(chunk);
      if (sent % (4 * 1024 * 1024) === 0) peak = Math.max(peak, process.memoryUsage().arrayBuffers - before);
    }
    peak = Math.max(peak, process.memoryUsage().arrayBuffers - before);
    sp.push(Buffer.from('\r\nafter\n'));
    sp.end();
    expect(seen).toEqual(['before', 'after']);
    expect(tooLong).toBe(1);
    // held bytes stay near the limit (one carried line of at most 64 KiB plus garbage not yet
    // collected), nowhere near the 50 MB the line would cost if it were buffered
    expect(peak).toBeLessThan(8 * 1024 * 1024);
  });

  test('end to end: the too-long line is counted, its neighbours parse, --max-line-length moves the limit', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ud-long-'));
    try {
      const ok = (i: number) =>
        `127.0.0.1 - - [16/Nov/2024:14:15:0${i} +0000] "GET /${i} HTTP/1.1" 502 157 "-" "curl/8" 0.001 127.0.0.1:9000 502 0.001 0.000 localhost ${i}\n`;
      const p = path.join(dir, 'access.log');
      const fd = fs.openSync(p, 'w');
      fs.writeSync(fd, ok(1));
      const long = Buffer.alloc(1024 * 1024, 0x78);
      for (let i = 0; i < 50; i++) fs.writeSync(fd, long);
      fs.writeSync(fd, '\n' + ok(2) + 'x'.repeat(1000) + '\n' + ok(3));
      fs.closeSync(fd);

      const r = runCli(['analyze', p, '--format', 'json']);
      expect(r.code).toBe(0);
      const f = JSON.parse(r.stdout).files[0];
      expect(f).toMatchObject({ lines: 5, parsed: 3, skipped: 2 });
      expect(f.skippedByReason).toEqual({ 'too-long': 1, unrecognised: 1 });

      const small = JSON.parse(runCli(['analyze', p, '--format', 'json', '--max-line-length', '500']).stdout).files[0];
      expect(small.skippedByReason).toEqual({ 'too-long': 2 });
      expect(small.parsed).toBe(3);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
