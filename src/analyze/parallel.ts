import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as v8 from 'v8';
import { Writable } from 'stream';
import type { Worker } from 'worker_threads';
import { FailureEvent } from '../model';
import { InputError, InputSpec } from '../input/discover';
import { Offender, OffenderCollector, OFFENDERS_PER_RULE } from '../check/offenders';
import { WatchSpec, watchMatcher } from '../check/watches';
import { Summary } from '../report/summary';
import { mergeSummaries } from '../report/summary-merge';
import { Analyzer } from './analyzer';
import { ReadOptions } from './read-file';
import { ProgressSink, runOrdered } from './run';
import { Ranked, mayHoldAccessLogs, readingOrder } from './reading-order';
import { PlacedOffender, UnitResult, UnitTask, readSettingsOf, runUnit } from './unit';
import type { FromWorker, ToWorker } from './worker';

/**
 * The batch analysis with `--jobs N`: the files are split into work units, dealt to N jobs (this
 * thread and N - 1 worker threads) that each read theirs with the existing pipeline (FileReader +
 * Analyzer), and the partial summaries are merged (report/summary-merge.ts) into what one
 * sequential run would have produced.
 *
 * Units: one per directory. The access↔error join only joins files of one group (server and
 * directory, analyzer.ts fileGroup()) and needs the group's error logs read before the access
 * logs they explain (reading-order.ts), so a directory, rotated sets included, is one unit:
 * splitting a rotation set by generation would join an access line of access.log.1 only with
 * error.log.1, not with the error.log it may be in, and the claim an access failure puts on an
 * error entry must be seen by the next file.
 * PHP-FPM logs are the one thing shared across groups (diagnose/evidence.ts: their evidence
 * refines every group's FastCGI failures), so the main thread reads them first, as the sequential
 * run does, and every unit starts from the same evidence.
 *
 * `--jobs 1`, one unit, stdin among the inputs, or an event stream in order (NDJSON) is the
 * sequential in-process run (run.ts), unchanged.
 */

export type Jobs = number | 'auto';

export interface AnalysisRequest {
  inputs: InputSpec[];
  read: ReadOptions;
  since?: number;
  until?: number;
  jobs: Jobs;
  /** Every failure event, in order: the run is then sequential (NDJSON output). */
  onEvent?: (ev: FailureEvent) => void;
  /** Paces onEvent's output (run.ts). */
  output?: Writable;
  progress?: ProgressSink;
  /** check: the first offending events of each watch are kept (outcome.offenders). */
  watches?: WatchSpec[];
}

export interface AnalysisOutcome {
  summary: Summary;
  /** Correlation-index evictions (summed over the units of a parallel run). */
  evicted: number;
  unreadable: InputError[];
  offenders(key: string): Offender[];
  /** Worker threads used (0: sequential, in process). */
  workers: number;
  /** One line each for stderr: worker threads that could not start or stopped (their files were read by the other jobs). */
  notes: string[];
}

/** `--jobs` value: a positive integer or `auto`; anything else is a usage error for the caller. */
export function parseJobs(v: unknown): Jobs | null {
  if (v === undefined || v === 'auto') return 'auto';
  const n = typeof v === 'number' ? v : typeof v === 'string' && /^\d+$/.test(v) ? Number(v) : NaN;
  return Number.isInteger(n) && n >= 1 && n <= 256 ? n : null;
}

/** The worker script: the built dist/analyze/worker.js (from the TypeScript sources under jest too). */
export function workerScript(): string {
  const here = path.join(__dirname, 'worker.js');
  if (fs.existsSync(here)) return here;
  return path.resolve(__dirname, '..', '..', 'dist', 'analyze', 'worker.js');
}

/**
 * `--jobs auto` reads in one thread below this many bytes on disk. A worker costs what a run pays
 * once, again: its start-up, its bulk module, the JIT warm-up of the failure path (its code is
 * optimised anew in every thread), the merge; and ~40 MiB of peak RSS (a heap of its own). Since
 * the bulk scanner, one thread reads the bench's 4 directories (880 MB) in ~2.3-2.6 s, where two
 * were no faster (2.2-2.6 s), and 8 directories (1.76 GB) in 3.6-4.5 s against 3.2-4.1 s with
 * two, on a 2-vCPU machine whose two threads ran the yardstick 1.24x faster (docs/performance.md).
 */
export const AUTO_MIN_BYTES = 1024 * 1024 * 1024;

/**
 * `--jobs auto` uses at most this many jobs, and one when no input is an access log. Every job
 * holds a heap of its own: the bench's 8 files (4 directories) peaked at 137-149 MiB with 2 jobs,
 * 160 MiB with 3 and 186 MiB with 4, against a 150 MiB budget for the whole run (a third job is
 * over it wherever the CPUs for it exist); two directories of 1 M nginx error lines took
 * 2.27-2.42 s and 145-151 MiB with 2 jobs, 2.50-2.94 s and 98-99 MiB with one (2 vCPUs). This
 * tool runs on servers already in trouble: `--jobs N` goes wider where memory is not the limit.
 */
export const AUTO_MAX_JOBS = 2;

/** What `--jobs auto` chooses: the number of jobs for inputs in `dirs` directories of `bytes` on disk. */
export function autoJobs(o: { dirs: number; bytes: number; accessLogs: boolean; cpus: number }): number {
  if (o.dirs <= 1 || o.bytes < AUTO_MIN_BYTES || !o.accessLogs) return 1;
  return Math.min(AUTO_MAX_JOBS, o.cpus, o.dirs);
}

export async function analyzeInputs(req: AnalysisRequest): Promise<AnalysisOutcome> {
  const dirs = new Set(req.inputs.map((i) => path.dirname(i.path))).size;
  const stdin = req.inputs.some((i) => i.path === '-');
  const auto = req.jobs === 'auto';
  const sizes = auto ? { dirs, bytes: req.inputs.reduce((n, i) => n + sizeOf(i.path), 0), cpus: os.availableParallelism() } : null;
  // Threads start before the peeks at the files, so that their start-up (~100 ms: a worker's
  // isolate and modules) overlaps the peeks and the PHP-FPM pass: `--jobs N` always; auto when
  // the sizes alone call for more than one job, as the peeks still may not (error logs only: one
  // job; a worker started and closed unused adds ~12 MiB to the peak).
  const streamed = req.onEvent !== undefined || stdin;
  const early = streamed ? 0 : auto ? autoJobs({ ...sizes!, accessLogs: true }) : Math.min(req.jobs as number, dirs);
  let pool: Pool | null = early > 1 ? new Pool(early, req.progress) : null;
  try {
    const peeked = auto ? await readingOrder(req.inputs, req.read) : null;
    const wanted = peeked === null ? (req.jobs as number) : autoJobs({ ...sizes!, accessLogs: mayHoldAccessLogs(peeked) });
    const jobs = Math.min(wanted, dirs);
    if (jobs <= 1 || streamed) {
      await pool?.close();
      return await runSequential(req, peeked ?? (await readingOrder(req.inputs, req.read)));
    }
    pool ??= new Pool(jobs, req.progress);
    return await runParallel(req, pool, peeked);
  } finally {
    await pool?.close();
  }
}

/** The run over a started pool (the caller closes it). */
async function runParallel(req: AnalysisRequest, pool: Pool, peeked: Ranked[] | null): Promise<AnalysisOutcome> {
  const ranked = peeked ?? (await readingOrder(req.inputs, req.read));
  const fpm: number[] = [];
  const units = new Map<string, number[]>();
  ranked.forEach((r, i) => {
    if (r.rank === 0) return void fpm.push(i);
    const dir = path.dirname(r.spec.path);
    (units.get(dir) ?? units.set(dir, []).get(dir)!).push(i);
  });
  const base = {
    read: readSettingsOf(req.read),
    since: req.since,
    until: req.until,
    watches: req.watches ?? [],
    perKey: OFFENDERS_PER_RULE,
    noAccessLogs: !mayHoldAccessLogs(ranked),
  };
  const task = (files: number[], evidence: [number, string][], recordEvidence: boolean): UnitTask => ({
    ...base,
    files: files.map((index) => ({ spec: ranked[index].spec, rank: ranked[index].rank, index, piece: ranked[index].piece })),
    evidence,
    recordEvidence,
  });
  // One directory besides the PHP-FPM logs: nothing to share out.
  if (units.size <= 1) return await runSequential(req, ranked);
  // PHP-FPM logs first, here: every job starts from their evidence, as the sequential run does.
  const first = await runUnit(task(fpm, [], true), pool.progressFor(-1));
  const jobs = Math.min(pool.size, units.size);
  const results = await Promise.all(packJobs([...units.values()], jobs, ranked).map((files) => pool.run(task(files, first.evidence, false))));
  req.progress?.done();
  // The workers' heaps go before the merge and the report build theirs: a few MiB off the peak.
  await pool.close();
  return { ...combine([first, ...results], Math.min(pool.size, jobs) - 1), notes: pool.lost };
}

/**
 * The units dealt to `jobs` jobs, largest first to the least loaded (by bytes on disk). Each job
 * reads its files in the sequential order with one Analyzer, as the sequential run does with all
 * of them: groups never meet in the analysis, and a job's summary stays one summary (one minute
 * table, not one per directory).
 */
function packJobs(units: number[][], jobs: number, ranked: Ranked[]): number[][] {
  const bytesOf = (r: Ranked) => (r.piece ? Math.min(r.piece.end, sizeOf(r.spec.path)) - r.piece.start : sizeOf(r.spec.path));
  const sized = units.map((files) => ({ files, size: files.reduce((n, i) => n + bytesOf(ranked[i]), 0) }));
  sized.sort((a, b) => b.size - a.size);
  const bins = Array.from({ length: jobs }, () => ({ files: [] as number[], size: 0 }));
  for (const u of sized) {
    const bin = bins.reduce((a, b) => (b.size < a.size ? b : a));
    bin.files.push(...u.files);
    bin.size += u.size;
  }
  return bins.map((b) => b.files.sort((x, y) => x - y));
}

function sizeOf(p: string): number {
  try {
    return fs.statSync(p).size;
  } catch {
    return 0;
  }
}

async function runSequential(req: AnalysisRequest, ranked: Ranked[]): Promise<AnalysisOutcome> {
  const collector = new OffenderCollector();
  for (const w of req.watches ?? []) collector.watch(w.key, watchMatcher(w));
  const onEvent =
    req.watches && req.watches.length > 0
      ? req.onEvent
        ? (ev: FailureEvent) => {
            collector.onEvent(ev);
            req.onEvent!(ev);
          }
        : collector.onEvent
      : req.onEvent;
  const analyzer = new Analyzer({ since: req.since, until: req.until, onEvent });
  const { unreadable } = await runOrdered(ranked, analyzer, req.read, req.output, req.progress);
  return { summary: analyzer.summary, evicted: analyzer.index.evicted, unreadable, offenders: (k) => collector.get(k), workers: 0, notes: [] };
}

function combine(results: UnitResult[], workers: number): Omit<AnalysisOutcome, 'notes'> {
  const { summary, indexEvicted } = mergeSummaries(results.map((r) => r.partial));
  const unreadable = results
    .flatMap((r) => r.unreadable)
    .sort((a, b) => a.index - b.index)
    .map((u) => new InputError(u.path, u.reason));
  const placed = new Map<string, PlacedOffender[]>();
  for (const r of results) for (const [k, list] of Object.entries(r.offenders)) (placed.get(k) ?? placed.set(k, []).get(k)!).push(...list);
  const offenders = (key: string): Offender[] =>
    (placed.get(key) ?? [])
      .sort((a, b) => a.at[0] - b.at[0] || a.at[1] - b.at[1])
      .slice(0, OFFENDERS_PER_RULE)
      .map(({ file, line, text }) => ({ file, line, text }));
  return { summary, evicted: indexEvicted, unreadable, offenders, workers };
}

/**
 * Young generation of a worker's heap: 2 x 4 MiB semi-spaces, half of what bin/upstream-doctor
 * gives the main thread. On the bench's 4-directory input `--jobs 2` peaked at 145-147 MiB with it
 * (and the workers closed before the merge) against 156-161 MiB, in the same time (4 alternating
 * runs each); on two directories of 1 M nginx error lines, 149-157 against 155-168 MiB, also in
 * the same time (2 x 2 and 2 x 1 MiB were 6-7% slower there). Set as a V8 flag because the flag
 * overrides Worker's resourceLimits.maxYoungGenerationSizeMb; V8 reads it when an isolate's heap
 * is configured, so it changes the heaps of the workers started after it, not the running one.
 */
export const WORKER_SEMI_SPACE_MB = 4;

/**
 * N jobs taking tasks from one queue: this thread (between its chunks it also serves the others'
 * messages) and N - 1 worker threads. Progress is summed over the tasks read so far.
 *
 * A worker thread that cannot start (under a task or address-space limit `new Worker` throws
 * EAGAIN) or dies (its isolate out of memory) leaves the pool, and the task it held goes back in
 * the queue for the others: a task's result is only merged when it is done, so nothing of it is
 * counted twice, and this thread's job is always there to take it. `lost` says what happened.
 */
class Pool {
  private readonly idle: Slot[] = [];
  private readonly workers: Worker[] = [];
  private readonly queue: Job[] = [];
  private readonly progress = new Map<number, { bytes: number; lines: number }>();
  private nextId = 0;
  private closed = false;
  /** Jobs able to take a task: this thread's and the live workers'. */
  private live = 1;
  /** One line each for stderr: the worker threads that could not start or died. */
  readonly lost: string[] = [];

  constructor(jobs: number, private readonly sink?: ProgressSink) {
    this.idle.push({ run: (id, task) => runUnit(task, this.progressFor(id)) });
    const script = workerScript();
    if (jobs > 1) {
      try {
        v8.setFlagsFromString(`--max-semi-space-size=${WORKER_SEMI_SPACE_MB}`);
      } catch {
        // an engine that froze its flags: workers with the main thread's young generation
      }
    }
    // loaded only for a run with workers (start-up: see docs/performance.md)
    const { Worker: WorkerThread } = jobs > 1 ? (require('worker_threads') as typeof import('worker_threads')) : { Worker: null };
    for (let i = 1; i < jobs; i++) {
      let w: Worker;
      try {
        w = new WorkerThread!(script);
      } catch (err) {
        this.lost.push(`a worker thread could not start (${messageOf(err)}): its files are read by the other jobs`);
        continue;
      }
      this.live++;
      this.idle.push(this.workerSlot(w));
    }
  }

  /** Jobs able to take a task now. */
  get size(): number {
    return this.live;
  }

  private workerSlot(w: Worker): Slot {
    this.workers.push(w);
    let current: { id: number; resolve: (r: UnitResult) => void; reject: (e: Error) => void } | null = null;
    let gone = false;
    const slot: Slot = {
      run: (id, task) =>
        new Promise<UnitResult>((resolve, reject) => {
          current = { id, resolve, reject };
          const msg: ToWorker = { type: 'unit', id, task, progress: this.sink !== undefined };
          w.postMessage(msg);
        }),
    };
    const leave = (err: Error) => {
      if (gone || this.closed) return;
      gone = true;
      this.live--;
      this.lost.push(`a worker thread stopped (${messageOf(err)}): its files are read by the other jobs`);
      const at = this.idle.indexOf(slot);
      if (at !== -1) this.idle.splice(at, 1);
      const c = current;
      current = null;
      c?.reject(new WorkerGone());
    };
    w.on('message', (m: FromWorker) => {
      if (m.type === 'progress') return void this.progressFor(m.id)?.(m.bytes, m.lines);
      if (!current || current.id !== m.id) return;
      const c = current;
      current = null;
      if (m.type === 'done') c.resolve(m.result);
      else c.reject(new Error(`in a worker thread: ${m.error}`));
    });
    w.on('error', leave);
    w.on('exit', (code) => leave(new Error(`exit code ${code}`)));
    return slot;
  }

  progressFor(id: number): ((bytes: number, lines: number) => void) | undefined {
    if (!this.sink) return undefined;
    return (bytes, lines) => {
      this.progress.set(id, { bytes, lines });
      let b = 0;
      let l = 0;
      for (const p of this.progress.values()) {
        b += p.bytes;
        l += p.lines;
      }
      this.sink!.tick(b, l);
    };
  }

  run(task: UnitTask): Promise<UnitResult> {
    return new Promise((resolve, reject) => {
      this.queue.push({ id: this.nextId++, task, resolve, reject });
      this.dispatch();
    });
  }

  private dispatch(): void {
    while (this.idle.length > 0 && this.queue.length > 0) {
      const slot = this.idle.shift()!;
      const job = this.queue.shift()!;
      slot.run(job.id, job.task).then(
        (r) => {
          this.idle.push(slot);
          job.resolve(r);
          this.dispatch();
        },
        (err) => {
          if (!(err instanceof WorkerGone)) return void job.reject(err);
          // its worker is gone: the task goes to the next free job, ahead of the others
          this.queue.unshift(job);
          this.dispatch();
        },
      );
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    await Promise.all(this.workers.splice(0).map((w) => w.terminate()));
  }
}

interface Job {
  id: number;
  task: UnitTask;
  resolve: (r: UnitResult) => void;
  reject: (e: Error) => void;
}

/** A task's rejection when its worker thread stopped under it: the task is run again elsewhere. */
class WorkerGone extends Error {}

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

interface Slot {
  run(id: number, task: UnitTask): Promise<UnitResult>;
}
