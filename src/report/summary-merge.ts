import { Cause, FailureEvent } from '../model';
import { SavedSpaceSaving, SpaceSaving, TopKTable } from '../util/top-k';
import {
  CauseTotals,
  FileStats,
  MINUTE_UPSTREAMS,
  MinuteCounts,
  Summary,
  TOP_K_CAPACITY,
  UPSTREAM_TABLE_CAP,
  UpstreamStats,
  bucketOf,
  countIn,
} from './summary';

/**
 * Partial summaries of a parallel run (analyze --jobs): each worker thread reads some of the files
 * into its own Summary and sends it back as plain data (PartialSummary); the main thread merges
 * the parts into the Summary that one sequential run over all files would have built.
 *
 * Where a sequential Summary depends on the order things were first seen (the upstream table and
 * its cap, the first raw path of an endpoint, the order of minutes and of the causes and statuses
 * inside a minute, which the timeline and incidents iterate), every key carries the index, in the
 * sequential reading order, of the file it was first seen in (`first`). The run's files are
 * split between parts, never shared, so sorting the parts' keys by `first` (stable: a part's own
 * keys are already in its order) gives the sequential insertion order.
 *
 * What cannot be reproduced from the parts: a bounded table that overflowed in a part (top-K
 * SpaceSaving tables, merged with the guarantee stated at SpaceSaving.mergeAll; the upstream
 * table's cap), see docs/performance.md "Parallel runs".
 */

/** [key, value, index of the file the key was first seen in] */
type Ordered<K, V> = [K, V, number][];

export interface PartialCause {
  cause: Cause;
  count: number;
  byStatus: [number, number][];
  bySignature: [string, number][];
  upstreams: SavedSpaceSaving;
  hosts: SavedSpaceSaving;
  paths: SavedSpaceSaving;
  clients: SavedSpaceSaving;
  sample: FailureEvent | null;
  /** File index the sample was taken in. */
  sampleFirst: number;
  pathExamples: Ordered<string, string>;
}

/**
 * The minute table, column-wise (a month is 43,200 minutes: typed arrays clone cheaply and make
 * no object per minute). `failed` holds the per-status, per-cause and upstream detail of the
 * minutes that have some, by position.
 */
export interface PartialMinutes {
  keys: Float64Array;
  requests: Float64Array;
  failures: Float64Array;
  /** File index each minute was first seen in. */
  first: Int32Array;
  failed: [number, PartialMinuteDetail][];
  /** Width of the part's time buckets in minutes (Summary.minuteStep). */
  step: number;
}

export interface PartialMinuteDetail {
  byStatus: Ordered<number, number>;
  byCause: Ordered<Cause, number>;
  upstreams: SavedSpaceSaving | null;
}

export interface PartialSummary {
  /** For each of `files`, its index in the sequential reading order (a file read in pieces: its first). */
  fileIndexes: number[];
  files: FileStats[];
  statusCounts: [number, number][];
  causes: PartialCause[];
  minutes: PartialMinutes;
  upstreams: Ordered<string, { attempts: number; failures: [number, number][]; retried: number; hiddenFailures: number }>;
  upstreamOverflow: number;
  evidence: Ordered<string, { cause: Cause; count: number }>;
  start: number | null;
  end: number | null;
  gatewayFailures: number;
  gatewayExplained: number;
  /** Correlation-index evictions of this part's analyzer. */
  indexEvicted: number;
}

/**
 * Keeps, for a Summary being filled file by file, which file each insertion-ordered key was first
 * seen in. Call fileDone() after each file; it only looks at sizes (O(keys) per file, not per line).
 */
export class PartialRecorder {
  private readonly fileIndexes: number[] = [];
  /** The file index at which each of the summary's FileStats joined it. */
  private readonly statsIndexes: number[] = [];
  /** Sizes of the ordered maps after each file. */
  private readonly marks = { minutes: [] as number[], upstreams: [] as number[], evidence: [] as number[] };
  private readonly causeMarks = new Map<Cause, { paths: number[]; sample: number }>();
  /** Per minute: the file index of each byStatus / byCause key, in insertion order. */
  private readonly minuteFirst = new Map<number, { status: number[]; cause: number[] }>();

  /** The summary's time step when the marks were taken. */
  private step = 1;

  constructor(readonly summary: Summary) {}

  /**
   * After each input (or piece of one, analyze/run.ts readInput); `newFile`: its FileStats joined
   * the summary's files there (a file read in pieces joins with its first).
   */
  fileDone(index: number, newFile = true): void {
    const s = this.summary;
    if (newFile) this.statsIndexes.push(index);
    if (s.minuteStep !== this.step) {
      // The time table was rebuilt in wider buckets: their order no longer follows the files, so
      // they count as first seen in this one (merging adds them up in any order: see mergeSummaries).
      this.step = s.minuteStep;
      this.marks.minutes.fill(0);
      this.minuteFirst.clear();
    }
    this.fileIndexes.push(index);
    this.marks.minutes.push(s.minutes.size);
    this.marks.upstreams.push(s.upstreams.size);
    this.marks.evidence.push(s.evidence.size);
    for (const [cause, c] of s.causes) {
      let m = this.causeMarks.get(cause);
      if (!m) this.causeMarks.set(cause, (m = { paths: [], sample: -1 }));
      while (m.paths.length < this.fileIndexes.length - 1) m.paths.push(0);
      m.paths.push(c.pathExamples.size);
      if (m.sample === -1 && c.sample) m.sample = index;
    }
    for (const [minute, m] of s.minutes) {
      let f = this.minuteFirst.get(minute);
      if (!f) {
        if (m.byStatus.size === 0 && m.byCause.size === 0) continue; // most minutes: no failure
        this.minuteFirst.set(minute, (f = { status: [], cause: [] }));
      }
      while (f.status.length < m.byStatus.size) f.status.push(index);
      while (f.cause.length < m.byCause.size) f.cause.push(index);
    }
  }

  private minutesPartial(first: (pos: number) => number, last: number): PartialMinutes {
    const n = this.summary.minutes.size;
    const out: PartialMinutes = { keys: new Float64Array(n), requests: new Float64Array(n), failures: new Float64Array(n), first: new Int32Array(n), failed: [], step: this.summary.minuteStep };
    const inner = <K>(m: Iterable<[K, number]>, f: number[] | undefined): Ordered<K, number> => [...m].map(([k, v], i) => [k, v, f?.[i] ?? last]);
    let i = 0;
    // forEach: a month's 43,200 minutes pass once, mostly in the interpreter, where for-of made an
    // entry array per minute (half of this function's 50 ms)
    this.summary.minutes.forEach((m, minute) => {
      out.keys[i] = minute;
      out.requests[i] = m.requests;
      out.failures[i] = m.failures;
      out.first[i] = first(i);
      if (m.byStatus.size > 0 || m.byCause.size > 0 || m.upstreams) {
        const f = this.minuteFirst.get(minute);
        out.failed.push([i, { byStatus: inner(m.byStatus, f?.status), byCause: inner(m.byCause, f?.cause), upstreams: m.upstreams ? m.upstreams.save() : null }]);
      }
      i++;
    });
    return out;
  }

  /** The summary as plain data (structured-clone and JSON safe). */
  toPartial(indexEvicted: number): PartialSummary {
    const s = this.summary;
    const idx = this.fileIndexes;
    const last = idx.length > 0 ? idx[idx.length - 1] : 0;
    const firsts = (marks: number[]) => {
      let j = 0;
      return (pos: number): number => {
        while (j < marks.length && pos >= marks[j]) j++;
        return j < idx.length ? idx[j] : last;
      };
    };
    const ordered = <K, V, W>(m: Map<K, V>, marks: number[], f: (v: V, k: K) => W): Ordered<K, W> => {
      const first = firsts(marks);
      return [...m].map(([k, v], i) => [k, f(v, k), first(i)]);
    };
    return {
      fileIndexes: [...this.statsIndexes],
      files: s.files,
      statusCounts: [...s.statusCounts],
      causes: [...s.causes].map(([cause, c]) => {
        const marks = this.causeMarks.get(cause);
        return {
          cause,
          count: c.count,
          byStatus: [...c.byStatus],
          bySignature: [...c.bySignature],
          upstreams: c.upstreams.save(),
          hosts: c.hosts.save(),
          paths: c.paths.save(),
          clients: c.clients.save(),
          sample: c.sample,
          sampleFirst: marks && marks.sample >= 0 ? marks.sample : last,
          pathExamples: ordered(c.pathExamples, marks?.paths ?? [], (v) => v),
        };
      }),
      minutes: this.minutesPartial(firsts(this.marks.minutes), last),
      upstreams: ordered(s.upstreams, this.marks.upstreams, (u) => ({ ...u, failures: [...u.failures] })),
      upstreamOverflow: s.upstreamOverflow,
      evidence: ordered(s.evidence, this.marks.evidence, (e) => ({ ...e })),
      start: Number.isFinite(s.start) ? s.start : null,
      end: Number.isFinite(s.end) ? s.end : null,
      gatewayFailures: s.gatewayFailures,
      gatewayExplained: s.gatewayExplained,
      indexEvicted,
    };
  }
}

/**
 * Runs of entries first seen in one file, in file order, over several parts: a file belongs to
 * one part, and a part's entries are in its own order, so this is the sequential insertion order.
 */
function runsInOrder(firsts: ArrayLike<number>[]): { part: number; start: number; end: number }[] {
  const runs: { part: number; start: number; end: number; f: number }[] = [];
  firsts.forEach((l, part) => {
    for (let i = 0; i < l.length; ) {
      let j = i + 1;
      while (j < l.length && l[j] === l[i]) j++;
      runs.push({ part, start: i, end: j, f: l[i] });
      i = j;
    }
  });
  return runs.sort((a, b) => a.f - b.f);
}

/** The entries of several parts in sequential insertion order; `isNew`: the key's first entry. */
function inOrder<K, V>(lists: Ordered<K, V>[], add: (k: K, v: V, isNew: boolean) => void): void {
  const seen = new Set<K>();
  for (const r of runsInOrder(lists.map((l) => l.map((e) => e[2])))) {
    const l = lists[r.part];
    for (let i = r.start; i < r.end; i++) {
      const [k, v] = l[i];
      const isNew = !seen.has(k);
      if (isNew) seen.add(k);
      add(k, v, isNew);
    }
  }
}

function addInto<K>(m: Map<K, number>, entries: Iterable<[K, number, ...unknown[]]>): void {
  for (const [k, v] of entries) m.set(k, (m.get(k) ?? 0) + v);
}

const mergeTopK = (saved: SavedSpaceSaving[], capacity: number): TopKTable =>
  saved.length === 1 ? SpaceSaving.restore(saved[0]) : SpaceSaving.mergeSaved(saved, capacity);

/** Merges partial summaries into a Summary (also a single part: the round trip is exact). */
export function mergeSummaries(parts: PartialSummary[], maxTimeBuckets?: number): { summary: Summary; indexEvicted: number } {
  const s = new Summary(maxTimeBuckets);

  // Files in the sequential reading order.
  const files: [number, FileStats][] = [];
  for (const p of parts) p.files.forEach((f, i) => files.push([p.fileIndexes[i], f]));
  files.sort((a, b) => a[0] - b[0]);
  for (const [, f] of files) s.files.push(f);

  for (const p of parts) for (const [st, n] of p.statusCounts) s.addStatusCount(st, n);

  // Causes: totals summed; top-K tables merged; the first sample and first raw paths kept.
  const byCause = new Map<Cause, PartialCause[]>();
  for (const p of parts) for (const c of p.causes) (byCause.get(c.cause) ?? byCause.set(c.cause, []).get(c.cause)!).push(c);
  const causeOrder = [...byCause.keys()].sort((a, b) => Math.min(...byCause.get(a)!.map((c) => c.sampleFirst)) - Math.min(...byCause.get(b)!.map((c) => c.sampleFirst)));
  for (const cause of causeOrder) {
    const cs = byCause.get(cause)!;
    const t: CauseTotals = {
      count: 0,
      byStatus: new Map(),
      bySignature: new Map(),
      upstreams: mergeTopK(cs.map((c) => c.upstreams), TOP_K_CAPACITY),
      hosts: mergeTopK(cs.map((c) => c.hosts), TOP_K_CAPACITY),
      paths: mergeTopK(cs.map((c) => c.paths), TOP_K_CAPACITY),
      clients: mergeTopK(cs.map((c) => c.clients), TOP_K_CAPACITY),
      sample: null,
      pathExamples: new Map(),
    };
    let sampleAt = Infinity;
    for (const c of cs) {
      t.count += c.count;
      addInto(t.byStatus, c.byStatus);
      addInto(t.bySignature, c.bySignature);
      if (c.sample && c.sampleFirst < sampleAt) {
        t.sample = c.sample;
        sampleAt = c.sampleFirst;
      }
    }
    inOrder(cs.map((c) => c.pathExamples), (k, v, isNew) => {
      if (isNew && t.pathExamples.size < TOP_K_CAPACITY) t.pathExamples.set(k, v);
    });
    s.causes.set(cause, t);
  }

  // Time buckets at the widest part's step (a part over a long span coarsened its own table).
  const step = Math.max(1, ...parts.map((p) => p.minutes.step));
  s.coarsen(step);
  const details = new Map<number, PartialMinuteDetail[]>();
  // position of a minute → 1 + its entry in `failed` (0: none): a typed array, not a Map, for the
  // loop below, which runs once over every minute of every part
  const failedAt = parts.map((p) => {
    const at = new Int32Array(p.minutes.keys.length);
    p.minutes.failed.forEach(([pos], j) => (at[pos] = j + 1));
    return at;
  });
  for (const r of runsInOrder(parts.map((p) => p.minutes.first))) {
    const pm = parts[r.part].minutes;
    const at = failedAt[r.part];
    for (let i = r.start; i < r.end; i++) {
      const k = bucketOf(pm.keys[i], step);
      let m = s.minutes.get(k);
      if (!m) s.minutes.set(k, (m = new MinuteCounts()));
      m.requests += pm.requests[i];
      m.failures += pm.failures[i];
      if (at[i] !== 0) {
        const d = pm.failed[at[i] - 1][1];
        const list = details.get(k);
        if (list) list.push(d);
        else details.set(k, [d]);
      }
    }
  }
  for (const [k, ds] of details) {
    const m = s.minutes.get(k)!;
    inOrder(ds.map((x) => x.byStatus), (st, n) => countIn(m, 'byStatus', st, n));
    inOrder(ds.map((x) => x.byCause), (c, n) => countIn(m, 'byCause', c, n));
    const ups = ds.map((x) => x.upstreams).filter((u): u is SavedSpaceSaving => u !== null);
    if (ups.length > 0) m.upstreams = mergeTopK(ups, MINUTE_UPSTREAMS);
  }
  // Parts over different spans add up to more buckets than each held.
  s.fitTimeBuckets();

  // The upstream table keeps the first UPSTREAM_TABLE_CAP addresses; attempts on others overflow.
  s.upstreamOverflow = parts.reduce((n, p) => n + p.upstreamOverflow, 0);
  inOrder(parts.map((p) => p.upstreams), (addr, u, isNew) => {
    let t: UpstreamStats | undefined = s.upstreams.get(addr);
    if (!t) {
      if (!isNew || s.upstreams.size >= UPSTREAM_TABLE_CAP) {
        s.upstreamOverflow += u.attempts;
        return;
      }
      s.upstreams.set(addr, (t = { attempts: 0, failures: new Map(), retried: 0, hiddenFailures: 0 }));
    }
    t.attempts += u.attempts;
    addInto(t.failures, u.failures);
    t.retried += u.retried;
    t.hiddenFailures += u.hiddenFailures;
  });

  inOrder(parts.map((p) => p.evidence), (sig, e) => {
    const t = s.evidence.get(sig);
    if (t) t.count += e.count;
    else if (s.evidence.size < TOP_K_CAPACITY) s.evidence.set(sig, { ...e });
  });

  for (const p of parts) {
    if (p.start !== null) s.seeTime(p.start);
    if (p.end !== null) s.seeTime(p.end);
    s.gatewayFailures += p.gatewayFailures;
    s.gatewayExplained += p.gatewayExplained;
  }
  return { summary: s, indexEvicted: parts.reduce((n, p) => n + p.indexEvicted, 0) };
}
