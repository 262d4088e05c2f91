#!/usr/bin/env node
'use strict';
/**
 * Runs the two npm packages named "tail-file" against the rotation writer used by the tail tests
 * and counts lines lost or doubled (see docs/tail.md). Not part of `npm test`:
 *   npm i --no-save tail-file@1.4.16   # @logdna/tail-file is already installed
 *   node bench/tail-libraries.js logdna|aigan rename|copytruncate|recreate [ROTATIONS] [POLL_MS]
 */
const fs = require('fs');
const os = require('os');
const path = require('path');
const { spawn } = require('child_process');

const [which = 'logdna', kind = 'rename', rotations = '20', poll = '100'] = process.argv.slice(2);
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ud-taillib-'));
const log = path.join(dir, 'access.log');
fs.writeFileSync(log, '');
const seen = new Map();
let carry = '';
const onLine = (l) => {
  const m = /\/id\/(\d+) /.exec(l);
  if (m) seen.set(+m[1], (seen.get(+m[1]) || 0) + 1);
};
const onChunk = (s) => {
  const parts = (carry + s).split('\n');
  carry = parts.pop();
  parts.forEach(onLine);
};

(async () => {
  let stop;
  if (which === 'logdna') {
    const TailFile = require('@logdna/tail-file');
    const t = new TailFile(log, { pollFileIntervalMs: Number(poll), encoding: 'utf8' });
    t.on('data', onChunk).on('tail_error', () => {});
    await t.start();
    stop = () => t.quit();
  } else {
    const Tail = require('tail-file');
    const t = new Tail(log, { startPos: 'start' });
    t.on('line', onLine).on('error', () => {});
    await t.startP();
    stop = () => t.stop();
  }
  const plan = Array(Number(rotations)).fill(kind).join(',');
  const w = spawn(process.execPath, [path.join(__dirname, '..', 'test', 'helpers', 'rotating-writer.js'), log, plan, '40000'], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let out = '';
  w.stdout.on('data', (d) => (out += d));
  w.on('exit', () =>
    setTimeout(async () => {
      const last = Number(out.trim());
      let missing = 0;
      let doubled = 0;
      for (let i = 1; i <= last; i++) {
        const c = seen.get(i) || 0;
        if (c === 0) missing++;
        if (c > 1) doubled += c - 1;
      }
      console.log(`${which} ${kind} x${rotations}: written ${last}, missing ${missing}, doubled ${doubled}`);
      await stop();
      fs.rmSync(dir, { recursive: true, force: true });
      process.exit(0);
    }, 2000),
  );
})();
