import * as fs from 'fs';
import * as path from 'path';
import { ROOT } from './cli';

/**
 * The peer corpus lives beside the project (../shared/peer-corpus) and is read in place: its files
 * are other projects' data under their licences and are never copied into this repository.
 * Suites that need it skip, saying so, where it is absent.
 */

export const PEER_DIR = process.env.UD_PEER_CORPUS ?? path.resolve(ROOT, '..', 'shared', 'peer-corpus');
export const HAVE_PEER = fs.existsSync(path.join(PEER_DIR, 'INDEX.json'));

export interface PeerIndexEntry {
  file: string;
  source: string;
  kind: 'nginx-access' | 'nginx-error' | 'apache-access' | 'apache-error' | 'other';
  lines: number;
  expected: string | null;
}

/** Empty when the corpus is absent, so suites can be declared (and skipped) without it. */
export function peerIndex(): PeerIndexEntry[] {
  if (!HAVE_PEER) return [];
  return JSON.parse(fs.readFileSync(path.join(PEER_DIR, 'INDEX.json'), 'utf8'));
}

export function peerPath(rel: string): string {
  return path.join(PEER_DIR, rel);
}

/**
 * `describe` that skips with a message when the corpus is absent. The body is not run then: a
 * skipped describe still runs its body to collect the tests, and a body that reads the corpus
 * (or analyzes it) at collection time would fail the suite instead of skipping it.
 */
export function describePeer(name: string, fn: () => void): void {
  if (HAVE_PEER) describe(name, fn);
  else {
    test.skip(`${name} (skipped: peer corpus not found at ${PEER_DIR})`, () => undefined);
    // eslint-disable-next-line no-console
    console.warn(`peer corpus not found at ${PEER_DIR}: "${name}" skipped`);
  }
}
