import * as fs from 'fs';
import { describeFsError } from '../input/discover';

/**
 * Reading the JSON files `check` is given (config, baseline): each problem becomes one error line
 * naming the file, thrown as the caller's error class so the CLI can tell them apart.
 */

export type ErrorClass = new (message: string) => Error;

export const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

export function parseJson(text: string, file: string, Err: ErrorClass): unknown {
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new Err(`${file}: not valid JSON (${(err as Error).message})`);
  }
}

/** The file's text; `what` names it in the error ("the config file"), `hint` follows a missing file. */
export function readText(file: string, what: string, Err: ErrorClass, hint = ''): string {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch (err) {
    const missing = (err as NodeJS.ErrnoException).code === 'ENOENT';
    throw new Err(`${file}: cannot read ${what} (${describeFsError(err)}${missing ? hint : ''})`);
  }
}
