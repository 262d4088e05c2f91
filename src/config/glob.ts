import * as fs from 'fs';
import * as path from 'path';

/**
 * The shell globs nginx `include` and Apache `Include` accept (`*`, `?`, `[...]`, per path
 * segment, hidden files only when the pattern names them), matched without regexes so that a
 * pattern costs at most length × length steps. Results are sorted, as glob(3) sorts them.
 */

export function hasGlobMagic(p: string): boolean {
  return /[*?[]/.test(p);
}

/** Matches one `[...]` class at pattern[pi] against c; returns the index after the class, or -1 on no match. */
function matchClass(pattern: string, pi: number, c: string): { end: number; ok: boolean } | null {
  let i = pi + 1;
  let negate = false;
  if (pattern[i] === '!' || pattern[i] === '^') {
    negate = true;
    i++;
  }
  let ok = false;
  let first = true;
  while (i < pattern.length && (first || pattern[i] !== ']')) {
    first = false;
    const lo = pattern[i];
    if (pattern[i + 1] === '-' && i + 2 < pattern.length && pattern[i + 2] !== ']') {
      if (c >= lo && c <= pattern[i + 2]) ok = true;
      i += 3;
    } else {
      if (c === lo) ok = true;
      i++;
    }
  }
  if (i >= pattern.length) return null; // no closing bracket: the `[` is literal
  return { end: i + 1, ok: ok !== negate };
}

/** Does one path segment match one glob segment? */
export function matchSegment(pattern: string, name: string): boolean {
  if (name.startsWith('.') && !pattern.startsWith('.')) return false;
  let pi = 0;
  let ni = 0;
  let starP = -1;
  let starN = 0;
  while (ni < name.length) {
    const p = pattern[pi];
    if (p === '*') {
      starP = ++pi;
      starN = ni;
      continue;
    }
    if (pi < pattern.length) {
      if (p === '?') {
        pi++;
        ni++;
        continue;
      }
      if (p === '[') {
        const m = matchClass(pattern, pi, name[ni]);
        if (m && m.ok) {
          pi = m.end;
          ni++;
          continue;
        }
        if (!m && name[ni] === '[') {
          pi++;
          ni++;
          continue;
        }
      } else if (p === name[ni]) {
        pi++;
        ni++;
        continue;
      }
    }
    if (starP === -1) return false;
    pi = starP;
    ni = ++starN;
  }
  while (pattern[pi] === '*') pi++;
  return pi === pattern.length;
}

/** Matches a whole absolute path against an absolute pattern, segment by segment. */
export function matchPath(pattern: string, file: string): boolean {
  const ps = pattern.split('/');
  const fs_ = file.split('/');
  if (ps.length !== fs_.length) return false;
  return ps.every((p, i) => (hasGlobMagic(p) ? matchSegment(p, fs_[i]) : p === fs_[i]));
}

/** Expands an absolute pattern against the file system. Unreadable directories contribute nothing. */
export function expandGlob(pattern: string): string[] {
  const segments = pattern.split('/').filter((s, i) => s !== '' || i === 0);
  let current = [segments[0] === '' ? '/' : segments[0]];
  for (const seg of segments.slice(1)) {
    const next: string[] = [];
    for (const dir of current) {
      if (!hasGlobMagic(seg)) {
        next.push(path.join(dir, seg));
        continue;
      }
      let names: string[];
      try {
        names = fs.readdirSync(dir);
      } catch {
        continue;
      }
      for (const n of names.sort()) if (matchSegment(seg, n)) next.push(path.join(dir, n));
    }
    current = next;
  }
  return current.filter((p) => fs.existsSync(p)).sort();
}
