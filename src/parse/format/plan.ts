/**
 * A compiled access-log format: the literal text between fields and, for each field, what it
 * means to the analysis. Both the nginx `log_format` and the Apache `LogFormat` compilers produce
 * this one shape; the scanner (access-scanner.ts) turns it into a line parser.
 */

export type FieldType =
  | 'time-clf' // [16/Nov/2024:14:15:25 +0000]
  | 'time-iso' // 2024-11-16T14:15:25+00:00
  | 'time-epoch-s' // 1731766525.123
  | 'time-epoch-ms'
  | 'time-epoch-us'
  | 'status'
  | 'request' // "GET /path HTTP/1.1"
  | 'method'
  | 'path'
  | 'query'
  | 'protocol'
  | 'client'
  | 'client-port'
  | 'host'
  | 'bytes'
  | 'request-time-s'
  | 'request-time-ms'
  | 'request-time-us'
  | 'upstream-addr'
  | 'upstream-status'
  | 'upstream-response-time'
  | 'upstream-connect-time'
  | 'upstream-list' // any other per-attempt $upstream_* list
  | 'connection'
  | 'referer'
  | 'user-agent'
  | 'token' // an opaque value without spaces
  | 'text'; // an opaque value that may hold spaces (headers, cookies, bracketed names)

export interface PlanField {
  kind: 'field';
  name: string; // as written in the format: "$remote_addr", "%>s"
  type: FieldType;
}

export interface PlanLiteral {
  kind: 'literal';
  text: string;
}

export type PlanToken = PlanField | PlanLiteral;

export interface FormatPlan {
  server: 'nginx' | 'apache';
  /** Preset name, or "custom". */
  name: string;
  /** The format string as given. */
  source: string;
  tokens: PlanToken[];
}

export class FormatError extends Error {}

/** Joins adjacent literals and checks that two fields are never adjacent (no way to split them). */
export function finishPlan(plan: FormatPlan): FormatPlan {
  const tokens: PlanToken[] = [];
  for (const t of plan.tokens) {
    const prev = tokens[tokens.length - 1];
    if (t.kind === 'literal') {
      if (t.text === '') continue;
      if (prev && prev.kind === 'literal') prev.text += t.text;
      else tokens.push({ ...t });
    } else {
      if (prev && prev.kind === 'field') {
        throw new FormatError(`fields ${prev.name} and ${t.name} are adjacent with no separator; they cannot be told apart`);
      }
      tokens.push(t);
    }
  }
  if (!tokens.some((t) => t.kind === 'field')) throw new FormatError('the format has no fields');
  return { ...plan, tokens };
}
