import { AccessEntry } from '../model';
import { FieldType, FormatPlan, PlanField } from './format/plan';
import { parseClf, parseEpoch, parseIso } from './time';
import { parseNumberList, parseStatusList, splitUpstreamList } from './upstream-list';
import { unescapeLogValue } from './unescape';

/**
 * Turns a FormatPlan into a line parser that works on the bytes in place: field boundaries are
 * found with indexOf and byte tests, and only the fields the analysis asks for are decoded.
 *
 * How each field's end is found, from its type and the literal that follows it:
 * - token fields (numbers, ids, user names) end at the next space, or at the literal's first byte;
 * - upstream lists consume `item, item : item` and stop at the first other separator;
 * - everything else ends at the next occurrence of the whole following literal; a `"` preceded
 *   by an odd number of backslashes is an escape (Apache writes `\"`), not the end.
 * No regex is involved, so no input can make a line cost more than a few passes over its bytes.
 */

const enum Strategy {
  Token,
  List,
  Literal,
  Rest,
  /** Apache's %t writes `[...]` itself: the value ends at the closing bracket, spaces inside. */
  Bracketed,
}

interface CompiledField {
  type: FieldType;
  strategy: Strategy;
  /** The literal after the field (empty for the last field). */
  next: Buffer;
  prev: Buffer;
  slot: number;
}

const SPACE = 32;
const QUOTE = 34;
const BACKSLASH = 92;
const COMMA = 44;
const COLON = 58;

const TOKEN_TYPES = new Set<FieldType>([
  'status', 'bytes', 'request-time-s', 'request-time-ms', 'request-time-us', 'connection', 'token',
  'client-port', 'time-epoch-s', 'time-epoch-ms', 'time-epoch-us', 'method', 'protocol',
]);
const LIST_TYPES = new Set<FieldType>([
  'upstream-addr', 'upstream-status', 'upstream-response-time', 'upstream-connect-time', 'upstream-list',
]);

/** Which decoded fields an AccessEntry gets. */
export class AccessScanner {
  readonly plan: FormatPlan;
  readonly fieldCount: number;
  private readonly literals: Buffer[]; // literal before field i (index i), and the tail at index n
  private readonly fields: CompiledField[];
  private readonly offsets: Int32Array; // [start, end) per field slot
  private readonly slotOf: Partial<Record<FieldType, number>> = {};
  private buf: Buffer = Buffer.alloc(0);
  /** Bytes after the last field that the format does not describe (tolerated; scored by detection). */
  trailing = 0;

  constructor(plan: FormatPlan) {
    this.plan = plan;
    const toks = plan.tokens;
    this.literals = [];
    this.fields = [];
    let pendingLiteral = '';
    for (let i = 0; i < toks.length; i++) {
      const t = toks[i];
      if (t.kind === 'literal') {
        pendingLiteral = t.text;
        continue;
      }
      this.literals.push(Buffer.from(pendingLiteral, 'latin1'));
      pendingLiteral = '';
      const nextTok = toks[i + 1];
      const next = nextTok && nextTok.kind === 'literal' ? Buffer.from(nextTok.text, 'latin1') : Buffer.alloc(0);
      const slot = this.fields.length;
      this.fields.push({
        type: t.type,
        strategy: strategyFor(t, next, this.literals[this.literals.length - 1]),
        next,
        prev: this.literals[this.literals.length - 1],
        slot,
      });
      if (this.slotOf[t.type] === undefined) this.slotOf[t.type] = slot;
    }
    this.literals.push(Buffer.from(pendingLiteral, 'latin1'));
    this.fieldCount = this.fields.length;
    this.offsets = new Int32Array(this.fieldCount * 2);
  }

  has(type: FieldType): boolean {
    return this.slotOf[type] !== undefined;
  }

  /** Finds the field boundaries of one line. False when the line does not have this format's shape. */
  scan(buf: Buffer, start: number, end: number): boolean {
    const fields = this.fields;
    const lits = this.literals;
    const off = this.offsets;
    let pos = start;
    for (let i = 0; i < fields.length; i++) {
      const lit = lits[i];
      const ll = lit.length;
      // The literal before this field (the next field's "prev") was consumed by the previous field's
      // end search when it is non-empty; only the first literal is checked here.
      if (i === 0 && ll > 0) {
        if (end - pos < ll || !matchAt(buf, pos, lit)) return false;
        pos += ll;
      }
      const f = fields[i];
      const next = f.next;
      const fs = pos;
      let fe: number;
      switch (f.strategy) {
        case Strategy.Token: {
          const stop = next.length > 0 ? next[0] : SPACE;
          fe = buf.indexOf(stop, pos);
          if (fe === -1 || fe > end) fe = end;
          break;
        }
        case Strategy.Bracketed:
          if (buf[pos] !== 91) return false;
          fe = buf.indexOf(93, pos);
          if (fe === -1 || fe >= end) return false;
          fe++;
          break;
        case Strategy.List:
          fe = scanList(buf, pos, end, next.length > 0 ? next[0] : SPACE);
          break;
        case Strategy.Literal:
          fe = findLiteral(buf, pos, end, next);
          if (fe === -1) return false;
          break;
        default:
          fe = end;
      }
      off[2 * i] = fs;
      off[2 * i + 1] = fe;
      pos = fe;
      if (next.length > 0) {
        if (end - pos < next.length || !matchAt(buf, pos, next)) {
          if (pos !== end) return false;
          // The line ends here. Tolerated when only the last field's closing literal is missing, or
          // the whole last field (ingress-nginx writes $req_id only when it is set).
          if (i === fields.length - 2) {
            off[2 * (i + 1)] = end;
            off[2 * (i + 1) + 1] = end;
          } else if (i !== fields.length - 1) return false;
          break;
        }
        pos += next.length;
      }
    }
    this.trailing = end - pos;
    this.buf = buf;
    return true;
  }

  private raw(type: FieldType): [number, number] | null {
    const slot = this.slotOf[type];
    if (slot === undefined) return null;
    return [this.offsets[2 * slot], this.offsets[2 * slot + 1]];
  }

  /** The HTTP status of the last scanned line (0 when absent or `-`); cheap, for every line. */
  status(): number {
    const slot = this.slotOf.status;
    if (slot === undefined) return 0;
    const s = this.offsets[2 * slot];
    const e = this.offsets[2 * slot + 1];
    if (e - s !== 3) return 0;
    const b = this.buf;
    const a = b[s] - 48;
    const c = b[s + 1] - 48;
    const d = b[s + 2] - 48;
    if (a < 0 || a > 9 || c < 0 || c > 9 || d < 0 || d > 9) return 0;
    return a * 100 + c * 10 + d;
  }

  /** Epoch ms of the last scanned line, NaN when the format has no time or it does not parse. */
  time(): number {
    const b = this.buf;
    let r = this.raw('time-clf');
    // Apache's %t writes its own brackets; nginx's $time_local has them in the format's literals.
    if (r) return b[r[0]] === 91 ? parseClf(b, r[0] + 1, r[1] - 1) : parseClf(b, r[0], r[1]);
    if ((r = this.raw('time-iso'))) return parseIso(b, r[0], r[1]);
    if ((r = this.raw('time-epoch-s'))) return parseEpoch(b, r[0], r[1], 1000);
    if ((r = this.raw('time-epoch-ms'))) return parseEpoch(b, r[0], r[1], 1);
    if ((r = this.raw('time-epoch-us'))) return parseEpoch(b, r[0], r[1], 0.001);
    return NaN;
  }

  /** True when any attempt in $upstream_status is >= 500 (a failure the client may never have seen). */
  upstreamFailed(): boolean {
    const r = this.raw('upstream-status');
    if (!r) return false;
    const b = this.buf;
    for (let i = r[0]; i + 2 < r[1]; i++) {
      if (b[i] === 53 && (i === r[0] || b[i - 1] === SPACE)) return true; // a "5xx" item
    }
    return false;
  }

  /**
   * How many typed fields of the last scanned line hold a value of the wrong shape (a time that
   * does not parse, a status that is not three digits, a client that is not an address...).
   * Detection uses it to tell formats apart that both "fit" a line; the hot path never calls it.
   */
  invalidFields(): number {
    let bad = 0;
    const b = this.buf;
    for (const f of this.fields) {
      const s = this.offsets[2 * f.slot];
      const e = this.offsets[2 * f.slot + 1];
      const dash = e - s === 1 && b[s] === 45;
      switch (f.type) {
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
    const r = this.raw(type);
    if (!r) return null;
    const [s, e] = r;
    if (e - s === 1 && this.buf[s] === 45) return null; // `-`
    return unescapeLogValue(this.buf, s, e);
  }

  private num(type: FieldType, scale: number): number | null {
    const r = this.raw(type);
    if (!r || r[1] === r[0]) return null;
    const v = Number(this.buf.toString('latin1', r[0], r[1]));
    return Number.isFinite(v) ? v * scale : null;
  }

  /** Decodes the whole entry; called only for lines the analysis keeps (failures, samples). */
  entry(): AccessEntry {
    const request = this.text('request');
    let method = this.text('method');
    let path = this.text('path');
    let protocol = this.text('protocol');
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
    const query = this.text('query');
    if (path !== null && query !== null && !path.includes('?')) path = path + (query.startsWith('?') ? '' : '?') + query;
    const rt =
      this.num('request-time-s', 1) ?? this.num('request-time-ms', 0.001) ?? this.num('request-time-us', 0.000001);
    const addr = this.text('upstream-addr');
    const ustatus = this.text('upstream-status');
    const urt = this.text('upstream-response-time');
    const uct = this.text('upstream-connect-time');
    const conn = this.num('connection', 1);
    const port = this.num('client-port', 1);
    return {
      ts: this.time(),
      status: this.status(),
      method,
      path,
      protocol,
      request: request ?? (method && path ? `${method} ${path}${protocol ? ' ' + protocol : ''}` : null),
      client: firstOfList(this.text('client')),
      clientPort: port,
      host: this.text('host'),
      bytes: this.num('bytes', 1),
      requestTime: rt,
      upstreamAddr: addr === null ? [] : splitUpstreamList(addr),
      upstreamStatus: ustatus === null ? [] : parseStatusList(ustatus),
      upstreamResponseTime: urt === null ? [] : parseNumberList(urt),
      upstreamConnectTime: uct === null ? [] : parseNumberList(uct),
      connection: conn,
      userAgent: this.text('user-agent'),
      referer: this.text('referer'),
    };
  }
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

function strategyFor(f: PlanField, next: Buffer, prev: Buffer): Strategy {
  if (f.type === 'time-clf' && f.name.startsWith('%') && !(prev.length > 0 && prev[prev.length - 1] === 91)) {
    return Strategy.Bracketed;
  }
  if (next.length === 0) return LIST_TYPES.has(f.type) ? Strategy.List : Strategy.Rest;
  if (LIST_TYPES.has(f.type)) return Strategy.List;
  // A token followed by a quote or bracket-quoted text could still hold the quote: search the literal.
  if (TOKEN_TYPES.has(f.type) && next[0] !== QUOTE) return Strategy.Token;
  return Strategy.Literal;
}

function matchAt(buf: Buffer, pos: number, lit: Buffer): boolean {
  for (let k = 0; k < lit.length; k++) if (buf[pos + k] !== lit[k]) return false;
  return true;
}

/** Next occurrence of lit in [pos, end), skipping quotes escaped by a backslash. */
function findLiteral(buf: Buffer, pos: number, end: number, lit: Buffer): number {
  let from = pos;
  while (from <= end - lit.length) {
    const i = buf.indexOf(lit, from);
    if (i === -1 || i + lit.length > end) return -1;
    if (lit[0] === QUOTE && i > pos && buf[i - 1] === BACKSLASH) {
      let n = 0;
      for (let k = i - 1; k >= pos && buf[k] === BACKSLASH; k--) n++;
      if (n % 2 === 1) {
        from = i + 1;
        continue;
      }
    }
    return i;
  }
  return -1;
}

/** `a, b : c` — items without spaces, joined by ", " or " : ". Returns the end of the list. */
function scanList(buf: Buffer, pos: number, end: number, stop: number): number {
  let p = pos;
  for (;;) {
    while (p < end && buf[p] !== SPACE && buf[p] !== COMMA && buf[p] !== stop) p++;
    if (p + 1 < end && buf[p] === COMMA && buf[p + 1] === SPACE) {
      p += 2;
      continue;
    }
    if (p + 2 < end && buf[p] === SPACE && buf[p + 1] === COLON && buf[p + 2] === SPACE) {
      p += 3;
      continue;
    }
    if (p < end && buf[p] === COMMA) {
      p++;
      continue;
    }
    return p;
  }
}
