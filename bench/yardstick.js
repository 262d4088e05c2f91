'use strict';
/**
 * The yardstick: the minimal hand-written byte scanner an expert would write for one question
 * (502/504... every status, per hour) and nothing else: Buffer chunks, no readline, no string per
 * line, only the status and the hour decoded. `analyze` is measured against it in the same run.
 *
 *   node bench/yardstick.js FILE   prints {"lines":N,"hours":H}
 */
const fs = require('fs');

const CHUNK = 1 << 20;
const file = process.argv[2];
const fd = fs.openSync(file, 'r');
let buf = Buffer.allocUnsafe(CHUNK * 2);
const counts = new Map(); // (hour key * 1000 + status) -> n
let lines = 0;
let have = 0;

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
  const n = fs.readSync(fd, buf, have, CHUNK, null);
  const end = have + n;
  let pos = 0;
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
  buf.copy(buf, 0, pos, end);
}
process.stdout.write(JSON.stringify({ lines, keys: counts.size }) + '\n');
