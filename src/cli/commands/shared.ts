import { analyzePaths, type Analysis, type ModelOptions } from '../../pipeline.js';
import { ConfigError, findConfigFile, loadConfig, type LintConfig } from '../../lint/config.js';
import { readStandardInput } from '../io.js';
import { UsageError, type GlobalOptions } from '../context.js';
import type { Finding } from '../../finding.js';

let nearestConfig: LintConfig | undefined;

/**
 * The configuration of a command that has no --config: the nearest `.k8snet.yaml` from the current
 * folder up (or the defaults), read once. What it says about the graph (`workloads:`,
 * `namespaces:`) counts for every command, not only lint.
 */
export function loadNearestConfig(): LintConfig {
  try {
    return (nearestConfig ??= loadConfig(findConfigFile(undefined, process.cwd())));
  } catch (error) {
    if (error instanceof ConfigError) throw new UsageError(error.message);
    throw error;
  }
}

/** What the configuration tells the graph: operators' kinds of workloads and namespaces made elsewhere. */
export function modelOptionsOf(config: LintConfig): ModelOptions {
  return { workloadDeclarations: config.workloads, namespaceDeclarations: config.namespaces, istio: config.istio };
}

/** Loads the manifests for a command and builds the graph, with what `config` (by default the nearest `.k8snet.yaml`) says about it. */
export function loadAnalysis(paths: readonly string[], global: GlobalOptions, isRelevant?: (bytes: Buffer) => boolean, config: LintConfig = loadNearestConfig()): Analysis {
  return analyzePaths(paths, {
    readStdin: readStandardInput, defaultNamespace: global.namespace, ...(isRelevant ? { isRelevant } : {}), ...modelOptionsOf(config),
  });
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
    process.stderr.write(`k8snet: ${errors} input error${errors === 1 ? '' : 's'}: the objects concerned are left out of this answer.\n`);
  }
}
