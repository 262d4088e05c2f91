import { FormatPlan } from '../../src/parse/format/plan';
import { ScanLayout, Strategy, layoutOf } from '../../src/parse/scan-compiler';

/**
 * The scanner's semantics written as a plain interpreter over the layout, one field at a time:
 * the reference the generated code (src/parse/scan-compiler.ts) must agree with, byte for byte,
 * on every line (test/fuzz/access-scanner.test.ts). Kept deliberately naive.
 */

const SPACE = 32;
const QUOTE = 34;
const BACKSLASH = 92;
const COMMA = 44;
const COLON = 58;

export interface ReferenceScan {
  ok: boolean;
  trailing: number;
  /** [start, end) per field; fields the line did not reach are -1. */
  offsets: number[];
}

function matchAt(buf: Buffer, pos: number, lit: Buffer): boolean {
  for (let k = 0; k < lit.length; k++) if (buf[pos + k] !== lit[k]) return false;
  return true;
}

function findLiteral(buf: Buffer, pos: number, end: number, lit: Buffer): number {
  let from = pos;
  while (from <= end - lit.length) {
    const i = buf.indexOf(lit, from);
    if (i === -1 || i + lit.length > end) return -1;
    if (lit[0] === QUOTE && i > pos && buf[i - 1] === BACKSLASH) {
      let n = 0;
      for (let k = i - 1; k >= pos && buf[k] === BACKSLASH; k--) n++;
      if (n % 2 === 1) {
        from = i + 1;
        continue;
      }
    }
    return i;
  }
  return -1;
}

function scanList(buf: Buffer, pos: number, end: number, stop: number): number {
  let p = pos;
  for (;;) {
    while (p < end && buf[p] !== SPACE && buf[p] !== COMMA && buf[p] !== stop) p++;
    if (p + 1 < end && buf[p] === COMMA && buf[p + 1] === SPACE) p += 2;
    else if (p + 2 < end && buf[p] === SPACE && buf[p + 1] === COLON && buf[p + 2] === SPACE) p += 3;
    else if (p < end && buf[p] === COMMA) p++;
    else return p;
  }
}

export function referenceScan(planOrLayout: FormatPlan | ScanLayout, buf: Buffer, start: number, end: number): ReferenceScan {
  const layout = 'fields' in planOrLayout ? planOrLayout : layoutOf(planOrLayout);
  const fields = layout.fields;
  const off = new Array<number>(fields.length * 2).fill(-1);
  const fail = { ok: false, trailing: 0, offsets: off };
  let pos = start;
  if (layout.lead.length > 0) {
    if (end - pos < layout.lead.length || !matchAt(buf, pos, layout.lead)) return fail;
    pos += layout.lead.length;
  }
  for (let i = 0; i < fields.length; i++) {
    const f = fields[i];
    const next = f.next;
    let fe: number;
    switch (f.strategy) {
      case Strategy.Token: {
        fe = buf.indexOf(next.length > 0 ? next[0] : SPACE, pos);
        if (fe === -1 || fe > end) fe = end;
        break;
      }
      case Strategy.Bracketed:
        if (pos >= end || buf[pos] !== 91) return fail;
        fe = buf.indexOf(93, pos);
        if (fe === -1 || fe >= end) return fail;
        fe++;
        break;
      case Strategy.List:
        fe = scanList(buf, pos, end, next.length > 0 ? next[0] : SPACE);
        break;
      case Strategy.Literal:
        fe = findLiteral(buf, pos, end, next);
        if (fe === -1) return fail;
        break;
      default:
        fe = end;
    }
    off[2 * i] = pos;
    off[2 * i + 1] = fe;
    pos = fe;
    if (next.length === 0) continue;
    if (end - pos < next.length || !matchAt(buf, pos, next)) {
      if (pos !== end) return fail;
      // The line ends here: only the last field's closing literal, or the whole last field, may be missing.
      if (i === fields.length - 2) {
        off[2 * (i + 1)] = end;
        off[2 * (i + 1) + 1] = end;
      } else if (i !== fields.length - 1) return fail;
      return { ok: true, trailing: 0, offsets: off };
    }
    pos += next.length;
  }
  return { ok: true, trailing: end - pos, offsets: off };
}
