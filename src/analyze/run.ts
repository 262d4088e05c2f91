import { once } from 'events';
import * as fs from 'fs';
import { Writable } from 'stream';
import { LogKind } from '../model';
import { InputError, InputSpec } from '../input/discover';
import { openInput } from '../input/open';
import { detect } from '../parse/detect';
import { Analyzer } from './analyzer';
import { FileReader, ReadOptions } from './read-file';

/**
 * Runs the batch pipeline over all inputs. Error logs are read before access logs, so that when
 * an access-log failure arrives, the error entries that explain it are already in the (bounded)
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

const PEEK_BYTES = 256 * 1024;

/** The kind of a file from its first bytes (decompressed), without consuming the real read. */
export async function peekKind(p: string, opts: ReadOptions, known?: LogKind): Promise<LogKind | null> {
  if (known) return known;
  if (p === '-') return null;
  // A FIFO or device is not opened here: opening blocks until a writer comes, and a peek would
  // consume what the real read needs. It is read in its command-line place.
  if (!fs.statSync(p).isFile()) return null;
  const opened = openInput(p);
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
  while (pos < text.length && lines.length < 64) {
    let nl = text.indexOf(10, pos);
    if (nl === -1) nl = text.length;
    if (nl > pos) lines.push(text.subarray(pos, nl));
    pos = nl + 1;
  }
  const d = detect(lines, { ...opts, pathHint: p });
  return d ? d.kind : null;
}

const ERROR_FIRST: Record<string, number> = { 'php-fpm': 0, 'nginx-error': 1, 'apache-error': 1 };

/** The inputs in reading order, each with its rank: 0 PHP-FPM, 1 proxy error logs, 2 the rest. */
export async function rankForCorrelation(inputs: InputSpec[], opts: ReadOptions): Promise<{ spec: InputSpec; rank: number }[]> {
  const ranked: { spec: InputSpec; rank: number; i: number }[] = [];
  for (let i = 0; i < inputs.length; i++) {
    let kind: LogKind | null = null;
    try {
      kind = await peekKind(inputs[i].path, opts, inputs[i].kind);
    } catch {
      kind = null; // unreadable: reported when it is read
    }
    ranked.push({ spec: inputs[i], rank: kind !== null && kind in ERROR_FIRST ? ERROR_FIRST[kind] : 2, i });
  }
  ranked.sort((a, b) => a.rank - b.rank || a.i - b.i);
  return ranked.map((r) => ({ spec: r.spec, rank: r.rank }));
}

export async function runAnalysis(
  inputs: InputSpec[],
  analyzer: Analyzer,
  opts: ReadOptions,
  output?: Writable,
  progress?: ProgressSink,
): Promise<RunResult> {
  return runOrdered(await rankForCorrelation(inputs, opts), analyzer, opts, output, progress);
}

/** False when every input is known, from its first lines, to be an error or PHP-FPM log. */
export function mayHoldAccessLogs(ranked: { rank: number }[]): boolean {
  return ranked.some((r) => r.rank >= 2);
}

/** runAnalysis over inputs already ranked (rankForCorrelation), read in that order. */
export async function runOrdered(
  ranked: { spec: InputSpec; rank: number }[],
  analyzer: Analyzer,
  opts: ReadOptions,
  output?: Writable,
  progress?: ProgressSink,
): Promise<RunResult> {
  if (!mayHoldAccessLogs(ranked)) analyzer.noAccessLogs();
  const unreadable: InputError[] = [];
  let bytesBefore = 0;
  let linesBefore = 0;
  for (const { spec } of ranked) {
    const tick = progress ? (bytes: number, lines: number) => progress.tick(bytesBefore + bytes, linesBefore + lines) : undefined;
    const read = await readInput(spec, analyzer, opts, output, tick);
    if (read.unreadable) unreadable.push(read.unreadable);
    bytesBefore += read.bytes;
    linesBefore += read.lines;
  }
  progress?.done();
  return { unreadable };
}

/**
 * Reads one input into the analyzer and appends its FileStats to the summary. `tick` is told the
 * bytes (on disk) and lines of this input read so far, once per chunk.
 */
export async function readInput(
  spec: InputSpec,
  analyzer: Analyzer,
  opts: ReadOptions,
  output?: Writable,
  tick?: (bytes: number, lines: number) => void,
): Promise<{ unreadable: InputError | null; bytes: number; lines: number }> {
  const reader = new FileReader(spec.path, analyzer, opts, spec);
  let unreadable: InputError | null = null;
  let size = 0;
  try {
    const opened = openInput(spec.path);
    reader.stats.compression = opened.compression;
    let bytes = 0; // stdin has no file position: count what came through
    try {
      for await (const chunk of opened.chunks) {
        bytes += chunk.length;
        reader.push(chunk);
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
      reader.fail(err);
    }
    reader.finish();
    size = opened.size ?? bytes;
    // the last requests of an error log are complete: join them before the next file
    analyzer.flush();
  } catch (err) {
    if (err instanceof InputError) {
      unreadable = err;
      reader.stats.error = err.reason;
    } else throw err;
  }
  analyzer.summary.files.push(reader.stats);
  return { unreadable, bytes: size, lines: reader.stats.lines };
}
