import { ReportDocument } from '../../src/report/json';
import { compareBaseline, parseBaseline, recordBaseline } from '../../src/check/baseline';
import { RuleError, evaluate, parseMaxArg, parseMaxRateArg, parsePercent, requireExplainedRule } from '../../src/check/rules';
import { parseSelector } from '../../src/check/selector';

/** Rule grammar and the arithmetic of limits, rates and tolerances at their boundaries. */

/** The parts of an analysis result the rules read. */
function doc(status: Record<string, number>, causes: Record<string, number>, gateway = { total: 0, explained: 0 }): ReportDocument {
  return {
    status,
    causes: Object.entries(causes).map(([cause, count]) => ({ cause, count, category: cause === 'upstream-timeout-read' ? 'timeout' : 'upstream-down' })),
    failures: Object.values(causes).reduce((a, b) => a + b, 0),
    correlation: { gatewayFailures: gateway.total, explained: gateway.explained, explainedShare: gateway.total ? gateway.explained / gateway.total : null, indexEvicted: 0 },
  } as unknown as ReportDocument;
}

describe('selectors', () => {
  test.each([
    ['502', { kind: 'status', status: 502 }],
    ['009', { kind: 'status', status: 9 }],
    ['5XX', { kind: 'class', digit: 5, text: '5xx' }],
    ['upstream-refused', { kind: 'cause', cause: 'upstream-refused' }],
    ['unexplained', { kind: 'cause', cause: 'unexplained' }],
    ['category:timeout', { kind: 'category', category: 'timeout' }],
    ['failures', { kind: 'failures' }],
  ])('%s', (text, want) => expect(parseSelector(text)).toMatchObject(want));

  test.each(['50', '6xx', 'category:', 'category:nope', 'refused', ''])('rejects %j', (text) => {
    expect(() => parseSelector(text)).toThrow();
  });
});

describe('values', () => {
  test('percentages need their % sign and stay within 0..100', () => {
    expect(parsePercent('0.5%')).toBe(0.5);
    expect(parsePercent('100%')).toBe(100);
    expect(parsePercent(' 95 %')).toBe(95);
    for (const bad of ['1', '-1%', '101%', '1e2%', '%', '0.5%%']) expect(() => parsePercent(bad)).toThrow(RuleError);
  });

  test('SELECTOR=VALUE splits at the last =', () => {
    expect(parseMaxArg('502=10')).toMatchObject({ type: 'max', limit: 10, selector: { status: 502 } });
    expect(() => parseMaxArg('=10')).toThrow('is not SELECTOR=VALUE');
    expect(() => parseMaxArg('502=1.5')).toThrow('"1.5" is not a whole number >= 0');
  });
});

describe('evaluation', () => {
  test('a rate is exact at its boundary: 1 of 200 is 0.5%', () => {
    const d = doc({ '200': 199, '502': 1 }, { unexplained: 1 });
    expect(evaluate(parseMaxRateArg('5xx=0.5%'), d)).toEqual({ passed: true, measured: '0.5% (1 of 200 requests)', expected: '<= 0.5% of requests' });
    expect(evaluate(parseMaxRateArg('502=0.49%'), d).passed).toBe(false);
    expect(evaluate(parseMaxRateArg('unexplained=0.5%'), d).passed).toBe(true);
  });

  test('tiny rates keep two significant digits rather than rounding to 0%', () => {
    const d = doc({ '200': 99999, '502': 1 }, {});
    expect(evaluate(parseMaxRateArg('502=0%'), d)).toMatchObject({ passed: false, measured: '0.001% (1 of 100000 requests)' });
  });

  test('category selectors sum the causes of the category', () => {
    const d = doc({}, { 'upstream-refused': 2, 'no-live-upstreams': 3, 'upstream-timeout-read': 4 });
    expect(evaluate(parseMaxArg('category:upstream-down=5'), d)).toMatchObject({ passed: true, measured: '5' });
    expect(evaluate(parseMaxArg('category:upstream-down=4'), d).passed).toBe(false);
    expect(evaluate(parseMaxArg('failures=9'), d).passed).toBe(true);
  });

  test('require-explained compares explained 502/504 with the share, inclusive', () => {
    const d = doc({ '502': 20 }, {}, { total: 20, explained: 19 });
    expect(evaluate(requireExplainedRule('95%'), d)).toEqual({ passed: true, measured: '95% (19 of 20 explained)', expected: '>= 95% of 502/504 explained' });
    expect(evaluate(requireExplainedRule('95.1%'), d).passed).toBe(false);
  });
});

describe('baseline', () => {
  const base = (tolerance: object, causes: object) => parseBaseline(JSON.stringify({ upstreamDoctorBaseline: 1, tolerance, causes }), 'b.json');

  test('relative tolerance: 10% of 20 allows 22, not 23', () => {
    const b = base({ relative: '10%' }, { 'upstream-refused': { count: 20 } });
    expect(compareBaseline(doc({}, { 'upstream-refused': 22 }), b)[0]).toMatchObject({ passed: true, expected: '<= 22 (baseline 20 + tolerance 2)' });
    expect(compareBaseline(doc({}, { 'upstream-refused': 23 }), b)[0].passed).toBe(false);
  });

  test('absolute and relative together: the larger allowance wins; a cause can override', () => {
    const b = base({ absolute: 5, relative: '10%' }, { 'upstream-refused': { count: 20 }, 'upstream-reset': { count: 20, tolerance: { absolute: 0 } } });
    const [refused, reset] = compareBaseline(doc({}, { 'upstream-refused': 25, 'upstream-reset': 23 }), b);
    expect(refused).toMatchObject({ cause: 'upstream-refused', passed: true });
    expect(reset).toMatchObject({ cause: 'upstream-reset', passed: false, expected: '<= 22 (baseline 20 + tolerance 2)' });
  });

  test('fewer failures than the baseline pass; a new cause fails', () => {
    const b = base({}, { 'upstream-refused': { count: 3 } });
    const v = compareBaseline(doc({}, { 'upstream-timeout-read': 1 }), b);
    expect(v).toEqual([
      { cause: 'upstream-refused', passed: true, measured: '0', expected: '<= 3 (baseline 3 + tolerance 0)' },
      { cause: 'upstream-timeout-read', passed: false, measured: '1 (new cause)', expected: 'not in the baseline: 0' },
    ]);
  });

  test('recorded file: fixed key order, causes sorted, tolerances kept for causes still present', () => {
    const prev = base({ absolute: 1 }, { 'upstream-reset': { count: 1, tolerance: { relative: '50%' } }, 'dns-failure': { count: 1, tolerance: { absolute: 3 } } });
    const text = recordBaseline(doc({}, { 'upstream-timeout-read': 4, 'upstream-reset': 2, 'app-error': 1 }), prev);
    expect(text).toBe(
      [
        '{',
        '  "upstreamDoctorBaseline": 1,',
        '  "tolerance": {',
        '    "absolute": 1,',
        '    "relative": "0%"',
        '  },',
        '  "causes": {',
        '    "app-error": {',
        '      "count": 1',
        '    },',
        '    "upstream-reset": {',
        '      "count": 2,',
        '      "tolerance": {',
        '        "relative": "50%"',
        '      }',
        '    },',
        '    "upstream-timeout-read": {',
        '      "count": 4',
        '    }',
        '  }',
        '}',
        '',
      ].join('\n'),
    );
  });
});
