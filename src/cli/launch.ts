import * as fs from 'fs';
import * as path from 'path';

/**
 * What bin/upstream-doctor runs: the CLI as one file.
 *
 * `npm run build` bundles dist/cli/main.js and everything it requires (own modules and packages)
 * into dist/cli/bundle.js (scripts/bundle.js). Loaded through the CommonJS loader, the ~80 files
 * of a run cost ~20 ms to find (path lookups, package.json reads) and read one by one.
 *
 * Without a bundle (a `tsc` build alone), the modules in dist/ load as before.
 */

export const BUNDLE = path.join(__dirname, 'bundle.js');

export function launch(): void {
  if (fs.existsSync(BUNDLE)) require(BUNDLE);
  else require('./main');
}
