import { FieldType, FormatPlan } from './format/plan';
import { FNV_OFFSET, FNV_PRIME } from '../util/byte-interner';

/**
 * Compiles a FormatPlan into the JavaScript source of one line scanner, specialised for that
 * format: every literal is unrolled into byte comparisons against constants, and each field's end
 * is found the cheapest way its type allows. A generic interpreter walking the plan per line paid
 * for a loop, a switch and a literal Buffer per field (see docs/performance.md); V8 optimises the
 * straight-line code of one format far better.
 *
 * How each field's end is found, from its type and the literal that follows it:
 * - Token: numbers, ids, user names end at the next space, or at the literal's first byte;
 * - List: upstream lists consume `item, item : item` and stop at the first other separator;
 * - Literal: everything else ends at the next occurrence of the whole following literal; a `"`
 *   preceded by an odd number of backslashes is an escape (Apache writes `\"`), not the end;
 * - Bracketed: Apache's %t writes `[...]` itself: the value ends at the closing bracket;
 * - Rest: the last field, when no literal follows, runs to the end of the line.
 * No regex is involved, so no input can make a line cost more than a few passes over its bytes.
 *
 * Only numbers reach the generated source (byte values, lengths, slot indexes): nothing of the
 * format string is spliced in as text, so no format can inject code.
 */

export const enum Strategy {
  Token,
  List,
  Literal,
  Rest,
  Bracketed,
}

export interface ScanField {
  type: FieldType;
  strategy: Strategy;
  /** The literal after the field (empty for a last field without a closing literal). */
  next: Buffer;
}

export interface ScanLayout {
  /** The literal before the first field. */
  lead: Buffer;
  fields: ScanField[];
  /**
   * The field whose bytes the scanner also hashes as it reads them (the first $upstream_addr, a
   * List field), or -1: see hashSlots(). Counting each line's upstream attempt read those bytes
   * a second time to check and hash them: with the table's compare, a tenth of an `upstream`
   * profile.
   */
  hashed: number;
}

/**
 * Where the scanner writes, after the 2 × fields boundary slots, the FNV-1a hash (byte-interner.ts)
 * of the hashed field and whether that field is one plain item (1) or not (0: a list, or a byte
 * below 32, above 126 or a backslash, which the string path decodes).
 */
export function hashSlots(layout: ScanLayout): number {
  return 2 * layout.fields.length;
}

/** Returns the bytes after the last field that the format does not describe, or -1 when the line does not fit. */
export type ScanFn = (b: Buffer, s: number, e: number, off: Int32Array) => number;

const SPACE = 32;
const QUOTE = 34;
const COMMA = 44;

const TOKEN_TYPES = new Set<FieldType>([
  'status', 'bytes', 'request-time-s', 'request-time-ms', 'request-time-us', 'connection', 'token',
  'client-port', 'time-epoch-s', 'time-epoch-ms', 'time-epoch-us', 'method', 'protocol',
]);
const LIST_TYPES = new Set<FieldType>([
  'upstream-addr', 'upstream-status', 'upstream-response-time', 'upstream-connect-time', 'upstream-list',
]);
/**
 * Values that run long (URLs, user agents, headers): their end is searched with Buffer#indexOf
 * (memchr). Everything else is short (addresses, numbers, times) and a byte loop in JavaScript is
 * cheaper than the call: here ~25 ns a call, against ~1 ns a byte (see the bytes looked at first,
 * below).
 */
const LONG_TYPES = new Set<FieldType>(['request', 'path', 'query', 'referer', 'user-agent', 'text', 'time-clf', 'time-iso', 'client']);
/**
 * Bytes of a long value looked at in a loop before indexOf is called: a client is an address
 * (an IPv6 one is at most 45 characters) unless the server resolves names, and a referer is
 * often `-`.
 */
const LOOP_FIRST: Partial<Record<FieldType, number>> = { client: 48, referer: 2 };

function strategyFor(type: FieldType, name: string, next: Buffer, prev: Buffer): Strategy {
  if (type === 'time-clf' && name.startsWith('%') && !(prev.length > 0 && prev[prev.length - 1] === 91)) {
    return Strategy.Bracketed;
  }
  if (next.length === 0) return LIST_TYPES.has(type) ? Strategy.List : Strategy.Rest;
  if (LIST_TYPES.has(type)) return Strategy.List;
  // A token followed by a quote or bracket-quoted text could still hold the quote: search the literal.
  if (TOKEN_TYPES.has(type) && next[0] !== QUOTE) return Strategy.Token;
  return Strategy.Literal;
}

/** The literals and field strategies of a plan, in scan order. */
export function layoutOf(plan: FormatPlan): ScanLayout {
  const toks = plan.tokens;
  const fields: ScanField[] = [];
  let lead = Buffer.alloc(0);
  let pending = Buffer.alloc(0);
  for (let i = 0; i < toks.length; i++) {
    const t = toks[i];
    if (t.kind === 'literal') {
      pending = Buffer.from(t.text, 'latin1');
      continue;
    }
    if (fields.length === 0) lead = pending;
    const prev = pending;
    pending = Buffer.alloc(0);
    const nextTok = toks[i + 1];
    const next = nextTok && nextTok.kind === 'literal' ? Buffer.from(nextTok.text, 'latin1') : Buffer.alloc(0);
    fields.push({ type: t.type, strategy: strategyFor(t.type, t.name, next, prev), next });
  }
  return { lead, fields, hashed: fields.findIndex((f) => f.type === 'upstream-addr') };
}

/** `b[p]===c0&&b[p+1]===c1…` for a literal at p (the caller checks the length). */
function bytesAt(lit: Buffer, p: string): string {
  const parts: string[] = [];
  for (let k = 0; k < lit.length; k++) parts.push(`b[${p}+${k}]===${lit[k]}`);
  return parts.length > 0 ? parts.join('&&') : 'true';
}

/**
 * Code that sets `q` to the first index in [from, lim] holding byte c, or lim+1 when there is
 * none: a byte loop for short values; for long ones, a loop over the first `first` bytes, then
 * indexOf.
 */
function findByte(c: number, from: string, lim: string, long: boolean, first = 0): string {
  const loop = (to: string) => `q=${from};while(q<=${to}&&b[q]!==${c})q++;`;
  const search = (at: string) => `q=b.indexOf(${c},${at});if(q===-1||q>${lim})q=${lim}+1;`;
  if (!long) return loop(lim);
  if (first <= 0) return search(from);
  return `{const l=${from}+${first}<${lim}?${from}+${first}:${lim};${loop('l')}if(q>l&&l<${lim}){${search('l+1')}}}`;
}

/** The List strategy's code; `hashAt` >= 0 also hashes the bytes and flags a plain single item there. */
function listCode(f: ScanField, hashAt: number): string {
  // Items without spaces, joined by ", " or " : " (scanList, unrolled for this stop byte).
  const n = f.next;
  const stop = n.length > 0 ? n[0] : SPACE;
  const item = stop === SPACE || stop === COMMA ? 'c!==32&&c!==44' : `c!==32&&c!==44&&c!==${stop}`;
  const hashed = hashAt >= 0;
  const step = hashed ? `if(c<32||c>126||c===92)m=0;h=Math.imul(h^c,${FNV_PRIME});` : '';
  const sep = hashed ? 'm=0;' : '';
  return (
    (hashed ? `h=${FNV_OFFSET};m=1;` : '') +
    `q=p;for(;;){while(q<e){const c=b[q];if(!(${item}))break;${step}q++;}` +
    `if(q+1<e&&b[q]===44&&b[q+1]===32){${sep}q+=2;continue;}` +
    `if(q+2<e&&b[q]===32&&b[q+1]===58&&b[q+2]===32){${sep}q+=3;continue;}` +
    `if(q<e&&b[q]===44){${sep}q++;continue;}break;}` +
    (hashed ? `off[${hashAt}]=h;off[${hashAt + 1}]=m;` : '')
  );
}

function fieldCode(f: ScanField, hashAt: number): string {
  const n = f.next;
  const long = LONG_TYPES.has(f.type);
  switch (f.strategy) {
    case Strategy.Token: {
      const stop = n.length > 0 ? n[0] : SPACE;
      return `q=p;while(q<e&&b[q]!==${stop})q++;`;
    }
    case Strategy.Bracketed:
      return `if(p>=e||b[p]!==91)return -1;${findByte(93, 'p', 'e-1', long)}if(q>e-1)return -1;q++;`;
    case Strategy.List:
      return listCode(f, hashAt);
    case Strategy.Literal: {
      // The next occurrence of the whole literal inside the line; a quote escaped by an odd number
      // of backslashes does not count.
      const rest = n.length > 1 ? bytesAt(n.subarray(1), 'q+1') : 'true';
      const escaped = n[0] === QUOTE ? `||(q>p&&b[q-1]===92&&oddBackslashes(b,p,q))` : '';
      return (
        `r=p;for(;;){${findByte(n[0], 'r', `e-${n.length}`, long, LOOP_FIRST[f.type])}if(q>e-${n.length})return -1;` +
        `if(!(${rest})${escaped}){r=q+1;continue;}break;}`
      );
    }
    default:
      return 'q=e;';
  }
}

/** The generated scanner's source, for a layout. */
function scannerSource(layout: ScanLayout): string {
  const { lead, fields } = layout;
  const last = fields.length - 1;
  let src = 'let p=s,q=0,r=0,h=0,m=0;';
  if (lead.length > 0) src += `if(e-p<${lead.length}||!(${bytesAt(lead, 'p')}))return -1;p+=${lead.length};`;
  for (let i = 0; i < fields.length; i++) {
    const f = fields[i];
    // one line per field: a --cpu-prof of the generated function then says which field costs
    src += '\n' + fieldCode(f, i === layout.hashed ? hashSlots(layout) : -1);
    src += `off[${2 * i}]=p;off[${2 * i + 1}]=q;p=q;`;
    const n = f.next;
    if (n.length === 0) continue;
    if (f.strategy === Strategy.Literal) {
      // The search ended on the whole literal, inside the line: nothing left to check.
      src += `p+=${n.length};`;
      continue;
    }
    // The line may end here: tolerated when only the last field's closing literal is missing, or
    // the whole last field (ingress-nginx writes $req_id only when it is set).
    let ends: string;
    if (i === last) ends = 'return 0;';
    else if (i === last - 1) ends = `off[${2 * (i + 1)}]=e;off[${2 * (i + 1) + 1}]=e;return 0;`;
    else ends = 'return -1;';
    src += `if(e-p<${n.length}||!(${bytesAt(n, 'p')})){if(p!==e)return -1;${ends}}p+=${n.length};`;
  }
  src += 'return e-p;';
  return src;
}

/** Is the quote at q escaped: preceded (down to p) by an odd number of backslashes? */
function oddBackslashes(b: Buffer, p: number, q: number): boolean {
  let n = 0;
  for (let k = q - 1; k >= p && b[k] === 92; k--) n++;
  return n % 2 === 1;
}

/**
 * Scanners by source. Each `new Function` is a new function to V8, optimised anew: a rotated set
 * read file by file had its one format compiled by TurboFan once a file (22 compiles of `scan`,
 * 155 ms of a 3.4 s run, on the main thread since bin/upstream-doctor turns concurrent compiling
 * off). One function per format keeps its optimised code from file to file, and detection's
 * scans of a preset warm up the scanner the file is then read with. A scanner holds no state.
 */
const compiled = new Map<string, ScanFn>();

export function compileScanner(layout: ScanLayout): ScanFn {
  const src = scannerSource(layout);
  let fn = compiled.get(src);
  if (fn === undefined) {
    // eslint-disable-next-line @typescript-eslint/no-implied-eval
    const make = new Function('oddBackslashes', `return function scan(b,s,e,off){${src}};`);
    fn = make(oddBackslashes) as ScanFn;
    compiled.set(src, fn);
  }
  return fn;
}
