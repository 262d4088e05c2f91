import * as fs from 'fs';
import * as path from 'path';
import { LogKind } from '../model';
import { InputSpec } from '../input/discover';
import { ByteRange, openInput, readAt, sniffCompression } from '../input/open';
import { ZoneClock } from '../parse/time';
import { AccessScanner } from '../parse/access-scanner';
import { detect } from '../parse/detect';
import { FormatPlan } from '../parse/format/plan';
import { ReadOptions, errorLineTime } from './read-file';

/**
 * The order a batch run reads its inputs in. An access-log failure is explained by the error
 * entries the correlation index holds when its line is read, and the index is bounded (16 MiB,
 * ~30,000-60,000 nginx failures). Every error log used to be read before every access log, so
 * the index had to hold all of a month's failures at once: past the bound the oldest went, and
 * with them the explanation of the month's earlier failures (the bench's `rotated` workload, ten
 * daily sets of 20,000 failed requests: 12.5% explained). Files are now read directory by
 * directory, and within one in time order, each error log before the access logs that end after
 * it begins: with logrotate's daily sets the index holds a day or two of one site's failures
 * (100% explained). An error log that goes on past those access logs is read in pieces, cut where
 * each of them ends (cutByTime).
 *
 * PHP-FPM logs still come first, whatever their times: their evidence (pm.max_children reached)
 * refines the cause of proxy errors when those are read, and it is kept by time, not by file.
 */

/** 0 PHP-FPM, 1 proxy error logs, 2 access logs and anything not known. */
export type Rank = 0 | 1 | 2;

export interface Ranked {
  spec: InputSpec;
  rank: Rank;
  /** One piece of an error log cut by time (see cutByTime), read at its own place in the order. */
  piece?: Piece;
}

export interface Piece extends ByteRange {
  /** The file's first piece, and its last: one reader reads all of them, made and finished there. */
  first: boolean;
  last: boolean;
}

const PEEK_BYTES = 256 * 1024;
const PEEK_LINES = 64;

interface Peek {
  kind: LogKind | null;
  /** Epoch ms of the first line with a time, NaN when none of the first lines has one. */
  first: number;
}

/** The kind and first time of a file from its first bytes (decompressed), without consuming the real read. */
async function peekInput(p: string, opts: ReadOptions, known?: { kind?: LogKind; plan?: FormatPlan }): Promise<Peek> {
  const none: Peek = { kind: known?.kind ?? null, first: NaN };
  if (p === '-') return none;
  // A FIFO or device is not opened here: opening blocks until a writer comes, and a peek would
  // consume what the real read needs. It is read in its place in the order.
  if (!fs.statSync(p).isFile()) return none;
  const lines = await firstLines(p);
  let kind = known?.kind ?? null;
  let plan = known?.plan ?? null;
  if (kind === null) {
    const d = detect(lines, { ...opts, pathHint: p });
    if (d === null) return none;
    kind = d.kind;
    plan = d.plan;
  }
  return { kind, first: firstTime(kind, plan, lines, opts) };
}

async function firstLines(p: string): Promise<Buffer[]> {
  const opened = openInput(p, undefined, { gunzipWorkerFrom: Infinity });
  const chunks: Buffer[] = [];
  let n = 0;
  try {
    for await (const c of opened.chunks) {
      chunks.push(Buffer.from(c)); // the chunk's memory is reused
      n += c.length;
      if (n >= PEEK_BYTES) break;
    }
  } catch {
    // a broken file is reported by the real read
  } finally {
    opened.close();
  }
  const text = Buffer.concat(chunks);
  const lines: Buffer[] = [];
  let pos = 0;
  while (pos < text.length && lines.length < PEEK_LINES) {
    let nl = text.indexOf(10, pos);
    if (nl === -1) nl = text.length;
    if (nl > pos) lines.push(text.subarray(pos, nl));
    pos = nl + 1;
  }
  return lines;
}

function firstTime(kind: LogKind, plan: FormatPlan | null, lines: Buffer[], opts: ReadOptions): number {
  const sc = plan !== null && (kind === 'nginx-access' || kind === 'apache-access') ? new AccessScanner(plan) : null;
  for (const l of lines) {
    const t = sc !== null ? (sc.scan(l, 0, l.length) ? sc.time() : NaN) : errorLineTime(kind, l, 0, l.length, opts.clock);
    if (!Number.isNaN(t)) return t;
  }
  return NaN;
}

const RANK_OF: Partial<Record<LogKind, Rank>> = { 'php-fpm': 0, 'nginx-error': 1, 'apache-error': 1 };

/** The inputs in reading order (see the top of this file), each with its rank. */
export async function readingOrder(inputs: InputSpec[], opts: ReadOptions): Promise<Ranked[]> {
  const peeks: Peek[] = [];
  for (const spec of inputs) {
    try {
      peeks.push(await peekInput(spec.path, opts, spec));
    } catch {
      peeks.push({ kind: spec.kind ?? null, first: NaN }); // unreadable: reported when it is read
    }
  }
  const ranks = peeks.map((p) => (p.kind !== null ? RANK_OF[p.kind] ?? 2 : 2));
  const { keys, ends } = sortKeys(inputs, ranks, peeks);
  const dirs = directoryOrder(inputs);
  const items: { i: number; key: number; piece?: Piece }[] = [];
  inputs.forEach((spec, i) => {
    const bounds =
      ranks[i] === 1 && Number.isFinite(peeks[i].first)
        ? inputs.flatMap((_, j) => (ranks[j] === 2 && dirs[j] === dirs[i] && keys[j] > peeks[i].first && keys[j] < ends[i] ? [keys[j]] : []))
        : [];
    const pieces = bounds.length > 0 ? cutByTime(spec.path, peeks[i].kind!, bounds, opts.clock) : [];
    if (pieces.length <= 1) items.push({ i, key: keys[i] });
    else pieces.forEach((p, n) => items.push({ i, key: n === 0 ? keys[i] : p.key, piece: p.piece }));
  });
  items.sort((x, y) => {
    const a = x.i;
    const b = y.i;
    return (
      Number(ranks[b] === 0) - Number(ranks[a] === 0) ||
      dirs[a] - dirs[b] ||
      // keys hold infinities: compared, not subtracted (Infinity - Infinity is NaN)
      (x.key < y.key ? -1 : x.key > y.key ? 1 : ranks[b] - ranks[a] || a - b || (x.piece?.start ?? 0) - (y.piece?.start ?? 0))
    );
  });
  return items.map((it) => ({ spec: inputs[it.i], rank: ranks[it.i], ...(it.piece ? { piece: it.piece } : {}) }));
}

/** Bytes read at each probe of the binary search: more than a few entries of any error log. */
const PROBE_BYTES = 64 * 1024;

/**
 * An error log that goes on past the access logs of its directory that end after it begins (one
 * never rotated, beside rotated access logs), cut at their ends: each piece is then read just
 * before the access log it explains, where read whole it filled the correlation index with a
 * month of failures before the first access line (the bench's `unrotated`: 16.4% of the 502s
 * explained). A cut is at the first entry head whose time is at or past the boundary, found by a
 * binary search over the file's bytes, so no entry is split. Plain files only (a gzip member has
 * no random access): returns the pieces with the boundary each begins at, or [] for no cut.
 */
function cutByTime(p: string, kind: LogKind, bounds: number[], clock: ZoneClock): { key: number; piece: Piece }[] {
  let fd: number;
  try {
    fd = fs.openSync(p, 'r');
  } catch {
    return [];
  }
  try {
    const st = fs.fstatSync(fd);
    if (!st.isFile() || st.size === 0 || sniffCompression(readAt(fd, 0, 6)) !== null) return [];
    const cuts: { key: number; at: number }[] = [];
    let from = 0;
    for (const b of [...new Set(bounds)].sort((x, y) => x - y)) {
      const at = firstHeadAtOrAfter(fd, st.size, from, b, kind, clock);
      if (at > from && at < st.size) cuts.push({ key: b, at });
      if (at > from) from = at;
    }
    if (cuts.length === 0) return [];
    const starts = [0, ...cuts.map((c) => c.at)];
    return starts.map((start, n) => ({
      key: n === 0 ? -Infinity : cuts[n - 1].key,
      piece: { start, end: n + 1 < starts.length ? starts[n + 1] : Infinity, first: n === 0, last: n + 1 === starts.length },
    }));
  } catch {
    return []; // read whole: a broken file is reported by the real read
  } finally {
    fs.closeSync(fd);
  }
}

/**
 * The first entry head at or after byte `from` (a line start) whose time is `t` or later, or the
 * file's size. Bisects on the heads' times (nginx and Apache write them in order), then reads on
 * from the last head known to be earlier, `probe` bytes a read.
 */
export function firstHeadAtOrAfter(fd: number, size: number, from: number, t: number, kind: LogKind, clock: ZoneClock, probe = PROBE_BYTES): number {
  let lo = from;
  let hi = size;
  while (hi - lo > probe) {
    const mid = lo + Math.floor((hi - lo) / 2);
    // the first head of any time that begins within a probe after mid
    const h = headFrom(fd, mid, Math.min(hi, mid + probe), true, -Infinity, kind, clock, probe);
    if (h === null || h.time >= t) hi = mid;
    else lo = h.at;
  }
  return headFrom(fd, lo, size, false, t, kind, clock, probe)?.at ?? size;
}

/**
 * The first entry head whose time is `t` or later among the lines that begin in [pos, end), or
 * null; with `midLine`, pos is inside a line, which is not one of them. Reads `probe` bytes at a
 * time; a line longer than a probe is judged by its first bytes, the rest skipped.
 */
function headFrom(
  fd: number, pos: number, end: number, midLine: boolean, t: number, kind: LogKind, clock: ZoneClock, probe: number,
): { at: number; time: number } | null {
  let inLine = midLine;
  while (pos < end) {
    const buf = readAt(fd, pos, probe);
    if (buf.length === 0) break;
    let s = 0;
    if (inLine) {
      const nl = buf.indexOf(10);
      if (nl === -1) {
        pos += buf.length;
        continue;
      }
      s = nl + 1;
      inLine = false;
    }
    for (;;) {
      if (pos + s >= end) return null;
      const nl = buf.indexOf(10, s);
      if (nl === -1 && s > 0) break; // a line cut by the probe's end: read again from its start
      const time = errorLineTime(kind, buf, s, nl === -1 ? buf.length : nl, clock);
      if (!Number.isNaN(time) && time >= t) return { at: pos + s, time };
      if (nl === -1) {
        inLine = true; // a line longer than a probe, begun at pos
        s = buf.length;
        break;
      }
      s = nl + 1;
    }
    pos += s;
  }
  return null;
}

/**
 * Each input's directory, numbered in the order the directories first appear. A join only meets
 * an error entry and an access line of one directory (analyzer.ts fileGroup()), so one
 * directory's files are read before the next's: the index then holds a day of one site's
 * failures, not a day of every site's.
 */
function directoryOrder(inputs: InputSpec[]): number[] {
  const seen = new Map<string, number>();
  return inputs.map((s) => {
    const dir = s.path === '-' ? '-' : path.dirname(s.path);
    let n = seen.get(dir);
    if (n === undefined) seen.set(dir, (n = seen.size));
    return n;
  });
}

/**
 * The time each input is read at. An error log: when it begins. Any other file: when it ends,
 * which for a rotated member is when the next newer member of its set begins, and for the
 * newest (or a file of no known time) after everything else. An error log of no known time is
 * read first. Within a rotation set keys never decrease, so a set is still read oldest first.
 * On equal keys the access log goes first: logrotate rotates a server's logs together, so the
 * access log that ends at rotation R is explained by the error log before R, not by the one
 * that begins at R (read after it, the index would hold both days).
 */
function sortKeys(inputs: InputSpec[], ranks: Rank[], peeks: Peek[]): { keys: number[]; ends: number[] } {
  const keys = inputs.map(() => 0);
  /** When each file ends: the first time of the next newer member of its set (Infinity: none known). */
  const ends = inputs.map(() => Infinity);
  const sets = new Map<string, number[]>();
  inputs.forEach((s, i) => (sets.get(s.rotationBase) ?? sets.set(s.rotationBase, []).get(s.rotationBase)!).push(i));
  for (const members of sets.values()) {
    // members are oldest first (discover.ts); the end of one is the first time of a newer one
    let newerStart = Infinity;
    for (let j = members.length - 1; j >= 0; j--) {
      const i = members[j];
      const first = peeks[i].first;
      ends[i] = newerStart;
      if (ranks[i] === 0) keys[i] = -Infinity;
      else if (ranks[i] === 1) keys[i] = Number.isNaN(first) ? -Infinity : first;
      else keys[i] = newerStart;
      if (!Number.isNaN(first)) newerStart = Math.min(newerStart, first);
    }
    for (let j = 1; j < members.length; j++) keys[members[j]] = Math.max(keys[members[j]], keys[members[j - 1]]);
  }
  return { keys, ends };
}

/** False when every input is known, from its first lines, to be an error or PHP-FPM log. */
export function mayHoldAccessLogs(ranked: { rank: number }[]): boolean {
  return ranked.some((r) => r.rank >= 2);
}
