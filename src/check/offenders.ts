import * as path from 'path';
import { FailureEvent } from '../model';
import { forTerminal } from '../report/sanitize';

/**
 * Remembers, for each watched rule, the first few log lines that count against it, so that CI
 * output can point at them. Bounded: at most `perKey` lines per rule, whatever the log size.
 */

export interface Offender {
  file: string;
  line: number;
  /** The log-derived message: attacker-controlled, escaped by each output. */
  text: string;
}

export const OFFENDERS_PER_RULE = 5;

export class OffenderCollector {
  private readonly watches: { key: string; matches: (ev: FailureEvent) => boolean; found: Offender[] }[] = [];

  constructor(private readonly perKey = OFFENDERS_PER_RULE) {}

  watch(key: string, matches: (ev: FailureEvent) => boolean): void {
    this.watches.push({ key, matches, found: [] });
  }

  readonly onEvent = (ev: FailureEvent): void => {
    for (const w of this.watches) {
      if (w.found.length < this.perKey && w.matches(ev)) w.found.push({ file: ev.file, line: ev.line, text: ev.message });
    }
  };

  get(key: string): Offender[] {
    return this.watches.find((w) => w.key === key)?.found ?? [];
  }
}

/**
 * A file as CI shows it: relative to the working directory (the checkout) when inside it, with
 * control characters in the name made visible (a file name is as untrusted as its contents).
 */
export function displayPath(file: string, cwd = process.cwd()): string {
  const rel = path.isAbsolute(file) ? path.relative(cwd, file) : file;
  const shown = path.isAbsolute(file) && (rel === '' || rel.startsWith('..') || path.isAbsolute(rel)) ? file : rel;
  return forTerminal(shown.split(path.sep).join('/'));
}
