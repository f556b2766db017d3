import fs from 'node:fs';
import path from 'node:path';

/** One input to read: a file path as it will be shown, or standard input. */
export type InputSource = { readonly kind: 'file'; readonly path: string } | { readonly kind: 'stdin' };

/** A path that could not be expanded, with the reason in plain words. */
export interface DiscoveryProblem {
  readonly path: string;
  readonly message: string;
}

const MANIFEST_EXTENSION = /\.(ya?ml|json)$/i;

/**
 * Expands the paths given on the command line into the files to read: files as given,
 * folders recursively (only `*.yaml`, `*.yml`, `*.json`; no hidden folders or `node_modules`;
 * symlinks followed once, loops cut), and `-` as standard input. Order is deterministic.
 */
export function discoverInputs(paths: readonly string[]): { inputs: InputSource[]; problems: DiscoveryProblem[] } {
  const inputs: InputSource[] = [];
  const problems: DiscoveryProblem[] = [];
  const seenFiles = new Set<string>();
  for (const given of paths) {
    if (given === '-') {
      inputs.push({ kind: 'stdin' });
      continue;
    }
    let stats: fs.Stats;
    try {
      stats = fs.statSync(given);
    } catch (error) {
      problems.push({ path: given, message: describeFsError(error, given) });
      continue;
    }
    if (stats.isDirectory()) {
      walkFolder(given, realPath(given), new Set(), inputs, problems, seenFiles);
    } else if (!seenFiles.has(realPath(given))) {
      seenFiles.add(realPath(given));
      inputs.push({ kind: 'file', path: given });
    }
  }
  return { inputs, problems };
}

function walkFolder(
  folder: string,
  real: string,
  ancestors: Set<string>,
  inputs: InputSource[],
  problems: DiscoveryProblem[],
  seenFiles: Set<string>,
): void {
  // A symlink that points back at a folder being walked would recurse forever.
  if (ancestors.has(real)) return;
  let entries: fs.Dirent[];
  try {
    entries = fs.readdirSync(folder, { withFileTypes: true });
  } catch (error) {
    problems.push({ path: folder, message: describeFsError(error, folder) });
    return;
  }
  const inside = new Set(ancestors).add(real);
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const entry of entries) {
    const child = path.join(folder, entry.name);
    let isDirectory = entry.isDirectory();
    let isFile = entry.isFile();
    // Real paths are worked out only across symbolic links: below a real folder, the real path
    // of a child is the folder's plus its name (one realpath call per file would cost more
    // than reading it).
    let childReal = path.join(real, entry.name);
    if (entry.isSymbolicLink()) {
      childReal = realPath(child);
      try {
        const target = fs.statSync(child);
        isDirectory = target.isDirectory();
        isFile = target.isFile();
      } catch {
        problems.push({ path: child, message: `${child}: broken symbolic link` });
        continue;
      }
    }
    if (isDirectory) {
      if (entry.name.startsWith('.') || entry.name === 'node_modules') continue;
      walkFolder(child, childReal, inside, inputs, problems, seenFiles);
    } else if (isFile && MANIFEST_EXTENSION.test(entry.name) && !TOOL_FILES.has(entry.name)) {
      if (seenFiles.has(childReal)) continue;
      seenFiles.add(childReal);
      inputs.push({ kind: 'file', path: child });
    }
  }
}

/**
 * The names of k8snet's configuration file, in the order looked for: not manifests, so skipped
 * when folders are walked (a file named on the command line is still read).
 */
export const CONFIG_FILE_NAMES: readonly string[] = ['.k8snet.yaml', '.k8snet.yml'];
const TOOL_FILES: ReadonlySet<string> = new Set(CONFIG_FILE_NAMES);

function realPath(target: string): string {
  try {
    return fs.realpathSync(target);
  } catch {
    return path.resolve(target);
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
