'use strict';
/**
 * `npm run report:screenshot`: renders the HTML report of the bundled fixtures (fixtures/nginx,
 * fixtures/apache) to test-artifacts/report.png for a person to look at. Without captured
 * fixtures it uses a generated demo log (scripts/synth-logs.js) and says so.
 */
const fs = require('fs');
const os = require('os');
const path = require('path');
const { spawnSync } = require('child_process');
const { chromiumAvailable, launch, CHROMIUM } = require('./browser');
const { writeLogs } = require('./synth-logs');

const ROOT = path.resolve(__dirname, '..');
const OUT = path.join(ROOT, 'test-artifacts');

async function main() {
  if (!chromiumAvailable()) {
    console.error(`report:screenshot: ${CHROMIUM} not found (apt-get install chromium)`);
    process.exit(2);
  }
  fs.mkdirSync(OUT, { recursive: true });
  let inputs = ['nginx', 'apache'].map((d) => path.join(ROOT, 'fixtures', d)).filter((d) => fs.existsSync(d));
  const extra = [];
  if (inputs.length === 0) {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ud-demo-'));
    writeLogs(dir, { start: Date.UTC(2024, 10, 16, 12, 0), minutes: 240, burst: { from: 122, to: 141, perMinute: 60 }, xss: true });
    inputs = [dir];
    extra.push('--tz', 'UTC');
    console.error('report:screenshot: no captured fixtures in fixtures/{nginx,apache}; using a generated demo log');
  }
  const html = path.join(OUT, 'report.html');
  const r = spawnSync(process.execPath, [path.join(ROOT, 'dist/cli/main.js'), 'analyze', ...inputs, ...extra, '--format', 'html', '--output', html], {
    encoding: 'utf8',
  });
  if (r.status !== 0 && r.status !== 3) {
    console.error(r.stderr);
    process.exit(1);
  }
  const b = await launch();
  try {
    const page = await b.context.newPage();
    await page.goto('file://' + html);
    await page.screenshot({ path: path.join(OUT, 'report.png'), fullPage: true });
  } finally {
    await b.close();
  }
  console.log(path.relative(ROOT, path.join(OUT, 'report.png')));
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
