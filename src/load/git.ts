import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { MAX_FILE_BYTES } from './parse-text.js';

/** A git revision could not be read; the message says why in plain words. */
export class GitError extends Error {}

const MANIFEST_EXTENSION = /\.(ya?ml|json)$/i;
const TOOL_FILES: ReadonlySet<string> = new Set(['.k8snet.yaml', '.k8snet.yml']);
const SYMBOLIC_LINK_MODE = '120000';

function git(args: readonly string[], cwd: string, input?: Buffer): Buffer {
  try {
    return execFileSync('git', args, { cwd, maxBuffer: 1 << 30, stdio: ['pipe', 'pipe', 'pipe'], ...(input ? { input } : {}) });
  } catch (error) {
    const stderr = String((error as { stderr?: unknown }).stderr ?? '').trim().split('\n')[0];
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') throw new GitError('git is not installed or not on PATH');
    throw new GitError(stderr || `git ${args.join(' ')} failed`);
  }
}

/**
 * One manifest file of a revision: its path as shown, and its bytes, or only its size when it is
 * over the manifest limit (git's listing gives sizes, so such a file is never read into memory).
 */
export type RevisionFile = { readonly path: string; readonly bytes: Buffer } | { readonly path: string; readonly tooLarge: number };

/** What {@link readManifestTree} read at a revision: the manifest files, and the git top folder. */
export interface RevisionTree {
  readonly files: readonly RevisionFile[];
  readonly top: string;
}

/** Options of {@link readManifestTree}. */
export interface RevisionReadOptions {
  /** Show each file as `REV:path` (diff's view of two revisions) rather than as the working tree names it. */
  readonly prefixRevision?: boolean;
}

/**
 * Returns the commit a revision names in the repository around `cwd`: a GitError in plain words
 * when there is no repository, or no such revision (saying how to fetch it in a shallow clone).
 * A revision starting with `-` is refused, so that it can never be read as an option of git.
 */
export function resolveCommit(revision: string, cwd: string): string {
  refuseOptionLike(revision);
  git(['rev-parse', '--show-toplevel'], cwd);
  try {
    return git(['rev-parse', '--verify', '--quiet', `${revision}^{commit}`], cwd).toString('utf8').trim();
  } catch {
    const shallow = safeGit(['rev-parse', '--is-shallow-repository'], cwd) === 'true';
    throw new GitError(shallow
      ? `no revision ${revision} in this clone, which is shallow: fetch it first (git fetch --unshallow, or git fetch origin ${revision}; `
        + 'with actions/checkout, set fetch-depth: 0)'
      : `no revision ${revision} in this repository`);
  }
}

/** A revision is never an option: `--output=/etc/x` would make git write a file. */
function refuseOptionLike(revision: string): void {
  if (revision === '' || revision.startsWith('-')) throw new GitError(`'${revision}' is not a revision (a revision cannot start with '-')`);
}

function safeGit(args: readonly string[], cwd: string): string | undefined {
  try {
    return git(args, cwd).toString('utf8').trim();
  } catch {
    return undefined;
  }
}

/**
 * Reads the manifests under `targets` (files or folders, relative to `cwd`) as they are at git
 * revision `revision`, with git itself and without a checkout: the same files a folder scan would
 * find (yaml, yml, json; no hidden folders, node_modules or k8snet's configuration), each once.
 * One `git ls-tree` lists them and one `git cat-file --batch` reads them all, so the cost does not
 * grow with a process per file. A symbolic link to a file is read as the file it points to.
 */
export function readManifestTree(revision: string, targets: readonly string[], cwd: string, options: RevisionReadOptions = {}): RevisionTree {
  refuseOptionLike(revision);
  const top = git(['rev-parse', '--show-toplevel'], cwd).toString('utf8').trim();
  const given = targets.map((target) => {
    const prefix = path.relative(top, path.resolve(cwd, target)).split(path.sep).join('/');
    if (prefix.startsWith('..') || path.isAbsolute(prefix)) throw new GitError(`${target} is outside the git repository at ${top}`);
    return { target, prefix: prefix === '' ? '.' : prefix };
  });
  const prefixes = given.map((entry) => entry.prefix);
  // -l lists each blob's size: one over the manifest limit is reported, not read. The revision was
  // refused above if it starts with '-'; --end-of-options keeps git from reading one as an option.
  const listing = git(['ls-tree', '-r', '-z', '-l', '--full-tree', '--end-of-options', revision, '--', ...prefixes], top).toString('utf8');
  const entries = new Map<string, { mode: string; object: string; size: number }>();
  for (const line of listing.split('\0')) {
    const tab = line.indexOf('\t');
    if (tab < 0) continue;
    const [mode, type, object, size] = line.slice(0, tab).split(/\s+/);
    const file = line.slice(tab + 1);
    if (type !== 'blob' || !isManifestPath(file, prefixes)) continue;
    entries.set(file, { mode, object, size: Number(size) });
  }
  const files = [...entries.keys()].sort();
  const readable = files.filter((file) => entries.get(file)!.size <= MAX_FILE_BYTES);
  const readContents = readObjects(top, readable.map((file) => entries.get(file)!.object));
  const contentOf = new Map(readable.map((file, index) => [file, readContents[index]]));
  const result: RevisionFile[] = [];
  const shown = new Set<string>();
  const shownPathOf = (file: string) => (options.prefixRevision
    ? `${revision}:${path.relative(cwd, path.join(top, file)).split(path.sep).join('/')}`
    : displayPath(file, given));
  files.forEach((file) => {
    const { size } = entries.get(file)!;
    if (size > MAX_FILE_BYTES) {
      const shownPath = shownPathOf(file);
      if (!shown.has(shownPath)) result.push({ path: shownPath, tooLarge: size });
      shown.add(shownPath);
      return;
    }
    let bytes = contentOf.get(file);
    if (!bytes) return;
    if (entries.get(file)!.mode === SYMBOLIC_LINK_MODE) {
      const target = path.posix.normalize(path.posix.join(path.posix.dirname(file), bytes.toString('utf8')));
      // A link to a file already read is that file once; a link out of the tree, or to a folder, is left out.
      if (entries.has(target) || target.startsWith('..')) return;
      const [linked] = safeReadPaths(top, revision, [target]);
      if (!linked) return;
      // A link's target is read whatever its size: it is checked as the loader checks any text.
      bytes = linked;
      if (bytes.length > MAX_FILE_BYTES) {
        const shownPath = shownPathOf(file);
        if (!shown.has(shownPath)) result.push({ path: shownPath, tooLarge: bytes.length });
        shown.add(shownPath);
        return;
      }
    }
    const shownPath = shownPathOf(file);
    if (shown.has(shownPath)) return;
    shown.add(shownPath);
    result.push({ path: shownPath, bytes });
  });
  return { files: result, top };
}

/**
 * Names a file as a folder scan of the working tree names it: the target as given on the command
 * line joined with the file's path below it (`./app` and `a.yaml` give `app/a.yaml`), so that the
 * same file has the same name at a revision and on disk.
 */
function displayPath(file: string, given: readonly { target: string; prefix: string }[]): string {
  const owner = given.filter((entry) => entry.prefix === file || entry.prefix === '.' || file.startsWith(`${entry.prefix}/`))
    .sort((a, b) => b.prefix.length - a.prefix.length)[0];
  if (!owner || owner.prefix === file) return owner?.target ?? file;
  const below = owner.prefix === '.' ? file : file.slice(owner.prefix.length + 1);
  return path.join(owner.target, ...below.split('/'));
}

/**
 * True for a path a folder scan would read: a manifest extension, no hidden or node_modules folder
 * below the given target, and not k8snet's configuration unless the target names the file itself.
 */
function isManifestPath(file: string, prefixes: readonly string[]): boolean {
  if (prefixes.includes(file)) return true;
  const name = file.slice(file.lastIndexOf('/') + 1);
  if (!MANIFEST_EXTENSION.test(name) || TOOL_FILES.has(name)) return false;
  const prefix = prefixes.filter((candidate) => candidate === '.' || file.startsWith(`${candidate}/`)).sort((a, b) => b.length - a.length)[0] ?? '.';
  const below = prefix === '.' ? file : file.slice(prefix.length + 1);
  return !below.split('/').slice(0, -1).some((folder) => folder.startsWith('.') || folder === 'node_modules');
}

/** Reads git objects by id with one `git cat-file --batch`, in the order asked. */
function readObjects(top: string, objects: readonly string[]): (Buffer | undefined)[] {
  if (objects.length === 0) return [];
  return parseBatch(git(['cat-file', '--batch'], top, Buffer.from(`${objects.join('\n')}\n`, 'utf8')), objects.length);
}

/** Reads `revision:path` blobs; undefined for a path that is missing or not a blob. */
function safeReadPaths(top: string, revision: string, files: readonly string[]): (Buffer | undefined)[] {
  try {
    const output = git(['cat-file', '--batch'], top, Buffer.from(files.map((file) => `${revision}:${file}\n`).join(''), 'utf8'));
    return parseBatch(output, files.length);
  } catch {
    return files.map(() => undefined);
  }
}

/**
 * Splits `git cat-file --batch` output: for each object `<id> <type> <size>\n<content>\n`, or
 * `<name> missing\n` (undefined here, as is an object that is not a blob).
 */
function parseBatch(output: Buffer, count: number): (Buffer | undefined)[] {
  const contents: (Buffer | undefined)[] = [];
  let offset = 0;
  for (let index = 0; index < count; index++) {
    const headerEnd = output.indexOf(0x0a, offset);
    if (headerEnd < 0) throw new GitError('git cat-file stopped early');
    const header = output.subarray(offset, headerEnd).toString('utf8').split(' ');
    offset = headerEnd + 1;
    if (header.length !== 3) {
      contents.push(undefined);
      continue;
    }
    const size = Number(header[2]);
    contents.push(header[1] === 'blob' ? output.subarray(offset, offset + size) : undefined);
    offset += size + 1;
  }
  return contents;
}

/**
 * Reads the manifests under `target` (a file or folder, relative to the current folder) as they
 * are at git revision `revision`, each shown as `REV:path` with its bytes: what `diff --git` compares.
 */
export function readManifestsAtRevision(revision: string, target: string, cwd: string): ({ path: string; text: Buffer } | { path: string; tooLarge: number })[] {
  return readManifestTree(revision, [target], cwd, { prefixRevision: true }).files
    .map((file) => ('tooLarge' in file ? file : { path: file.path, text: file.bytes }));
}
