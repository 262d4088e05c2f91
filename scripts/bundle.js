#!/usr/bin/env node
/*
 * The build's second step, after tsc (`npm run build`): dist/cli/bundle.js, the CLI and the
 * packages it requires in one file, and beside it V8's code cache of it, which is what
 * bin/upstream-doctor runs (src/cli/launch.ts says why and how it checks the cache).
 *
 * 1. esbuild bundles dist/cli/main.js (tsc's output, so the code is the code tsc made). Requires
 *    inside functions stay lazy: esbuild makes each module a function run at its first require.
 *    Node's own modules stay outside. The worker thread keeps running dist/analyze/worker.js
 *    (analyze/parallel.ts finds no worker.js beside the bundle and takes that one).
 * 2. yargs finds its translations from its own directory (__dirname); in the bundle they are found
 *    where node would find the package: the first node_modules/yargs on require's lookup paths
 *    (require.resolve would also read the package's exports, and loading node's ESM resolver for
 *    that costs ~4 ms a run).
 * 3. Characters outside ASCII are written as \u escapes, which mean the same in a string, a regular
 *    expression, a template and a comment (esbuild leaves those in comments and regular
 *    expressions): the launcher then reads the file as Latin-1, 4x faster than UTF-8. A tagged
 *    template's raw text would change, so those are left as they are (the file then is not ASCII,
 *    and is read as UTF-8: slower, same result).
 * 4. The last line names the bundle by its hash, and so its cache file.
 * 5. The cache: a node started with bin/upstream-doctor's own V8 flags (V8 takes a cache only under
 *    the flags it was made with) runs the bundle on the fixtures (TRAINING), then
 *    writes the bytecode of every function those runs compiled (`--train`, below).
 *
 * The cache is build output, like dist/: never committed, made anew by every build.
 */
'use strict';
const fs = require('fs');
const path = require('path');
const crypto = require('crypto');
const { spawnSync } = require('child_process');

const ROOT = path.resolve(__dirname, '..');
const DIST_CLI = path.join(ROOT, 'dist', 'cli');
const LAUNCHER = path.join(ROOT, 'bin', 'upstream-doctor');

/**
 * The runs whose compiled functions go into the cache: the usual inputs, both usual outputs, and
 * `check` (a CI gate on a few captured logs is mostly start-up).
 */
const TRAINING = [
  ['analyze', 'fixtures/nginx', '--format', 'json'],
  ['analyze', 'fixtures/nginx'],
  ['analyze', 'fixtures/apache', '--format', 'json'],
  ['analyze', 'fixtures/apache'],
  ['check', 'fixtures/nginx', 'fixtures/apache', '--max', 'upstream-refused=1000', '--max-rate', '5xx=100%', '--require-explained', '1%'],
];

/** yargs' platform shim: `y18n({directory: resolve(__dirname, "../locales"), …})`. */
const YARGS_LOCALES = 're(__dirname,"../locales")';

const LOCALES_FOUND = `(() => {
  const { join } = require("path"), { existsSync } = require("fs");
  for (const dir of require.resolve.paths("yargs") || []) {
    const locales = join(dir, "yargs", "locales");
    if (existsSync(locales)) return locales;
  }
  return re(require.resolve("yargs/package.json"), "../locales");
})()`;

const yargsLocales = {
  name: 'yargs-locales',
  setup(build) {
    build.onLoad({ filter: /[\\/]yargs[\\/]build[\\/]index\.cjs$/ }, (args) => {
      const text = fs.readFileSync(args.path, 'utf8');
      if (text.split(YARGS_LOCALES).length !== 2) {
        throw new Error(`${args.path}: expected ${YARGS_LOCALES} once (yargs changed: see scripts/bundle.js)`);
      }
      return { contents: text.replace(YARGS_LOCALES, LOCALES_FOUND), loader: 'js' };
    });
  },
};

/** Ranges [start, end) of the bundle's tagged templates, whose raw text a tag may read. */
function taggedTemplates(text) {
  const ts = require('typescript');
  const sf = ts.createSourceFile('bundle.js', text, ts.ScriptTarget.Latest, false, ts.ScriptKind.JS);
  const ranges = [];
  const visit = (node) => {
    if (ts.isTaggedTemplateExpression(node)) ranges.push([node.template.getStart(sf), node.template.end]);
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return ranges.sort((a, b) => a[0] - b[0]);
}

/** Step 3: \u escapes for the characters outside ASCII, but in tagged templates or after a backslash. */
function escapeNonAscii(text) {
  if (!/[^\x00-\x7f]/.test(text)) return { text, left: 0 };
  const keep = taggedTemplates(text);
  let out = '';
  let from = 0;
  let k = 0;
  let left = 0;
  const re = /[^\x00-\x7f]/g;
  for (let m; (m = re.exec(text)); ) {
    const at = m.index;
    while (k < keep.length && keep[k][1] <= at) k++;
    let slashes = 0;
    while (text.charCodeAt(at - 1 - slashes) === 92) slashes++;
    const code = text.charCodeAt(at);
    // an astral character's halves would be two escapes: wrong in an identifier, so left as is
    if ((k < keep.length && keep[k][0] <= at) || slashes % 2 === 1 || (code >= 0xd800 && code <= 0xdfff)) {
      left++;
      continue;
    }
    out += text.slice(from, at) + '\\u' + code.toString(16).padStart(4, '0');
    from = at + 1;
  }
  return { text: out + text.slice(from), left };
}

async function bundle() {
  const esbuild = require('esbuild');
  const { BUNDLE_ID_PREFIX, BUNDLE_ID_LENGTH } = require('../dist/cli/launch.js');
  const outfile = path.join(DIST_CLI, 'bundle.js');
  for (const f of fs.readdirSync(DIST_CLI)) if (f.startsWith('bundle.js')) fs.rmSync(path.join(DIST_CLI, f));

  const result = await esbuild.build({
    entryPoints: [path.join(DIST_CLI, 'main.js')],
    outfile,
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    write: false,
    logLevel: 'warning',
    external: ['yargs/package.json'],
    plugins: [yargsLocales],
  });
  let text = result.outputFiles[0].text.replace(/^#![^\n]*\n/, '');
  const escaped = escapeNonAscii(text);
  if (escaped.left > 0) console.warn(`bundle: ${escaped.left} characters outside ASCII left as they are (read as UTF-8)`);
  text = escaped.text;
  if (!text.endsWith('\n')) text += '\n';
  const id = crypto.createHash('sha256').update(text).digest('hex').slice(0, BUNDLE_ID_LENGTH);
  text += `${BUNDLE_ID_PREFIX}${id}\n`;
  fs.writeFileSync(outfile, text);

  // as a user's shell starts it: NODE_OPTIONS may set V8 flags, which would be in the cache's
  const env = { ...process.env };
  delete env.NODE_OPTIONS;
  const flags = launcherFlags();
  const r = spawnSync(process.execPath, [...flags, __filename, '--train'], { cwd: ROOT, env, stdio: ['ignore', 'ignore', 'inherit'] });
  if (r.status !== 0) throw new Error(`bundle: the training run failed (${r.signal ?? `exit ${r.status}`})`);
  // V8 must take it as the launcher compiles: a flag the run changed and train() did not set back
  // would make it refuse every cache, in silence
  const check = `const L = require('./dist/cli/launch.js'); const src = L.readBundle(L.BUNDLE);
    const data = require('fs').readFileSync(L.cacheFileOf(L.BUNDLE, src));
    process.stdout.write(String(L.compileBundle(L.BUNDLE, src, data).cachedDataRejected));`;
  const taken = spawnSync(process.execPath, [...flags, '-e', check], { cwd: ROOT, env, encoding: 'utf8' });
  if (taken.stdout !== 'false') throw new Error(`bundle: V8 refuses the code cache just made (${taken.stdout || taken.stderr})`);
}

/** The V8 flags bin/upstream-doctor starts node with: `exec node FLAGS "$0"`. */
function launcherFlags() {
  const m = /\bexec node ((?:--[\w-]+(?:=\S+)? ?)+) "\$0"/.exec(fs.readFileSync(LAUNCHER, 'utf8'));
  if (!m) throw new Error(`bundle: no \`exec node FLAGS "$0"\` line in ${LAUNCHER}`);
  return m[1].trim().split(' ');
}

/** Step 5, in a node started with the launcher's flags: the training runs, then the cache. */
function train() {
  const v8 = require('v8');
  const { BUNDLE, cacheFileOf, readBundle, compileBundle, runBundle } = require('../dist/cli/launch.js');
  const src = readBundle(BUNDLE);
  const script = compileBundle(BUNDLE, src);
  const runs = TRAINING.slice();
  const next = () => {
    process.argv = [process.argv[0], LAUNCHER, ...runs.shift()];
    runBundle(script, BUNDLE);
  };
  process.on('beforeExit', () => {
    const code = process.exitCode ?? 0;
    if (code !== 0 && code !== 3) throw new Error(`bundle: a training run exited ${code}`);
    process.exitCode = undefined;
    if (runs.length > 0) return next();
    // The flags as a launched CLI has them when it compiles: the run set the heap growth (cli/heap-growth.ts),
    // and V8 writes a checksum only under --verify-snapshot-checksum (launch.ts).
    v8.setFlagsFromString('--heap-growing-percent=0');
    v8.setFlagsFromString('--verify-snapshot-checksum');
    fs.writeFileSync(cacheFileOf(BUNDLE, src), script.createCachedData());
    process.exitCode = 0;
  });
  next();
}

if (process.argv[2] === '--train') train();
else
  bundle().catch((err) => {
    console.error(err);
    process.exitCode = 1;
  });
