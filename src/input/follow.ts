import * as fs from 'fs';
import * as path from 'path';
import { discoverInputs, orderRotationSets, rotationKey } from './discover';
import * as zlib from 'zlib';
import { READ_CHUNK, pageAligned } from './open';

/**
 * Follows one log path as it grows, across rotations, reading each file through its own
 * descriptor so that nothing written before a switch is lost:
 *
 * - rename-and-create and delete-and-recreate: the old file stays readable through the open
 *   descriptor; it is read to its end and watched for late writes (nginx keeps writing to it
 *   until it reopens its logs) before the new file is read from its first byte;
 * - copytruncate: detected by size or by the bytes just before our position changing (a file
 *   truncated and refilled past our position between two polls); the lines written after our
 *   last read went into logrotate's copy, so they are read from there, from our position on;
 * - a file that does not exist yet is read from its first byte once it appears;
 * - rotations faster than the poll: rotated files newer than the one we held are read whole.
 *
 * Each file (or part of one) is handed to the caller as a Segment, so a line never straddles
 * two files.
 */

export type SwitchReason =
  | 'start' // the file was there when tail started
  | 'appeared' // created after tail started
  | 'renamed' // rename-and-create rotation: the path now names a new file
  | 'recreated' // the file was deleted and created again
  | 'truncated' // truncated in place (copytruncate): reading resumes at the start
  | 'copy' // the tail of a truncated file, read from logrotate's copy
  | 'skipped' // a rotated file that lived only between two polls, read whole
  | 'truncated-no-copy'; // truncated, and no copy holds the lines written since our last read

export interface Segment {
  data(chunk: Buffer): void;
  /** Everything available has been read for now. */
  idle(): void;
  /** No more data will come. */
  end(): void;
}

export interface FollowHandlers {
  open(file: string, reason: SwitchReason): Segment;
  /** A problem that does not stop following (unreadable file, vanished directory). */
  warn(message: string): void;
}

export interface FollowOptions {
  fromStart: boolean;
  /** How long a rotated-away file is watched for late writes after its last growth. */
  graceMs: number;
  /** Called between chunks: a promise makes the reader wait (output backpressure). */
  wait?: () => Promise<void> | null;
}

/** The bytes just before our position: a file truncated and refilled past it no longer has them. */
const FINGERPRINT = 64;

interface Generation {
  fd: number;
  ino: number;
  dev: number;
  pos: number;
  fp: Buffer;
  seg: Segment;
  lastGrowth: number;
  /**
   * Rotated files (dev:ino) already there when this file was opened or last truncated: a new one
   * that appears while we are at byte 0 is a copy of content we never saw (a copytruncate
   * before our first read of the file).
   */
  known: Set<string>;
  /** The first bytes of this file as we read them (since the last truncation). */
  head: Buffer;
}

const chunkBuf = pageAligned(READ_CHUNK);
/** One busy file does not keep the others (or the rotation checks) waiting longer than this. */
const MAX_READ_PER_POLL = 16 * READ_CHUNK;

function sameBytes(a: Buffer, b: Buffer): boolean {
  return a.length === b.length && a.equals(b);
}

/** The rotated files of `live`'s set (access.log.1, access.log-20241116.gz, ...), oldest first. */
export function rotatedFiles(live: string): string[] {
  const dir = path.dirname(live);
  let names: string[];
  try {
    names = fs.readdirSync(dir);
  } catch {
    return [];
  }
  const base = rotationKey(live).base;
  const set = names.map((n) => path.join(dir, n)).filter((f) => f !== live && rotationKey(f).base === base);
  return orderRotationSets(set).map((s) => s.path);
}

/** Live (not rotated, not compressed) log files under a directory. */
export function liveFilesIn(dir: string): string[] {
  try {
    return discoverInputs([dir])
      .filter((s) => s.path === s.rotationBase && !/\.(gz|bz2|xz|zst)$/.test(s.path))
      .map((s) => s.path);
  } catch {
    return [];
  }
}

/** A rotated file, opened: names shift under a running logrotate, descriptors do not. */
interface Rotated {
  name: string;
  fd: number;
  st: fs.Stats;
  /** Its descriptor now belongs to a stream that closes it. */
  taken?: boolean;
}

/**
 * The rotated files of `live`'s set, opened, oldest first. Listed again after opening until two
 * listings agree, so a rotation in the middle does not make us open one file twice or miss one.
 */
function snapshotRotated(live: string): Rotated[] {
  for (let attempt = 0; ; attempt++) {
    const names = rotatedFiles(live);
    const files: Rotated[] = [];
    for (const name of names) {
      try {
        const fd = fs.openSync(name, 'r');
        files.push({ name, fd, st: fs.fstatSync(fd) });
      } catch {
        // rotated away meanwhile: the second listing will differ
      }
    }
    const again = rotatedFiles(live);
    const stable =
      again.length === files.length &&
      again.every((n, i) => {
        try {
          const st = fs.statSync(n);
          return n === files[i].name && st.ino === files[i].st.ino;
        } catch {
          return false;
        }
      });
    if (stable || attempt >= 20) return files;
    closeAll(files);
  }
}

function devIno(st: fs.Stats): string {
  return `${st.dev}:${st.ino}`;
}

function fileKey(st: fs.Stats): string {
  return `${st.dev}:${st.ino}:${st.size}`;
}

function closeAll(files: Rotated[]): void {
  for (const f of files) fs.closeSync(f.fd);
}

function isGzip(fd: number): boolean {
  const b = Buffer.alloc(2);
  return fs.readSync(fd, b, 0, 2, 0) === 2 && b[0] === 0x1f && b[1] === 0x8b;
}

/** A stream of a rotated file's (decompressed) bytes, from its descriptor; closes it at the end. */
function streamOf(f: Rotated): NodeJS.ReadableStream & { destroy(): void } {
  const gz = isGzip(f.fd);
  const raw = fs.createReadStream('', { fd: f.fd, start: 0, highWaterMark: READ_CHUNK, autoClose: true });
  if (!gz) return raw;
  const gunzip = zlib.createGunzip({ chunkSize: READ_CHUNK });
  raw.on('error', (e) => gunzip.destroy(e));
  gunzip.on('close', () => raw.destroy());
  return raw.pipe(gunzip);
}

export class LogFollower {
  private cur: Generation | null = null;
  private readonly old: Generation[] = [];
  private started = false;
  private closed = false;
  private warned: string | null = null;
  /** Rotated files already read whole (a renamed file keeps inode and size as it shifts down the set). */
  private readonly readWholly: string[] = [];
  /** More was left to read at the end of the last poll. */
  behind = false;

  constructor(
    readonly path: string,
    private readonly h: FollowHandlers,
    private readonly opts: FollowOptions,
    /** false for a file found after tail started: all of it is new. */
    private readonly existedAtStart = true,
  ) {}

  /** Reads whatever is new. Not re-entrant: the caller serialises polls. */
  async poll(): Promise<void> {
    if (this.closed) return;
    this.behind = false;
    const now = Date.now();
    for (const g of [...this.old]) {
      await this.readGen(g);
      if (now - g.lastGrowth > this.opts.graceMs) this.retire(g);
    }
    let st: fs.Stats | null = null;
    try {
      st = fs.statSync(this.path);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code !== 'ENOENT' && code !== 'ENOTDIR') this.warnOnce(`${this.path}: ${(err as Error).message}`);
    }
    const cur = this.cur;
    let reason: SwitchReason = this.started || !this.existedAtStart ? 'appeared' : 'start';
    if (cur && (!st || st.ino !== cur.ino || st.dev !== cur.dev)) {
      // Renamed away or deleted: what was written to it is still readable through our descriptor
      // (checked for a copytruncate first: it was the live file until now).
      await this.readCurrent(cur);
      this.old.push(cur);
      this.cur = null;
      reason = fs.fstatSync(cur.fd).nlink === 0 ? 'recreated' : 'renamed';
    }
    if (!this.cur && st && st.isFile()) {
      this.open(reason);
      if (cur && reason === 'renamed') await this.readSkipped(cur);
    }
    if (this.cur) await this.readCurrent(this.cur);
    for (const g of this.old) g.seg.idle();
    this.cur?.seg.idle();
    this.started = true;
  }

  /** Stops following: whatever is left in the open files is read first. */
  async close(): Promise<void> {
    if (this.closed) return;
    for (const g of [...this.old]) {
      await this.readGen(g);
      this.retire(g);
    }
    if (this.cur) {
      await this.readCurrent(this.cur);
      this.retire(this.cur);
      this.cur = null;
    }
    this.closed = true;
  }

  private open(reason: SwitchReason): void {
    let fd: number;
    try {
      fd = fs.openSync(this.path, 'r');
    } catch (err) {
      this.warnOnce(`${this.path}: ${(err as Error).message}`);
      return;
    }
    this.warned = null;
    const st = fs.fstatSync(fd);
    const atEnd = reason === 'start' && !this.opts.fromStart;
    const pos = atEnd ? st.size : 0;
    const fp = Buffer.alloc(Math.min(FINGERPRINT, pos));
    if (fp.length > 0) fs.readSync(fd, fp, 0, fp.length, pos - fp.length);
    const seg = this.h.open(this.path, reason);
    this.cur = { fd, ino: st.ino, dev: st.dev, pos, fp, seg, lastGrowth: Date.now(), known: new Set(), head: Buffer.alloc(0) };
    const set = snapshotRotated(this.path);
    this.cur.known = this.knownKeys(set);
    closeAll(set);
  }

  private retire(g: Generation): void {
    g.seg.idle();
    g.seg.end();
    fs.closeSync(g.fd);
    const i = this.old.indexOf(g);
    if (i >= 0) this.old.splice(i, 1);
  }

  private async readCurrent(g: Generation): Promise<void> {
    const size = fs.fstatSync(g.fd).size;
    if (size < g.pos || !this.fingerprintHolds(g)) await this.truncated(g);
    await this.readGen(g, true);
  }

  private fingerprintHolds(g: Generation): boolean {
    if (g.fp.length === 0) return true;
    const now = Buffer.alloc(g.fp.length);
    const n = fs.readSync(g.fd, now, 0, now.length, g.pos - now.length);
    return n === now.length && sameBytes(now, g.fp);
  }

  /** copytruncate: finish the old content from logrotate's copy, then start again at byte 0. */
  private async truncated(g: Generation): Promise<void> {
    const recovered = g.pos === 0 ? true : await this.recoverFromCopy(g);
    g.seg.idle();
    g.seg.end();
    g.pos = 0;
    g.fp = Buffer.alloc(0);
    g.head = Buffer.alloc(0);
    g.seg = this.h.open(this.path, recovered ? 'truncated' : 'truncated-no-copy');
  }

  private recoverFromCopy(g: Generation): Promise<boolean> {
    return this.withSnapshot(async (set) => {
      let found = false;
      // Newest first: the copy just made is usually the one that continues where we were. Every
      // rotated file is searched (they are all open already): a reader that fell several
      // rotations behind (a burst, a slow output pipe) finds its copy further down the set, and
      // the newer copies after it are then read whole.
      for (let i = set.length - 1; i >= 0; i--) {
        if (set[i].st.ino === g.ino && set[i].st.dev === g.dev) continue;
        if (await this.readCopyFrom(set[i], g)) {
          for (const f of set.slice(i + 1)) if (this.isMissed(f, g)) await this.readWhole(f);
          found = true;
          break;
        }
      }
      g.known = this.knownKeys(set);
      return found;
    });
  }

  /** At byte 0 of the live file: copies made since we last looked hold lines we never read. */
  private catchUpCopies(g: Generation): Promise<void> {
    return this.withSnapshot(async (set) => {
      for (const f of set) if (!g.known.has(devIno(f.st)) && this.isMissed(f, g)) await this.readWhole(f);
      g.known = this.knownKeys(set);
    });
  }

  private async withSnapshot<T>(f: (set: Rotated[]) => T | Promise<T>): Promise<T> {
    const set = snapshotRotated(this.path);
    try {
      return await f(set);
    } finally {
      for (const r of set) if (!r.taken) fs.closeSync(r.fd);
    }
  }

  /** The rotated files that are not a copy of the live file still being made. */
  private knownKeys(set: Rotated[]): Set<string> {
    // A file just read through its descriptor (now closed) is known by definition.
    return new Set(set.filter((f) => f.taken || !this.isCopyOfLive(f)).map((f) => devIno(f.st)));
  }

  /**
   * Delivers `f` from g.pos on, if its bytes before g.pos are the ones we read last. Only plain
   * copies: logrotate compresses a copy later (or, without delaycompress, under another name).
   */
  private async readCopyFrom(f: Rotated, g: Generation): Promise<boolean> {
    if (isGzip(f.fd) || f.st.size < g.pos) return false;
    const before = Buffer.alloc(g.fp.length);
    if (fs.readSync(f.fd, before, 0, before.length, g.pos - before.length) !== before.length || !sameBytes(before, g.fp)) return false;
    f.taken = true;
    const stream = fs.createReadStream('', { fd: f.fd, start: g.pos, highWaterMark: READ_CHUNK, autoClose: true });
    try {
      for await (const c of stream) {
        g.seg.data(c as Buffer);
        await this.opts.wait?.();
      }
    } catch {
      // gave what it gave
    } finally {
      stream.destroy();
    }
    return true;
  }

  /** Rename rotations faster than our polls: files between the one we held and the live one. */
  private readSkipped(prev: Generation): Promise<void> {
    return this.withSnapshot(async (set) => {
      const at = set.findIndex((f) => f.st.ino === prev.ino && f.st.dev === prev.dev);
      if (at >= 0) for (const f of set.slice(at + 1)) if (this.isMissed(f, prev)) await this.readWhole(f);
      if (this.cur) this.cur.known = this.knownKeys(set);
    });
  }

  /**
   * A rotated file we have not read: not a file we hold open (by inode), and not a copy of the
   * live file that logrotate has made but not yet truncated (it starts with the live file's bytes;
   * those lines are read from the live file, or from the copy once the truncation is seen).
   */
  private isMissed(f: Rotated, held: Generation): boolean {
    for (const g of [held, this.cur, ...this.old]) if (g && g.ino === f.st.ino && g.dev === f.st.dev) return false;
    if (this.readWholly.includes(fileKey(f.st))) return false;
    return !this.isCopyOfLive(f);
  }

  /**
   * Starts with the first bytes of the live file as we are reading it: logrotate's copy of it
   * (its lines come from the live file, or from the copy once the truncation is seen).
   */
  private isCopyOfLive(f: Rotated): boolean {
    const live = this.cur;
    if (!live || isGzip(f.fd)) return false;
    let a = live.head;
    if (a.length === 0) {
      a = Buffer.alloc(FINGERPRINT);
      a = a.subarray(0, fs.readSync(live.fd, a, 0, FINGERPRINT, 0));
    }
    if (a.length === 0) return false;
    const b = Buffer.alloc(a.length);
    return fs.readSync(f.fd, b, 0, b.length, 0) === b.length && a.equals(b);
  }

  private async readWhole(f: Rotated): Promise<void> {
    f.taken = true;
    this.remember(f.st);
    const stream = streamOf(f);
    const seg = this.h.open(f.name, 'skipped');
    try {
      for await (const c of stream) {
        seg.data(c as Buffer);
        await this.opts.wait?.();
      }
    } catch {
      // gave what it gave
    } finally {
      stream.destroy();
    }
    seg.idle();
    seg.end();
  }

  private async readGen(g: Generation, live = false): Promise<void> {
    for (let budget = MAX_READ_PER_POLL; budget > 0; ) {
      const n = fs.readSync(g.fd, chunkBuf, 0, chunkBuf.length, g.pos);
      if (n <= 0) return;
      if (live && !this.fingerprintHolds(g)) {
        await this.truncated(g);
        continue;
      }
      if (live && g.pos === 0) {
        // The first bytes of a file: copies made before them hold lines we never saw.
        g.head = Buffer.from(chunkBuf.subarray(0, Math.min(n, FINGERPRINT)));
        await this.catchUpCopies(g);
      }
      g.pos += n;
      budget -= n;
      g.lastGrowth = Date.now();
      g.fp = n >= FINGERPRINT ? Buffer.from(chunkBuf.subarray(n - FINGERPRINT, n)) : Buffer.concat([g.fp, chunkBuf.subarray(0, n)]).subarray(-FINGERPRINT);
      g.seg.data(chunkBuf.subarray(0, n));
      const w = this.opts.wait?.();
      if (w) await w;
    }
    this.behind = true;
  }

  private remember(st: fs.Stats): void {
    this.readWholly.push(fileKey(st));
    if (this.readWholly.length > 256) this.readWholly.shift();
  }

  private warnOnce(msg: string): void {
    if (this.warned === msg) return;
    this.warned = msg;
    this.h.warn(msg);
  }
}

export interface FollowSetOptions extends FollowOptions {
  pollMs: number;
  /** Order of reading within one poll (error logs before access logs, for the correlation). */
  rank?: (file: string) => number;
  /** Called when every file has been read once more. */
  afterPoll?: () => void;
}

/**
 * Follows the paths given on the command line: files (existing or not yet) and directories,
 * where new live log files are picked up as they appear (rotated ones are not: their lines
 * were read from the live file).
 */
export class FollowSet {
  private readonly followers = new Map<string, LogFollower>();
  private readonly dirs: string[] = [];
  private readonly watchers: fs.FSWatcher[] = [];
  private timer: NodeJS.Timeout | null = null;
  private polling: Promise<void> | null = null;
  private again = false;
  private stopped = false;

  constructor(
    private readonly targets: string[],
    private readonly h: FollowHandlers,
    private readonly opts: FollowSetOptions,
  ) {}

  get files(): string[] {
    return [...this.followers.keys()];
  }

  async start(): Promise<void> {
    const watchDirs = new Set<string>();
    for (const t of this.targets) {
      let isDir = false;
      try {
        isDir = fs.statSync(t).isDirectory();
      } catch {
        // not there yet: followed as a file
      }
      if (isDir) {
        this.dirs.push(t);
        watchDirs.add(t);
        for (const f of liveFilesIn(t)) this.add(f, true);
      } else {
        this.add(t, true);
        watchDirs.add(path.dirname(t));
        if (!fs.existsSync(path.dirname(t))) this.h.warn(`${t}: its directory does not exist (yet); waiting for it`);
      }
    }
    for (const d of watchDirs) {
      try {
        // Rotations and writes are seen at once; the timer is the fallback (NFS, missed events).
        this.watchers.push(fs.watch(d, { persistent: false }, () => this.kick()));
      } catch {
        // no inotify here: polling alone
      }
    }
    await this.pollAll();
    this.schedule();
  }

  private add(file: string, existedAtStart: boolean): void {
    if (!this.followers.has(file)) this.followers.set(file, new LogFollower(file, this.h, this.opts, existedAtStart));
  }

  /** Polls soon (coalescing the bursts of events a busy log produces). */
  kick(): void {
    if (this.stopped) return;
    if (this.polling) {
      this.again = true;
      return;
    }
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.tick(), 5);
  }

  private schedule(): void {
    if (this.stopped) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.tick(), this.opts.pollMs);
  }

  private async tick(): Promise<void> {
    this.timer = null;
    await this.pollAll();
    if (this.again) {
      this.again = false;
      this.kick();
    } else this.schedule();
  }

  async pollAll(): Promise<void> {
    while (this.polling) await this.polling;
    this.polling = this.pollOnce();
    try {
      await this.polling;
    } finally {
      this.polling = null;
    }
  }

  private async pollOnce(): Promise<void> {
    for (const d of this.dirs) for (const f of liveFilesIn(d)) this.add(f, false);
    const rank = this.opts.rank ?? (() => 0);
    const order = [...this.followers.values()].sort((a, b) => rank(a.path) - rank(b.path));
    for (const f of order) {
      if (this.stopped) return;
      try {
        await f.poll();
      } catch (err) {
        // A file that misbehaves (EIO, a descriptor gone) must not stop the others.
        this.h.warn(`${f.path}: ${(err as Error).message}`);
      }
      if (f.behind) this.again = true;
    }
    this.opts.afterPoll?.();
  }

  /** Reads what is left and closes every file. */
  async close(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    for (const w of this.watchers) w.close();
    while (this.polling) await this.polling;
    for (const f of this.followers.values()) await f.close();
  }
}
