import * as fs from 'fs';
import * as path from 'path';
import { LogKind } from '../model';
import { FormatPlan } from '../parse/format/plan';

/**
 * Turns the paths an operator typed (files, directories, `-`) into an ordered list of inputs.
 * Rotation sets are read oldest first, so time runs forward through the analysis:
 * access.log-20241115.gz, access.log-20241116, access.log.3.gz, access.log.2.gz, access.log.1, access.log.
 */

export interface InputSpec {
  path: string; // '-' for stdin
  /** Set to the rotation base name (e.g. /var/log/nginx/access.log) shared by a rotation set. */
  rotationBase: string;
  /** Known from a server configuration: the file is read as this kind, with this format, not detected. */
  kind?: LogKind;
  plan?: FormatPlan;
  /** The virtual hosts (server_name / ServerName) the configuration writes this file for. */
  vhosts?: string[];
}

export class InputError extends Error {
  constructor(
    readonly path: string,
    readonly reason: string,
  ) {
    super(`${path}: ${reason}`);
  }
}

export const DEFAULT_LOG_DIRS = ['/var/log/nginx', '/var/log/apache2', '/var/log/httpd'];

const MAX_DEPTH = 3;
const DATEEXT = /^(.*?)-(\d{8}(?:\d{2})?|\d{4}-\d{2}-\d{2})$/;
const NUMBERED = /^(.*)\.(\d{1,4})$/;
const COMPRESSED_EXT = /\.(gz|bz2|xz|zst)$/;
/** Names that are clearly not logs (logrotate state, pid files, editor backups). */
const NOT_A_LOG = /(\.(pid|conf|status|lock|swp|sock|json|ya?ml|md|html?|xml|csv)|~)$/i;

/** Splits a file name into its rotation base and its age rank within the set (higher = newer). */
export function rotationKey(file: string): { base: string; rank: [number, number] } {
  const dir = path.dirname(file);
  let name = path.basename(file).replace(COMPRESSED_EXT, '');
  let m = DATEEXT.exec(name);
  if (m) {
    // dateext files are older than numbered ones and the live file; among themselves by date.
    return { base: path.join(dir, m[1]), rank: [0, Number(m[2].replace(/-/g, '').padEnd(10, '0'))] };
  }
  m = NUMBERED.exec(name);
  if (m) {
    return { base: path.join(dir, m[1]), rank: [1, -Number(m[2])] };
  }
  return { base: path.join(dir, name), rank: [2, 0] };
}

function compareRank(a: [number, number], b: [number, number]): number {
  return a[0] - b[0] || a[1] - b[1];
}

function walk(dir: string, depth: number, out: string[]): void {
  let entries: fs.Dirent[];
  try {
    entries = fs.readdirSync(dir, { withFileTypes: true });
  } catch (err) {
    throw new InputError(dir, describeFsError(err));
  }
  for (const e of entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
    if (e.name.startsWith('.')) continue;
    const full = path.join(dir, e.name);
    if (e.isDirectory()) {
      if (depth < MAX_DEPTH) walk(full, depth + 1, out);
    } else if ((e.isFile() || e.isSymbolicLink()) && !NOT_A_LOG.test(e.name)) {
      out.push(full);
    }
  }
}

export function describeFsError(err: unknown): string {
  const e = err as NodeJS.ErrnoException;
  switch (e && e.code) {
    case 'ENOENT':
      return 'no such file or directory';
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    case 'EISDIR':
      return 'is a directory';
    case 'ENOTDIR':
      return 'not a directory';
    case 'ELOOP':
      return 'too many symbolic links';
    case 'ENOSPC':
      return 'no space left on device';
    case 'EDQUOT':
      return 'disk quota exceeded';
    case 'EROFS':
      return 'read-only file system';
    default:
      return (e && e.message) || String(err);
  }
}

/** Orders files so that each rotation set is contiguous and oldest first. */
export function orderRotationSets(files: string[]): InputSpec[] {
  const keyed = files.map((f) => ({ f, ...rotationKey(f) }));
  keyed.sort((a, b) => (a.base < b.base ? -1 : a.base > b.base ? 1 : compareRank(a.rank, b.rank)));
  return keyed.map((k) => ({ path: k.f, rotationBase: k.base }));
}

/** Expands the command-line paths. Throws InputError for a path that does not exist or cannot be read. */
export function discoverInputs(paths: string[]): InputSpec[] {
  const out: InputSpec[] = [];
  for (const p of paths) {
    if (p === '-') {
      out.push({ path: '-', rotationBase: '-' });
      continue;
    }
    let st: fs.Stats;
    try {
      st = fs.statSync(p);
    } catch (err) {
      throw new InputError(p, describeFsError(err));
    }
    if (st.isDirectory()) {
      const files: string[] = [];
      walk(p, 0, files);
      out.push(...orderRotationSets(files));
    } else {
      out.push({ path: p, rotationBase: rotationKey(p).base });
    }
  }
  return out;
}

export function existingDefaultDirs(dirs: string[] = DEFAULT_LOG_DIRS): string[] {
  return dirs.filter((d) => {
    try {
      return fs.statSync(d).isDirectory();
    } catch {
      return false;
    }
  });
}
