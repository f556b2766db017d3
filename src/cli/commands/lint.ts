import path from 'node:path';
import { isAtLeast, type Finding, type Severity } from '../../finding.js';
import { ConfigError, withRuleOverrides, type LintConfig } from '../../lint/config.js';
import { RuleError, runRules } from '../../lint/engine.js';
import { ReachabilitySolver, type HostNetworkMode } from '../../reach/solver.js';
import { DEFAULT_MAX_REPEATS, capRepeats, sortFindings, summarize, type LintResult } from '../../report/summary.js';
import { RULES } from '../../../rules/index.js';
import { INPUT_RULES } from '../../load/input-rules.js';
import { EXIT_FINDINGS, EXIT_OK, EXIT_USAGE, UsageError, hasInputErrors, type GlobalOptions } from '../context.js';
import { openOutput } from '../io.js';
import { shouldColorFile } from '../output.js';
import { loadAnalysis } from './shared.js';
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
  /** How many findings of one rule are listed per file; the rest are counted (0 lists all). */
  readonly maxRepeats?: number;
}

/**
 * Applies the configuration to the loader's findings: a rule id configured `off` hides them,
 * another level replaces their severity, and ignored paths hide them too.
 */
function configureInputFindings(findings: readonly Finding[], config: LintConfig, isIgnored: (file: string) => boolean): { shown: Finding[]; suppressed: number } {
  const shown: Finding[] = [];
  let suppressed = 0;
  for (const finding of findings) {
    const level = config.rules[finding.ruleId]?.level;
    if (level === 'off' || (finding.location && isIgnored(finding.location.file) && finding.severity !== 'error')) {
      suppressed++;
      continue;
    }
    shown.push(level ? { ...finding, severity: level } : finding);
  }
  return { shown, suppressed };
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
  const analysis = loadAnalysis([...paths, ...options.context], global);
  const inScope = scopeOf(paths, options.context.length > 0);
  const { globMatcher } = await import('../../lint/config.js');
  const input = configureInputFindings(analysis.inputFindings, config, globMatcher(config.ignore));
  let ruleRun;
  try {
    ruleRun = runRules(analysis.graph, RULES, config, () => new ReachabilitySolver(analysis.graph, { hostNetworkPods: options.hostNetworkPods }));
  } catch (error) {
    if (error instanceof RuleError) throw new UsageError(error.message);
    throw error;
  }
  const findings = [...input.shown, ...ruleRun.findings].filter(inScope);
  const { listed, omitted } = capRepeats(sortFindings(findings), options.maxRepeats ?? DEFAULT_MAX_REPEATS);
  const result: LintResult = { findings: listed, summary: summarize(findings, analysis.files.length, input.suppressed + ruleRun.suppressed), ...(omitted.length > 0 ? { omitted } : {}) };
  const { sink, ready, close, abandon } = openOutput(options.output);
  // A finding no file states still needs a place in SARIF: the configuration, else the first manifest.
  const fallbackFile = config.file ? path.relative(process.cwd(), config.file) : analysis.files.find((file) => file !== '<stdin>');
  try {
    // Streamed: the report of hundreds of thousands of findings is longer than a string can be.
    for (const chunk of await format(result, options, global, fallbackFile)) if (sink.push(chunk)) await ready();
  } catch (error) {
    abandon();
    throw error;
  }
  await close();
  if (hasInputErrors(input.shown.filter(inScope))) return EXIT_USAGE;
  if (findings.some((finding) => isAtLeast(finding.severity, options.failOn))) return EXIT_FINDINGS;
  if (options.maxWarnings !== undefined && result.summary.warnings > options.maxWarnings) return EXIT_FINDINGS;
  return EXIT_OK;
}

/**
 * With --context, only findings in the given files (or under the given folders) are reported: the
 * context is there to resolve selectors against the whole repository, as pre-commit passes only
 * the changed files.
 */
function scopeOf(paths: readonly string[], hasContext: boolean): (finding: Finding) => boolean {
  if (!hasContext) return () => true;
  const roots = paths.filter((given) => given !== '-').map((given) => path.resolve(given));
  return (finding) => {
    const file = finding.location?.file;
    if (file === undefined || file === '<stdin>') return paths.includes('-') || file === undefined;
    const resolved = path.resolve(file);
    return roots.some((root) => resolved === root || resolved.startsWith(`${root}${path.sep}`));
  };
}

async function format(result: LintResult, options: LintOptions, global: GlobalOptions, fallbackFile: string | undefined): Promise<Iterable<string>> {
  switch (options.format) {
    case 'json':
      return (await import('../../report/json.js')).streamJson(result);
    case 'sarif':
      return (await import('../../report/sarif.js')).streamSarif(result, RULES, undefined, { ...(fallbackFile ? { fallbackFile } : {}) });
    case 'github':
      return (await import('../../report/github.js')).streamGithub(result);
    case 'junit':
      return (await import('../../report/junit.js')).streamJunit(result);
    default:
      const paint = await (await import('../../report/paint.js')).loadPaint(shouldColorFile(options.output, global));
      return (await import('../../report/stylish.js')).streamStylish(result, { paint, verbose: options.verbose });
  }
}
