import type { Finding } from '../finding.js';

/** Options every command understands. */
export interface GlobalOptions {
  readonly color: boolean;
  readonly debug: boolean;
  readonly namespace: string;
}

/** Exit codes: 0 clean or reachable, 1 findings or not reachable, 2 usage or input error. */
export const EXIT_OK = 0;
export const EXIT_FINDINGS = 1;
export const EXIT_USAGE = 2;

/** An error whose message is meant for the user as it is (no stack trace). */
export class UsageError extends Error {}

/** Returns true when any input finding is an error, which makes the run exit with 2. */
export function hasInputErrors(findings: readonly Finding[]): boolean {
  return findings.some((finding) => finding.severity === 'error');
}

/**
 * Decides whether to colour output. --no-color always wins. FORCE_COLOR is read as Node.js and
 * chalk read it: `0` or `false` turns colour off, any other value (`1`, `true`, a level, empty)
 * turns it on, even on a pipe. Otherwise NO_COLOR (set and not empty, no-color.org) and TERM=dumb
 * turn it off, and a terminal gets colour.
 */
export function shouldColor(stream: { isTTY?: boolean }, colorFlag: boolean, environment: NodeJS.ProcessEnv): boolean {
  if (!colorFlag) return false;
  const force = environment.FORCE_COLOR;
  if (force !== undefined) return force !== '0' && force.toLowerCase() !== 'false';
  if (environment.NO_COLOR !== undefined && environment.NO_COLOR !== '') return false;
  if (environment.TERM === 'dumb') return false;
  return stream.isTTY === true;
}
