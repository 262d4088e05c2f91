import * as fc from 'fast-check';

/**
 * One switch for every property: `npm test` runs a small fixed-seed set (reproducible in CI),
 * `npm run fuzz` sets FUZZ_RUNS (default 100000) and a fresh seed unless FUZZ_SEED pins one.
 * A failure prints the seed and path, so any run can be replayed.
 */

export const FUZZ_RUNS = process.env.FUZZ_RUNS ? Number(process.env.FUZZ_RUNS) : 0;
const FIXED_SEED = 20261124;

/** `maxRuns` caps properties that are end-to-end (a whole analysis per case) rather than one parser. */
export function fuzzParams(smallRuns = 500, maxRuns = Infinity): fc.Parameters<unknown> {
  const seed = process.env.FUZZ_SEED ? Number(process.env.FUZZ_SEED) : FUZZ_RUNS > 0 ? Date.now() % 2 ** 31 : FIXED_SEED;
  return { numRuns: FUZZ_RUNS > 0 ? Math.min(FUZZ_RUNS, maxRuns) : smallRuns, seed, endOnFailure: true };
}

/** Jest timeout for a property: generous when fuzzing at scale. */
export const FUZZ_TIMEOUT = FUZZ_RUNS > 0 ? 30 * 60_000 : 60_000;

/** Bytes that matter to log parsers: separators, quotes, escapes, brackets, digits, controls, UTF-8 lead bytes. */
const INTERESTING = Buffer.from(' \t"\\[]():,-/.+%$={}*#<>0123456789aZ\x00\x1b\x07\r\x7f\xc3\xa9\xe2\x80\xae\xff', 'latin1');

export const interestingByte = fc.constantFrom(...INTERESTING);

/** Random bytes biased towards the bytes parsers branch on. */
export const hostileBytes = (maxLength = 300) =>
  fc
    .array(fc.oneof({ weight: 3, arbitrary: interestingByte }, { weight: 1, arbitrary: fc.integer({ min: 0, max: 255 }) }), { maxLength })
    .map((a) => Buffer.from(a));

/** A random string (full Unicode, including lone surrogates and controls) or hostile bytes read as UTF-8. */
export const hostileString = (maxLength = 300) =>
  fc.oneof(
    fc.string({ unit: 'binary', maxLength }),
    fc.string({ unit: fc.constantFrom(...' \t"\\[]():,-/.+%$={}*#<>0123456789aZ\x00\x1b\x07'.split('')), maxLength }),
    hostileBytes(maxLength).map((b) => b.toString('utf8')),
  );

/** One edit of a real line: cut, insert, delete, duplicate, byte flip. Keeps the line mostly real. */
export type Mutation = { op: 'cut' | 'insert' | 'delete' | 'dup' | 'flip'; at: number; len: number; bytes: Buffer };

export const mutation = fc.record({
  op: fc.constantFrom<Mutation['op']>('cut', 'insert', 'delete', 'dup', 'flip'),
  at: fc.nat(),
  len: fc.integer({ min: 1, max: 40 }),
  bytes: hostileBytes(20),
});

export function mutate(line: Buffer, muts: Mutation[]): Buffer {
  let b = line;
  for (const m of muts) {
    const at = b.length === 0 ? 0 : m.at % (b.length + 1);
    switch (m.op) {
      case 'cut':
        b = b.subarray(0, at);
        break;
      case 'insert':
        b = Buffer.concat([b.subarray(0, at), m.bytes, b.subarray(at)]);
        break;
      case 'delete':
        b = Buffer.concat([b.subarray(0, at), b.subarray(at + m.len)]);
        break;
      case 'dup':
        b = Buffer.concat([b.subarray(0, at + m.len), b.subarray(at)]);
        break;
      case 'flip':
        b = Buffer.from(b);
        if (b.length > 0) b[at % b.length] = m.bytes.length > 0 ? m.bytes[0] : b[at % b.length] ^ 0x20;
        break;
    }
  }
  return b;
}

/** A real line from the pool, mutated 0-3 times. */
export function mutatedFrom(pool: Buffer[]): fc.Arbitrary<Buffer> {
  return fc
    .tuple(fc.integer({ min: 0, max: Math.max(0, pool.length - 1) }), fc.array(mutation, { maxLength: 3 }))
    .map(([i, muts]) => mutate(pool[i] ?? Buffer.alloc(0), muts));
}
