import * as fs from 'fs';
import * as path from 'path';
import { Analyzer } from '../src/analyze/analyzer';
import { RECENT_CAPACITY } from '../src/diagnose/correlate';
import { readingOrder } from '../src/analyze/reading-order';
import { runAnalysis } from '../src/analyze/run';
import { discoverInputs } from '../src/input/discover';
import { ZoneClock } from '../src/parse/time';
import { tempDir } from './helpers/config';
import { failures, rotatedDays as rotatedIn, write } from './helpers/synthetic-days';

/**
 * The order a batch run reads its files in (src/analyze/reading-order.ts), on SYNTHETIC logs
 * in nginx's and PHP-FPM's layouts: days of logrotate-style sets (helpers/synthetic-days.ts),
 * each day's failures an access line (`upstream` preset) and its error-log twin.
 */

const opts = { formats: [], clock: new ZoneClock('UTC') };
const rotatedDays = (days: number, n: number, dir = tempDir('order')) => rotatedIn(days, n, dir);

async function order(dir: string, files?: string[]): Promise<string[]> {
  const inputs = discoverInputs(files ? files.map((f) => path.join(dir, f)) : [dir]);
  return (await readingOrder(inputs, opts)).map((r) => path.basename(r.spec.path));
}

describe('reading order', () => {
  test('daily rotated sets are read a day at a time, each access log right after its day of errors', async () => {
    const dir = rotatedDays(3, 3);
    expect(await order(dir)).toEqual(['error.log.2.gz', 'access.log.2.gz', 'error.log.1', 'access.log.1', 'error.log', 'access.log']);
  });

  test('PHP-FPM logs come first whatever their times; an error log never rotated comes before every access log', async () => {
    const dir = rotatedDays(3, 3);
    fs.renameSync(path.join(dir, 'error.log'), path.join(dir, 'kept-error.log'));
    // one error log for the three days, and a PHP-FPM log that begins on the last day
    write(dir, 'kept-error.log', [...failures(0, 2).error, ...failures(2, 2).error]);
    write(dir, 'php8.2-fpm.log', ['[03-Nov-2024 10:00:00] WARNING: [pool www] server reached pm.max_children setting (5), consider raising it']);
    const files = ['access.log.2.gz', 'access.log.1', 'access.log', 'kept-error.log', 'php8.2-fpm.log'];
    expect(await order(dir, files)).toEqual(['php8.2-fpm.log', 'kept-error.log', 'access.log.2.gz', 'access.log.1', 'access.log']);
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
