import * as path from 'path';
import { Worker } from 'worker_threads';
import { SIGNATURES } from '../../src/diagnose/signatures';
import { FoundRegex, regexInventory } from '../helpers/regex-inventory';

/**
 * No regex in the project backtracks catastrophically. Every regex literal in src/ (found by
 * parsing the sources, so new ones are checked without being registered) runs on crafted lines:
 * runs of spaces, quotes, backslashes, separators, `(((`, digits, and the pattern's own literal
 * text, alone, repeated and as a prefix. Each pattern's costliest inputs are timed at 16 KiB,
 * 128 KiB and 1 MiB in the same worker: from the smallest to the largest (64× the input) the cost
 * may grow at most 64^1.5 = 512×, half-way between linear (64×) and quadratic (4096×) on a log
 * scale. Linear patterns need the slack: a backtracking stack of 1 MiB falls out of the cache (one
 * grew 41× from 128 KiB to 1 MiB while the test suite loaded both cores, 8× the input). This
 * checks complexity, not speed. A pattern that does not finish within the worker's time limit
 * fails as catastrophic.
 */

const SIZES = [16 << 10, 128 << 10, 1 << 20];
const WORKER_LIMIT_MS = 60_000;
/** Below this, a run is dominated by call overhead and its ratio says nothing. */
const NOISE_NS = 50_000;

const found = regexInventory();
/** Rows built by a helper (`new RegExp` in signatures.ts) are checked through the table itself. */
const BUILT_FROM_TABLE = 'src/diagnose/signatures.ts:';
const literalSources = new Set(found.literals.map((r) => r.source));
const inventory = {
  constructorCalls: found.constructorCalls.filter((w) => !w.startsWith(BUILT_FROM_TABLE)),
  literals: [
    ...found.literals,
    ...SIGNATURES.filter((s) => !literalSources.has(s.pattern.source)).map((s) => ({ where: `signature ${s.id}`, source: s.pattern.source, flags: s.pattern.flags })),
  ].filter((r, i, all) => all.findIndex((o) => o.source === r.source && o.flags === r.flags) === i),
};
const signatureLiterals = new Map(SIGNATURES.map((s) => [s.pattern.source, s.literal]));

type Timing = { shapes: number; results: { shape: string; times: number[] }[] };

function runWorker(r: FoundRegex, sizes = SIZES, limitMs = WORKER_LIMIT_MS): Promise<Timing> {
  return new Promise((resolve, reject) => {
    const w = new Worker(path.join(__dirname, '..', 'helpers', 'regex-linearity-worker.js'), {
      workerData: {
        source: r.source,
        flags: r.flags,
        extra: signatureLiterals.has(r.source) ? [signatureLiterals.get(r.source)] : [],
        screenSize: 16 << 10,
        sizes,
        topK: 4,
      },
    });
    const timer = setTimeout(() => {
      void w.terminate();
      reject(new Error(`/${r.source}/ did not finish on crafted lines up to ${sizes[sizes.length - 1]} bytes within ${limitMs} ms: catastrophic backtracking`));
    }, limitMs);
    w.once('message', (m) => {
      clearTimeout(timer);
      void w.terminate();
      resolve(m);
    });
    w.once('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
  });
}

describe('regex inventory', () => {
  test('finds the module-level and signature regexes, and no RegExp built at run time', () => {
    const sources = new Set(inventory.literals.map((r) => r.source));
    for (const s of SIGNATURES) expect(sources).toContain(s.pattern.source);
    expect(found.literals.length).toBeGreaterThan(20);
    // A pattern built at run time cannot be checked here: keep regexes literal.
    expect(inventory.constructorCalls).toEqual([]);
  });
});

/** Throws when a pattern's cost grows closer to quadratically than linearly on any of its costliest inputs. */
function assertLinear({ results }: Timing, sizes = SIZES): void {
  const last = sizes.length - 1;
  const bound = (sizes[last] / sizes[0]) ** 1.5;
  for (const { shape, times } of results) {
    const growth = times[last] / Math.max(times[0], NOISE_NS);
    if (growth > bound) {
      throw new Error(`${shape}: ${sizes[0]} → ${sizes[last]} bytes took ${times[0].toFixed(0)} → ${times[last].toFixed(0)} ns (×${growth.toFixed(1)}, at most ×${bound.toFixed(0)})`);
    }
  }
}

describe('the linearity check itself', () => {
  // Patterns this check must reject: the quadratic list separator upstream-list.ts had, and a
  // textbook exponential one. Smaller sizes and a short limit keep this quick.
  test('rejects a quadratic pattern by its growth', async () => {
    // small sizes: the quadratic pattern finishes, and its growth (64× for 8× the input) is what fails
    const sizes = [1 << 9, 4 << 10]; // 8x the input; half the old sizes: 8 KiB took over 15 s on a slow machine
    // a generous limit: the rejection must come from the growth, not from a slow machine's clock
    await expect(runWorker({ where: 'test', source: String.raw`\s*(?:,|\s:\s)\s*`, flags: '' }, sizes, 45_000).then((t) => assertLinear(t, sizes))).rejects.toThrow(/×\d+\.\d, at most ×23\)/);
  }, 60_000);

  test('rejects an exponential pattern by its time limit', async () => {
    const sizes = [16 << 10, 128 << 10];
    await expect(runWorker({ where: 'test', source: '(a|aa)+$', flags: '' }, sizes, 8_000).then((t) => assertLinear(t, sizes))).rejects.toThrow(/catastrophic backtracking/);
  }, 20_000);

});

describe('no catastrophic backtracking', () => {
  test.each(inventory.literals.map((r) => [`${r.where} /${r.source}/${r.flags}`, r] as const))(
    '%s stays linear up to 1 MiB',
    async (_name, r) => {
      const timing = await runWorker(r);
      expect(timing.shapes).toBeGreaterThan(0);
      assertLinear(timing);
    },
    WORKER_LIMIT_MS + 10_000,
  );
});
