import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { MAX_FILE_BYTES } from './parse-text.js';

/** A git revision could not be read; the message says why in plain words. */
export class GitError extends Error {}

const MANIFEST_EXTENSION = /\.(ya?ml|json)$/i;

function git(args: readonly string[], cwd: string, maxBuffer = 1 << 30): string {
  try {
    return execFileSync('git', args, { cwd, encoding: 'utf8', maxBuffer, stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (error) {
    const stderr = String((error as { stderr?: unknown }).stderr ?? '').trim().split('\n')[0];
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') throw new GitError('git is not installed or not on PATH');
    throw new GitError(stderr || `git ${args.join(' ')} failed`);
  }
}

/**
 * Reads the manifests under `target` (a file or folder, relative to the current folder) as they
 * are at git revision `revision`, with git itself and without a checkout: the same files a
 * folder scan would find (yaml, yml, json; no hidden folders or node_modules).
 */
export function readManifestsAtRevision(revision: string, target: string, cwd: string): ({ path: string; text: string } | { path: string; tooLarge: number })[] {
  // A revision is never an option: `--output=/etc/x` would make git write a file. Refused here,
  // and `--end-of-options` below keeps git from reading one as an option should a caller forget.
  if (revision.startsWith('-')) throw new GitError(`'${revision}' is not a revision (it starts with '-')`);
  const top = git(['rev-parse', '--show-toplevel'], cwd).trim();
  const prefix = path.relative(top, path.resolve(cwd, target)).split(path.sep).join('/');
  if (prefix.startsWith('..')) throw new GitError(`${target} is outside the git repository at ${top}`);
  // -l lists each blob's size: one over the manifest limit is reported, not read into memory.
  const listing = git(['ls-tree', '-r', '-z', '-l', '--end-of-options', revision, '--', prefix === '' ? '.' : prefix], top);
  const entries = listing.split('\0').filter(Boolean).map((line) => {
    const tab = line.indexOf('\t');
    const [, type, , size] = line.slice(0, tab).split(/\s+/);
    return { file: line.slice(tab + 1), type, size: Number(size) };
  }).filter(({ file, type }) => type === 'blob' && MANIFEST_EXTENSION.test(file)
    && !file.split('/').slice(0, -1).some((folder) => folder.startsWith('.') || folder === 'node_modules'));
  return entries.sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : 0)).map(({ file, size }) => {
    // Shown as the user would name the file from the current folder, with the revision in front.
    const shown = `${revision}:${path.relative(cwd, path.join(top, file)).split(path.sep).join('/')}`;
    if (size > MAX_FILE_BYTES) return { path: shown, tooLarge: size };
    return { path: shown, text: git(['show', '--end-of-options', `${revision}:${file}`], top, MAX_FILE_BYTES * 4 + 1) };
  });
}
