import type { Argv } from 'yargs';

/**
 * yargs builds the whole help text of a command once its handler has started (its usage's
 * cacheHelpMessage, kept for a showHelp() called later): 8-10 ms of wrapping and measuring text on
 * every run. This CLI shows help only for --help, which yargs answers before any handler runs, and
 * never on a failure (main.ts's .fail() throws instead), so nothing reads that text. With a yargs that
 * no longer has the method, nothing is changed (test/help-cache.test.ts says so).
 */
export function skipHelpCache(parser: Argv): boolean {
  type Usage = { cacheHelpMessage?: unknown };
  const internal = parser as unknown as { getInternalMethods?: () => { getUsageInstance?: () => Usage } };
  const usage = typeof internal.getInternalMethods === 'function' ? internal.getInternalMethods().getUsageInstance?.() : undefined;
  if (!usage || typeof usage.cacheHelpMessage !== 'function') return false;
  usage.cacheHelpMessage = () => {};
  return true;
}
