import { AccessEntry, AccessFailure } from '../model';
import { FieldType, FormatPlan } from './format/plan';
import { decimal, digits, parseClf, parseEpoch, parseIso } from './time';
import { parseNumberList, parseStatusList, splitUpstreamList } from './upstream-list';
import { unescapeLogValue } from './unescape';
import { ScanFn, compileScanner, hashSlots, layoutOf } from './scan-compiler';

/**
 * A line parser for one FormatPlan that works on the bytes in place: the field boundaries are
 * found by a scanner compiled for the format (scan-compiler.ts), and only the fields the analysis
 * asks for are decoded. Nothing here allocates for a line the analysis only counts.
 */

const SPACE = 32;
const COMMA = 44;

const enum TimeKind {
  None,
  Clf,
  Iso,
  EpochS,
  EpochMs,
  EpochUs,
}

const TIME_KINDS: [FieldType, TimeKind][] = [
  ['time-clf', TimeKind.Clf],
  ['time-iso', TimeKind.Iso],
  ['time-epoch-s', TimeKind.EpochS],
  ['time-epoch-ms', TimeKind.EpochMs],
  ['time-epoch-us', TimeKind.EpochUs],
];

/** Longest CLF time whose bytes the per-minute cache keeps (`16/Nov/2024:14:15:25 +0000` is 26). */
const CLF_CACHE_BYTES = 32;

/** minute() of a line without a time. Minute numbers are small integers; this is none of them. */
export const NO_MINUTE = -0x40000000;
const MINUTE_MS = 60_000;

export class AccessScanner {
  readonly plan: FormatPlan;
  readonly fieldCount: number;
  private readonly types: FieldType[];
  private readonly scanFn: ScanFn;
  private readonly offsets: Int32Array; // [start, end) per field slot, then the address hash and its flag
  private readonly hashAt: number;
  private readonly slotOf: Partial<Record<FieldType, number>> = {};
  private readonly statusSlot: number;
  private readonly addrSlot: number;
  private readonly ustatusSlot: number;
  private readonly timeSlot: number;
  private readonly timeKind: TimeKind;
  /** The bytes of the last decoded CLF time (20 to CLF_CACHE_BYTES long), and its length. */
  private readonly clfKey = Buffer.alloc(CLF_CACHE_BYTES);
  private clfLen = -1;
  /** Minute number (epoch ms / 60000) of the cached time. */
  private clfMinuteKey = NO_MINUTE;
  /** The cached 26-byte time as words (bytes 0-17 and 20-25: all but the seconds). */
  private readonly clfWords = new Uint32Array(7);
  /** A view of the last scanned line's buffer, for word reads (made once per buffer, not per line). */
  private view: DataView = new DataView(new ArrayBuffer(0)) as DataView;
  /** The last line's ms within its minute (set by minute()). */
  msInMinute = 0;
  private buf: Buffer = Buffer.alloc(0);
  /** Bytes after the last field that the format does not describe (tolerated; scored by detection). */
  trailing = 0;
  /** The format has $upstream_addr (so each line counts attempts per upstream). */
  readonly hasUpstream: boolean;
  /** After singleAttempt(): the one upstream address [attemptStart, attemptEnd) and its status (null for `-`). */
  attemptStart = 0;
  attemptEnd = 0;
  attemptStatus: number | null = null;
  /** hashBytes() of the attempt's address bytes. */
  attemptHash = 0;
  /** Where failure() finds its fields, looked up once: by name, each line's lookups were a tenth of it. */
  private readonly at: FailureSlots;

  constructor(plan: FormatPlan) {
    this.plan = plan;
    const layout = layoutOf(plan);
    this.types = layout.fields.map((f) => f.type);
    this.types.forEach((t, slot) => {
      if (this.slotOf[t] === undefined) this.slotOf[t] = slot;
    });
    this.fieldCount = this.types.length;
    this.hashAt = hashSlots(layout);
    this.offsets = new Int32Array(this.hashAt + 2);
    this.scanFn = compileScanner(layout);
    this.statusSlot = this.slotOf.status ?? -1;
    this.addrSlot = this.slotOf['upstream-addr'] ?? -1;
    this.ustatusSlot = this.slotOf['upstream-status'] ?? -1;
    this.hasUpstream = this.addrSlot !== -1;
    let kind = TimeKind.None;
    let slot = -1;
    for (const [t, k] of TIME_KINDS) {
      const at = this.slotOf[t];
      if (at !== undefined) {
        kind = k;
        slot = at;
        break;
      }
    }
    this.timeKind = kind;
    this.timeSlot = slot;
    const at = (t: FieldType) => this.slotOf[t] ?? -1;
    this.at = {
      request: at('request'), method: at('method'), path: at('path'), protocol: at('protocol'), query: at('query'),
      client: at('client'), clientPort: at('client-port'), host: at('host'), connection: at('connection'),
      requestTime: REQUEST_TIMES.filter(([t]) => at(t) >= 0).map(([t, scale]) => [at(t), scale]),
    };
  }

  has(type: FieldType): boolean {
    return this.slotOf[type] !== undefined;
  }

  /** Finds the field boundaries of one line. False when the line does not have this format's shape. */
  scan(buf: Buffer, start: number, end: number): boolean {
    const t = this.scanFn(buf, start, end, this.offsets);
    if (t < 0) return false;
    this.trailing = t;
    if (buf !== this.buf) {
      this.buf = buf;
      this.view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength) as DataView;
    }
    return true;
  }

  /** The HTTP status of the last scanned line (0 when absent or `-`); cheap, for every line. */
  status(): number {
    const slot = this.statusSlot;
    if (slot < 0) return 0;
    return threeDigits(this.buf, this.offsets[2 * slot], this.offsets[2 * slot + 1]);
  }

  /** Epoch ms of the last scanned line, NaN when the format has no time or it does not parse. */
  time(): number {
    const m = this.minute();
    return m === NO_MINUTE ? NaN : m * MINUTE_MS + this.msInMinute;
  }

  /**
   * The minute of the last scanned line (epoch ms / 60000, an integer) with msInMinute set, or
   * NO_MINUTE. The hot path works in these two small integers: an epoch in ms is a double, and V8
   * boxes every double that crosses a call, which made the garbage collector the second-largest
   * entry of the profile.
   */
  minute(): number {
    const b = this.buf;
    const slot = this.timeSlot;
    if (slot < 0) return NO_MINUTE;
    const s = this.offsets[2 * slot];
    const e = this.offsets[2 * slot + 1];
    let ts: number;
    switch (this.timeKind) {
      case TimeKind.Clf:
        // Apache's %t writes its own brackets; nginx's $time_local has them in the format's literals.
        return b[s] === 91 ? this.clfMinute(b, s + 1, e - 1) : this.clfMinute(b, s, e);
      case TimeKind.Iso:
        ts = parseIso(b, s, e);
        break;
      case TimeKind.EpochS:
        ts = parseEpoch(b, s, e, 1000);
        break;
      case TimeKind.EpochMs:
        ts = parseEpoch(b, s, e, 1);
        break;
      case TimeKind.EpochUs:
        ts = parseEpoch(b, s, e, 0.001);
        break;
      default:
        return NO_MINUTE;
    }
    if (Number.isNaN(ts)) return NO_MINUTE;
    const m = Math.floor(ts / MINUTE_MS);
    this.msInMinute = ts - m * MINUTE_MS;
    return m;
  }

  /**
   * parseClf with a cache: consecutive lines share their time but for the seconds, so when every
   * other byte (day, month, year, hour, minute, zone) equals the last decoded time's, only the
   * seconds are read. Same result as parseClf for every input.
   */
  private clfMinute(b: Buffer, s: number, e: number): number {
    const len = e - s;
    if (len === this.clfLen && this.sameButSeconds(b, s, len)) {
      const sec = digits(b, s + 18, 2);
      if (sec >= 0 && sec < 61) return this.atSecond(this.clfMinuteKey, sec);
    }
    const v = parseClf(b, s, e);
    if (Number.isNaN(v)) return NO_MINUTE;
    const sec = digits(b, s + 18, 2);
    const m = Math.round((v - sec * 1000) / MINUTE_MS);
    if (len >= 20 && len <= CLF_CACHE_BYTES) {
      const key = this.clfKey;
      for (let k = 0; k < len; k++) key[k] = b[s + k]; // Buffer#copy allocated ~100 bytes a call
      if (len === 26) {
        const v = this.view;
        const w = this.clfWords;
        w[0] = v.getUint32(s, true);
        w[1] = v.getUint32(s + 4, true);
        w[2] = v.getUint32(s + 8, true);
        w[3] = v.getUint32(s + 12, true);
        w[4] = v.getUint16(s + 16, true);
        w[5] = v.getUint32(s + 20, true);
        w[6] = v.getUint16(s + 24, true);
      }
      this.clfLen = len;
      this.clfMinuteKey = m;
    }
    return this.atSecond(m, sec);
  }

  /** Do the len bytes at s equal the cached time's in every byte but the seconds (18-19)? */
  private sameButSeconds(b: Buffer, s: number, len: number): boolean {
    if (len === 26) {
      // The usual `16/Nov/2024:14:15:25 +0000`: compared as seven words instead of 24 bytes.
      const v = this.view;
      const w = this.clfWords;
      return (
        v.getUint32(s, true) === w[0] && v.getUint32(s + 4, true) === w[1] && v.getUint32(s + 8, true) === w[2] &&
        v.getUint32(s + 12, true) === w[3] && v.getUint16(s + 16, true) === w[4] && v.getUint32(s + 20, true) === w[5] &&
        v.getUint16(s + 24, true) === w[6]
      );
    }
    const key = this.clfKey;
    for (let k = 17; k >= 0; k--) if (key[k] !== b[s + k]) return false;
    for (let k = 20; k < len; k++) if (key[k] !== b[s + k]) return false;
    return true;
  }

  /** Second `sec` of minute m; a leap second as written (:60) is second 0 of the next minute. */
  private atSecond(m: number, sec: number): number {
    if (sec === 60) {
      this.msInMinute = 0;
      return m + 1;
    }
    this.msInMinute = sec * 1000;
    return m;
  }

  /** True when any attempt in $upstream_status is >= 500 (a failure the client may never have seen). */
  upstreamFailed(): boolean {
    const slot = this.ustatusSlot;
    if (slot < 0) return false;
    const b = this.buf;
    const s = this.offsets[2 * slot];
    const e = this.offsets[2 * slot + 1];
    for (let i = s; i + 2 < e; i++) {
      if (b[i] === 53 && (i === s || b[i - 1] === SPACE)) return true; // a "5xx" item
    }
    return false;
  }

  /**
   * True when the line made exactly one upstream attempt written as plain bytes (no list, no
   * escapes): the common case, counted without decoding a string. Sets attemptStart/End/Hash/Status.
   * False sends the caller to the general path (upstreamLists()); `-` (no attempt) is false too.
   */
  singleAttempt(): boolean {
    const b = this.buf;
    const s = this.offsets[2 * this.addrSlot];
    const e = this.offsets[2 * this.addrSlot + 1];
    // The scanner checked and hashed the address as it found its end (scan-compiler.ts, listCode).
    if (e - s < 2 || this.offsets[this.hashAt + 1] === 0) return false;
    let st: number | null = null;
    const slot = this.ustatusSlot;
    if (slot >= 0) {
      const ss = this.offsets[2 * slot];
      const se = this.offsets[2 * slot + 1];
      for (let i = ss; i < se; i++) if (b[i] === SPACE || b[i] === COMMA) return false; // several items
      const v = threeDigits(b, ss, se);
      st = v === 0 ? null : v;
    }
    this.attemptStart = s;
    this.attemptEnd = e;
    this.attemptHash = this.offsets[this.hashAt];
    this.attemptStatus = st;
    return true;
  }

  /** The last scanned line's buffer, for the byte ranges singleAttempt() reports. */
  get bytes(): Buffer {
    return this.buf;
  }

  /** Every upstream attempt of the line: addresses and their statuses (null for `-`). */
  upstreamLists(): { addrs: string[]; statuses: (number | null)[] } {
    const addr = this.text('upstream-addr');
    const ustatus = this.text('upstream-status');
    return { addrs: addr ? splitUpstreamList(addr) : [], statuses: ustatus ? parseStatusList(ustatus) : [] };
  }

  /**
   * How many typed fields of the last scanned line hold a value of the wrong shape (a time that
   * does not parse, a status that is not three digits, a client that is not an address...).
   * Detection uses it to tell formats apart that both "fit" a line; the hot path never calls it.
   */
  invalidFields(): number {
    let bad = 0;
    const b = this.buf;
    for (let slot = 0; slot < this.fieldCount; slot++) {
      const s = this.offsets[2 * slot];
      const e = this.offsets[2 * slot + 1];
      const dash = e - s === 1 && b[s] === 45;
      switch (this.types[slot]) {
        case 'time-clf':
        case 'time-iso':
        case 'time-epoch-s':
        case 'time-epoch-ms':
        case 'time-epoch-us':
          if (Number.isNaN(this.time())) bad++;
          break;
        case 'status':
          if (!dash && !/^\d{3}$/.test(b.toString('latin1', s, e))) bad++;
          break;
        case 'bytes':
        case 'connection':
        case 'client-port':
          if (!dash && !/^\d{1,20}$/.test(b.toString('latin1', s, e))) bad++;
          break;
        case 'request-time-s':
        case 'request-time-ms':
        case 'request-time-us':
          if (!dash && !/^\d{1,12}(?:\.\d{1,9})?$/.test(b.toString('latin1', s, e))) bad++;
          break;
        case 'client':
        case 'host':
          if (!dash && !ADDRESS_LIST.test(b.toString('latin1', s, Math.min(e, s + 512)))) bad++;
          break;
        case 'upstream-status':
          // `502, 200 : -`: every item a status or `-` (a port or a duration here means another format)
          if (!STATUS_LIST.test(b.toString('latin1', s, Math.min(e, s + 512)))) bad++;
          break;
        default:
      }
    }
    return bad;
  }

  text(type: FieldType): string | null {
    return this.textAt(this.slotOf[type] ?? -1);
  }

  /** The decoded value in a field slot; null for no such field, or `-`. */
  private textAt(slot: number): string | null {
    if (slot < 0) return null;
    const s = this.offsets[2 * slot];
    const e = this.offsets[2 * slot + 1];
    if (e - s === 1 && this.buf[s] === 45) return null; // `-`
    return unescapeLogValue(this.buf, s, e);
  }

  private num(type: FieldType, scale: number): number | null {
    return this.numAt(this.slotOf[type] ?? -1, scale);
  }

  private numAt(slot: number, scale: number): number | null {
    if (slot < 0) return null;
    const s = this.offsets[2 * slot];
    const e = this.offsets[2 * slot + 1];
    if (e === s) return null;
    const v = decimal(this.buf, s, e);
    return Number.isFinite(v) ? v * scale : null;
  }

  /** Decodes the whole entry (parse-line.ts: tests, the peer corpus). */
  entry(): AccessEntry {
    const r = this.requestParts();
    const urt = this.text('upstream-response-time');
    const uct = this.text('upstream-connect-time');
    return {
      ...this.failureOf(r),
      method: r.method,
      protocol: r.protocol,
      bytes: this.num('bytes', 1),
      upstreamResponseTime: urt === null ? [] : parseNumberList(urt),
      upstreamConnectTime: uct === null ? [] : parseNumberList(uct),
      userAgent: this.text('user-agent'),
      referer: this.text('referer'),
    };
  }

  /**
   * The fields of a failed line that the analysis reads: entry() without the user agent, referer,
   * bytes and upstream times, whose decoding was a quarter of entry()'s cost on lines full of
   * failures (the bench's app-errors: 4-5% of the run).
   */
  failure(): AccessFailure {
    return this.failureOf(this.requestParts());
  }

  private failureOf(r: RequestParts): AccessFailure {
    const at = this.at;
    let rt: number | null = null;
    for (let i = 0; i < at.requestTime.length && rt === null; i++) rt = this.numAt(at.requestTime[i][0], at.requestTime[i][1]);
    const addr = this.textAt(this.addrSlot);
    const { method, path, protocol } = r;
    return {
      ts: this.time(),
      status: this.status(),
      path,
      request: r.request ?? (method && path ? `${method} ${path}${protocol ? ' ' + protocol : ''}` : null),
      client: firstOfList(this.textAt(at.client)),
      clientPort: this.numAt(at.clientPort, 1),
      host: this.textAt(at.host),
      requestTime: rt,
      upstreamAddr: addr === null ? [] : splitUpstreamList(addr),
      upstreamStatus: this.upstreamStatuses(),
      connection: this.numAt(at.connection, 1),
    };
  }

  /** parseStatusList() of the $upstream_status field; one status (the usual case) read from its bytes. */
  private upstreamStatuses(): (number | null)[] {
    const slot = this.ustatusSlot;
    if (slot >= 0) {
      const s = this.offsets[2 * slot];
      const v = this.offsets[2 * slot + 1] - s === 3 ? threeDigits(this.buf, s, s + 3) : 0;
      if (v !== 0) return [v];
    }
    const text = this.textAt(slot);
    return text === null ? [] : parseStatusList(text);
  }

  /** The request line and its parts, from `$request` or from fields of their own. */
  private requestParts(): RequestParts {
    const at = this.at;
    const request = this.textAt(at.request);
    let method = this.textAt(at.method);
    let path = this.textAt(at.path);
    let protocol = this.textAt(at.protocol);
    if (request !== null) {
      const a = request.indexOf(' ');
      const z = request.lastIndexOf(' ');
      if (a > 0) {
        method = method ?? request.slice(0, a);
        if (z > a && request.startsWith('HTTP/', z + 1)) {
          path = path ?? request.slice(a + 1, z);
          protocol = protocol ?? request.slice(z + 1);
        } else {
          path = path ?? request.slice(a + 1);
        }
      }
    }
    const query = this.textAt(at.query);
    if (path !== null && query !== null && !path.includes('?')) path = path + (query.startsWith('?') ? '' : '?') + query;
    return { request, method, path, protocol };
  }
}

/** The request time fields, in the order failure() prefers them, and their scale to seconds. */
const REQUEST_TIMES: [FieldType, number][] = [
  ['request-time-s', 1],
  ['request-time-ms', 0.001],
  ['request-time-us', 0.000001],
];

interface FailureSlots {
  request: number;
  method: number;
  path: number;
  protocol: number;
  query: number;
  client: number;
  clientPort: number;
  host: number;
  connection: number;
  /** [slot, scale] of each request time field the format has */
  requestTime: [number, number][];
}


interface RequestParts {
  request: string | null;
  method: string | null;
  path: string | null;
  protocol: string | null;
}

/** Host names, IPv4, IPv6 (bracketed or not), `unix:`, and X-Forwarded-For style lists of them. */
const ADDRESS_LIST = /^"?[A-Za-z0-9._:%\-\[\]]{1,255}(?:, [A-Za-z0-9._:%\-\[\]]{1,255}){0,32}"?$/;

const STATUS_LIST = /^(?:\d{3}|-)(?:(?:, | : )(?:\d{3}|-)){0,64}$/;

/** A client written as an X-Forwarded-For list: the first address is the original client. */
function firstOfList(v: string | null): string | null {
  if (v === null) return null;
  const t = v.startsWith('"') && v.endsWith('"') ? v.slice(1, -1) : v;
  const comma = t.indexOf(', ');
  return comma === -1 ? t : t.slice(0, comma);
}

/** Three decimal digits in [s, e), or 0 (absent, `-`, anything else). */
function threeDigits(b: Buffer, s: number, e: number): number {
  if (e - s !== 3) return 0;
  const a = b[s] - 48;
  const c = b[s + 1] - 48;
  const d = b[s + 2] - 48;
  if (a < 0 || a > 9 || c < 0 || c > 9 || d < 0 || d > 9) return 0;
  return a * 100 + c * 10 + d;
}
