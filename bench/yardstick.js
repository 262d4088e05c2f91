'use strict';
/**
 * The yardstick: the minimal hand-written byte scanner an expert would write for one question
 * (502/504... every status, per hour) and nothing else: Buffer chunks, no readline, no string per
 * line, only the status and the hour decoded. `analyze` is measured against it in the same run.
 *
 *   node bench/yardstick.js FILE...             prints {"lines":N,"keys":K}
 *   node bench/yardstick.js --threads 2 FILE... the files dealt to 2 worker threads: how much a
 *                                               second thread gives this machine right now
 *   node bench/yardstick.js --aligned FILE...   the same, reading into a page-aligned buffer as
 *                                               analyze does (src/input/open.ts pageAligned): a
 *                                               reference for what that trick alone is worth
 */
const fs = require('fs');
const { Worker, isMainThread, parentPort, workerData } = require('worker_threads');

const CHUNK = 1 << 20;

let ALIGNED = false;

function countFile(file, counts) {
  const fd = fs.openSync(file, 'r');
  let buf = ALIGNED ? Buffer.from(new WebAssembly.Memory({ initial: (CHUNK * 2) / 65536 }).buffer) : Buffer.allocUnsafe(CHUNK * 2);
  let lines = 0;
  let have = 0;
  // --aligned: every read lands at CHUNK, a page boundary, and the cut line before it is copied
  // to end there (an aligned read is the point; the plain version reads after the cut line)
  const at = ALIGNED ? CHUNK : 0;

  function line(b, s, e) {
    lines++;
    const lb = b.indexOf(91, s); // [dd/Mon/yyyy:HH
    if (lb === -1 || lb + 15 > e) return;
    const hourKey =
      (b[lb + 1] * 10 + b[lb + 2]) * 24 * 16 * 10000 + ((b[lb + 5] + b[lb + 6]) & 0xff) * 24 * 10000 +
      (b[lb + 10] * 10 + b[lb + 11]) * 100 + (b[lb + 13] * 10 + b[lb + 14]);
    const q1 = b.indexOf(34, lb); // "request"
    if (q1 === -1 || q1 >= e) return;
    const q2 = b.indexOf(34, q1 + 1);
    if (q2 === -1 || q2 + 5 > e) return;
    const status = (b[q2 + 2] - 48) * 100 + (b[q2 + 3] - 48) * 10 + (b[q2 + 4] - 48);
    const k = hourKey * 1000 + status;
    counts.set(k, (counts.get(k) || 0) + 1);
  }

  for (;;) {
    const n = fs.readSync(fd, buf, ALIGNED ? at : have, CHUNK, null);
    const end = ALIGNED ? at + n : have + n;
    let pos = ALIGNED ? at - have : 0;
    for (;;) {
      const nl = buf.indexOf(10, pos);
      if (nl === -1 || nl >= end) break;
      line(buf, pos, nl);
      pos = nl + 1;
    }
    if (n === 0) {
      if (pos < end) line(buf, pos, end);
      break;
    }
    have = end - pos;
    if (ALIGNED && have > at) throw new Error('a line longer than 1 MiB: the aligned yardstick does not carry it');
    buf.copy(buf, ALIGNED ? at - have : 0, pos, end);
  }
  fs.closeSync(fd);
  return lines;
}

function countAll(files) {
  const counts = new Map(); // (hour key * 1000 + status) -> n
  let lines = 0;
  for (const f of files) lines += countFile(f, counts);
  return { lines, counts };
}

if (!isMainThread) {
  const { lines, counts } = countAll(workerData);
  parentPort.postMessage({ lines, counts: [...counts] });
} else {
  const args = process.argv.slice(2);
  if (args[0] === '--aligned') ALIGNED = Boolean(args.shift());
  const threads = args[0] === '--threads' ? Math.max(1, Number(args[1])) : 1;
  const files = args[0] === '--threads' ? args.slice(2) : args;
  if (threads === 1) {
    const { lines, counts } = countAll(files);
    process.stdout.write(JSON.stringify({ lines, keys: counts.size }) + '\n');
  } else {
    // Files dealt round-robin; partial counts merged as analyze --jobs merges its partial summaries.
    const parts = Array.from({ length: threads }, (_, t) => files.filter((_, i) => i % threads === t)).filter((p) => p.length > 0);
    Promise.all(parts.map((p) => new Promise((resolve, reject) => new Worker(__filename, { workerData: p }).once('message', resolve).once('error', reject)))).then((results) => {
      const counts = new Map();
      let lines = 0;
      for (const r of results) {
        lines += r.lines;
        for (const [k, n] of r.counts) counts.set(k, (counts.get(k) || 0) + n);
      }
      process.stdout.write(JSON.stringify({ lines, keys: counts.size }) + '\n');
    });
  }
}
