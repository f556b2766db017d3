/**
 * Copies of this repository as it would be committed (its tracked files, and new files git does
 * not ignore, as they are in the working tree), for the tests that build it elsewhere, install it
 * with npm or use it as a pre-commit hook repository.
 */
import { spawnSync, type SpawnSyncOptions } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

/** The repository (tests run from its root). */
export const REPOSITORY = process.cwd();

/** What a command printed and how it ended. */
export interface CommandResult {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs a command to its end (no shell); throws when it cannot start. */
export function run(command: string, args: readonly string[], options: SpawnSyncOptions = {}): CommandResult {
  const result = spawnSync(command, args, { encoding: 'utf8', maxBuffer: 64 << 20, timeout: 600_000, ...options });
  if (result.error) throw result.error;
  return { status: result.status, stdout: String(result.stdout), stderr: String(result.stderr) };
}

/** The identity and dates of the commits tests make, so that they do not depend on the machine's git configuration. */
export const GIT_ENV: Record<string, string> = {
  GIT_AUTHOR_NAME: 'k8snet tests',
  GIT_AUTHOR_EMAIL: 'tests@k8snet.invalid',
  GIT_COMMITTER_NAME: 'k8snet tests',
  GIT_COMMITTER_EMAIL: 'tests@k8snet.invalid',
  GIT_AUTHOR_DATE: '2026-01-01T00:00:00Z',
  GIT_COMMITTER_DATE: '2026-01-01T00:00:00Z',
  GIT_CONFIG_NOSYSTEM: '1',
};

/** Runs git in `cwd` with the tests' identity; throws with git's message when it fails. */
export function git(cwd: string, args: readonly string[]): string {
  const result = run('git', ['-c', 'init.defaultBranch=main', '-c', 'commit.gpgsign=false', ...args], { cwd, env: { ...process.env, ...GIT_ENV } });
  if (result.status !== 0) throw new Error(`git ${args.join(' ')} failed in ${cwd}: ${result.stderr.trim()}`);
  return result.stdout;
}

/** Returns the files of the repository as it would be committed: tracked and not ignored, present in the working tree. */
export function repositoryFiles(): string[] {
  return git(REPOSITORY, ['ls-files', '-z', '--cached', '--others', '--exclude-standard'])
    .split('\0')
    .filter((file) => file !== '' && fs.existsSync(path.join(REPOSITORY, file)))
    .sort();
}

/**
 * Copies the repository as it would be committed into `destination` (created). With
 * `linkNodeModules`, its node_modules is this repository's, linked (for builds).
 */
export function copyRepository(destination: string, options: { linkNodeModules?: boolean } = {}): void {
  for (const file of repositoryFiles()) {
    const target = path.join(destination, file);
    fs.mkdirSync(path.dirname(target), { recursive: true });
    fs.copyFileSync(path.join(REPOSITORY, file), target);
    fs.chmodSync(target, fs.statSync(path.join(REPOSITORY, file)).mode);
  }
  if (options.linkNodeModules) fs.symlinkSync(path.join(REPOSITORY, 'node_modules'), path.join(destination, 'node_modules'), 'dir');
}

/** Makes `folder` a git repository whose one commit holds everything in it; returns the commit. */
export function commitEverything(folder: string, message = 'everything'): string {
  git(folder, ['init', '--quiet']);
  git(folder, ['add', '--all']);
  git(folder, ['commit', '--quiet', '--no-verify', '-m', message]);
  return git(folder, ['rev-parse', 'HEAD']).trim();
}
