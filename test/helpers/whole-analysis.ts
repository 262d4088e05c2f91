import { FailureEvent } from '../../src/model';
import { Analyzer, AnalyzerOptions } from '../../src/analyze/analyzer';
import { FileReader, ReadOptions } from '../../src/analyze/read-file';
import { buildDocument } from '../../src/report/json';
import { ZoneClock } from '../../src/parse/time';

/**
 * A whole analysis of files fed in chunks, as the tests of the bulk scanners compare it with and
 * without them: the readers' line accounting, the JSON report and the failure events.
 */

export interface Outcome {
  stats: unknown;
  doc: unknown;
  events: FailureEvent[];
}

export interface Input {
  name: string;
  data: Buffer;
}

const clock = new ZoneClock('UTC');

export function analyzeFiles(make: (o: AnalyzerOptions) => Analyzer, files: Input[], chunk: number, read: Partial<ReadOptions> = {}): Outcome {
  const events: FailureEvent[] = [];
  const a = make({ onEvent: (e) => events.push(e) });
  const stats = [];
  for (const f of files) {
    const r = new FileReader(f.name, a, { formats: [], clock, showSkipped: 3, ...read });
    for (let i = 0; i < f.data.length; i += chunk) r.push(f.data.subarray(i, i + chunk));
    r.finish();
    a.flush();
    a.summary.files.push(r.stats);
    stats.push(r.stats);
  }
  a.settle();
  const doc = buildDocument(a.summary, { evicted: a.index.evicted, zone: 'UTC' }) as unknown as Record<string, unknown>;
  delete doc.generatedAt;
  return { stats, doc, events };
}

/** What a bulk scanner's run() counted (its `lines` after each call) while fn ran. */
export function countedByRuns(proto: { run(chunk: Buffer, pos: number, len: number): number }, fn: () => void): number {
  let n = 0;
  const run = proto.run;
  const spy = jest.spyOn(proto, 'run').mockImplementation(function (this: { lines: number }, chunk: Buffer, pos: number, len: number) {
    const at = run.call(this, chunk, pos, len);
    n += this.lines;
    return at;
  });
  try {
    fn();
  } finally {
    spy.mockRestore();
  }
  return n;
}

/** A seeded stream of numbers in [0, 1). */
export function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), a | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
