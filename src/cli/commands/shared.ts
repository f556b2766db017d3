import { analyzePaths, type Analysis } from '../../pipeline.js';
import { readStandardInput } from '../io.js';
import type { GlobalOptions } from '../context.js';
import type { Finding } from '../../finding.js';
import { escapeText } from '../../report/escape/text.js';
import { DEFAULT_MAX_REPEATS, capRepeats, describeOmitted } from '../../report/summary.js';

/** Loads the manifests for a command and builds the graph. */
export function loadAnalysis(paths: readonly string[], global: GlobalOptions, isRelevant?: (bytes: Buffer) => boolean): Analysis {
  return analyzePaths(paths, { readStdin: readStandardInput, defaultNamespace: global.namespace, ...(isRelevant ? { isRelevant } : {}) });
}

/**
 * Formats one finding on one line, compiler style: `file:line:col: severity: message [rule]`,
 * with control characters escaped (a file name or a value quoted in the message could otherwise
 * end the line, and start a GitHub workflow command on the next one).
 */
export function formatFindingLine(finding: Finding): string {
  const where = finding.location ? `${finding.location.file}:${finding.location.line}:${finding.location.column}: ` : '';
  return escapeText(`${where}${finding.severity}: ${finding.message} [${finding.ruleId}]`);
}

/**
 * Prints the input problems of a non-lint command on standard error (infos only with --debug),
 * so that an answer is never silently based on a partial reading of the manifests.
 */
export function reportInputFindings(findings: readonly Finding[], global: GlobalOptions): void {
  const shown = findings.filter((finding) => finding.severity !== 'info' || global.debug);
  // As in lint's reports: 200,000 broken documents make 100 lines and a count, not 200,000 lines.
  const { listed, omitted } = capRepeats(shown, DEFAULT_MAX_REPEATS);
  for (const finding of listed) process.stderr.write(`${formatFindingLine(finding)}\n`);
  for (const entry of omitted) process.stderr.write(`${escapeText(`${entry.file ?? ''}: ${describeOmitted(entry, false)}`)}\n`);
  const errors = findings.filter((finding) => finding.severity === 'error').length;
  if (errors > 0) {
    process.stderr.write(`k8snet: ${errors} input error${errors === 1 ? '' : 's'}: the objects concerned are left out of this answer.\n`);
  }
}
