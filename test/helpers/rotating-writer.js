#!/usr/bin/env node
'use strict';
/**
 * Writes uniquely numbered nginx access lines to a log at a high rate while rotating it the way
 * logrotate does, in a process of its own (so the tailer competes for real). Usage:
 *   rotating-writer.js LOG PLAN RATE [START_ID]
 * PLAN is a comma list of rotations performed in order, e.g. rename,copytruncate,recreate
 * (rename = rename-and-create, copytruncate = copy then truncate in place, recreate = delete
 * then create). Every tenth line is a 502. Between rotations it writes for a random 30-120 ms. Prints the last id written.
 */
const fs = require('fs');

const [log, planArg, rateArg, startArg] = process.argv.slice(2);
const plan = planArg ? planArg.split(',').filter(Boolean) : [];
const rate = Number(rateArg || 40000);
let id = Number(startArg || 0);
const BATCH = 200;
// Like logrotate's `rotate N`: enough old files that a reader a few rotations behind still finds its copy.
const KEEP = 60;

function line(n) {
  const t = new Date().toISOString().replace('T', ' ').slice(0, 19);
  // nginx "combined"; every tenth line is a 502, which becomes a FailureEvent carrying its id.
  const status = n % 10 === 0 ? 502 : 200;
  return `127.0.0.1 - - [${fmt(new Date())}] "GET /id/${n} HTTP/1.1" ${status} 157 "-" "writer ${t}"\n`;
}
const MON = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
function fmt(d) {
  const p = (x) => String(x).padStart(2, '0');
  return `${p(d.getUTCDate())}/${MON[d.getUTCMonth()]}/${d.getUTCFullYear()}:${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())} +0000`;
}

let fd = fs.openSync(log, 'a');

function shift() {
  for (let i = KEEP; i >= 1; i--) {
    const from = i === 1 ? null : `${log}.${i - 1}`;
    if (i === KEEP) fs.rmSync(`${log}.${KEEP}`, { force: true });
    if (from && fs.existsSync(from)) fs.renameSync(from, `${log}.${i}`);
  }
}

function rotate(kind) {
  shift();
  if (kind === 'rename') {
    fs.renameSync(log, `${log}.1`);
    fs.closeSync(fd);
    fd = fs.openSync(log, 'a');
  } else if (kind === 'copytruncate') {
    fs.copyFileSync(log, `${log}.1`);
    fs.ftruncateSync(fd, 0);
  } else if (kind === 'recreate') {
    fs.closeSync(fd);
    fs.rmSync(log);
    fd = fs.openSync(log, 'a');
  } else throw new Error(`unknown rotation ${kind}`);
}

function writeFor(ms) {
  const end = Date.now() + ms;
  const perBatchMs = (BATCH / rate) * 1000;
  let next = Date.now();
  while (Date.now() < end) {
    let s = '';
    for (let i = 0; i < BATCH; i++) s += line(++id);
    fs.writeSync(fd, s);
    next += perBatchMs;
    const wait = next - Date.now();
    if (wait > 0) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, wait);
  }
}

writeFor(60 + Math.random() * 60);
for (const kind of plan) {
  rotate(kind);
  writeFor(30 + Math.random() * 90);
}
fs.closeSync(fd);
process.stdout.write(String(id) + '\n');
