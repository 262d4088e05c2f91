import * as path from 'path';
import picomatch from 'picomatch';
import { Scope } from './rules';

/**
 * Which inputs a scope covers. A glob with a `/` is matched against the file's path relative to
 * the scope's base (the config file's directory), or against the absolute path when the glob is
 * absolute; a glob without `/` is matched against the file name alone.
 */

const posix = (p: string) => p.split(path.sep).join('/');

export function scopeMatcher(scope: Scope): (file: string) => boolean {
  const isMatch = picomatch(scope.files, { basename: true, dot: true });
  return (file) => {
    if (file === '-') return false;
    const abs = path.resolve(file);
    return isMatch(posix(path.relative(scope.base, abs))) || isMatch(posix(abs));
  };
}
