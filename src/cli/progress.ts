import * as fs from 'fs';
import { InputSpec } from '../input/discover';
import { ProgressSink } from '../analyze/run';
import { thousands } from '../util/thousands';

/**
 * The batch progress bar on stderr: bytes read of the total on disk, lines/s, ETA. Drawn only
 * when stderr is a terminal (a redirected stderr gets nothing: logs of cron jobs stay clean),
 * redrawn at most every REDRAW_MS, and erased when the run ends so the report starts clean.
 */

const REDRAW_MS = 200;
const BAR = 24;

export interface TtyLike {
  isTTY?: boolean;
  columns?: number;
  write(s: string): boolean;
}

function mb(n: number): string {
  return n >= 1 << 30 ? `${(n / (1 << 30)).toFixed(2)} GiB` : `${(n / (1 << 20)).toFixed(1)} MiB`;
}

function duration(s: number): string {
  if (!Number.isFinite(s) || s < 0) return '--:--';
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = Math.floor(s % 60);
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${String(sec).padStart(2, '0')}` : `${m}:${String(sec).padStart(2, '0')}`;
}

export class ProgressBar implements ProgressSink {
  private last = 0;
  private drawn = false;
  private readonly started: number;

  constructor(
    private readonly total: number,
    private readonly out: TtyLike,
    private readonly now: () => number = Date.now,
  ) {
    this.started = now();
  }

  /** The line for a state; exported for tests through render(). */
  render(bytes: number, lines: number): string {
    const elapsed = Math.max(0.001, (this.now() - this.started) / 1000);
    const rate = lines / elapsed;
    // stdin and pipes have no size: show what was read, no bar, no ETA.
    if (this.total <= 0) return `${mb(bytes)} read  ${thousands(Math.round(rate))} lines/s`;
    const frac = this.total > 0 ? Math.min(1, bytes / this.total) : 0;
    const filled = Math.round(frac * BAR);
    const eta = frac > 0 ? (elapsed * (1 - frac)) / frac : NaN;
    return `[${'#'.repeat(filled)}${'-'.repeat(BAR - filled)}] ${(frac * 100).toFixed(0).padStart(3)}% ${mb(bytes)} / ${mb(this.total)}  ${thousands(Math.round(rate))} lines/s  ETA ${duration(eta)}`;
  }

  tick(bytes: number, lines: number): void {
    const t = this.now();
    if (t - this.last < REDRAW_MS) return;
    this.last = t;
    const line = this.render(bytes, lines);
    const width = (this.out.columns || 100) - 1;
    this.out.write(`\r${line.length > width ? line.slice(0, width) : line}\x1b[K`);
    this.drawn = true;
  }

  done(): void {
    if (this.drawn) this.out.write('\r\x1b[K');
  }
}

/** A bar for these inputs when `out` is a terminal (or `force`), else undefined: no work at all. */
export function progressFor(inputs: InputSpec[], out: TtyLike, force?: boolean): ProgressBar | undefined {
  if (force === false || (!force && !out.isTTY)) return undefined;
  let total = 0;
  for (const i of inputs) {
    if (i.path === '-') continue;
    try {
      total += fs.statSync(i.path).size;
    } catch {
      // unreadable: reported by the run
    }
  }
  return new ProgressBar(total, out);
}
