'use strict';
/**
 * Writes a synthetic nginx access log (upstream_doctor format) and error log into a directory:
 * steady traffic with a few slow-upstream 504s, and an optional burst of connection-refused 502s
 * (each with its error-log twin, joined by $connection). Used by the tests (in their temp dirs)
 * and by `npm run report:screenshot` when the captured fixtures are absent. The upstream
 * addresses are only text in the logs: nothing here opens a connection.
 */
const fs = require('fs');
const path = require('path');

const MON = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const p2 = (n) => String(n).padStart(2, '0');
function clf(t) {
  const d = new Date(t);
  return `${p2(d.getUTCDate())}/${MON[d.getUTCMonth()]}/${d.getUTCFullYear()}:${p2(d.getUTCHours())}:${p2(d.getUTCMinutes())}:${p2(d.getUTCSeconds())} +0000`;
}
function errTime(t) {
  const d = new Date(t);
  return `${d.getUTCFullYear()}/${p2(d.getUTCMonth() + 1)}/${p2(d.getUTCDate())} ${p2(d.getUTCHours())}:${p2(d.getUTCMinutes())}:${p2(d.getUTCSeconds())}`;
}

const XSS = {
  // No spaces: they would end the request line's target in a real log too.
  path: '/search/"><img/src=x/onerror=window.__pwned=2>/<script>window.__pwned=1</script>?q=<b>',
  agent: '"><img src=x onerror=alert(1)><script>window.__pwned=3</script>',
};

/**
 * opts: start (epoch ms), minutes, okPerMinute, slowEvery (a 504 every N minutes; 0 = none),
 * burst: { from, to (minute offsets), perMinute, upstream } or null, xss: boolean
 * Returns { access, error } paths (error-log times are UTC: analyse with --tz UTC).
 */
function writeLogs(dir, opts) {
  const o = Object.assign({ minutes: 120, okPerMinute: 20, slowEvery: 10, burst: null, xss: false }, opts);
  fs.mkdirSync(dir, { recursive: true });
  const acc = [];
  const err = [];
  let conn = 1;
  const paths = ['/api/users/1234', '/api/orders/9f8e7d6c5b4a39281706f5e4d3c2b1a0', '/static/app.js', '/api/health'];
  for (let m = 0; m < o.minutes; m++) {
    const base = o.start + m * 60000;
    for (let k = 0; k < o.okPerMinute; k++) {
      const t = base + Math.floor((k * 60000) / o.okPerMinute);
      const p = paths[k % paths.length];
      const c = conn++;
      acc.push(`192.0.2.${(k % 50) + 1} - - [${clf(t)}] "GET ${p} HTTP/1.1" 200 512 "-" "curl/8.5" 0.012 10.0.0.7:8080 200 0.011 0.001 shop.example ${c}`);
    }
    if (o.slowEvery > 0 && m % o.slowEvery === 3) {
      const t = base + 30000;
      const c = conn++;
      acc.push(`198.51.100.9 - - [${clf(t)}] "GET /api/reports/77?year=2024 HTTP/1.1" 504 167 "-" "curl/8.5" 60.001 10.0.0.8:8080 504 60.001 0.001 shop.example ${c}`);
      err.push(`${errTime(t)} [error] 812#812: *${c} upstream timed out (110: Connection timed out) while reading response header from upstream, client: 198.51.100.9, server: shop.example, request: "GET /api/reports/77?year=2024 HTTP/1.1", upstream: "http://10.0.0.8:8080/api/reports/77?year=2024", host: "shop.example"`);
    }
    const b = o.burst;
    if (b && m >= b.from && m < b.to) {
      for (let k = 0; k < b.perMinute; k++) {
        const t = base + Math.floor((k * 60000) / b.perMinute);
        const c = conn++;
        const id = 1000 + ((m * b.perMinute + k) % 997);
        const p = o.xss && k === 0 ? XSS.path : `/api/users/${id}?tab=${k}`;
        const agent = o.xss && k === 0 ? XSS.agent.replace(/"/g, '\\x22') : 'Mozilla/5.0';
        const req = (o.xss && k === 0 ? p.replace(/"/g, '\\x22') : p);
        const host = 'shop.example';
        const up = b.upstream || '10.0.0.7:8080';
        acc.push(`203.0.113.${(k % 20) + 1} - - [${clf(t)}] "GET ${req} HTTP/1.1" 502 157 "-" "${agent}" 0.001 ${up} 502 0.000 - ${host} ${c}`);
        err.push(`${errTime(t)} [error] 812#812: *${c} connect() failed (111: Connection refused) while connecting to upstream, client: 203.0.113.${(k % 20) + 1}, server: shop.example, request: "GET ${p} HTTP/1.1", upstream: "http://${up}${p}", host: "${host}"`);
      }
    }
  }
  const access = path.join(dir, 'access.log');
  const error = path.join(dir, 'error.log');
  fs.writeFileSync(access, acc.join('\n') + '\n');
  fs.writeFileSync(error, err.join('\n') + '\n');
  return { access, error };
}

module.exports = { writeLogs, XSS };
