import * as fs from 'fs';
import * as path from 'path';
import { Analyzer } from '../src/analyze/analyzer';
import { RECENT_CAPACITY } from '../src/diagnose/correlate';
import { readingOrder } from '../src/analyze/reading-order';
import { runAnalysis, runOrdered } from '../src/analyze/run';
import { discoverInputs } from '../src/input/discover';
import { ZoneClock } from '../src/parse/time';
import { tempDir } from './helpers/config';
import { failures, oneErrorLogDays, rotatedDays as rotatedIn, write } from './helpers/synthetic-days';

/**
 * The order a batch run reads its files in (src/analyze/reading-order.ts), on SYNTHETIC logs
 * in nginx's and PHP-FPM's layouts: days of logrotate-style sets (helpers/synthetic-days.ts),
 * each day's failures an access line (`upstream` preset) and its error-log twin.
 */

const opts = { formats: [], clock: new ZoneClock('UTC') };
const rotatedDays = (days: number, n: number, dir = tempDir('order')) => rotatedIn(days, n, dir);

/** The files in reading order; a piece of a file cut by time is named with its byte range. */
async function order(dir: string, files?: string[]): Promise<string[]> {
  const inputs = discoverInputs(files ? files.map((f) => path.join(dir, f)) : [dir]);
  return (await readingOrder(inputs, opts)).map((r) => path.basename(r.spec.path) + (r.piece ? `[${r.piece.start}-${r.piece.end}]` : ''));
}

/** One error log never rotated, holding every day's error lines, beside the rotated access logs. */
function oneErrorLog(days: number, n: number, dir = tempDir('order-unrotated')): { dir: string; errorLines: string[] } {
  return { dir, errorLines: oneErrorLogDays(days, n, dir) };
}

describe('reading order', () => {
  test('daily rotated sets are read a day at a time, each access log right after its day of errors', async () => {
    const dir = rotatedDays(3, 3);
    expect(await order(dir)).toEqual(['error.log.2.gz', 'access.log.2.gz', 'error.log.1', 'access.log.1', 'error.log', 'access.log']);
  });

  test('PHP-FPM logs come first whatever their times; an error log never rotated is cut where each access log ends', async () => {
    const dir = rotatedDays(3, 3);
    // one error log for days 0 and 2, and a PHP-FPM log that begins on the last day
    const day0 = failures(0, 2).error;
    write(dir, 'kept-error.log', [...day0, ...failures(2, 2).error]);
    write(dir, 'php8.2-fpm.log', ['[03-Nov-2024 10:00:00] WARNING: [pool www] server reached pm.max_children setting (5), consider raising it']);
    const files = ['access.log.2.gz', 'access.log.1', 'access.log', 'kept-error.log', 'php8.2-fpm.log'];
    const cut = Buffer.byteLength(day0.join('\n') + '\n');
    // day 0's errors before day 0's access log; day 2's (nothing of day 1) before the access log of day 1
    expect(await order(dir, files)).toEqual([
      'php8.2-fpm.log',
      `kept-error.log[0-${cut}]`,
      'access.log.2.gz',
      `kept-error.log[${cut}-Infinity]`,
      'access.log.1',
      'access.log',
    ]);
    // an error log of one day (rotated with its access log) is read whole
    expect((await order(dir, ['access.log.1', 'error.log.1'])).every((f) => !f.includes('['))).toBe(true);
  });

  test('the pieces of an error log never rotated: contiguous, each cut at the first entry of the next day', async () => {
    const { dir, errorLines } = oneErrorLog(4, 50);
    const ranked = await readingOrder(discoverInputs([dir]), opts);
    const pieces = ranked.filter((r) => r.piece).map((r) => r.piece!);
    expect(pieces.map((p) => [p.first, p.last])).toEqual([[true, false], [false, false], [false, false], [false, true]]);
    expect(pieces[0].start).toBe(0);
    for (let k = 1; k < pieces.length; k++) expect(pieces[k].start).toBe(pieces[k - 1].end);
    const text = fs.readFileSync(path.join(dir, 'error.log'));
    // the last piece reads on to the end of the file, wherever that is when it is read
    expect(pieces[pieces.length - 1].end).toBe(Infinity);
    // each piece is one day's 50 entries, the first read just before that day's access log
    for (const [k, p] of pieces.entries()) {
      const lines = text.subarray(p.start, p.end).toString().trimEnd().split('\n');
      expect(lines).toEqual(errorLines.slice(50 * k, 50 * (k + 1)));
    }
    expect(ranked.map((r) => path.basename(r.spec.path))).toEqual(['error.log', 'access.log.3.gz', 'error.log', 'access.log.2.gz', 'error.log', 'access.log.1', 'error.log', 'access.log']);
  });

  test('read in pieces, an error log never rotated explains every day, its lines counted and numbered as one file', async () => {
    const { dir, errorLines } = oneErrorLog(3, 2_500);
    const events: { file: string; line: number; request: string | null; source: string }[] = [];
    const analyzer = new Analyzer({ indexBudget: 2 * 1024 * 1024, onEvent: (ev) => events.push(ev) });
    await runAnalysis(discoverInputs([dir]), analyzer, opts);
    const s = analyzer.summary;
    // read whole first, the budget of a day and a half lost the first day's twins
    expect(s.gatewayFailures).toBe(7_500);
    expect(s.gatewayExplained).toBe(7_500);
    const errorStats = s.files.filter((f) => path.basename(f.path) === 'error.log');
    expect(errorStats).toHaveLength(1);
    expect(errorStats[0].lines).toBe(7_500);
    expect(errorStats[0].parsed).toBe(7_500);
    // an error entry's line number is its line in the whole file, in every piece
    const fromErrors = events.filter((e) => e.source === 'nginx-error');
    expect(fromErrors).toHaveLength(7_500);
    for (const e of [fromErrors[0], fromErrors[2_600], fromErrors[7_499]]) {
      expect(errorLines[e.line - 1]).toContain(`request: "${e.request}"`);
    }
  });

  test('an error log still written to: what its last piece finds appended is read too', async () => {
    const { dir } = oneErrorLog(2, 20);
    const ranked = await readingOrder(discoverInputs([dir]), opts);
    expect(ranked.filter((r) => r.piece)).toHaveLength(2);
    fs.appendFileSync(path.join(dir, 'error.log'), failures(1, 20).error.slice(0, 3).join('\n') + '\n');
    const analyzer = new Analyzer();
    await runOrdered(ranked, analyzer, opts);
    expect(analyzer.summary.files.find((f) => path.basename(f.path) === 'error.log')?.lines).toBe(43);
  });

  test('a file whose kind cannot be told is read with the newest access logs, after every error log', async () => {
    const dir = rotatedDays(2, 2);
    write(dir, 'notes', ['not a log line', 'nor this one']);
    expect(await order(dir, ['notes', 'access.log.1', 'error.log.1', 'error.log', 'access.log'])).toEqual([
      'error.log.1',
      'access.log.1',
      'error.log',
      'notes',
      'access.log',
    ]);
  });

  test('a correlation index that holds a day of failures explains every day of a rotated month', async () => {
    // ~600 estimated bytes an entry: the budget holds a day and a half of 2,500 failures, not
    // three days; and a day is more than the time join's own list keeps (RECENT_CAPACITY)
    const dir = rotatedDays(3, 2_500);
    const analyzer = new Analyzer({ indexBudget: 2 * 1024 * 1024 });
    await runAnalysis(discoverInputs([dir]), analyzer, opts);
    const s = analyzer.summary;
    expect(s.gatewayFailures).toBe(7_500);
    expect(s.gatewayExplained).toBe(7_500);
    // the budget was binding: entries were evicted, only none that a later access line needed
    expect(analyzer.index.evicted).toBeGreaterThan(0);
    expect(RECENT_CAPACITY).toBeLessThan(2_500);
  });

  test('directories are read one after the other, so the index holds a day of one site, not of every site', async () => {
    const root = tempDir('order-sites');
    rotatedDays(3, 2_500, path.join(root, 'site-a'));
    rotatedDays(3, 2_500, path.join(root, 'site-b'));
    const inputs = discoverInputs([root]);
    const names = (await readingOrder(inputs, opts)).map((r) => path.relative(root, r.spec.path));
    expect(names).toEqual(
      ['site-a', 'site-b'].flatMap((site) =>
        ['error.log.2.gz', 'access.log.2.gz', 'error.log.1', 'access.log.1', 'error.log', 'access.log'].map((f) => path.join(site, f)),
      ),
    );
    // the budget holds a day and a half of one site: two sites' days at once would not fit
    const analyzer = new Analyzer({ indexBudget: 2 * 1024 * 1024 });
    await runAnalysis(inputs, analyzer, opts);
    expect(analyzer.summary.gatewayFailures).toBe(15_000);
    expect(analyzer.summary.gatewayExplained).toBe(15_000);
  });
});
