import { Signature } from '../src/model';
import { SignatureMatcher } from '../src/diagnose/matcher';
import { SIGNATURES } from '../src/diagnose/signatures';
import { parseNginxError } from '../src/parse/nginx-error';
import { ZoneClock } from '../src/parse/time';

/**
 * SignatureMatcher.prefixRows: the evidence rows a reader may count from a message's first bytes,
 * and the literals that must be absent for that. The claim it makes: an entry whose message starts
 * with a row's prefix and holds none of the literals marked for that row is matched to that row.
 * Checked here with match() itself, on messages built from every prefix and every literal of the
 * catalogue.
 */

const clock = new ZoneClock('UTC');
const matcher = new SignatureMatcher();
const rows = matcher.prefixRows('nginx-error')!;

function entryOf(message: string) {
  return parseNginxError(`2024/11/16 14:00:05 [warn] 1234#1234: *5 ${message}, client: 192.0.2.1, server: x, request: "GET / HTTP/1.1"`, clock)!;
}

function sig(id: string, literal: string, pattern: RegExp, more: Partial<Signature> = {}): Signature {
  return { id, server: 'nginx', literal, pattern, cause: 'app-error', status: null, hint: '', source: '', failure: false, ...more };
}

describe('prefix rows of the catalogue', () => {
  test('the nginx rows are the evidence rows whose pattern is plain text, the buffered-response warning among them', () => {
    const byId = new Map(rows.rows.map((r) => [r.sig.id, r.prefix]));
    expect(byId.get('nginx-buffered-to-temp-file')).toBe('an upstream response is buffered to a temporary file');
    expect(byId.get('nginx-fastcgi-stderr')).toBe('FastCGI sent in stderr: "');
    for (const r of rows.rows) expect(r.sig.failure).toBe(false);
    // a pattern with a variable part (\S, \d) is not a prefix
    expect(byId.has('nginx-mail-resolve-client')).toBe(false);
    expect(byId.has('nginx-worker-connections-reusing')).toBe(false);
  });

  test("a row's competitors are the rest rows before it and the rows of its lead word before it, not rows of other words", () => {
    const k = rows.rows.findIndex((r) => r.sig.id === 'nginx-buffered-to-temp-file');
    const bit = 1 << (k + 1);
    const marked = new Set(rows.competitors.filter((c) => c.rows & bit).map((c) => c.literal));
    expect(marked.has('could not be resolved (')).toBe(true);
    expect(marked.has('while connecting to upstream')).toBe(true);
    // `upstream timed out … while reading upstream` leads with `upstream`: never tried for `an upstream response …`
    expect(marked.has('while reading upstream')).toBe(false);
    const disabled = rows.rows.findIndex((r) => r.sig.id === 'nginx-upstream-disabled');
    const shared = rows.competitors.find((c) => c.literal === 'while reading upstream')!;
    expect(shared.rows & (1 << (disabled + 1))).not.toBe(0);
  });

  test('Apache entries carry AH codes, whose rows are tried first: no prefix rows', () => {
    expect(matcher.prefixRows('apache-error')).toBeNull();
  });

  test('every message that starts with a prefix and holds no marked literal is matched to its row; on messages with every literal of the catalogue', () => {
    const literals = [...new Set(SIGNATURES.map((s) => s.literal))];
    let decided = 0;
    rows.rows.forEach((r, k) => {
      const bit = 1 << (k + 1);
      const tails = ['', ' /var/cache/nginx/proxy_temp/1/00/1 while reading upstream', ...literals.map((l) => ` x ${l} y`)];
      for (const tail of tails) {
        const message = r.prefix + tail;
        const hit = rows.competitors.some((c) => (c.rows & bit) !== 0 && message.includes(c.literal));
        const got = matcher.match('nginx-error', entryOf(message));
        if (!hit) {
          expect(got).toBe(r.sig);
          decided++;
        }
      }
    });
    // (the catalogue's own competitors are anchored elsewhere and never take these messages; the
    // synthetic table below has one that does)
    expect(decided).toBeGreaterThan(200);
  });

  test('what is not a prefix row: a failure, an errno filter, a regex part, a comma, a flag, no whole first word', () => {
    const table = [
      sig('failure', 'alpha one', /^alpha one/, { failure: undefined }),
      sig('errno', 'beta one', /^beta one/, { errno: ['111'] }),
      sig('regex', 'gamma one', /^gamma one \d/),
      sig('comma', 'delta one', /^delta one, two/),
      sig('flag', 'eps one', /^eps one/i),
      sig('word', 'zeta', /^zeta/),
      sig('plain', 'eta one', /^eta one \(x\)/),
    ];
    const got = new SignatureMatcher(table).prefixRows('nginx-error')!;
    expect(got.rows.map((r) => [r.sig.id, r.prefix])).toEqual([['plain', 'eta one (x)']]);
  });

  test('a row of the same lead word placed before a prefix row competes with it, one placed after does not', () => {
    const table = [
      sig('before', 'while late', /^an upstream \S{1,10} while late/, { failure: undefined }),
      sig('target', 'an upstream response', /^an upstream response/),
      sig('after', 'response is slow', /^an upstream response is slow/, { failure: undefined }),
    ];
    const m = new SignatureMatcher(table);
    const got = m.prefixRows('nginx-error')!;
    expect(got.rows.map((r) => r.sig.id)).toEqual(['target']);
    expect(got.competitors).toEqual([{ literal: 'while late', rows: 2 }]);
    // and it is right to: that row takes such a message
    expect(m.match('nginx-error', entryOf('an upstream response while late'))!.id).toBe('before');
    expect(m.match('nginx-error', entryOf('an upstream response is slow'))!.id).toBe('target');
  });
});
