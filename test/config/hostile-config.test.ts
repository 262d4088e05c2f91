import fc from 'fast-check';
import { splitWords } from '../../src/config/apache-conf';
import { ConfigError } from '../../src/config/configured-log';
import { matchSegment } from '../../src/config/glob';
import { tokenize } from '../../src/config/nginx-conf';

/** Configuration text is read from wherever the operator points: any text fails cleanly or parses. */

const confChars = fc.string({ unit: fc.constantFrom('a', ' ', '\n', '"', "'", '\\', '#', ';', '{', '}', '$', '*') });

describe('configuration readers on arbitrary text', () => {
  test('the nginx tokenizer returns tokens or a ConfigError, and words never hold unquoted separators', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), confChars), (text) => {
        try {
          const toks = tokenize(text, 'x');
          for (const t of toks) if (t.type !== 'word') expect(t.value).toBe(t.type);
        } catch (err) {
          expect(err).toBeInstanceOf(ConfigError);
        }
      }),
    );
  });

  test('Apache word splitting never throws and resolves only backslash escapes', () => {
    fc.assert(
      fc.property(fc.string(), (text) => {
        for (const w of splitWords(text)) expect(w.value.length).toBeLessThanOrEqual(w.raw.length);
      }),
    );
  });

  test('glob matching agrees with the obvious cases and ends on many stars', () => {
    expect(matchSegment('*.conf', 'default.conf')).toBe(true);
    expect(matchSegment('*.conf', '.hidden.conf')).toBe(false);
    expect(matchSegment('[0-9]*-site', '000-site')).toBe(true);
    expect(matchSegment('[!0-9]*', '0abc')).toBe(false);
    expect(matchSegment('a?c', 'abc')).toBe(true);
    expect(matchSegment('*a*a*a*a*a*a*a*b', 'a'.repeat(200))).toBe(false);
    fc.assert(
      fc.property(fc.string({ maxLength: 20 }), (name) => {
        if (!name.startsWith('.')) expect(matchSegment('*', name)).toBe(true);
        const literal = name.replace(/[*?[]/g, '');
        expect(matchSegment(literal, literal)).toBe(true);
        expect(matchSegment(literal, literal + 'x')).toBe(false);
      }),
    );
  });
});
