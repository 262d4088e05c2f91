import * as path from 'path';
import { FailureEvent, LogKind, SKIP_REASONS, SkipReason } from '../model';
import { rotationKey } from '../input/discover';
import { FollowSet, Segment, SwitchReason } from '../input/follow';
import { FileStats, newFileStats } from '../report/summary';
import { Analyzer } from './analyzer';
import { FileReader, ReadOptions } from './read-file';

/**
 * The live pipeline: followed files → FileReader (one per file read, so a line never spans two
 * files; the format detected in a file carries over to the next file of its rotation set) → the
 * same Analyzer as `analyze`. Line accounting is reported as it happens (for /metrics) and kept
 * per path (one FileStats per followed path, whatever the number of rotations).
 */

export interface TailRunOptions {
  fromStart: boolean;
  pollMs: number;
  graceMs: number;
  onEvent: (ev: FailureEvent) => void;
  onLines?: (parsed: number, skippedByReason: Partial<Record<SkipReason, number>>) => void;
  onSwitch?: (file: string, reason: SwitchReason) => void;
  warn: (msg: string) => void;
  wait?: () => Promise<void> | null;
}

const READ_ORDER: Partial<Record<LogKind, number>> = { 'php-fpm': 0, 'nginx-error': 1, 'apache-error': 1 };

interface Counted {
  parsed: number;
  byReason: Partial<Record<SkipReason, number>>;
}

export class TailRun {
  readonly analyzer: Analyzer;
  private readonly set: FollowSet;
  /** The last reader of each rotation set, whose detection the next file inherits. */
  private readonly lastReader = new Map<string, FileReader>();
  private readonly totals = new Map<string, FileStats>();
  private readonly reported = new Map<FileReader, Counted>();
  /**
   * Access-log work read in this poll, and in the previous one. nginx writes a failure's error
   * entry before its access line, but a poll may read the access log after more was written to
   * both; running access lines one poll late means their error entries have been read by then.
   */
  private queued: (() => void)[] = [];
  private ready: (() => void)[] = [];

  constructor(
    targets: string[],
    private readonly readOpts: ReadOptions,
    private readonly opts: TailRunOptions,
  ) {
    // live windows and alerts read the counts as lines come: an error request counts at once
    this.analyzer = new Analyzer({ onEvent: opts.onEvent, countOnClose: true });
    this.set = new FollowSet(
      targets,
      { open: (file, reason) => this.open(file, reason), warn: opts.warn },
      {
        fromStart: opts.fromStart,
        graceMs: opts.graceMs,
        pollMs: opts.pollMs,
        wait: opts.wait,
        // Error logs are read first in each poll, so an access failure finds its explaining entry.
        rank: (f) => this.rank(f),
        afterPoll: () => this.runDeferred(),
      },
    );
  }

  private rank(file: string): number {
    const kind = this.lastReader.get(rotationKey(file).base)?.stats.kind;
    // Before the first line is seen, the name is the best guess (error.log, php-fpm.log).
    if (!kind) return /error|fpm/i.test(path.basename(file)) ? 1 : 2;
    return READ_ORDER[kind] ?? 2;
  }

  private runDeferred(): void {
    const run = this.ready;
    this.ready = this.queued;
    this.queued = [];
    for (const f of run) f();
  }

  get files(): string[] {
    return this.set.files;
  }

  get linesRead(): number {
    let n = 0;
    for (const s of this.totals.values()) n += s.parsed + s.skipped;
    for (const r of this.reported.keys()) n += r.stats.parsed + r.stats.skipped;
    return n;
  }

  start(): Promise<void> {
    return this.set.start();
  }

  /** Reads what is left, closes the files and returns the per-path accounting. */
  async stop(): Promise<FileStats[]> {
    await this.set.close();
    this.runDeferred();
    this.runDeferred();
    return [...this.totals.values()];
  }

  private open(file: string, reason: SwitchReason): Segment {
    this.opts.onSwitch?.(file, reason);
    const base = rotationKey(file).base;
    const reader = new FileReader(file, this.analyzer, this.readOpts);
    const prev = this.lastReader.get(base);
    if (prev) reader.adoptDetection(prev);
    this.lastReader.set(base, reader);
    this.reported.set(reader, { parsed: 0, byReason: {} });
    const seg: Segment = {
      data: (chunk) => reader.push(chunk),
      idle: () => {
        reader.idle();
        // A quiet error log: its open request chains are as complete as they will be for now, so
        // they are diagnosed and reported rather than held. (A request whose next upstream attempt
        // is logged after a quiet poll shows as two events in tail; analyze joins them.)
        if (this.rank(file) < 2) this.analyzer.flush();
        this.report(reader);
      },
      end: () => {
        reader.finish();
        this.report(reader);
        this.reported.delete(reader);
        this.mergeInto(base, reader.stats);
      },
    };
    if (this.rank(file) < 2) return seg;
    return {
      // Copied: the follower reuses its read buffer.
      data: (chunk) => {
        const copy = Buffer.from(chunk);
        this.queued.push(() => seg.data(copy));
      },
      idle: () => this.queued.push(() => seg.idle()),
      end: () => this.queued.push(() => seg.end()),
    };
  }

  /** Passes on what this reader has counted since the last report. */
  private report(reader: FileReader): void {
    const seen = this.reported.get(reader);
    if (!seen) return;
    const st = reader.stats;
    const delta: Partial<Record<SkipReason, number>> = {};
    for (const r of SKIP_REASONS) {
      const now = st.skippedByReason[r] ?? 0;
      const d = now - (seen.byReason[r] ?? 0);
      if (d > 0) delta[r] = d;
      seen.byReason[r] = now;
    }
    const parsed = st.parsed - seen.parsed;
    seen.parsed = st.parsed;
    if (parsed > 0 || Object.keys(delta).length > 0) this.opts.onLines?.(parsed, delta);
  }

  private mergeInto(base: string, st: FileStats): void {
    let t = this.totals.get(base);
    if (!t) {
      t = newFileStats(base);
      this.totals.set(base, t);
    }
    t.kind ??= st.kind;
    t.format ??= st.format;
    t.envelope ??= st.envelope;
    t.lines += st.lines;
    t.parsed += st.parsed;
    t.skipped += st.skipped;
    for (const r of SKIP_REASONS) {
      const n = st.skippedByReason[r];
      if (n) t.skippedByReason[r] = (t.skippedByReason[r] ?? 0) + n;
    }
  }
}
