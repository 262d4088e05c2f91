import * as fc from 'fast-check';
import { detect } from '../../src/parse/detect';
import { detectEnvelope } from '../../src/parse/envelope';
import { compileNginxFormat } from '../../src/parse/format/nginx-format';
import { FUZZ_TIMEOUT, fuzzParams, hostileBytes, mutatedFrom } from '../helpers/fuzz';
import { linePool } from '../helpers/real-lines';

/** Detection and envelope stripping on samples of random and mutated lines. */

const KINDS = ['nginx-access', 'nginx-error', 'apache-access', 'apache-error', 'php-fpm'];
const ENVELOPES = [
  '2025-05-14T04:26:30.264Z [apache forwarder] ',
  '2024-11-16T14:15:25.123456789Z stdout F ',
  '<171>1 2025-11-05T20:47:03.000000+00:00 host app - - - ',
  '<13>Nov 16 14:15:25 host nginx: ',
];
const line = fc.oneof(
  hostileBytes(300),
  mutatedFrom(linePool()),
  fc.tuple(fc.constantFrom(...ENVELOPES), mutatedFrom(linePool())).map(([e, l]) => Buffer.concat([Buffer.from(e), l])),
);
const sample = fc.array(line, { maxLength: 20 });
const userFormat = compileNginxFormat('$remote_addr [$time_local] "$request" $status $upstream_addr');

describe('detect and envelope (fuzz)', () => {
  test(
    'detect: null or a consistent detection',
    () => {
      fc.assert(
        fc.property(sample, fc.boolean(), fc.option(fc.constantFrom(...KINDS)), (lines, withUser, forced) => {
          const d = detect(lines, { formats: withUser ? [userFormat] : [], forcedKind: (forced ?? undefined) as any, pathHint: 'x' });
          if (d === null) return;
          expect(KINDS).toContain(d.kind);
          if (forced) expect(d.kind).toBe(forced);
          expect(d.matched).toBeGreaterThan(0);
          expect(d.matched).toBeLessThanOrEqual(d.sampled);
          expect(d.sampled).toBeLessThanOrEqual(lines.length);
          expect(d.plan === null).toBe(d.kind.endsWith('error') || d.kind === 'php-fpm');
        }),
        fuzzParams(),
      );
    },
    FUZZ_TIMEOUT,
  );

  test(
    'envelope: strip returns an offset inside the line',
    () => {
      fc.assert(
        fc.property(sample, line, fc.nat(), (lines, l, a) => {
          const env = detectEnvelope(lines.length > 0 ? lines : [l]);
          if (env === null) return;
          const s = l.length === 0 ? 0 : a % l.length;
          const off = env.strip(l, s, l.length);
          expect(Number.isInteger(off) && off >= s && off <= l.length).toBe(true);
        }),
        fuzzParams(),
      );
    },
    FUZZ_TIMEOUT,
  );
});
