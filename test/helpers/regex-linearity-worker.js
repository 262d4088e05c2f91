// Runs in a worker thread so that a catastrophic regex can be stopped (terminate) instead of
// hanging the test run. Plain JS: it is loaded by worker_threads, not by ts-jest.
const { parentPort, workerData } = require('worker_threads');

const PIECES = [
  ' ', '\t', '"', '\\', '\\"', '\\\\"', ', ', ' : ', ' :', ',', ':', '(', '(((', ')', '((1: ', '0', '1.', '9:',
  'a', 'A', 'Aa ', '-', '[', ']', '[a ', '/', '.', '\x1b[', '%', '$', '{', '}', '\u00e9', '\u202e', '\n', '<1>', 'T', '*', '#', '\x00',
];

/** Literal runs of a pattern (`connect\(\) to ` gives "connect() to "), to repeat and to prefix. */
function fragments(src) {
  const out = [];
  let cur = '';
  const flush = () => {
    if (cur.length > 0) out.push(cur);
    cur = '';
  };
  for (let i = 0; i < src.length; i++) {
    const c = src[i];
    if (c === '\\') {
      const n = src[i + 1];
      i++;
      if (/[dDsSwWbBuxpPk0-9]/.test(n)) flush();
      else cur += n === 'n' ? '\n' : n === 't' ? '\t' : n;
    } else if (c === '[') {
      flush();
      let j = i + 1;
      if (src[j] === '^') j++;
      const sample = src[j] === '\\' ? src[j + 1] : src[j];
      while (j < src.length && src[j] !== ']') j += src[j] === '\\' ? 2 : 1;
      i = j;
      // a member of the class stands for it (not for a negated class)
      if (src[i - (j - i)] !== '^' && sample && !/[dswDSW]/.test(sample)) cur += sample;
    } else if ('()|?*+{}^$.'.includes(c)) {
      if (c === '{') while (i < src.length && src[i] !== '}') i++;
      flush();
    } else cur += c;
  }
  flush();
  return [...new Set(out)].sort((a, b) => b.length - a.length).slice(0, 5);
}

function shapes(src, extra) {
  const frags = [...new Set([...extra, ...fragments(src)])];
  const out = PIECES.map((p) => ({ name: JSON.stringify(p) + '×n', head: '', unit: p, tail: '' }));
  for (const f of frags) {
    out.push({ name: JSON.stringify(f) + '×n', head: '', unit: f, tail: '' });
    for (const p of PIECES) {
      out.push({ name: `${JSON.stringify(f)} + ${JSON.stringify(p)}×n`, head: f, unit: p, tail: '' });
      out.push({ name: `(${JSON.stringify(f)}${JSON.stringify(p)})×n`, head: '', unit: f + p, tail: '' });
      out.push({ name: `${JSON.stringify(p)}×n + ${JSON.stringify(f)}`, head: '', unit: p, tail: f });
      // the pattern's own text repeated, then a byte that makes the match fail at the very end
      out.push({ name: `${JSON.stringify(f)}×n + ${JSON.stringify(p)}`, head: '', unit: f, tail: p });
    }
  }
  return out;
}

function build(shape, n) {
  const body = n - shape.head.length - shape.tail.length;
  const reps = Math.max(1, Math.ceil(body / shape.unit.length));
  return shape.head + shape.unit.repeat(reps).slice(0, Math.max(0, body)) + shape.tail;
}

/** CPU time in ns of this process (the main thread only waits): not inflated by other processes. */
function cpuNs() {
  const u = process.cpuUsage();
  return (u.user + u.system) * 1000;
}

/** Best-of-3 CPU time per run in ns, repeating each run until it takes at least minNs. */
function timeIt(re, s, minNs) {
  let best = Infinity;
  for (let trial = 0; trial < 3; trial++) {
    let reps = 0;
    const t0 = cpuNs();
    let el = 0;
    do {
      // exec, not replace/split: V8 caches global replace results per subject string, which
      // would make repeated runs on the same line look free.
      re.lastIndex = 0;
      let m;
      while ((m = re.exec(s)) !== null) if (m[0].length === 0) re.lastIndex++;
      reps++;
      el = cpuNs() - t0;
    } while (el < minNs);
    best = Math.min(best, el / reps);
  }
  return best;
}

const { source, flags, extra, screenSize, sizes, topK } = workerData;
// Global search: covers every match attempt the code could make with exec, test or replace.
const re = new RegExp(source, flags.replace(/[gy]/g, '') + 'g');
const all = shapes(source, extra);
// Screen every shape once at a middle size; verify the costliest ones on the size ladder.
const screened = all.map((sh) => {
  const s = build(sh, screenSize);
  return { sh, ns: timeIt(re, s, 0) };
});
screened.sort((a, b) => b.ns - a.ns);
const results = [];
for (const { sh } of screened.slice(0, topK)) {
  const times = [];
  for (const n of sizes) times.push(timeIt(re, build(sh, n), 5e6));
  results.push({ shape: sh.name, times });
}
parentPort.postMessage({ shapes: all.length, results });
