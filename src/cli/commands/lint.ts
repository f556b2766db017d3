import path from 'node:path';
import { isAtLeast, type Finding, type Severity } from '../../finding.js';
import { ConfigError, withRuleOverrides, type LintConfig } from '../../lint/config.js';
import { RuleError, runRules } from '../../lint/engine.js';
import { ReachabilitySolver, type HostNetworkMode } from '../../reach/solver.js';
import { summarize, type LintResult } from '../../report/summary.js';
import { RULES } from '../../../rules/index.js';
import { INPUT_RULES } from '../../load/input-rules.js';
import { EXIT_FINDINGS, EXIT_OK, EXIT_USAGE, UsageError, hasInputErrors, type GlobalOptions } from '../context.js';
import { openOutput } from '../io.js';
import { shouldColorFile } from '../output.js';
import { describeSkippedFiles, loadCommandInput } from './shared.js';
import { loadConfigWithOverrides, type AddressFactOptions } from './ipam.js';

/** Options of `k8snet lint`. */
export interface LintOptions extends AddressFactOptions {
  readonly format: 'stylish' | 'json' | 'sarif' | 'github' | 'junit';
  readonly output?: string;
  readonly failOn: Severity;
  readonly maxWarnings?: number;
  readonly verbose: boolean;
  readonly config?: string;
  readonly rule: string[];
  readonly hostNetworkPods: HostNetworkMode;
  /** Paths loaded for context only: their objects resolve selectors, their findings are not shown. */
  readonly context: string[];
}

/** Runs `k8snet lint`: loads the manifests, runs every rule, reports, returns the exit code. */
export async function runLint(paths: string[], options: LintOptions, global: GlobalOptions): Promise<number> {
  let config: LintConfig;
  try {
    config = withRuleOverrides(loadConfigWithOverrides(options.config, options), options.rule);
  } catch (error) {
    if (error instanceof ConfigError) throw new UsageError(error.message);
    throw error;
  }
  const known = new Set([...RULES.map((rule) => rule.id), ...Object.values(INPUT_RULES).map((rule) => rule.id)]);
  for (const override of options.rule) {
    const id = override.split('=')[0];
    if (!known.has(id)) throw new UsageError(`--rule ${override}: no rule called '${id}'; run k8snet rules for the list`);
  }
  for (const id of Object.keys(config.rules)) {
    if (!known.has(id)) throw new UsageError(`${config.file}: no rule called '${id}'; run k8snet rules for the list`);
  }
  // The given paths come first, so a file both given and found in the context keeps its name as given.
  const loaded = loadCommandInput([...paths, ...options.context], global, config, { requireManifestsIn: paths });
  const analysis = loaded.analysis;
  const fileInScope = scopeOf(paths, options.context.length > 0);
  const inScope = (finding: Finding) => fileInScope(finding.location?.file);
  const input = { shown: loaded.inputFindings, suppressed: loaded.suppressed };
  // The files given (not those of the context) that are not manifests: the summary line is about them.
  const skipped = analysis.skipped.filter((file) => fileInScope(file.path));
  let ruleRun;
  try {
    ruleRun = runRules(analysis.graph, RULES, config, () => new ReachabilitySolver(analysis.graph, { hostNetworkPods: options.hostNetworkPods }));
  } catch (error) {
    if (error instanceof RuleError) throw new UsageError(error.message);
    throw error;
  }
  const findings = [...input.shown, ...ruleRun.findings].filter(inScope);
  const result: LintResult = {
    findings,
    summary: { ...summarize(findings, analysis.files.length, input.suppressed + ruleRun.suppressed), notManifests: skipped.length },
    notManifests: skipped,
  };
  // Machine formats on standard output stay pure; the JSON document carries the files itself.
  if (options.format !== 'json') process.stderr.write(describeSkippedFiles(skipped, options.verbose));
  const { sink, close } = openOutput(options.output);
  // A finding no file states still needs a place in SARIF: the configuration, else the first manifest.
  const fallbackFile = config.file ? path.relative(process.cwd(), config.file) : analysis.files.find((file) => file !== '<stdin>');
  sink.push(await format(result, options, global, fallbackFile));
  await close();
  if (hasInputErrors(input.shown.filter(inScope))) return EXIT_USAGE;
  if (findings.some((finding) => isAtLeast(finding.severity, options.failOn))) return EXIT_FINDINGS;
  if (options.maxWarnings !== undefined && result.summary.warnings > options.maxWarnings) return EXIT_FINDINGS;
  return EXIT_OK;
}

/**
 * With --context, only findings in the given files (or under the given folders) are reported: the
 * context is there to resolve selectors against the whole repository, as pre-commit passes only
 * the changed files. Returns whether a file (a finding's, undefined for none) is reported.
 */
function scopeOf(paths: readonly string[], hasContext: boolean): (file: string | undefined) => boolean {
  if (!hasContext) return () => true;
  const roots = paths.filter((given) => given !== '-').map((given) => path.resolve(given));
  return (file) => {
    if (file === undefined || file === '<stdin>') return paths.includes('-') || file === undefined;
    const resolved = path.resolve(file);
    return roots.some((root) => resolved === root || resolved.startsWith(`${root}${path.sep}`));
  };
}

async function format(result: LintResult, options: LintOptions, global: GlobalOptions, fallbackFile: string | undefined): Promise<string> {
  switch (options.format) {
    case 'json':
      return (await import('../../report/json.js')).formatJson(result);
    case 'sarif':
      return (await import('../../report/sarif.js')).formatSarif(result, RULES, undefined, { ...(fallbackFile ? { fallbackFile } : {}) });
    case 'github':
      return (await import('../../report/github.js')).formatGithub(result);
    case 'junit':
      return (await import('../../report/junit.js')).formatJunit(result);
    default:
      const paint = await (await import('../../report/paint.js')).loadPaint(shouldColorFile(options.output, global));
      return (await import('../../report/stylish.js')).formatStylish(result, { paint, verbose: options.verbose });
  }
}
