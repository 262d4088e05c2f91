import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { ROOT, runJson } from './helpers/cli';

/**
 * Container logs interleave a proxy's access and error lines in one stream. Analysed alone, such a
 * file is (by its majority) an error log, so the run has no access log and keeps only a small
 * correlation window (Analyzer.noAccessLogs): the failures must still be joined with the error
 * entries written just before them. The mixed file is the captured nginx fixture's two logs
 * merged by time, as `docker logs` would show them.
 */

const FIX = path.join(ROOT, 'fixtures', 'nginx');
const ERROR_TIME = /^(\d{4})\/(\d\d)\/(\d\d) (\d\d):(\d\d):(\d\d) /;
const ACCESS_TIME = /\[(\d\d)\/(\w{3})\/(\d{4}):(\d\d):(\d\d):(\d\d) \+0000\]/;
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** Lines with their time; a line without one (a FastCGI continuation) keeps its predecessor's. */
function timed(file: string, kind: 0 | 1): { t: number; kind: number; i: number; line: string }[] {
  let last = 0;
  return fs
    .readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l !== '')
    .map((line, i) => {
      const e = ERROR_TIME.exec(line);
      const a = ACCESS_TIME.exec(line);
      if (e) last = Date.UTC(+e[1], +e[2] - 1, +e[3], +e[4], +e[5], +e[6]);
      else if (a) last = Date.UTC(+a[3], MONTHS.indexOf(a[2]), +a[1], +a[4], +a[5], +a[6]);
      return { t: last, kind, i, line };
    });
}

test('a container log mixing access and error lines joins its failures without a separate access log', () => {
  const merged = [...timed(path.join(FIX, 'error.log'), 0), ...timed(path.join(FIX, 'access.log'), 1)]
    // by second; within a second nginx has written the error entry before the access line
    .sort((x, y) => x.t - y.t || x.kind - y.kind || x.i - y.i);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ud-mixed-'));
  const file = path.join(dir, 'nginx.log');
  fs.writeFileSync(file, merged.map((m) => m.line).join('\n') + '\n');
  try {
    const separate = runJson(['analyze', path.join(FIX, 'access.log'), path.join(FIX, 'error.log')], { env: { TZ: 'UTC' } });
    const mixed = runJson(['analyze', file], { env: { TZ: 'UTC' } });
    expect(mixed.files[0].kind).toBe('nginx-error');
    expect(mixed.lines.read).toBe(merged.length);
    expect(separate.correlation.gatewayFailures).toBeGreaterThan(0);
    expect(mixed.correlation.gatewayFailures).toBe(separate.correlation.gatewayFailures);
    expect(mixed.correlation.explained).toBe(separate.correlation.explained);
    const causes = (doc: any) => Object.fromEntries(doc.causes.map((c: any) => [c.cause, c.count]));
    expect(causes(mixed)).toEqual(causes(separate));
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
