import * as fc from 'fast-check';
import { compileNginxFormat } from '../../src/parse/format/nginx-format';
import { compileApacheFormat } from '../../src/parse/format/apache-format';
import { FormatError, FormatPlan } from '../../src/parse/format/plan';
import { AccessScanner } from '../../src/parse/access-scanner';
import { FUZZ_TIMEOUT, fuzzParams, hostileString } from '../helpers/fuzz';

/** Any format string either compiles to a usable plan or throws FormatError: never anything else. */

const NGINX_ALPHABET = '$${}_abcdeghilmnopqrstuxy0123 "[]-:\\'.split('');
const APACHE_ALPHABET = '%%%{}<>!,0123456789abhilmnopqrstuvADHIOPTUVX^_ "\\-:'.split('');

function compileOrFormatError(compile: (s: string) => FormatPlan, src: string): void {
  let plan: FormatPlan;
  try {
    plan = compile(src);
  } catch (err) {
    expect(err).toBeInstanceOf(FormatError);
    expect((err as Error).message).not.toBe('');
    return;
  }
  const fields = plan.tokens.filter((t) => t.kind === 'field');
  expect(fields.length).toBeGreaterThan(0);
  plan.tokens.forEach((t, i) => {
    if (i > 0) expect(t.kind === 'field' && plan.tokens[i - 1].kind === 'field').toBe(false);
    if (t.kind === 'literal') expect(t.text).not.toBe('');
  });
  const sc = new AccessScanner(plan);
  expect(sc.fieldCount).toBe(fields.length);
}

describe('format compilers (fuzz)', () => {
  test.each([
    ['nginx', compileNginxFormat, NGINX_ALPHABET],
    ['apache', compileApacheFormat, APACHE_ALPHABET],
  ] as const)(
    '%s: any string compiles or throws FormatError',
    (_n, compile, alphabet) => {
      fc.assert(
        fc.property(fc.oneof(hostileString(120), fc.string({ unit: fc.constantFrom(...alphabet), maxLength: 80 })), (src) =>
          compileOrFormatError((s) => compile(s), src),
        ),
        fuzzParams(),
      );
    },
    FUZZ_TIMEOUT,
  );
});
