import { FailureEvent } from '../../src/model';
import { Analyzer, AnalyzerOptions } from '../../src/analyze/analyzer';
import { FileReader, ReadOptions } from '../../src/analyze/read-file';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { readInput } from '../../src/analyze/run';
import { READ_CHUNK } from '../../src/input/open';
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
  return outcome(a, stats, events);
}

/** The outcome of an analyzer once its files are read (the document without its time). */
function outcome(a: Analyzer, stats: unknown[], events: FailureEvent[]): Outcome {
  a.settle();
  const doc = buildDocument(a.summary, { evicted: a.index.evicted, zone: 'UTC' }) as unknown as Record<string, unknown>;
  delete doc.generatedAt;
  return { stats, doc, events };
}

/**
 * A whole analysis of one file read as `analyze` reads it (readInput: its size told to the
 * reader, plain files read ahead into the scanning module's read buffers once there is one).
 */
export async function readFileWhole(make: (o: AnalyzerOptions) => Analyzer, file: string, read: Partial<ReadOptions> = {}): Promise<Outcome> {
  const events: FailureEvent[] = [];
  const a = make({ onEvent: (e) => events.push(e) });
  await readInput({ path: file, rotationBase: file }, a, { formats: [], clock, showSkipped: 3, ...read });
  return outcome(a, a.summary.files, events);
}

/**
 * While fn runs: the chunks a scanner's run() was given, how many of them lay in the scanner's
 * own read buffers (scanned without a copy), and the lines it counted in those.
 */
async function chunksInPlace(proto: Scanner, fn: () => Promise<unknown>): Promise<{ chunks: number; inPlace: number; linesInPlace: number }> {
  const seen = new Map<Buffer, boolean>();
  let linesInPlace = 0;
  const run = proto.run;
  const spy = jest.spyOn(proto, 'run').mockImplementation(function (this: typeof proto & { lines: number }, chunk: Buffer, pos: number, len: number) {
    const inPlace = chunk.buffer === this.readBuffers()[0].buffer;
    seen.set(chunk, inPlace);
    const at = run.call(this, chunk, pos, len);
    if (inPlace) linesInPlace += this.lines;
    return at;
  });
  try {
    await fn();
  } finally {
    spy.mockRestore();
  }
  return { chunks: seen.size, inPlace: [...seen.values()].filter((x) => x).length, linesInPlace };
}

type Scanner = { run(chunk: Buffer, pos: number, len: number): number; readBuffers(): [Buffer, Buffer] };

/**
 * Reads `data` (`lines` lines, over 8 read chunks) from a file as `analyze` does: the outcome
 * equals `reference`'s for the same file, the chunks after the first two lie in the scanner's
 * read buffers, and most of their lines are counted there.
 */
export async function expectReadInPlace(proto: Scanner, name: string, data: Buffer, lines: number, reference: (file: string) => Promise<Outcome>): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ud-in-place-'));
  try {
    const file = path.join(dir, name);
    expect(data.length).toBeGreaterThan(8 * READ_CHUNK);
    fs.writeFileSync(file, data);
    let got: Outcome | null = null;
    const seen = await chunksInPlace(proto, async () => (got = await readFileWhole((o) => new Analyzer(o), file)));
    expect(got).toEqual(await reference(file));
    // the chunk the module was made in and the one read ahead meanwhile are copied; every later one lies in place
    expect(seen.chunks).toBe(Math.ceil(data.length / READ_CHUNK));
    expect(seen.inPlace).toBe(seen.chunks - 2);
    // and counted there (a module shown the wrong bytes would leave every line to JavaScript, to the same analysis)
    expect(seen.linesInPlace).toBeGreaterThan(0.8 * lines * (seen.inPlace / seen.chunks));
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
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
