import * as path from 'path';
import { isObject, parseJson, readText } from './json-file';
import { Rule, RuleError, RuleSpec, Scope, forbidRule, maxRateRule, maxRule, requireExplainedRule } from './rules';

/**
 * The `check` config file (`--config upstream-doctor.json`). Every problem is one line naming the
 * file, the key path and the bad value. Relative paths in it (paths, baseline, scope globs) are
 * relative to the directory holding the file, so CI can run from anywhere. Schema: docs/check.md.
 */

export interface CheckConfig {
  paths: string[];
  baseline: string | null;
  rules: Rule[];
  /** Directory relative paths and globs are resolved against. */
  base: string;
}

export class ConfigError extends Error {}

type Json = unknown;

/** Keys ignored anywhere: room for editor schemas and comments. */
const IGNORED = new Set(['$schema', '$comment']);

interface Ctx {
  file: string;
}

function fail(ctx: Ctx, key: string, problem: string): never {
  throw new ConfigError(`${ctx.file}: ${key}: ${problem}`);
}

function checkKeys(ctx: Ctx, where: string, obj: Record<string, Json>, allowed: string[]): void {
  for (const k of Object.keys(obj)) {
    if (IGNORED.has(k) || allowed.includes(k)) continue;
    fail(ctx, where ? `${where}.${k}` : k, `unknown key (expected one of ${allowed.join(', ')})`);
  }
}

function str(ctx: Ctx, key: string, v: Json): string {
  if (typeof v !== 'string' || v.trim() === '') fail(ctx, key, `expected a non-empty string, got ${JSON.stringify(v)}`);
  return v;
}

function strList(ctx: Ctx, key: string, v: Json): string[] {
  if (typeof v === 'string') return [str(ctx, key, v)];
  if (!Array.isArray(v) || v.length === 0) fail(ctx, key, `expected a string or a non-empty list of strings, got ${JSON.stringify(v)}`);
  return v.map((x, i) => str(ctx, `${key}[${i}]`, x));
}

/** Runs a rule constructor, turning its RuleError into a config error at `key`. */
function rule(ctx: Ctx, key: string, make: () => RuleSpec): RuleSpec {
  try {
    return make();
  } catch (err) {
    if (err instanceof RuleError) fail(ctx, key, err.message);
    throw err;
  }
}

const RULE_KEYS = ['max', 'maxRate', 'forbid', 'requireExplained'];

/** The rule keys of the top level or of one scope. */
function rulesOf(ctx: Ctx, where: string, obj: Record<string, Json>): RuleSpec[] {
  const at = (k: string) => (where ? `${where}.${k}` : k);
  const specs: RuleSpec[] = [];
  for (const [k, make] of [
    ['max', (sel: string, v: Json) => maxRule(sel, typeof v === 'number' ? v : String(v))],
    ['maxRate', (sel: string, v: Json) => maxRateRule(sel, typeof v === 'string' ? v : JSON.stringify(v))],
  ] as const) {
    const table = obj[k];
    if (table === undefined) continue;
    if (!isObject(table)) fail(ctx, at(k), `expected an object of SELECTOR: LIMIT, got ${JSON.stringify(table)}`);
    for (const [sel, v] of Object.entries(table)) {
      if (typeof v !== 'number' && typeof v !== 'string') fail(ctx, `${at(k)}.${sel}`, `expected a limit, got ${JSON.stringify(v)}`);
      specs.push(rule(ctx, `${at(k)}.${sel}`, () => make(sel, v)));
    }
  }
  if (obj.forbid !== undefined) {
    strList(ctx, at('forbid'), obj.forbid).forEach((sel, i) => specs.push(rule(ctx, `${at('forbid')}[${i}]`, () => forbidRule(sel))));
  }
  if (obj.requireExplained !== undefined) {
    const v = obj.requireExplained;
    specs.push(rule(ctx, at('requireExplained'), () => requireExplainedRule(typeof v === 'string' ? v : JSON.stringify(v))));
  }
  return specs;
}

export function parseConfig(text: string, file: string): CheckConfig {
  const ctx: Ctx = { file };
  const doc = parseJson(text, file, ConfigError);
  if (!isObject(doc)) throw new ConfigError(`${file}: expected a JSON object at the top level`);
  checkKeys(ctx, '', doc, ['paths', 'baseline', 'scopes', ...RULE_KEYS]);
  const base = path.dirname(path.resolve(file));
  const rules: Rule[] = rulesOf(ctx, '', doc).map((spec) => ({ spec, scope: null }));
  if (doc.scopes !== undefined) {
    if (!Array.isArray(doc.scopes)) fail(ctx, 'scopes', `expected a list of scopes, got ${JSON.stringify(doc.scopes)}`);
    doc.scopes.forEach((s, i) => {
      const where = `scopes[${i}]`;
      if (!isObject(s)) fail(ctx, where, `expected an object with "files" and rules, got ${JSON.stringify(s)}`);
      checkKeys(ctx, where, s, ['name', 'files', ...RULE_KEYS]);
      if (s.files === undefined) fail(ctx, `${where}.files`, 'missing: the glob(s) of the files this scope applies to');
      const files = strList(ctx, `${where}.files`, s.files);
      const name = s.name === undefined ? files.join(', ') : str(ctx, `${where}.name`, s.name);
      const scope: Scope = { name, files, base };
      const specs = rulesOf(ctx, where, s);
      if (specs.length === 0) fail(ctx, where, `has no rules (give one of ${RULE_KEYS.join(', ')})`);
      for (const spec of specs) rules.push({ spec, scope });
    });
  }
  const paths = doc.paths === undefined ? [] : strList(ctx, 'paths', doc.paths).map((p) => (p === '-' ? p : path.resolve(base, p)));
  const baseline = doc.baseline === undefined ? null : path.resolve(base, str(ctx, 'baseline', doc.baseline));
  return { paths, baseline, rules, base };
}

export function readConfig(file: string): CheckConfig {
  return parseConfig(readText(file, 'the config file', ConfigError), file);
}
