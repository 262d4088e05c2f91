import { digits, isApacheErrorTime, isNginxErrorTime, parseClf } from '../src/parse/time';

/**
 * The time readers take offsets into a buffer that holds more than the field: a whole line, a
 * chunk, a reused scratch buffer. What lies past the field, or past the buffer, must not be read
 * as part of the time.
 */
describe('digits() at the end of its buffer', () => {
  test('digits cut by the end of the buffer are refused, not read as NaN', () => {
    const b = Buffer.from('2024', 'latin1');
    expect(digits(b, 0, 4)).toBe(2024);
    expect(digits(b, 2, 2)).toBe(24);
    expect(digits(b, 2, 3)).toBe(-1);
    expect(digits(b, 4, 1)).toBe(-1);
    expect(digits(b, -1, 2)).toBe(-1);
  });

  test('a non-digit anywhere in the run is refused', () => {
    const b = Buffer.from('20/4', 'latin1');
    expect(digits(b, 0, 4)).toBe(-1);
    expect(digits(b, 0, 2)).toBe(20);
  });

  test('nginx and CLF times cut by the end of the buffer are refused', () => {
    const nginx = '2024/11/16 14:15:25';
    expect(isNginxErrorTime(Buffer.from(nginx, 'latin1'), 0)).toBe(true);
    expect(isNginxErrorTime(Buffer.from(nginx.slice(0, -1), 'latin1'), 0)).toBe(false);
    const clf = '16/Nov/2024:14:15:25';
    expect(parseClf(Buffer.from(clf, 'latin1'), 0, clf.length)).toBe(Date.UTC(2024, 10, 16, 14, 15, 25));
  });
});

describe('the Apache error time ends at its bracket', () => {
  test('a year cut by the field end is refused even when digits follow in the buffer', () => {
    // the field is [0, e); what follows stands in for the rest of a line or a stale buffer
    const whole = 'Sat Nov 16 14:15:25.123456 2024';
    const b = Buffer.from(`${whole}]`, 'latin1');
    expect(isApacheErrorTime(b, 0, whole.length)).toBe(true);
    const cut = Buffer.from('Sat Nov 16 14:15:25.123456 20] 24', 'latin1');
    expect(isApacheErrorTime(cut, 0, 'Sat Nov 16 14:15:25.123456 20'.length)).toBe(false);
    const stale = Buffer.from('Sat Nov 16 14:15:25.12345678 2024', 'latin1');
    expect(isApacheErrorTime(stale, 0, 'Sat Nov 16 14:15:25.12345678'.length)).toBe(false);
  });

  test('Apache 2.2 times without fractions still read to the bracket', () => {
    const t = 'Sat Nov 16 14:15:25 2024';
    expect(isApacheErrorTime(Buffer.from(t, 'latin1'), 0, t.length)).toBe(true);
    expect(isApacheErrorTime(Buffer.from(t, 'latin1'), 0, t.length - 1)).toBe(false);
  });
});
