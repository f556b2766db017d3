import path from 'node:path';
import { isAtLeast, type Finding, type Severity } from '../../finding.js';
import { ConfigError, withRuleOverrides, type LintConfig } from '../../lint/config.js';
import { RuleError, runRules } from '../../lint/engine.js';
import { networkPluginOf } from '../../model/network-plugin.js';
import { ReachabilitySolver, type HostNetworkMode } from '../../reach/solver.js';
import { DEFAULT_MAX_REPEATS, capRepeats, sortFindings, summarize, type LintResult } from '../../report/summary.js';
import { RULES } from '../../../rules/index.js';
import { INPUT_RULES } from '../../load/input-rules.js';
import { EXIT_FINDINGS, EXIT_OK, EXIT_USAGE, UsageError, hasInputErrors, type GlobalOptions } from '../context.js';
import { openOutput } from '../io.js';
import { shouldColorFile } from '../output.js';
import { describeSkippedFiles, configureInputFindings, loadCommandInput, progressLine } from './shared.js';
import { foldFindings } from '../../lint/fold.js';
import { fingerprintOfFinding } from '../../lint/fingerprint.js';
import { globMatcher } from '../../lint/config.js';
import type { Analysis } from '../../pipeline.js';
import type { ProgressLine } from '../progress.js';
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
  /** Report only the findings the working tree has and this git revision did not. */
  readonly newFromRev?: string;
  /** How many findings of one rule are listed per file; the rest are counted (0 lists all). */
  readonly maxRepeats?: number;
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
  if (options.newFromRev !== undefined && [...paths, ...options.context].includes('-')) {
    throw new UsageError('--new-from-rev compares files of a git repository: standard input has no earlier revision');
  }
  // Before the manifests are read: a revision that does not exist is a usage error, found at once.
  const baseCommit = options.newFromRev === undefined ? undefined : await resolveBase(options.newFromRev);
  const progress = progressLine();
  const everything = [...paths, ...options.context];
  // The given paths come first, so a file both given and found in the context keeps its name as given.
  const loaded = loadCommandInput(everything, global, config, { requireManifestsIn: paths, progress });
  const analysis = loaded.analysis;
  const isGivenFile = scopeOf(paths, options.context.length > 0);
  // With --new-from-rev the comparison decides what is shown, wherever it lands; else --context limits it to the given paths.
  const inScope = (finding: Finding) => baseCommit !== undefined || isGivenFile(finding.location?.file);
  const input = { shown: loaded.inputFindings, suppressed: loaded.suppressed };
  // The files given (not those of the context) that are not manifests: the summary line is about them.
  const skipped = analysis.skipped.filter((file) => isGivenFile(file.path));
  const ruleRun = lintGraph(analysis, config, options, progress);
  let findings = [...input.shown, ...ruleRun.findings].filter(inScope);
  let shownInput = input.shown.filter(inScope);
  if (baseCommit !== undefined) {
    // The same paths, read at the revision, linted with the same configuration: whatever is new,
    // wherever it lands (an untouched Deployment losing its DNS policy), is what the change caused.
    const { readBase } = await import('./lint-base.js');
    const base = readBase(options.newFromRev!, baseCommit, everything, global, config, progress);
    const baseInput = configureInputFindings(base.analysis.inputFindings, config, globMatcher(config.ignore));
    const baseRun = lintGraph(base.analysis, config, options, progress);
    const { findingsNotIn } = await import('../../lint/new-findings.js');
    const compared = findingsNotIn(findings, [...baseInput.shown, ...baseRun.findings]);
    findings = [...compared.fresh];
    const fresh = new Set(compared.fresh);
    shownInput = shownInput.filter((finding) => fresh.has(finding));
    // The progress line goes before the note on standard error.
    progress.done();
    base.report(compared.known);
  }
  progress.done();
  // One cause, said once: findings that name a cause reported too are listed under it.
  findings = foldFindings(findings.map((finding) => (finding.fingerprint ? finding : { ...finding, fingerprint: fingerprintOfFinding(finding) })));
  // Listed up to --max-repeats per file and rule, the rest counted; the summary counts them all.
  const { listed, omitted } = capRepeats(sortFindings(findings), options.maxRepeats ?? DEFAULT_MAX_REPEATS);
  const result: LintResult = {
    findings: listed,
    summary: { ...summarize(findings, analysis.files.length, input.suppressed + ruleRun.suppressed), notManifests: skipped.length },
    notManifests: skipped,
    files: analysis.files,
    ...(omitted.length > 0 ? { omitted } : {}),
  };
  // Machine formats on standard output stay pure; the JSON document carries the files itself.
  if (options.format !== 'json') process.stderr.write(describeSkippedFiles(skipped, options.verbose));
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
  if (hasInputErrors(shownInput)) return EXIT_USAGE;
  if (findings.some((finding) => isAtLeast(finding.severity, options.failOn))) return EXIT_FINDINGS;
  if (options.maxWarnings !== undefined && result.summary.warnings > options.maxWarnings) return EXIT_FINDINGS;
  return EXIT_OK;
}

/** Runs every rule on a graph, the progress line naming the rule at work. */
function lintGraph(analysis: Analysis, config: LintConfig, options: LintOptions, progress: ProgressLine) {
  try {
    return runRules(analysis.graph, RULES, config, () => new ReachabilitySolver(analysis.graph, { hostNetworkPods: options.hostNetworkPods, plugin: networkPluginOf(analysis.graph, config.cluster.cni), podCIDRs: config.cluster.podCIDR }), undefined,
      (done, total, id) => progress.update(() => `k8snet: ${done} of ${total} rules run (${id})`));
  } catch (error) {
    if (error instanceof RuleError) throw new UsageError(error.message);
    throw error;
  }
}

/** Resolves --new-from-rev to a commit, or says in plain words why it cannot. */
async function resolveBase(revision: string): Promise<string> {
  const { GitError, resolveCommit } = await import('../../load/git.js');
  try {
    return resolveCommit(revision, process.cwd());
  } catch (error) {
    if (error instanceof GitError) throw new UsageError(`--new-from-rev ${revision}: ${error.message}`);
    throw error;
  }
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

async function format(result: LintResult, options: LintOptions, global: GlobalOptions, fallbackFile: string | undefined): Promise<Iterable<string>> {
  switch (options.format) {
    case 'json':
      return (await import('../../report/json.js')).streamJson(result);
    case 'sarif':
      return (await import('../../report/sarif.js')).streamSarif(result, RULES, undefined, { ...(fallbackFile ? { fallbackFile } : {}) });
    case 'github':
      return (await import('../../report/github.js')).streamGithub(result);
    case 'junit':
      return (await import('../../report/junit.js')).streamJunit(result, { failOn: options.failOn });
    default:
      const paint = await (await import('../../report/paint.js')).loadPaint(shouldColorFile(options.output, global));
      return (await import('../../report/stylish.js')).streamStylish(result, { paint, verbose: options.verbose });
  }
}
