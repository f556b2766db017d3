import { analyzePaths, type Analysis } from '../../pipeline.js';
import { readStandardInput } from '../io.js';
import type { GlobalOptions } from '../context.js';
import type { Finding } from '../../finding.js';
import { countOf, formatCount } from '../../model/plural.js';
import { ProgressLine, canShowProgress } from '../progress.js';

/** Loads the manifests for a command and builds the graph, telling `progress` how far it got. */
export function loadAnalysis(paths: readonly string[], global: GlobalOptions, isRelevant?: (bytes: Buffer) => boolean, progress?: ProgressLine): Analysis {
  return analyzePaths(paths, {
    readStdin: readStandardInput,
    defaultNamespace: global.namespace,
    ...(isRelevant ? { isRelevant } : {}),
    ...(progress ? { onProgress: ({ read, parsed, total }) => progress.update(() => `k8snet: ${formatCount(read)} of ${countOf(total, 'file')} read, ${formatCount(parsed)} parsed`) } : {}),
  });
}

/** A progress line on standard error when it is a terminal outside CI (see canShowProgress), else one that draws nothing. */
export function progressLine(): ProgressLine {
  return new ProgressLine(canShowProgress(process.stderr, process.env) ? (text) => process.stderr.write(text) : undefined);
}

/** Formats one finding on one line, compiler style: `file:line:col: severity: message [rule]`. */
export function formatFindingLine(finding: Finding): string {
  const where = finding.location ? `${finding.location.file}:${finding.location.line}:${finding.location.column}: ` : '';
  return `${where}${finding.severity}: ${finding.message} [${finding.ruleId}]`;
}

/**
 * Prints the input problems of a non-lint command on standard error (infos only with --debug),
 * so that an answer is never silently based on a partial reading of the manifests.
 */
export function reportInputFindings(findings: readonly Finding[], global: GlobalOptions): void {
  const shown = findings.filter((finding) => finding.severity !== 'info' || global.debug);
  for (const finding of shown) process.stderr.write(`${formatFindingLine(finding)}\n`);
  const errors = findings.filter((finding) => finding.severity === 'error').length;
  if (errors > 0) {
    process.stderr.write(`k8snet: ${countOf(errors, 'input error')}: the objects concerned are left out of this answer.\n`);
  }
}
