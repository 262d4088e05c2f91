import { isAscii } from 'buffer';
import * as fs from 'fs';
import { createRequire } from 'module';
import * as path from 'path';
import * as v8 from 'v8';
import * as vm from 'vm';

/**
 * What bin/upstream-doctor runs: the CLI as one file, compiled from V8's code cache.
 *
 * `npm run build` bundles dist/cli/main.js and everything it requires (own modules and packages)
 * into dist/cli/bundle.js (scripts/bundle.js), then runs the bundle once with the launcher's V8
 * flags and writes V8's code cache of it: the bytecode of every function that run compiled. Loaded
 * through the CommonJS loader, the ~80 files of a run cost ~20 ms to find (path lookups, package.json
 * reads) and ~30 ms to parse and compile; from one file and its cache, ~10 ms to deserialize.
 *
 * The cache is used only when it is the one built with this bundle and V8 takes it. It is named
 * after the bundle's hash, written in the bundle's last line (BUNDLE_ID_PREFIX), so a bundle built
 * anew never meets an older cache. V8 itself refuses a cache from another V8 version, other
 * V8 flags (a NODE_OPTIONS that sets one, say) or a source of another length, and then compiles
 * the source as usual. It does not check the cache's own bytes unless --verify-snapshot-checksum
 * is on (a debug build's default): a corrupt cache then makes node abort in the deserializer. The
 * flag is set for the compile only (as a command-line flag it also checks node's start-up
 * snapshot, ~5 ms), and was set when the cache was made (it must be, for V8 to write a checksum).
 *
 * Without a bundle (a `tsc` build alone), the modules in dist/ load as before.
 */

export const BUNDLE = path.join(__dirname, 'bundle.js');

/** The bundle's last line: this, then BUNDLE_ID_LENGTH hex digits of its hash, then a newline. */
export const BUNDLE_ID_PREFIX = '//# upstream-doctor bundle ';
export const BUNDLE_ID_LENGTH = 16;

/** CommonJS's wrapper, as the cache was made with: the same text must be compiled for V8 to take it. */
const WRAP_HEAD = '(function (exports, require, module, __filename, __dirname) { ';
const WRAP_TAIL = '\n});';

/** The code cache that belongs with the bundle source `src`, or null when it names none. */
export function cacheFileOf(bundle: string, src: string): string | null {
  const end = src.length - 1;
  const start = end - BUNDLE_ID_LENGTH;
  if (src.charCodeAt(end) !== 10 || !src.startsWith(BUNDLE_ID_PREFIX, start - BUNDLE_ID_PREFIX.length)) return null;
  const id = src.slice(start, end);
  return /^[0-9a-f]+$/.test(id) ? `${bundle}.${id}.cache` : null;
}

/**
 * Reads the bundle: as Latin-1 when it is all ASCII (the build escapes what it can), which decodes
 * ~4x faster than UTF-8 (1 against 4-5 ms for 1 MB) into the same string.
 */
export function readBundle(file: string): string | null {
  let bytes: Buffer;
  try {
    bytes = fs.readFileSync(file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
  return bytes.toString(isAscii(bytes) ? 'latin1' : 'utf8');
}

/** Compiles the bundle as a CommonJS module, with the code cache when one is given. */
export function compileBundle(file: string, src: string, cachedData?: Buffer): vm.Script {
  if (cachedData) v8.setFlagsFromString('--verify-snapshot-checksum');
  try {
    return new vm.Script(WRAP_HEAD + src + WRAP_TAIL, { filename: file, cachedData });
  } finally {
    if (cachedData) v8.setFlagsFromString('--no-verify-snapshot-checksum');
  }
}

/** Runs the compiled bundle as the module `file` would run. */
export function runBundle(script: vm.Script, file: string): void {
  const mod = { exports: {} };
  const fn = script.runInThisContext() as (e: object, r: NodeRequire, m: object, f: string, d: string) => void;
  fn.call(mod.exports, mod.exports, createRequire(file), mod, file, path.dirname(file));
}

export function launch(): void {
  const src = readBundle(BUNDLE);
  if (src === null) {
    require('./main');
    return;
  }
  const cacheFile = cacheFileOf(BUNDLE, src);
  let cachedData: Buffer | undefined;
  if (cacheFile !== null) {
    try {
      cachedData = fs.readFileSync(cacheFile);
    } catch {
      // no cache (not built, or removed): compiled from source
    }
  }
  runBundle(compileBundle(BUNDLE, src, cachedData), BUNDLE);
}
