import * as fc from 'fast-check';
import { foldSegment, normalizePath, upstreamAddress } from '../../src/report/paths';
import { csvCell, renderCsv } from '../../src/report/csv';
import { fillHint, nextSteps } from '../../src/report/next-steps';
import { escapeHtml, renderHtml } from '../../src/report/html';
import { sparkline, squeeze } from '../../src/report/sparkline';
import { ProgressBar } from '../../src/cli/progress';
import { SpaceSaving } from '../../src/util/top-k';

describe('path folding', () => {
  test.each([
    ['/api/users/123?x=9', '/api/users/{id}?x=…'],
    ['/api/orders/3f2b8c1e-9a4d-4e6f-8b7a-1c2d3e4f5a6b/items', '/api/orders/{uuid}/items'],
    ['/blobs/9f8e7d6c5b4a39281706f5e4d3c2b1a0', '/blobs/{hex}'],
    ['/invoices/2024-11-16/42.pdf', '/invoices/{num}/{id}.pdf'],
    ['/s/AbCdEf0123456789xyzXYZ_-99', '/s/{token}'],
    ['/search?q=hello&page=2&debug', '/search?q=…&page=…&debug'],
    ['/static/app.js', '/static/app.js'],
    ['/v2/health', '/v2/health'],
    ['http://shop.example/api/users/5?a=b', '/api/users/{id}?a=…'],
    ['/a#frag', '/a'],
  ])('%s → %s', (raw, want) => {
    expect(normalizePath(raw)).toBe(want);
  });

  test('the one-pass folding gives what split, map and join give, on any path', () => {
    // The first implementation's folding, kept as the reference for the hand-written pass. The
    // paths hold no `://`, `#` and are at most 512 characters: that part of normalizePath is the
    // same in both, and the examples above pin it.
    const reference = (s: string): string => {
      const q = s.indexOf('?');
      const path = (q === -1 ? s : s.slice(0, q)).split('/').map(foldSegment).join('/');
      if (q === -1) return path;
      const query = s.slice(q + 1).split('&').filter((p) => p !== '').map((p) => (p.indexOf('=') === -1 ? p : `${p.slice(0, p.indexOf('='))}=…`));
      return query.length > 0 ? `${path}?${query.join('&')}` : path;
    };
    // and the segments the pass decides without the rules: words, numbers, 12 letters a hex rule takes
    const piece = fc.constantFrom('/', '?', '&', '=', 'api', '123', '7', '2024-11-16', '3f2b8c1e-9a4d-4e6f-8b7a-1c2d3e4f5a6b', 'AbCdEf0123456789xyzXYZ_-99', '42.pdf', 'abcdefabcdef', 'abcdefabcde', '٣', '');
    const path = fc
      .oneof(fc.array(piece, { maxLength: 30 }).map((p) => p.join('')), fc.string({ maxLength: 80 }), fc.string({ minLength: 400, maxLength: 512 }))
      .filter((p) => !p.includes('://') && !p.includes('#'));
    fc.assert(fc.property(path, (raw) => normalizePath(raw) === reference(raw)), { numRuns: 3000, seed: 7 });
  });

  test('linear on a hostile 100k-character path', () => {
    const evil = '/' + 'a1-'.repeat(33_000) + '!';
    expect(normalizePath(evil).length).toBeLessThanOrEqual(512);
  });

  test.each([
    ['http://10.0.0.7:8080/api/users/1', '10.0.0.7:8080'],
    ['fastcgi://unix:/run/php/php8.2-fpm.sock:', 'unix:/run/php/php8.2-fpm.sock'],
    ['10.0.0.7:8080', '10.0.0.7:8080'],
    ['unix:/run/app.sock', 'unix:/run/app.sock'],
    ['http://unix:/run/app.sock:/s/socket-missing/1', 'unix:/run/app.sock'],
    ['https://[::1]:8443/x', '[::1]:8443'],
    // the scheme's grammar at its edges: 16 characters at most, a letter first, no `/` in it
    ['abcdefghijklmnop://h:1/x', 'h:1'],
    ['abcdefghijklmnopq://h:1/x', 'abcdefghijklmnopq:'],
    ['a/b://h/x', 'a'],
    ['1http://h/x', '1http:'],
    ['H+T.T-P2://h/x', 'h'],
  ])('upstream %s → %s', (raw, want) => {
    expect(upstreamAddress(raw)).toBe(want);
  });

  test('the scheme is cut by hand as the first implementation\'s regex cut it, on any text', () => {
    const reference = (upstream: string): string => {
      let s = upstream.trim();
      const scheme = /^[a-z][a-z0-9+.-]{0,15}:\/\//i.exec(s);
      if (scheme) s = s.slice(scheme[0].length);
      if (s.startsWith('unix:')) {
        const colon = s.indexOf(':', 5);
        return colon === -1 ? s : s.slice(0, colon);
      }
      const slash = s.indexOf('/');
      return slash === -1 ? s : s.slice(0, slash);
    };
    // White space at the ends too, ASCII (cut in place) and not (trim()'s alone: \u00a0, \u2028, \ufeff).
    const piece = fc.constantFrom('http', 'HTTPS', 'fastcgi', 'a+b.c-d', '0x', ':', '//', '/', 'unix:', '10.0.0.7', ':8080', '\x1a', '\x10', '\x0b', ' ', '\t', '\n', '\u00a0', '\u2028', '\ufeff', 'x'.repeat(15));
    // Text over the characters the scheme's grammar turns on (and those that fold onto them).
    const near = fc.string({ unit: fc.constantFrom('a', 'Z', '0', '9', '+', '.', '-', ':', '/', '@', '_', ' ', '\x1a', '\x10', '\x0b', '\x0d', '\x1c', '\u00a0', '\u3000'), maxLength: 24 });
    const text = fc.oneof(near, fc.array(piece, { maxLength: 8 }).map((p) => p.join('')), fc.string({ maxLength: 40 }), fc.string({ unit: 'binary', maxLength: 30 }));
    fc.assert(fc.property(text, (raw) => upstreamAddress(raw) === reference(raw)), { numRuns: 5000, seed: 11 });
  });
});

describe('next checks', () => {
  test('placeholders filled from the top offenders; a folded path is replaced by a real example', () => {
    const [step] = nextSteps([
      {
        cause: 'upstream-refused',
        count: 10,
        top: { upstreams: [{ key: 'http://10.0.0.7:8080/api/health' }], hosts: [{ key: 'shop.example' }], paths: [{ key: '/api/health' }] },
      },
    ]);
    expect(step.check).toContain('curl -I http://10.0.0.7:8080/api/health');
    const [folded] = nextSteps([
      { cause: 'upstream-refused', count: 1, top: { upstreams: [], hosts: [], paths: [{ key: '/u/{id}' }] }, samplePath: '/u/42' },
    ]);
    expect(folded.check).toContain('curl -I http://<upstream>/u/42');
  });

  test('pool from a php-fpm socket name', () => {
    const [step] = nextSteps([
      { cause: 'upstream-overloaded', count: 1, top: { upstreams: [{ key: 'unix:/run/php/php8.2-fpm-shop.sock' }], hosts: [], paths: [] } },
    ]);
    expect(step.values.pool).toBe('shop');
  });

  test('unknown placeholders stay readable', () => {
    expect(fillHint('x {upstream} {pool}', { upstream: null, host: null, path: null, pool: null })).toBe('x <upstream> <pool>');
  });
});

describe('csv', () => {
  test.each([
    ['=HYPERLINK("http://x")', `"'=HYPERLINK(""http://x"")"`],
    ['+1', "'+1"],
    ['-2', "'-2"],
    ['@SUM(A1)', "'@SUM(A1)"],
    ['\t=1', "'\t=1"],
    ['\r=1', `"'\r=1"`],
    ['a,b', '"a,b"'],
    ['say "hi"', '"say ""hi"""'],
    ['plain', 'plain'],
  ])('%j → %j', (raw, want) => {
    expect(csvCell(raw)).toBe(want);
  });

  test('numbers are numbers, negative ones too', () => {
    expect(csvCell(-3)).toBe('-3');
  });

  test('one row per bucket, one zero-filled column per cause', () => {
    const doc: any = {
      causes: [{ cause: 'upstream-refused' }, { cause: 'upstream-timeout-read' }],
      timeline: {
        bucket: '1m',
        buckets: [
          { start: 'a', end: 'b', label: 'L1', requests: 5, failures: 2, causes: { 'upstream-refused': 2 } },
          { start: 'b', end: 'c', label: 'L2', requests: 0, failures: 0, causes: {} },
        ],
      },
    };
    expect(renderCsv(doc).split('\r\n')).toEqual([
      'bucket_start_utc,bucket_start_local,bucket_end_utc,requests,failures,upstream-refused,upstream-timeout-read',
      'a,L1,b,5,2,2,0',
      'b,L2,c,0,0,0,0',
      '',
    ]);
  });
});

test('html escaping covers the five characters that matter', () => {
  expect(escapeHtml(`<script>"a" & 'b'</script>`)).toBe('&#60;script&#62;&#34;a&#34; &#38; &#39;b&#39;&#60;/script&#62;');
});

test('html shows control and bidi characters from logs as escapes', () => {
  const doc: any = {
    version: 1, generatedAt: 'now', files: [{ path: 'a\u202eb\x1b[31m.log', kind: null, format: null, compression: null, lines: 0, parsed: 0, skipped: 0, skippedByReason: {}, error: null }],
    lines: { read: 0, parsed: 0, skipped: 0, skippedByReason: {} }, range: { start: null, end: null }, status: {}, failures: 0, causes: [],
    correlation: { gatewayFailures: 0, explained: 0, explainedShare: null, indexEvicted: 0 }, upstreams: [], upstreamsOverflow: 0,
    timeline: { bucket: '1m', buckets: [] }, limits: { topK: 200 },
  };
  const html = renderHtml(doc);
  expect(html).toContain('a\\u202eb\\x1b[31m.log');
  expect(html).not.toMatch(/[\u202e\x1b]/);
});

describe('sparkline', () => {
  test('zero is a dot, the peak a full bar, heights relative to the peak', () => {
    expect(sparkline([0, 1, 4, 8, 0])).toBe('·▁▄█·');
  });
  test('long series are summed into the width', () => {
    expect(squeeze([1, 1, 1, 1, 2, 2], 3)).toEqual([2, 2, 4]);
    expect(sparkline(new Array(100).fill(1), 10)).toBe('█'.repeat(10));
  });
});

describe('progress bar', () => {
  test('draws bytes of total, lines/s and ETA on a terminal, throttled, and erases itself', () => {
    let now = 0;
    const writes: string[] = [];
    const bar = new ProgressBar(100 << 20, { isTTY: true, columns: 200, write: (s) => (writes.push(s), true) }, () => now);
    now = 10_000;
    bar.tick(25 << 20, 500_000);
    now = 10_050;
    bar.tick(26 << 20, 510_000); // within the redraw interval: not drawn
    expect(writes).toHaveLength(1);
    expect(writes[0]).toContain(' 25% 25.0 MiB / 100.0 MiB');
    expect(writes[0]).toContain('50,000 lines/s');
    expect(writes[0]).toContain('ETA 0:30');
    bar.done();
    expect(writes[1]).toBe('\r\x1b[K');
  });

  test('without a known total (stdin) it shows bytes and rate, no bar and no ETA', () => {
    let now = 0;
    const bar = new ProgressBar(0, { isTTY: true, write: () => true }, () => now);
    now = 2000;
    expect(bar.render(3 << 20, 1000)).toBe('3.0 MiB read  500 lines/s');
  });
});

test('SpaceSaving.sub takes a count back and forgets a key at zero', () => {
  const s = new SpaceSaving(3);
  s.add('a', 3);
  s.add('b');
  s.sub('a', 2);
  s.sub('b');
  s.sub('zz');
  expect(s.top(5)).toEqual([{ key: 'a', count: 1, error: 0 }]);
  expect(s.totalCount).toBe(1);
});
