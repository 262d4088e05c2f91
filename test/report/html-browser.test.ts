import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { runCli } from '../helpers/cli';
/* eslint-disable @typescript-eslint/no-var-requires */
const { writeLogs, XSS } = require('../../scripts/synth-logs');
const { chromiumAvailable, launch, CHROMIUM } = require('../../scripts/browser');

/**
 * The HTML report in a real browser (Debian's chromium, headless): built from a generated log
 * whose request paths and user agents carry script and onerror payloads. Checks the chart and
 * tables render, the payloads show as text, nothing from the log ran, and the page fetched nothing.
 */

const haveChromium = chromiumAvailable();
if (!haveChromium) {
  // eslint-disable-next-line no-console
  console.warn(`html-browser.test: skipped, ${CHROMIUM} not found (apt-get install chromium)`);
}
const maybe = haveChromium ? test : test.skip;

let dir: string;
let report: string;
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ud-html-'));
  writeLogs(path.join(dir, 'logs'), { start: Date.parse('2024-11-16T13:00:00Z'), minutes: 120, burst: { from: 62, to: 80, perMinute: 60 }, xss: true });
  report = path.join(dir, 'report.html');
  const r = runCli(['analyze', path.join(dir, 'logs'), '--tz', 'UTC', '--format', 'html', '--output', report]);
  if (r.code !== 0) throw new Error(`exit ${r.code}: ${r.stderr}`);
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

test('the file is self-contained: a strict CSP, no script, no external reference', () => {
  const html = fs.readFileSync(report, 'utf8');
  expect(html).toMatch(/<meta http-equiv="Content-Security-Policy" content="default-src &#39;none&#39;; style-src &#39;sha256-[A-Za-z0-9+/=]+&#39;;/);
  expect(html).not.toMatch(/<script/i);
  expect(html).not.toMatch(/\son[a-z]+=/i); // no event handler attribute survived unescaped
  expect(html.replace(/xmlns="http:\/\/www\.w3\.org\/2000\/svg"/g, '')).not.toMatch(/(?:src|href)=["']?(?:https?:)?\/\//i);
  expect(html).toContain('&#60;script&#62;window.__pwned=1&#60;/script&#62;');
});

maybe('renders in headless chromium: chart and tables present, payloads are text, nothing ran, nothing fetched', async () => {
  const b = await launch();
  try {
    const page = await b.context.newPage();
    const requests: string[] = [];
    const dialogs: string[] = [];
    page.on('request', (req: any) => {
      if (req.url() !== 'file://' + report) requests.push(req.url());
    });
    page.on('dialog', (d: any) => {
      dialogs.push(d.message());
      void d.dismiss();
    });
    await page.goto('file://' + report, { waitUntil: 'load' });
    expect(await page.evaluate(() => (window as any).__pwned)).toBeUndefined();
    expect(await page.evaluate(() => document.scripts.length)).toBe(0);
    expect(await page.evaluate(() => document.querySelectorAll('img').length)).toBe(0);
    // the chart: an SVG with one rect per non-zero (bucket, cause), visibly sized
    const bars = await page.locator('#chart rect:not(.incident)').count();
    expect(bars).toBeGreaterThan(10);
    const box = await page.locator('#chart').boundingBox();
    expect(box!.width).toBeGreaterThan(600);
    expect(box!.height).toBeGreaterThan(150);
    expect(await page.locator('#chart rect.incident').count()).toBe(1);
    // tables
    expect(await page.locator('#causes tbody tr').count()).toBe(2);
    expect(await page.locator('#causes').innerText()).toMatch(/upstream-refused\s+1,080\s+99%/);
    expect(await page.locator('#incidents').innerText()).toMatch(/14:02–14:20: 1,082 × 502, 100% upstream-refused on 10\.0\.0\.7:8080/);
    expect(await page.locator('#causes').innerText()).toContain('curl -I http://10.0.0.7:8080/api/users/');
    expect(await page.locator('#upstreams tbody tr').count()).toBe(2);
    expect(await page.locator('#files tbody tr').count()).toBe(2);
    // the payload is on the page as text
    const offenders = await page.locator('#offenders').innerText();
    expect(offenders).toContain('<script>window.__pwned=1</script>');
    expect(offenders).toContain('"><img/src=x/onerror=window.__pwned=2>');
    expect(XSS.path).toContain('<script>');
    await page.waitForTimeout(300); // let any deferred handler (onerror of a broken image) have its chance
    expect(await page.evaluate(() => (window as any).__pwned)).toBeUndefined();
    expect(dialogs).toEqual([]);
    expect(requests).toEqual([]);
  } finally {
    await b.close();
  }
});
