#!/usr/bin/env node
'use strict';
/*
 * A long span at low rate, for the time table's bound (docs/performance.md, "a bounded time table"):
 * `node bench/span-log.js OUT MINUTES` writes one `upstream`-format request a minute from
 * 2024-01-01 UTC, every 9th a 502. 525600 minutes is a year (57 MB).
 */
const fs=require('fs');
const out=fs.openSync(process.argv[2],'w');
const minutes=+process.argv[3];
const p2 = (x) => String(x).padStart(2, '0');
const mon = ['Jan','Feb','Mar','Apr','May','Jun','Jul','Aug','Sep','Oct','Nov','Dec'];
let buf=[];
for (let i = 0; i < minutes; i++) {
  const d = new Date(Date.UTC(2024, 0, 1) + i * 60000);
  const clf = `${p2(d.getUTCDate())}/${mon[d.getUTCMonth()]}/${d.getUTCFullYear()}:${p2(d.getUTCHours())}:${p2(d.getUTCMinutes())}:${p2(d.getUTCSeconds())} +0000`;
  const status = i % 9 === 0 ? 502 : 200;
  buf.push(`10.1.0.${1 + (i % 50)} - - [${clf}] "GET /p/${i % 20} HTTP/1.1" ${status} 13 "-" "ua" 0.010 10.0.0.${1+i%3}:8080 ${status} 0.010\n`);
  if (buf.length>10000){fs.writeSync(out,buf.join(''));buf=[];}
}
fs.writeSync(out,buf.join(''));
