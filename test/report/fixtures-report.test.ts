import * as fs from 'fs';
import * as path from 'path';
import { ROOT, runCli, runJson } from '../helpers/cli';
/* eslint-disable @typescript-eslint/no-var-requires */
const { chromiumAvailable, launch } = require('../../scripts/browser');

/**
 * The reports on the captured fixtures (fixtures/nginx, fixtures/apache: real nginx, Apache and
 * PHP-FPM logs). Skipped with a message while they are absent.
 */

const dirs = ['fixtures/nginx', 'fixtures/apache'];
const present = dirs.every((d) => fs.existsSync(path.join(ROOT, d, 'access.log')));
if (!present) {
  // eslint-disable-next-line no-console
  console.warn('fixtures-report.test: skipped, captured fixtures not in fixtures/nginx and fixtures/apache');
}
const maybe = present ? test : test.skip;
const maybeBrowser = present && chromiumAvailable() ? test : test.skip;

maybe('table: causes with their trend, next checks filled with real upstreams, offenders', () => {
  const r = runCli(['analyze', ...dirs]);
  expect([0, 3]).toContain(r.code);
  const doc = runJson(['analyze', ...dirs]);
  expect(doc.causes.length).toBeGreaterThan(3);
  for (const c of doc.causes) {
    expect(r.stdout).toMatch(new RegExp(`^${c.cause} +${c.count.toLocaleString('en-US')} `, 'm'));
  }
  expect(r.stdout).toMatch(/What to check next:/);
  const refused = doc.nextSteps.find((s: any) => s.cause === 'upstream-refused');
  if (refused) expect(refused.check).toMatch(/curl -I http:\/\/127\.0\.0\.1:\d+\//);
  expect(r.stdout).toMatch(/Top offenders by cause:/);
});

maybe('csv: one row per bucket of the JSON timeline, zero-filled', () => {
  const doc = runJson(['analyze', ...dirs, '--bucket', '1m']);
  const r = runCli(['analyze', ...dirs, '--bucket', '1m', '--format', 'csv']);
  const rows = r.stdout.trimEnd().split('\r\n');
  expect(rows).toHaveLength(1 + doc.timeline.buckets.length);
  const width = rows[0].split(',').length;
  expect(width).toBe(5 + doc.causes.length);
  for (const row of rows.slice(1)) expect(row.split(',').slice(3).every((c) => /^\d+$/.test(c))).toBe(true);
});

maybeBrowser('html renders in headless chromium with a visible chart; screenshot kept in test-artifacts/', async () => {
  const out = path.join(ROOT, 'test-artifacts');
  fs.mkdirSync(out, { recursive: true });
  const report = path.join(out, 'fixtures-report.html');
  const r = runCli(['analyze', ...dirs, '--format', 'html', '--output', report]);
  expect([0, 3]).toContain(r.code);
  const b = await launch();
  try {
    const page = await b.context.newPage();
    const requests: string[] = [];
    page.on('request', (req: any) => {
      if (req.url() !== 'file://' + report) requests.push(req.url());
    });
    await page.goto('file://' + report);
    expect(await page.locator('#chart rect').count()).toBeGreaterThan(5);
    const box = await page.locator('#chart').boundingBox();
    expect(box!.height).toBeGreaterThan(150);
    expect(await page.locator('#causes tbody tr').count()).toBeGreaterThan(3);
    expect(requests).toEqual([]);
    await page.screenshot({ path: path.join(out, 'fixtures-report.png'), fullPage: true });
  } finally {
    await b.close();
  }
  expect(fs.statSync(path.join(out, 'fixtures-report.png')).size).toBeGreaterThan(10_000);
});
