import yargs from 'yargs';
import { skipHelpCache } from '../src/cli/help-cache';

/** src/cli/help-cache.ts: yargs' help text is no longer built after each command's handler starts. */
describe('skipHelpCache', () => {
  const parser = (argv: string[], out: string[], skip: boolean) => {
    const p = yargs(argv)
      .scriptName('t')
      .command('run [paths..]', 'runs', (y) => y.option('n', { type: 'number', describe: 'a number' }), () => {
        out.push('ran');
      })
      .strict()
      .help()
      .exitProcess(false)
      .fail((msg, err) => {
        throw err ?? new Error(msg);
      });
    if (skip) expect(skipHelpCache(p)).toBe(true); // false: this yargs has no such method any more
    return p;
  };
  const usageOf = (p: ReturnType<typeof yargs>) =>
    (p as unknown as { getInternalMethods(): { getUsageInstance(): { hasCachedHelpMessage(): boolean } } }).getInternalMethods().getUsageInstance();

  test('the handler runs, and no help text is built', async () => {
    const out: string[] = [];
    const p = parser(['run', 'a', '-n', '2'], out, true);
    const argv = await p.parseAsync();
    expect(out).toEqual(['ran']);
    expect(argv.paths).toEqual(['a']);
    expect(usageOf(p).hasCachedHelpMessage()).toBe(false);
    // what the call saves: yargs builds it otherwise
    const q = parser(['run', 'a'], [], false);
    await q.parseAsync();
    expect(usageOf(q).hasCachedHelpMessage()).toBe(true);
  });

  test('--help prints the same text', async () => {
    const printed = async (skip: boolean) => {
      const lines: string[] = [];
      const log = jest.spyOn(console, 'log').mockImplementation((s: string) => void lines.push(s));
      try {
        await parser(['run', '--help'], [], skip).parseAsync();
      } finally {
        log.mockRestore();
      }
      return lines;
    };
    const withCache = await printed(false);
    expect(withCache.join('\n')).toMatch(/a number/);
    expect(await printed(true)).toEqual(withCache);
  });
});
