import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as zlib from 'zlib';
import { forTerminal } from '../../src/report/sanitize';
import { runCli } from '../helpers/cli';
import { RAW_TERMINAL_CONTROL, TERMINAL_PAYLOADS } from '../helpers/payloads';

/**
 * Log fields are attacker-controlled: escape sequences in a URL, a User-Agent, a Host header or a
 * file name must reach the terminal as visible text (`\x1b`), never as bytes a terminal acts on.
 */

const ALL = TERMINAL_PAYLOADS.map((p) => p.text).join('');
/** nginx writes `"`, `\`, controls and bytes >= 0x80 of request/header values as \xHH. */
const nginxEscape = (s: string) =>
  [...Buffer.from(s, 'utf8')].map((b) => (b < 0x20 || b >= 0x7f || b === 0x22 || b === 0x5c ? `\\x${b.toString(16).toUpperCase().padStart(2, '0')}` : String.fromCharCode(b))).join('');
const noSpace = (s: string) => s.replace(/[ \t\n]/g, '_');

function accessLine(i: number, request: string, ua: string, upstream: string, host: string): string {
  // nginx preset upstream_doctor
  return `127.0.0.1 - - [16/Nov/2024:14:15:${String(i % 60).padStart(2, '0')} +0000] "${request}" 502 157 "-" "${ua}" 0.001 ${upstream} 502 0.001 0.000 ${host} ${i}`;
}

describe('forTerminal', () => {
  test.each(TERMINAL_PAYLOADS.map((p) => [p.name, p.text] as const))('%s is shown as visible escapes', (_n, text) => {
    const out = forTerminal(`a${text}b`);
    expect(out).not.toMatch(RAW_TERMINAL_CONTROL);
    expect(out.startsWith('a') && out.endsWith('b')).toBe(true);
    // every unsafe character became a \xHH or \uHHHH escape, nothing else was dropped
    expect(out.replace(/\\x[0-9a-f]{2}|\\u[0-9a-f]{4}/g, '').length).toBeLessThan(out.length);
  });

  test('null and undefined print as empty', () => {
    expect(forTerminal(null)).toBe('');
    expect(forTerminal(undefined)).toBe('');
  });
});

describe('escape injection, end to end (analyze table output)', () => {
  let dir: string;
  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ud-escape-'));
    const nginxDir = path.join(dir, 'nginx');
    fs.mkdirSync(nginxDir);
    const lines: string[] = [];
    TERMINAL_PAYLOADS.forEach((p, i) => {
      const up = `10.0.0.${i}:80${noSpace(p.text)}`;
      // as a non-escaping writer would log it (raw bytes) ...
      lines.push(accessLine(i, `GET /${noSpace(p.text)} HTTP/1.1`, p.text.replace(/"/g, ''), up, `h${noSpace(p.text)}`));
      // ... and as nginx logs it (\xHH, decoded back to the raw bytes by the parser)
      lines.push(accessLine(i + 100, `GET /${nginxEscape(noSpace(p.text))} HTTP/1.1`, nginxEscape(p.text), up, nginxEscape(noSpace(p.text))));
    });
    // lines no parser accepts are shown with --show-skipped
    lines.push(`garbage ${ALL}`);
    fs.writeFileSync(path.join(nginxDir, 'access.log'), lines.join('\n') + '\n');
    const err = TERMINAL_PAYLOADS.map(
      (p, i) =>
        `2024/11/16 14:15:${String(i).padStart(2, '0')} [error] 12#12: *${i} connect() failed (111: Connection refused) while connecting to upstream, client: 127.0.0.1, server: ${p.text}, request: "GET /${p.text} HTTP/1.1", upstream: "http://10.0.0.${i}:80${noSpace(p.text)}/", host: "${p.text}"`,
    );
    err.push(`2024/11/16 14:16:00 [error] 12#12: *99 ${ALL} upstream sent garbage, client: 1.2.3.4, upstream: "${ALL}"`);
    fs.writeFileSync(path.join(nginxDir, 'error.log'), err.join('\n') + '\n');
    // a file whose very name is hostile, and broken (its error is printed on stderr)
    fs.writeFileSync(path.join(nginxDir, `evil${noSpace(ALL.replace(/[/\0]/g, ''))}.log.gz`), zlib.gzipSync(Buffer.from(lines.join('\n'))).subarray(0, 200));
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  test.each([
    ['plain', []],
    ['boxes and colour', ['--boxes', '--color']],
    ['show-skipped', ['--show-skipped', '5']],
  ])('%s: no raw ESC, BEL, C1 or bidi control on stdout or stderr', (_n, extra) => {
    const r = runCli(['analyze', path.join(dir, 'nginx'), ...extra]);
    expect(r.code).toBe(3); // the broken gzip
    // the payloads did reach the report (so the test looks at the right text) ...
    expect(r.stdout).toMatch(/\\x1b\]0;pwned\\x07/);
    expect(r.stdout).toContain('upstream-refused');
    expect(r.stderr).toMatch(/evil.*\\x1b/);
    // ... and only as visible escapes. With --color the report's own SGR codes (bold, dim, colours,
    // reset: src/report/table.ts) are the one exception; a payload's ESC never reaches stdout raw.
    const own = extra.includes('--color') ? r.stdout.replace(/\x1b\[(?:0|1|2|22|31|33|36|39)m/g, '') : r.stdout;
    expect(own).not.toMatch(RAW_TERMINAL_CONTROL);
    expect(r.stderr).not.toMatch(RAW_TERMINAL_CONTROL);
  });

  test('JSON output stays valid JSON with the payloads inside', () => {
    const r = runCli(['analyze', path.join(dir, 'nginx'), '--format', 'json']);
    const doc = JSON.parse(r.stdout);
    expect(JSON.stringify(doc)).toContain('\\u001b]0;pwned\\u0007');
  });
});
