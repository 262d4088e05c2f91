import { Cause } from '../model';
import { ReportDocument } from '../report/json';
import { isObject, parseJson, readText } from './json-file';
import { ALL_CAUSES } from './selector';
import { RuleError, Verdict, parseCount, parsePercent } from './rules';

/**
 * A baseline: the accepted failure counts by cause, with tolerances. `check --baseline` fails on a
 * cause the baseline does not list, or on a count above baseline + tolerance. The file is written
 * for code review: fixed key order, causes sorted, one value per line, no timestamps, so that a
 * re-recorded baseline diffs only where a count changed.
 */

export const BASELINE_VERSION = 1;

export interface Tolerance {
  /** Extra failures accepted above the baseline count. */
  absolute: number;
  /** Extra failures accepted, in percent of the baseline count. */
  relative: number;
}

export interface Baseline {
  tolerance: Tolerance;
  causes: Map<Cause, { count: number; tolerance: Partial<Tolerance> }>;
}

export class BaselineError extends Error {}

const NO_TOLERANCE: Tolerance = { absolute: 0, relative: 0 };

type Json = unknown;

function parseTolerance(file: string, key: string, v: Json): Partial<Tolerance> {
  if (!isObject(v)) throw new BaselineError(`${file}: ${key}: expected {"absolute": N, "relative": "P%"}, got ${JSON.stringify(v)}`);
  const out: Partial<Tolerance> = {};
  for (const [k, x] of Object.entries(v)) {
    try {
      if (k === 'absolute') out.absolute = parseCount(String(x));
      else if (k === 'relative') out.relative = parsePercent(typeof x === 'string' ? x : JSON.stringify(x));
      else throw new RuleError('unknown key (expected absolute, relative)');
    } catch (err) {
      if (err instanceof RuleError) throw new BaselineError(`${file}: ${key}.${k}: ${err.message}`);
      throw err;
    }
  }
  return out;
}

export function parseBaseline(text: string, file: string): Baseline {
  const doc = parseJson(text, file, BaselineError);
  if (!isObject(doc) || doc.upstreamDoctorBaseline !== BASELINE_VERSION) {
    throw new BaselineError(`${file}: not an upstream-doctor baseline (expected "upstreamDoctorBaseline": ${BASELINE_VERSION}); write one with --update-baseline`);
  }
  for (const k of Object.keys(doc)) {
    if (!['upstreamDoctorBaseline', 'tolerance', 'causes', '$comment'].includes(k)) {
      throw new BaselineError(`${file}: ${k}: unknown key (expected upstreamDoctorBaseline, tolerance, causes)`);
    }
  }
  const tolerance = { ...NO_TOLERANCE, ...(doc.tolerance === undefined ? {} : parseTolerance(file, 'tolerance', doc.tolerance)) };
  if (!isObject(doc.causes)) throw new BaselineError(`${file}: causes: expected an object of cause: {"count": N}`);
  const causes: Baseline['causes'] = new Map();
  for (const [cause, row] of Object.entries(doc.causes)) {
    const key = `causes.${cause}`;
    if (!(ALL_CAUSES as string[]).includes(cause)) throw new BaselineError(`${file}: ${key}: unknown cause`);
    if (!isObject(row)) throw new BaselineError(`${file}: ${key}: expected {"count": N}, got ${JSON.stringify(row)}`);
    for (const k of Object.keys(row)) {
      if (k !== 'count' && k !== 'tolerance') throw new BaselineError(`${file}: ${key}.${k}: unknown key (expected count, tolerance)`);
    }
    let count: number;
    try {
      count = parseCount(String(row.count));
    } catch (err) {
      throw new BaselineError(`${file}: ${key}.count: ${(err as Error).message}`);
    }
    const own = row.tolerance === undefined ? {} : parseTolerance(file, `${key}.tolerance`, row.tolerance);
    causes.set(cause as Cause, { count, tolerance: own });
  }
  return { tolerance, causes };
}

export function readBaseline(file: string): Baseline {
  return parseBaseline(readText(file, 'the baseline', BaselineError, '; record one with --update-baseline'), file);
}

function toleranceJson(t: Partial<Tolerance>): Record<string, number | string> {
  const out: Record<string, number | string> = {};
  if (t.absolute !== undefined) out.absolute = t.absolute;
  if (t.relative !== undefined) out.relative = `${t.relative}%`;
  return out;
}

/**
 * The baseline for an analysis result. Tolerances of a previous baseline are kept (they are a
 * decision someone made in review), per-cause ones only for causes still present.
 */
export function recordBaseline(doc: ReportDocument, previous: Baseline | null): string {
  const causes: Record<string, Record<string, unknown>> = {};
  for (const row of [...doc.causes].sort((a, b) => (a.cause < b.cause ? -1 : a.cause > b.cause ? 1 : 0))) {
    const own = previous?.causes.get(row.cause)?.tolerance ?? {};
    causes[row.cause] = Object.keys(own).length > 0 ? { count: row.count, tolerance: toleranceJson(own) } : { count: row.count };
  }
  const out = {
    upstreamDoctorBaseline: BASELINE_VERSION,
    tolerance: toleranceJson(previous?.tolerance ?? NO_TOLERANCE),
    causes,
  };
  return JSON.stringify(out, null, 2) + '\n';
}

export interface BaselineVerdict extends Verdict {
  cause: Cause;
}

/** One verdict per cause in the baseline or in the result, in cause order. */
export function compareBaseline(doc: ReportDocument, baseline: Baseline): BaselineVerdict[] {
  const measured = new Map<Cause, number>(doc.causes.map((r) => [r.cause, r.count]));
  const out: BaselineVerdict[] = [];
  for (const cause of ALL_CAUSES) {
    const n = measured.get(cause) ?? 0;
    const row = baseline.causes.get(cause);
    if (!row) {
      if (n > 0) out.push({ cause, passed: false, measured: `${n} (new cause)`, expected: 'not in the baseline: 0' });
      continue;
    }
    const t = { ...baseline.tolerance, ...row.tolerance };
    // Either tolerance suffices: the larger allowance wins.
    const passed = n <= row.count + t.absolute || n * 100 <= row.count * (100 + t.relative);
    const allowance = Math.max(t.absolute, Math.floor((row.count * t.relative) / 100));
    out.push({ cause, passed, measured: String(n), expected: `<= ${row.count + allowance} (baseline ${row.count} + tolerance ${allowance})` });
  }
  return out;
}
