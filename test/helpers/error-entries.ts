import { ErrorEntry, LogKind } from '../../src/model';
import { AccessScanner } from '../../src/parse/access-scanner';
import { FileReader } from '../../src/analyze/read-file';
import { ZoneClock } from '../../src/parse/time';
import * as fs from 'fs';

/** Every error-log entry of a file, as the batch reader parses it (continuation lines folded in). */
export interface ReadEntry {
  entry: ErrorEntry;
  kind: LogKind;
  line: number;
}

export function readErrorEntries(file: string): ReadEntry[] {
  const out: ReadEntry[] = [];
  const sink = {
    access: (_sc: AccessScanner) => true,
    error: (entry: ErrorEntry, kind: LogKind, _file: string, line: number) => {
      out.push({ entry, kind, line });
      return true;
    },
  };
  const reader = new FileReader(file, sink, { formats: [], clock: new ZoneClock('UTC') });
  reader.push(fs.readFileSync(file));
  reader.finish();
  return out;
}
