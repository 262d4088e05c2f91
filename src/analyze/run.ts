import { once } from 'events';
import * as path from 'path';
import { Writable } from 'stream';
import { InputError, InputSpec } from '../input/discover';
import { openInput } from '../input/open';
import { Analyzer } from './analyzer';
import { FileReader, ReadOptions } from './read-file';
import { Piece, Ranked, mayHoldAccessLogs, readingOrder } from './reading-order';

/**
 * Runs the batch pipeline over all inputs, one file (or piece of one) at a time, in the order
 * readingOrder() gives: by time, each error log before the access logs it can explain, so that
 * when an access-log failure arrives the error entries that explain it are in the (bounded)
 * correlation index.
 */

/** Told once per chunk read (never per line), so a run without progress pays one test per MiB. */
export interface ProgressSink {
  tick(bytesDone: number, lines: number): void;
  done(): void;
}

export interface RunResult {
  /** Inputs that could not be opened at all (path: reason). */
  unreadable: InputError[];
}

export async function runAnalysis(
  inputs: InputSpec[],
  analyzer: Analyzer,
  opts: ReadOptions,
  output?: Writable,
  progress?: ProgressSink,
): Promise<RunResult> {
  return runOrdered(await readingOrder(inputs, opts), analyzer, opts, output, progress);
}

/** runAnalysis over inputs already in reading order (readingOrder), read in that order. */
export async function runOrdered(
  ranked: Ranked[],
  analyzer: Analyzer,
  opts: ReadOptions,
  output?: Writable,
  progress?: ProgressSink,
): Promise<RunResult> {
  if (!mayHoldAccessLogs(ranked)) analyzer.noAccessLogs();
  const unreadable: InputError[] = [];
  const pieces = new PieceReaders();
  let bytesBefore = 0;
  let linesBefore = 0;
  for (let i = 0; i < ranked.length; i++) {
    const { spec, piece } = ranked[i];
    const tick = progress ? (bytes: number, lines: number) => progress.tick(bytesBefore + bytes, linesBefore + lines) : undefined;
    const read = await readInput(spec, analyzer, opts, output, tick, piece && pieces.of(spec, piece, analyzer, opts));
    if (read.unreadable) unreadable.push(read.unreadable);
    bytesBefore += read.bytes;
    linesBefore += read.lines;
    if (leavesGroup(ranked[i], ranked[i + 1])) analyzer.settle();
  }
  progress?.done();
  return { unreadable };
}

/**
 * The run moves past the last file that can join `cur`'s error entries: the next is in another
 * directory (a group is a server's files in one directory: analyze/analyzer.ts fileGroup), or
 * the PHP-FPM pass ends (a parallel run reads it as a job of its own), or the run ends.
 */
export function leavesGroup(cur: Ranked, next: Ranked | undefined): boolean {
  return next === undefined || path.dirname(next.spec.path) !== path.dirname(cur.spec.path) || (next.rank === 0) !== (cur.rank === 0);
}

/** One piece of a file (reading-order.ts cutByTime) and the reader that reads all of them. */
export interface PieceRead {
  piece: Piece;
  reader: FileReader;
}

/** The readers of the files read in pieces: one reader a file, so its line numbers and counts go on. */
export class PieceReaders {
  private readonly open = new Map<string, FileReader>();

  of(spec: InputSpec, piece: Piece, analyzer: Analyzer, opts: ReadOptions): PieceRead {
    let reader = this.open.get(spec.path);
    if (reader === undefined || piece.first) this.open.set(spec.path, (reader = new FileReader(spec.path, analyzer, opts, spec)));
    if (piece.last) this.open.delete(spec.path);
    return { piece, reader };
  }
}

/**
 * Reads one input into the analyzer and appends its FileStats to the summary. `tick` is told the
 * bytes (on disk) and lines of this input read so far, once per chunk. A piece of a file is read
 * by the file's reader: its FileStats join the summary with the first piece and are complete
 * after the last.
 */
export async function readInput(
  spec: InputSpec,
  analyzer: Analyzer,
  opts: ReadOptions,
  output?: Writable,
  tick?: (bytes: number, lines: number) => void,
  part?: PieceRead,
): Promise<{ unreadable: InputError | null; bytes: number; lines: number; newFile: boolean }> {
  const reader = part?.reader ?? new FileReader(spec.path, analyzer, opts, spec);
  // the file broke off in an earlier piece: what was read stays counted, the rest is not read
  if (part && !part.piece.first && reader.stats.error) return { unreadable: null, bytes: 0, lines: 0, newFile: false };
  const linesBefore = reader.linesSoFar;
  let unreadable: InputError | null = null;
  let size = 0;
  try {
    const opened = openInput(spec.path, part?.piece);
    reader.stats.compression = opened.compression;
    if (opened.size !== null && (!part || part.piece.first)) reader.expectBytes(opened.size);
    let bytes = 0; // stdin has no file position: count what came through
    // a plain file is read into the scanning module's memory once the reader has made one
    let readInto = opened.readInto;
    try {
      for await (const chunk of opened.chunks) {
        bytes += chunk.length;
        reader.push(chunk);
        if (readInto !== undefined) {
          const bufs = reader.readBuffers();
          if (bufs !== null) {
            readInto(bufs);
            readInto = undefined;
          }
        }
        if (tick) tick(opened.position?.() ?? bytes, reader.linesSoFar);
        // NDJSON to a slow pipe: wait rather than buffer the whole run in memory.
        if (output && output.writableNeedDrain) await once(output, 'drain');
      }
      // A plain file that ends before its size at open was cut under us (copytruncate, a full disk
      // being cleaned): what was read is counted, the rest is reported as missing.
      if (opened.compression === null && opened.size !== null && bytes < opened.size) {
        reader.fail(new InputError(spec.path, `file shrank while being read (${bytes} of ${opened.size} bytes read; truncated or rotated with copytruncate?)`));
      }
    } catch (err) {
      // a pipe tells what it holds only once read: one that cannot be read at all is unreadable
      if (err instanceof InputError && bytes === 0) throw err;
      reader.fail(err);
    }
    // known once a pipe's first bytes were read
    reader.stats.compression = opened.compression;
    // A piece ends at an entry head: its last entry is complete and goes to the analyzer now.
    if (part && !part.piece.last && !reader.stats.error) reader.idle();
    else reader.finish();
    size = opened.size ?? bytes;
    // the last requests of an error log are complete: join them before the next file
    analyzer.flush();
  } catch (err) {
    if (err instanceof InputError) {
      unreadable = err;
      reader.stats.error = err.reason;
    } else throw err;
  }
  const newFile = !part || part.piece.first;
  if (newFile) analyzer.summary.files.push(reader.stats);
  return { unreadable, bytes: size, lines: reader.linesSoFar - linesBefore, newFile };
}
