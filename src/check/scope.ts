import * as path from 'path';
import picomatch from 'picomatch';
import { Scope } from './rules';

/**
 * Which inputs a scope covers. A glob with a `/` is matched against the file's path relative to
 * the scope's base (the config file's directory), or against the absolute path when the glob is
 * absolute; a glob without `/` is matched against the file name alone.
 */

const posix = (p: string) => p.split(path.sep).join('/');

const NEVER = () => false;

export function scopeMatcher(scope: Scope): (file: string) => boolean {
  // Split by hand: picomatch's own `basename` option also changes how globs with a `/` match.
  const byName = scope.files.filter((g) => !g.includes('/'));
  const byPath = scope.files.filter((g) => g.includes('/'));
  const nameMatch = byName.length > 0 ? picomatch(byName, { dot: true }) : NEVER;
  const pathMatch = byPath.length > 0 ? picomatch(byPath, { dot: true }) : NEVER;
  return (file) => {
    if (file === '-') return false;
    const abs = path.resolve(file);
    return nameMatch(path.basename(abs)) || pathMatch(posix(path.relative(scope.base, abs))) || pathMatch(posix(abs));
  };
}
