#!/usr/bin/env node
/*
 * The build's second step, after tsc (`npm run build`): dist/cli/bundle.js, the CLI and the
 * packages it requires in one file, which is what bin/upstream-doctor runs (src/cli/launch.ts).
 *
 * 1. esbuild bundles dist/cli/main.js (tsc's output, so the code is the code tsc made). Requires
 *    inside functions stay lazy: esbuild makes each module a function run at its first require.
 *    Node's own modules stay outside. The worker thread keeps running dist/analyze/worker.js
 *    (analyze/parallel.ts finds no worker.js beside the bundle and takes that one).
 * 2. yargs finds its translations from its own directory (__dirname); in the bundle they are found
 *    through require.resolve, where the package is installed.
 */
'use strict';
const fs = require('fs');
const path = require('path');

const ROOT = path.resolve(__dirname, '..');
const DIST_CLI = path.join(ROOT, 'dist', 'cli');

/** yargs' platform shim: `y18n({directory: resolve(__dirname, "../locales"), …})`. */
const YARGS_LOCALES = 're(__dirname,"../locales")';

const yargsLocales = {
  name: 'yargs-locales',
  setup(build) {
    build.onLoad({ filter: /[\\/]yargs[\\/]build[\\/]index\.cjs$/ }, (args) => {
      const text = fs.readFileSync(args.path, 'utf8');
      if (text.split(YARGS_LOCALES).length !== 2) {
        throw new Error(`${args.path}: expected ${YARGS_LOCALES} once (yargs changed: see scripts/bundle.js)`);
      }
      return { contents: text.replace(YARGS_LOCALES, 're(require.resolve("yargs/package.json"),"../locales")'), loader: 'js' };
    });
  },
};

async function bundle() {
  const esbuild = require('esbuild');
  const outfile = path.join(DIST_CLI, 'bundle.js');

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
  // node's loader skips a #! line; the bundle keeps main.js's
  fs.writeFileSync(outfile, result.outputFiles[0].text);
}

bundle().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
