import * as path from 'path';
import { Analyzer } from '../src/analyze/analyzer';
import { runAnalysis } from '../src/analyze/run';
import { discoverInputs } from '../src/input/discover';
import { ZoneClock } from '../src/parse/time';
import { Summary } from '../src/report/summary';
import { tempDir } from './helpers/config';
import { rotatedDays } from './helpers/synthetic-days';

/**
 * Each failed request is counted once in the summary, and only once: an access failure with the
 * error requests it joins, an error request no access line joins on its own when it leaves the
 * index (src/analyze/analyzer.ts, the counting invariant). On SYNTHETIC rotated nginx logs
 * (helpers/synthetic-days.ts) where every other failure has no access line.
 */

const opts = { formats: [], clock: new ZoneClock('UTC') };
const even = (k: number) => k % 2 === 0;

afterEach(() => jest.restoreAllMocks());

async function counted(dirs: string[], budget: number) {
  const calls = { add: 0, takeBack: 0 };
  const real = Summary.prototype.countFailure;
  jest.spyOn(Summary.prototype, 'countFailure').mockImplementation(function (this: Summary, ...args) {
    if (args[2] > 0) calls.add++;
    else calls.takeBack++;
    return real.apply(this, args);
  });
  const analyzer = new Analyzer({ indexBudget: budget });
  await runAnalysis(discoverInputs(dirs), analyzer, opts);
  const s = analyzer.summary;
  const timeline = [...s.minutes.values()].reduce((n, m) => n + m.failures, 0);
  return { calls, s, timeline, evicted: analyzer.index.evicted };
}

describe('counting', () => {
  test('a joined failure is counted once, not counted, taken back and counted again; an unjoined one once too', async () => {
    // three days of 1,000 failures, half of them with an access line; the budget holds about a
    // day and a half, so unjoined entries are evicted on later days and the last at the end
    const dir = rotatedDays(3, 1_000, tempDir('count'), even);
    const { calls, s, timeline, evicted } = await counted([dir], 900 * 1024);
    expect(evicted).toBeGreaterThan(0);
    expect([s.gatewayFailures, s.gatewayExplained]).toEqual([1_500, 1_500]);
    expect(s.causes.get('upstream-refused')?.count).toBe(3_000);
    expect(s.causes.get('upstream-refused')?.byStatus.get(502)).toBe(3_000);
    expect(timeline).toBe(3_000);
    expect(calls).toEqual({ add: 3_000, takeBack: 0 });
  });

  test('the unjoined requests of a directory are counted when the run leaves it, and leave the index to the next', async () => {
    const root = tempDir('count-sites');
    // a site whose failures have no access line, then one whose failures all have; the budget
    // holds about 1,500 entries: both sites' 2,000 at once would not fit
    const a = rotatedDays(1, 1_000, path.join(root, 'site-a'), () => false);
    const b = rotatedDays(1, 1_000, path.join(root, 'site-b'));
    const { calls, s, timeline, evicted } = await counted([a, b], 900 * 1024);
    expect(evicted).toBe(0);
    expect([s.gatewayFailures, s.gatewayExplained]).toEqual([1_000, 1_000]);
    expect(s.causes.get('upstream-refused')?.count).toBe(2_000);
    expect(timeline).toBe(2_000);
    expect(calls).toEqual({ add: 2_000, takeBack: 0 });
  });
});
