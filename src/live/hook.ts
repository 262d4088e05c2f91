import { spawn } from 'child_process';
import { AlertEvent } from './alerts';

/**
 * `--on-alert CMD`: the operator's command runs through the shell (it is theirs to write), and
 * the alert reaches it only through UD_ALERT_* environment variables, never spliced into the
 * command line. At most a few run at once; beyond that, transitions are dropped and said so.
 */

const MAX_RUNNING = 4;

export function alertEnv(ev: AlertEvent): Record<string, string> {
  return {
    UD_ALERT_STATE: ev.state,
    UD_ALERT_RULE: ev.alert,
    UD_ALERT_VALUE: String(ev.value),
    UD_ALERT_THRESHOLD: String(ev.threshold),
    UD_ALERT_UNIT: ev.unit,
    UD_ALERT_WINDOW: ev.window,
    UD_ALERT_TS: ev.ts,
    UD_ALERT_JSON: JSON.stringify(ev),
  };
}

export class AlertHook {
  private running = new Set<Promise<void>>();

  constructor(
    private readonly command: string,
    private readonly warn: (msg: string) => void,
  ) {}

  run(ev: AlertEvent): void {
    if (this.running.size >= MAX_RUNNING) {
      this.warn(`--on-alert: ${MAX_RUNNING} commands still running; not run for ${ev.state} ${ev.alert}`);
      return;
    }
    const p = new Promise<void>((resolve) => {
      // The hook's output goes to stderr: stdout carries the NDJSON stream.
      const child = spawn(this.command, { shell: true, env: { ...process.env, ...alertEnv(ev) }, stdio: ['ignore', 2, 2] });
      child.on('error', (err) => {
        this.warn(`--on-alert: ${err.message}`);
        resolve();
      });
      child.on('exit', (code, signal) => {
        if (code !== 0) this.warn(`--on-alert: command exited with ${signal ?? code}`);
        resolve();
      });
    });
    this.running.add(p);
    void p.then(() => this.running.delete(p));
  }

  /** Waits for running commands (at shutdown), at most `ms`. */
  async settle(ms: number): Promise<void> {
    if (this.running.size === 0) return;
    await Promise.race([Promise.all(this.running), new Promise((r) => setTimeout(r, ms).unref())]);
  }
}
