import { ErrorEntry, LogKind, Server, Signature } from '../model';
import { SIGNATURES } from './signatures';

/**
 * Finds the catalogue row for an error-log entry. The table is data; this only interprets it:
 * AH code (map lookup), then the message's first word (map lookup: only rows whose pattern starts
 * with that word, plus rows whose pattern starts with a variable part), then errno filter, then a
 * substring test, then the anchored regex. Row order within each candidate list is table order.
 */

const SERVER_OF: Record<LogKind, Server> = {
  'nginx-access': 'nginx',
  'nginx-error': 'nginx',
  'apache-access': 'apache',
  'apache-error': 'apache',
  'php-fpm': 'php-fpm',
};

/**
 * The literal first words a pattern allows (`^connect\(\) …` → `connect()`; `^(?:recv|readv)\(\) …`
 * → `recv()`, `readv()`; `^accept4?\(\) …` → `accept()`, `accept4()`), or null when the first word
 * is not made of plain literals (`^\S{1,300} could not …`), is not ended by a space in the pattern,
 * or the pattern has a top-level alternation. Derived from the data, so rows need no extra field.
 * A row without lead words is tried for every message: 20 nginx rows were, costing each decoded
 * entry a dozen substring searches.
 */
export function leadWords(pattern: RegExp): string[] | null {
  const src = pattern.source;
  if (src[0] !== '^' || hasTopLevelAlternation(src)) return null;
  // the word as a sequence of choices: each a set of literal pieces ('' when optional)
  const choices: string[][] = [];
  let i = 1;
  for (; i < src.length && src[i] !== ' '; i++) {
    const c = src[i];
    if (c === '\\') {
      const n = src[i + 1];
      if (n === undefined || /[A-Za-z0-9]/.test(n)) return null; // \S, \d …: not a literal
      choices.push([n]);
      i++;
    } else if (c === '?' && choices.length > 0 && !choices[choices.length - 1].includes('')) {
      choices[choices.length - 1].push(''); // the piece before is optional
    } else if (c === '(' && src.startsWith('(?:', i)) {
      const close = src.indexOf(')', i);
      if (close === -1) return null;
      const alts = src.slice(i + 3, close).split('|');
      if (alts.some((a) => a === '' || /[\\[\](){}?*+.^$ ]/.test(a))) return null; // plain words only
      choices.push(alts);
      i = close;
    } else if ('[](){}?*+|.^$'.includes(c)) return null;
    else choices.push([c]);
  }
  if (src[i] !== ' ' || choices.length === 0) return null;
  let words = [''];
  for (const set of choices) {
    words = words.flatMap((w) => set.map((piece) => w + piece));
    if (words.length > 16) return null;
  }
  return words.includes('') ? null : [...new Set(words)];
}

function hasTopLevelAlternation(src: string): boolean {
  let depth = 0;
  let inClass = false;
  for (let i = 0; i < src.length; i++) {
    const c = src[i];
    if (c === '\\') i++;
    else if (inClass) inClass = c !== ']';
    else if (c === '[') inClass = true;
    else if (c === '(') depth++;
    else if (c === ')') depth--;
    else if (c === '|' && depth === 0) return true;
  }
  return false;
}

function firstWord(msg: string): string {
  const sp = msg.indexOf(' ');
  return sp === -1 ? msg : msg.slice(0, sp);
}

interface Bucket {
  byLead: Map<string, Signature[]>;
  /** rows without a literal lead word: tried for every message, after the lead rows */
  rest: Signature[];
  /** per rest row: its place in the catalogue (ascending) */
  restOrder: number[];
  /** per rest row: the index in restGates of a text every row of its group holds, or -1 */
  restGate: number[];
  restGates: string[];
  order: Map<Signature, number>;
}

function newBucket(): Bucket {
  return { byLead: new Map(), rest: [], restOrder: [], restGate: [], restGates: [], order: new Map() };
}

/** Rest rows whose literals start alike share a gate when the common start is this long. */
const MIN_GATE = 12;

/**
 * Groups the rest rows whose literals share a start (`could not be resolved (` of five resolver
 * rows): a message without it is spared the search for each row's own literal. Rest rows are
 * tried for every decoded message, and their substring searches were most of the matcher's cost.
 */
function gateRest(b: Bucket): void {
  const rest = b.rest;
  b.restGate = rest.map(() => -1);
  for (let i = 0; i < rest.length && b.restGates.length < 31; i++) {
    if (b.restGate[i] !== -1 || rest[i].literal.length < MIN_GATE) continue;
    const start = rest[i].literal.slice(0, MIN_GATE);
    const group = rest.map((_, j) => j).filter((j) => j >= i && b.restGate[j] === -1 && rest[j].literal.startsWith(start));
    if (group.length < 2) continue;
    let gate = rest[i].literal;
    for (const j of group) {
      const l = rest[j].literal;
      let n = 0;
      while (n < gate.length && n < l.length && gate[n] === l[n]) n++;
      gate = gate.slice(0, n);
    }
    for (const j of group) b.restGate[j] = b.restGates.length;
    b.restGates.push(gate);
  }
}

function addTo(b: Bucket, s: Signature): void {
  b.order.set(s, b.order.size);
  const leads = leadWords(s.pattern);
  if (leads === null) {
    b.rest.push(s);
    b.restOrder.push(b.order.size - 1);
  } else {
    for (const lead of leads) {
      const list = b.byLead.get(lead) ?? [];
      list.push(s);
      b.byLead.set(lead, list);
    }
  }
}

/** The kinds whose parser fills ErrorEntry.code (Apache's `AHnnnnn:`). */
const CARRIES_CODE: ReadonlySet<LogKind> = new Set(['apache-error']);

export class SignatureMatcher {
  private readonly byServer = new Map<Server, Bucket>();
  private readonly byCode = new Map<string, Signature[]>();
  readonly signatures: Signature[];

  constructor(signatures: Signature[] = SIGNATURES) {
    this.signatures = signatures;
    for (const s of signatures) {
      if (s.code) {
        const list = this.byCode.get(s.code) ?? [];
        list.push(s);
        this.byCode.set(s.code, list);
      } else {
        let b = this.byServer.get(s.server);
        if (!b) this.byServer.set(s.server, (b = newBucket()));
        addTo(b, s);
      }
    }
    for (const b of this.byServer.values()) gateRest(b);
  }

  /**
   * The literal of every row match() can try for an entry of `kind`: its server's rows, and the
   * coded rows, which are tried for any entry that carries a code (only Apache's carry one: the
   * AH codes would otherwise stop the nginx prefilter at every `d ` and ` r` of a line).
   */
  literalsFor(kind: LogKind): string[] {
    const server = SERVER_OF[kind];
    const coded = CARRIES_CODE.has(kind);
    return this.signatures.filter((s) => s.server === server || (coded && s.code !== undefined)).map((s) => s.literal);
  }

  match(kind: LogKind, e: ErrorEntry): Signature | null {
    if (e.code !== null) {
      const coded = this.byCode.get(e.code);
      if (coded) {
        const hit = firstMatch(coded, e);
        if (hit) return hit;
      }
    }
    const b = this.byServer.get(SERVER_OF[kind]);
    if (!b) return null;
    const led = b.byLead.get(firstWord(e.message));
    const a = led ? firstMatch(led, e) : null;
    // Only a rest row before `a` in the catalogue can win: the usual failures (connect(), timeouts)
    // come before every rest row and skip them.
    return firstRest(b, e, a ? b.order.get(a)! : Infinity) ?? a;
  }
  /**
   * The rows of `kind` whose match the first bytes of a message decide, and what else must be
   * absent for that (see PrefixRows); null for a kind whose entries carry a code (coded rows are
   * tried first, on a code only its parser reads).
   */
  prefixRows(kind: LogKind): PrefixRows | null {
    const b = this.byServer.get(SERVER_OF[kind]);
    if (CARRIES_CODE.has(kind) || !b) return null;
    const rows: PrefixRow[] = [];
    const competitors = new Map<string, number>();
    for (const [sig, order] of b.order) {
      const prefix = plainPrefix(sig);
      if (prefix === null || rows.length >= MAX_PREFIX_ROWS) continue;
      const led = b.byLead.get(prefix.slice(0, prefix.indexOf(' ')));
      if (!led?.includes(sig)) continue;
      const bit = 1 << (rows.length + 1);
      rows.push({ sig, prefix });
      // what match() tries before it for such a message: its lead list up to it, the rest rows before it
      for (const s of led) {
        if (s === sig) break;
        competitors.set(s.literal, (competitors.get(s.literal) ?? 0) | bit);
      }
      b.rest.forEach((s, i) => {
        if (b.restOrder[i] < order) competitors.set(s.literal, (competitors.get(s.literal) ?? 0) | bit);
      });
    }
    return rows.length === 0 ? null : { rows, competitors: [...competitors].map(([literal, rows]) => ({ literal, rows })) };
  }
}

/**
 * A row match() returns for any entry whose message starts with `prefix` and holds none of the
 * literals PrefixRows.competitors marks for it. Such an entry needs no decoding to be told apart:
 * a reader can count it from its bytes (parse/quiet-compiler.ts, nginx). Only evidence rows
 * qualify (counting them is all error() does with them).
 */
export interface PrefixRow {
  sig: Signature;
  prefix: string;
}

/**
 * Why the two conditions decide the row R: a message that starts with R's prefix has R's lead
 * word as its first word, and R's pattern (the prefix, anchored) matches it. match() then tries
 * the lead list of that word in catalogue order up to R, and the rest rows placed before R; each
 * of those needs its literal in the message to match (firstMatch, firstRest). With none of their
 * literals present, R is the row. A reader may search more than the message (any range that holds
 * it): a literal found outside it only sends the entry the decoding way.
 */
export interface PrefixRows {
  rows: PrefixRow[];
  /** Each literal of a row tried before some prefix row, with bit 1 << (k + 1) set for each such rows[k]. */
  competitors: { literal: string; rows: number }[];
}

/** Prefix rows at most (their bits must fit an i32 mask with bit 0 unused). */
export const MAX_PREFIX_ROWS = 15;

/**
 * The plain text of an evidence row's pattern when the pattern is nothing else (`^` and literal
 * characters, no flags), its literal is in it, and it holds a space (its first word is whole) and
 * no comma (a parser cuts a message at `, client: `: the prefix must not straddle the cut); else null.
 */
function plainPrefix(s: Signature): string | null {
  if (s.failure !== false || s.errno !== undefined || s.code !== undefined || s.pattern.flags !== '') return null;
  const src = s.pattern.source;
  if (src[0] !== '^') return null;
  let text = '';
  for (let i = 1; i < src.length; i++) {
    let c = src[i];
    if (c === '\\') {
      c = src[++i];
      if (c === undefined || /[A-Za-z0-9]/.test(c)) return null;
    } else if ('[](){}?*+|.^$'.includes(c)) return null;
    if (c < ' ' || c > '~' || c === ',') return null;
    text += c;
  }
  return text.includes(' ') && text.includes(s.literal) ? text : null;
}

function firstMatch(list: Signature[], e: ErrorEntry): Signature | null {
  const msg = e.message;
  for (let i = 0; i < list.length; i++) {
    const s = list[i];
    if (s.errno !== undefined && (e.errno === null || !s.errno.includes(e.errno))) continue;
    if (msg.indexOf(s.literal) === -1) continue;
    if (s.pattern.test(msg)) return s;
  }
  return null;
}

/** firstMatch over a bucket's rest rows placed before `before`, each gate searched at most once. */
function firstRest(b: Bucket, e: ErrorEntry, before: number): Signature | null {
  const msg = e.message;
  const { rest, restOrder, restGate, restGates } = b;
  let absent = 0;
  let present = 0;
  for (let i = 0; i < rest.length && restOrder[i] < before; i++) {
    const s = rest[i];
    if (s.errno !== undefined && (e.errno === null || !s.errno.includes(e.errno))) continue;
    const g = restGate[i];
    if (g !== -1) {
      const bit = 1 << g;
      if ((absent & bit) !== 0) continue;
      if ((present & bit) === 0) {
        if (msg.indexOf(restGates[g]) === -1) {
          absent |= bit;
          continue;
        }
        present |= bit;
      }
    }
    if (msg.indexOf(s.literal) === -1) continue;
    if (s.pattern.test(msg)) return s;
  }
  return null;
}

/**
 * Words isUpstreamRelated needs in an entry's text: an entry holding none of them is not
 * upstream-related, which lets diagnose/prefilter.ts pass over it unread. nginx: the message's
 * words, and `, upstream: "…"` holds the first; Apache: `[proxy…:level]` and 2.2's `proxy: `.
 */
export const UPSTREAM_MARKERS: Partial<Record<LogKind, readonly string[]>> = {
  'nginx-error': ['upstream', 'FastCGI'],
  'apache-error': ['proxy'],
};
const NGINX_MARKERS = UPSTREAM_MARKERS['nginx-error']!;

const QUIET_APACHE_LEVELS = new Set(['info', 'notice', 'debug']);

/**
 * An entry the catalogue does not know but that concerns an upstream: reported as `unclassified`,
 * never dropped, so gaps in the catalogue show up in the report.
 */
export function isUpstreamRelated(kind: LogKind, e: ErrorEntry): boolean {
  if (kind === 'nginx-error') {
    if (e.upstream !== null) return true;
    for (const w of NGINX_MARKERS) if (e.message.includes(w)) return true;
    return false;
  }
  if (kind === 'apache-error') {
    // Apache logs failures at warn and above; proxy info/notice/debug lines are start-up chatter
    if (QUIET_APACHE_LEVELS.has(e.level) || e.level.startsWith('trace')) return false;
    return (e.module !== null && e.module.startsWith('proxy')) || e.message.startsWith('proxy: ');
  }
  return false;
}
