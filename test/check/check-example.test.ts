import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { parse as parseYaml } from 'yaml';
import { CLI, ROOT } from '../helpers/cli';
import { parseBaseline } from '../../src/check/baseline';
import { parseConfig } from '../../src/check/config';
import { ALL_CAUSES } from '../../src/check/selector';
import { CAUSE_INFO } from '../../src/diagnose/causes';
import { FIXTURES, describeFixtures, parseJunit, tempDir } from './helpers';

/** The documented CI setup works as documented: the example config, baseline and workflow step. */

const DOC = fs.readFileSync(path.join(ROOT, 'docs', 'check.md'), 'utf8');
const CONFIG = path.join(ROOT, 'examples', 'upstream-doctor.json');
const WORKFLOW = path.join(ROOT, 'examples', 'github-actions.yml');

function jsonBlocks(markdown: string): string[] {
  return [...markdown.matchAll(/```json\n([\s\S]*?)```/g)].map((m) => m[1]);
}

describe('docs/check.md and examples/', () => {
  test('the config shown in the docs is the example file, and it is valid', () => {
    const text = fs.readFileSync(CONFIG, 'utf8');
    expect(jsonBlocks(DOC)).toContain(text);
    const config = parseConfig(text, CONFIG);
    expect(config.rules.map((r) => r.scope?.name ?? null)).toContain('api vhost');
  });

  test('the docs list every cause a selector accepts, with its category', () => {
    const rows = [...DOC.matchAll(/^\| `([a-z-]+)` \| `([a-z-]+)` \|/gm)].map((m) => [m[1], m[2]]);
    expect(rows).toEqual(ALL_CAUSES.map((c) => [c, CAUSE_INFO[c].category]));
  });

  test('the baseline shown in the docs is a valid baseline', () => {
    const block = jsonBlocks(DOC).find((b) => b.includes('upstreamDoctorBaseline'))!;
    const b = parseBaseline(block, 'docs/check.md');
    expect(b.tolerance).toEqual({ absolute: 2, relative: 10 });
    expect(b.causes.get('upstream-refused')).toEqual({ count: 6, tolerance: { absolute: 0 } });
  });

  test('the workflow step in the docs is the one in the example workflow', () => {
    const step = parseYaml(fs.readFileSync(WORKFLOW, 'utf8')).jobs.e2e.steps.find((s: any) => s.name === 'upstream-doctor check');
    expect(step.run).toContain('upstream-doctor check logs/nginx --config upstream-doctor.json --junit upstream-doctor-junit.xml --github');
    expect(DOC).toContain('npx --yes upstream-doctor check logs/nginx\n          --config upstream-doctor.json');
  });
});

describeFixtures('nginx', 'the example workflow step on captured nginx logs', () => {
  test('runs with the example config: exit 1 on the captured failures, JUnit per group, annotations in logs/', () => {
    const work = tempDir();
    fs.mkdirSync(path.join(work, 'logs', 'nginx'), { recursive: true });
    // Logs named as a per-vhost setup writes them, so the example's "api vhost" scope applies.
    for (const [from, to] of [['access.log', 'api-access.log'], ['error.log', 'api-error.log'], ['php-fpm.log', 'php-fpm.log']]) {
      fs.copyFileSync(path.join(FIXTURES, 'nginx', from), path.join(work, 'logs', 'nginx', to));
    }
    fs.copyFileSync(CONFIG, path.join(work, 'upstream-doctor.json'));
    const step = parseYaml(fs.readFileSync(WORKFLOW, 'utf8')).jobs.e2e.steps.find((s: any) => s.name === 'upstream-doctor check');
    const command = String(step.run).replace('npx --yes upstream-doctor', `"${process.execPath}" "${CLI}"`);
    const r = spawnSync('bash', ['-c', command], { cwd: work, encoding: 'utf8' });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(1);
    expect(r.stdout).toMatch(/^scope api vhost\n {2}FAIL {2}forbid 5xx/m);
    expect(r.stdout).toMatch(/^::error file=logs\/nginx\/api-error\.log,line=\d+,title=upstream-doctor%3A /m);
    const report = parseJunit(fs.readFileSync(path.join(work, 'upstream-doctor-junit.xml'), 'utf8'));
    expect(report.suites.map((s) => s.name)).toEqual(['rules', 'scope api vhost']);
    expect(report.tests).toBe(8); // 7 top-level rules and the scope's one
  });
});
