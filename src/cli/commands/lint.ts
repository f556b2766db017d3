import { isAtLeast, type Severity } from '../../finding.js';
import { summarize, type LintResult } from '../../report/summary.js';
import { EXIT_FINDINGS, EXIT_OK, EXIT_USAGE, hasInputErrors, type GlobalOptions } from '../context.js';
import { openOutput, shouldColorFile } from '../output.js';
import { loadAnalysis } from './shared.js';

/** Options of `k8snet lint`. */
export interface LintOptions {
  readonly format: 'stylish' | 'json';
  readonly output?: string;
  readonly failOn: Severity;
  readonly maxWarnings?: number;
  readonly verbose: boolean;
}

/** Runs `k8snet lint`: loads the manifests, reports every finding, returns the exit code. */
export async function runLint(paths: string[], options: LintOptions, global: GlobalOptions): Promise<number> {
  const analysis = loadAnalysis(paths, global);
  const findings = analysis.inputFindings;
  const result: LintResult = { findings, summary: summarize(findings, analysis.files.length) };
  const { sink, close } = openOutput(options.output);
  if (options.format === 'json') {
    const { formatJson } = await import('../../report/json.js');
    sink.push(formatJson(result));
  } else {
    const { formatStylish } = await import('../../report/stylish.js');
    sink.push(formatStylish(result, { color: shouldColorFile(options.output, global), verbose: options.verbose }));
  }
  await close();
  if (hasInputErrors(findings)) return EXIT_USAGE;
  if (findings.some((finding) => isAtLeast(finding.severity, options.failOn))) return EXIT_FINDINGS;
  if (options.maxWarnings !== undefined && result.summary.warnings > options.maxWarnings) return EXIT_FINDINGS;
  return EXIT_OK;
}
