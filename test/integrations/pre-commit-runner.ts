/**
 * Runs this repository's hooks the way pre-commit runs a hook of a `language: node` repository:
 * the hook's `entry` split into words (its first word the installed executable), then its `args`
 * (the user's, or else the hook's), then the staged files its `files` pattern matches (unless `pass_filenames: false`), from the
 * repository's root; a hook none of whose files is staged is skipped, `pass_filenames: false` or
 * not. `require_serial: true` hooks get all their files in one run.
 */
import fs from 'node:fs';
import path from 'node:path';
import { load } from 'js-yaml';
import { REPOSITORY, git, run, type CommandResult } from '../repository-copy.js';

/** A hook as .pre-commit-hooks.yaml declares it (the keys this repository uses). */
export interface HookDefinition {
  readonly id: string;
  readonly name: string;
  readonly description?: string;
  readonly entry: string;
  readonly language: string;
  readonly files?: string;
  readonly exclude?: string;
  readonly pass_filenames?: boolean;
  readonly require_serial?: boolean;
  readonly always_run?: boolean;
  readonly args?: readonly string[];
}

/** A hook as a user's .pre-commit-config.yaml picks it. */
export interface HookChoice {
  readonly id: string;
  readonly args?: readonly string[];
}

/** The hooks this repository declares. */
export function declaredHooks(): HookDefinition[] {
  return load(fs.readFileSync(path.join(REPOSITORY, '.pre-commit-hooks.yaml'), 'utf8')) as HookDefinition[];
}

/** The files staged in `repository`, as pre-commit lists them (added, copied, modified, renamed...). */
export function stagedFiles(repository: string): string[] {
  return git(repository, ['diff', '--staged', '--name-only', '--no-ext-diff', '-z', '--diff-filter=ACMRTUXB']).split('\0').filter(Boolean);
}

/** How one hook run ended: skipped (no file to check), or the command's result. */
export type HookRun = { readonly skipped: true; readonly command?: undefined } | (CommandResult & { readonly skipped: false; readonly command: readonly string[] });

/**
 * Runs a hook in `repository` on its staged files. `executable` is how to start `k8snet` (the
 * installed bin, or node with this repository's bin/k8snet.js); the user's `args` replace the
 * hook's own, as in pre-commit, and come after the entry.
 */
export function runHook(choice: HookChoice, repository: string, executable: readonly string[], env: NodeJS.ProcessEnv = process.env): HookRun {
  const hook = declaredHooks().find((candidate) => candidate.id === choice.id);
  if (!hook) throw new Error(`no hook ${choice.id} in .pre-commit-hooks.yaml`);
  // pre-commit splits the entry with shlex; quotes would need a real shlex here.
  if (/["'\\]/.test(hook.entry)) throw new Error(`entry of ${hook.id} has quotes: teach runHook shlex`);
  const [program, ...entryArgs] = hook.entry.trim().split(/\s+/);
  if (program !== 'k8snet') throw new Error(`entry of ${hook.id} does not start with k8snet`);
  const files = stagedFiles(repository)
    .filter((file) => new RegExp(hook.files ?? '').test(file))
    .filter((file) => !hook.exclude || !new RegExp(hook.exclude).test(file));
  if (files.length === 0 && !hook.always_run) return { skipped: true };
  const command = [...executable, ...entryArgs, ...(choice.args ?? hook.args ?? []), ...((hook.pass_filenames ?? true) ? files : [])];
  const result = run(command[0], command.slice(1), { cwd: repository, env: { ...env, NO_COLOR: '1' } });
  return { ...result, skipped: false, command };
}
