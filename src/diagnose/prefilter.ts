import { ErrorEntry, LogKind, Signature } from '../model';
import { SignatureMatcher, UPSTREAM_MARKERS } from './matcher';

/**
 * Most of an error log is noise no signature can match (404s, access rules, keep-alive chatter).
 * Every catalogue row requires its `literal` in the message, and isUpstreamRelated requires one of
 * UPSTREAM_MARKERS in the entry, so an entry whose lines hold none of these literals can neither
 * be tagged, counted as evidence, nor be `unclassified`: the reader counts it as parsed without
 * decoding it. The test runs on the raw bytes, before any string or regex.
 */

/** What a sink tells the reader about the error lines it can pass over. */
export interface ErrorLineFilter {
  /** False only when no entry holding these bytes in one of its lines can matter to the sink. */
  mayMatter(buf: Buffer, start: number, end: number): boolean;
  /** Set when the sink leaves out entries outside a time range: the reader then decodes their time. */
  inRange: ((ts: number) => boolean) | null;
  /**
   * Asked by a parser that can leave an entry's context undecoded (nginx: client, request,
   * upstream …), with the entry before its context: false when the sink needs no more of it.
   */
  needsContext?: (e: ErrorEntry) => boolean;
  /** The search mayMatter() makes, for a module that makes the same one (parse/quiet-scanner.ts). */
  scanner?: LiteralScanner;
  /** Entries the sink counts from their first bytes, for a module that can tell them (parse/quiet-scanner.ts). */
  known?: KnownLines;
}

/**
 * The prefix rows of a kind (SignatureMatcher.prefixRows) as bytes and search tables, with the
 * sink's count for an entry of one of them: what error() would do with it, decoded.
 */
export interface KnownLines {
  /** by row: the bytes a message starts with */
  prefixes: Buffer[];
  /** the search for the competitors' literals (null: there is none to search) */
  competitors: LiteralTables | null;
  /** by competitor literal (the Buffers of `competitors.ending`): the bits of the rows it stands before (bit k + 1: row k) */
  rowsOf: ReadonlyMap<Buffer, number>;
  /** n entries of row k were read */
  count(k: number, n: number): void;
}

/**
 * KnownLines for the prefix rows of `kind`, counted by `count`; null when the kind has none or a
 * competitor's literal is too short for the search's byte pairs.
 */
export function knownLines(matcher: SignatureMatcher, kind: LogKind, count: (sig: Signature, n: number) => void): KnownLines | null {
  const pr = matcher.prefixRows(kind);
  if (pr === null) return null;
  const rowsOf = new Map<Buffer, number>();
  for (const c of pr.competitors) rowsOf.set(Buffer.from(c.literal, 'utf8'), c.rows);
  const pats = [...rowsOf.keys()];
  if (pats.some((p) => p.length < 2)) return null;
  const t = searchTables(pats);
  const sigs = pr.rows.map((r) => r.sig);
  return {
    prefixes: pr.rows.map((r) => Buffer.from(r.prefix, 'latin1')),
    competitors: pats.length === 0 ? null : t,
    rowsOf,
    count: (k, n) => count(sigs[k], n),
  };
}

/**
 * Finds whether any of a set of literals occurs in a byte range, in one pass whose work per byte
 * does not grow with the number of literals (Wu-Manber): a window as long as the shortest literal
 * slides over the bytes; the byte pair at its end says, from one 64 Ki table, how far the window
 * can jump without skipping over the start of any literal. Only where it cannot jump are the
 * literals ending in that pair compared. On log text most windows jump by the whole window.
 */
export class LiteralScanner {
  /** The literals searched for (one that contains another is found through that one). */
  readonly literals: readonly string[];
  private readonly always: boolean;
  /** length of the window: the shortest literal, in bytes */
  private readonly m: number;
  /** byte pair ending the window → how far it may move */
  private readonly shift: Uint8Array;
  /** byte pair ending the window, where the shift is 0 → the literals whose first m bytes end so */
  private readonly ending: Map<number, Buffer[]>;

  constructor(literals: readonly string[]) {
    const kept = withoutImplied([...new Set(literals)]);
    this.literals = kept;
    const pats = kept.map((l) => Buffer.from(l, 'utf8'));
    this.always = pats.some((p) => p.length === 0);
    const t = searchTables(pats.filter((p) => p.length > 0));
    this.m = t.m;
    this.shift = t.shift;
    this.ending = t.ending;
  }

  /**
   * The search's tables, for a module that searches as test() does (parse/quiet-scanner.ts);
   * null when test() needs none (an empty literal) or its window is one byte (the pair ending it
   * then reaches before the range).
   */
  tables(): LiteralTables | null {
    return this.always || this.m < 2 ? null : { m: this.m, shift: this.shift, ending: this.ending };
  }

  /** Does any literal occur in buf[start, end)? */
  test(buf: Uint8Array, start: number, end: number): boolean {
    if (this.always) return true;
    const first = start + this.m - 1;
    if (end - first < TWO_LANES) return this.walk(buf, first, end, end);
    // Two windows walk the two halves at once. Each jump waits on the table load the jump before
    // it made, so one window is bound by that latency; two independent ones overlap it. A window
    // may start anywhere (no jump skips the end of an occurrence), and a hit is checked against
    // the whole range, so the halves need no overlap.
    const shift = this.shift;
    const mid = first + ((end - first) >> 1);
    let i = first;
    let j = mid;
    while (i < mid && j < end) {
      const si = shift[(buf[i - 1] << 8) | buf[i]];
      const sj = shift[(buf[j - 1] << 8) | buf[j]];
      if (si !== 0) i += si;
      else if (this.hitEndingAt(buf, i++, end)) return true;
      if (sj !== 0) j += sj;
      else if (this.hitEndingAt(buf, j++, end)) return true;
    }
    return this.walk(buf, i, mid, end) || this.walk(buf, j, end, end);
  }

  /** One window from `i` while its end is before `stop`. */
  private walk(buf: Uint8Array, i: number, stop: number, end: number): boolean {
    const shift = this.shift;
    while (i < stop) {
      // with m = 1 the pair's first byte may lie before the range: the table ignores it then
      const sh = shift[(buf[i - 1] << 8) | buf[i]];
      if (sh !== 0) i += sh;
      else if (this.hitEndingAt(buf, i++, end)) return true;
    }
    return false;
  }

  /** Does a literal whose first m bytes end at `i` stand there (within the range's `end`)? */
  private hitEndingAt(buf: Uint8Array, i: number, end: number): boolean {
    const at = i - this.m + 1;
    for (const p of this.ending.get((buf[i - 1] << 8) | buf[i])!) if (at + p.length <= end && bytesAt(buf, at, p)) return true;
    return false;
  }
}

/**
 * The Wu-Manber tables of a set of non-empty literals: the window is as long as the shortest; a
 * byte pair that no literal holds lets it jump by all of it but one byte.
 */
export function searchTables(pats: readonly Buffer[]): { m: number; shift: Uint8Array; ending: Map<number, Buffer[]> } {
  const m = pats.length === 0 ? 1 : Math.min(...pats.map((p) => p.length));
  const shift = new Uint8Array(65536);
  const ending = new Map<number, Buffer[]>();
  // No literal at all: no window ever stops (the jump is over the whole range).
  shift.fill(pats.length === 0 ? 255 : Math.min(Math.max(1, m - 1), 255));
  for (const p of pats) {
    for (let j = 1; j < m; j++) {
      const pair = (p[j - 1] << 8) | p[j];
      shift[pair] = Math.min(shift[pair], m - 1 - j);
    }
    // The window's last pair: with one-byte literals the byte before the window is any byte.
    const ends = m >= 2 ? [(p[m - 2] << 8) | p[m - 1]] : Array.from({ length: 256 }, (_, x) => (x << 8) | p[0]);
    for (const pair of ends) {
      shift[pair] = 0;
      const list = ending.get(pair);
      if (list) list.push(p);
      else ending.set(pair, [p]);
    }
  }
  return { m, shift, ending };
}

export interface LiteralTables {
  /** the window's length */
  m: number;
  /** byte pair ending the window (b[i - 1] << 8 | b[i]) → how far it may move */
  shift: Uint8Array;
  /** byte pair ending the window, where the shift is 0 → the literals whose first m bytes end so */
  ending: ReadonlyMap<number, readonly Buffer[]>;
}

/** Ranges shorter than this (from the first window's end) are walked by one window. */
const TWO_LANES = 48;

function bytesAt(buf: Uint8Array, at: number, p: Buffer): boolean {
  for (let k = 0; k < p.length; k++) if (buf[at + k] !== p[k]) return false;
  return true;
}

/** Literals that contain another literal of the set are found through that one. */
function withoutImplied(literals: string[]): string[] {
  return literals.filter((l, i) => !literals.some((o, j) => j !== i && o.length < l.length && l.includes(o)));
}

/**
 * The literals an entry of `kind` needs to matter: those of every row the matcher can try for it,
 * and those isUpstreamRelated looks for. Null when a literal cannot be searched in the bytes
 * (U+FFFD or a lone surrogate would also match undecodable bytes): then every line matters.
 */
export function relevantLiterals(matcher: SignatureMatcher, kind: LogKind): string[] | null {
  const lits = [...matcher.literalsFor(kind), ...(UPSTREAM_MARKERS[kind] ?? [])];
  return lits.some((l) => /[\uFFFD\uD800-\uDFFF]/.test(l)) ? null : lits;
}

/** The filter for one kind of error log, or null when every line must go through the parser. */
export function errorLineFilter(matcher: SignatureMatcher, kind: LogKind, inRange: ((ts: number) => boolean) | null): ErrorLineFilter | null {
  const lits = relevantLiterals(matcher, kind);
  if (lits === null) return null;
  const scanner = new LiteralScanner(lits);
  return { mayMatter: (buf, s, e) => scanner.test(buf, s, e), inRange, scanner };
}
