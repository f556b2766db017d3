import fs from 'node:fs';
import path from 'node:path';

/**
 * One input to read: a file path as it will be shown, or standard input. `fsPath` is the path as
 * bytes, for a file whose name is not valid UTF-8 (`path` then shows the bytes as `\xNN`).
 */
export type InputSource = { readonly kind: 'file'; readonly path: string; readonly fsPath?: Buffer } | { readonly kind: 'stdin' };

/**
 * Why a path was not read: it cannot be (`unreadable`, an error), or k8snet chose not to read it
 * because it is not a regular file (`notRegular`) or a symbolic link leads outside the paths
 * given (`outsidePaths`), both warnings when met inside a folder.
 */
export type DiscoveryProblemKind = 'unreadable' | 'notRegular' | 'outsidePaths';

/** A path that could not be expanded, with the reason in plain words. */
export interface DiscoveryProblem {
  readonly path: string;
  readonly message: string;
  /** `unreadable` when absent. */
  readonly kind?: DiscoveryProblemKind;
}

const MANIFEST_EXTENSION = /\.(ya?ml|json)$/i;

/**
 * Expands the paths given on the command line into the files to read: files as given,
 * folders recursively (only `*.yaml`, `*.yml`, `*.json`; no hidden folders or `node_modules`),
 * and `-` as standard input. Order is deterministic.
 *
 * Nothing outside the given paths is read: a symbolic link inside a folder is followed only when
 * its target lies inside one of the paths given (loops are cut), and reported otherwise, so a
 * committed link to `/etc` or a home folder cannot make k8snet read it. Only regular files are
 * read: a FIFO, socket or device given or found is reported (opening a FIFO would block forever,
 * reading `/dev/zero` would never end).
 */
export function discoverInputs(paths: readonly string[]): { inputs: InputSource[]; problems: DiscoveryProblem[] } {
  const inputs: InputSource[] = [];
  const problems: DiscoveryProblem[] = [];
  const seenFiles = new Set<string>();
  const walk: FolderWalk = { inputs, problems, seenFiles, roots: [] };
  const stats = new Map<string, fs.Stats>();
  // The roots first: a link from one given folder into another given one is followed.
  for (const given of paths) {
    if (given === '-' || stats.has(given)) continue;
    try {
      const entry = fs.statSync(given);
      stats.set(given, entry);
      walk.roots.push(realPath(given));
    } catch {
      // Reported below, in order.
    }
  }
  for (const given of paths) {
    if (given === '-') {
      inputs.push({ kind: 'stdin' });
      continue;
    }
    const entry = stats.get(given);
    if (!entry) {
      problems.push({ path: given, message: describeMissing(given) });
      continue;
    }
    if (entry.isDirectory()) {
      walkFolder(given, undefined, realPath(given), new Set(), walk);
    } else if (!entry.isFile()) {
      problems.push({ path: given, message: `${given}: ${describeFileType(entry)}, not a regular file; k8snet reads files and folders (and - for standard input)` });
    } else if (!seenFiles.has(realPath(given))) {
      seenFiles.add(realPath(given));
      inputs.push({ kind: 'file', path: given });
    }
  }
  return { inputs, problems };
}

/** What one expansion collects, and the real paths of the paths given, which links may not leave. */
interface FolderWalk {
  readonly inputs: InputSource[];
  readonly problems: DiscoveryProblem[];
  readonly seenFiles: Set<string>;
  readonly roots: string[];
}

function isInsideRoots(real: string, roots: readonly string[]): boolean {
  return roots.some((root) => real === root || real.startsWith(root.endsWith(path.sep) ? root : `${root}${path.sep}`));
}

/**
 * Walks `folder` (its name as shown; `fsFolder`, its name as bytes, when it is not valid UTF-8).
 * Children whose names are not valid UTF-8 are read by their bytes and shown with `\xNN`.
 */
function walkFolder(folder: string, fsFolder: Buffer | undefined, real: string, ancestors: Set<string>, walk: FolderWalk): void {
  // A symlink that points back at a folder being walked would recurse forever.
  if (ancestors.has(real)) return;
  let entries: { name: string; fsName?: Buffer; dirent: fs.Dirent<string> | fs.Dirent<Buffer> }[];
  try {
    entries = readEntries(folder, fsFolder);
  } catch (error) {
    walk.problems.push({ path: folder, message: describeFsError(error, folder) });
    return;
  }
  const inside = new Set(ancestors).add(real);
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const { name, fsName, dirent } of entries) {
    const child = path.join(folder, name);
    const fsChild = fsName || fsFolder ? Buffer.concat([fsFolder ?? Buffer.from(folder), Buffer.from(path.sep), fsName ?? Buffer.from(name)]) : undefined;
    let isDirectory = dirent.isDirectory();
    let isFile = dirent.isFile();
    let special: fs.Stats | fs.Dirent<string> | fs.Dirent<Buffer> | undefined = isDirectory || isFile || dirent.isSymbolicLink() ? undefined : dirent;
    // Real paths are worked out only across symbolic links: below a real folder, the real path
    // of a child is the folder's plus its name (one realpath call per file would cost more
    // than reading it).
    let childReal = path.join(real, name);
    if (dirent.isSymbolicLink()) {
      let target: fs.Stats;
      try {
        target = fs.statSync(fsChild ?? child);
      } catch (error) {
        walk.problems.push({ path: child, message: describeBrokenLink(error, fsChild ?? child, child) });
        continue;
      }
      childReal = realPath(fsChild ?? child);
      isDirectory = target.isDirectory();
      isFile = target.isFile();
      special = isDirectory || isFile ? undefined : target;
      if (!isInsideRoots(childReal, walk.roots) && (isDirectory || MANIFEST_EXTENSION.test(name))) {
        walk.problems.push({
          path: child,
          kind: 'outsidePaths',
          message: `${child}: symbolic link to ${childReal}, outside the paths given; not followed (give its target as a path to read it)`,
        });
        continue;
      }
    }
    if (isDirectory) {
      if (name.startsWith('.') || name === 'node_modules') continue;
      walkFolder(child, fsChild, childReal, inside, walk);
    } else if (MANIFEST_EXTENSION.test(name) && !TOOL_FILES.has(name)) {
      if (special) {
        walk.problems.push({ path: child, kind: 'notRegular', message: `${child}: ${describeFileType(special)}, not a regular file; not read` });
        continue;
      }
      if (!isFile || walk.seenFiles.has(childReal)) continue;
      walk.seenFiles.add(childReal);
      walk.inputs.push(fsChild ? { kind: 'file', path: child, fsPath: fsChild } : { kind: 'file', path: child });
    }
  }
}

/**
 * The entries of a folder with their names as shown. A name that is not valid UTF-8 (Node.js
 * decodes it with U+FFFD, a name that opens nothing) is read again as bytes, kept for opening,
 * and shown with its invalid bytes as `\xNN`. Folders without such names are read once, as
 * strings.
 */
function readEntries(folder: string, fsFolder: Buffer | undefined): { name: string; fsName?: Buffer; dirent: fs.Dirent<string> | fs.Dirent<Buffer> }[] {
  if (!fsFolder) {
    const entries = fs.readdirSync(folder, { withFileTypes: true });
    if (!entries.some((entry) => entry.name.includes('\uFFFD'))) return entries.map((dirent) => ({ name: dirent.name, dirent }));
  }
  return fs.readdirSync(fsFolder ?? folder, { withFileTypes: true, encoding: 'buffer' }).map((dirent) => {
    const name = displayFileName(dirent.name);
    return name === dirent.name.toString('utf8') && !fsFolder ? { name, dirent } : { name, fsName: dirent.name, dirent };
  });
}

/**
 * Decodes a file name's bytes as UTF-8, writing each byte that is not part of a valid UTF-8
 * sequence as `\xNN`, so that a name Node.js cannot decode is still shown, distinctly.
 */
export function displayFileName(bytes: Buffer): string {
  let text = '';
  let index = 0;
  while (index < bytes.length) {
    const length = utf8SequenceLength(bytes, index);
    if (length === 0) {
      text += `\\x${bytes[index].toString(16).toUpperCase().padStart(2, '0')}`;
      index++;
    } else {
      text += bytes.toString('utf8', index, index + length);
      index += length;
    }
  }
  return text;
}

/** The length of the valid UTF-8 sequence at `index` (RFC 3629: no overlong forms, surrogates or values above U+10FFFF), or 0. */
function utf8SequenceLength(bytes: Buffer, index: number): number {
  const lead = bytes[index];
  if (lead < 0x80) return 1;
  const length = lead >= 0xc2 && lead <= 0xdf ? 2 : lead >= 0xe0 && lead <= 0xef ? 3 : lead >= 0xf0 && lead <= 0xf4 ? 4 : 0;
  if (length === 0 || index + length > bytes.length) return 0;
  for (let offset = 1; offset < length; offset++) if ((bytes[index + offset] & 0xc0) !== 0x80) return 0;
  const second = bytes[index + 1];
  if (lead === 0xe0 && second < 0xa0) return 0;
  if (lead === 0xed && second > 0x9f) return 0;
  if (lead === 0xf0 && second < 0x90) return 0;
  if (lead === 0xf4 && second > 0x8f) return 0;
  return length;
}

/** `a FIFO (named pipe)`, `a character device`, ...: what a path that is not a regular file or folder is. */
function describeFileType(entry: fs.Stats | fs.Dirent<string> | fs.Dirent<Buffer>): string {
  if (entry.isFIFO()) return 'a FIFO (named pipe)';
  if (entry.isCharacterDevice()) return 'a character device';
  if (entry.isBlockDevice()) return 'a block device';
  if (entry.isSocket()) return 'a socket';
  return 'not a file or folder';
}

/** Says why a symbolic link leads nowhere: its target is missing, or the link leads back to itself. */
function describeBrokenLink(error: unknown, link: string | Buffer, shown: string): string {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  let target = '';
  try {
    target = ` to ${displayFileName(fs.readlinkSync(link, { encoding: 'buffer' }))}`;
  } catch {
    // The link itself is unreadable: say what is known.
  }
  if (code === 'ENOENT' || code === 'ENOTDIR') return `${shown}: broken symbolic link${target} (its target does not exist)`;
  if (code === 'ELOOP') return `${shown}: symbolic link loop${target} (it leads back to itself)`;
  return describeFsError(error, shown);
}

/** Says why a path given on the command line cannot be found. */
function describeMissing(given: string): string {
  let error: unknown;
  try {
    fs.statSync(given);
  } catch (caught) {
    error = caught;
  }
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  if (code === 'ENOENT' && given.includes('\uFFFD')) {
    // Node.js decodes the command line as UTF-8 and replaces what is not: the name is lost.
    return `${given}: no such file or folder; its name may not be valid UTF-8, which the command line passes on altered (give the folder that holds it instead)`;
  }
  if (code === 'ELOOP') {
    try {
      if (fs.lstatSync(given).isSymbolicLink()) return describeBrokenLink(error, given, given);
    } catch {
      // Fall through to the plain description.
    }
  }
  return describeFsError(error, given);
}

/**
 * The names of k8snet's configuration file, in the order looked for: not manifests, so skipped
 * when folders are walked (a file named on the command line is still read).
 */
export const CONFIG_FILE_NAMES: readonly string[] = ['.k8snet.yaml', '.k8snet.yml'];
const TOOL_FILES: ReadonlySet<string> = new Set(CONFIG_FILE_NAMES);

function realPath(target: string | Buffer): string {
  try {
    return fs.realpathSync(target);
  } catch {
    return path.resolve(target.toString());
  }
}

/** Turns a Node.js file-system error into a sentence a user understands. */
export function describeFsError(error: unknown, target: string): string {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  switch (code) {
    case 'ENOENT':
      return `${target}: no such file or folder`;
    case 'EACCES':
    case 'EPERM':
      return `${target}: permission denied`;
    case 'EISDIR':
      return `${target}: is a folder`;
    case 'ELOOP':
      return `${target}: too many levels of symbolic links`;
    default:
      return `${target}: cannot be read (${code ?? (error as Error)?.message ?? 'unknown error'})`;
  }
}
