/** Running the compiled CLI the way users do, for the CLI tests: a child process, no colour. */
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { expect } from '@jest/globals';

/** The repository, where the tests run. */
export const ROOT = process.cwd();
/** The executable as package.json declares it. */
export const BIN = path.join(ROOT, 'bin', 'k8snet.js');
const STACK_LINES = [/at .*\.js:\d+/, /^\s+at .*:\d+:\d+\)?$/m];

/** What a run printed and how it ended. */
export interface Run {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs the CLI without colour (FORCE_COLOR from the test runner is dropped unless `env` sets it). */
export function k8snet(args: string[], options: { cwd?: string; input?: string | Buffer; env?: Record<string, string | undefined> } = {}): Run {
  const env: Record<string, string | undefined> = { ...process.env, NO_COLOR: '1', FORCE_COLOR: undefined, ...options.env };
  for (const key of Object.keys(env)) if (env[key] === undefined) delete env[key];
  const result = spawnSync(process.execPath, [BIN, ...args], {
    cwd: options.cwd ?? ROOT, env: env as NodeJS.ProcessEnv, input: options.input ?? '', encoding: 'utf8', timeout: 60000,
  });
  if (result.error) throw result.error;
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** Asserts that nothing of a stack trace or an internal error reached the user. */
export function expectNoStackTrace(run: Run): void {
  for (const pattern of STACK_LINES) {
    expect(run.stderr).not.toMatch(pattern);
    expect(run.stdout).not.toMatch(pattern);
  }
  expect(run.stderr).not.toMatch(/internal error/);
}
