import { FailureEvent } from '../model';
import { FNV_OFFSET, FNV_PRIME } from '../util/byte-interner';

/**
 * Joins access-log failures with the error-log entries that explain them, in bounded memory.
 * Error entries are indexed under the strongest keys their format carries:
 *   nginx  `*CID`              == `$connection` in the access log
 *   Apache `[client ip:port]`  == `%{remote}p` (with %h)
 *   any    client + request line, within the request's duration
 * A key is a hash of those fields (JoinKey), and a join checks the fields of what it finds
 * (keyMatches). The index holds at most a budget of (estimated) bytes, not a number of entries:
 * an entry's size is the attacker's to choose (request lines of kilobytes). Past the budget the
 * oldest entries go first, with all their keys; each eviction is counted and reported
 * (`correlation.indexEvicted`).
 */

/** What a join reads of an indexed event (the access failure it explains, and the take-back). */
export type IndexedEvent = Pick<FailureEvent, (typeof FIELDS)[number]>;

/**
 * An error request kept for the join. In the index its event is held as one flat string, decoded
 * when a join reads it: as objects, an event and the slices of its log line it holds cost ~900
 * bytes and a dozen objects that every scavenge copies and promotes (GC was a quarter of the
 * profile of an error log); packed, about half of that in one string that keeps no log line alive.
 * Until the index takes it (ErrorIndex.add), it is the event as the analyzer made it.
 */
export class IndexedError {
  /** An access failure took this entry as its explanation (or as another attempt of its request). */
  claimed = false;
  /**
   * Counted in the summary as a failure of its own. Set when the entry leaves the index unclaimed
   * (ErrorIndex.onUnclaimed), or from the start where counts must be live (tail); a claim then
   * takes the count back.
   */
  counted = false;
  /** In the eviction queue (it has keys): leaving the time join's list alone does not end its stay. */
  queued = false;
  /** The file group it was read in (set when indexed): a join checks it, as keys are hashes. */
  group = '';
  private packed: string | null = null;
  private decoded: IndexedEvent | null;
  /** Estimated heap bytes, keys excluded. */
  bytes: number;

  constructor(
    event: FailureEvent,
    readonly epoch: number,
    /** The status the signature says the client gets; null when the line does not decide one. */
    readonly typicalStatus: number | null,
    /** nginx's `*CID`, which the connection key hashes (null for other logs). */
    readonly connection: number | null = null,
  ) {
    this.decoded = event;
    this.bytes = ENTRY_BYTES + textLength(event);
  }

  /** Packs the event for its stay in the index. */
  pack(): void {
    if (this.packed !== null || this.decoded === null) return;
    this.packed = pack(this.decoded);
    this.decoded = null;
    this.bytes = ENTRY_BYTES + this.packed.length;
  }

  /**
   * The event, decoded from its packed form for the join that reads it. It stays packed too and
   * the decoded copy is dropped when the next join begins (forgetDecoded): a copy kept for the
   * entry's whole stay doubled what the budget counts for every entry a join had read (ten
   * days of rotated logs, every access failure joined: 131-133 against 126-128 MiB peak RSS).
   */
  get event(): IndexedEvent {
    if (this.decoded === null) {
      this.decoded = unpack(this.packed!);
      decodedLately.push(this);
    }
    return this.decoded;
  }

  /** The event, decoded without keeping the copy: for an entry on its way out of the index. */
  read(): IndexedEvent {
    return this.decoded ?? unpack(this.packed!);
  }

  /** Drops the decoded copy of a packed event (see `event`). */
  forgetDecoded(): void {
    if (this.packed !== null) this.decoded = null;
  }
}

/** Entries whose event a join decoded since the last join began (one thread's; workers have their own). */
const decodedLately: IndexedError[] = [];

function forgetDecoded(): void {
  for (const it of decodedLately) it.forgetDecoded();
  decodedLately.length = 0;
}

/** The fields of a FailureEvent a join reads, in the order pack() writes them. */
const FIELDS = ['cause', 'signature', 'status', 'upstream', 'client', 'request', 'host', 'message', 'clientPort', 'evidence'] as const;

/**
 * The packed form: each field in FIELDS order as its length code (length + 1; 0 for null or
 * absent) and then its code units as they are (lone surrogates included); numbers as their
 * decimal text; `evidence` as its item count and its items. A length code is written 7 bits a
 * unit, low bits first, each unit but the last with 0x80 set: every unit stays below 0x100, so a
 * Latin-1 event packs into a one-byte string (a single unit for longer lengths would make V8 store
 * the whole string with two bytes a character). JSON.stringify did the same job escaping
 * character by character: it was 13% of the profile of nginx failure lines read beside an access
 * log, this 3%. The concatenation is a tree of parts (a cons string): flat() makes it one string
 * of its own.
 */
export function pack(ev: IndexedEvent): string {
  let s =
    packed(ev.cause) + packed(ev.signature) + packed(numberText(ev.status)) + packed(ev.upstream) + packed(ev.client) +
    packed(ev.request) + packed(ev.host) + packed(ev.message) + packed(numberText(ev.clientPort));
  const evidence = ev.evidence;
  if (!evidence) s += NONE;
  else {
    s += lengthCode(evidence.length);
    for (const x of evidence) s += packed(x);
  }
  return flat(s);
}

const NONE = '\u0000';

function lengthCode(n: number): string {
  let code = n + 1;
  if (code < 0x80) return String.fromCharCode(code);
  let s = '';
  while (code >= 0x80) {
    s += String.fromCharCode((code & 0x7f) | 0x80);
    code >>>= 7;
  }
  return s + String.fromCharCode(code);
}

function packed(v: string | null | undefined): string {
  return v === null || v === undefined ? NONE : lengthCode(v.length) + v;
}

function numberText(n: number | null | undefined): string | null {
  return n === null || n === undefined ? null : String(n);
}

/**
 * About the length pack() gives, without building it. Field by field: a loop over FIELDS read
 * each by name (a keyed load), 1% of a failure-heavy error log's profile.
 */
function textLength(ev: IndexedEvent): number {
  let n = 20 + ev.message.length + lengthOf(ev.cause) + lengthOf(ev.signature) + lengthOf(ev.upstream) + lengthOf(ev.client) + lengthOf(ev.request) + lengthOf(ev.host);
  const evidence = ev.evidence;
  if (evidence) for (const x of evidence) n += x.length + 1;
  return n;
}

const lengthOf = (v: string | null | undefined): number => (v ? v.length : 0);

/** Reads pack()'s fields back in order. */
class Unpacker {
  private p = 0;
  constructor(private readonly s: string) {}

  /** The next length, or -1 for null/absent. */
  length(): number {
    const s = this.s;
    let code = 0;
    let shift = 0;
    let unit = s.charCodeAt(this.p++);
    while (unit >= 0x80) {
      code += (unit & 0x7f) * 2 ** shift;
      shift += 7;
      unit = s.charCodeAt(this.p++);
    }
    return code + unit * 2 ** shift - 1;
  }

  text(): string | null {
    const n = this.length();
    if (n < 0) return null;
    const v = this.s.slice(this.p, this.p + n);
    this.p += n;
    return v;
  }

  number(): number | null {
    const t = this.text();
    return t === null ? null : Number(t);
  }
}

function unpack(packedEvent: string): IndexedEvent {
  const u = new Unpacker(packedEvent);
  const ev: IndexedEvent = {
    cause: u.text() as IndexedEvent['cause'],
    signature: u.text(),
    status: u.number(),
    upstream: u.text(),
    client: u.text(),
    request: u.text(),
    host: u.text(),
    message: u.text()!,
  };
  const port = u.number();
  if (port !== null) ev.clientPort = port;
  const items = u.length();
  if (items >= 0) {
    const evidence: string[] = [];
    for (let i = 0; i < items; i++) evidence.push(u.text()!);
    ev.evidence = evidence;
  }
  return ev;
}

export interface AccessKeys {
  epoch: number;
  /** seconds the request took, to widen the window backwards (nginx logs the end time) */
  duration: number;
  status: number;
  connection: number | null;
  client: string | null;
  clientPort: number | null;
  request: string | null;
  /** the file group, so `*CID`s of unrelated servers are not joined */
  group: string;
}

export interface Join {
  /** the entry whose cause the access failure takes */
  twin: IndexedError;
  /**
   * Every entry of the same request in the window (the twin included): attempts on several
   * upstreams, Apache's connect-then-failover lines. All are counted under the access failure.
   */
  same: IndexedError[];
}

/**
 * What the index may hold, in estimated heap bytes: ~30,000-60,000 failures of typical nginx lines,
 * and the peak RSS of an error log stays well under 150 MiB. Files are read by time, each error
 * log just before the access logs it explains (analyze/reading-order.ts), so with daily rotated
 * sets this is what a day needs, not a month; an error log never rotated is read in pieces, each
 * before the access log it explains.
 */
export const INDEX_BUDGET = 16 * 1024 * 1024;
/**
 * The budget when no access log is among the inputs. The index is then only for access lines
 * mixed into an error log (container logs interleave both): nginx writes a failure's error entry
 * just before its access line, so a small recent window serves them. A month of failures in a
 * 16 MiB index was pure churn: every entry promoted to the old generation, then evicted (nginx
 * error log, 4 M lines: 7.1 s and 286 MiB against 5.0 s and 230 MiB).
 */
export const MIXED_ONLY_BUDGET = 1024 * 1024;
/**
 * And at most this many entries wait for a join (see ErrorIndex.deferUntilJoin): an access
 * failure first closes every open chain, so its own error entries are the latest; older ones are
 * requests whose access line came long ago. Few enough that an entry dies young when no join
 * comes (an event and its log line kept over two scavenges were a third of the GC time).
 */
export const MIXED_ONLY_ENTRIES = 256;
/**
 * Heap bytes of one indexed entry besides its packed string (item, queue slots, its share of the
 * Map and the recent list). Measured on the rotated bench's nginx lines with two keys (the heap
 * with and without 20,000 entries, after gc()): 504-516 bytes an entry, where 200 estimated 472.
 */
const ENTRY_BYTES = 240;
/** Heap bytes of one key (Map entry, queue reference; a key is a small integer). */
const KEY_BYTES = 24;
/** A keep-alive connection or a retried request logs several entries under one key: keep the last few. */
const PER_KEY = 8;
/** Slack for clock granularity (1 s) and for the order of writes between the two logs. */
const SLACK_MS = 2_000;

/** Per file group, how many recent entries are kept for the time join (the weakest key). */
export const RECENT_CAPACITY = 2_000;

/** An entry waiting for a join (ErrorIndex.deferUntilJoin). */
interface Staged {
  group: string;
  keys: () => JoinKey[];
  item: IndexedError;
  bytes: number;
}

/** The entries under one key: one entry alone (the usual case) needs no array. */
type Slot = IndexedError | IndexedError[];

function entryBytes(item: IndexedError, keys: JoinKey[]): number {
  return item.bytes + KEY_BYTES * keys.length;
}

export class ErrorIndex {
  private readonly map = new Map<JoinKey, Slot>();
  /**
   * The eviction queue: entries in the order they were added, with their first two keys
   * (NO_KEY for none) and estimated sizes, in parallel arrays of numbers: no object per entry
   * (an array of keys per entry was one more object that every entry's stay promoted). The keys
   * past the second, which few requests have, wait in `moreKeys`.
   */
  private readonly queueItems: IndexedError[] = [];
  private readonly queueKey1: JoinKey[] = [];
  private readonly queueKey2: JoinKey[] = [];
  private readonly queueBytes: number[] = [];
  private readonly moreKeys = new Map<IndexedError, JoinKey[]>();
  private queueHead = 0;
  /** Estimated bytes of the entries in the queue. */
  bytes = 0;
  /**
   * The latest entries of each file group for the time join, by time (see addRecent): those with a
   * time and a typical status, the two things a time join needs.
   */
  private readonly recent = new Map<string, IndexedError[]>();
  evicted = 0;

  /**
   * Also keeps the entry for the time join: access formats without `$connection`/`%{remote}p`
   * (combined) and error lines without any key (Apache AH00941) meet only by time, client and status.
   * The list is kept sorted by time, so that a join looks at its window only: scanning the whole
   * list for every access failure no entry explains (an application's 500s) cost ~4 µs each, a
   * day of nginx logs whose successes were made 500s took 1.55 s against 0.85 s. Entries come
   * nearly in time order (chains close as their request ends), so the insertion moves few.
   */
  private addRecent(group: string, item: IndexedError): void {
    let list = this.recent.get(group);
    if (!list) this.recent.set(group, (list = []));
    if (list.length >= RECENT_CAPACITY) {
      // amortised: drop the older half
      for (const it of list.splice(0, RECENT_CAPACITY >> 1)) if (!it.queued) this.leave(it);
    }
    let j = list.length;
    list.push(item);
    while (j > 0 && list[j - 1].epoch > item.epoch) {
      list[j] = list[j - 1];
      j--;
    }
    list[j] = item;
  }

  constructor(private budget = INDEX_BUDGET) {}

  /**
   * Entries of a run that may see no access line at all (no access log among the inputs: only a
   * mixed container log can still ask for a join). They wait unindexed and unpacked, the latest
   * within the budget, and enter the index when a join asks: a pure error log never pays for it.
   */
  private staged: Staged[] | null = null;
  /** staged[stagedHead …] are the entries waiting (the ones before it left). */
  private stagedHead = 0;
  private stagedBytes = 0;
  private stageLimit = 0;

  /** Keeps only the latest entries (`entries`, within `budget`), indexed when a join asks for them. */
  deferUntilJoin(budget: number, entries: number): void {
    this.budget = budget;
    this.stageLimit = entries;
    this.staged ??= [];
  }

  /**
   * A closed error request: indexed under its keys (distinct; made only when it is indexed) and
   * kept for the time join of its group.
   */
  addEntry(group: string, item: IndexedError, keys: () => JoinKey[]): void {
    let st = this.staged;
    if (st === null) return this.index(group, keys(), item);
    // its keys, not made yet, repeat its client and request: counted as its size once more
    const bytes = 2 * item.bytes;
    st.push({ group, keys, item, bytes });
    this.stagedBytes += bytes;
    // The oldest leave by the head index: shift() moved the whole stage, with a write barrier
    // over it, for every failure (1.4% of a profile of failure lines).
    while ((this.stagedBytes > this.budget || st.length - this.stagedHead > this.stageLimit) && st.length - this.stagedHead > 1) {
      const gone = st[this.stagedHead];
      st[this.stagedHead++] = undefined!;
      this.stagedBytes -= gone.bytes;
      this.evicted++;
      this.leave(gone.item);
    }
    // the slots left behind are dropped once they are as many as the stage holds
    if (this.stagedHead > this.stageLimit) {
      this.staged = st = st.slice(this.stagedHead);
      this.stagedHead = 0;
    }
  }

  private index(group: string, keys: JoinKey[], item: IndexedError): void {
    if (keys.length > 0) this.add(group, keys, item);
    if (item.typicalStatus !== null && !Number.isNaN(item.epoch)) this.addRecent(group, item);
    else if (keys.length === 0) this.leave(item); // nothing can find it
  }

  /** Staged entries enter the index, oldest first. */
  private drainStaged(): void {
    const st = this.staged!;
    for (let i = this.stagedHead; i < st.length; i++) this.index(st[i].group, st[i].keys(), st[i].item);
    st.length = 0;
    this.stagedHead = 0;
    this.stagedBytes = 0;
  }

  /** Indexes an entry of a group under its keys (distinct); evicts the oldest entries past the budget. */
  add(group: string, keys: JoinKey[], item: IndexedError): void {
    item.pack();
    item.queued = true;
    item.group = group;
    const bytes = entryBytes(item, keys);
    this.queueItems.push(item);
    this.queueKey1.push(keys[0]);
    this.queueKey2.push(keys.length > 1 ? keys[1] : NO_KEY);
    if (keys.length > 2) this.moreKeys.set(item, keys.slice(2));
    this.queueBytes.push(bytes);
    this.bytes += bytes;
    for (const k of keys) {
      const slot = this.map.get(k);
      if (slot === undefined) this.map.set(k, item);
      else if (!Array.isArray(slot)) this.map.set(k, [slot, item]);
      else {
        if (slot.length >= PER_KEY) slot.shift();
        slot.push(item);
      }
    }
    while (this.bytes > this.budget && this.queueHead < this.queueItems.length - 1) this.evictOldest();
  }

  /** Number of keys held (for tests and reports). */
  get keyCount(): number {
    return this.map.size;
  }

  /** Entries held (for tests and reports). */
  get size(): number {
    return this.queueItems.length - this.queueHead;
  }

  private evictOldest(): void {
    const h = this.queueHead++;
    const item = this.queueItems[h];
    const k1 = this.queueKey1[h];
    const k2 = this.queueKey2[h];
    this.bytes -= this.queueBytes[h];
    this.evicted++;
    this.queueItems[h] = undefined!;
    item.queued = false;
    if (this.queueHead * 2 > this.queueItems.length) {
      // amortised O(1): the consumed half is cut off at once
      this.queueItems.splice(0, this.queueHead);
      this.queueKey1.splice(0, this.queueHead);
      this.queueKey2.splice(0, this.queueHead);
      this.queueBytes.splice(0, this.queueHead);
      this.queueHead = 0;
    }
    this.unlink(k1, item);
    if (k2 !== NO_KEY) {
      this.unlink(k2, item);
      const more = this.moreKeys.get(item);
      if (more !== undefined) {
        this.moreKeys.delete(item);
        for (const k of more) this.unlink(k, item);
      }
    }
    this.leave(item);
  }

  /** Takes an entry out of a key's slot (which other keys' entries may share: keys are hashes). */
  private unlink(k: JoinKey, item: IndexedError): void {
    const slot = this.map.get(k);
    if (slot === item) this.map.delete(k);
    else if (Array.isArray(slot)) {
      const i = slot.indexOf(item);
      if (i !== -1) slot.splice(i, 1);
      if (slot.length === 1) this.map.set(k, slot[0]);
    }
  }

  /**
   * Told of each entry that leaves the index unclaimed, oldest first: no access line can claim it
   * any more (a time join still can while it is in the group's recent list: the claim then takes
   * the count back). Not called for an entry already `counted`.
   */
  onUnclaimed: ((item: IndexedError) => void) | null = null;

  private leave(item: IndexedError): void {
    if (!item.claimed && !item.counted) this.onUnclaimed?.(item);
  }

  /**
   * Empties the index, telling onUnclaimed of every entry left unclaimed, oldest first. Called
   * when the run leaves a directory (analyze/run.ts): groups are per directory, so no later line
   * can join these entries; and a job of a parallel run that reads only some directories then
   * counts them at the same point of the reading order as one sequential run does.
   */
  settle(): void {
    forgetDecoded();
    for (let i = this.queueHead; i < this.queueItems.length; i++) this.leave(this.queueItems[i]);
    for (const list of this.recent.values()) for (const it of list) this.leave(it);
    if (this.staged !== null) for (let i = this.stagedHead; i < this.staged.length; i++) this.leave(this.staged[i].item);
    this.map.clear();
    this.queueItems.length = this.queueKey1.length = this.queueKey2.length = this.queueBytes.length = 0;
    this.moreKeys.clear();
    this.queueHead = 0;
    this.bytes = 0;
    this.recent.clear();
    if (this.staged !== null) this.staged.length = 0;
    this.stagedHead = 0;
    this.stagedBytes = 0;
  }

  /** The best explaining entry for an access failure, or null. */
  find(a: AccessKeys): IndexedError | null {
    return this.join(a)?.twin ?? null;
  }

  /**
   * The explaining entry and the other entries of the same request. Keys are tried strongest
   * first; within a key, an entry of the same request line beats one of another request on the
   * same keep-alive connection, then the one whose typical status is what the client got (the
   * final attempt), then the latest.
   */
  join(a: AccessKeys): Join | null {
    forgetDecoded();
    if (this.staged !== null && this.staged.length > this.stagedHead) this.drainStaged();
    const keys: JoinKey[] = [];
    if (a.connection !== null) keys.push(connectionKey(a.group, a.connection));
    if (a.client !== null && a.clientPort !== null) keys.push(clientPortKey(a.group, a.client, a.clientPort));
    if (a.client !== null && a.request !== null) keys.push(requestKey(a.group, a.client, a.request));
    const lo = a.epoch - a.duration * 1000 - SLACK_MS;
    const hi = a.epoch + (a.duration + 1) * 1000 + SLACK_MS;
    for (const k of keys) {
      const slot = this.map.get(k);
      if (slot === undefined) continue;
      if (!Array.isArray(slot)) {
        // One entry under the key, the usual case: what the lists below decide for it, without them.
        if (!(Number.isNaN(lo) || (slot.epoch >= lo && slot.epoch <= hi)) || !keyMatches(k, slot, a)) continue;
        const r = slot.event.request;
        if (a.request === null || r === null || r === a.request || (k & KIND_MASK) === CONNECTION) return { twin: slot, same: [slot] };
        continue;
      }
      const list = slot;
      // an access format without a time joins on the key alone
      const inWindow = list.filter((it) => (Number.isNaN(lo) || (it.epoch >= lo && it.epoch <= hi)) && keyMatches(k, it, a));
      if (inWindow.length === 0) continue;
      // On a keep-alive connection, entries of other requests share the key: keep the same request
      // line when one has it. (A request line that differs only by escaping still joins.)
      const sameRequest = a.request === null ? [] : inWindow.filter((it) => it.event.request === a.request);
      const unknownRequest = inWindow.filter((it) => it.event.request === null || a.request === null);
      // Strong key, request lines differ (escaping): the best of them explains it, alone.
      const differing = (k & KIND_MASK) === CONNECTION ? inWindow : [];
      const same = sameRequest.length > 0 ? sameRequest : unknownRequest.length > 0 ? unknownRequest : differing;
      let best: IndexedError | null = null;
      for (const it of same) {
        // the attempt whose typical status is what the client got (the final one), then the latest
        if (best === null) best = it;
        else {
          const itMatches = it.typicalStatus === a.status;
          const bestMatches = best.typicalStatus === a.status;
          if ((itMatches && !bestMatches) || (itMatches === bestMatches && it.epoch >= best.epoch)) best = it;
        }
      }
      if (best) return { twin: best, same: same === differing ? [best] : same };
    }
    return this.joinByTime(a, lo, hi);
  }

  /**
   * The weakest key: an unclaimed entry of the same file group in the request's window that gives
   * the status the client got, from the same client (or from no client: a server-level line),
   * nearest to when the error should have been written (nginx logs the end of the request, Apache
   * %t its start). Only used when no stronger key matched.
   */
  private joinByTime(a: AccessKeys, lo: number, hi: number): Join | null {
    const list = this.recent.get(a.group);
    if (!list || Number.isNaN(a.epoch)) return null;
    const expected = a.epoch + (a.group.startsWith('apache:') ? a.duration * 1000 : 0);
    // the window's entries (no bound known when the duration is not a number: the whole list)
    const from = Number.isNaN(lo) ? 0 : firstAtOrAfter(list, lo);
    let to = from;
    while (to < list.length && !(list[to].epoch > hi)) to++;
    let best: IndexedError | null = null;
    for (let i = from; i < to; i++) {
      const it = list[i];
      if (it.claimed || it.typicalStatus !== a.status) continue; // before decoding
      if (it.event.client !== null && a.client !== null && it.event.client !== a.client) continue;
      if (best === null || Math.abs(it.epoch - expected) < Math.abs(best.epoch - expected)) best = it;
    }
    if (!best) return null;
    // Other entries of that same request (a balancer failover logs one per member): its port says so.
    const port = best.event.clientPort;
    if (port === undefined) return { twin: best, same: [best] };
    const same: IndexedError[] = [];
    for (let i = from; i < to; i++) {
      const it = list[i];
      if (!it.claimed && it.event.clientPort === port && it.event.client === best.event.client) same.push(it);
    }
    return { twin: best, same };
  }
}

/** The index of the first entry at or after `t` in a list sorted by time (its length if none). */
function firstAtOrAfter(list: IndexedError[], t: number): number {
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (list[mid].epoch < t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

// A string made by `+` is a tree of its parts (a cons string) that keeps the log line its parts
// were cut from alive for as long as the index holds it: reading a character flattens it into a
// copy of its own. Array#join made the same flat copy at ~6x the cost (175 against 28 ns here).
function flat(text: string): string {
  text.charCodeAt(0);
  return text;
}

/**
 * A join key: a 28-bit FNV-1a hash of the key's fields, shifted left by 2 over its kind, so a
 * small integer that V8 keeps in the Map unboxed. String keys (`r|group|client|request`) were a
 * copy of the client and request line per key, built, hashed by V8, kept and freed for every
 * failure: hashed, ten days of rotated logs ran ~6% faster. Different fields can share a key, so
 * a join takes only the entries whose own fields are the access line's (keyMatches), and a
 * slot may hold entries of several keys. The seed is fixed: a crafted collision only puts the
 * crafter's requests in one slot (PER_KEY of them at most), where the check tells them apart.
 */
export type JoinKey = number;
const CONNECTION = 0;
const CLIENT_PORT = 1;
const REQUEST = 2;
const KIND_MASK = 3;
/** No key (keys are non-negative). */
const NO_KEY = -1;

function mixText(h: number, text: string): number {
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), FNV_PRIME);
  return Math.imul(h ^ 0x7c, FNV_PRIME); // a separator: "ab" + "c" is not "a" + "bc"
}

/** A non-negative integer of up to 2^53, as its low and high 32 bits. */
function mixNumber(h: number, n: number): number {
  h = Math.imul(h ^ (n >>> 0), FNV_PRIME);
  return Math.imul(h ^ Math.floor(n / 0x1_0000_0000), FNV_PRIME);
}

function joinKey(kind: number, h: number): JoinKey {
  return ((h >>> 4) << 2) | kind;
}

/**
 * The hash of the last group seen. Every key starts with its group, a path of 30-60 characters
 * that changes once a file: hashed for each key of each failure (two to three a join, as many an
 * index entry), it was most of the key making's cost on ten days of rotated logs.
 */
let lastGroup = '';
let lastGroupHash = mixText(FNV_OFFSET, '');
function groupHash(group: string): number {
  if (group !== lastGroup) {
    lastGroupHash = mixText(FNV_OFFSET, group);
    lastGroup = group;
  }
  return lastGroupHash;
}

export function connectionKey(group: string, cid: number): JoinKey {
  return joinKey(CONNECTION, mixNumber(groupHash(group), cid));
}
export function clientPortKey(group: string, client: string, port: number): JoinKey {
  return joinKey(CLIENT_PORT, mixNumber(mixText(groupHash(group), client), port));
}
export function requestKey(group: string, client: string, request: string): JoinKey {
  return joinKey(REQUEST, mixText(mixText(groupHash(group), client), request));
}

/** Whether an entry found under key `k` has the fields the access line's key was made of. */
function keyMatches(k: JoinKey, it: IndexedError, a: AccessKeys): boolean {
  if (it.group !== a.group) return false;
  switch (k & KIND_MASK) {
    case CONNECTION:
      return it.connection === a.connection;
    case CLIENT_PORT:
      return it.event.client === a.client && it.event.clientPort === a.clientPort;
    default:
      return it.event.client === a.client && it.event.request === a.request;
  }
}
