import { ErrorEntry, LogKind, SkipReason } from '../model';
import { LineSplitter, DEFAULT_MAX_LINE } from '../input/lines';
import { InputError } from '../input/discover';
import { AccessScanner } from '../parse/access-scanner';
import { BulkScanner, BulkSink } from '../parse/bulk-scanner';
import { QuietScanner } from '../parse/quiet-scanner';
import { Detection, DetectOptions, accessKindOf, detect, detectWithPlan } from '../parse/detect';
import { FormatPlan } from '../parse/format/plan';
import { apacheHeadParses, apacheHeadTime, isApacheErrorHead, parseApacheError } from '../parse/apache-error';
import { isNginxErrorHead, nginxHeadParses, nginxHeadTime, parseNginxError } from '../parse/nginx-error';
import { isPhpFpmHead, parsePhpFpm, phpFpmHeadParses, phpFpmHeadTime } from '../parse/php-fpm-log';
import { ErrorLineFilter } from '../diagnose/prefilter';
import { ZoneClock } from '../parse/time';
import { allPresetPlans } from '../parse/format/presets';
import { FileStats, newFileStats } from '../report/summary';

/**
 * Reads one input end to end: detects its kind from the first lines, then parses every line
 * and hands entries to the sink. Every physical line ends up in exactly one counter of
 * `stats`: parsed, or skipped with a reason.
 */

/** Receives parsed entries; returns false for an entry it leaves out (outside --since/--until). */
export interface EntrySink {
  access(sc: AccessScanner, kind: LogKind, file: string, line: number): boolean;
  error(e: ErrorEntry, kind: LogKind, file: string, line: number): boolean;
  /** Which error lines cannot matter to the sink: those are counted, but neither decoded nor handed over. */
  errorLineFilter?(kind: LogKind): ErrorLineFilter | null;
  /**
   * Where ordinary access lines may be counted in bulk, without an access() call each (see
   * parse/bulk-scanner.ts); null when access() must see every line.
   */
  bulkSink?(): BulkSink<unknown> | null;
}

export interface ReadOptions extends DetectOptions {
  clock: ZoneClock;
  maxLine?: number;
  showSkipped?: number; // examples kept per reason
  /** Lines of a file read in JavaScript before its bulk or quiet-line scanner is made (BULK_AFTER_LINES). */
  bulkAfter?: number;
}

/**
 * Making a format's bulk module costs ~13-19 ms in a fresh process (generating its code: cold
 * JavaScript; a quiet-line module ~8 ms), which a file of a few thousand lines does not win back:
 * CI's `check` of captured fixtures reads files of hundreds. Past this many lines the rest of a
 * file is read in bulk.
 */
export const BULK_AFTER_LINES = 10_000;
/**
 * An input at least this long (a plain file's size, or a gzip file's compressed size) has its
 * module made right after detection: the first BULK_AFTER_LINES lines read in JavaScript warmed
 * up and TurboFan-compiled a per-line path the module then takes over. callgrind, the bench's
 * logs: 1 M `upstream` lines 3.80 → 3.67 G instructions, 200 k nginx error lines 2.79 → 2.48 G.
 */
export const BULK_NOW_BYTES = 8 * 1024 * 1024;

/** What a server configuration says about a file: its kind and format are then not guessed. */
export interface KnownFormat {
  kind?: LogKind;
  plan?: FormatPlan;
  vhosts?: string[];
}

const DETECT_LINES = 64;
const DETECT_BYTES = 256 * 1024;
/** nginx FastCGI stderr entries can run on; keep a bounded amount of their text. */
const MAX_ENTRY_TEXT = 64 * 1024;

type ErrorParser = (text: string, clock: ZoneClock, needsContext?: (e: ErrorEntry) => boolean) => ErrorEntry | null;
type HeadTest = (buf: Buffer, s: number, e: number) => boolean;
/** True only when the parser accepts every entry this line starts (the bytes decide). */
type HeadParses = (buf: Buffer, s: number, e: number, clock: ZoneClock) => boolean;
type HeadTime = (buf: Buffer, s: number, e: number, clock: ZoneClock) => number;

interface ErrorKind {
  kind: LogKind;
  head: HeadTest;
  parse: ErrorParser;
  parses: HeadParses;
  time: HeadTime;
  /**
   * Bytes at the start of a line that `parses` accepts that hold only its time stamp: no literal
   * the filter looks for can stand there (nginx `YYYY/MM/DD HH:MM:SS `, PHP-FPM `[` and 20 or more).
   */
  stampBytes: number;
}

const ERROR_KINDS: ErrorKind[] = [
  { kind: 'nginx-error', head: isNginxErrorHead, parse: parseNginxError, parses: nginxHeadParses, time: nginxHeadTime, stampBytes: 20 },
  { kind: 'php-fpm', head: isPhpFpmHead, parse: parsePhpFpm, parses: phpFpmHeadParses, time: phpFpmHeadTime, stampBytes: 21 },
  { kind: 'apache-error', head: isApacheErrorHead, parse: parseApacheError, parses: apacheHeadParses, time: apacheHeadTime, stampBytes: 1 },
];

/**
 * Epoch ms of an error-log line of `kind` that starts an entry, NaN for any other line or kind
 * (the reading order sorts files by their first time: analyze/reading-order.ts).
 */
export function errorLineTime(kind: LogKind, buf: Buffer, s: number, e: number, clock: ZoneClock): number {
  const k = ERROR_KINDS.find((x) => x.kind === kind);
  return k !== undefined && k.head(buf, s, e) && k.parses(buf, s, e, clock) ? k.time(buf, s, e, clock) : NaN;
}

function isBlank(buf: Buffer, s: number, e: number): boolean {
  for (let i = s; i < e; i++) {
    const c = buf[i];
    if (c !== 32 && c !== 9 && c !== 13) return false;
  }
  return true;
}

/** UTF-8 continuation bytes expected after a lead byte; -1 for a byte that cannot start a character. */
function utf8Tail(c: number): number {
  if (c < 0x80) return 0;
  if (c < 0xc2) return -1;
  if (c < 0xe0) return 1;
  if (c < 0xf0) return 2;
  if (c < 0xf5) return 3;
  return -1;
}

/**
 * NUL, more than 10% control bytes, or more than 30% bytes that are not UTF-8: random data and
 * compressed or executable files (a Latin-1 word or a cut multibyte character stays text).
 */
function isBinary(buf: Buffer, s: number, e: number): boolean {
  let ctl = 0;
  let bad = 0;
  for (let i = s; i < e; i++) {
    const c = buf[i];
    if (c === 0) return true;
    if (c < 32) {
      if (c !== 9) ctl++;
      continue;
    }
    const n = utf8Tail(c);
    let k = 0;
    if (n > 0) while (k < n && i + 1 + k < e && (buf[i + 1 + k] & 0xc0) === 0x80) k++;
    if (n < 0 || k < n) bad++;
    else i += n;
  }
  return ctl * 10 > e - s || bad * 10 > (e - s) * 3;
}

interface PendingEntry {
  kind: LogKind;
  parse: ErrorParser;
  /** null while the entry is its first line alone and that line is not decoded (`head` holds it) */
  text: string | null;
  /** the undecoded first line, head[headStart, headEnd): a chunk, valid only until push() returns */
  head: Buffer | null;
  headStart: number;
  headEnd: number;
  /** no line of the entry can matter to the sink: it is counted without being parsed */
  quiet: boolean;
  /** a quiet entry's time, decoded only when the sink keeps a time range (else NaN) */
  ts: number;
  line: number;
  lines: number;
}

export class FileReader {
  readonly stats: FileStats;
  private detection: Detection | null = null;
  /** The first lines, held until detection; null stands for a too-long line (already dropped). */
  private detectBuf: (Buffer | null)[] = [];
  private truncatedTail = false;
  private detectBytes = 0;
  private lineNo = 0;
  /** Physical lines seen so far (for progress; final counts are in `stats`). */
  get linesSoFar(): number {
    return this.lineNo;
  }
  private scanner: AccessScanner | null = null;
  /** The error kind of ERROR_KINDS the detection names (looked up once, not per line). */
  private errorKind: ErrorKind | null = null;
  private fallbackScanners: AccessScanner[] | null = null;
  private pending: PendingEntry | null = null;
  /** The one PendingEntry object, reused: an error log has one entry open at a time. */
  private readonly slot: PendingEntry = {
    kind: 'nginx-error', parse: parseNginxError, text: null, head: null, headStart: 0, headEnd: 0, quiet: false, ts: NaN, line: 0, lines: 0,
  };
  private readonly lineFilters = new Map<LogKind, ErrorLineFilter | null>();
  private readonly splitter: LineSplitter;
  private bulk: BulkScanner<unknown> | QuietScanner | null = null;
  /**
   * Lines to leave to the JavaScript path before the bulk scanner is tried again: after runs that
   * counted nothing (a stretch of failures, a time it cannot read) it is tried less and less often.
   */
  private bulkSkip = 0;
  private bulkMisses = 0;
  /** The line after which the bulk scanner is made (-1: not to be made, or made). */
  private bulkFrom = -1;
  /** Lines read in JavaScript before the bulk scanner, unless the options say (see expectBytes). */
  private bulkAfterLines = BULK_AFTER_LINES;

  /**
   * Two buffers to read the rest of the input into (each READ_CHUNK bytes), once its scanning
   * module is made: the module scans them where they lie (parse/wasm/window.ts); null before.
   */
  readBuffers(): [Buffer, Buffer] | null {
    return this.bulk === null ? null : this.bulk.readBuffers();
  }

  /** The input is `n` bytes long, as far as its opening tells (BULK_NOW_BYTES). Before the first push. */
  expectBytes(n: number): void {
    if (n >= BULK_NOW_BYTES) this.bulkAfterLines = 0;
  }

  constructor(
    readonly path: string,
    private readonly sink: EntrySink,
    private readonly opts: ReadOptions,
    private readonly known: KnownFormat = {},
  ) {
    this.stats = newFileStats(path);
    if (known.vhosts) this.stats.vhosts = known.vhosts;
    this.splitter = new LineSplitter(
      {
        line: (buf, s, e) => this.onLine(buf, s, e),
        tooLong: () => {
          if (this.detection === null) return void this.detectBuf.push(null);
          this.lineNo++;
          this.skip('too-long', null);
        },
      },
      opts.maxLine ?? DEFAULT_MAX_LINE,
    );
  }

  /** The input broke off (truncated gzip, file removed, I/O error): what was read stays counted. */
  fail(err: unknown): void {
    this.stats.error = describeStreamError(err);
    // The line cut off by the error is not a parser's to judge.
    this.truncatedTail = this.splitter.pending;
  }

  push(chunk: Buffer): void {
    this.bulk?.invalidate();
    this.splitter.push(chunk);
    // the bulk scanner's counts are the summary's before anything else reads it
    this.bulk?.flush();
    this.keepPendingText();
  }

  finish(): void {
    if (this.truncatedTail) {
      // Count the cut-off line as truncated rather than letting a parser judge half a line.
      this.splitter.discardPending();
      if (this.detection === null) this.runDetection();
      this.flushPending();
      this.lineNo++;
      this.skip('truncated', null);
    } else {
      this.splitter.end();
      if (this.detection === null) this.runDetection();
      this.flushPending();
    }
    this.stats.lines = this.lineNo;
    this.releaseBulk();
  }

  /**
   * The scanner's instance goes to the next reader: only after a read that ended cleanly (an
   * input that broke off may have left a read in flight into its buffers, input/open.ts).
   */
  private releaseBulk(): void {
    const bulk = this.bulk;
    if (bulk === null) return;
    bulk.flush();
    this.bulk = null;
    this.splitter.bulk = null;
    if (this.stats.error === null) bulk.release();
  }

  /**
   * Tail mode: nothing more to read for now. A quiet log must not hold its first lines back for
   * detection, nor its last error entry back waiting for a continuation line that may never come.
   */
  idle(): void {
    if (this.detection === null && this.detectBuf.length > 0) this.runDetection();
    this.flushPending();
    this.stats.lines = this.lineNo + this.detectBuf.length;
  }

  /** Tail mode: the next file of a rotation set is read with the format already detected. */
  adoptDetection(from: FileReader): void {
    if (this.detection !== null || from.detection === null) return;
    const d = from.detection;
    this.detection = d;
    this.stats.kind = from.stats.kind;
    this.stats.format = from.stats.format;
    this.stats.envelope = from.stats.envelope;
    if (d.plan) this.scanner = new AccessScanner(d.plan);
    this.startBulk();
  }

  /**
   * Access lines and quiet error lines of a file without an envelope are counted in bulk where the
   * sink allows it, once the file has shown it is long enough to pay for the module (bulkAfter).
   */
  private startBulk(): void {
    if ((this.scanner === null && this.stats.kind === null) || this.detection?.envelope !== null) return;
    this.bulkFrom = Math.max(this.lineNo, this.opts.bulkAfter ?? this.bulkAfterLines);
    if (this.lineNo >= this.bulkFrom) this.makeBulk();
  }

  /**
   * The bulk scanner: for access lines when the sink takes bulk counts (not under --since/--until)
   * and the format has one; for error lines when the kind has a module and the sink's filter keeps
   * no time range (a quiet entry is then counted without its time).
   */
  private makeBulk(): void {
    this.bulkFrom = -1;
    const maxLine = this.opts.maxLine ?? DEFAULT_MAX_LINE;
    if (this.scanner !== null) {
      const sink = this.sink.bulkSink?.();
      if (sink) this.bulk = BulkScanner.for(this.scanner.plan, sink, maxLine);
    } else if (this.stats.kind !== null) {
      // an error log (a file of known kind without an access format); QuietScanner knows which kinds it reads
      const kind = this.detection!.kind;
      const f = this.lineFilter(kind);
      if (f !== null && f.inRange === null && f.scanner) this.bulk = QuietScanner.for(kind, f.scanner.tables(), maxLine, f.known ?? null);
    }
    if (this.bulk !== null) this.splitter.bulk = (chunk, pos, len) => this.bulkRun(chunk, pos, len);
  }

  private bulkRun(chunk: Buffer, pos: number, len: number): number {
    if (this.bulkSkip > 0) {
      this.bulkSkip--;
      return pos;
    }
    const bulk = this.bulk!;
    const at = bulk.run(chunk, pos, len);
    const n = bulk.lines;
    if (n > 0) {
      // the first quiet line counted starts an entry: the error entry pending before it ends there
      this.flushPending();
      this.lineNo += n;
      this.stats.parsed += n;
    }
    // a run stopped at an upstream it learns from now on is no miss
    if (n > 0 || bulk.learning) this.bulkMisses = 0;
    else this.bulkSkip = (1 << Math.min(this.bulkMisses++, 6)) - 1;
    return at;
  }

  private onLine(buf: Buffer, s: number, e: number): void {
    if (this.detection === null) {
      // Hold the first lines (copied: the chunk is reused) until the file's kind is known.
      this.detectBuf.push(Buffer.from(buf.subarray(s, e)));
      this.detectBytes += e - s;
      if (this.detectBuf.length >= DETECT_LINES || this.detectBytes >= DETECT_BYTES) this.runDetection();
      return;
    }
    this.lineNo++;
    this.handle(buf, s, e);
    if (this.lineNo === this.bulkFrom) this.makeBulk();
  }

  private runDetection(): void {
    const held = this.detectBuf;
    this.detectBuf = [];
    const sample = held.filter((b): b is Buffer => b !== null && b.length > 0);
    const known = this.known;
    const forcedKind = this.opts.forcedKind ?? known.kind;
    const detected =
      known.plan && (!this.opts.forcedKind || this.opts.forcedKind === accessKindOf(known.plan))
        ? detectWithPlan(sample, known.plan)
        : detect(sample, { ...this.opts, forcedKind, pathHint: this.path });
    this.detection = detected ?? {
      kind: 'nginx-access',
      plan: null,
      envelope: null,
      matched: 0,
      sampled: 0,
    };
    const d = this.detection;
    // An error log named by the configuration is one even while it is empty or unrecognised.
    const errorKindGiven = !d.plan && d.matched === 0 && ERROR_KINDS.some((k) => k.kind === known.kind);
    if (errorKindGiven) d.kind = known.kind!;
    this.stats.kind = d.plan || d.matched > 0 || errorKindGiven ? d.kind : null;
    this.stats.format = d.plan ? d.plan.name : d.matched > 0 ? 'builtin' : null;
    this.stats.envelope = d.envelope ? d.envelope.name : null;
    if (d.plan) this.scanner = new AccessScanner(d.plan);
    for (const b of held) {
      this.lineNo++;
      if (b === null) this.skip('too-long', null);
      else this.handle(b, 0, b.length);
    }
    this.startBulk();
  }

  private handle(buf: Buffer, s: number, e: number): void {
    if (isBlank(buf, s, e)) return this.skip('blank', null);
    const d = this.detection!;
    if (d.envelope) s = d.envelope.strip(buf, s, e);
    if (this.scanner) {
      if (this.scanner.scan(buf, s, e)) {
        this.counted(this.sink.access(this.scanner, accessKindOf(this.scanner.plan), this.path, this.lineNo), 1);
        return;
      }
      return this.fallback(buf, s, e);
    }
    if (this.stats.kind === null) return this.fallback(buf, s, e);
    let ek = this.errorKind;
    if (ek === null || ek.kind !== d.kind) ek = this.errorKind = ERROR_KINDS.find((k) => k.kind === d.kind)!;
    if (ek.head(buf, s, e)) {
      this.flushPending();
      const f = this.lineFilter(ek.kind);
      const quiet = f !== null && !f.mayMatter(buf, s + ek.stampBytes, e) && ek.parses(buf, s, e, this.opts.clock);
      const p = (this.pending = this.slot);
      p.kind = ek.kind;
      p.parse = ek.parse;
      p.text = quiet ? null : buf.toString('utf8', s, e);
      p.head = quiet ? buf : null;
      p.headStart = s;
      p.headEnd = e;
      p.quiet = quiet;
      p.ts = quiet && f!.inRange ? ek.time(buf, s, e, this.opts.clock) : NaN;
      p.line = this.lineNo;
      p.lines = 1;
      return;
    }
    if (this.pending) {
      // A whole access line ends the entry: container logs interleave a server's access and error
      // lines, and before this every access line after an error entry was swallowed as its text.
      if (this.accessLine(buf, s, e)) return;
      // A continuation line (nginx writes FastCGI stderr with raw newlines).
      const p = this.pending;
      // The literal that makes an entry matter may stand on any of its lines.
      if (p.quiet && this.lineFilter(p.kind)!.mayMatter(buf, s, e)) p.quiet = false;
      this.keepPendingText();
      if (p.text!.length < MAX_ENTRY_TEXT) p.text += '\n' + buf.toString('utf8', s, Math.min(e, s + MAX_ENTRY_TEXT));
      p.lines++;
      return;
    }
    this.fallback(buf, s, e);
  }

  /** The sink's filter for error lines of `kind` (asked once per kind; the last one at hand: asked twice a line). */
  private lineFilter(kind: LogKind): ErrorLineFilter | null {
    if (kind === this.lastFilterKind) return this.lastFilter;
    let f = this.lineFilters.get(kind);
    if (f === undefined) {
      f = this.sink.errorLineFilter?.(kind) ?? null;
      this.lineFilters.set(kind, f);
    }
    this.lastFilterKind = kind;
    this.lastFilter = f;
    return f;
  }
  private lastFilterKind: LogKind | null = null;
  private lastFilter: ErrorLineFilter | null = null;

  /** A pending entry's first line is still a view into the chunk, which is reused: decode it now. */
  private keepPendingText(): void {
    const p = this.pending;
    if (p && p.text === null) {
      p.text = p.head!.toString('utf8', p.headStart, p.headEnd);
      p.head = null;
    }
  }

  /** A line the file's own parser refused: mixed files (access and error lines together) are common. */
  private fallback(buf: Buffer, s: number, e: number): void {
    for (const k of ERROR_KINDS) {
      if (k.head(buf, s, e)) {
        const f = this.lineFilter(k.kind);
        if (f !== null && !f.mayMatter(buf, s + k.stampBytes, e) && k.parses(buf, s, e, this.opts.clock)) {
          this.counted(f.inRange === null || f.inRange(k.time(buf, s, e, this.opts.clock)), 1);
          return;
        }
        const entry = k.parse(buf.toString('utf8', s, e), this.opts.clock);
        if (entry) {
          this.counted(this.sink.error(entry, k.kind, this.path, this.lineNo), 1);
          return;
        }
      }
    }
    if (this.accessLine(buf, s, e)) return;
    this.skip(isBinary(buf, s, e) ? 'binary' : 'unrecognised', buf.toString('utf8', s, Math.min(e, s + 512)));
  }

  /**
   * A line some access format (the user's, then the presets) reads whole, with a valid time:
   * counted as access (after the pending error entry it follows, if any). False for anything else.
   */
  private accessLine(buf: Buffer, s: number, e: number): boolean {
    if (!this.fallbackScanners) {
      this.fallbackScanners = [...this.opts.formats, ...allPresetPlans()].map((p) => new AccessScanner(p));
    }
    for (const sc of this.fallbackScanners) {
      if (sc.scan(buf, s, e) && sc.trailing === 0 && !Number.isNaN(sc.time())) {
        this.flushPending();
        this.counted(this.sink.access(sc, accessKindOf(sc.plan), this.path, this.lineNo), 1);
        return true;
      }
    }
    return false;
  }

  private flushPending(): void {
    const p = this.pending;
    if (!p) return;
    this.pending = null;
    p.head = null;
    if (p.quiet) {
      // The parser would accept it and the sink would keep it unchanged: count it as parsed.
      const inRange = this.lineFilter(p.kind)!.inRange;
      this.counted(inRange === null || inRange(p.ts), p.lines);
      return;
    }
    const text = p.text!; // only a quiet entry goes undecoded
    const entry = p.parse(text, this.opts.clock, this.lineFilter(p.kind)?.needsContext);
    if (entry) {
      this.counted(this.sink.error(entry, p.kind, this.path, p.line), p.lines);
    } else {
      this.stats.skipped += p.lines;
      // the entry's own line: the reader has moved on to the line that ended it
      this.countSkip('unrecognised', p.lines, text.slice(0, 512), p.line);
    }
  }

  private counted(kept: boolean, lines: number): void {
    if (kept) this.stats.parsed += lines;
    else {
      this.stats.skipped += lines;
      this.countSkip('out-of-range', lines, null);
    }
  }

  private skip(reason: SkipReason, sample: string | null): void {
    this.stats.skipped++;
    this.countSkip(reason, 1, sample);
  }

  private countSkip(reason: SkipReason, n: number, sample: string | null, line = this.lineNo): void {
    const st = this.stats;
    st.skippedByReason[reason] = (st.skippedByReason[reason] ?? 0) + n;
    const keep = this.opts.showSkipped ?? 0;
    if (keep > 0 && sample !== null) {
      const list = (st.skippedSamples[reason] ??= []);
      if (list.length < keep) list.push({ line, text: sample });
    }
  }
}

function describeStreamError(err: unknown): string {
  const e = err as NodeJS.ErrnoException;
  if (e && e.code === 'Z_BUF_ERROR') return 'gzip stream is truncated (unexpected end of file)';
  if (e && typeof e.code === 'string' && e.code.startsWith('Z_')) return `gzip stream is corrupt (${e.message})`;
  if (e instanceof InputError) return e.reason;
  return (e && e.message) || String(err);
}
