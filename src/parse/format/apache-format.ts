import { FieldType, FormatError, FormatPlan, PlanToken, finishPlan } from './plan';

/**
 * Compiles an Apache `LogFormat` string (mod_log_config syntax: `%h`, `%>s`, `%{Referer}i`,
 * `%400,501{User-agent}i`, `\"` escapes as written in the config file).
 */

function typeOf(letter: string, arg: string | null): FieldType {
  switch (letter) {
    case 'h':
    case 'a':
      return 'client';
    case 't':
      if (arg === null) return 'time-clf';
      if (arg === 'sec') return 'time-epoch-s';
      if (arg === 'msec') return 'time-epoch-ms';
      if (arg === 'usec') return 'time-epoch-us';
      return 'text';
    case 'r':
      return 'request';
    case 'm':
      return 'method';
    case 'U':
      return 'path';
    case 'q':
      return 'query';
    case 'H':
      return 'protocol';
    case 's':
      return 'status';
    case 'b':
    case 'B':
    case 'O':
    case 'I':
    case 'S':
      return 'bytes';
    case 'D':
      return 'request-time-us';
    case 'T':
      if (arg === 'ms') return 'request-time-ms';
      if (arg === 'us') return 'request-time-us';
      return 'request-time-s';
    case 'v':
    case 'V':
      return 'host';
    case 'p':
      return arg === 'remote' ? 'client-port' : 'token';
    case 'i': {
      const h = (arg || '').toLowerCase();
      if (h === 'referer') return 'referer';
      if (h === 'user-agent') return 'user-agent';
      if (h === 'host') return 'host';
      return 'text';
    }
    case 'l':
    case 'u':
    case 'A':
    case 'P':
    case 'k':
    case 'L':
    case 'X':
    case 'f':
    case 'R':
      return 'token';
    default:
      return 'text';
  }
}

const KNOWN = new Set('aABbCDefhHiIklLmnopPqrRsStTuUvVXxO^'.split('')); // x: mod_ssl's %{VAR}x

export function compileApacheFormat(source: string, name = 'custom'): FormatPlan {
  const tokens: PlanToken[] = [];
  let literal = '';
  let i = 0;
  while (i < source.length) {
    const c = source[i];
    if (c === '\\' && i + 1 < source.length) {
      const n = source[i + 1];
      literal += n === 'n' ? '\n' : n === 't' ? '\t' : n;
      i += 2;
      continue;
    }
    if (c !== '%') {
      literal += c;
      i++;
      continue;
    }
    if (source[i + 1] === '%') {
      literal += '%';
      i += 2;
      continue;
    }
    const start = i;
    let j = i + 1;
    // modifiers: `<` `>` `!` and status lists like 400,501
    while (j < source.length && /[<>!0-9,]/.test(source[j])) j++;
    let arg: string | null = null;
    if (source[j] === '{') {
      const close = source.indexOf('}', j);
      if (close === -1) throw new FormatError(`unclosed "%{" at offset ${start}`);
      arg = source.slice(j + 1, close);
      j = close + 1;
    }
    let letter = source[j];
    if (letter === '^' && j + 2 < source.length) {
      letter = source.slice(j, j + 3); // %^ti / %^to
      j += 3;
    } else {
      j += 1;
    }
    if (!letter || !KNOWN.has(letter[0])) {
      throw new FormatError(`unknown directive "${source.slice(start, j)}" at offset ${start}`);
    }
    tokens.push({ kind: 'literal', text: literal });
    literal = '';
    tokens.push({ kind: 'field', name: source.slice(start, j), type: typeOf(letter, arg) });
    i = j;
  }
  tokens.push({ kind: 'literal', text: literal });
  return finishPlan({ server: 'apache', name, source, tokens });
}
