import { ErrorEntry, LogKind, Server, Signature } from '../model';
import { SIGNATURES } from './signatures';

/**
 * Finds the catalogue row for an error-log entry. The table is data; this only interprets it:
 * AH code and errno filters first (map lookups), then a substring test, then the anchored regex.
 */

const SERVER_OF: Record<LogKind, Server> = {
  'nginx-access': 'nginx',
  'nginx-error': 'nginx',
  'apache-access': 'apache',
  'apache-error': 'apache',
  'php-fpm': 'php-fpm',
};

export class SignatureMatcher {
  private readonly byServer = new Map<Server, Signature[]>();
  private readonly byCode = new Map<string, Signature[]>();

  constructor(signatures: Signature[] = SIGNATURES) {
    for (const s of signatures) {
      if (s.code) {
        const list = this.byCode.get(s.code) ?? [];
        list.push(s);
        this.byCode.set(s.code, list);
      } else {
        const list = this.byServer.get(s.server) ?? [];
        list.push(s);
        this.byServer.set(s.server, list);
      }
    }
  }

  match(kind: LogKind, e: ErrorEntry): Signature | null {
    if (e.code !== null) {
      const coded = this.byCode.get(e.code);
      if (coded) {
        const hit = firstMatch(coded, e);
        if (hit) return hit;
      }
    }
    const list = this.byServer.get(SERVER_OF[kind]);
    return list ? firstMatch(list, e) : null;
  }
}

function firstMatch(list: Signature[], e: ErrorEntry): Signature | null {
  const msg = e.message;
  for (let i = 0; i < list.length; i++) {
    const s = list[i];
    if (s.errno !== undefined && (e.errno === null || !s.errno.includes(e.errno))) continue;
    if (msg.indexOf(s.literal) === -1) continue;
    if (s.pattern.test(msg)) return s;
  }
  return null;
}

/**
 * An entry the catalogue does not know but that concerns an upstream: reported as `unclassified`,
 * never dropped, so gaps in the catalogue show up in the report.
 */
export function isUpstreamRelated(kind: LogKind, e: ErrorEntry): boolean {
  if (kind === 'nginx-error') {
    return e.upstream !== null || e.message.includes('upstream') || e.message.includes('FastCGI');
  }
  if (kind === 'apache-error') {
    return (e.module !== null && e.module.startsWith('proxy')) || e.message.startsWith('proxy: ');
  }
  return false;
}
