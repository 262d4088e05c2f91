import * as fs from 'fs';
import * as path from 'path';
import { ROOT, runCli, runJson } from '../helpers/cli';
import { tempDir } from '../helpers/config';

/**
 * The configurations that produced the real-server fixtures (fixtures/capture/conf, rendered as
 * capture.sh renders them) name the fixture logs: reading them through the configuration must
 * give the same analysis as naming the files, with every line parsed by the configured format.
 */

const CONF = path.join(ROOT, 'fixtures', 'capture', 'conf');
const LOGS = ['access.log', 'access-combined.log', 'error.log'];
const present = (server: string) => LOGS.every((f) => fs.existsSync(path.join(ROOT, 'fixtures', server, f)));

function render(run: string): void {
  const values: Record<string, string> = { RUN: run, LOGS: path.join(run, 'logs') };
  fs.mkdirSync(path.join(run, 'conf'), { recursive: true });
  for (const name of fs.readdirSync(CONF)) {
    const text = fs.readFileSync(path.join(CONF, name), 'utf8');
    fs.writeFileSync(path.join(run, 'conf', name), text.replace(/@([A-Z_0-9]+)@/g, (_, v: string) => values[v] ?? '1'));
  }
  for (const server of ['nginx', 'apache']) {
    fs.mkdirSync(path.join(run, 'logs', server), { recursive: true });
    for (const f of LOGS) {
      if (fs.existsSync(path.join(ROOT, 'fixtures', server, f))) {
        fs.copyFileSync(path.join(ROOT, 'fixtures', server, f), path.join(run, 'logs', server, f));
      }
    }
  }
}

describe.each([
  ['nginx', '--nginx-conf', 'nginx.conf', 'upstream_doctor'],
  ['apache', '--apache-conf', 'apache.conf', 'upstream_doctor'],
])('the %s capture configuration', (server, option, confName, format) => {
  const run = present(server) ? tempDir(`capture-${server}`) : '';
  if (!present(server)) {
    console.warn(`fixtures/${server}/ is absent (captured by fixtures/capture/capture.sh): its configuration test is skipped`);
    test.skip(`fixtures/${server} absent`, () => undefined);
    return;
  }
  render(run);
  const conf = path.join(run, 'conf', confName);
  const logs = path.join(run, 'logs', server);

  test('config names the upstream_doctor log, the combined one as its duplicate, and the error log', () => {
    const r = runCli(['config', option, conf, '--format', 'json']);
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout);
    const byName = (n: string) => doc.logs.find((l: any) => l.path === path.join(logs, n));
    expect(byName('access.log')).toMatchObject({ formatName: format, readable: true, duplicateOf: null });
    expect(byName('access-combined.log')).toMatchObject({ formatName: 'combined', readable: true, duplicateOf: path.join(logs, 'access.log') });
    expect(byName('error.log')).toMatchObject({ kind: `${server}-error`, readable: true });
  });

  test('analyze through the configuration equals analyze of the files, every line parsed', () => {
    const viaConf = runJson(['analyze', option, conf, '--tz', 'UTC']);
    const viaPaths = runJson(['analyze', path.join(logs, 'error.log'), path.join(logs, 'access.log'), '--tz', 'UTC']);
    for (const f of viaConf.files) expect(f).toMatchObject({ skipped: 0 });
    expect(viaConf.files.map((f: any) => path.basename(f.path)).sort()).toEqual(['access.log', 'error.log']);
    expect(viaConf.files.find((f: any) => f.path.endsWith('access.log')).format).toBe(format);
    expect(viaConf.lines).toEqual(viaPaths.lines);
    expect(viaConf.status).toEqual(viaPaths.status);
    expect(viaConf.causes.map((c: any) => [c.cause, c.count])).toEqual(viaPaths.causes.map((c: any) => [c.cause, c.count]));
    expect(viaConf.status['502'] ?? viaConf.status['503']).toBeGreaterThan(0);
  });
});
