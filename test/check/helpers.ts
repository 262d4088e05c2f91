import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { XMLParser } from 'fast-xml-parser';
import { ROOT } from '../helpers/cli';
import { peerCases } from '../helpers/peer-cases';
import { peerIndex } from '../helpers/peer-corpus';

/** Helpers for the `check` suites: temp dirs, real log lines from the peer corpus, JUnit parsing. */

export function tempDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'ud-check-'));
}

/** The exact log line of a peer-corpus test vector (a real server's output) that contains `text`. */
export function peerCaseLine(casesFile: string, text: string): string {
  const entry = peerIndex().find((e) => e.file === casesFile);
  const hit = entry && peerCases(entry).find((c) => c.input.includes(text));
  if (!hit) throw new Error(`no case in ${casesFile} contains ${JSON.stringify(text)}`);
  return hit.input;
}

export interface JunitCase {
  name: string;
  classname: string;
  failure?: { message: string; type: string; text: string };
}
export interface JunitSuite {
  name: string;
  tests: number;
  failures: number;
  cases: JunitCase[];
}

/** Parses a JUnit report into suites; throws if the XML does not have the testsuites/testsuite/testcase shape. */
export function parseJunit(xml: string): { tests: number; failures: number; suites: JunitSuite[] } {
  const parser = new XMLParser({
    ignoreAttributes: false,
    attributeNamePrefix: '',
    textNodeName: 'text',
    parseAttributeValue: false,
    isArray: (name) => name === 'testsuite' || name === 'testcase',
  });
  const doc = parser.parse(xml, true);
  const root = doc.testsuites;
  if (!root) throw new Error('no <testsuites> root');
  return {
    tests: Number(root.tests),
    failures: Number(root.failures),
    suites: (root.testsuite ?? []).map((s: any) => ({
      name: s.name,
      tests: Number(s.tests),
      failures: Number(s.failures),
      cases: (s.testcase ?? []).map((c: any) => ({
        name: c.name,
        classname: c.classname,
        failure: c.failure === undefined ? undefined : { message: c.failure.message, type: c.failure.type, text: String(c.failure.text ?? '') },
      })),
    })),
  };
}

/** The captured real-server fixtures, read from the repository's fixtures/ (committed by the capture job). */
export const FIXTURES = path.join(ROOT, 'fixtures');

export function fixtureFiles(server: 'nginx' | 'apache'): string[] {
  return ['access.log', 'error.log', 'php-fpm.log'].map((f) => path.join(FIXTURES, server, f));
}

/** `describe` that skips, saying so, when a server's captured fixtures are absent. */
export function describeFixtures(server: 'nginx' | 'apache', name: string, fn: () => void): void {
  const missing = fixtureFiles(server).filter((f) => !fs.existsSync(f));
  if (missing.length === 0) describe(name, fn);
  else {
    describe.skip(`${name} (skipped: ${missing.join(', ')} not captured yet; run npm run capture)`, fn);
    // eslint-disable-next-line no-console
    console.warn(`fixtures missing (${missing.join(', ')}): "${name}" skipped`);
  }
}
