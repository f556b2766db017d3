import { GitError, readManifestTree } from '../../load/git.js';
import { analyzeTexts, type Analysis } from '../../pipeline.js';
import { countOf, verbFor } from '../../model/plural.js';
import type { LintConfig } from '../../lint/config.js';
import { UsageError, type GlobalOptions } from '../context.js';
import type { ProgressLine } from '../progress.js';
import { modelOptionsOf } from './shared.js';

/** The manifests of `lint --new-from-rev REV`'s revision, and what to say about them. */
export interface LintBase {
  readonly analysis: Analysis;
  /** Writes on standard error how many findings REV had too, and which of its files did not load. */
  report(known: number): void;
}

/**
 * Reads the same paths as the working tree's run at commit `commit` (files or folders, as the
 * folder scan finds them; a path that did not exist then holds nothing) and builds their graph,
 * each file named as on disk so that findings about a file compare equal, with the configuration
 * the working tree's graph is built with (`workloads:`, `namespaces:`).
 */
export function readBase(revision: string, commit: string, paths: readonly string[], global: GlobalOptions, config: LintConfig, progress: ProgressLine): LintBase {
  let files;
  try {
    files = readManifestTree(commit, paths, process.cwd()).files;
  } catch (error) {
    if (error instanceof GitError) throw new UsageError(`--new-from-rev ${revision}: ${error.message}`);
    throw error;
  }
  progress.update(() => `k8snet: reading ${countOf(files.length, 'file')} at ${revision}`);
  // A file over the size limit comes as its size (git's listing): the loader reports it, unread.
  const analysis: Analysis = analyzeTexts(
    files.map((file) => ('tooLarge' in file ? file : { path: file.path, text: file.bytes })),
    { defaultNamespace: global.namespace, ...modelOptionsOf(config) },
  );
  return {
    analysis,
    report(known) {
      if (known > 0) {
        process.stderr.write(`k8snet: ${countOf(known, 'finding')} that ${revision} already had ${verbFor(known, 'is', 'are')} not shown (--new-from-rev).\n`);
      }
      const broken = new Set(analysis.inputFindings.filter((finding) => finding.severity === 'error' && finding.location).map((finding) => finding.location!.file));
      if (broken.size > 0) {
        process.stderr.write(`k8snet: at ${revision}, ${countOf(broken.size, 'file')} did not load cleanly; findings about their objects may show as new.\n`);
      }
    },
  };
}
