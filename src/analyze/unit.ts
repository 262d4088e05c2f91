import { FailureEvent, LogKind } from '../model';
import { InputSpec } from '../input/discover';
import { FormatPlan } from '../parse/format/plan';
import { ZoneClock } from '../parse/time';
import { Offender } from '../check/offenders';
import { WatchSpec, watchMatcher } from '../check/watches';
import { PartialRecorder, PartialSummary } from '../report/summary-merge';
import { Analyzer } from './analyzer';
import { ReadOptions } from './read-file';
import { PieceReaders, leavesGroup, readInput } from './run';
import { Piece, Rank } from './reading-order';

/**
 * One work unit of a parallel run (analyze/parallel.ts): some of the run's files, read in their
 * sequential order by one Analyzer, into a partial summary. Everything in and out is plain data,
 * for a worker thread's messages; the main thread runs the PHP-FPM unit itself with the same code.
 */

/** ReadOptions as plain data (the clock is rebuilt from its zone). */
export interface ReadSettings {
  formats: FormatPlan[];
  forcedKind?: LogKind;
  zone: string | null;
  maxLine?: number;
  showSkipped?: number;
}

export function readSettingsOf(o: ReadOptions): ReadSettings {
  return { formats: o.formats, forcedKind: o.forcedKind, zone: o.clock.zone, maxLine: o.maxLine, showSkipped: o.showSkipped };
}

export function readOptionsOf(s: ReadSettings): ReadOptions {
  return { formats: s.formats, forcedKind: s.forcedKind, clock: new ZoneClock(s.zone), maxLine: s.maxLine, showSkipped: s.showSkipped };
}

export interface UnitTask {
  /** The files, each with its index in the sequential reading order, in that order. */
  files: { spec: InputSpec; rank: Rank; index: number; piece?: Piece }[];
  read: ReadSettings;
  since?: number;
  until?: number;
  /** PHP-FPM evidence (EvidenceStore.add calls of the PHP-FPM unit) to replay before reading. */
  evidence: [number, string][];
  /** Record this unit's EvidenceStore.add calls (the PHP-FPM unit: the others replay them). */
  recordEvidence: boolean;
  watches: WatchSpec[];
  perKey: number;
  /** No input of the whole run is an access log (Analyzer.noAccessLogs), decided as the sequential run does. */
  noAccessLogs: boolean;
}

/** An offender with its place in the sequential event order: file index, then event number. */
export interface PlacedOffender extends Offender {
  at: [number, number];
}

export interface UnitResult {
  partial: PartialSummary;
  /** Inputs that could not be opened, with their file index. */
  unreadable: { index: number; path: string; reason: string }[];
  evidence: [number, string][];
  offenders: Record<string, PlacedOffender[]>;
}

export async function runUnit(task: UnitTask, tick?: (bytes: number, lines: number) => void): Promise<UnitResult> {
  const opts = readOptionsOf(task.read);
  let current = -1;
  let seq = 0;
  const offenders: Record<string, PlacedOffender[]> = {};
  const watches = task.watches.map((w) => ({ key: w.key, matches: watchMatcher(w), found: (offenders[w.key] = []) as PlacedOffender[] }));
  const onEvent =
    watches.length === 0
      ? undefined
      : (ev: FailureEvent) => {
          seq++;
          for (const w of watches) {
            if (w.found.length < task.perKey && w.matches(ev)) w.found.push({ file: ev.file, line: ev.line, text: ev.message, at: [current, seq] });
          }
        };
  const analyzer = new Analyzer({ since: task.since, until: task.until, onEvent });
  if (task.noAccessLogs) analyzer.noAccessLogs();
  for (const [ts, sig] of task.evidence) analyzer.evidence.add(ts, sig);
  const evidence: [number, string][] = [];
  if (task.recordEvidence) {
    // Recorded from the outside (diagnose/evidence.ts is not changed for it): replaying the same
    // calls in the same order rebuilds the same store, drops included.
    const store = analyzer.evidence;
    const add = store.add.bind(store);
    store.add = (ts: number, sig: string) => {
      evidence.push([ts, sig]);
      add(ts, sig);
    };
  }
  const recorder = new PartialRecorder(analyzer.summary);
  const unreadable: UnitResult['unreadable'] = [];
  const pieces = new PieceReaders();
  let bytesBefore = 0;
  let linesBefore = 0;
  for (let i = 0; i < task.files.length; i++) {
    const { spec, index, piece } = task.files[i];
    current = index;
    seq = 0;
    const t = tick ? (bytes: number, lines: number) => tick(bytesBefore + bytes, linesBefore + lines) : undefined;
    const read = await readInput(spec, analyzer, opts, undefined, t, piece && pieces.of(spec, piece, analyzer, opts));
    if (read.unreadable) unreadable.push({ index, path: read.unreadable.path, reason: read.unreadable.reason });
    bytesBefore += read.bytes;
    linesBefore += read.lines;
    // where the sequential run settles (run.ts), so that the counts land in the same file
    if (leavesGroup(task.files[i], task.files[i + 1])) analyzer.settle();
    recorder.fileDone(index, read.newFile);
  }
  return { partial: recorder.toPartial(analyzer.index.evicted), unreadable, evidence, offenders };
}
