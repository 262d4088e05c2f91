import * as fs from 'fs';
import * as path from 'path';
import { expectExactlyOnce, idCounts, metric, settle, startTail, stopTail, tmpdir, write } from './helpers/tail';

/** `tail` keeps every line exactly once across rotations, under load (see helpers/tail.ts). */

describe('tail: rotation under load', () => {
  for (const kind of ['rename', 'copytruncate']) {
    test(`${kind} x20 at 20k lines/s: every line seen exactly once`, async () => {
      const dir = tmpdir();
      const log = path.join(dir, 'access.log');
      fs.writeFileSync(log, '');
      const t = await startTail([log]);
      const last = write(log, Array(20).fill(kind));
      const body = await settle(t, last);
      const events = await stopTail(t);
      expectExactlyOnce(idCounts(events), 1, last);
      expect(metric(body, 'upstream_doctor_lines_read_total')).toBe(last);
      expect(metric(body, 'upstream_doctor_failures_total', 'status="502"')).toBe(last / 10);
      fs.rmSync(dir, { recursive: true, force: true });
    });
  }

  test('delete-and-recreate, and a log that does not exist yet', async () => {
    const dir = tmpdir();
    const log = path.join(dir, 'access.log');
    const t = await startTail([log]);
    let last = write(log, []);
    for (let i = 0; i < 3; i++) {
      await new Promise((r) => setTimeout(r, 600));
      last = write(log, ['recreate'], 20000, last);
    }
    await settle(t, last);
    const events = await stopTail(t);
    expectExactlyOnce(idCounts(events), 1, last);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  test('a directory: new live files are followed from their start, rotated ones are not read twice', async () => {
    const dir = tmpdir();
    const t = await startTail([dir]);
    const log = path.join(dir, 'new-access.log');
    const last = write(log, ['rename', 'rename']);
    await settle(t, last);
    const events = await stopTail(t);
    expectExactlyOnce(idCounts(events), 1, last);
    fs.rmSync(dir, { recursive: true, force: true });
  });
});

