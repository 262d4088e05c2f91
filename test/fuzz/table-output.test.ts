import * as fc from 'fast-check';
import { Analyzer } from '../../src/analyze/analyzer';
import { FileReader } from '../../src/analyze/read-file';
import { ZoneClock } from '../../src/parse/time';
import { buildDocument } from '../../src/report/json';
import { renderTable } from '../../src/report/table';
import { FUZZ_TIMEOUT, fuzzParams } from '../helpers/fuzz';
import { RAW_TERMINAL_CONTROL, TERMINAL_PAYLOADS } from '../helpers/payloads';

/**
 * Whatever strangers put in the fields of a log, the table has no raw control character: every
 * field of access and error lines (and the file name) is filled with hostile text, the lines go
 * through the real reader and analyzer, and the rendered table is checked.
 */

const piece = fc.oneof(
  fc.constantFrom(...TERMINAL_PAYLOADS.map((p) => p.text)),
  fc.string({ unit: fc.integer({ min: 0, max: 0x2070 }).map((c) => String.fromCharCode(c)), maxLength: 12 }),
);
const field = fc.array(piece, { minLength: 1, maxLength: 3 }).map((a) => a.join(''));
/** No space or quote (they would end the field early and the line would just be skipped). */
const token = field.map((s) => s.replace(/[ "\n]/g, '_'));

const accessLine = fc
  .record({ path: token, ua: field, upstream: token, host: token, status: fc.constantFrom('502', '504', '500', '200') })
  .map(
    (f) =>
      `127.0.0.1 - - [16/Nov/2024:14:15:25 +0000] "GET /${f.path} HTTP/1.1" ${f.status} 1 "-" "${f.ua.replace(/["\n]/g, '_')}" 0.1 ${f.upstream} ${f.status} 0.1 0.0 ${f.host} 7`,
  );
const errorLine = fc
  .record({ msg: field, request: field, upstream: field, host: field, server: field })
  .map(
    (f) =>
      `2024/11/16 14:15:25 [error] 1#1: *7 connect() failed (111: Connection refused) while connecting to upstream${f.msg}, client: 127.0.0.1, server: ${f.server}, request: "${f.request}", upstream: "${f.upstream}", host: "${f.host}"`.replace(/\n/g, '_'),
  );

describe('table output (fuzz)', () => {
  test(
    'hostile fields in access and error logs never reach the table as raw control characters',
    () => {
      fc.assert(
        fc.property(fc.array(accessLine, { minLength: 1, maxLength: 8 }), fc.array(errorLine, { minLength: 1, maxLength: 8 }), token, fc.boolean(), (acc, err, name, boxes) => {
          const analyzer = new Analyzer();
          const opts = { formats: [], clock: new ZoneClock('UTC'), showSkipped: 3 };
          for (const [file, lines] of [
            [`/var/log/nginx/${name}-error.log`, err],
            [`/var/log/nginx/${name}-access.log`, [...acc, `junk ${name}`]],
          ] as const) {
            const r = new FileReader(file, analyzer, opts);
            r.push(Buffer.from(lines.join('\n') + '\n'));
            r.finish();
            analyzer.flush(); // as run.ts does after each file: the error log's requests are complete
            analyzer.summary.files.push(r.stats);
          }
          analyzer.settle(); // as run.ts does when it leaves the directory
          const out = renderTable(buildDocument(analyzer.summary, { showSkipped: true }), { boxes, color: false });
          expect(out).toContain('upstream-refused');
          expect(out).not.toMatch(RAW_TERMINAL_CONTROL);
        }),
        fuzzParams(200, 10_000),
      );
    },
    FUZZ_TIMEOUT,
  );
});
