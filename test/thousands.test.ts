import fc from 'fast-check';
import { thousands } from '../src/util/thousands';

/** util/thousands.ts: toLocaleString('en-US')'s grouping and rounding, without loading ICU. */
describe('thousands', () => {
  test.each([
    [0, '0'],
    [-0, '-0'],
    [999, '999'],
    [1000, '1,000'],
    [-1234567, '-1,234,567'],
    [2.5, '2.5'],
    [1.0005, '1.001'],
    [999.9995, '1,000'],
    [0.0004, '0'],
    [-0.0001, '-0'],
    [9007199254740991, '9,007,199,254,740,991'],
    [NaN, 'NaN'],
    [Infinity, '∞'],
  ])('%p is %p', (x, text) => {
    expect(thousands(x)).toBe(text);
    expect(x.toLocaleString('en-US')).toBe(text);
  });

  test('the same text as toLocaleString(\'en-US\') for integers, thousandths, halves and any double', () => {
    const n = fc.integer({ min: -Number.MAX_SAFE_INTEGER, max: Number.MAX_SAFE_INTEGER });
    const values = fc.oneof(n, n.map((k) => k / 1000), n.map((k) => k / 2), n.map((k) => k / 10_000), fc.double({ noNaN: true, min: -1e15, max: 1e15 }));
    fc.assert(fc.property(values, (x) => thousands(x) === x.toLocaleString('en-US')), { numRuns: 20_000 });
  });
});
