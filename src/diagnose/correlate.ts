import { FailureEvent } from '../model';

/**
 * Joins access-log failures with the error-log entries that explain them, in bounded memory.
 * Error entries are indexed under the strongest keys their format carries:
 *   nginx  `*CID`              == `$connection` in the access log
 *   Apache `[client ip:port]`  == `%{remote}p` (with %h)
 *   any    client + request line, within the request's duration
 * The index keeps at most `capacity` keys (oldest evicted first), so a month of error logs never
 * needs more than that; an eviction is counted and reported.
 */

export interface IndexedError {
  event: FailureEvent;
  epoch: number;
  /** The status the signature says the client gets; null when the line does not decide one. */
  typicalStatus: number | null;
  claimed: boolean;
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

export const INDEX_CAPACITY = 200_000;
/** Slack for clock granularity (1 s) and for the order of writes between the two logs. */
const SLACK_MS = 2_000;

export class ErrorIndex {
  private readonly map = new Map<string, IndexedError[]>();
  evicted = 0;

  constructor(private readonly capacity = INDEX_CAPACITY) {}

  add(keys: string[], item: IndexedError): void {
    for (const k of keys) {
      let list = this.map.get(k);
      if (!list) {
        if (this.map.size >= this.capacity) {
          const oldest = this.map.keys().next().value as string;
          this.map.delete(oldest);
          this.evicted++;
        }
        list = [];
        this.map.set(k, list);
      }
      // A request can log several attempts under one key; keep the last few.
      if (list.length >= 8) list.shift();
      list.push(item);
    }
  }

  /** The best explaining entry for an access failure, or null. */
  find(a: AccessKeys): IndexedError | null {
    const keys: string[] = [];
    if (a.connection !== null) keys.push(connectionKey(a.group, a.connection));
    if (a.client !== null && a.clientPort !== null) keys.push(clientPortKey(a.group, a.client, a.clientPort));
    if (a.client !== null && a.request !== null) keys.push(requestKey(a.group, a.client, a.request));
    const lo = a.epoch - a.duration * 1000 - SLACK_MS;
    const hi = a.epoch + (a.duration + 1) * 1000 + SLACK_MS;
    for (const k of keys) {
      const list = this.map.get(k);
      if (!list) continue;
      let best: IndexedError | null = null;
      for (const it of list) {
        if (it.epoch < lo || it.epoch > hi) continue;
        // Prefer the attempt whose typical status is the one the client got (the final attempt),
        // then the latest one.
        if (!best) best = it;
        else {
          const itMatches = it.typicalStatus === a.status;
          const bestMatches = best.typicalStatus === a.status;
          if (itMatches && !bestMatches) best = it;
          else if (itMatches === bestMatches && it.epoch >= best.epoch) best = it;
        }
      }
      if (best) return best;
    }
    return null;
  }
}

export function connectionKey(group: string, cid: number): string {
  return `c|${group}|${cid}`;
}
export function clientPortKey(group: string, client: string, port: number): string {
  return `p|${group}|${client}|${port}`;
}
export function requestKey(group: string, client: string, request: string): string {
  return `r|${group}|${client}|${request}`;
}
