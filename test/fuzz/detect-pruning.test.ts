import * as fc from 'fast-check';
import { LogKind } from '../../src/model';
import { AccessScanner } from '../../src/parse/access-scanner';
import { isApacheErrorHead } from '../../src/parse/apache-error';
import { Detection, accessKindOf, detect, serverHintFromPath } from '../../src/parse/detect';
import { detectEnvelope } from '../../src/parse/envelope';
import { FormatPlan } from '../../src/parse/format/plan';
import { compileNginxFormat } from '../../src/parse/format/nginx-format';
import { allPresetPlans } from '../../src/parse/format/presets';
import { isNginxErrorHead } from '../../src/parse/nginx-error';
import { isPhpFpmHead } from '../../src/parse/php-fpm-log';
import { FUZZ_TIMEOUT, fuzzParams, hostileBytes, mutatedFrom } from '../helpers/fuzz';
import { LineKind, linePool } from '../helpers/real-lines';

/**
 * detect() stops scanning a plan once it cannot win. The oracle here scores every plan on every
 * line, as detect's comment describes the rule, and the two must agree on every sample.
 */

function exhaustive(lines: Buffer[], formats: FormatPlan[], forcedKind: LogKind | undefined, pathHint: string): Detection | null {
  const sample = lines.filter((l) => l.length > 0 && !/^\s*$/.test(l.toString('latin1')));
  if (sample.length === 0) return null;
  const envelope = detectEnvelope(sample);
  const offsets = sample.map((l) => (envelope ? envelope.strip(l, 0, l.length) : 0));
  const heads = new Map<LogKind, number>();
  sample.forEach((l, i) => {
    const s = offsets[i];
    const k: LogKind | null = isNginxErrorHead(l, s, l.length)
      ? 'nginx-error'
      : isPhpFpmHead(l, s, l.length)
        ? 'php-fpm'
        : isApacheErrorHead(l, s, l.length)
          ? 'apache-error'
          : null;
    if (k) heads.set(k, (heads.get(k) ?? 0) + 1);
  });
  let error: Detection | null = null;
  for (const [kind, n] of heads) {
    if (forcedKind && forcedKind !== kind) continue;
    if (!error || n > error.matched) error = { kind, plan: null, envelope, matched: n, sampled: sample.length };
  }
  const plans = [...formats, ...allPresetPlans()];
  let best: { d: Detection; score: number } | null = null;
  plans.forEach((plan, pi) => {
    if (forcedKind && forcedKind !== accessKindOf(plan)) return;
    const sc = new AccessScanner(plan);
    let matched = 0;
    let trailing = 0;
    let dash = 0;
    sample.forEach((l, i) => {
      if (!sc.scan(l, offsets[i], l.length) || sc.invalidFields() !== 0) return;
      matched++;
      if (sc.trailing > 0) trailing++;
      if (sc.has('bytes') && sc.text('bytes') === null) dash++;
    });
    if (matched <= (error?.matched ?? 0)) return;
    const server = serverHintFromPath(pathHint) ?? (dash > 0 ? 'apache' : 'nginx');
    const score = matched * 1000 - trailing * 10 + (pi < formats.length ? 500 : 0) + (server === plan.server ? 200 : 0) + sc.fieldCount;
    if (!best || score > best.score) best = { d: { kind: accessKindOf(plan), plan, envelope, matched, sampled: sample.length }, score };
  });
  return best ? (best as { d: Detection }).d : error;
}

/** What a detection says, comparable with toEqual (plans by name: presets are built afresh). */
function summary(d: Detection | null) {
  return d && { kind: d.kind, plan: d.plan?.name ?? null, matched: d.matched, sampled: d.sampled, envelope: d.envelope?.name ?? null };
}

const KINDS: LineKind[] = ['nginx-access', 'apache-access', 'nginx-error', 'apache-error', 'php-fpm'];
const userFormat = compileNginxFormat('$remote_addr [$time_local] "$request" $status $upstream_addr');

// Mostly one kind of real line, with a few others and broken ones: where pruning has to decide.
const sample = fc.constantFrom(...KINDS).chain((kind) =>
  fc.array(
    fc.oneof(
      { weight: 8, arbitrary: fc.constantFrom(...linePool(kind)) },
      { weight: 1, arbitrary: mutatedFrom(linePool(kind)) },
      { weight: 1, arbitrary: fc.constantFrom(...linePool()) },
      { weight: 1, arbitrary: hostileBytes(200) },
    ),
    { minLength: 1, maxLength: 64 },
  ),
);

describe('detect prunes plans that cannot win', () => {
  test(
    'the same detection as scoring every plan on every line',
    () => {
      fc.assert(
        fc.property(
          sample,
          fc.boolean(),
          fc.option(fc.constantFrom(...KINDS)),
          fc.constantFrom('x', '/var/log/nginx/access.log', '/var/log/apache2/access.log'),
          (lines, withUser, forced, pathHint) => {
            const formats = withUser ? [userFormat] : [];
            const forcedKind = (forced ?? undefined) as LogKind | undefined;
            expect(summary(detect(lines, { formats, forcedKind, pathHint }))).toEqual(summary(exhaustive(lines, formats, forcedKind, pathHint)));
          },
        ),
        fuzzParams(300),
      );
    },
    FUZZ_TIMEOUT,
  );

  test('every real file kind: the same detection, and the expected kind', () => {
    for (const kind of KINDS) {
      const lines = linePool(kind).slice(0, 64);
      const d = detect(lines, { formats: [], pathHint: 'x' });
      expect(summary(d)).toEqual(summary(exhaustive(lines, [], undefined, 'x')));
      expect(d?.kind).toBe(kind);
    }
  });

  test('an error log whose every line is an entry head is not scanned by any access format', () => {
    const lines = linePool('nginx-error').filter((l) => isNginxErrorHead(l, 0, l.length)).slice(0, 64);
    expect(lines.length).toBeGreaterThan(2);
    const scan = jest.spyOn(AccessScanner.prototype, 'scan');
    try {
      expect(detect(lines, { formats: [userFormat], pathHint: 'x' })?.kind).toBe('nginx-error');
      expect(scan).not.toHaveBeenCalled();
    } finally {
      scan.mockRestore();
    }
  });

  test('an access log: far fewer scans than plans times lines', () => {
    const lines = linePool('nginx-access').slice(0, 64);
    const scan = jest.spyOn(AccessScanner.prototype, 'scan');
    try {
      expect(detect(lines, { formats: [], pathHint: 'x' })?.kind).toBe('nginx-access');
      expect(scan.mock.calls.length).toBeLessThan((allPresetPlans().length * lines.length) / 2);
    } finally {
      scan.mockRestore();
    }
  });
});
