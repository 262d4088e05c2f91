import * as fs from 'fs';
import * as path from 'path';
import { describeFsError } from '../input/discover';
import { UsageError } from './options';

/**
 * Where a report goes when it does not go to stdout (`analyze --output FILE`). The file is opened
 * before any input is read, so that a path that cannot be written fails at once, not after an
 * hour of logs; it is emptied only when the report starts (a run that fails before, on an
 * unreadable input say, leaves the last report as it was). A write that fails (a full disk) is
 * one line naming the file, exit 2, as an unreadable input is.
 */
export interface ReportFile {
  stream: fs.WriteStream;
  /** Empties the file: the report starts (the last one stays until then). */
  begin(): void;
  /** Ends the file; rejects with a UsageError naming it if any write failed. */
  finish(): Promise<void>;
}

/** An output that cannot be written, as the one-line error the CLI prints. */
export function cannotWrite(where: string, err: unknown): UsageError {
  return new UsageError(`${where}: cannot write (${describeFsError(err)})`);
}

/**
 * Throws cannotWrite() now for a file that a command will write at its end (check's JUnit file, a
 * baseline): its directory must exist and be writable, and the file too if it exists (and not be
 * a directory). Nothing is created: a run that fails on its way leaves no empty file behind.
 */
export function checkWritable(file: string): void {
  try {
    if (!fs.existsSync(file)) fs.accessSync(path.dirname(path.resolve(file)), fs.constants.W_OK);
    else if (fs.statSync(file).isDirectory()) throw Object.assign(new Error('is a directory'), { code: 'EISDIR' });
    else fs.accessSync(file, fs.constants.W_OK);
  } catch (err) {
    throw cannotWrite(file, err);
  }
}

export function openReportFile(file: string): ReportFile {
  let fd: number;
  try {
    // not O_TRUNC: emptied by begin()
    fd = fs.openSync(file, fs.constants.O_WRONLY | fs.constants.O_CREAT, 0o666);
  } catch (err) {
    throw cannotWrite(file, err);
  }
  let failure: unknown = null;
  const stream = fs.createWriteStream('', { fd });
  // a write that fails is reported by finish(), not thrown at whoever wrote
  stream.on('error', (err) => (failure ??= err));
  return {
    stream,
    begin: () => {
      try {
        // a FIFO or a device has no length to cut
        if (fs.fstatSync(fd).isFile()) fs.ftruncateSync(fd, 0);
      } catch (err) {
        failure ??= err;
      }
    },
    finish: () =>
      new Promise<void>((resolve, reject) => {
        const done = () => (failure === null ? resolve() : reject(cannotWrite(file, failure)));
        if (stream.destroyed) return done();
        stream.once('close', done);
        stream.end();
      }),
  };
}
